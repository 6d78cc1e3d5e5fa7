#include "riemopt/gradient_descent.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "iteration_driver.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/svd.hpp"

namespace riemopt {

std::string to_string(StepRule rule) { return rule == StepRule::kArmijo ? "armijo" : "fixed"; }

void GradientDescentOptions::validate() const {
  SolverOptions::validate();
  require(std::isfinite(initial_step) && initial_step > 0.0,
          "options.initial_step must be finite and > 0 (got {})", initial_step);
  require(!std::isnan(max_step) && max_step > 0.0, "options.max_step must be > 0 (got {})",
          max_step);
  require(sufficient_decrease > 0.0 && sufficient_decrease < 1.0,
          "options.sufficient_decrease must be in (0, 1) (got {})", sufficient_decrease);
  require(backtracking_factor > 0.0 && backtracking_factor < 1.0,
          "options.backtracking_factor must be in (0, 1) (got {})", backtracking_factor);
  require(max_backtracks >= 1, "options.max_backtracks must be >= 1 (got {})", max_backtracks);
  require(std::isfinite(fixed_step) && fixed_step > 0.0,
          "options.fixed_step must be finite and > 0 (got {})", fixed_step);
  require(std::isfinite(relative_change_tolerance) && relative_change_tolerance >= 0.0,
          "options.relative_change_tolerance must be finite and >= 0 (got {})",
          relative_change_tolerance);
  trajectory.validate();
}

namespace {

using Clock = std::chrono::steady_clock;
using detail::approximately_sufficient;
using detail::try_evaluate;

}  // namespace

Summary gradient_descent(const Problem& problem, const Vector& x0,
                         const GradientDescentOptions& options) {
  options.validate();
  const Manifold& manifold = problem.manifold();
  Point x = problem.make_point(x0);
  const auto start = Clock::now();
  const std::uint64_t svds_before = svd_count();
  problem.reset_counts();
  auto wall = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };

  Summary s;
  s.solver = "gradient-descent (" + to_string(options.step_rule) + ")";
  s.geometry = problem.geometry().name();
  s.energy = problem.energy().name();
  s.trajectory.observable_names = options.trajectory.observable_names;
  RecordSchedule schedule(options.trajectory);

  Problem::Evaluation e, trial_eval;
  std::string why;
  double t = 0.0, last_progress = 0.0;
  auto finish = [&](TerminationStatus status, std::string message) {
    s.status = status;
    s.message = std::move(message);
    s.x = x.coords();
    manifold.canonicalize(s.x);
    s.final_value = e.value;
    s.final_gradient_norm = e.gradient_norm;
    s.final_time = t;
    if (options.trajectory.enabled && (s.trajectory.times.empty() || s.trajectory.times.back() < t))
      s.trajectory.append(options.trajectory, x, t, e.value, e.gradient_norm);
    s.evaluations = problem.counts();
    s.svd_count = svd_count() - svds_before;
    s.wall_seconds = wall();
    if (options.progress) std::fprintf(stderr, "%s\n", s.BriefReport().c_str());
    return s;
  };

  if (!try_evaluate(problem, x, e, why)) {
    e.value = e.gradient_norm = std::numeric_limits<double>::quiet_NaN();
    return finish(TerminationStatus::kNumericalFailure,
                  "the initial point cannot be evaluated: " + why);
  }
  s.initial_value = e.value;
  s.initial_gradient_norm = e.gradient_norm;
  if (options.trajectory.enabled && schedule.next() <= 0.0) {
    s.trajectory.append(options.trajectory, x, 0.0, e.value, e.gradient_norm);
    schedule.advance();
  }

