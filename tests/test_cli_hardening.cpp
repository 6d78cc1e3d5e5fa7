// The command line against hostile inputs, one test per class: values that would wrap or
// overflow, inputs that are not regular files, budgets that must bind from the first moment,
// bounded work, and statuses (and exit codes) that say what really happened.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_helpers.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "test_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using riemopt::testing::CliRun;

CliRun run(const std::vector<std::string>& args) { return riemopt::testing::run_riemopt(args); }

std::string path(const std::string& name) {
  const fs::path p = riemopt::testing::scratch_directory() / name;
  std::error_code ignored;
  fs::remove_all(p, ignored);
  return p.string();
}

struct Instance {
  std::string truth, observed;
};

Instance small_instance(int rows = 12, int cols = 10) {
  Instance f{path("T.mtx"), path("O.mtx")};
  const CliRun r = run({"generate", "--rows", std::to_string(rows), "--cols", std::to_string(cols),
                        "--rank", "1", "--observations", std::to_string(rows * cols / 2), "--truth",
                        f.truth, "--observed", f.observed});
  EXPECT_EQ(r.code, 0) << r.err;
  return f;
}

void expect_refused(const CliRun& r, const std::string& text) {
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
}

TEST(CliHardening, SeedsOutsideTheSixtyFourBitRangeAreRefusedNotWrapped) {
  const std::string t = path("t.mtx"), o = path("o.mtx");
  for (const std::string seed : {"-1", "18446744073709551616", "1e3", "0x10", "+5"}) {
    const CliRun r = run({"generate", "--rows", "5", "--cols", "5", "--rank", "1", "--observations",
                          "5", "--seed", seed, "--truth", t, "--observed", o});
    expect_refused(r, "--seed must be");
    EXPECT_FALSE(fs::exists(t)) << seed;
  }
  const CliRun top = run({"generate", "--rows", "5", "--cols", "5", "--rank", "1", "--observations",
                          "5", "--seed", "18446744073709551615", "--truth", t, "--observed", o});
  ASSERT_EQ(top.code, 0) << top.err;
  EXPECT_EQ(nlohmann::json::parse(top.out)["seed"].get<std::uint64_t>(), 18446744073709551615u);
  const Instance f = small_instance();
  expect_refused(run({"complete", "--observed", f.observed, "--seed", "-3", "--quiet"}),
                 "--seed must be an integer from 0 to 18446744073709551615");
}

TEST(CliHardening, SizesAreCheckedWithoutOverflowBeforeAnyAllocation) {
  // rows·cols = 1e22 wrapped around int64 and slipped past the 2^26 check into std::bad_alloc.
  for (const auto& [rows, cols] : std::vector<std::pair<std::string, std::string>>{
           {"99999999999", "99999999999"}, {"4294967296", "4294967296"}, {"8193", "8193"}}) {
    const CliRun r =
        run({"generate", "--rows", rows, "--cols", cols, "--rank", "1", "--observations", "1",
             "--truth", path("t.mtx"), "--observed", path("o.mtx")});
    expect_refused(r, "is too large for --truth (at most 2^26 = 67108864 entries)");
  }
  // Without --truth the instance is made from the factors, and the limit is on the indices.
  for (const std::string size : {"99999999999", "4294967296", "46341"}) {
    const CliRun r = run({"generate", "--rows", size, "--cols", size, "--rank", "1",
                          "--observations", "1", "--observed", path("o.mtx")});
    expect_refused(r, "is too large (at most 2^31 - 1 entries)");
  }
}

TEST(CliHardening, InputsThatAreNotRegularFilesAreRefusedWithoutReading) {
  const std::string fifo = path("observed.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string folder = path("a-folder");
  fs::create_directories(folder);
  expect_refused(run({"complete", "--observed", fifo, "--quiet"}), "is a FIFO (pipe)");
  expect_refused(run({"complete", "--observed", folder, "--quiet"}), "is a folder");
  expect_refused(run({"complete", "--observed", "/dev/zero", "--quiet"}), "is a character device");
  const Instance f = small_instance();
  expect_refused(run({"complete", "--observed", f.observed, "--truth", fifo, "--quiet"}),
                 "is a FIFO (pipe)");
}

TEST(CliHardening, DataValuesWhoseSquaresWouldOverflowAreRefusedOnReading) {
  // A truth entry of 1e200 used to give test_mse: null at the end of the run.
  const Instance f = small_instance(3, 2);
  std::ofstream(f.truth) << "%%MatrixMarket matrix array real general\n3 2\n1\n1e200\n1\n1\n1\n1\n";
  const CliRun r = run({"complete", "--observed", f.observed, "--truth", f.truth, "--quiet"});
  expect_refused(r, f.truth + ":4: value '1e200' is too large");
}

TEST(CliHardening, TheWallClockBudgetCoversBuildingTheStart) {
  // --init-factors 100000000 once ran for minutes and reported wall_seconds 0.0008: the start's
  // factors were built before the budget's clock started.
  const Instance f = small_instance();
  const std::string report = path("report.json");
  const CliRun r = run({"complete", "--observed", f.observed, "--init-factors", "100000000",
                        "--max-time", "0.3", "--quiet", "--output", report});
  EXPECT_EQ(r.code, 3) << r.err;
  std::ifstream in(report);
  const nlohmann::json doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["status"], "max_wall_time");
  EXPECT_NE(doc["message"].get<std::string>().find("while building the start (100000000 Gaussian"),
            std::string::npos)
      << doc["message"];
  EXPECT_GE(doc["wall_seconds"].get<double>(), 0.3);
  // The same for a huge depth, whose start has one factor per layer.
  const CliRun deep = run({"complete", "--observed", f.observed, "--depth", "2147483647",
                           "--max-time", "0.3", "--quiet"});
  EXPECT_EQ(deep.code, 3) << deep.err;
  EXPECT_EQ(nlohmann::json::parse(deep.out)["status"], "max_wall_time");
}

