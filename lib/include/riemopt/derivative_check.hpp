// User-facing derivative checks (Taylor tests, as in Manopt's checkgradient/checkhessian).
//
// Gradient: along the retraction curve c(t) = R_x(t v) the remainder
//   r₁(t) = |E(c(t)) − E(x) − t ⟨grad E(x), v⟩_g|  =  |E(c(t)) − E(x) − t ∇E(x)ᵀv|
// is O(t²) when the gradient is right, O(t) when it is wrong: its log–log slope must be ≈ 2. It
// runs on any geometry: on an embedded manifold or a quotient, v is first projected onto the
// tangent (horizontal) space, the part of it the retraction sees.
// Hessian: along the straight line x + t v, r₂(t) = |E(x+tv) − E(x) − t∇Eᵀv − t²/2 vᵀ∇²E v| is
// O(t³): slope ≈ 3 (checks the energy's Euclidean Hessian-vector product).
// The slope is fitted on the best one-decade window of steps well above rounding. A remainder at
// rounding over the whole range, or one that drops abruptly to rounding and stays there (exact
// below a kink of a piecewise-polynomial energy such as Huber's), passes as "exact to rounding".
//
//   riemopt::DerivativeCheck check = riemopt::check_gradient(problem, x, v);
//   std::cout << check.report();
//   if (!check.passed) ...
#pragma once

#include <string>
#include <vector>

#include "riemopt/energy.hpp"
#include "riemopt/problem.hpp"

namespace riemopt {

struct DerivativeCheck {
  std::string kind;                // "gradient" or "hessian"
  std::vector<double> steps;       // t, decreasing
  std::vector<double> remainders;  // r(t)
  double fitted_slope = 0.0;       // least-squares slope of log r vs log t on the fitted range
  double expected_slope = 0.0;     // 2 or 3
  int fitted_points = 0;
  // > 0 when the remainder drops abruptly to rounding at this step and stays there: the
  // derivative is exact below it (a piecewise-polynomial energy whose larger steps cross a kink).
  double exact_to_rounding_below = 0.0;
  // |fitted_slope − expected| ≤ 0.1 on a decade, or r ≈ 0, or exact to rounding below a step.
  bool passed = false;
  std::string report() const;
};

// Throws InvalidArgument if v has the wrong size or is zero.
DerivativeCheck check_gradient(const Problem& problem, const Point& x, const Vector& v);
DerivativeCheck check_hessian(const Energy& energy, const Point& x, const Vector& v);

}  // namespace riemopt
