#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "cli.hpp"
#include "cli_common.hpp"
#include "commands.hpp"
#include "common/completion_plot.hpp"
#include "riemopt/energies/completion_files.hpp"
#include "riemopt/energies/completion_flow.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/nuclear_norm_completion.hpp"
#include "riemopt/errors.hpp"

namespace riemopt::cli {

CLI::App* CompleteCommand::add_to(CLI::App& app) {
  CLI::App* sub = app.add_subcommand(
      "complete",
      "Complete a matrix from observed entries by the gradient flow of the completion loss "
      "(Euclidean or DLN geometry, optional entropic term) or by nuclear-norm minimization, and "
      "report the metrics of Arora et al. (JSON)");
  sub->add_option("--observed", observed,
                  "Observed entries: Matrix Market coordinate (1-based) or a MovieLens-style "
                  "'user item rating [timestamp]' file")
      ->required();
  sub->add_option(
      "--truth", truth,
      "Ground truth (Matrix Market array or coordinate) for test MSE and relative error");
  sub->add_option("--solver", solver,
                  "flow (default): the gradient flow; gd: Riemannian gradient descent (Armijo); "
                  "newton: Riemannian Newton; trust-region: Riemannian trust region (tCG); cg: "
                  "Riemannian conjugate gradient (Polak-Ribiere+, strong Wolfe); lbfgs: Riemannian "
                  "L-BFGS (strong Wolfe); "
                  "ceres-lbfgs: Ceres L-BFGS in the metric's orthonormal frame; ceres-lm: Ceres "
                  "Levenberg-Marquardt on the observed residuals (no --beta; dense Jacobians, "
                  "up to 2500 entries); nuclear-norm: the convex baseline (ADMM). All but "
                  "nuclear-norm use the geometry, the targets and the budgets below")
      ->check(CLI::IsMember({"flow", "gd", "newton", "trust-region", "cg", "lbfgs", "ceres-lbfgs",
                             "ceres-lm", "nuclear-norm"}));
  sub->add_option("--geometry", geometry, "Metric of the flow: dln (default) or euclidean")
      ->check(CLI::IsMember({"dln", "euclidean"}));
  sub->add_option("--depth", depth,
                  "Depth N of the DLN metric: an integer >= 1 or inf (default 3)");
  sub->add_option("--beta", beta,
                  "Inverse temperature: add -S_N/beta (DLN entropy) to the loss; square matrices");
  sub->add_option("--loss", loss,
                  "half-sum (default): 1/2 sum over Omega; mean: Arora et al.'s mean over Omega "
                  "(only rescales flow time by |Omega|/2)")
      ->check(CLI::IsMember({"half-sum", "mean"}));
  sub->add_option("--init", init, "gaussian-product (default, Arora et al.) or scaled-identity")
      ->check(CLI::IsMember({"gaussian-product", "scaled-identity"}));
  sub->add_option("--init-scale", init_scale, "Scale alpha of the start (default 1e-3)");
  sub->add_option("--init-factors", init_factors,
                  "Factors of the Gaussian-product start (default: the depth; 3 when inf)");
  sub->add_option("--seed", seed, "Seed of the start (default 1)");
  sub->add_option("--tolerance", tolerance,
                  "Stop when the Riemannian gradient norm is <= this (default 1e-8)");
  sub->add_option("--integrator", integrator,
                  "Integrator of --solver flow: rkc (default; Runge-Kutta-Chebyshev: explicit "
                  "but stable on stiff flows, second order), dopri5 (Dormand-Prince 5(4)) or "
                  "rosenbrock (ROS34PW2: linearly implicit, L-stable, third order; fastest on "
                  "the transient of a completion run)")
      ->check(CLI::IsMember({"dopri5", "rkc", "rosenbrock"}));
  sub->add_option(
         "--path", path,
         "Where the DLN flow runs: auto (default: factors where they apply and are "
         "faster), matrix (one SVD per step) or factors (the balanced factors W_1..W_N, "
         "no SVD; the same flow, any finite depth; with --solver gd, cg or lbfgs it trains "
         "the factors, which is not the Riemannian solver on matrices)")
      ->check(CLI::IsMember({"auto", "matrix", "factors"}));
  sub->add_option("--step", step,
                  "--solver gd: take this fixed step (plain gradient descent) instead of Armijo "
                  "backtracking");
  sub->add_option("--width", width,
                  "Inner width w of the network n -> w -> ... -> w -> m on the factor path "
                  "(default 0: min(m, n)). A width below min(m, n) is a narrow network: the DLN "
                  "flow on matrices of rank <= w, O(|Omega| w + N (m + n) w^2) per step and no "
                  "m x n matrix, for MovieLens-size data; --solver flow, gd, cg or lbfgs");
  sub->add_option("--hold-out", hold_out,
                  "Hold out this fraction (0 <= f < 1) of the observed entries, chosen at random, "
                  "and report the test MSE/RMSE on them (instead of --truth)");
  sub->add_option("--split-seed", split_seed, "Seed of the --hold-out split (default 1)");
  sub->add_option("--rtol", relative_tolerance,
                  "Relative error tolerance of the integrator (default 1e-8 for dopri5, 1e-4 "
                  "for rkc and rosenbrock, 1e-6 for them at --depth inf, whose late phase "
                  "amplifies integration errors)");
  sub->add_option("--atol", absolute_tolerance,
                  "Absolute error tolerance of the integrator, in the units of the matrix "
                  "entries (default 1e-8 for rkc and rosenbrock, the library's for dopri5; on "
                  "--path factors carried to the factors' scale by the start's RMS(W0) / "
                  "RMS(phi(W0)))");
  sub->add_option("--stiffness-cutoff", stiffness_cutoff,
                  "rosenbrock: its Jacobian model keeps the metric's components with "
                  "gamma*h*rate >= this (default 0.1; 0: the exact Gauss-Newton model)");
  sub->add_option("--final-time", final_time, "Stop at this flow time (default: no limit)");
  sub->add_option("--max-time", max_time, "Wall-clock budget in seconds (default 600)");
  sub->add_option("--target-train-mse", target_train_mse,
                  "Stop where the MSE on the observed entries reaches this, located inside the "
                  "flow's last step (default 1e-6; 0: off)");
  sub->add_option("--target-test-mse", target_test_mse,
                  "Stop where the test MSE reaches this (needs --truth or --hold-out)");
  sub->add_option("--output", output, "Write the JSON report here (default: stdout)");
  sub->add_option("--trajectory", trajectory,
                  "Write t, loss, |grad|, train/test MSE, effective rank, sigma_1..10 as CSV");
  sub->add_option("--record-every", record_every,
                  "Trajectory records every this much flow time (default 0: 20 per decade of t, "
                  "from t = 0.01)");
  sub->add_option("--plot", plot, "Draw errors, effective rank and singular values to this PNG");
  sub->add_flag("--quiet", quiet, "No progress on stderr");
  parsed = sub;
  return sub;
}

namespace {

double parse_beta(const std::string& text) {
  if (text.empty()) return std::numeric_limits<double>::infinity();
  const Vector v = parse_number_list(text, "--beta");
  require(v.size() == 1 && v(0) > 0.0, "--beta must be one number > 0 (got '{}')", text);
  return v(0);
}

// The human-readable end of a run (stderr, unless --quiet).
std::string metrics_line(const CompletionMetrics& m) {
  return fmt::format(
      "test MSE {:.3e} (RMSE {:.4f}) | relative error {:.3e} | train MSE {:.3e} | effective rank "
      "{:.3f} | nuclear norm {:.3f}",
      m.test_mse, std::sqrt(m.test_mse), m.relative_error, m.train_mse, m.effective_rank,
      m.nuclear_norm);
}

nlohmann::json metrics_json(const CompletionMetrics& m) {
  nlohmann::json j;
  j["test_mse"] = m.test_mse;  // NaN (no truth) is written as null
  j["test_rmse"] = std::sqrt(m.test_mse);
  j["relative_error"] = m.relative_error;
  j["train_mse"] = m.train_mse;
  j["effective_rank"] = m.effective_rank;
  j["nuclear_norm"] = m.nuclear_norm;
  j["singular_values"] = to_json_array(m.singular_values);
  return j;
}

}  // namespace

bool CompleteCommand::given(const char* option) const {
  return parsed != nullptr && parsed->count(option) > 0;
}

CompletionFlowOptions CompleteCommand::completion_options(Depth n, double b) const {
  CompletionFlowOptions options;
  options.geometry = parse_completion_geometry(geometry);
  options.depth = n;
  options.beta = b;
  options.loss = loss == "mean" ? MatrixCompletion::Normalization::kMean
                                : MatrixCompletion::Normalization::kHalfSum;
  options.init = parse_completion_init(init);
  options.init_scale = init_scale;
  options.init_factors = init_factors;
  options.seed = parse_seed(seed, "--seed");
  options.target_train_mse = target_train_mse;
  options.target_test_mse = target_test_mse;
  options.solver = parse_completion_solver(solver);
  options.width = width;
  if (step > 0.0) {
    options.descent.step_rule = StepRule::kFixed;
    options.descent.fixed_step = step;
  }
  options.path = path == "factors"  ? CompletionPath::kFactors
                 : path == "matrix" ? CompletionPath::kMatrix
                                    : CompletionPath::kAuto;
  // RKC by default: on the flagship run it reaches the same test MSE as Dormand-Prince at
  // rtol 1e-8 in a fraction of the time (docs/BENCHMARKS.md), and unlike the Rosenbrock method
  // it needs no least-squares term.
  const std::string chosen = integrator.empty() ? "rkc" : integrator;
  if (solver == "flow")
    options.use_integrator(chosen == "rkc"          ? Integrator::kRungeKuttaChebyshev
                           : chosen == "rosenbrock" ? Integrator::kRosenbrock
                                                    : Integrator::kDormandPrince);
  if (relative_tolerance != 0.0)
    options.flow.relative_tolerance = relative_tolerance;
  else if (solver == "flow")
    options.tighten_for_infinite_depth();
  if (given("--atol")) options.flow.absolute_tolerance = absolute_tolerance;
  options.flow.stiffness_cutoff = stiffness_cutoff;
  options.flow.gradient_tolerance = tolerance;
  options.flow.final_time =
      final_time == 0.0 ? std::numeric_limits<double>::infinity() : final_time;
  options.flow.max_wall_seconds = max_time;
  options.flow.progress = !quiet;
  options.flow.progress_interval_seconds = 2.0;
  options.flow.trajectory.enabled = !trajectory.empty() || !plot.empty();
  options.flow.trajectory.every = record_every;
  // The library's validate() is the one source of the rules and their messages; the option's
  // name goes in front.
  validate_with_flags([&options] { options.validate(); },
                      {{"beta", "--beta"},
                       {"init_scale", "--init-scale"},
                       {"init_factors", "--init-factors"},
                       {"target_train_mse", "--target-train-mse"},
                       {"target_test_mse", "--target-test-mse"},
                       {"relative_tolerance", "--rtol"},
                       {"absolute_tolerance", "--atol"},
                       {"stiffness_cutoff", "--stiffness-cutoff"},
                       {"gradient_tolerance", "--tolerance"},
                       {"final_time", "--final-time"},
                       {"trajectory.every", "--record-every"},
                       {"max_wall_seconds", "--max-time"},
                       {"width", "--width"}});
  return options;
}

int CompleteCommand::run_nuclear_norm(const ObservedEntries& data, const Matrix* truth_matrix,
                                      double budget, double reading_seconds, nlohmann::json& doc,
                                      std::ostream& out, std::ostream& err) const {
  NuclearNormCompletionOptions options;
  options.progress = !quiet;
  options.max_wall_seconds = budget;
  const auto r = complete_nuclear_norm(data.rows, data.cols, data.entries, options);
  const MatrixCompletion completion(data.rows, data.cols, data.entries);
  const CompletionMetrics metrics = CompletionMetrics::measure(r.x, completion, truth_matrix);
  doc.update(metrics_json(metrics));
  doc["status"] = to_string(r.summary.status);
  doc["message"] = r.summary.message;
  doc["wall_seconds"] = reading_seconds + r.summary.wall_seconds;
  doc["reading_seconds"] = reading_seconds;
  doc["steps"] = r.summary.iterations;
  doc["gradient_evaluations"] = 0;
  doc["svd_count"] = r.summary.svd_count;
  doc["duality_gap"] = r.relative_gap;
  doc["nuclear_norm_lower_bound"] = r.lower_bound;
  doc["options"] = {
      {"solver", solver}, {"gap_tolerance", options.gap_tolerance}, {"max_time", max_time}};
  if (!quiet)
    err << fmt::format("nuclear-norm ADMM: {} after {} iterations, gap {:.2e}, {:.2f} s\n{}\n",
                       to_string(r.summary.status), r.summary.iterations, r.relative_gap,
                       r.summary.wall_seconds, metrics_line(metrics));
  emit_json(doc, output, out);
  return r.summary.is_success() ? 0 : kExitNotConverged;
}

int CompleteCommand::run(std::ostream& out, std::ostream& err) const {
  // --max-time covers the whole command, reading the files included.
  const auto began = std::chrono::steady_clock::now();
  const auto elapsed = [began] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  };
  check_files({{"--observed", observed}, {"--truth", truth}},
              {{"--output", output}, {"--trajectory", trajectory}, {"--plot", plot}});
  const Depth n = Depth::parse(depth);
  const double b = parse_beta(beta);
  require(target_test_mse == 0.0 || !truth.empty() || hold_out > 0.0,
          "--target-test-mse needs --truth or --hold-out");
  require(hold_out >= 0.0 && hold_out < 1.0, "--hold-out must be a fraction in [0, 1) (got {})",
          hold_out);
  require(truth.empty() || hold_out == 0.0,
          "give --truth or --hold-out for the test error, not both");
  require(!given("--split-seed") || hold_out > 0.0, "--split-seed applies to --hold-out only");
  // Options that would be silently ignored are refused, so a run never differs from what its
  // command line says.
  if (solver == "nuclear-norm") {
    for (const char* option : {"--geometry",
                               "--depth",
                               "--beta",
                               "--loss",
                               "--init",
                               "--init-scale",
                               "--init-factors",
                               "--seed",
                               "--tolerance",
                               "--integrator",
                               "--path",
                               "--rtol",
                               "--atol",
                               "--stiffness-cutoff",
                               "--final-time",
                               "--target-train-mse",
                               "--target-test-mse",
                               "--trajectory",
                               "--record-every",
                               "--plot",
                               "--width",
                               "--hold-out",
                               "--split-seed"})
      require(!given(option),
              "{} does not apply to --solver nuclear-norm (ADMM minimizes the nuclear norm and "
              "stops on its duality gap; it takes --observed, --truth, --max-time, --output and "
              "--quiet)",
              option);
    NuclearNormCompletionOptions options;
    options.max_wall_seconds = max_time;
    validate_with_flags([&options] { options.validate(); }, {{"max_wall_seconds", "--max-time"}});
  } else {
    for (const char* option : {"--integrator", "--rtol", "--atol", "--stiffness-cutoff"})
      require(solver == "flow" || !given(option), "{} applies to --solver flow only", option);
    require(!given("--step") || solver == "gd", "--step applies to --solver gd only");
    require(!given("--step") || step > 0.0, "--step must be > 0 (got {})", step);
    require(!given("--stiffness-cutoff") || integrator == "rosenbrock",
            "--stiffness-cutoff applies to --integrator rosenbrock only");
    require(!given("--init-factors") || init == "gaussian-product",
            "--init-factors applies to --init gaussian-product only");
    require(!given("--record-every") || !trajectory.empty() || !plot.empty(),
            "--record-every spaces the records of --trajectory or --plot: give one of them");
    require(!std::isfinite(b) || n != Depth::finite(1),
            "--beta adds -S_N/beta, but the entropy S_1 of depth 1 is constant: give --depth >= 2 "
            "or inf, or drop --beta");
    require(tolerance > 0.0 || final_time > 0.0 || target_test_mse > 0.0 || target_train_mse > 0.0,
            "give a stopping rule: --tolerance, --final-time, --target-train-mse or "
            "--target-test-mse");
  }
  CompletionFlowOptions options =
      solver == "nuclear-norm" ? CompletionFlowOptions{} : completion_options(n, b);

