#include "iteration_driver.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "riemopt/work_counter.hpp"

namespace riemopt::detail {

namespace {

// Near a minimizer the decrease c·α·|φ'(0)| falls below the rounding of E, and Armijo's test on
// values can no longer tell a good step from a bad one (the iteration stalls at ‖grad‖ ~
// √(ε|E|)). There the approximate Wolfe condition of Hager & Zhang (2005) decides on slopes,
// which keep their accuracy: φ(α) ≤ φ(0) + 1e-12|φ(0)| and φ'(α) ≤ (2δ − 1)φ'(0), δ = 0.1, with
// φ'(α) ≈ ∇E(y)·P_y(y − x)/α along the retraction's secant, P_y the tangent projection at y (the
// identity on open subsets; on an embedded manifold the secant's normal part, O(‖y − x‖²), would
// meet the normal part of ∇E(y), which is O(1), and swamp the slope). `initial_slope` is
// φ'(0) < 0.
bool approximately_sufficient(const Problem& problem, const Problem::Evaluation& at_x,
                              const Problem::Evaluation& at_y, const Point& x, const Point& y,
                              double alpha, double initial_slope) {
  constexpr double kDelta = 0.1;
  if (!(at_y.value <= at_x.value + 1e-12 * std::abs(at_x.value))) return false;
  double slope_at_y;
  if (problem.manifold().is_open_subset()) {  // no temporary: this runs in every line search
    slope_at_y = at_y.euclidean_gradient.dot(y.coords() - x.coords()) / alpha;
  } else {
    Vector secant(y.size());
    problem.manifold().project(y, y.coords() - x.coords(), secant);
    slope_at_y = at_y.euclidean_gradient.dot(secant) / alpha;
  }
  return slope_at_y <= (2.0 * kDelta - 1.0) * initial_slope;
}

}  // namespace

bool try_evaluate(const Problem& problem, const Point& x, Problem::Evaluation& e,
                  std::string& why) {
  try {
    problem.evaluate(x, e);
  } catch (const std::exception& ex) {
    why = ex.what();
    return false;
  }
  if (!std::isfinite(e.value) || !std::isfinite(e.gradient_norm) || !e.gradient.allFinite()) {
    why = "the energy or its gradient is NaN or infinite";
    return false;
  }
  return true;
}

IterationDriver::IterationDriver(const Problem& problem_, const Vector& x0,
                                 const SolverOptions& options, const TrajectoryOptions& trajectory,
                                 std::string solver, std::string tag)
    : problem(problem_),
      x(problem_.make_point(x0)),
      trial(x),
      options_(options),
      trajectory_(trajectory),
      tag_(std::move(tag)),
      schedule_(trajectory),
      start_(std::chrono::steady_clock::now()),
      svds_before_(decomposition_count()) {
  problem.manifold().require_solver_hooks(x);
  problem.reset_counts();
  summary.solver = std::move(solver);
  summary.geometry = problem.geometry().name();
  summary.energy = problem.energy().name();
  summary.trajectory.observable_names = trajectory.observable_names;
}

double IterationDriver::wall() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

bool IterationDriver::start() {
  if (!try_evaluate(problem, x, e, why)) {
    e.value = e.gradient_norm = std::numeric_limits<double>::quiet_NaN();
    return false;
  }
  summary.initial_value = e.value;
  summary.initial_gradient_norm = e.gradient_norm;
  best_value_ = e.value;
  if (trajectory_.enabled && schedule_.next() <= 0.0) {
    summary.trajectory.append(trajectory_, x, 0.0, e.value, e.gradient_norm);
    schedule_.advance();
  }
  return true;
}

Summary IterationDriver::finish_failed_start() {
  return finish(TerminationStatus::kNumericalFailure,
                "the initial point cannot be evaluated: " + why);
}

bool IterationDriver::backtrack(const Vector& direction, double slope, double& alpha, double c,
                                double factor, int max_backtracks) {
  y.resize(x.size());
  for (int b = 0; b <= max_backtracks; ++b) {
    problem.manifold().retract(x, alpha * direction, y);
    trial.assign(y);
    if (y.allFinite() && try_evaluate(problem, trial, trial_eval, why) &&
        (trial_eval.value <= e.value + c * alpha * slope ||
         approximately_sufficient(problem, e, trial_eval, x, trial, alpha, slope)))
      return true;
    alpha *= factor;
    ++summary.rejected_steps;
  }
  return false;
}

Summary IterationDriver::finish(TerminationStatus status, std::string message) {
  summary.status = status;
  summary.message = std::move(message);
  summary.x = x.coords();
  problem.manifold().canonicalize(summary.x);
  summary.final_value = e.value;
  summary.final_gradient_norm = e.gradient_norm;
  summary.final_time = t;
  if (trajectory_.enabled &&
      (summary.trajectory.times.empty() || summary.trajectory.times.back() < t))
    summary.trajectory.append(trajectory_, x, t, e.value, e.gradient_norm);
  summary.evaluations = problem.counts();
  summary.svd_count = decomposition_count() - svds_before_;
  summary.wall_seconds = wall();
  if (options_.progress) std::fprintf(stderr, "%s\n", summary.BriefReport().c_str());
  return summary;
}

bool IterationDriver::should_stop() {
  std::string message;
  TerminationStatus status;
  if (options_.gradient_tolerance > 0.0 && e.gradient_norm <= options_.gradient_tolerance) {
    status = TerminationStatus::kConverged;
    message = fmt::format("gradient norm {:.3e} <= tolerance {:.3e}", e.gradient_norm,
                          options_.gradient_tolerance);
  } else if (e.value > best_value_ + kRiseTolerance * std::max(std::abs(best_value_),
                                                               std::abs(summary.initial_value))) {
    // Seen with a gradient of the wrong sign: each line search accepts a step that raises E by
    // up to the approximate Wolfe test's 1e-12|E|, for ever. Near a minimizer accepted steps
    // move E by a few ulps of the energy's scale (its starting value, when E falls to zero)
    // only, so a rise of 1e-10 of that scale over the best value is no rounding.
    status = TerminationStatus::kStepSizeTooSmall;
    message = fmt::format(
        "no progress: the accepted steps raised the energy from {:.12e} to {:.12e}; no step "
        "along the negative gradient decreases it (a gradient inconsistent with the energy?)",
        best_value_, e.value);
  } else if (stalled_steps_ >= kStalledSteps) {
    status = TerminationStatus::kStepSizeTooSmall;
    message = fmt::format(
        "no progress: the last {} accepted steps each moved the point by at most 1000 ulps of "
        "its norm, with the gradient norm {:.3e} still above the tolerance {:.3e} (the "
        "tolerance is below the attainable accuracy, or the gradient is inconsistent)",
        kStalledSteps, e.gradient_norm, options_.gradient_tolerance);
  } else if (summary.iterations >= options_.max_iterations) {
    status = TerminationStatus::kMaxIterations;
    message = fmt::format("iteration budget of {} spent", options_.max_iterations);
  } else if (problem.counts().gradients >= options_.max_evaluations) {
    status = TerminationStatus::kMaxEvaluations;
    message = fmt::format("evaluation budget of {} spent", options_.max_evaluations);
  } else if (wall() >= options_.max_wall_seconds) {
    status = TerminationStatus::kMaxWallTime;
    message = fmt::format("wall-time budget of {} s spent", options_.max_wall_seconds);
  } else {
    return false;
  }
  summary = finish(status, std::move(message));
  return true;
}

bool IterationDriver::accept(double step_size, double dt) {
  // No progress the arithmetic can see: a step that moves the point by at most a thousand units
  // in the last place of its norm.
  const double moved = (trial.coords() - x.coords()).norm();
  const double scale = std::max(x.coords().norm(), std::numeric_limits<double>::min());
  stalled_steps_ =
      moved <= 1e3 * std::numeric_limits<double>::epsilon() * scale ? stalled_steps_ + 1 : 0;
  best_value_ = std::min(best_value_, trial_eval.value);
  std::swap(x, trial);
  std::swap(e, trial_eval);
  t += dt;
  ++summary.iterations;
  while (trajectory_.enabled && schedule_.next() <= t) {
    summary.trajectory.append(trajectory_, x, t, e.value, e.gradient_norm);
    while (schedule_.next() <= t) schedule_.advance();
  }
  if (options_.progress && wall() >= last_progress_ + options_.progress_interval_seconds) {
    last_progress_ = wall();
    std::fprintf(stderr, "[%s] iteration %lld  E = %-14.8e |grad| = %-10.3e step = %.3e (%.1f s)\n",
                 tag_.c_str(), static_cast<long long>(summary.iterations), e.value, e.gradient_norm,
                 step_size, last_progress_);
  }
  const IterationInfo info{summary.iterations, t, e.value, e.gradient_norm, step_size, wall(), &x};
  for (const auto& callback : options_.callbacks) {
    const CallbackDecision decision = callback(info);
    if (decision.stops()) {
      summary = finish(decision.status, decision.stop_message());
      return true;
    }
  }
  return false;
}

}  // namespace riemopt::detail
