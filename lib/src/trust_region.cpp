#include "riemopt/trust_region.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "newton_equation.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/solver_driver.hpp"
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

namespace {

// One accepted step of the Riemannian trust region (Absil, Baker & Gallivan): truncated CG on
// the model inside the radius, the ratio of actual to predicted decrease, the radius update;
// rejected trials shrink the radius and try again.
class TrustRegionStepper final : public Stepper {
 public:
  explicit TrustRegionStepper(const TrustRegionOptions& options)
      : options_(options), cg_{options.max_cg_iterations, options.forcing, 1.0} {}

  void begin(SolverDriver& run) override {
    const double norm = run.evaluation().gradient_norm;
    radius_ = options_.initial_radius > 0.0 ? options_.initial_radius : (norm > 0.0 ? norm : 1.0);
    radius_ = std::min(radius_, options_.max_radius);
  }

  bool step(SolverDriver& run) override {
    const Problem& problem = run.problem();
    while (true) {
      const Problem::Evaluation& e = run.evaluation();
      if (radius_ < options_.min_radius * std::max(1.0, run.point().coords().norm()))
        return run.stop(
            TerminationStatus::kStepSizeTooSmall,
            fmt::format(
                "trust-region radius {:.3e} fell below min_radius{}", radius_,
                run.last_failure().empty() ? "" : " (last failure: " + run.last_failure() + ")"));
      TruncatedCgResult step;
      try {
        step = detail::solve_newton_equation(problem, run.point(), e.euclidean_gradient,
                                             options_.hessian, radius_, cg_, covector_);
      } catch (const std::exception& ex) {
        return run.stop(TerminationStatus::kNumericalFailure,
                        fmt::format("the trust-region model could not be formed at iteration "
                                    "{}: {}",
                                    run.summary().iterations + 1, ex.what()));
      }
      y_.resize(e.gradient.size());
      problem.manifold().retract(run.point(), step.eta, y_);
      double rho = -std::numeric_limits<double>::infinity();
      if (run.evaluate_trial(y_)) {
        // Both decreases are tiny near a minimizer; the regularization keeps their ratio
        // meaningful at the rounding level of E (as in Absil et al.'s GenRTR).
        const double reg =
            1e3 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(e.value));
        rho = (e.value - run.trial_evaluation().value + reg) / (step.model_decrease + reg);
        if (!(step.model_decrease >= 0.0)) rho = -1.0;  // the model went up: do not trust it
      }
      const bool on_boundary =
          step.stop == CgStop::kBoundary || step.stop == CgStop::kNegativeCurvature;
      if (rho < 0.25)
        radius_ *= 0.25;
      else if (rho > 0.75 && on_boundary)
        radius_ = std::min(2.0 * radius_, options_.max_radius);
      if (rho > options_.acceptance)
        return run.accept(std::sqrt(step.eta_norm_squared), run.time() + 1.0);
      run.count_rejected_step();
    }
  }

 private:
  const TrustRegionOptions& options_;
  TruncatedCgOptions cg_;
  double radius_ = 1.0;
  Vector covector_;  // ∇E restricted to the tangent space
  Vector y_;
};

}  // namespace

Summary trust_region(const Problem& problem, const Vector& x0, const TrustRegionOptions& options) {
  options.validate();
  SolverDriver run(
      problem, x0, options, options.trajectory,
      {"trust-region tCG (" + detail::hessian_kind(problem, x0, options.hessian) + " Hessian)",
       "trust-region", StepKind::kSafeguarded});
  TrustRegionStepper stepper(options);
  return run.run(stepper);
}

}  // namespace riemopt
