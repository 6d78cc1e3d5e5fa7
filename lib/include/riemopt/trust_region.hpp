// The Riemannian trust-region method (Absil, Baker & Gallivan 2007) with the truncated
// conjugate-gradient (Steihaug–Toint) inner solver, on open subsets with any metric and on
// embedded manifolds with the induced metric (hessian_operator.hpp).
//
// Model m(η) = E(x) + ⟨∇E, η⟩ + ½⟨η, Hη⟩ on the ball ‖η‖_g ≤ Δ (the metric's norm, so swapping
// the geometry changes the shape of the trust region); the step is retracted, ρ = actual/predicted
// decrease decides acceptance (ρ > acceptance) and the radius (×¼ below ρ = ¼, ×2 above ¾ on the
// boundary, capped at max_radius). Hessian-vector products as for Newton (hessian_operator.hpp).
// Near a nondegenerate minimizer CG solves the Newton equation inside the region and convergence
// is quadratic. The trajectory's time axis is the iteration index.
//
//   riemopt::TrustRegionOptions options;
//   riemopt::Summary s = riemopt::trust_region(problem, x0, options);
#pragma once

#include <limits>

#include "riemopt/hessian_operator.hpp"
#include "riemopt/solver_options.hpp"
#include "riemopt/solver_summary.hpp"
#include "riemopt/trajectory.hpp"

namespace riemopt {

struct TrustRegionOptions : SolverOptions {
  HessianMode hessian = HessianMode::kAuto;
  // Δ₀; 0 means ‖grad E(x₀)‖_g (one gradient's length), or 1 where that vanishes. >= 0.
  double initial_radius = 0.0;
  double max_radius = std::numeric_limits<double>::infinity();  // > 0
  // The solve stops (kStepSizeTooSmall) when Δ falls below min_radius·max(1, ‖x‖). > 0.
  double min_radius = 1e-15;
  double acceptance = 0.1;       // ρ' in [0, ¼)
  int max_cg_iterations = 1000;  // >= 1
  double forcing = 0.1;          // in (0, 1)
  TrajectoryOptions trajectory;

  void validate() const;
};

Summary trust_region(const Problem& problem, const Vector& x0,
                     const TrustRegionOptions& options = {});

}  // namespace riemopt
