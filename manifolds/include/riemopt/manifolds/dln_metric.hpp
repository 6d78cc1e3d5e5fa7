// The Deep Linear Network metric of depth N (or infinite depth) on m×n matrices (docs/MATH.md §3).
//
//   A_{N,X}(Z) = Σ_{p=1}^{N} (XXᵀ)^{(N−p)/N} Z (XᵀX)^{(p−1)/N},   g^N_X(Z, Z) = ⟨Z, A_{N,X}⁻¹ Z⟩,
//
// so the DLN gradient flow is Ẋ = −A_{N,X}(∇E(X)). In the singular basis X = QΣRᵀ the operator is
// diagonal: A(q_k r_lᵀ) = h_N(σ_k, σ_l) q_k r_lᵀ, so with one (cached) SVD
//   A(Z) = Q (H ∘ QᵀZR) Rᵀ  + the complement terms of a rectangular X (h_N(σ, 0) = σ^{2−2/N}),
// at a cost independent of N. Infinite depth uses h_∞ (logarithmic mean; A_∞ = lim A_N/N).
//
// sharp (= A) and whiten (= A^{1/2}) are defined at every X, rank-deficient included; flat and
// inner need A invertible (X of full rank, and for infinite depth also m = n) and throw
// NumericalError otherwise. N = 1 is the Euclidean metric exactly (no SVD is taken).
//
//   riemopt::DlnMetric metric(riemopt::Depth::finite(4));
//   riemopt::Vector g = metric.sharp(x, euclidean_gradient);
#pragma once

#include "riemopt/depth.hpp"
#include "riemopt/metric.hpp"
#include "riemopt/stiffness_model.hpp"

namespace riemopt {

class DlnMetric final : public Metric, public StiffnessModel {
 public:
  explicit DlnMetric(Depth depth) : depth_(depth) {}

  std::string name() const override;
  Depth depth() const { return depth_; }

  using Metric::flat;
  using Metric::sharp;
  using Metric::whiten;

  void sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const override;
  // Square matrices: two d×d products instead of four (the input's support is sparse and only
  // the output's entries there are read). Rectangular: false (use sharp).
  // The Rosenbrock integrator's capability (stiffness_model.hpp): this metric itself.
  const StiffnessModel* stiffness_model() const override { return this; }
  bool sharp_at_support(const Point& x, const std::vector<Eigen::Index>& index,
                        const ConstVectorRef& values, VectorRef out) const override;
  // Square matrices: the eigencomponents q_k r_lᵀ of A with both h(σ_k, σ_k) and h(σ_l, σ_l)
  // small are dropped. With r the number of leading singular values kept (the smallest r with
  // every weight of the trailing block h(σ_{k≥r}, σ_{l≥r}) below `floor`), the cost is about
  // 8·r·d² instead of 4·d³: the Rosenbrock integrator's inner solves on a rank-r completion
  // problem cost O(r·d²) per iteration. Rectangular matrices, or r ≥ d/2: exactly sharp.
  void stiff_sharp(const Point& x, double floor, const ConstVectorRef& df,
                   VectorRef out) const override;
  bool stiff_sharp_at_support(const Point& x, double floor, const std::vector<Eigen::Index>& index,
                              const ConstVectorRef& values, VectorRef out) const override;
  // Square matrices: the spectral part is added on the diagonal of QᵀZR, so it costs no product,
  // and the pairing is Σ h_kl T_kl² in the singular basis. Rectangular: the default.
  bool has_split_sharp() const override { return true; }
  double sharp_split(const Point& x, const ConstVectorRef& df, const ConstVectorRef& spectral,
                     VectorRef out) const override;
  void flat(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const override;

  // Langevin's volume terms on square d×d matrices (docs/MATH.md §13), from the cached SVD:
  //   log √det G = −½ Σ_k log w(σ_k) − Σ_{i<j} log h_N(σ_i, σ_j),  w(σ) = h_N(σ, σ),
  //   volume_drift = U diag(½ w'(σ)) Vᵀ = (N − 1) U Σ^{1−2/N} Vᵀ   (infinite depth: X itself;
  //                                                                  depth 1: zero).
  // The divergence of A_{N,X} and A_{N,X} ∇log √det G cancel except for that diagonal term, so
  // the correction is the chamber's, carried by the singular vectors. Rectangular matrices
  // throw InvalidArgument (no closed form here; langevin.hpp has a finite-difference fallback);
  // log_volume_density throws NumericalError at singular X (depth >= 2: the density is infinite).
  bool has_volume_terms() const override { return true; }
  double log_volume_density(const Point& x) const override;
  void volume_drift(const Point& x, VectorRef out) const override;

 private:
  // Applies Q (F(H) ∘ QᵀZR) Rᵀ + complement terms with weights F(h(σ, 0)), F ∈ {id, 1/·, √·}.
  // With `spectral` (square X and F = id only), Z + Q diag(spectral) Rᵀ is applied and the
  // pairing ⟨that, out⟩ is returned; otherwise the return value is 0.
  enum class Power { kOne, kMinusOne, kHalf };
  double apply(const Point& x, const ConstVectorRef& z, Power power, const char* caller,
               VectorRef out, const ConstVectorRef* spectral = nullptr) const;

  Depth depth_;
};

}  // namespace riemopt
