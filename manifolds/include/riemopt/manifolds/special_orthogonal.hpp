// The special orthogonal group SO(n) = {X ∈ R^{n×n} : XᵀX = I, det X = 1}, embedded in R^{n×n}
// with the metric it inherits, ⟨U, V⟩ = tr(UᵀV) (the bi-invariant metric; docs/MATH.md §11). It is
// the component of St(n, n) that contains the identity, and shares Stiefel's formulas:
//   tangent projection   P_X(U) = X skew(XᵀU)
//   retraction           the polar factor of X + V (det(I + Ω) > 0 for skew Ω, so it stays in
//                        SO(n)); its inverse solves the same symmetric Sylvester equation
//   Weingarten map       W_X(V, G) = −P_X(V sym(XᵀG))
//   exponential          X expm(XᵀV);   logarithm  X logm(XᵀY) (principal; needs no eigenvalue
//                        −1 in XᵀY)
//   nearest point        U diag(1, …, 1, det(UWᵀ)) Wᵀ for Y = U Σ Wᵀ
//
//   riemopt::Geometry g = riemopt::special_orthogonal_geometry(3);
#pragma once

#include "riemopt/geometry.hpp"
#include "riemopt/manifold.hpp"
#include "riemopt/manifolds/stiefel.hpp"

namespace riemopt {

class SpecialOrthogonal final : public Manifold {
 public:
  // SO(n). Throws InvalidArgument unless n >= 1.
  explicit SpecialOrthogonal(Eigen::Index n);

  std::string name() const override;
  ManifoldKind kind() const override { return ManifoldKind::kEmbedded; }
  Eigen::Index ambient_size() const override { return n_ * n_; }
  Eigen::Index dimension() const override { return n_ * (n_ - 1) / 2; }
  Eigen::Index rows() const override { return n_; }
  Eigen::Index cols() const override { return n_; }

  // Throws InvalidArgument unless X is orthogonal (to Stiefel's tolerance) with det X > 0.
  void validate_point(const ConstVectorRef& x) const override;
  void project(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void retract(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const override;
  void project_point(const ConstVectorRef& y, VectorRef out) const override;
  void weingarten(const Point& x, const ConstVectorRef& v, const ConstVectorRef& g,
                  VectorRef out) const override;
  bool has_exponential() const override { return true; }
  void exponential(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  bool has_logarithm() const override { return true; }
  // Throws NumericalError when XᵀY is a rotation by π (no unique logarithm).
  void logarithm(const Point& x, const ConstVectorRef& y, VectorRef out) const override;
  // Haar-distributed on SO(n).
  Vector random_point(Rng& rng) const override;

 private:
  Eigen::Index n_;
  Stiefel stiefel_;  // St(n, n) with the polar retraction: the formulas SO(n) shares
};

// SO(n) with the metric inherited from R^{n×n}.
Geometry special_orthogonal_geometry(Eigen::Index n);

}  // namespace riemopt
