// The `riemopt` command line (examples/cli): JSON content against the library and the reference
// values, files written only on success, and exit codes with messages for bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_test_helpers.hpp"
#include "reference_values.hpp"
#include "riemopt/energies/spectral_equilibrium.hpp"
#include "test_helpers.hpp"

namespace {

namespace fs = std::filesystem;

using riemopt::testing::CliRun;
CliRun run(const std::vector<std::string>& args) { return riemopt::testing::run_riemopt(args); }

fs::path scratch(const std::string& name) {
  const fs::path dir = riemopt::testing::scratch_directory();
  const fs::path p = dir / name;
  fs::remove(p);
  return p;
}

TEST(CliEntropy, PrintsTheReferenceValues) {
  const CliRun r = run({"entropy", "--depth", "3", "--sigma", "2.0,1.5,0.5"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_NEAR(doc["S_reduced"].get<double>(), 2.14334907193561452360009401213, 1e-14);
  EXPECT_NEAR(doc["gradient"][2].get<double>(), 0.672544769282846070837525147354, 1e-14);
  EXPECT_NEAR(doc["hessian_euclidean"][1][2].get<double>(), -0.1533140206394937721883571, 1e-14);
  // Riemannian (DLN chamber metric) = Euclidean + diag(κ ∂S/σ), κ = 2/3.
  EXPECT_NEAR(doc["hessian_riemannian"][2][2].get<double>(),
              -0.4843665777444078974783395 + (2.0 / 3.0) * 0.672544769282846070837525147354 / 0.5,
              1e-14);
  EXPECT_NEAR(doc["S"].get<double>() - doc["S_reduced"].get<double>(),
              doc["constant"].get<double>(), 1e-12);
}

TEST(CliSpectral, MeasuredRatesMatchThePredictionsAndFilesAreWritten) {
  const fs::path json = scratch("spectral.json"), csv = scratch("traj.csv");
  const fs::path png = scratch("sigma.png");
  std::vector<std::string> args = {
      "spectral",     "--width",   "4",        "--depth",     "inf",     "--beta",   "0.5",
      "--schatten",   "1.5",       "--sigma0", "3,1,0.5,0.2", "--quiet", "--output", json.string(),
      "--trajectory", csv.string()};
  const bool plot = std::system("command -v gnuplot >/dev/null 2>&1") == 0;
  if (plot) {
    args.push_back("--plot");
    args.push_back(png.string());
  }
  const CliRun r = run(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  std::ifstream in(json);
  const auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["status"], "converged");
  const auto eq = riemopt::SpectralEquilibrium::schatten(4, riemopt::Depth::infinite(), 0.5, 1.5);
  EXPECT_NEAR(doc["s_star_predicted"].get<double>(), eq.s_star(), 1e-15);
  for (double s : doc["sigma_final"]) EXPECT_NEAR(s, eq.s_star(), 1e-8 * eq.s_star());
  const double uniform = doc["rate_uniform_predicted"], relative = doc["rate_relative_predicted"];
  EXPECT_NEAR(doc["rate_uniform_measured"].get<double>(), uniform, 1e-6 * std::abs(uniform));
  EXPECT_NEAR(doc["rate_relative_measured"].get<double>(), relative, 1e-6 * std::abs(relative));
  std::ifstream trajectory(csv);
  std::string header;
  std::getline(trajectory, header);
  EXPECT_NE(header.find("sigma_4"), std::string::npos) << header;
  if (plot) {
    std::ifstream image(png, std::ios::binary);
    char magic[4] = {};
    image.read(magic, 4);
    EXPECT_EQ(std::string(magic + 1, 3), "PNG");
  }
}

TEST(CliSpectral, EuclideanRatesAreTheDlnRatesOverTheMetricWeight) {
  const CliRun r = run({"spectral", "--width", "3", "--depth", "3", "--beta", "2", "--schatten",
                        "2", "--sigma0", "2,0.9,0.3", "--metric", "euclidean", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const double relative = doc["rate_relative_predicted"];
  EXPECT_NEAR(doc["rate_relative_measured"].get<double>(), relative, 1e-6 * std::abs(relative));
  // The reference's DLN rate −1.9229994270765445 divided by w(s*) = 3 s*^{4/3}, s* = 1/√3.
  EXPECT_NEAR(relative, -1.9229994270765445098 / (3.0 * std::pow(1.0 / 3.0, 2.0 / 3.0)), 1e-13);
}

TEST(CliErrors, BadValuesExitOneWithAMessageAndWriteNothing) {
  const fs::path json = scratch("never.json");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"entropy", "--depth", "0", "--sigma", "1"}, "depth"},
      {{"entropy", "--depth", "3", "--sigma", "1,2"}, "decreasing"},
      {{"entropy", "--depth", "3", "--sigma", "2,0"}, "> 0"},
      {{"entropy", "--depth", "3", "--sigma", "2,nan"}, "finite"},
      {{"entropy", "--depth", "3", "--sigma", "2,,1"}, "not a number"},
      {{"spectral", "--width", "3", "--depth", "3", "--beta", "0", "--schatten", "2", "--sigma0",
        "3,2,1"},
       "beta"},
      {{"spectral", "--width", "3", "--depth", "3", "--beta", "1", "--schatten", "2", "--sigma0",
        "3,2"},
       "--width is 3"},
      {{"spectral", "--width", "3", "--depth", "1", "--beta", "1", "--schatten", "2", "--sigma0",
        "3,2,1"},
       "depth"},
      {{"spectral", "--width", "2", "--depth", "2", "--beta", "1", "--schatten", "-1", "--sigma0",
        "3,2"},
       "p must be"},
  };
  for (auto [args, expected] : cases) {
    args.push_back("--output");
    args.push_back(json.string());
    const CliRun r = run(args);
    EXPECT_EQ(r.code, 1) << args[4];
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(json)) << r.err;
  }
}

TEST(CliErrors, ExistingOutputSurvivesAFailedRun) {
  const fs::path json = scratch("keep.json");
  std::ofstream(json) << "precious";
  const CliRun r = run({"entropy", "--depth", "3", "--sigma", "1,2", "--output", json.string()});
  EXPECT_EQ(r.code, 1);
  std::ifstream in(json);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST(CliErrors, UsageErrorsExitTwoWithTheUsage) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"entropy", "--depth", "3"},
           {"spectral", "--width", "x"},
           {"spectral", "--width", "2", "--depth", "2", "--beta", "1", "--schatten", "2",
            "--sigma0", "2,1", "--metric", "hyperbolic"}}) {
    const CliRun r = run(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("Usage: riemopt"), std::string::npos) << r.err;
  }
  const CliRun help = run({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("spectral"), std::string::npos);
}

}  // namespace