  Point trial = x;
  Vector step(x.size()), y(x.size());
  double alpha = std::min(options.initial_step, options.max_step);
  while (true) {
    if (options.gradient_tolerance > 0.0 && e.gradient_norm <= options.gradient_tolerance)
      return finish(TerminationStatus::kConverged,
                    fmt::format("gradient norm {:.3e} <= tolerance {:.3e}", e.gradient_norm,
                                options.gradient_tolerance));
    if (s.iterations >= options.max_iterations)
      return finish(TerminationStatus::kMaxIterations,
                    fmt::format("iteration budget of {} spent", options.max_iterations));
    if (problem.counts().gradients >= options.max_evaluations)
      return finish(TerminationStatus::kMaxEvaluations,
                    fmt::format("evaluation budget of {} spent", options.max_evaluations));
    if (wall() >= options.max_wall_seconds)
      return finish(TerminationStatus::kMaxWallTime,
                    fmt::format("wall-time budget of {} s spent", options.max_wall_seconds));

    // One step along −grad: Armijo backtracking or the fixed step.
    const double slope = e.gradient_norm * e.gradient_norm;  // −dE/dα at α = 0
    bool accepted = false;
    if (options.step_rule == StepRule::kFixed) {
      alpha = options.fixed_step;
      step = -alpha * e.gradient;
      manifold.retract(x, step, y);
      trial.assign(y);
      if (!y.allFinite() || !try_evaluate(problem, trial, trial_eval, why))
        return finish(TerminationStatus::kNumericalFailure,
                      fmt::format("{} (at iteration {}; the reported point is the last valid one)",
                                  y.allFinite() ? why : "the step left the finite numbers",
                                  s.iterations + 1));
      accepted = true;
    } else {
      for (int b = 0; b <= options.max_backtracks && !accepted; ++b) {
        step = -alpha * e.gradient;
        manifold.retract(x, step, y);
        trial.assign(y);
        if (y.allFinite() && try_evaluate(problem, trial, trial_eval, why) &&
            (trial_eval.value <= e.value - options.sufficient_decrease * alpha * slope ||
             approximately_sufficient(e, trial_eval, x, y, alpha, -slope))) {
          accepted = true;
        } else {
          alpha *= options.backtracking_factor;
          ++s.rejected_steps;
        }
      }
      if (!accepted)
        return finish(TerminationStatus::kStepSizeTooSmall,
                      fmt::format("no sufficient decrease after {} backtracks (step {:.3e}); is "
                                  "the gradient consistent with the energy?",
                                  options.max_backtracks, alpha));
    }

    const double previous = e.value;
    std::swap(x, trial);
    std::swap(e, trial_eval);
    t += alpha;
    ++s.iterations;
    if (options.step_rule == StepRule::kArmijo) alpha = std::min(2.0 * alpha, options.max_step);

    while (options.trajectory.enabled && schedule.next() <= t) {
      s.trajectory.append(options.trajectory, x, t, e.value, e.gradient_norm);
      while (schedule.next() <= t) schedule.advance();
    }
    if (options.progress && wall() >= last_progress + options.progress_interval_seconds) {
      last_progress = wall();
      std::fprintf(
          stderr, "[gd] iteration %lld  E = %-14.8e |grad| = %-10.3e step = %.3e (%.1f s)\n",
          static_cast<long long>(s.iterations), e.value, e.gradient_norm, alpha, last_progress);
    }
    const IterationInfo info{s.iterations, t, e.value, e.gradient_norm, alpha, wall(), &x};
    for (const auto& callback : options.callbacks)
      if (callback(info) == CallbackResult::kAbort)
        return finish(TerminationStatus::kUserAbort, "a callback asked to stop");
    if (options.relative_change_tolerance > 0.0 &&
        std::abs(previous - e.value) <=
            options.relative_change_tolerance * std::max(1.0, std::abs(previous)))
      return finish(TerminationStatus::kConverged,
                    fmt::format("relative decrease {:.3e} <= tolerance {:.3e}",
                                std::abs(previous - e.value) / std::max(1.0, std::abs(previous)),
                                options.relative_change_tolerance));
  }
}

}  // namespace riemopt
