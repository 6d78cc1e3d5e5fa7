// The Riemannian Hessian of a problem's energy, assembled densely (for small dimensions: the
// chamber, tests, linearizations). With the metric's Christoffel symbols (metric.hpp),
//
//   form:     H_ij = ∂_i∂_j E − Σ_k Γ^k_ij ∂_k E          (a symmetric bilinear form),
//   operator: G⁻¹ H                                       (the map v ↦ ∇_v grad E).
//
// At a critical point the Christoffel term vanishes and −(G⁻¹H) is the linearization of the
// gradient flow ẋ = −grad E, whose eigenvalues are the flow's rates (docs/MATH.md §7, Thm 1.3).
//
//   riemopt::Problem problem(riemopt::dln_chamber(3, riemopt::Depth::finite(3)), entropy);
//   riemopt::Matrix h = riemopt::riemannian_hessian_form(problem, sigma);
#pragma once

#include "riemopt/point.hpp"
#include "riemopt/problem.hpp"
#include "riemopt/types.hpp"

namespace riemopt {

// On an embedded manifold (with the metric the ambient Euclidean one induces) the form is
// P H P in ambient coordinates, H the Riemannian Hessian with its Weingarten term
// (hessian_operator.hpp): its restriction to the tangent space is the Hessian, and it is zero on
// the normal space (so its spectrum is the Hessian's plus ambient_size() − dimension() zeros).
//
// Throws InvalidArgument unless the energy has Hessian-vector products and, on an open subset,
// the metric has Christoffel symbols, or, elsewhere, the metric is the ambient Euclidean one.
Matrix riemannian_hessian_form(const Problem& problem, const Point& x);
// Problem::riemannian_sharp applied to each column of the form.
Matrix riemannian_hessian_operator(const Problem& problem, const Point& x);

}  // namespace riemopt
