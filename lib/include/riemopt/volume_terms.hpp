// The volume terms of a metric by finite differences (docs/MATH.md §13), for Langevin sampling with
// metrics that have no closed forms, and to check the closed forms.
//
// With K(x) = G_x⁻¹ assembled column by column from sharp (n calls at each point):
//   log √|g|(x) = −½ log det K(x),
//   c^i(x) = Σ_j ∂_j K^{ij}(x) + Σ_j K^{ij}(x) ∂_j log √|g|(x),
// the derivatives by central differences with step h = relative_step · ‖x‖_∞ (accurate to about
// (h/σ)² where the metric varies on the scale σ, e.g. the smallest singular value).
// Cost: 2n + 1 points, n sharps at each: for small ambient dimensions only.
//
//   riemopt::VolumeTerms t = riemopt::finite_difference_volume_terms(geometry, x);
//   // t.log_volume_density, t.drift
#pragma once

#include "riemopt/geometry.hpp"

namespace riemopt {

struct VolumeTerms {
  double log_volume_density = 0.0;  // log √det G_x
  Vector drift;                     // |g|^{−1/2} ∂_j(|g|^{1/2} G⁻¹_{·j})
};

// The metric's closed forms (Metric::log_volume_density, Metric::volume_drift).
VolumeTerms closed_form_volume_terms(const Geometry& geometry, const Point& x);

// Throws InvalidArgument unless the manifold is an open subset and relative_step is in
// (0, 0.1]; NumericalError where the cometric is not positive definite (det K <= 0).
VolumeTerms finite_difference_volume_terms(const Geometry& geometry, const Point& x,
                                           double relative_step = 1e-5);

}  // namespace riemopt