TEST(CliHardening, TallMatricesGetAStartOfTheirOwnSize) {
  // The Gaussian-product start used rows×rows inner factors: a 20000×1 problem allocated 3.2 GB.
  // Now the inner widths are min(rows, cols), so this start is a few kilobytes.
  const riemopt::Vector x =
      riemopt::gaussian_product_init(20000, 2, riemopt::Depth::finite(3), 1e-3, 5);
  ASSERT_EQ(x.size(), 40000);
  // ‖X₀‖_F ≈ scale·√rows = 0.141 (each factor keeps the squared norm per column on average).
  EXPECT_GT(x.norm(), 0.1 * 1e-3 * std::sqrt(20000.0));
  EXPECT_LT(x.norm(), 10.0 * 1e-3 * std::sqrt(20000.0));
  // For rows <= cols the shapes, and so the draws, are those of the square networks of Arora et
  // al. (W_1 rows×cols, the others rows×rows): the flagship's start is unchanged.
  riemopt::Rng rng(11);
  const double root = std::pow(1e-3, 1.0 / 3.0);
  riemopt::Matrix expected =
      root / std::sqrt(7.0) * riemopt::gaussian_vector(5 * 7, rng).reshaped(5, 7);
  for (int p = 2; p <= 3; ++p) {
    const riemopt::Matrix w =
        root / std::sqrt(5.0) * riemopt::gaussian_vector(25, rng).reshaped(5, 5);
    expected = w * expected;  // as evaluated by the library: factor first, then the product
  }
  const riemopt::Vector square =
      riemopt::gaussian_product_init(5, 7, riemopt::Depth::finite(3), 1e-3, 11);
  EXPECT_EQ((square - expected.reshaped()).cwiseAbs().maxCoeff(), 0.0);
}

TEST(CliHardening, AStartTooSmallToMoveIsNotReportedAsConverged) {
  // From --init-scale 1e-30 the DLN gradient underflows at once: the flow "converged" (gradient
  // below 1e-8) at train MSE ~1 with exit 0.
  const Instance f = small_instance();
  const CliRun r = run({"complete", "--observed", f.observed, "--init-scale", "1e-30", "--quiet"});
  EXPECT_EQ(r.code, 3) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["status"], "stationary_short_of_target");
  EXPECT_GT(doc["train_mse"].get<double>(), 1e-2);
  EXPECT_NE(doc["message"].get<std::string>().find("does not fit the data"), std::string::npos);
}

TEST(CliHardening, AnEstimateThatRunsAwayIsReportedAsDiverged) {
  // F = E − S_3/β with a small β is unbounded below: the flow runs off, and a run to its final
  // time used to report final_time_reached with an estimate hundreds of times the data.
  const Instance f = small_instance(8, 8);
  const CliRun r =
      run({"complete", "--observed", f.observed, "--beta", "0.1", "--init", "scaled-identity",
           "--final-time", "1000", "--target-train-mse", "0", "--tolerance", "0", "--quiet"});
  EXPECT_EQ(r.code, 3) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["status"], "diverged");
  EXPECT_NE(doc["message"].get<std::string>().find("times the data's scale"), std::string::npos)
      << doc["message"];
  EXPECT_LT(doc["flow_time"].get<double>(), 1000.0);
}

TEST(CliHardening, SpectralHasABudgetAndItsExitCodeFollowsTheStatus) {
  const CliRun r = run({"spectral", "--width", "3", "--depth", "3", "--beta", "2", "--schatten",
                        "2", "--sigma0", "2,1.2,0.4", "--max-time", "1e-9", "--quiet"});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["status"], "max_wall_time");
  expect_refused(run({"spectral", "--width", "3", "--depth", "3", "--beta", "2", "--schatten", "2",
                      "--sigma0", "2,1.2,0.4", "--max-time", "0", "--quiet"}),
                 "max_wall_seconds must be > 0");
}

TEST(CliHardening, EntropyWorkIsBoundedAndEveryNumberIsANumber) {
  std::string many = "1";
  for (int k = 1; k < 501; ++k) {
    many += ',';
    many += std::to_string(1.0 / (k + 1));
  }
  expect_refused(run({"entropy", "--depth", "3", "--sigma", many}),
                 "--sigma has 501 values; the entropy command reports d x d Hessians and takes at "
                 "most 500");
  // Far apart but representable: every entry a number (the small value's gradient 3.3e-101 came
  // out as 0, and a Hessian entry as null).
  const CliRun far = run({"entropy", "--depth", "3", "--sigma", "1e300,1e-300"});
  ASSERT_EQ(far.code, 0) << far.err;
  EXPECT_EQ(far.out.find("null"), std::string::npos) << far.out;
  const nlohmann::json doc = nlohmann::json::parse(far.out);
  EXPECT_NEAR(doc["gradient"][1].get<double>(), 1.0 / 3.0 * 1e-100, 1e-12 * 1e-100);
  EXPECT_NEAR(doc["hessian_euclidean"][1][1].get<double>(), -1.0 / 9.0 * 1e200, 1e-12 * 1e200);
  // A Hessian beyond double precision: refused with the reason.
  expect_refused(run({"entropy", "--depth", "5", "--sigma", "3e100,2e-280"}),
                 "is not representable in double precision");
}

}  // namespace
