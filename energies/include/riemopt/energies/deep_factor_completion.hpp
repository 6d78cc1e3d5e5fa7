// Matrix completion on the factors of a deep linear network, from the observed entries only
// (docs/MATH.md §2 and §12): for W = (W_1, …, W_N) of widths n = d_0 → d_1 → … → d_N = m, N ≥ 2,
//   E(W) = c Σ_{(i,j)∈Ω} (φ(W)_ij − M_ij)²,   φ(W) = W_N ⋯ W_1 = L R,  L = W_N⋯W_2,  R = W_1,
// with c = ½ (half sum) or 1/|Ω| (mean), as MatrixCompletion. The gradient is
//   ∇_{W_1} E = Lᵀ S,   ∇_{W_p} E = (W_N⋯W_{p+1})ᵀ (S W_1ᵀ) (W_{p−1}⋯W_2)ᵀ  (p ≥ 2),
// S = 2c × the sparse matrix of residuals on Ω. It never forms an m×n matrix: one evaluation costs
// O(|Ω| d_1) for the residuals and the two sparse products (observed_entry_kernels.hpp, at the
// CPU's vector width), plus O(N (m + n) d²) for the dense ones (d the largest inner width), each
// one dgemm straight into its destination, with buffers kept in the point's cache. With
// narrow inner widths d_1 = … = d_{N−1} = w ≪ min(m, n) that is what makes completion at the size
// of MovieLens-1M (6040×3706, 10⁶ entries) cost megabytes instead of gigabytes.
//
// Numerically it is the same energy as PulledBackEnergy(MatrixCompletion, space); only the
// summation order differs (tests: test_deep_factor_completion.cpp).
//
//   auto space = std::make_shared<riemopt::ParameterSpace>(
//       std::vector<Eigen::Index>{n, 32, 32, m});          // depth 3, width 32
//   riemopt::Problem training(riemopt::parameter_space_geometry(space),
//       std::make_shared<riemopt::DeepFactorCompletion>(space, observations));
#pragma once

#include <memory>
#include <vector>

#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/manifolds/factored_product.hpp"
#include "riemopt/manifolds/parameter_space.hpp"

namespace riemopt {

class DeepFactorCompletion final : public Energy {
 public:
  // Throws InvalidArgument on a null space, a depth < 2 (at depth 1 W_1 is the matrix itself:
  // use MatrixCompletion), an empty set, an index outside the d_N × d_0 matrix, a non-finite
  // value or an entry observed twice (naming the observation).
  DeepFactorCompletion(
      std::shared_ptr<const ParameterSpace> space, std::vector<Observation> observations,
      MatrixCompletion::Normalization normalization = MatrixCompletion::Normalization::kHalfSum);

  std::string name() const override;
  Eigen::Index ambient_size() const override { return space_->ambient_size(); }
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  double value_and_add_gradient(const Point& x, double weight, VectorRef out) const override;

  // The mean of (φ(W)_ij − M_ij)² over Ω; free when the point's last evaluation left its
  // residuals in its cache (each point keeps them until it moves).
  double observed_mse(const Point& x) const;
  // φ(W) = L R at x, from the point's cache when it holds L (no product then).
  FactoredProduct product(const Point& x) const;
  // ‖φ(W)‖_F at x from the point's cache, without copying L and R (a flow's per-step guard).
  double product_norm(const Point& x) const;
  // ‖φ(W)‖_F, or the bound ‖L‖_F ‖W_1‖_F ≥ ‖φ(W)‖_F when that bound is at most `threshold`: it
  // costs O((m + n) k) instead of a product, and a test ‖φ(W)‖_F > threshold gets the same answer
  // from either. A threshold ≤ 0 always gives the norm.
  double product_norm_unless_below(const Point& x, double threshold) const;

  const ParameterSpace& space() const { return *space_; }
  const std::vector<Observation>& observations() const { return observations_; }

 private:
  std::shared_ptr<const ParameterSpace> space_;
  std::vector<Observation> observations_;  // sorted by column, then row
  double scale_;                           // c
  std::uint64_t id_;  // tells this loss's cached residuals from another's (new_cache_owner)
};

}  // namespace riemopt
