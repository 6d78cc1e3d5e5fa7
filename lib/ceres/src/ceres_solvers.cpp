#include "riemopt/ceres_solvers.hpp"

#include <ceres/ceres.h>
#include <fmt/format.h>
#include <glog/logging.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>

#include "riemopt/ceres_manifold.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/least_squares_energy.hpp"
#include "riemopt/solver_driver.hpp"

namespace riemopt {

namespace {

using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

int clamp_to_int(std::int64_t n) {
  return static_cast<int>(std::min<std::int64_t>(n, std::numeric_limits<int>::max()));
}

// Ceres logs through glog, and its warnings (a nonlinear-CG restart every few iterations) would
// flood stderr; they are silenced for the duration of a solve and the level restored after.
// Errors still print.
class QuietCeresWarnings {
 public:
  QuietCeresWarnings() : saved_(FLAGS_minloglevel) {
    FLAGS_minloglevel = std::max<int>(saved_, google::GLOG_ERROR);
  }
  ~QuietCeresWarnings() { FLAGS_minloglevel = saved_; }
  QuietCeresWarnings(const QuietCeresWarnings&) = delete;
  QuietCeresWarnings& operator=(const QuietCeresWarnings&) = delete;

 private:
  int saved_;
};

void validate_tolerance(double value, const char* field) {
  require(std::isfinite(value) && value >= 0.0, "options.{} must be finite and >= 0 (got {})",
          field, value);
}

// E and ∇E for ceres::GradientProblem. Ceres multiplies ∇E by the adapter's Plus Jacobian B_x
// itself. The last full evaluation is kept so the per-iteration callback, which usually sees
// the point Ceres evaluated last, need not evaluate again.
class ProblemFunction final : public ceres::FirstOrderFunction {
 public:
  explicit ProblemFunction(const Problem& problem)
      : problem_(problem),
        point_(Vector::Zero(problem.ambient_size()), problem.manifold().rows(),
               problem.manifold().cols()) {}

  bool Evaluate(const double* parameters, double* cost, double* gradient) const override {
    point_.assign(Eigen::Map<const Vector>(parameters, point_.size()));
    cached_ = false;
    if (gradient == nullptr) {
      try {
        *cost = problem_.value(point_);
      } catch (const std::exception&) {
        return false;
      }
      return std::isfinite(*cost);
    }
    try {
      problem_.evaluate(point_, evaluation_);
    } catch (const std::exception&) {
      return false;
    }
    if (!std::isfinite(evaluation_.value) || !evaluation_.euclidean_gradient.allFinite())
      return false;
    *cost = evaluation_.value;
    Eigen::Map<Vector>(gradient, point_.size()) = evaluation_.euclidean_gradient;
    cached_ = true;
    return true;
  }

  int NumParameters() const override { return static_cast<int>(point_.size()); }

  // The last evaluation when it was at x (and complete), else null.
  const Problem::Evaluation* evaluation_at(const Vector& x) const {
    return cached_ && point_.coords() == x && std::isfinite(evaluation_.gradient_norm)
               ? &evaluation_
               : nullptr;
  }
  const Point& point() const { return point_; }

 private:
  const Problem& problem_;
  mutable Point point_;
  mutable Problem::Evaluation evaluation_;
  mutable bool cached_ = false;
};

// The energy's residuals and analytic Jacobian as one Ceres residual block on the whole point.
// The residuals of Σ_i w_i · ½‖r_i(x)‖² stacked as (√w_1 r_1, √w_2 r_2, …), all w_i > 0.
class ResidualBlock final : public ceres::CostFunction {
 public:
  ResidualBlock(std::vector<LeastSquaresTerm> terms, Eigen::Index residual_count,
                const Problem& problem)
      : terms_(std::move(terms)),
        point_(Vector::Zero(problem.ambient_size()), problem.manifold().rows(),
               problem.manifold().cols()),
        jacobian_(residual_count, problem.ambient_size()) {
    set_num_residuals(static_cast<int>(residual_count));
    mutable_parameter_block_sizes()->push_back(static_cast<int>(problem.ambient_size()));
  }

