// Truncated conjugate gradients (Steihaug–Toint) for the trust-region and Newton subproblems
//   minimize m(η) = ⟨∇E, η⟩ + ½ ⟨η, H η⟩   subject to ‖η‖_g ≤ Δ,
// preconditioned by the metric: z = sharp(r) turns each residual (a differential) into a tangent
// vector, so the iteration is conjugate gradients in the metric g and the norms it controls are
// ‖·‖_g. The g-norms of the iterates come from the recurrences of Conn, Gould & Toint (Trust
// Region Methods, §7.5), which need only sharp, never flat: that keeps the solvers usable where
// G is ill-conditioned (DLN near rank deficiency).
//
// Stops on: the residual test ‖r‖_{g*} ≤ ‖r_0‖_{g*}·min(forcing, ‖r_0‖^θ) (θ = 1: quadratic
// local convergence), negative curvature, the trust-region boundary, or the iteration budget.
//
//   riemopt::TruncatedCgResult step = riemopt::truncated_cg(
//       [&](const riemopt::Vector& v, riemopt::Vector& hv) { hess.apply(v, hv); },
//       [&](const riemopt::Vector& r, riemopt::Vector& z) { metric.sharp(x, r, z); }, df, radius,
//       {});
#pragma once

#include <functional>
#include <limits>
#include <string>

#include "riemopt/types.hpp"

namespace riemopt {

enum class CgStop { kResidual, kNegativeCurvature, kBoundary, kMaxIterations };
std::string to_string(CgStop stop);

struct TruncatedCgOptions {
  int max_iterations = 1000;
  double forcing = 0.1;  // κ: relative residual cap
  double theta = 1.0;    // the exponent of the superlinear test
};

struct TruncatedCgResult {
  Vector eta;                   // the step
  Vector hessian_eta;           // H η
  double model_decrease = 0;    // m(0) − m(η) = −⟨∇E, η⟩ − ½⟨η, Hη⟩
  double eta_norm_squared = 0;  // ‖η‖²_g (by the recurrences)
  int iterations = 0;
  CgStop stop = CgStop::kResidual;
};

using LinearMap = std::function<void(const Vector&, Vector&)>;

// `hessian(v, out)`: out = H v; `sharp(r, out)`: out = G⁻¹ r; `df` = ∇E(x); radius Δ > 0 (may be
// +∞: Newton). On negative curvature at the first iteration the step is the Cauchy-like steepest
// descent direction −grad scaled to the boundary (or, with Δ = ∞, −grad itself).
TruncatedCgResult truncated_cg(const LinearMap& hessian, const LinearMap& sharp, const Vector& df,
                               double radius, const TruncatedCgOptions& options);

}  // namespace riemopt
