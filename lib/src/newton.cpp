#include "riemopt/newton.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "newton_equation.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/solver_driver.hpp"
#include "riemopt/truncated_cg.hpp"

namespace riemopt {

void NewtonOptions::validate() const {
  SolverOptions::validate();
  require(max_cg_iterations >= 1, "options.max_cg_iterations must be >= 1 (got {})",
          max_cg_iterations);
  require(forcing > 0.0 && forcing < 1.0, "options.forcing must be in (0, 1) (got {})", forcing);
  require(sufficient_decrease > 0.0 && sufficient_decrease < 1.0,
          "options.sufficient_decrease must be in (0, 1) (got {})", sufficient_decrease);
  require(backtracking_factor > 0.0 && backtracking_factor < 1.0,
          "options.backtracking_factor must be in (0, 1) (got {})", backtracking_factor);
  require(max_backtracks >= 1, "options.max_backtracks must be >= 1 (got {})", max_backtracks);
  trajectory.validate();
}

namespace {

// One iteration: the Newton equation solved by truncated CG, then a backtracking line search
// along its solution (steepest descent where it is not a descent direction).
class NewtonStepper final : public Stepper {
 public:
  explicit NewtonStepper(const NewtonOptions& options)
      : options_(options), cg_{options.max_cg_iterations, options.forcing, 1.0} {}

  bool step(SolverDriver& run) override {
    const Problem& problem = run.problem();
    const Problem::Evaluation& e = run.evaluation();
    TruncatedCgResult step;
    try {
      step = detail::solve_newton_equation(problem, run.point(), e.euclidean_gradient,
                                           options_.hessian,
                                           std::numeric_limits<double>::infinity(), cg_, covector_);
    } catch (const std::exception& ex) {
      return run.stop(TerminationStatus::kNumericalFailure,
                      fmt::format("the Newton equation could not be formed at iteration {}: {}",
                                  run.summary().iterations + 1, ex.what()));
    }
    Vector eta = std::move(step.eta);
    double slope = covector_.dot(eta);
    if (!(slope < 0.0) || !eta.allFinite()) {  // not a descent direction: steepest descent
      eta = -e.gradient;
      slope = -e.gradient_norm * e.gradient_norm;
    }
    double alpha = 1.0;
    if (!run.backtrack(eta, slope, alpha, options_.sufficient_decrease,
                       options_.backtracking_factor, options_.max_backtracks))
      return run.stop_without_step(
          fmt::format("no sufficient decrease along the Newton direction "
                      "after {} backtracks (CG stopped on {})",
                      options_.max_backtracks, to_string(step.stop)));
    return run.accept(alpha, run.time() + 1.0);
  }

 private:
  const NewtonOptions& options_;
  TruncatedCgOptions cg_;
  Vector covector_;  // ∇E restricted to the tangent space
};

}  // namespace

Summary newton(const Problem& problem, const Vector& x0, const NewtonOptions& options) {
  options.validate();
  SolverDriver run(problem, x0, options, options.trajectory,
                   {"newton (" + detail::hessian_kind(problem, x0, options.hessian) + " Hessian)",
                    "newton", StepKind::kSafeguarded});
  NewtonStepper stepper(options);
  return run.run(stepper);
}

}  // namespace riemopt