  bool Evaluate(double const* const* parameters, double* residuals,
                double** jacobians) const override {
    const Eigen::Index m = jacobian_.rows(), n = jacobian_.cols();
    try {
      point_.assign(Eigen::Map<const Vector>(parameters[0], n));
      Eigen::Map<Vector> r(residuals, m);
      const bool with_jacobian = jacobians != nullptr && jacobians[0] != nullptr;
      Eigen::Index offset = 0;
      for (const LeastSquaresTerm& t : terms_) {
        const Eigen::Index k = t.energy->residual_count();
        const double scale = std::sqrt(t.weight);
        auto block = r.segment(offset, k);
        t.energy->residuals(point_, block);
        block *= scale;
        if (with_jacobian) {
          auto rows = jacobian_.middleRows(offset, k);
          t.energy->residual_jacobian(point_, rows);
          rows *= scale;
        }
        offset += k;
      }
      ++evaluations_;
      if (!r.allFinite()) return false;
      if (with_jacobian) {
        if (!jacobian_.allFinite()) return false;
        Eigen::Map<RowMajorMatrix>(jacobians[0], m, n) = jacobian_;
      }
    } catch (const std::exception&) {
      return false;
    }
    return true;
  }

  std::int64_t evaluations() const { return evaluations_; }

 private:
  std::vector<LeastSquaresTerm> terms_;
  mutable Point point_;
  mutable Matrix jacobian_;
  mutable std::int64_t evaluations_ = 0;
};

// Runs the library's driver (stops, records, progress, callbacks) after every Ceres iteration.
// Ceres updates `state` before calling it (update_state_every_iteration).
class DriverCallback final : public ceres::IterationCallback {
 public:
  using ExtraEvaluations = std::function<std::int64_t()>;

  // `function`, when given, may hold the evaluation at Ceres' accepted point already.
  DriverCallback(SolverDriver& run, const Vector& state, const ProblemFunction* function,
                 ExtraEvaluations extra)
      : run_(run), state_(state), function_(function), extra_(std::move(extra)) {}

  ceres::CallbackReturnType operator()(const ceres::IterationSummary& s) override {
    if (s.iteration == 0) return ceres::SOLVER_CONTINUE;  // the driver has checked the start
    if (!s.step_is_successful) {
      run_.count_rejected_step();
    } else {
      const Problem::Evaluation* e = function_ ? function_->evaluation_at(state_) : nullptr;
      if (e != nullptr) {
        run_.set_trial(function_->point(), *e);
      } else if (!run_.evaluate_trial(state_)) {
        run_.stop(TerminationStatus::kNumericalFailure,
                  fmt::format("Ceres accepted a point that cannot be evaluated at iteration {}: {}",
                              s.iteration, run_.last_failure()));
        return ceres::SOLVER_ABORT;
      }
      if (run_.accept(s.step_norm, run_.time() + 1.0)) return ceres::SOLVER_TERMINATE_SUCCESSFULLY;
    }
    const std::int64_t extra = extra_ ? extra_() : 0;
    if (extra > 0 && run_.problem().counts().gradients + extra >= run_.options().max_evaluations) {
      run_.stop(TerminationStatus::kMaxEvaluations,
                fmt::format("evaluation budget of {} spent (Ceres' evaluations included)",
                            run_.options().max_evaluations));
      return ceres::SOLVER_TERMINATE_SUCCESSFULLY;
    }
    return run_.should_stop() ? ceres::SOLVER_TERMINATE_SUCCESSFULLY : ceres::SOLVER_CONTINUE;
  }

