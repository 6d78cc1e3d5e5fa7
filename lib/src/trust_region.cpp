#include "riemopt/trust_region.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "iteration_driver.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/truncated_cg.hpp"

namespace riemopt {

void TrustRegionOptions::validate() const {
  SolverOptions::validate();
  require(std::isfinite(initial_radius) && initial_radius >= 0.0,
          "options.initial_radius must be finite and >= 0 (0: automatic) (got {})", initial_radius);
  require(!std::isnan(max_radius) && max_radius > 0.0, "options.max_radius must be > 0 (got {})",
          max_radius);
  require(std::isfinite(min_radius) && min_radius > 0.0,
          "options.min_radius must be finite and > 0 (got {})", min_radius);
  require(acceptance >= 0.0 && acceptance < 0.25,
          "options.acceptance must be in [0, 0.25) (got {})", acceptance);
  require(max_cg_iterations >= 1, "options.max_cg_iterations must be >= 1 (got {})",
          max_cg_iterations);
  require(forcing > 0.0 && forcing < 1.0, "options.forcing must be in (0, 1) (got {})", forcing);
  trajectory.validate();
}

Summary trust_region(const Problem& problem, const Vector& x0, const TrustRegionOptions& options) {
  options.validate();
  detail::IterationDriver run(problem, x0, options, options.trajectory, "trust-region",
                              "trust-region");
  const bool exact =
      HessianOperator(problem, run.x, Vector::Zero(x0.size()), options.hessian).exact();
  run.summary.solver =
      fmt::format("trust-region tCG ({} Hessian)", exact ? "exact" : "finite-difference");
  if (!run.start()) return run.finish_failed_start();
  const Manifold& manifold = problem.manifold();
  const TruncatedCgOptions cg{options.max_cg_iterations, options.forcing, 1.0};
  Vector covector(x0.size());  // ∇E restricted to the tangent space
  double radius = options.initial_radius > 0.0
                      ? options.initial_radius
                      : (run.e.gradient_norm > 0.0 ? run.e.gradient_norm : 1.0);
  radius = std::min(radius, options.max_radius);
  Vector y(x0.size());
  while (true) {
    if (run.should_stop()) return run.summary;
    if (radius < options.min_radius * std::max(1.0, run.x.coords().norm()))
      return run.finish(TerminationStatus::kStepSizeTooSmall,
                        fmt::format("trust-region radius {:.3e} fell below min_radius{}", radius,
                                    run.why.empty() ? "" : " (last failure: " + run.why + ")"));
    TruncatedCgResult step;
    try {
      const HessianOperator hess(problem, run.x, run.e.euclidean_gradient, options.hessian);
      problem.tangent_covector(run.x, run.e.euclidean_gradient, covector);
      step =
          truncated_cg([&](const Vector& v, Vector& out) { hess.apply(v, out); },
                       [&](const Vector& r, Vector& z) { problem.riemannian_sharp(run.x, r, z); },
                       covector, radius, cg);
    } catch (const std::exception& ex) {
      return run.finish(TerminationStatus::kNumericalFailure,
                        fmt::format("the trust-region model could not be formed at iteration "
                                    "{}: {}",
                                    run.summary.iterations + 1, ex.what()));
    }
    manifold.retract(run.x, step.eta, y);
    run.trial.assign(y);
    double rho = -std::numeric_limits<double>::infinity();
    if (y.allFinite() && detail::try_evaluate(problem, run.trial, run.trial_eval, run.why)) {
      // Both decreases are tiny near a minimizer; the regularization keeps their ratio
      // meaningful at the rounding level of E (as in Absil et al.'s GenRTR).
      const double reg =
          1e3 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(run.e.value));
      rho = (run.e.value - run.trial_eval.value + reg) / (step.model_decrease + reg);
      if (!(step.model_decrease >= 0.0)) rho = -1.0;  // the model went up: do not trust it
    }
    const bool on_boundary =
        step.stop == CgStop::kBoundary || step.stop == CgStop::kNegativeCurvature;
    if (rho < 0.25)
      radius *= 0.25;
    else if (rho > 0.75 && on_boundary)
      radius = std::min(2.0 * radius, options.max_radius);
    if (rho > options.acceptance) {
      if (run.accept(std::sqrt(step.eta_norm_squared), 1.0)) return run.summary;
    } else {
      ++run.summary.rejected_steps;
    }
  }
}

}  // namespace riemopt
