// PNG figures through gnuplot (Debian's gnuplot-nox, installed by scripts/setup.sh): line plots
// with optional log axes, several panels side by side. The data, the script and the figure go to
// a private temporary folder; the PNG then reaches its target through write_file_atomically.
//
//   riemopt::examples::Panel panel{"sigma_k(t)", "t", "sigma", true, false, {}};
//   panel.series.push_back({"sigma_1", times, sigma1});
//   riemopt::examples::write_png("fig.png", {panel});
#pragma once

#include <string>
#include <vector>

namespace riemopt::examples {

struct Series {
  std::string title;
  std::vector<double> x;
  std::vector<double> y;
  // A gnuplot style (what follows `with`); empty: "lines lw 2" in the next default color.
  std::string style;
};

struct Panel {
  std::string title;
  std::string xlabel;
  std::string ylabel;
  bool log_x = false;
  bool log_y = false;
  std::vector<Series> series;
};

// True when a gnuplot executable is on the PATH.
bool gnuplot_available();

// Draws the panels side by side (each `panel_width` × `height` pixels) and returns the PNG's
// bytes. Throws std::runtime_error when gnuplot is missing or fails. Titles and labels are data:
// control characters in them become spaces, so none can start a gnuplot command.
std::string render_png(const std::vector<Panel>& panels, int panel_width = 640, int height = 480);

// render_png, written with write_file_atomically (riemopt/atomic_file.hpp): an existing file at
// `path` is replaced only on success, and only if it is a regular file.
void write_png(const std::string& path, const std::vector<Panel>& panels, int panel_width = 640,
               int height = 480);

}  // namespace riemopt::examples
