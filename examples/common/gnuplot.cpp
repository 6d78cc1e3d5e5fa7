#include "gnuplot.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "riemopt/atomic_file.hpp"

namespace riemopt::examples {
namespace {

// gnuplot strings are single-quoted; a single quote inside is doubled. A newline (or any other
// control character) would end the command inside the string and start a new one, so each
// becomes a space: no text given to a plot can become a gnuplot command.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "''";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      out += ' ';
    else
      out += c;
  }
  return out + "'";
}

// A POSIX shell word: single-quoted, with each ' written as '\''.
std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "riemopt-plot-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot create a temporary directory for the plot data");
    path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

std::string render_png(const std::vector<Panel>& panels, int panel_width, int height) {
  if (panels.empty()) throw std::runtime_error("render_png: no panels to draw");
  if (!gnuplot_available())
    throw std::runtime_error(
        "cannot draw a figure: gnuplot is not installed (apt-get install gnuplot-nox, or run "
        "scripts/setup.sh)");
  // gnuplot reads its script and data and writes the figure inside a private folder (mkdtemp,
  // mode 0700): the user's path never appears in the script.
  TemporaryDirectory tmp;
  const std::string staged = (tmp.path() / "figure.png").string();
  std::string script = fmt::format(
      "set terminal pngcairo size {},{} enhanced font 'DejaVu Sans,10'\nset output {}\n"
      "set multiplot layout 1,{}\nset grid\nset key outside bottom center horizontal\n",
      panel_width * static_cast<int>(panels.size()), height, quoted(staged), panels.size());
  int file_index = 0;
  for (const Panel& panel : panels) {
    script += fmt::format("set title {}\nset xlabel {}\nset ylabel {}\n", quoted(panel.title),
                          quoted(panel.xlabel), quoted(panel.ylabel));
    script += panel.log_x ? "set logscale x\nset format x '10^{%T}'\n"
                          : "unset logscale x\nset format x '%g'\n";
    script += panel.log_y ? "set logscale y\nset format y '10^{%T}'\n"
                          : "unset logscale y\nset format y '%g'\n";
    std::string plot = "plot ";
    for (std::size_t s = 0; s < panel.series.size(); ++s) {
      const Series& series = panel.series[s];
      const auto data = tmp.path() / fmt::format("series{}.dat", file_index++);
      std::ofstream out(data);
      for (std::size_t i = 0; i < series.x.size() && i < series.y.size(); ++i) {
        const double x = series.x[i], y = series.y[i];
        const bool drawable = std::isfinite(x) && std::isfinite(y) && (!panel.log_x || x > 0) &&
                              (!panel.log_y || y > 0);
        if (drawable) out << fmt::format("{:.17g} {:.17g}\n", x, y);
      }
      if (!out) throw std::runtime_error("cannot write plot data to " + data.string());
      plot += fmt::format("{}{} using 1:2 with {} {}", s == 0 ? "" : ", ", quoted(data.string()),
                          series.style.empty() ? "lines lw 2" : series.style,
                          series.title.empty() ? "notitle" : "title " + quoted(series.title));
    }
    script += (panel.series.empty() ? "plot NaN notitle" : plot) + "\n";
  }
  script += "unset multiplot\nset output\n";
  const auto script_path = tmp.path() / "figure.gp";
  std::ofstream(script_path) << script;
  const std::string command = fmt::format("gnuplot {} 2>{}", shell_quoted(script_path.string()),
                                          shell_quoted((tmp.path() / "gnuplot.log").string()));
  if (std::system(command.c_str()) != 0) {
    std::ifstream log(tmp.path() / "gnuplot.log");
    const std::string message((std::istreambuf_iterator<char>(log)), {});
    throw std::runtime_error(fmt::format("gnuplot failed drawing a figure: {}", message));
  }
  std::ifstream png(staged, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(png)), {});
  if (!png.good() && !png.eof()) throw std::runtime_error("cannot read the figure gnuplot drew");
  if (bytes.empty()) throw std::runtime_error("gnuplot drew an empty figure");
  return bytes;
}

void write_png(const std::string& path, const std::vector<Panel>& panels, int panel_width,
               int height) {
  check_output_path(path);  // before gnuplot runs
  write_file_atomically(path, render_png(panels, panel_width, height));
}

}  // namespace riemopt::examples
