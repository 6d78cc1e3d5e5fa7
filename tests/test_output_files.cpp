// Output files: the program never writes what the user did not name. Special files and links are
// refused, permissions are kept, temporaries are exclusive and removed on every exit path
// (signals included), several outputs are written all or none, and a plot path or title can
// never become a gnuplot command.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_helpers.hpp"
#include "common/gnuplot.hpp"
#include "riemopt/atomic_file.hpp"
#include "test_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using riemopt::testing::CliRun;

CliRun run(const std::vector<std::string>& args) { return riemopt::testing::run_riemopt(args); }

fs::path scratch(const std::string& name) {
  const fs::path p = riemopt::testing::scratch_directory() / name;
  std::error_code ignored;
  fs::remove_all(p, ignored);
  return p;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// Every entry of a folder (hidden temporaries included).
std::vector<std::string> entries(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(folder)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(OutputFiles, SpecialFilesAndLinksAreRefusedNotReplaced) {
  const fs::path folder = scratch("special");
  fs::create_directories(folder);
  const fs::path target = folder / "real.json";
  write_text(target, "keep me");
  const fs::path link = folder / "link.json";
  fs::create_symlink(target, link);
  const fs::path fifo = folder / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const fs::path sub = folder / "sub";
  fs::create_directories(sub);
  for (const auto& item : std::vector<std::pair<fs::path, std::string>>{
           {link, "is a symbolic link"},
           {fifo, "is a FIFO (pipe), not a regular file"},
           {sub, "is a folder, not a regular file"},
           {"/dev/null", "is a character device, not a regular file"}}) {
    const fs::path& path = item.first;  // (a lambda may not capture a structured binding)
    const std::string& kind = item.second;
    const std::string m = message_of([&] { riemopt::write_file_atomically(path, "new"); });
    EXPECT_NE(m.find(kind), std::string::npos) << m;
    const CliRun r = run({"entropy", "--depth", "3", "--sigma", "2,1", "--output", path});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("--output: '" + path.string() + "' " + kind), std::string::npos) << r.err;
  }
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(fs::status(fifo).type(), fs::file_type::fifo);
  EXPECT_EQ(fs::status("/dev/null").type(), fs::file_type::character);
  EXPECT_EQ(read_text(target), "keep me");
  // A missing folder is named before any work.
  const CliRun missing =
      run({"entropy", "--depth", "3", "--sigma", "2,1", "--output", folder / "no" / "x.json"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("the folder '" + (folder / "no").string() + "' does not exist"),
            std::string::npos)
      << missing.err;
  // No temporary was left anywhere.
  EXPECT_EQ(entries(folder), (std::vector<std::string>{"fifo", "link.json", "real.json", "sub"}));
}

TEST(OutputFiles, ReplacedFilesKeepTheirPermissionsAndNewFilesFollowTheUmask) {
  const fs::path folder = scratch("modes");
  fs::create_directories(folder);
  const fs::path secret = folder / "secret.json";
  write_text(secret, "old");
  ASSERT_EQ(::chmod(secret.c_str(), 0600), 0);
  riemopt::write_file_atomically(secret, "new");
  struct stat st = {};
  ASSERT_EQ(::stat(secret.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(read_text(secret), "new");
  ASSERT_EQ(::chmod(secret.c_str(), 0640), 0);
  riemopt::write_file_atomically(secret, "newer");
  ASSERT_EQ(::stat(secret.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);

  const mode_t mask = ::umask(0027);
  riemopt::write_file_atomically(folder / "fresh.json", "x");
  ::umask(mask);
  ASSERT_EQ(::stat((folder / "fresh.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);  // 0666 & ~0027
}

TEST(OutputFiles, TemporariesAreExclusiveAndNeverFollowALink) {
  // The old fixed name PATH.tmp-plot.png let a planted link redirect the write, and an input of
  // that name be destroyed. Temporaries now have random names made with O_EXCL: a file planted
  // at any fixed name beside the target is left alone.
  const fs::path folder = scratch("planted");
  fs::create_directories(folder);
  const fs::path victim = folder / "victim.txt";
  write_text(victim, "do not touch");
  for (const std::string planted : {"out.png.tmp-plot.png", ".out.png.tmp-XXXXXX"})
    fs::create_symlink(victim, folder / planted);
  riemopt::write_file_atomically(folder / "out.png", "figure");
  EXPECT_EQ(read_text(victim), "do not touch");
  EXPECT_EQ(read_text(folder / "out.png"), "figure");
  EXPECT_EQ(entries(folder), (std::vector<std::string>{".out.png.tmp-XXXXXX", "out.png",
                                                       "out.png.tmp-plot.png", "victim.txt"}));
}

TEST(OutputFiles, StagedOutputsAreWrittenAllOrNone) {
  const fs::path folder = scratch("staged");
  fs::create_directories(folder);
  write_text(folder / "a.txt", "old a");
  {
    riemopt::StagedOutputs outputs;
    outputs.stage(folder / "a.txt", "new a");
    EXPECT_THROW(outputs.stage(folder / "missing" / "b.txt", "new b"), std::runtime_error);
    // Destroyed without commit: nothing changed, no temporary left.
  }
  EXPECT_EQ(read_text(folder / "a.txt"), "old a");
  EXPECT_EQ(entries(folder), (std::vector<std::string>{"a.txt"}));
  {
    riemopt::StagedOutputs outputs;
    outputs.stage(folder / "a.txt", "new a");
    outputs.stage(folder / "b.txt", "new b");
    EXPECT_EQ(read_text(folder / "a.txt"), "old a");  // nothing visible before commit
    outputs.commit();
  }
  EXPECT_EQ(read_text(folder / "a.txt"), "new a");
  EXPECT_EQ(read_text(folder / "b.txt"), "new b");
  EXPECT_EQ(entries(folder), (std::vector<std::string>{"a.txt", "b.txt"}));
}

TEST(OutputFiles, GenerateWritesBothFilesOrNeither) {
  // An unwritable --observed used to leave a replaced --truth behind.
  const fs::path folder = scratch("generate");
  fs::create_directories(folder);
  const fs::path truth = folder / "T.mtx";
  write_text(truth, "old truth");
  const CliRun r = run({"generate", "--rows", "6", "--cols", "5", "--rank", "1", "--observations",
                        "9", "--truth", truth, "--observed", folder / "no-folder" / "O.mtx"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--observed: cannot write"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(truth), "old truth");
  EXPECT_EQ(entries(folder), (std::vector<std::string>{"T.mtx"}));
}

TEST(OutputFiles, ASignalDuringAWriteLeavesNoTemporary) {
  const fs::path folder = scratch("signals");
  fs::create_directories(folder);
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      riemopt::remove_temporaries_on_signals();
      riemopt::StagedOutputs outputs;  // staged, not yet committed: the write window
      outputs.stage(folder / "report.json", std::string(1 << 20, 'x'));
      ::raise(signal_number);
      ::_exit(0);  // not reached: the signal ends the process
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFSIGNALED(status)) << signal_number;
    if (WIFSIGNALED(status)) {
      EXPECT_EQ(WTERMSIG(status), signal_number);
    }
    EXPECT_TRUE(entries(folder).empty()) << signal_number;
  }
}

TEST(OutputFiles, PlotPathsAndTitlesCannotRunCommands) {
  if (!riemopt::examples::gnuplot_available()) GTEST_SKIP() << "gnuplot is not installed";
  const fs::path folder = scratch("injection");
  fs::create_directories(folder);
  const fs::path marker = folder / "pwned";
  // A newline in a plot path or title once ended gnuplot's string and ran the next line. In a
  // title the payload names the marker by its full path; in a file name (no '/' allowed) by a
  // name relative to the folder gnuplot runs in, which is checked too.
  const std::string title = "x\nsystem(\"touch " + marker.string() + "\")\n";
  const std::string name = "x\nsystem(\"touch pwned-by-path\")\n";
  riemopt::examples::Panel panel{title, title, title, false, false, {}};
  panel.series.push_back({title, {1.0, 2.0}, {1.0, 4.0}, ""});
  const fs::path figure = folder / ("fig" + name + ".png");
  riemopt::examples::write_png(figure, {panel});
  EXPECT_TRUE(fs::exists(figure));
  EXPECT_EQ(read_text(figure).substr(1, 3), "PNG");

  const fs::path spectral_plot = folder / ("s" + name + ".png");
  const CliRun r = run({"spectral", "--width", "2", "--depth", "2", "--beta", "1", "--schatten",
                        "2", "--sigma0", "1,0.5", "--quiet", "--plot", spectral_plot});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::exists(spectral_plot));
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_FALSE(fs::exists("pwned-by-path"));
  EXPECT_FALSE(fs::exists(folder / "pwned-by-path"));
}

}  // namespace
