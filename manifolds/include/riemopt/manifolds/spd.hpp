// The manifold of symmetric positive definite matrices SPD(n) = {X ∈ R^{n×n} : X = Xᵀ ≻ 0}, an
// open subset of the symmetric matrices, embedded in R^{n×n} (tangent space: the symmetric
// matrices; docs/MATH.md §11), with two metrics on the one manifold:
//
//   affine-invariant   g_X(U, V) = tr(X⁻¹ U X⁻¹ V)
//                      sharp(∇f) = X sym(∇f) X, flat(V) = X⁻¹ V X⁻¹, whiten(ξ) = X^{1/2} ξ X^{1/2}
//                      Exp_X(V) = X^{1/2} expm(X^{−1/2} V X^{−1/2}) X^{1/2}, Log_X(Y) likewise
//                      with logm, distance ‖logm(X^{−1/2} Y X^{−1/2})‖_F (spd_distance)
//   Bures–Wasserstein  g_X(U, V) = ½ tr(L_X[U] V), L_X[U] the solution of X L + L X = U
//                      sharp(∇f) = 2(X S + S X) with S = sym(∇f), flat(V) = ½ L_X[V]; in the
//                      eigenbasis X = Q Λ Qᵀ, L_X[U] has entries Ũ_ij/(λ_i + λ_j)
//                      (the metric of optimal transport between centred Gaussians)
//
// Both metrics give Riemannian Hessians (Newton, trust region) through their Levi-Civita
// connections, as covectors on tangent V for D = sym(∇f) (Metric::christoffel, MATH §11):
//   affine-invariant   Γ(V, W) = −sym(V X⁻¹ W):  christoffel(X, V, D) = −sym(X⁻¹ V D)
//   Bures–Wasserstein  from Koszul's formula with L_V = L_X[V] and G = sharp(D) = 2(XD + DX):
//                      christoffel(X, V, D) = sym(−½ L_X[VD + DV] − ½(D L_V + L_V D)
//                                                 + ¼ L_X[G L_V + L_V G])
//
// The manifold's retraction is the affine-invariant exponential, its inverse the logarithm (any
// retraction serves the first-order solvers under either metric); the tangent projection is
// sym(U) = (U + Uᵀ)/2, and the nearest point of a nearby matrix is sym(Y) with its eigenvalues kept
// positive. Both metrics map the symmetric matrices to themselves, so the Riemannian gradient is
// sharp(sym ∇f) with no projection solve (Metric::sharp_keeps_tangent_spaces). Each point caches
// its eigen-decomposition (one per point, shared by the metric and the maps).
//
//   riemopt::Geometry g = riemopt::spd_geometry(10);                           // affine-invariant
//   riemopt::Geometry w = riemopt::spd_geometry(10, riemopt::SpdMetric::kBuresWasserstein);
#pragma once

#include "riemopt/geometry.hpp"
#include "riemopt/manifold.hpp"
#include "riemopt/metric.hpp"

namespace riemopt {

class SymmetricPositiveDefinite final : public Manifold {
 public:
  // SPD(n). Throws InvalidArgument unless n >= 1.
  explicit SymmetricPositiveDefinite(Eigen::Index n);

  std::string name() const override;
  ManifoldKind kind() const override { return ManifoldKind::kEmbedded; }
  Eigen::Index ambient_size() const override { return n_ * n_; }
  Eigen::Index dimension() const override { return n_ * (n_ + 1) / 2; }
  Eigen::Index rows() const override { return n_; }
  Eigen::Index cols() const override { return n_; }

  // Throws InvalidArgument unless X is symmetric (to 1e-12 relative) and positive definite.
  void validate_point(const ConstVectorRef& x) const override;
  void project(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void retract(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const override;
  void project_point(const ConstVectorRef& y, VectorRef out) const override;
  // Zero: the symmetric matrices are a linear space.
  void weingarten(const Point& x, const ConstVectorRef& v, const ConstVectorRef& g,
                  VectorRef out) const override;
  // Wishart-like: Q diag(e^{z}) Qᵀ with Q Haar and z standard normal.
  Vector random_point(Rng& rng) const override;

 private:
  Eigen::Index n_;
};

// The eigen-decomposition X = Q diag(λ) Qᵀ of a symmetric positive definite point, cached in the
// point (computed once per position). Throws InvalidArgument when X is not positive definite.
struct SpdEigen {
  Matrix q;
  Vector lambda;
};
const SpdEigen& spd_eigen_of(const Point& x);

enum class SpdMetric { kAffineInvariant, kBuresWasserstein };
std::string to_string(SpdMetric metric);

class AffineInvariantMetric final : public Metric {
 public:
  std::string name() const override { return "affine-invariant metric"; }
  void sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const override;
  void flat(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const override;
  bool sharp_keeps_tangent_spaces() const override { return true; }
  // The Levi-Civita connection on SPD (see above), for Newton and the trust region.
  bool has_christoffel() const override { return true; }
  void christoffel(const Point& x, const ConstVectorRef& v, const ConstVectorRef& df,
                   VectorRef out) const override;
  bool has_connection_on(const Manifold& manifold) const override;
};

class BuresWassersteinMetric final : public Metric {
 public:
  std::string name() const override { return "Bures-Wasserstein metric"; }
  void sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const override;
  void flat(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const override;
  bool sharp_keeps_tangent_spaces() const override { return true; }
  // The Levi-Civita connection on SPD (see above), for Newton and the trust region.
  bool has_christoffel() const override { return true; }
  void christoffel(const Point& x, const ConstVectorRef& v, const ConstVectorRef& df,
                   VectorRef out) const override;
  bool has_connection_on(const Manifold& manifold) const override;
};

// The affine-invariant geodesic distance ‖logm(X^{−1/2} Y X^{−1/2})‖_F between SPD matrices.
double spd_distance(const Matrix& x, const Matrix& y);

Geometry spd_geometry(Eigen::Index n, SpdMetric metric = SpdMetric::kAffineInvariant);

}  // namespace riemopt
