// Rank-r matrices X = L Rᵀ of size m×n in factored form (docs/MATH.md §12): the point is the pair
// (L, R) ∈ R^{m×r} × R^{n×r} of full column rank, stored as [vec L; vec R] (each column-major),
// O((m + n)r) numbers, never the m×n matrix. This is the total space of the quotient by
// L Rᵀ = (LM)(RM⁻ᵀ)ᵀ, M ∈ GL(r), an open subset of R^{(m+n)r}, with the metric of Mishra, Meyer,
// Bonnabel & Sepulchre (Comput. Stat. 29, 2014)
//   g((ξ_L, ξ_R), (η_L, η_R)) = tr(ξ_Lᵀ η_L RᵀR) + tr(ξ_Rᵀ η_R LᵀL),
// so that the gradient (∇_L E (RᵀR)⁻¹, ∇_R E (LᵀL)⁻¹) is scaled by the other factor's Gram matrix
// (a preconditioner that makes steps invariant to the balance of the factors, and horizontal for
// energies of L Rᵀ alone). Straight-line retraction; every solver that takes open subsets runs on
// it (gradient flow, gradient descent, CG, L-BFGS, Newton and trust region with a
// finite-difference Hessian, Ceres).
//
//   riemopt::Geometry g = riemopt::fixed_rank_geometry(1000, 1000, 10);
//   riemopt::Problem p(g, std::make_shared<riemopt::FactoredCompletion>(1000, 1000, 10,
//   observations));
#pragma once

#include "riemopt/geometry.hpp"
#include "riemopt/manifold.hpp"
#include "riemopt/metric.hpp"

namespace riemopt {

class FixedRankFactors final : public Manifold {
 public:
  // Throws InvalidArgument unless 1 <= r <= min(m, n).
  FixedRankFactors(Eigen::Index m, Eigen::Index n, Eigen::Index r);

  std::string name() const override;
  ManifoldKind kind() const override { return ManifoldKind::kOpenSubset; }
  Eigen::Index ambient_size() const override { return (m_ + n_) * r_; }
  Eigen::Index dimension() const override { return (m_ + n_) * r_; }
  Eigen::Index m() const { return m_; }
  Eigen::Index n() const { return n_; }
  Eigen::Index rank() const { return r_; }

  // Throws InvalidArgument for non-finite entries or a factor without full column rank.
  void validate_point(const ConstVectorRef& x) const override;
  // Gaussian factors scaled by 1/√r.
  Vector random_point(Rng& rng) const override;

  // The factors of x (views into its coordinates).
  ConstMatrixMap left(const ConstVectorRef& x) const { return {x.data(), m_, r_}; }
  ConstMatrixMap right(const ConstVectorRef& x) const { return {x.data() + m_ * r_, n_, r_}; }
  // [vec L; vec R] of the factors.
  Vector pack(const Matrix& left, const Matrix& right) const;

 private:
  Eigen::Index m_, n_, r_;
};

// The metric above. sharp/flat/whiten act on (ξ_L, ξ_R) through the r×r Gram matrices, O((m+n)r²).
class FactorGramMetric final : public Metric {
 public:
  explicit FactorGramMetric(std::shared_ptr<const FixedRankFactors> manifold);
  std::string name() const override { return "factor-Gram (Mishra et al.) metric"; }
  void sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const override;
  void flat(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const override;

 private:
  std::shared_ptr<const FixedRankFactors> manifold_;
};

Geometry fixed_rank_geometry(Eigen::Index m, Eigen::Index n, Eigen::Index r);

}  // namespace riemopt
