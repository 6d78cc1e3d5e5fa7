// Metrics on the chamber of singular values (docs/MATH.md §4), all diagonal:
//
//   Euclidean     g = Σ dσ_k²,
//   DLN depth N   g_N = Σ dσ_k² / (N σ_k^{2−2/N})   (the image of the DLN metric on GL_d under
//                                                   X ↦ σ(X), a Riemannian submersion),
//   infinite      g_∞ = Σ dσ_k² / σ_k².
//
// So sharp multiplies by w_k = N σ_k^{2−2/N} (σ_k², 1): the chamber flow is σ̇_k = −w_k ∂_k F.
// The only nonzero Christoffel symbols are Γ^k_kk = −κ/σ_k with κ = 1 − 1/N (∞: 1, Euclidean:
// 0), so the Riemannian Hessian (bilinear form) is ∇²f + diag(κ ∂_k f / σ_k).
// Depth 1 is the Euclidean metric.
//
//   riemopt::Geometry g = riemopt::dln_chamber(3, riemopt::Depth::finite(4));
//   riemopt::Geometry e = riemopt::euclidean_chamber(3);
#pragma once

#include <optional>

#include "riemopt/depth.hpp"
#include "riemopt/geometry.hpp"
#include "riemopt/metric.hpp"

namespace riemopt {

class ChamberMetric final : public Metric {
 public:
  // The Euclidean chamber metric.
  ChamberMetric() = default;
  // The DLN chamber metric of depth N (or infinite depth).
  explicit ChamberMetric(Depth depth) : depth_(depth) {}

  std::string name() const override;
  // Empty for the Euclidean metric.
  std::optional<Depth> depth() const { return depth_; }

  using Metric::flat;
  using Metric::sharp;
  using Metric::whiten;
  void sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const override;
  // Throws NumericalError at σ_k <= 0 for the DLN metrics (the metric is singular there).
  void flat(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const override;
  bool has_christoffel() const override { return true; }
  void christoffel(const Point& x, const ConstVectorRef& v, const ConstVectorRef& df,
                   VectorRef out) const override;

  // Langevin's volume terms (docs/MATH.md §13): log √det G = −½ Σ log w(σ_k) (NumericalError at
  // σ_k <= 0 for the DLN metrics), and the drift correction ½ w'(σ_k) = κ w(σ_k)/σ_k.
  bool has_volume_terms() const override { return true; }
  double log_volume_density(const Point& x) const override;
  void volume_drift(const Point& x, VectorRef out) const override;

  // w_k = N σ_k^{2−2/N} (σ_k² at infinite depth, 1 for Euclidean): g = Σ dσ_k²/w_k.
  double weight(double sigma) const;
  // ½ w'(σ): (N−1) σ^{1−2/N} (σ at infinite depth, 0 for Euclidean).
  double half_weight_derivative(double sigma) const;
  // κ in Γ^k_kk = −κ/σ_k.
  double connection_coefficient() const;
  // The nonzero Christoffel symbols Γ^k_kk(σ), k = 1..d.
  Vector christoffel_symbols(const ConstVectorRef& sigma) const;

 private:
  std::optional<Depth> depth_;
};

// The chamber of width d with the Euclidean metric, and with the DLN metric of a depth.
Geometry euclidean_chamber(Eigen::Index d);
Geometry dln_chamber(Eigen::Index d, Depth depth);

}  // namespace riemopt
