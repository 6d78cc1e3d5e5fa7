// Riemannian Hessian-vector products for the second-order solvers (Newton, trust region).
//
// The solvers work with the Hessian as a symmetric bilinear form in ambient coordinates,
//   H v = ∇²E(x) v − Γ(x)(v, ∇E(x))          (metric.hpp: christoffel),
// and reach the operator Hess E(x)[v] = G⁻¹ H v through the metric's sharp, which they use as the
// preconditioner of conjugate gradients (truncated_cg.hpp). Two ways to get H v:
//   exact              the energy's Hessian-vector product and the metric's Christoffel symbols;
//   finite differences (∇E(x + h v) − ∇E(x − h v)) / 2h along the straight-line retraction of
//                      the ambient open set, h = ε^{1/3}·max(1, ‖x‖)/‖v‖. This is ∇²E v to
//                      O(h²) and omits the Christoffel term Γ(v, ∇E), which vanishes at critical
//                      points: Newton's local quadratic rate is kept, and far from critical
//                      points the trust-region ratio test absorbs the model error.
// kAuto takes the exact products when both the energy and the metric supply them.
//
// On an embedded manifold with the metric the ambient Euclidean one induces, H v is the Riemannian
// Hessian itself, a tangent vector:
//   exact              P_x(∇²E(x) v) + weingarten(x, v, ∇E(x))     (manifold.hpp);
//   finite differences P_x[(P∇E)(x + h v) − (P∇E)(x − h v)] / 2h, the derivative of the
//                      projected field, which holds the Weingarten term too.
// On an embedded manifold that is an open subset of a linear subspace (SPD in the symmetric
// matrices) with a metric of its own (Metric::has_connection_on), the exact form subtracts the
// metric's Christoffel term as on an open subset, P_x(∇²E v) − Γ(v, ∇E), and finite differences
// omit it as they do there.
// Its input v must be tangent; Newton and the trust region keep their iterates tangent through
// Problem::riemannian_sharp, the projection there.
//
//   riemopt::HessianOperator hess(problem, x, euclidean_gradient);
//   riemopt::Vector hv(x.size());
//   hess.apply(v, hv);
#pragma once

#include <string>

#include "riemopt/problem.hpp"

namespace riemopt {

enum class HessianMode { kAuto, kExact, kFiniteDifference };
std::string to_string(HessianMode mode);

class HessianOperator {
 public:
  // `df` is ∇E(x). Throws InvalidArgument for kExact when the energy has no Hessian or the
  // metric no Christoffel symbols (open subsets), and for any mode on an embedded or quotient
  // manifold where the metric's connection is not known (Metric::has_connection_on).
  HessianOperator(const Problem& problem, const Point& x, const Vector& df, HessianMode mode);

  // out = H v (the bilinear form applied to v). May throw what the energy throws.
  void apply(const ConstVectorRef& v, VectorRef out) const;
  bool exact() const { return exact_; }
  // Gradient evaluations spent by finite differences so far.
  std::int64_t gradient_evaluations() const { return gradient_evaluations_; }

 private:
  const Problem& problem_;
  const Point& x_;
  const Vector& df_;
  // The central difference of the gradient field (projected on an embedded manifold).
  void difference_of_field(const ConstVectorRef& v, VectorRef out) const;
  bool exact_;
  bool embedded_ = false;
  bool christoffel_ = false;  // subtract the metric's Christoffel term on an embedded manifold
  mutable Point probe_;
  mutable Vector plus_, minus_, field_;
  mutable std::int64_t gradient_evaluations_ = 0;
};

}  // namespace riemopt
