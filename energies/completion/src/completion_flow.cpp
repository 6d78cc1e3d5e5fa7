#include "riemopt/energies/completion_flow.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>

#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/deep_factor_completion.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/pulled_back_energy.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/manifolds/balanced_factors.hpp"
#include "riemopt/manifolds/end_to_end_map.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/manifolds/parameter_space.hpp"
#include "riemopt/matrix_statistics.hpp"
#include "riemopt/svd.hpp"

namespace riemopt {

std::string to_string(CompletionGeometry geometry) {
  return geometry == CompletionGeometry::kDln ? "dln" : "euclidean";
}

std::string to_string(CompletionInit init) {
  return init == CompletionInit::kGaussianProduct ? "gaussian-product" : "scaled-identity";
}

GradientFlowOptions CompletionFlowOptions::default_flow_options() {
  GradientFlowOptions flow;
  flow.gradient_tolerance = 1e-8;
  flow.max_wall_seconds = 600.0;
  flow.trajectory.first_time = 1e-2;
  flow.trajectory.per_decade = 20;
  return flow;
}

std::string to_string(CompletionPath path) {
  switch (path) {
    case CompletionPath::kAuto:
      return "auto";
    case CompletionPath::kMatrix:
      return "matrix";
    case CompletionPath::kFactors:
      return "factors";
  }
  return "unknown";
}

CompletionPath CompletionFlowOptions::resolved_path() const {
  // The flow on the factors is the DLN flow (any integrator but Rosenbrock, whose model needs a
  // least-squares energy, which E∘φ does not expose). Gradient descent, CG and L-BFGS on the
  // factors are the training of the network: other algorithms than their Riemannian versions on
  // matrices, so they run there only when asked for (path 'factors' or a narrow width).
  const bool factor_solver = solver == CompletionSolver::kGradientDescent ||
                             solver == CompletionSolver::kConjugateGradient ||
                             solver == CompletionSolver::kLbfgs;
  const bool flow_on_factors =
      solver == CompletionSolver::kFlow && flow.integrator != Integrator::kRosenbrock;
  const bool factors_apply = geometry == CompletionGeometry::kDln && !depth.is_infinite() &&
                             (flow_on_factors || factor_solver);
  const auto require_factors = [&](const char* why) {
    require(factors_apply,
            "CompletionFlowOptions: {} needs the DLN geometry, a finite depth and the flow solver "
            "with an integrator other than rosenbrock, or the solver gd, cg or lbfgs (got "
            "geometry {}, depth {}, solver {}, integrator {})",
            why, to_string(geometry), depth.to_string(), to_string(solver),
            to_string(flow.integrator));
  };
  if (width > 0) {
    require(path != CompletionPath::kMatrix,
            "CompletionFlowOptions: width {} asks for a narrow network, which only the factor "
            "path has; use path 'auto' or 'factors', or width 0",
            width);
    require(std::isinf(beta),
            "CompletionFlowOptions: width {} asks for a narrow network, whose end-to-end matrix "
            "is rank-deficient, where the entropy (beta = {}) is -inf; use width 0",
            width, beta);
    require_factors("a narrow width");
    return CompletionPath::kFactors;
  }
  switch (path) {
    case CompletionPath::kMatrix:
      return CompletionPath::kMatrix;
    case CompletionPath::kFactors:
      require_factors("path 'factors'");
      return CompletionPath::kFactors;
    case CompletionPath::kAuto:
      break;
  }
  // The entropy needs the SVD of φ(W) on either path. Past kMaxAutoFactorDepth the factor path's
  // cost per RHS (linear in the depth) passes the matrix path's (depth-free; the lines cross
  // near N = 9 at d = 100), and no run there was measured.
  return flow_on_factors && factors_apply && std::isinf(beta) &&
                 depth.value() <= kMaxAutoFactorDepth
             ? CompletionPath::kFactors
             : CompletionPath::kMatrix;
}

void CompletionFlowOptions::use_integrator(Integrator integrator) {
  flow.integrator = integrator;
  const bool stiff =
      integrator == Integrator::kRungeKuttaChebyshev || integrator == Integrator::kRosenbrock;
  const GradientFlowOptions defaults = default_flow_options();
  flow.relative_tolerance = stiff ? 1e-4 : defaults.relative_tolerance;
  flow.absolute_tolerance = stiff ? 1e-8 : defaults.absolute_tolerance;
}

void CompletionFlowOptions::tighten_for_infinite_depth() {
  const bool stiff = flow.integrator == Integrator::kRungeKuttaChebyshev ||
                     flow.integrator == Integrator::kRosenbrock;
  if (!stiff || !depth.is_infinite()) return;
  flow.relative_tolerance = std::min(flow.relative_tolerance, 1e-6);
  flow.absolute_tolerance = std::min(flow.absolute_tolerance, 1e-8);
}

void CompletionFlowOptions::validate() const {
  require(!std::isnan(beta) && beta > 0.0,
          "CompletionFlowOptions: beta must be > 0 (+inf for no entropy; got {})", beta);
  require(std::isfinite(init_scale) && init_scale > 0.0,
          "CompletionFlowOptions: init_scale must be finite and > 0 (got {})", init_scale);
  require(init_factors >= 0, "CompletionFlowOptions: init_factors must be >= 0 (got {})",
          init_factors);
  require(std::isfinite(target_train_mse) && target_train_mse >= 0.0,
          "CompletionFlowOptions: target_train_mse must be finite and >= 0 (got {})",
          target_train_mse);
  require(std::isfinite(target_test_mse) && target_test_mse >= 0.0,
          "CompletionFlowOptions: target_test_mse must be finite and >= 0 (got {})",
          target_test_mse);
  require(width >= 0, "CompletionFlowOptions: width must be >= 0 (0: min(rows, cols); got {})",
          width);
  require(recorded_singular_values >= 0,
          "CompletionFlowOptions: recorded_singular_values must be >= 0 (got {})",
          recorded_singular_values);
  require(solver != CompletionSolver::kCeresLeastSquares || std::isinf(beta),
          "CompletionFlowOptions: solver ceres-lm needs a sum of squares, but beta = {} adds "
          "the entropy; use ceres-lbfgs or another solver, or beta = inf",
          beta);
  // complete_by_flow adds one callback, which stops on the targets: with a target set, that
  // callback is the flow's stopping rule, so the flow's options are checked with it in place.
  if (target_train_mse > 0.0 || target_test_mse > 0.0) {
    GradientFlowOptions with_targets = flow;
    with_targets.callbacks.emplace_back(
        [](const IterationInfo&) { return CallbackResult::kContinue; });
    with_targets.validate();
  } else {
    flow.validate();
  }
}

namespace {

// The mean of (X_ij − M_ij)² over held-out entries of a dense X.
double held_out_mse(const Eigen::Ref<const Matrix>& x, const std::vector<Observation>& held_out) {
  double sum = 0.0;
  for (const Observation& o : held_out)
    sum += (x(o.row, o.col) - o.value) * (x(o.row, o.col) - o.value);
  return sum / static_cast<double>(held_out.size());
}

// ‖X − M‖/‖M‖ over the held-out entries, from their mean squared error.
double held_out_relative_error(double mse, const std::vector<Observation>& held_out) {
  const double mean_square =
      FactoredProduct::sum_of_squares(held_out) / static_cast<double>(held_out.size());
  return mean_square > 0.0 ? std::sqrt(mse / mean_square) : std::sqrt(mse);
}

}  // namespace

CompletionMetrics CompletionMetrics::measure(const Eigen::Ref<const Matrix>& x,
                                             const MatrixCompletion& loss, const Matrix* truth) {
  return measure(x, loss, CompletionTestSet{truth, nullptr});
}

CompletionMetrics CompletionMetrics::measure(const Eigen::Ref<const Matrix>& x,
                                             const MatrixCompletion& loss,
                                             const CompletionTestSet& test) {
  require(x.rows() == loss.rows() && x.cols() == loss.cols(),
          "CompletionMetrics: the estimate is {}x{} but the observations are {}x{}", x.rows(),
          x.cols(), loss.rows(), loss.cols());
  CompletionMetrics m;
  const Matrix copy = x;
  m.train_mse = loss.observed_mse(copy.reshaped());
  Svd svd;
  compute_svd(x, svd);
  m.singular_values = svd.sigma;
  m.effective_rank = riemopt::effective_rank(svd.sigma);
  m.nuclear_norm = riemopt::nuclear_norm(svd.sigma);
  if (test.truth) {
    const Matrix& truth = *test.truth;
    require(truth.rows() == x.rows() && truth.cols() == x.cols(),
            "CompletionMetrics: the truth is {}x{} but the estimate is {}x{}", truth.rows(),
            truth.cols(), x.rows(), x.cols());
    m.test_mse = mean_squared_difference(x, truth);
    const double norm = truth.norm();
    m.relative_error = norm > 0.0 ? (x - truth).norm() / norm : (x - truth).norm();
  } else if (test.held_out) {
    check_observations(*test.held_out, x.rows(), x.cols(), "CompletionMetrics (held-out entries)");
    m.test_mse = held_out_mse(x, *test.held_out);
    m.relative_error = held_out_relative_error(m.test_mse, *test.held_out);
  }
  return m;
}

CompletionMetrics CompletionMetrics::measure(const FactoredProduct& x,
                                             const std::vector<Observation>& observations,
                                             const CompletionTestSet& test) {
  CompletionMetrics m;
  m.train_mse = x.mean_squared_error(observations);
  m.singular_values = x.singular_values();
  m.effective_rank = riemopt::effective_rank(m.singular_values);
  m.nuclear_norm = riemopt::nuclear_norm(m.singular_values);
  if (test.truth) {
    const Matrix& truth = *test.truth;
    require(truth.rows() == x.rows() && truth.cols() == x.cols(),
            "CompletionMetrics: the truth is {}x{} but the estimate is {}x{}", truth.rows(),
            truth.cols(), x.rows(), x.cols());
    const Matrix difference = x.dense() - truth;
    m.test_mse = difference.squaredNorm() / static_cast<double>(truth.size());
    const double norm = truth.norm();
    m.relative_error = norm > 0.0 ? difference.norm() / norm : difference.norm();
  } else if (test.held_out) {
    m.test_mse = x.mean_squared_error(*test.held_out);
    m.relative_error = held_out_relative_error(m.test_mse, *test.held_out);
  }
  return m;
}

std::string to_string(CompletionSolver solver) {
  switch (solver) {
    case CompletionSolver::kFlow:
      return "flow";
    case CompletionSolver::kGradientDescent:
      return "gd";
    case CompletionSolver::kNewton:
      return "newton";
    case CompletionSolver::kTrustRegion:
      return "trust-region";
    case CompletionSolver::kCeresLbfgs:
      return "ceres-lbfgs";
    case CompletionSolver::kCeresLeastSquares:
      return "ceres-lm";
    case CompletionSolver::kConjugateGradient:
      return "cg";
    case CompletionSolver::kLbfgs:
      return "lbfgs";
  }
  return "unknown";
}

namespace {

// A run stops as diverged once ‖X‖_F passes kGrowthLimit times the data's scale, and its message
// names the time it first passed kGrowthOnset times that scale (docs/EXPERIMENTS.md §1: an
// infinite-depth run whose σ₁ ran to 9 times the scale while the train error kept falling).
constexpr double kGrowthLimit = 5.0;
constexpr double kGrowthOnset = 2.0;

int start_factors(const CompletionFlowOptions& options) {
  return options.init_factors > 0      ? options.init_factors
         : options.depth.is_infinite() ? 3
                                       : options.depth.value();
}

// The start, or an empty vector when `keep_going` ran out first.
Vector build_start(Eigen::Index rows, Eigen::Index cols, const CompletionFlowOptions& options,
                   const std::function<bool()>& keep_going) {
  require(rows >= 1 && cols >= 1, "completion_start: shape must be at least 1x1 (got {}x{})", rows,
          cols);
  if (options.init == CompletionInit::kScaledIdentity)
    return (options.init_scale * Matrix::Identity(rows, cols)).reshaped();
  return gaussian_product_init(rows, cols, Depth::finite(start_factors(options)),
                               options.init_scale, options.seed, keep_going);
}

}  // namespace

Matrix completion_start(Eigen::Index rows, Eigen::Index cols,
                        const CompletionFlowOptions& options) {
  options.validate();
  return build_start(rows, cols, options, [] { return true; }).reshaped(rows, cols);
}

CompletionFlowResult complete_by_flow(Eigen::Index rows, Eigen::Index cols,
                                      const std::vector<Observation>& observations,
                                      const Matrix* truth, const CompletionFlowOptions& options) {
  return complete_by_flow(rows, cols, observations, CompletionTestSet{truth, nullptr}, options);
}

CompletionFlowResult complete_by_flow(Eigen::Index rows, Eigen::Index cols,
                                      const std::vector<Observation>& observations,
                                      const CompletionTestSet& test,
                                      const CompletionFlowOptions& options) {
  const auto began = std::chrono::steady_clock::now();
  const auto elapsed = [began] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  };
  const double budget = options.flow.max_wall_seconds;
  options.validate();
  const Matrix* truth = test.truth;
  const std::vector<Observation>* held_out = test.held_out;
  require(!(truth && held_out),
          "complete_by_flow: give the truth or held-out entries for the test error, not both");
  const CompletionPath path = options.resolved_path();
  const Eigen::Index full_width = std::min(rows, cols);
  require(options.width <= full_width,
          "complete_by_flow: width {} exceeds min(rows, cols) = {} (a wider network has the "
          "same end-to-end matrices; use width 0)",
          options.width, full_width);
  const Eigen::Index width = options.width > 0 ? options.width : full_width;
  const bool narrow = width < full_width;
  // A narrow network never forms an m × n matrix, so its loss is the factored one from the start
  // (MatrixCompletion below only validates and measures on the dense paths).
  std::shared_ptr<MatrixCompletion> loss;
  if (!narrow) loss = std::make_shared<MatrixCompletion>(rows, cols, observations, options.loss);
  if (truth) {
    require(truth->rows() == rows && truth->cols() == cols,
            "complete_by_flow: the truth is {}x{} but the observations are {}x{}", truth->rows(),
            truth->cols(), rows, cols);
    require_finite(*truth, "complete_by_flow: truth");
  }
  if (held_out) check_observations(*held_out, rows, cols, "complete_by_flow (held-out entries)");
  require(options.target_test_mse == 0.0 || truth || held_out,
          "complete_by_flow: target_test_mse needs the truth or held-out entries");
  EnergyPtr energy = loss;
  if (std::isfinite(options.beta)) {
    require(rows == cols,
            "complete_by_flow: the entropy (finite beta) is defined for square matrices only "
            "(got {}x{})",
            rows, cols);
    energy = free_energy(loss, std::make_shared<MatrixEntropy>(options.depth), options.beta);
  }
  // On the factor path: the balanced factors of widths n, w, …, w, m.
  std::shared_ptr<const ParameterSpace> space;
  if (path == CompletionPath::kFactors) {
    std::vector<Eigen::Index> widths(static_cast<std::size_t>(options.depth.value()) + 1, width);
    widths.front() = cols;
    widths.back() = rows;
    space = std::make_shared<const ParameterSpace>(std::move(widths));
  }
  // The factored estimate L R measures the factor path (depth ≥ 2) without forming X; without
  // the entropy its loss is evaluated on Ω alone (DeepFactorCompletion), never as an m × n matrix.
  const bool factored = space && space->depth() >= 2;
  std::shared_ptr<DeepFactorCompletion> factor_loss;
  if (factored && std::isinf(options.beta))
    factor_loss = std::make_shared<DeepFactorCompletion>(space, observations, options.loss);
  require(space || !narrow, "complete_by_flow: internal: a narrow width without the factor path");
  const Problem problem = factor_loss ? Problem(parameter_space_geometry(space), factor_loss)
                          : space     ? Problem(parameter_space_geometry(space),
                                                std::make_shared<PulledBackEnergy>(energy, space))
                                      : Problem(options.geometry == CompletionGeometry::kDln
                                                    ? dln_matrices(rows, cols, options.depth)
                                                    : euclidean_matrices(rows, cols),
                                            energy);
  // What the callbacks read of an estimate: its Frobenius norm and its train and test errors,
  // from the matrix (matrix path) or from L R (factor path). The per-step guard needs the norm
  // and the train error only; the test error (a dense product and a pass over the truth on the
  // factor path) is computed when asked for, and is NaN otherwise.
  struct Measured {
    double norm, train, test;
  };
  const double no_test = std::numeric_limits<double>::quiet_NaN();
  const auto test_error_dense = [truth, held_out, no_test](const Eigen::Ref<const Matrix>& x) {
    if (truth) return mean_squared_difference(x, *truth);
    return held_out ? held_out_mse(x, *held_out) : no_test;
  };
  // norm_threshold > 0: the norm only as far as a test norm > norm_threshold needs it (the
  // per-step growth guard), which on the factor path spares a product per step.
  const auto measure = [&](const Point& p, bool with_test = true,
                           double norm_threshold = 0.0) -> Measured {
    if (factored) {
      if (factor_loss && !with_test)  // from the loss's cache, nothing copied
        return {factor_loss->product_norm_unless_below(p, norm_threshold),
                factor_loss->observed_mse(p), no_test};
      // On the loss's cached L when it has one; the dense truth makes X dense anyway (once).
      const FactoredProduct x =
          factor_loss ? factor_loss->product(p) : FactoredProduct(*space, p.coords());
      const double train =
          factor_loss ? factor_loss->observed_mse(p) : x.mean_squared_error(observations);
      if (!with_test) return {x.frobenius_norm(), train, no_test};
      if (truth) {
        const Matrix dense = x.dense();
        return {dense.norm(), train, mean_squared_difference(dense, *truth)};
      }
      return {x.frobenius_norm(), train, held_out ? x.mean_squared_error(*held_out) : no_test};
    }
    if (space) {  // depth 1: W_1 is the matrix
      const ConstMatrixMap x = space->factor(p.coords(), 1);
      return {x.norm(), loss->observed_mse(p.coords()), with_test ? test_error_dense(x) : no_test};
    }
    const ConstMatrixMap x = p.matrix();
    return {x.norm(), loss->observed_mse(p.coords()), with_test ? test_error_dense(x) : no_test};
  };