 private:
  SolverDriver& run_;
  const Vector& state_;
  const ProblemFunction* function_;
  ExtraEvaluations extra_;
};

// Ends a solve Ceres ended itself: moves the driver to Ceres' final point and translates the
// termination type. Ceres' tests compare values, so near ‖grad‖ ≈ √(ε|E|) its line search stops
// moving (step norm 0, or a cost change at rounding level) and Ceres calls that parameter- or
// function-tolerance convergence. Above the gradient tolerance that is the attainable accuracy
// (kToleranceUnreachable) near a minimizer and no progress (kStepSizeTooSmall) elsewhere; with
// the gradient tolerance met or disabled, Ceres' own tests stand as kConverged.
void finish_from_ceres(SolverDriver& run, const Vector& state, ceres::TerminationType type,
                       const std::string& message, bool stalled, const SolverOptions& options) {
  // Ceres' final point is normally the last one its callback handed over.
  if (state != run.point().coords() && run.evaluate_trial(state) &&
      run.accept(0.0, run.time() + 1.0))
    return;
  const double norm = run.evaluation().gradient_norm;
  TerminationStatus status = TerminationStatus::kNumericalFailure;
  switch (type) {
    case ceres::CONVERGENCE:
      if (stalled && norm > options.gradient_tolerance) {
        // Near a minimizer (the gradient norm fell to 1e-3 of its start) that is the attainable
        // accuracy of Ceres' value-based line search; elsewhere Ceres found no decrease at all.
        const bool near_minimizer = norm <= 1e-3 * run.summary().initial_gradient_norm;
        run.stop(
            near_minimizer ? TerminationStatus::kToleranceUnreachable
                           : TerminationStatus::kStepSizeTooSmall,
            fmt::format("Ceres' line search stalled at gradient norm {:.3e}{}{} (Ceres: {})", norm,
                        options.gradient_tolerance > 0.0
                            ? fmt::format(" above the tolerance {:.3e}", options.gradient_tolerance)
                            : std::string(),
                        near_minimizer ? ": the attainable accuracy of its value-based tests"
                                       : ", far from a minimizer (is the gradient consistent "
                                         "with the energy?)",
                        message));
        return;
      }
      // Ceres' value- and step-based tests fired before the library's gradient test: with a
      // gradient tolerance set and unmet, that is the attainable accuracy of those tests, not
      // the convergence that was asked for.
      if (options.gradient_tolerance > 0.0 && norm > options.gradient_tolerance) {
        run.stop(TerminationStatus::kToleranceUnreachable,
                 fmt::format("Ceres' own tolerance ended the run at gradient norm {:.3e}, above "
                             "the tolerance {:.3e} (Ceres: {}); lower function_tolerance and "
                             "parameter_tolerance, or set gradient_tolerance to 0 to accept "
                             "Ceres' tests as convergence",
                             norm, options.gradient_tolerance, message));
        return;
      }
      status = TerminationStatus::kConverged;
      break;
    case ceres::USER_SUCCESS:
      status = TerminationStatus::kConverged;
      break;
    case ceres::NO_CONVERGENCE:
      status = run.summary().iterations >= options.max_iterations
                   ? TerminationStatus::kMaxIterations
                   : TerminationStatus::kMaxWallTime;
      break;
    case ceres::USER_FAILURE:
      status = TerminationStatus::kUserAbort;
      break;
    case ceres::FAILURE:
      break;
  }
  run.stop(status, "Ceres: " + message);
}

// Whether Ceres' last iteration moved by nothing, or changed the cost by rounding only.
template <typename CeresSummary>
bool stalled(const CeresSummary& summary) {
  if (summary.iterations.empty()) return false;
  const ceres::IterationSummary& last = summary.iterations.back();
  return last.step_norm == 0.0 ||
         std::abs(last.cost_change) <=
             8.0 * std::numeric_limits<double>::epsilon() * std::abs(last.cost);
}

// The settings both Ceres solvers share: budgets, Ceres' own tolerances, silence, and the
// per-iteration callback that runs the library's stops (Ceres' gradient test is off: the
// library's test on ‖grad E‖_g decides). Works for GradientProblemSolver::Options and
// Solver::Options, which name these fields alike.
template <typename CeresOptions>
void configure(CeresOptions& ceres_options, const SolverOptions& options, double function_tolerance,
               double parameter_tolerance, DriverCallback& callback, const char* caller) {
  ceres_options.max_num_iterations = clamp_to_int(options.max_iterations + 1);
  ceres_options.max_solver_time_in_seconds = std::min(options.max_wall_seconds, 1e9);
  ceres_options.function_tolerance = function_tolerance;
  ceres_options.parameter_tolerance = parameter_tolerance;
  ceres_options.gradient_tolerance = 0.0;
  ceres_options.logging_type = ceres::SILENT;
  ceres_options.minimizer_progress_to_stdout = false;
  ceres_options.update_state_every_iteration = true;
  ceres_options.callbacks.push_back(&callback);
  std::string invalid;
  require(ceres_options.IsValid(&invalid), "{}: Ceres rejected the options: {}", caller, invalid);
}

// The library's Summary of a finished Ceres solve, with Ceres' own report attached.
template <typename CeresSummary>
Summary translate(SolverDriver& run, const Vector& state, const CeresSummary& ceres_summary,
                  const SolverOptions& options) {
  if (!run.ended())
    finish_from_ceres(run, state, ceres_summary.termination_type, ceres_summary.message,
                      stalled(ceres_summary), options);
  Summary summary = run.summary();
  summary.backend_report = ceres_summary.FullReport();
  return summary;
}

}  // namespace

std::string to_string(CeresLineSearchDirection direction) {
  switch (direction) {
    case CeresLineSearchDirection::kLbfgs:
      return "lbfgs";
    case CeresLineSearchDirection::kBfgs:
      return "bfgs";
    case CeresLineSearchDirection::kNonlinearCg:
      return "ncg";
  }
  return "?";
}

std::string to_string(CeresTrustRegionStrategy strategy) {
  return strategy == CeresTrustRegionStrategy::kDogleg ? "dogleg" : "levenberg-marquardt";
}

void CeresGradientOptions::validate() const {
  SolverOptions::validate();
  require(lbfgs_rank >= 1, "options.lbfgs_rank must be >= 1 (got {})", lbfgs_rank);
  validate_tolerance(function_tolerance, "function_tolerance");
  validate_tolerance(parameter_tolerance, "parameter_tolerance");
  require(max_bfgs_size >= 1, "options.max_bfgs_size must be >= 1 (got {})", max_bfgs_size);
  trajectory.validate();
}

void CeresLeastSquaresOptions::validate() const {
  SolverOptions::validate();
  require(std::isfinite(initial_trust_region_radius) && initial_trust_region_radius > 0.0,
          "options.initial_trust_region_radius must be finite and > 0 (got {})",
          initial_trust_region_radius);
  validate_tolerance(function_tolerance, "function_tolerance");
  validate_tolerance(parameter_tolerance, "parameter_tolerance");
  require(max_ambient_size >= 1, "options.max_ambient_size must be >= 1 (got {})",
          max_ambient_size);
  trajectory.validate();
}

Summary ceres_gradient_solve(const Problem& problem, const Vector& x0,
                             const CeresGradientOptions& options) {
  options.validate();
  const Eigen::Index n = problem.ambient_size();
  require(options.direction != CeresLineSearchDirection::kBfgs || n <= options.max_bfgs_size,
          "ceres_gradient_solve: BFGS keeps a dense {}x{} matrix ({:.2f} GiB) above "
          "options.max_bfgs_size = {}; use L-BFGS, or raise the limit",
          n, n, 8.0 * static_cast<double>(n) * static_cast<double>(n) / (1 << 30),
          options.max_bfgs_size);
  auto* manifold = new CeresManifold(problem.geometry());  // the GradientProblem owns it
  auto* function = new ProblemFunction(problem);
  ceres::GradientProblem gradient_problem(function, manifold);

  const std::string name = "ceres-" + to_string(options.direction);
  SolverDriver run(problem, x0, options, options.trajectory, {name, name, StepKind::kSafeguarded});
  if (!run.start() || run.should_stop()) return run.summary();
  Vector state = run.point().coords();
  DriverCallback callback(run, state, function, nullptr);

  ceres::GradientProblemSolver::Options ceres_options;
  switch (options.direction) {
    case CeresLineSearchDirection::kLbfgs:
      ceres_options.line_search_direction_type = ceres::LBFGS;
      break;
    case CeresLineSearchDirection::kBfgs:
      ceres_options.line_search_direction_type = ceres::BFGS;
      break;
    case CeresLineSearchDirection::kNonlinearCg:
      ceres_options.line_search_direction_type = ceres::NONLINEAR_CONJUGATE_GRADIENT;
      ceres_options.nonlinear_conjugate_gradient_type = ceres::POLAK_RIBIERE;
      break;
  }
  ceres_options.max_lbfgs_rank = options.lbfgs_rank;
  configure(ceres_options, options, options.function_tolerance, options.parameter_tolerance,
            callback, "ceres_gradient_solve");

  ceres::GradientProblemSolver::Summary ceres_summary;
  {
    const QuietCeresWarnings quiet;
    ceres::Solve(ceres_options, gradient_problem, state.data(), &ceres_summary);
  }
  return translate(run, state, ceres_summary, options);
}

Summary ceres_least_squares(const Problem& problem, const Vector& x0,
                            const CeresLeastSquaresOptions& options) {
  options.validate();
  // The energy's least-squares structure (Energy::least_squares_terms), never its type: sums and
  // positive multiples of least-squares energies qualify.
  std::vector<LeastSquaresTerm> terms;
  const bool only_least_squares = problem.energy().least_squares_terms(1.0, terms);
  require(only_least_squares && !terms.empty(),
          "ceres_least_squares: the energy '{}' is not a sum of squares (it does not advertise "
          "a least-squares structure for all of its terms: derive from LeastSquaresEnergy to "
          "give residuals and their Jacobian); use ceres_gradient_solve",
          problem.energy().name());
  Eigen::Index residual_count = 0;
  for (const LeastSquaresTerm& t : terms) {
    require(t.weight > 0.0,
            "ceres_least_squares: the least-squares term '{}' has weight {}; a sum of squares "
            "needs positive weights (use ceres_gradient_solve)",
            t.energy->name(), t.weight);
    residual_count += t.energy->residual_count();
  }
  const Eigen::Index n = problem.ambient_size();
  require(n <= options.max_ambient_size,
          "ceres_least_squares: ambient size {} exceeds options.max_ambient_size = {} (dense "
          "{}x{} Jacobians, O(n^3) per iteration); use ceres_gradient_solve or trust_region, or "
          "raise the limit",
          n, options.max_ambient_size, residual_count, n);
  require(residual_count >= 1 && residual_count <= std::numeric_limits<int>::max(),
          "ceres_least_squares: residual count {} is outside Ceres' range [1, {}]", residual_count,
          std::numeric_limits<int>::max());
  auto manifold = std::make_unique<CeresManifold>(problem.geometry());

  const std::string name =
      "ceres-" +
      std::string(options.strategy == CeresTrustRegionStrategy::kDogleg ? "dogleg" : "lm");
  SolverDriver run(problem, x0, options, options.trajectory, {name, name, StepKind::kSafeguarded});
  if (!run.start() || run.should_stop()) return run.summary();
  Vector state = run.point().coords();

  auto* residuals =
      new ResidualBlock(std::move(terms), residual_count, problem);  // the ceres::Problem owns it
  ceres::Problem ceres_problem;
  ceres_problem.AddResidualBlock(residuals, nullptr, state.data());
  ceres_problem.SetManifold(state.data(), manifold.release());
  DriverCallback callback(run, state, nullptr, [residuals] { return residuals->evaluations(); });

  ceres::Solver::Options ceres_options;
  ceres_options.minimizer_type = ceres::TRUST_REGION;
  ceres_options.trust_region_strategy_type = options.strategy == CeresTrustRegionStrategy::kDogleg
                                                 ? ceres::DOGLEG
                                                 : ceres::LEVENBERG_MARQUARDT;
  ceres_options.linear_solver_type = ceres::DENSE_QR;
  // Isotropic damping in the orthonormal coordinates of the metric: the damped step is the
  // metric's minimum-norm step (see the header).
  ceres_options.jacobi_scaling = false;
  ceres_options.min_lm_diagonal = 1.0;
  ceres_options.max_lm_diagonal = 1.0;
  ceres_options.initial_trust_region_radius = options.initial_trust_region_radius;
  ceres_options.max_trust_region_radius =
      std::max(ceres_options.max_trust_region_radius, options.initial_trust_region_radius);
  ceres_options.num_threads = 1;
  configure(ceres_options, options, options.function_tolerance, options.parameter_tolerance,
            callback, "ceres_least_squares");

  ceres::Solver::Summary ceres_summary;
  {
    const QuietCeresWarnings quiet;
    ceres::Solve(ceres_options, &ceres_problem, &ceres_summary);
  }
  Summary summary = translate(run, state, ceres_summary, options);
  summary.evaluations.values += residuals->evaluations();
  return summary;
}

}  // namespace riemopt
