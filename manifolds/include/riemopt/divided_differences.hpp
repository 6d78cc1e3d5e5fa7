// The DLN divided difference h_N(a, b) (docs/MATH.md §3, §3.1), accurate at and near a = b.
//
//   h_N(a, b) = (a² − b²)/(a^{2/N} − b^{2/N}) = Σ_{m=0}^{N−1} a^{2m/N} b^{2(N−1−m)/N},
//   h_N(a, a) = N a^{2−2/N},
//   h_∞(a, b) = (a² − b²)/(log a² − log b²)  (logarithmic mean of a², b²), h_∞(a, a) = a².
//
// The quotient form cancels catastrophically when a ≈ b. With a ≥ b and δ = log(a/b) we use
//   h_N = a^{2−2/N} · expm1(−2δ)/expm1(−2δ/N),   h_∞ = a² · (−expm1(−2δ))/(2δ),
// which has full relative accuracy for every δ ≥ 0, costs O(1) in N, is exact at δ = 0 and
// extends continuously to b = 0 (h_N(a, 0) = a^{2−2/N}, h_∞(a, 0) = 0).
//
//   double h = riemopt::dln_divided_difference(2.0, 1.0, riemopt::Depth::finite(3));
#pragma once

#include "riemopt/depth.hpp"
#include "riemopt/types.hpp"

namespace riemopt {

// h_N(a, b) for a, b >= 0. Throws InvalidArgument on negative or non-finite arguments.
double dln_divided_difference(double a, double b, Depth depth);

// H_kl = h_N(sigma_k, sigma_l) for all pairs (sigma >= 0, any order). `H` is resized.
void dln_divided_difference_matrix(const ConstVectorRef& sigma, Depth depth, Matrix& H);

}  // namespace riemopt