  GradientFlowOptions flow = options.flow;
  // Targets on the train/test error, and progress lines that show them.
  auto target_message = std::make_shared<std::string>();
  flow.progress = false;
  const bool progress = options.flow.progress;
  const double interval = options.flow.progress_interval_seconds;
  auto last_progress = std::make_shared<double>(-interval);
  // The data's scale s = √(mn · mean_Ω M²): the Frobenius norm of a matrix whose entries have
  // the observed root mean square. Fits of low-rank data stay near it (the truth has it); an
  // estimate past kGrowthLimit·s has unobserved entries far larger than anything observed, and
  // the run ends with kDiverged instead of fitting Ω with it (seen: infinite-depth runs whose σ₁
  // ran to 9 s while the train error fell, and entropic runs unbounded below).
  double sum_of_squares = 0.0;
  for (const Observation& o : observations) sum_of_squares += o.value * o.value;
  const double data_scale = std::sqrt(static_cast<double>(rows) * static_cast<double>(cols) *
                                      sum_of_squares / static_cast<double>(observations.size()));
  auto onset = std::make_shared<double>(std::numeric_limits<double>::quiet_NaN());
  // On the flow the error targets are events, located inside the step where they are reached
  // (riemopt/flow_event.hpp): the last step of a stiff run is long, and the errors at its end lie
  // far below the targets (the test MSE up to 46 % below its value at the crossing). The
  // discrete solvers stop at the first iterate that reaches them.
  const bool targets_are_events = options.solver == CompletionSolver::kFlow;
  // The events aim 1e-10 (relative) below the targets, so that the reported metrics, summed in
  // another order, also see them reached.
  constexpr double kBelowTarget = 1.0 - 1e-10;
  if (targets_are_events && options.target_train_mse > 0.0) {
    flow.events.push_back(
        {[&measure, factor_loss, target = kBelowTarget * options.target_train_mse](const Point& p,
                                                                                   double) {
           // The factor loss's train error comes from its cache, without measure()'s norm bound.
           const double train =
               factor_loss ? factor_loss->observed_mse(p)
                           : measure(p, false, std::numeric_limits<double>::infinity()).train;
           return train - target;
         },
         TerminationStatus::kConverged,
         fmt::format("train MSE reached the target {:g}", options.target_train_mse)});
  }
  if (targets_are_events && options.target_test_mse > 0.0) {
    flow.events.push_back(
        {[&measure, target = kBelowTarget * options.target_test_mse](const Point& p, double) {
           return measure(p).test - target;
         },
         TerminationStatus::kConverged,
         fmt::format("test MSE reached the target {:g}", options.target_test_mse)});
  }
  flow.callbacks.push_back([&options, target_message, progress, interval, last_progress, data_scale,
                            onset, &measure,
                            targets_are_events](const IterationInfo& info) -> CallbackDecision {
    if (!info.point) return CallbackResult::kContinue;
    const bool print = progress && info.wall_seconds >= *last_progress + interval;
    const double threshold = data_scale * (std::isnan(*onset) ? kGrowthOnset : kGrowthLimit);
    const Measured m = measure(
        *info.point, print || (options.target_test_mse > 0.0 && !targets_are_events), threshold);
    if (data_scale > 0.0 && std::isnan(*onset) && m.norm > kGrowthOnset * data_scale)
      *onset = info.time;
    if (data_scale > 0.0 && m.norm > kGrowthLimit * data_scale) {
      return CallbackDecision::stop(
          TerminationStatus::kDiverged,
          fmt::format("the estimate grew to ||X||_F = {:.3e} at t = {:.6g}, {:.1f} times the "
                      "data's scale sqrt(mn mean M_ij^2) = {:.3e} (limit {:g} times; it passed "
                      "{:g} times at t = {:.6g}): the run is leaving the data behind",
                      m.norm, info.time, m.norm / data_scale, data_scale, kGrowthLimit,
                      kGrowthOnset, *onset));
    }
    if (print) {
      *last_progress = info.wall_seconds;
      std::fprintf(
          stderr,
          "[complete] t = %-10.4g train MSE = %.3e  test MSE = %.3e  steps = %lld  (%.1f s)\n",
          info.time, m.train, m.test, static_cast<long long>(info.iteration), info.wall_seconds);
    }
    if (targets_are_events) return CallbackResult::kContinue;
    if (options.target_train_mse > 0.0 && m.train <= options.target_train_mse) {
      *target_message =
          fmt::format("train MSE {:.3e} <= target {:g}", m.train, options.target_train_mse);
      return CallbackDecision::stop(TerminationStatus::kConverged, *target_message);
    }
    if (options.target_test_mse > 0.0 && m.test <= options.target_test_mse) {
      *target_message =
          fmt::format("test MSE {:.3e} <= target {:g}", m.test, options.target_test_mse);
      return CallbackDecision::stop(TerminationStatus::kConverged, *target_message);
    }
    return CallbackResult::kContinue;
  });
  const Eigen::Index k = std::min<Eigen::Index>(options.recorded_singular_values, width);
  flow.trajectory.observable_names = {"train_mse", "test_mse", "effective_rank"};
  for (Eigen::Index i = 0; i < k; ++i)
    flow.trajectory.observable_names.push_back("sigma_" + std::to_string(i + 1));
  flow.trajectory.observables = [k, &measure, &space, &factor_loss, factored](const Point& p) {
    const Measured m = measure(p);
    std::vector<double> row = {m.train, m.test};
    Vector sigma;
    if (factored) {
      sigma = (factor_loss ? factor_loss->product(p) : FactoredProduct(*space, p.coords()))
                  .singular_values();
    } else if (space) {
      Svd computed;
      compute_svd(space->factor(p.coords(), 1), computed);
      sigma = computed.sigma;
    } else {
      sigma = svd_of(p).sigma;  // the point's cached SVD on matrices
    }
    row.push_back(effective_rank(sigma));
    for (Eigen::Index i = 0; i < k; ++i) row.push_back(i < sigma.size() ? sigma(i) : 0.0);
    return row;
  };

