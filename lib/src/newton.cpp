#include "riemopt/newton.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "iteration_driver.hpp"
#include "riemopt/errors.hpp"
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

Summary newton(const Problem& problem, const Vector& x0, const NewtonOptions& options) {
  options.validate();
  detail::IterationDriver run(problem, x0, options, options.trajectory, "newton", "newton");
  // Refuses unsupported geometries and an impossible kExact before any work.
  const bool exact =
      HessianOperator(problem, run.x, Vector::Zero(x0.size()), options.hessian).exact();
  run.summary.solver = fmt::format("newton ({} Hessian)", exact ? "exact" : "finite-difference");
  if (!run.start()) return run.finish_failed_start();
  const TruncatedCgOptions cg{options.max_cg_iterations, options.forcing, 1.0};
  Vector covector(x0.size());  // ∇E restricted to the tangent space
  while (true) {
    if (run.should_stop()) return run.summary;
    TruncatedCgResult step;
    try {
      const HessianOperator hess(problem, run.x, run.e.euclidean_gradient, options.hessian);
      problem.tangent_covector(run.x, run.e.euclidean_gradient, covector);
      step =
          truncated_cg([&](const Vector& v, Vector& out) { hess.apply(v, out); },
                       [&](const Vector& r, Vector& z) { problem.riemannian_sharp(run.x, r, z); },
                       covector, std::numeric_limits<double>::infinity(), cg);
    } catch (const std::exception& ex) {
      return run.finish(TerminationStatus::kNumericalFailure,
                        fmt::format("the Newton equation could not be formed at iteration {}: {}",
                                    run.summary.iterations + 1, ex.what()));
    }
    Vector eta = std::move(step.eta);
    double slope = covector.dot(eta);
    if (!(slope < 0.0) || !eta.allFinite()) {  // not a descent direction: steepest descent
      eta = -run.e.gradient;
      slope = -run.e.gradient_norm * run.e.gradient_norm;
    }
    double alpha = 1.0;
    const bool accepted = run.backtrack(eta, slope, alpha, options.sufficient_decrease,
                                        options.backtracking_factor, options.max_backtracks);
    if (!accepted)
      return run.finish(TerminationStatus::kStepSizeTooSmall,
                        fmt::format("no sufficient decrease along the Newton direction after {} "
                                    "backtracks (CG stopped on {})",
                                    options.max_backtracks, to_string(step.stop)));
    if (run.accept(alpha, 1.0)) return run.summary;
  }
}

}  // namespace riemopt
