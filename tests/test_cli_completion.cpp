// `riemopt generate` and `riemopt complete`: the files and reports against the library called
// directly, the nuclear-norm certificate, rating-file input, and the refusals (bad values, bad
// files, outputs that would overwrite inputs) with their exit codes.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_common.hpp"
#include "cli_test_helpers.hpp"
#include "riemopt/energies/completion_files.hpp"
#include "riemopt/energies/completion_flow.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "test_helpers.hpp"

namespace {

namespace fs = std::filesystem;

using riemopt::testing::CliRun;
CliRun run(const std::vector<std::string>& args) { return riemopt::testing::run_riemopt(args); }

std::string path(const std::string& name) {
  const fs::path dir = riemopt::testing::scratch_directory();
  fs::remove(dir / name);
  return (dir / name).string();
}

std::string read_text(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

nlohmann::json read_json(const std::string& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

// A 30x30 rank-2 instance with 360 observations, written by `riemopt generate`.
struct Files {
  std::string truth = path("T.mtx");
  std::string observed = path("O.mtx");
};

Files generate() {
  Files f;
  const CliRun r = run({"generate", "--rows", "30", "--cols", "30", "--rank", "2", "--observations",
                        "360", "--seed", "11", "--truth", f.truth, "--observed", f.observed});
  EXPECT_EQ(r.code, 0) << r.err;
  return f;
}

TEST(CliGenerate, WritesTheLibraryInstanceExactly) {
  const Files f = generate();
  const auto inst = riemopt::make_completion_instance({30, 30, 2, 360, 11});
  const riemopt::Matrix truth = riemopt::read_matrix_market_dense(f.truth, 30, 30);
  EXPECT_EQ(truth, inst.truth);            // 17 significant digits round-trip
  EXPECT_NEAR(truth.norm(), 30.0, 1e-12);  // unit-RMS entries
  const auto obs = riemopt::read_matrix_market_coordinate(f.observed);
  ASSERT_EQ(obs.entries.size(), 360u);
  for (std::size_t k = 0; k < 360; ++k) {
    EXPECT_EQ(obs.entries[k].row, inst.observed[k].row);
    EXPECT_EQ(obs.entries[k].value, inst.truth(obs.entries[k].row, obs.entries[k].col));
  }
}

TEST(CliComplete, ReportMatchesTheLibraryAndHasEveryField) {
  const Files f = generate();
  const std::string json = path("R.json"), csv = path("traj.csv"), png = path("fig.png");
  std::vector<std::string> args = {"complete",     "--observed", f.observed, "--truth",  f.truth,
                                   "--depth",      "3",          "--quiet",  "--output", json,
                                   "--trajectory", csv};
  const bool plot = std::system("command -v gnuplot >/dev/null 2>&1") == 0;
  if (plot) {
    args.push_back("--plot");
    args.push_back(png);
  }
  const CliRun r = run(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = read_json(json);
  for (const char* key : {"test_mse", "relative_error", "train_mse", "effective_rank",
                          "nuclear_norm", "singular_values", "status", "wall_seconds", "steps",
                          "gradient_evaluations", "svd_count", "options", "instance"})
    EXPECT_TRUE(doc.contains(key)) << key;
  EXPECT_EQ(doc["status"], "converged");
  EXPECT_EQ(doc["options"]["depth"], "3");
  EXPECT_EQ(doc["singular_values"].size(), 30u);

  // The same run through the library, with the CLI's default integrator (RKC at rtol 1e-4,
  // atol 1e-8): the CLI adds nothing and loses nothing.
  EXPECT_EQ(doc["options"]["integrator"], "rkc");
  const auto inst = riemopt::make_completion_instance({30, 30, 2, 360, 11});
  riemopt::CompletionFlowOptions options;
  options.flow.integrator = riemopt::Integrator::kRungeKuttaChebyshev;
  options.flow.relative_tolerance = 1e-4;
  options.flow.absolute_tolerance = 1e-8;
  const auto lib = riemopt::complete_by_flow(30, 30, inst.observed, &inst.truth, options);
  EXPECT_DOUBLE_EQ(doc["test_mse"].get<double>(), lib.metrics.test_mse);
  EXPECT_DOUBLE_EQ(doc["effective_rank"].get<double>(), lib.metrics.effective_rank);
  EXPECT_EQ(doc["steps"].get<std::int64_t>(), lib.summary.iterations);
  EXPECT_LT(doc["test_mse"].get<double>(), 1e-4);

  std::string header;
  std::getline(std::ifstream(csv) >> std::ws, header);
  EXPECT_EQ(header.rfind("time,value,gradient_norm,train_mse,test_mse,effective_rank,sigma_1", 0),
            0u)
      << header;
  if (plot) {
    EXPECT_GT(fs::file_size(png), 1000u);
  }
}

// --record-every: trajectory rows at t = 0, 0.5, 1, ... to the final time; a negative spacing is
// refused with the option's name.
TEST(CliComplete, RecordsEvenlySpacedRowsWhenAsked) {
  const Files f = generate();
  const std::string csv = path("every.csv");
  const CliRun r = run({"complete", "--observed", f.observed, "--truth", f.truth, "--quiet",
                        "--output", path("every.json"), "--target-train-mse", "0", "--final-time",
                        "3", "--record-every", "0.5", "--trajectory", csv});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  std::vector<double> times;
  while (std::getline(in, line)) times.push_back(std::stod(line.substr(0, line.find(','))));
  ASSERT_EQ(times.size(), 7u);
  for (std::size_t k = 0; k < times.size(); ++k) EXPECT_EQ(times[k], 0.5 * static_cast<double>(k));
  const CliRun bad = run({"complete", "--observed", f.observed, "--record-every", "-1",
                          "--trajectory", path("bad.csv")});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("--record-every"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(path("bad.csv")));
  const CliRun alone = run({"complete", "--observed", f.observed, "--record-every", "1"});
  EXPECT_EQ(alone.code, 1);
  EXPECT_NE(alone.err.find("give one of them"), std::string::npos) << alone.err;
}

// --atol reaches the integrator: the report carries it, and a tighter bound costs more
// right-hand sides on both paths (at depth 3 the factor path carries it to the factors' scale).
TEST(CliComplete, AbsoluteToleranceReachesTheIntegrator) {
  const Files f = generate();
  std::map<std::string, nlohmann::json> docs;
  for (const std::string p : {"matrix", "factors"}) {
    for (const std::string atol : {"", "1e-13"}) {
      const std::string json = path("atol_" + p + atol + ".json");
      std::vector<std::string> args = {"complete", "--observed", f.observed, "--truth",
                                       f.truth,    "--path",     p,          "--quiet",
                                       "--output", json};
      if (!atol.empty()) args.insert(args.end(), {"--atol", atol});
      const CliRun r = run(args);
      ASSERT_EQ(r.code, 0) << p << atol << ": " << r.err;
      docs[p + atol] = read_json(json);
    }
    EXPECT_EQ(docs[p]["options"]["absolute_tolerance"].get<double>(), 1e-8) << p;
    EXPECT_EQ(docs[p + "1e-13"]["options"]["absolute_tolerance"].get<double>(), 1e-13) << p;
    EXPECT_GT(docs[p + "1e-13"]["rhs_evaluations"].get<double>(),
              docs[p]["rhs_evaluations"].get<double>())
        << p;
  }
}

TEST(CliComplete, NuclearNormSolverReportsItsCertificate) {
  const Files f = generate();
  const std::string json = path("NN.json");
  const CliRun r = run({"complete", "--observed", f.observed, "--truth", f.truth, "--solver",
                        "nuclear-norm", "--quiet", "--output", json});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = read_json(json);
  EXPECT_EQ(doc["status"], "converged");
  EXPECT_LE(doc["duality_gap"].get<double>(), 1e-6);
  EXPECT_NEAR(doc["nuclear_norm"].get<double>(), doc["nuclear_norm_lower_bound"].get<double>(),
              1e-6 * doc["nuclear_norm"].get<double>());
  EXPECT_EQ(doc["train_mse"].get<double>(), 0.0);  // the feasible point interpolates exactly
}

TEST(CliComplete, ReadsRatingFilesWithoutTruth) {
  const std::string ratings = path("u.data");
  std::ofstream(ratings) << "10\t5\t4\t0\n10\t7\t3\t0\n20\t5\t5\t0\n30\t7\t1\t0\n20\t9\t2\t0\n";
  const CliRun r = run({"complete", "--observed", ratings, "--depth", "2", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_TRUE(doc["test_mse"].is_null());
  EXPECT_EQ(doc["instance"]["rows"], 3);
  EXPECT_EQ(doc["instance"]["cols"], 3);
  EXPECT_LE(doc["train_mse"].get<double>(), 1e-6);
}

struct Refusal {
  std::vector<std::string> extra;
  int code;
  const char* message;
};

TEST(CliComplete, RefusesBadInputWithoutTouchingFiles) {
  const Files f = generate();
  const std::string observed_before = read_text(f.observed);
  const std::string existing = path("existing.json");
  std::ofstream(existing) << "old report";
  const std::string bad = path("bad.mtx");
  std::ofstream(bad) << "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1\n1 1 2\n";
  const std::string small_truth = path("small.mtx");
  std::ofstream(small_truth) << "%%MatrixMarket matrix array real general\n1 1\n1\n";
  const std::vector<Refusal> cases = {
      {{"--output", f.observed}, 1, "refusing to overwrite"},
      {{"--trajectory", f.truth, "--truth", f.truth}, 1, "refusing to overwrite"},
      {{"--output", existing, "--trajectory", existing}, 1, "name the same file"},
      {{"--output", existing, "--beta", "-1"}, 1, "--beta must be one number > 0"},
      {{"--output", existing, "--beta", "nan"}, 1, "--beta"},
      {{"--output", existing, "--depth", "0"}, 1, "depth"},
      {{"--output", existing, "--target-test-mse", "1e-3"}, 1, "needs --truth"},
      // The library's rule and wording, with the command-line option in front.
      {{"--output", existing, "--init-scale", "-1"},
       1,
       "--init-scale: CompletionFlowOptions: init_scale must be finite and > 0 (got -1)"},
      {{"--output", existing, "--max-time", "0"},
       1,
       "--max-time: options.max_wall_seconds must be > 0 (got 0)"},
      {{"--output", existing, "--rtol", "-1"},
       1,
       "--rtol: options.relative_tolerance must be finite and >= 0"},
      {{"--output", existing, "--final-time", "-2"}, 1, "--final-time: options.final_time"},
      {{"--output", existing, "--atol", "0"},
       1,
       "--atol: options.absolute_tolerance must be finite and > 0 (got 0)"},
      {{"--output", existing, "--atol", "nan"}, 1, "--atol"},
      {{"--output", existing, "--init-factors", "-1"}, 1, "--init-factors: CompletionFlowOptions"},
      {{"--output", existing, "--tolerance", "-1"}, 1, "--tolerance: options.gradient_tolerance"},
      // Options that would be ignored are refused.
      {{"--output", existing, "--solver", "nuclear-norm", "--depth", "2"},
       1,
       "--depth does not apply to --solver nuclear-norm"},
      {{"--output", existing, "--solver", "nuclear-norm", "--beta", "10"},
       1,
       "--beta does not apply to --solver nuclear-norm"},
      {{"--output", existing, "--solver", "gd", "--rtol", "1e-3"},
       1,
       "--rtol applies to --solver flow only"},
      {{"--output", existing, "--solver", "lbfgs", "--atol", "1e-3"},
       1,
       "--atol applies to --solver flow only"},
      {{"--output", existing, "--solver", "nuclear-norm", "--atol", "1e-3"},
       1,
       "--atol does not apply to --solver nuclear-norm"},
      {{"--output", existing, "--stiffness-cutoff", "0.5"},
       1,
       "--stiffness-cutoff applies to --integrator rosenbrock only"},
      {{"--output", existing, "--init", "scaled-identity", "--init-factors", "2"},
       1,
       "--init-factors applies to --init gaussian-product only"},
      {{"--output", existing, "--depth", "1", "--beta", "10"}, 1, "entropy S_1 of depth 1"},
      {{"--output", existing, "--truth", small_truth}, 1, "small.mtx:2: the matrix is 1x1"},
      {{"--output", existing, "--solver", "newton-raphson"}, 2, "newton-raphson"},
      {{"--output", existing, "--tolerance", "0", "--target-train-mse", "0"}, 1, "stopping rule"},
  };
  for (const Refusal& c : cases) {
    std::vector<std::string> args = {"complete", "--observed", f.observed, "--quiet"};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    const CliRun r = run(args);
    EXPECT_EQ(r.code, c.code) << c.extra.front() << " " << c.extra.back() << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
  const CliRun r = run({"complete", "--observed", bad, "--output", existing});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(bad + ":4: duplicate entry (1, 1)"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(existing), "old report");
  EXPECT_EQ(read_text(f.observed), observed_before);
  // A valid file that lists one entry of a 1×2e8 matrix: refused before any dense allocation.
  const std::string huge = path("huge.mtx");
  std::ofstream(huge) << "%%MatrixMarket matrix coordinate real general\n1 200000000 1\n1 12 3\n";
  const CliRun h = run({"complete", "--observed", huge, "--output", existing, "--quiet"});
  EXPECT_EQ(h.code, 1);
  EXPECT_NE(h.err.find("1x200000000 = 200000000 entries; complete works on dense matrices of at "
                       "most 2^26 entries"),
            std::string::npos)
      << h.err;
  EXPECT_EQ(read_text(existing), "old report");
}

TEST(CliComplete, EntropyOnRectangularDataIsRefused) {
  const std::string truth = path("RT.mtx"), observed = path("RO.mtx");
  ASSERT_EQ(run({"generate", "--rows", "8", "--cols", "5", "--rank", "1", "--observations", "20",
                 "--truth", truth, "--observed", observed})
                .code,
            0);
  const CliRun r = run({"complete", "--observed", observed, "--beta", "10", "--quiet"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("square"), std::string::npos) << r.err;
}

TEST(CliGenerate, RejectsImpossibleInstances) {
  const std::string t = path("t.mtx"), o = path("o.mtx");
  EXPECT_EQ(run({"generate", "--rank", "0", "--truth", t, "--observed", o}).code, 1);
  EXPECT_EQ(run({"generate", "--rows", "5", "--cols", "5", "--observations", "26", "--truth", t,
                 "--observed", o})
                .code,
            1);
  EXPECT_EQ(run({"generate", "--truth", t, "--observed", t}).code, 1);
  EXPECT_EQ(run({"generate", "--truth", t}).code, 2);  // --observed is required
  EXPECT_FALSE(fs::exists(t));
}

}  // namespace

namespace {

// --solver gd|newton|trust-region|ceres-lbfgs|ceres-lm runs the same experiment with the
// discrete solvers: each reaches the train-MSE target, and the report names the solver and
// matches the library call.
TEST(CliComplete, DiscreteSolversReachTheTrainTargetAndMatchTheLibrary) {
  const Files f = generate();
  const auto obs = riemopt::read_matrix_market_coordinate(f.observed);
  for (const std::string solver : {"gd", "newton", "trust-region", "ceres-lbfgs", "ceres-lm"}) {
    const std::string json = path("S_" + solver + ".json");
    const CliRun r = run({"complete", "--observed", f.observed, "--truth", f.truth, "--solver",
                          solver, "--quiet", "--output", json});
    ASSERT_EQ(r.code, 0) << solver << ": " << r.err;
    const nlohmann::json doc = read_json(json);
    EXPECT_EQ(doc["status"], "converged") << solver;
    EXPECT_LE(doc["train_mse"].get<double>(), 1e-6) << solver;
    EXPECT_EQ(doc["options"]["solver"], solver);
    riemopt::CompletionFlowOptions options;
    options.solver = riemopt::cli::parse_completion_solver(solver);
    const auto lib = riemopt::complete_by_flow(30, 30, obs.entries, nullptr, options);
    EXPECT_EQ(doc["solver_name"], lib.summary.solver);
    EXPECT_EQ(doc["steps"].get<long long>(), lib.summary.iterations) << solver;
    EXPECT_NEAR(doc["train_mse"].get<double>(), lib.metrics.train_mse, 1e-9 * lib.metrics.train_mse)
        << solver;
  }
  const CliRun bad = run({"complete", "--observed", f.observed, "--solver", "ceres-xyz"});
  EXPECT_NE(bad.code, 0);
  // Levenberg–Marquardt needs a sum of squares: no entropy.
  const CliRun entropic =
      run({"complete", "--observed", f.observed, "--solver", "ceres-lm", "--beta", "10"});
  EXPECT_EQ(entropic.code, 1);
  EXPECT_NE(entropic.err.find("beta"), std::string::npos) << entropic.err;
}

// --integrator rkc runs the same flow with Runge–Kutta–Chebyshev: to the same final time with
// fewer evaluations than Dormand–Prince, landing on the same point of the trajectory.
TEST(CliComplete, StiffIntegratorsReachTheTargetWithFewerEvaluations) {
  const Files f = generate();
  std::map<std::string, nlohmann::json> docs;
  for (const std::string integrator : {"dopri5", "rkc", "rosenbrock"}) {
    const std::string json = path("I_" + integrator + ".json");
    const CliRun r = run({"complete", "--observed", f.observed, "--truth", f.truth, "--integrator",
                          integrator, "--final-time", "2", "--target-train-mse", "0", "--tolerance",
                          "0", "--quiet", "--output", json});
    ASSERT_EQ(r.code, 0) << integrator << ": " << r.err;
    docs[integrator] = read_json(json);
    EXPECT_EQ(docs[integrator]["status"], "final_time_reached") << integrator;
    EXPECT_EQ(docs[integrator]["options"]["integrator"], integrator);
  }
  for (const std::string stiff : {"rkc", "rosenbrock"}) {
    EXPECT_LT(docs[stiff]["gradient_evaluations"].get<double>(),
              docs["dopri5"]["gradient_evaluations"].get<double>())
        << stiff;
    EXPECT_NEAR(docs[stiff]["test_mse"].get<double>(), docs["dopri5"]["test_mse"].get<double>(),
                1e-2 * docs["dopri5"]["test_mse"].get<double>())
        << stiff;
  }
  EXPECT_EQ(docs["rosenbrock"]["options"]["stiffness_cutoff"].get<double>(), 0.1);
  const CliRun wrong =
      run({"complete", "--observed", f.observed, "--solver", "gd", "--integrator", "rkc"});
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.err.find("--integrator"), std::string::npos) << wrong.err;
  const CliRun negative = run({"complete", "--observed", f.observed, "--integrator", "rosenbrock",
                               "--stiffness-cutoff", "-1", "--quiet"});
  EXPECT_EQ(negative.code, 1);
  EXPECT_NE(negative.err.find("--stiffness-cutoff"), std::string::npos) << negative.err;
}

TEST(CliSpectral, EverySolverFindsThePredictedEquilibrium) {
  for (const std::string solver : {"flow", "gd", "newton", "trust-region"}) {
    const CliRun r = run({"spectral", "--width", "3", "--depth", "3", "--beta", "2", "--schatten",
                          "2", "--sigma0", "2,1.2,0.4", "--solver", solver, "--quiet"});
    ASSERT_EQ(r.code, 0) << solver << ": " << r.err;
    const nlohmann::json doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["status"], "converged") << solver;
    EXPECT_LT(doc["relative_error_to_s_star"].get<double>(), 1e-8) << solver;
  }
  // Ceres' line search stalls near ‖grad‖ ~ √(ε|F|), short of the default tolerance: it reports
  // that attainable accuracy (not a success, so exit code 3) and still lands within 1e-7 of s*.
  const CliRun lbfgs = run({"spectral", "--width", "3", "--depth", "3", "--beta", "2", "--schatten",
                            "2", "--sigma0", "2,1.2,0.4", "--solver", "ceres-lbfgs", "--quiet"});
  ASSERT_EQ(lbfgs.code, 3) << lbfgs.err;
  const nlohmann::json lbfgs_doc = nlohmann::json::parse(lbfgs.out);
  EXPECT_EQ(lbfgs_doc["status"], "tolerance_unreachable");
  EXPECT_LT(lbfgs_doc["relative_error_to_s_star"].get<double>(), 1e-7);
  EXPECT_EQ(lbfgs_doc["solver_name"], "ceres-lbfgs");
  const CliRun lm = run({"spectral", "--width", "3", "--depth", "3", "--beta", "2", "--schatten",
                         "2", "--sigma0", "2,1.2,0.4", "--solver", "ceres-lm"});
  EXPECT_EQ(lm.code, 1);
  EXPECT_NE(lm.err.find("sum of squares"), std::string::npos) << lm.err;
  const CliRun t_end = run({"spectral", "--width", "3", "--depth", "3", "--beta", "2", "--schatten",
                            "2", "--sigma0", "2,1.2,0.4", "--solver", "newton", "--t-end", "3"});
  EXPECT_NE(t_end.code, 0);
  EXPECT_NE(t_end.err.find("--t-end"), std::string::npos) << t_end.err;
}

// The command line's words are the library's report names, parsed back; anything else is refused
// with the list of accepted words.
TEST(CliWords, ParseTheLibraryNamesAndRefuseOthers) {
  using namespace riemopt;
  for (CompletionSolver s : {CompletionSolver::kFlow, CompletionSolver::kGradientDescent,
                             CompletionSolver::kNewton, CompletionSolver::kTrustRegion,
                             CompletionSolver::kCeresLbfgs, CompletionSolver::kCeresLeastSquares})
    EXPECT_EQ(cli::parse_completion_solver(to_string(s)), s);
  for (CompletionGeometry g : {CompletionGeometry::kEuclidean, CompletionGeometry::kDln})
    EXPECT_EQ(cli::parse_completion_geometry(to_string(g)), g);
  for (CompletionInit i : {CompletionInit::kGaussianProduct, CompletionInit::kScaledIdentity})
    EXPECT_EQ(cli::parse_completion_init(to_string(i)), i);
  EXPECT_THROW(cli::parse_completion_solver("newton-raphson"), InvalidArgument);
  EXPECT_THROW(cli::parse_completion_geometry("riemannian"), InvalidArgument);
  EXPECT_THROW(cli::parse_completion_init("zeros"), InvalidArgument);
}

}  // namespace

namespace {

// --path: the factor path reports itself, agrees with the matrix path, and is refused where it
// does not apply.
TEST(CliComplete, FactorPathAgreesWithTheMatrixPathAndIsRefusedWhereItDoesNotApply) {
  const Files f = generate();
  std::map<std::string, nlohmann::json> docs;
  for (const std::string p : {"matrix", "factors", "auto"}) {
    const std::string json = path("P_" + p + ".json");
    // Compared at one flow time (a train-MSE stop lands at different times on the two paths).
    const CliRun r = run({"complete", "--observed",
                          f.observed, "--truth",
                          f.truth,    "--path",
                          p,          "--integrator",
                          "dopri5",   "--rtol",
                          "1e-10",    "--final-time",
                          "3",        "--target-train-mse",
                          "0",        "--tolerance",
                          "0",        "--quiet",
                          "--output", json});
    ASSERT_EQ(r.code, 0) << p << ": " << r.err;
    docs[p] = read_json(json);
    EXPECT_EQ(docs[p]["status"], "final_time_reached") << p;
  }
  EXPECT_EQ(docs["matrix"]["options"]["path"], "matrix");
  EXPECT_EQ(docs["factors"]["options"]["path"], "factors");
  EXPECT_EQ(docs["auto"]["options"]["path"], "factors");  // depth 3, no entropy
  EXPECT_NEAR(docs["factors"]["test_mse"].get<double>(), docs["matrix"]["test_mse"].get<double>(),
              1e-6 * docs["matrix"]["test_mse"].get<double>());
  EXPECT_EQ(docs["factors"]["svd_count"].get<double>(), 0.0);
  for (const std::vector<std::string>& extra : {std::vector<std::string>{"--depth", "inf"},
                                                {"--geometry", "euclidean"},
                                                {"--integrator", "rosenbrock"},
                                                {"--solver", "trust-region"}}) {
    std::vector<std::string> args = {"complete", "--observed", f.observed,
                                     "--path",   "factors",    "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    const CliRun r = run(args);
    EXPECT_EQ(r.code, 1) << extra[0];
    EXPECT_NE(r.err.find("path 'factors' needs"), std::string::npos) << r.err;
  }
}

}  // namespace

namespace {

// A narrow network (--width) on an instance made without its truth, tested on held-out entries
// (--hold-out): the report against the library called on the same split, and the refusals.
TEST(CliComplete, NarrowNetworkIsTestedOnHeldOutEntries) {
  const std::string observed = path("N_observed.mtx");
  const CliRun g = run({"generate", "--rows", "60", "--cols", "45", "--rank", "3", "--observations",
                        "1200", "--seed", "9", "--observed", observed});
  ASSERT_EQ(g.code, 0) << g.err;
  const std::string json = path("N.json");
  const CliRun r = run({"complete", "--observed", observed, "--width", "6", "--hold-out", "0.2",
                        "--init-scale", "1e-2", "--quiet", "--output", json});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json doc = read_json(json);
  EXPECT_EQ(doc["status"], "converged");
  EXPECT_EQ(doc["options"]["path"], "factors");
  EXPECT_EQ(doc["factor_widths"], nlohmann::json({45, 6, 6, 60}));
  EXPECT_EQ(doc["instance"]["train_entries"], 960);
  EXPECT_EQ(doc["instance"]["held_out_entries"], 240);
  EXPECT_EQ(doc["svd_count"].get<double>(), 0.0);
  EXPECT_GT(doc["peak_memory_mib"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(doc["test_rmse"].get<double>(), std::sqrt(doc["test_mse"].get<double>()));
  // The library on the same split: the instance made without its truth, 20 % held out, seed 1.
  riemopt::CompletionInstanceOptions options{60, 45, 3, 1200, 9};
  options.form_truth = false;
  const auto inst = riemopt::make_completion_instance(options);
  const riemopt::ObservationSplit split = riemopt::split_observations(inst.observed, 0.2, 1);
  riemopt::CompletionFlowOptions o;
  o.width = 6;
  o.init_scale = 1e-2;
  o.use_integrator(riemopt::Integrator::kRungeKuttaChebyshev);
  const auto lib = riemopt::complete_by_flow(
      60, 45, split.train, riemopt::CompletionTestSet{nullptr, &split.held_out}, o);
  EXPECT_NEAR(doc["test_mse"].get<double>(), lib.metrics.test_mse, 1e-9 * lib.metrics.test_mse);
  EXPECT_LT(lib.metrics.test_mse, 1e-3);
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--width", "6", "--path", "matrix"},
        {"--hold-out", "1"},
        {"--hold-out", "0.1", "--truth", observed},
        {"--split-seed", "3"},
        {"--step", "0.1"},
        {"--width", "46"}}) {
    std::vector<std::string> args = {"complete", "--observed", observed, "--quiet"};
    args.insert(args.end(), bad.begin(), bad.end());
    const CliRun refused = run(args);
    EXPECT_EQ(refused.code, 1) << bad[0] << ": " << refused.err;
    EXPECT_FALSE(refused.err.empty());
  }
}

// The library's own Riemannian CG and L-BFGS are command-line solvers too; they fit the
// observations (train-MSE stop) and report themselves.
TEST(CliComplete, ConjugateGradientAndLbfgsFitTheObservations) {
  const Files f = generate();
  for (const std::string solver : {"cg", "lbfgs"}) {
    const CliRun r = run(
        {"complete", "--observed", f.observed, "--truth", f.truth, "--solver", solver, "--quiet"});
    ASSERT_EQ(r.code, 0) << solver << ": " << r.err;
    const nlohmann::json doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["status"], "converged") << solver;
    EXPECT_EQ(doc["options"]["solver"], solver);
    EXPECT_LE(doc["train_mse"].get<double>(), 1e-6) << solver;
    EXPECT_EQ(doc["options"]["path"], "matrix");  // the factor path is for the flow only
  }
}

}  // namespace
