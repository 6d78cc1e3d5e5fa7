// Matrix completion on rank-r factors (docs/MATH.md §12): for a point (L, R) of
// FixedRankFactors(m, n, r),
//   E(L, R) = ½ Σ_{(i,j)∈Ω} (ℓ_iᵀ r_j − M_ij)²,   ℓ_i, r_j the rows of L and R,
//   ∇_L E = S R,  ∇_R E = Sᵀ L,  S the sparse matrix of residuals on Ω,
// computed from the observed entries alone: O(|Ω| r) time, O((m + n) r + |Ω|) memory, never an
// m×n matrix. A least-squares energy (residuals and their Jacobian, whose products also cost
// O(|Ω| r)), so Levenberg–Marquardt and the Rosenbrock flow take it at small sizes.
//
//   riemopt::Problem p(riemopt::fixed_rank_geometry(m, n, r),
//                      std::make_shared<riemopt::FactoredCompletion>(m, n, r, observations));
#pragma once

#include <vector>

#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/least_squares_energy.hpp"

namespace riemopt {

class FactoredCompletion final : public LeastSquaresEnergy {
 public:
  // Throws InvalidArgument on an empty set, out-of-range indices or non-finite values (naming
  // the observation), or a rank outside [1, min(m, n)].
  FactoredCompletion(Eigen::Index m, Eigen::Index n, Eigen::Index r,
                     std::vector<Observation> observations);

  std::string name() const override;
  Eigen::Index ambient_size() const override { return (m_ + n_) * r_; }
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  double value_and_add_gradient(const Point& x, double weight, VectorRef out) const override;

  Eigen::Index residual_count() const override {
    return static_cast<Eigen::Index>(observations_.size());
  }
  void residuals(const Point& x, VectorRef r) const override;
  void residual_jacobian(const Point& x, MatrixRef j) const override;
  void jacobian_product(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void jacobian_transpose_product(const Point& x, const ConstVectorRef& w,
                                  VectorRef out) const override;

  // The root-mean-square difference between L Rᵀ and `entries` on their positions (a held-out
  // test set), computed from the factors entry by entry.
  double rmse(const Point& x, const std::vector<Observation>& entries) const;

 private:
  Eigen::Index m_, n_, r_;
  std::vector<Observation> observations_;
};

}  // namespace riemopt
