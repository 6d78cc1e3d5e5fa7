// `riemopt sample`: the JSON summary against the stationary law, the samples file, the figure,
// exit codes for unstable runs, and refusals of improper laws and bad values.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_test_helpers.hpp"
#include "test_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using riemopt::testing::CliRun;
using riemopt::testing::run_riemopt;

fs::path scratch(const std::string& name) {
  const fs::path p = riemopt::testing::scratch_directory() / name;
  fs::remove(p);
  return p;
}

TEST(CliSample, MalaMomentsMatchThePredictionAndTheFilesAreWritten) {
  const fs::path csv = scratch("samples.csv"), png = scratch("samples.png");
  std::vector<std::string> args = {
      "sample",  "--width",    "2",          "--depth",   "2",           "--beta",
      "2",       "--schatten", "2",          "--entropy", "--space",     "matrices",
      "--steps", "300000",     "--thinning", "10",        "--step-size", "0.05",
      "--mala",  "--seed",     "4",          "--quiet",   "--output",    csv.string()};
  const bool plot = std::system("command -v gnuplot >/dev/null 2>&1") == 0;
  if (plot) {
    args.push_back("--plot");
    args.push_back(png.string());
  }
  const CliRun r = run_riemopt(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["status"], "completed");
  EXPECT_EQ(doc["samples"].get<int>(), 30000);
  EXPECT_EQ(doc["steps"].get<int>(), 330000);  // burn-in: steps/10
  EXPECT_NEAR(doc["svd_per_step"].get<double>(), 1.0, 1e-4);
  for (int k = 0; k < 2; ++k) {
    const double mean = doc["mean"][k], se = doc["mean_standard_error"][k];
    const double predicted = doc["predicted_mean"][k];
    EXPECT_LE(std::abs(mean - predicted), 4.0 * se) << k;
    EXPECT_NEAR(doc["z_scores_mean"][k].get<double>(), (mean - predicted) / se, 1e-9);
    EXPECT_LE(std::abs(doc["mean_square"][k].get<double>() -
                       doc["predicted_mean_square"][k].get<double>()),
              4.0 * doc["mean_square_standard_error"][k].get<double>());
  }
  std::ifstream in(csv);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header, "step,sigma_1,sigma_2");
  int rows = 0;
  double sum = 0.0;
  while (std::getline(in, line)) {
    ++rows;
    std::istringstream fields(line);
    std::string step, s1;
    std::getline(fields, step, ',');
    std::getline(fields, s1, ',');
    sum += std::stod(s1);
    if (rows == 1) {
      EXPECT_EQ(step, "30010");  // burn-in 30000, then every 10th step
    }
  }
  EXPECT_EQ(rows, 30000);
  EXPECT_NEAR(sum / rows, doc["mean"][0].get<double>(), 1e-12);
  if (plot) {
    EXPECT_GT(fs::file_size(png), 1000u);
  }
}

TEST(CliSample, UnstableEulerMaruyamaExitsThreeWithTheReason) {
  const fs::path csv = scratch("unstable.csv");
  const CliRun r = run_riemopt({"sample", "--width", "1", "--depth", "3", "--beta", "1",
                                "--schatten", "2", "--steps", "100000", "--step-size", "0.3",
                                "--seed", "1", "--quiet", "--output", csv.string()});
  EXPECT_EQ(r.code, 3) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["status"], "numerical_failure");
  EXPECT_NE(doc["message"].get<std::string>().find("step"), std::string::npos);
}

TEST(CliSample, ImproperLawsAndBadValuesAreRefusedAndNothingIsWritten) {
  const fs::path csv = scratch("refused.csv");
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"sample", "--steps", "100",      "--step-size",
                                     "0.01",   "--quiet", "--output", csv.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_riemopt(args);
  };
  const std::vector<std::string> base = {"--width", "2", "--depth",    "3",
                                         "--beta",  "1", "--schatten", "2"};
  // Infinite depth without a barrier: no stationary probability law.
  CliRun r = run({"--width", "2", "--depth", "inf", "--beta", "1", "--schatten", "2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not a probability law"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(csv));
  // The same with a barrier runs.
  r = run({"--width", "2", "--depth", "inf", "--beta", "1", "--schatten", "2", "--log-barrier", "1",
           "--mala"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::exists(csv));
  fs::remove(csv);
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"--width", "2", "--depth", "3", "--beta", "0", "--schatten", "2"},
           {"--width", "2", "--depth", "3", "--beta", "nan", "--schatten", "2"},
           {"--width", "0", "--depth", "3", "--beta", "1", "--schatten", "2"},
           {"--width", "2", "--depth", "0", "--beta", "1", "--schatten", "2"},
           {"--width", "2", "--depth", "3", "--beta", "1", "--schatten", "-1"}}) {
    r = run(bad);
    EXPECT_NE(r.code, 0) << bad[1] << bad[3] << bad[5] << bad[7];
    EXPECT_FALSE(r.err.empty());
    EXPECT_FALSE(fs::exists(csv));
  }
  std::vector<std::string> thin = base;
  thin.insert(thin.end(), {"--thinning", "1000"});
  r = run(thin);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--thinning"), std::string::npos) << r.err;
  r = run_riemopt({"sample", "--width", "2", "--depth", "3", "--beta", "1", "--schatten", "2",
                   "--steps", "100", "--step-size", "-1", "--quiet", "--output", csv.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--step-size"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(csv));
}

}  // namespace