  CompletionFlowResult result;
  const auto fail_start = [&](const std::string& what) {
    result.summary.solver = to_string(options.solver);
    result.summary.status = TerminationStatus::kMaxWallTime;
    result.summary.message = fmt::format(
        "the wall-clock budget of {:g} s ran out while building the start ({}); no solver ran",
        budget, what);
    result.summary.wall_seconds = elapsed();
    result.metrics = narrow ? CompletionMetrics::measure(
                                  FactoredProduct(Matrix::Zero(rows, 1), Matrix::Zero(1, cols)),
                                  observations, test)
                            : CompletionMetrics::measure(Matrix::Zero(rows, cols), *loss, test);
    if (!narrow) result.x = Matrix::Zero(rows, cols);
    result.summary.x = result.x.reshaped();
    return result;
  };
  // The start. On the factor path from a Gaussian product of K ≥ 2 factors it is built from the
  // factors (never an m × n matrix); otherwise X₀ is formed and factored.
  const int start_count = start_factors(options);
  const bool factored_start =
      factored && options.init == CompletionInit::kGaussianProduct && start_count >= 2;
  require(!narrow || factored_start,
          "complete_by_flow: a narrow network (width {} < min(rows, cols) = {}) needs the "
          "gaussian-product start with at least 2 factors (got init {}, {} factor(s)): other "
          "starts have rank above the width",
          width, full_width, to_string(options.init), start_count);
  Vector x0, start;
  if (factored_start) {
    const FactoredStart parts =
        gaussian_product_factors(rows, cols, width, start_count, options.init_scale, options.seed,
                                 [&] { return elapsed() < budget; });
    if (parts.left.size() == 0)
      return fail_start(fmt::format("{} Gaussian factors of width {}", start_count, width));
    start = balanced_factorization_of_product(*space, parts.left, parts.right);
  } else {
    // The wall-clock budget covers the start too: a start of many factors (or of a large
    // matrix) can take longer than the flow.
    x0 = build_start(rows, cols, options, [&] { return elapsed() < budget; });
    if (x0.size() == 0)
      return fail_start(
          fmt::format("{} Gaussian factors of a {}x{} matrix", start_count, rows, cols));
    start = x0;
    if (space) {  // the balanced factorization with identity gauges: deterministic
      const std::vector<Matrix> gauges(static_cast<std::size_t>(space->depth() - 1),
                                       Matrix::Identity(width, width));
      start = balanced_factorization(*space, x0.reshaped(rows, cols), gauges);
    }
  }
  // The integrator's absolute tolerance is in the units of the matrix entries. On the factors it
  // is carried to theirs by the start's ratio RMS(W₀) / RMS(φ(W₀)), so that both paths bound the
  // error relative to the scale of their own state: on the flagship the factors' entries are 81×
  // the product's (8.2e-3 against 1.0e-4), and a tolerance of 1e-8 on them spent 40 % of the RHS
  // evaluations (1240 against 759) on digits of the smallest factor entries (docs/BENCHMARKS.md,
  // "The factor RHS at the CPU's vector width, and the factors' own tolerance scale"). At every
  // depth: with the stop located on the train target, the scaled tolerance keeps the test MSE of
  // depths 4–6 within 0.15 % of a tight reference with 40 % fewer RHS than the unscaled one
  // (docs/BENCHMARKS.md, "Where a run stops"). (An earlier comparison that stopped at the end of
  // the crossing step had it 30–54 % off; that was the stop, not the tolerance.)
  if (space && options.solver == CompletionSolver::kFlow) {
    const double product_norm =
        factored ? FactoredProduct(*space, start).frobenius_norm() : start.norm();
    const double factor_rms = start.norm() / std::sqrt(static_cast<double>(start.size()));
    const double product_rms = product_norm / std::sqrt(static_cast<double>(rows * cols));
    if (product_rms > 0.0 && std::isfinite(factor_rms / product_rms))
      flow.absolute_tolerance *= factor_rms / product_rms;
  }
  // What is left of the budget goes to the solver (at least a moment, so that it stops at once
  // on its budget rather than refusing the option).
  flow.max_wall_seconds = std::max(budget - elapsed(), 1e-9);
  // The discrete solvers share the flow's stops, callbacks and trajectory.
  auto with_common = [&flow](auto solver_options) {
    static_cast<SolverOptions&>(solver_options) = static_cast<const SolverOptions&>(flow);
    solver_options.trajectory = flow.trajectory;
    return solver_options;
  };
  switch (options.solver) {
    case CompletionSolver::kFlow:
      result.summary = gradient_flow(problem, start, flow);
      break;
    case CompletionSolver::kGradientDescent:
      result.summary = gradient_descent(problem, start, with_common(options.descent));
      break;
    case CompletionSolver::kNewton:
      result.summary = newton(problem, start, with_common(options.newton));
      break;
    case CompletionSolver::kTrustRegion:
      result.summary = trust_region(problem, start, with_common(options.trust_region));
      break;
    case CompletionSolver::kCeresLbfgs:
      result.summary = ceres_gradient_solve(problem, start, with_common(options.ceres_gradient));
      break;
    case CompletionSolver::kCeresLeastSquares:
      result.summary =
          ceres_least_squares(problem, start, with_common(options.ceres_least_squares));
      break;
    case CompletionSolver::kConjugateGradient:
      result.summary = conjugate_gradient(problem, start, with_common(options.conjugate_gradient));
      break;
    case CompletionSolver::kLbfgs:
      result.summary = lbfgs(problem, start, with_common(options.lbfgs));
      break;
  }
  result.path = path;
  const double final_train =
      measure(space ? Point(result.summary.x) : Point(result.summary.x, rows, cols)).train;
  if (space) {
    result.factors = result.summary.x;
    result.factor_widths = space->widths();
    if (!factored) {
      result.summary.x = space->factor(result.factors, 1).reshaped();
    } else if (rows * cols <= kMaxFormedEstimateEntries) {
      result.summary.x = FactoredProduct(*space, result.factors).dense().reshaped();
    } else {
      result.summary.x.resize(0);
    }
  }
  // A gradient-tolerance stop is a success only if the run's own train target holds there: the
  // origin of a DLN flow is stationary, and from a start small enough the gradient is below
  // any tolerance while nothing is fitted.
  if (result.summary.status == TerminationStatus::kConverged && target_message->empty() &&
      result.summary.stopping_event < 0 && options.target_train_mse > 0.0 &&
      final_train > options.target_train_mse) {
    result.summary.status = TerminationStatus::kStationaryShortOfTarget;
    result.summary.message = fmt::format(
        "{}, but the train MSE there is {:.3e}, above the target {:g}: a stationary point "
        "(saddle or plateau) that does not fit the data; a larger --init-scale or a smaller "
        "gradient tolerance may leave it",
        result.summary.message, final_train, options.target_train_mse);
  }
  if (progress) std::fprintf(stderr, "[complete] %s\n", result.summary.BriefReport().c_str());
  result.summary.wall_seconds = elapsed();  // the start included
  if (factored) {
    result.metrics =
        CompletionMetrics::measure(FactoredProduct(*space, result.factors), observations, test);
    if (result.summary.x.size() > 0) result.x = result.summary.x.reshaped(rows, cols);
  } else {
    result.x = result.summary.x.reshaped(rows, cols);
    result.metrics = CompletionMetrics::measure(result.x, *loss, test);
  }
  return result;
}

}  // namespace riemopt
