#include "riemopt/gradient_descent.hpp"

#include <fmt/format.h>

#include <cmath>

#include "riemopt/errors.hpp"
#include "riemopt/solver_driver.hpp"

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

// One iteration: a step along −grad E, by Armijo backtracking or the fixed step.
class GradientDescentStepper final : public Stepper {
 public:
  explicit GradientDescentStepper(const GradientDescentOptions& options)
      : options_(options), alpha_(std::min(options.initial_step, options.max_step)) {}

  bool step(SolverDriver& run) override {
    const Problem::Evaluation& e = run.evaluation();
    if (options_.step_rule == StepRule::kFixed) {
      alpha_ = options_.fixed_step;
      y_.resize(e.gradient.size());
      run.problem().manifold().retract(run.point(), -alpha_ * e.gradient, y_);
      if (!run.evaluate_trial(y_))
        return run.stop(TerminationStatus::kNumericalFailure,
                        fmt::format("{} (at iteration {}; the reported point is the last valid "
                                    "one)",
                                    run.last_failure(), run.summary().iterations + 1));
    } else {
      direction_ = -e.gradient;
      const double slope = -e.gradient_norm * e.gradient_norm;  // dE/dα at α = 0
      if (!run.backtrack(direction_, slope, alpha_, options_.sufficient_decrease,
                         options_.backtracking_factor, options_.max_backtracks))
        return run.stop_without_step(
            fmt::format("no sufficient decrease after {} backtracks "
                        "(step {:.3e})",
                        options_.max_backtracks, alpha_));
    }
    const double previous = e.value;
    if (run.accept(alpha_, run.time() + alpha_)) return true;  // the clock advances by Σα
    if (options_.step_rule == StepRule::kArmijo) alpha_ = std::min(2.0 * alpha_, options_.max_step);
    const double change =
        std::abs(previous - run.evaluation().value) / std::max(1.0, std::abs(previous));
    if (options_.relative_change_tolerance > 0.0 && change <= options_.relative_change_tolerance)
      return run.stop(TerminationStatus::kConverged,
                      fmt::format("relative decrease {:.3e} <= tolerance {:.3e}", change,
                                  options_.relative_change_tolerance));
    return false;
  }

 private:
  const GradientDescentOptions& options_;
  double alpha_;
  Vector y_, direction_;
};

}  // namespace

Summary gradient_descent(const Problem& problem, const Vector& x0,
                         const GradientDescentOptions& options) {
  options.validate();
  SolverDriver run(
      problem, x0, options, options.trajectory,
      {"gradient-descent (" + to_string(options.step_rule) + ")", "gd",
       options.step_rule == StepRule::kFixed ? StepKind::kFixedStep : StepKind::kSafeguarded});
  GradientDescentStepper stepper(options);
  return run.run(stepper);
}

}  // namespace riemopt
