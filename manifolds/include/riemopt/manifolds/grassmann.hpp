// The Grassmann manifold Gr(n, p) of p-dimensional subspaces of R^n, as the quotient St(n, p)/O(p)
// of the Stiefel manifold by rotations of the basis (docs/MATH.md §11). A point is represented
// by any X with orthonormal columns spanning the subspace; a tangent vector at [X] by its
// horizontal lift V at X (XᵀV = 0), with the metric ⟨U, V⟩ = tr(UᵀV) inherited from R^{n×p}.
// Formulas:
//   horizontal projection  P_X(U) = U − X XᵀU
//   retraction             R_X(V) = the polar factor of X + V (its span is the subspace)
//   inverse retraction     V = Y (XᵀY)⁻¹ − X for any representative Y (needs XᵀY invertible)
//   transport              horizontal projection at the new representative
//   Weingarten map         W_X(V, G) = −V XᵀG, so Hess f(X)[V] = P_X(∇²f V) − V XᵀG
//   exponential            X W cos(Σ) Wᵀ + U sin(Σ) Wᵀ with V = U Σ Wᵀ (thin SVD)
//   logarithm              U atan(Σ) Wᵀ with (I − XXᵀ) Y (XᵀY)⁻¹ = U Σ Wᵀ
//   distance               ‖θ‖, θ_i = acos σ_i(XᵀY) the principal angles
// Energies must be invariant under X ↦ XQ (Q orthogonal); the solvers then work on subspaces. With
// f(X) = tr(XᵀAX) the minimizer spans the eigenvectors of the p smallest eigenvalues of A.
//
//   riemopt::Geometry g = riemopt::grassmann_geometry(100, 5);
#pragma once

#include "riemopt/geometry.hpp"
#include "riemopt/manifold.hpp"

namespace riemopt {

class Grassmann final : public Manifold {
 public:
  // Points accepted by validate_point: max |XᵀX − I| within this tolerance.
  static constexpr double kOrthonormalityTolerance = 1e-10;

  // Gr(n, p). Throws InvalidArgument unless 1 <= p <= n.
  Grassmann(Eigen::Index n, Eigen::Index p);

  std::string name() const override;
  ManifoldKind kind() const override { return ManifoldKind::kQuotient; }
  Eigen::Index ambient_size() const override { return n_ * p_; }
  Eigen::Index dimension() const override { return p_ * (n_ - p_); }
  Eigen::Index rows() const override { return n_; }
  Eigen::Index cols() const override { return p_; }

  void validate_point(const ConstVectorRef& x) const override;
  void project(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void retract(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  // Throws NumericalError when XᵀY is singular (a subspace with a direction orthogonal to X's).
  void inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const override;
  void project_point(const ConstVectorRef& y, VectorRef out) const override;
  void weingarten(const Point& x, const ConstVectorRef& v, const ConstVectorRef& g,
                  VectorRef out) const override;
  bool has_exponential() const override { return true; }
  void exponential(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  bool has_logarithm() const override { return true; }
  void logarithm(const Point& x, const ConstVectorRef& y, VectorRef out) const override;
  Vector random_point(Rng& rng) const override;

  // The geodesic distance between the subspaces spanned by x and y: the norm of their principal
  // angles.
  double distance(const ConstVectorRef& x, const ConstVectorRef& y) const;

 private:
  Eigen::Index n_;
  Eigen::Index p_;
};

// Gr(n, p) with the metric inherited from R^{n×p} on horizontal lifts.
Geometry grassmann_geometry(Eigen::Index n, Eigen::Index p);

}  // namespace riemopt