namespace {

// Extreme temperatures: s* spans 8e-6 to 8e3 and the rates twelve decades; the stopping rule is
// scale-free, so both ends reach s*·1 to the same relative accuracy and reproduce both rates.
TEST(CliSpectral, ExtremeBetaReachesTheEquilibriumToTheSameRelativeAccuracy) {
  for (const char* beta : {"1e-8", "1e10"}) {
    for (const char* metric : {"dln", "euclidean"}) {
      const CliRun r =
          run({"spectral", "--width", "3", "--depth", "3", "--beta", beta, "--schatten", "2",
               "--sigma0", "2,0.9,0.3", "--metric", metric, "--quiet"});
      ASSERT_EQ(r.code, 0) << r.err;
      const auto doc = nlohmann::json::parse(r.out);
      EXPECT_EQ(doc["status"], "converged") << beta << " " << metric << ": " << doc["message"];
      const auto eq = riemopt::SpectralEquilibrium::schatten(3, riemopt::Depth::finite(3),
                                                             std::stod(beta), 2.0);
      EXPECT_NEAR(doc["s_star_predicted"].get<double>(), eq.s_star(), 1e-15 * eq.s_star());
      EXPECT_LT(doc["relative_error_to_s_star"].get<double>(), 1e-8) << beta << " " << metric;
      const double uniform = doc["rate_uniform_predicted"],
                   relative = doc["rate_relative_predicted"];
      EXPECT_NEAR(doc["rate_uniform_measured"].get<double>(), uniform, 1e-6 * std::abs(uniform));
      EXPECT_NEAR(doc["rate_relative_measured"].get<double>(), relative, 1e-6 * std::abs(relative));
      EXPECT_LT(doc["steps"].get<int>(), 100000) << beta << " " << metric;
    }
  }
}

}  // namespace