  ObservedEntries data = read_observations(observed);
  // Every solver but the narrow network works on dense rows×cols matrices (several of them):
  // refuse what `generate` refuses, before a file that lists few entries of a huge matrix
  // allocates gigabytes.
  require(width > 0 || data.rows * data.cols <= kMaxDenseMatrixEntries,
          "{}: the observed matrix is {}x{} = {} entries; complete works on dense matrices of at "
          "most 2^26 entries unless --width asks for a narrow network",
          observed, data.rows, data.cols, data.rows * data.cols);
  std::vector<Observation> held_out;
  if (hold_out > 0.0) {
    ObservationSplit split =
        split_observations(data.entries, hold_out, parse_seed(split_seed, "--split-seed"));
    data.entries = std::move(split.train);
    held_out = std::move(split.held_out);
  }
  Matrix truth_matrix;
  if (!truth.empty()) truth_matrix = read_matrix_market_dense(truth, data.rows, data.cols);
  const Matrix* truth_ptr = truth.empty() ? nullptr : &truth_matrix;

  nlohmann::json doc;
  doc["instance"] = {{"observed", observed},
                     {"truth", truth},
                     {"rows", data.rows},
                     {"cols", data.cols},
                     {"observations", data.entries.size() + held_out.size()},
                     {"train_entries", data.entries.size()},
                     {"held_out_entries", held_out.size()}};
  const double reading_seconds = elapsed();
  // What is left of the budget after reading (at least a moment: the run then ends at once on
  // its budget, with a report).
  const double budget = std::max(max_time - reading_seconds, 1e-9);
  if (solver == "nuclear-norm")
    return run_nuclear_norm(data, truth_ptr, budget, reading_seconds, doc, out, err);

