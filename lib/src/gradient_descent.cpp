#include "riemopt/gradient_descent.hpp"

#include <fmt/format.h>

#include <cmath>

#include "iteration_driver.hpp"
#include "riemopt/errors.hpp"

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

Summary gradient_descent(const Problem& problem, const Vector& x0,
                         const GradientDescentOptions& options) {
  options.validate();
  detail::IterationDriver run(problem, x0, options, options.trajectory,
                              "gradient-descent (" + to_string(options.step_rule) + ")", "gd");
  if (!run.start()) return run.finish_failed_start();
  const Manifold& manifold = problem.manifold();
  Vector step(x0.size()), y(x0.size()), direction(x0.size());
  double alpha = std::min(options.initial_step, options.max_step);
  while (true) {
    if (run.should_stop()) return run.summary;
    // One step along −grad: Armijo backtracking or the fixed step.
    const double slope = run.e.gradient_norm * run.e.gradient_norm;  // −dE/dα at α = 0
    if (options.step_rule == StepRule::kFixed) {
      alpha = options.fixed_step;
      step = -alpha * run.e.gradient;
      manifold.retract(run.x, step, y);
      run.trial.assign(y);
      if (!y.allFinite() || !detail::try_evaluate(problem, run.trial, run.trial_eval, run.why))
        return run.finish(
            TerminationStatus::kNumericalFailure,
            fmt::format("{} (at iteration {}; the reported point is the last valid one)",
                        y.allFinite() ? run.why : "the step left the finite numbers",
                        run.summary.iterations + 1));
    } else {
      direction = -run.e.gradient;
      const bool accepted = run.backtrack(direction, -slope, alpha, options.sufficient_decrease,
                                          options.backtracking_factor, options.max_backtracks);
      if (!accepted)
        return run.finish(TerminationStatus::kStepSizeTooSmall,
                          fmt::format("no sufficient decrease after {} backtracks (step {:.3e}); "
                                      "is the gradient consistent with the energy?",
                                      options.max_backtracks, alpha));
    }
    const double previous = run.e.value;
    if (run.accept(alpha, alpha)) return run.summary;  // the clock advances by Σα
    if (options.step_rule == StepRule::kArmijo) alpha = std::min(2.0 * alpha, options.max_step);
    const double change = std::abs(previous - run.e.value) / std::max(1.0, std::abs(previous));
    if (options.relative_change_tolerance > 0.0 && change <= options.relative_change_tolerance)
      return run.finish(TerminationStatus::kConverged,
                        fmt::format("relative decrease {:.3e} <= tolerance {:.3e}", change,
                                    options.relative_change_tolerance));
  }
}

}  // namespace riemopt