  options.flow.max_wall_seconds = budget;
  const CompletionFlowResult r = complete_by_flow(
      data.rows, data.cols, data.entries,
      CompletionTestSet{truth_ptr, held_out.empty() ? nullptr : &held_out}, options);
  const Summary& s = r.summary;

  doc.update(metrics_json(r.metrics));
  if (!quiet) err << metrics_line(r.metrics) << "\n";
  doc["status"] = to_string(s.status);
  doc["message"] = s.message;
  doc["wall_seconds"] = reading_seconds + s.wall_seconds;
  doc["reading_seconds"] = reading_seconds;
  doc["steps"] = s.iterations;
  doc["rejected_steps"] = s.rejected_steps;
  doc["gradient_evaluations"] = s.evaluations.gradients;
  doc["rhs_evaluations"] = s.rhs_evaluations;
  doc["svd_count"] = s.svd_count;
  doc["peak_memory_mib"] = peak_memory_mib();
  if (!r.factor_widths.empty()) doc["factor_widths"] = r.factor_widths;
  doc["linear_iterations"] = s.linear_iterations;
  doc["flow_time"] = s.final_time;
  doc["final_value"] = s.final_value;
  doc["final_gradient_norm"] = s.final_gradient_norm;
  doc["solver_name"] = s.solver;
  doc["geometry_name"] = s.geometry;
  doc["energy_name"] = s.energy;
  doc["options"] = {{"solver", solver},
                    {"geometry", geometry},
                    {"depth", n.to_string()},
                    {"beta", std::isfinite(b) ? nlohmann::json(b) : nlohmann::json("none")},
                    {"loss", loss},
                    {"init", init},
                    {"init_scale", init_scale},
                    {"init_factors", init_factors},
                    {"seed", options.seed},
                    {"tolerance", tolerance},
                    {"final_time", final_time},
                    {"max_time", max_time},
                    {"target_train_mse", target_train_mse},
                    {"target_test_mse", target_test_mse},
                    {"absolute_tolerance", options.flow.absolute_tolerance},
                    {"relative_tolerance", options.flow.relative_tolerance},
                    {"integrator", to_string(options.flow.integrator)},
                    {"path", to_string(r.path)},
                    {"width", width},
                    {"step", step},
                    {"hold_out", hold_out},
                    {"stiffness_cutoff", options.flow.stiffness_cutoff}};
  std::vector<OutputFile> files;
  if (!trajectory.empty()) files.push_back(text_file(trajectory, s.trajectory.to_csv()));
  if (!plot.empty()) {
    const std::string title = fmt::format("{}, |Omega|={}", s.geometry, data.entries.size());
    files.push_back(text_file(
        plot, examples::render_png(examples::completion_panels(s.trajectory, title), 560, 420)));
  }
  write_outputs(files, doc, output, out);
  return s.is_success() ? 0 : kExitNotConverged;
}

}  // namespace riemopt::cli
