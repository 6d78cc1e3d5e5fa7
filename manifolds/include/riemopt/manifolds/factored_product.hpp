// The end-to-end matrix of a deep linear network kept as a product of two thin factors,
//   φ(W) = W_N ⋯ W_1 = L R,   L = W_N⋯W_2 (m × d_1),   R = W_1 (d_1 × n),
// so that entries, norms and singular values of φ(W) cost O((m + n) d_1²) or O(d_1) per entry,
// never O(mn) (docs/MATH.md §2). With narrow inner widths (d_1 ≪ min(m, n)) this is how the
// library measures an estimate it never forms: a 6040×3706 product of width 32 is 0.3 MB as L and
// R and 180 MB as a matrix.
//
//   riemopt::FactoredProduct x(space, w);                 // depth ≥ 2
//   double x_ij = x.entry(i, j);
//   riemopt::Vector sigma = x.singular_values();          // min(d_1, m, n) values, decreasing
#pragma once

#include <vector>

#include "riemopt/manifolds/parameter_space.hpp"

namespace riemopt {

struct Observation;

// ‖L R‖_F from Lᵀ (k × m) and R (k × n) held elsewhere (a loss's cache), as
// FactoredProduct::frobenius_norm computes it, without copying them.
double factored_frobenius_norm(const Eigen::Ref<const Matrix>& left_transposed,
                               const Eigen::Ref<const Matrix>& right);

class FactoredProduct {
 public:
  // Throws InvalidArgument unless `w` is a finite point of `space` and the depth is ≥ 2.
  FactoredProduct(const ParameterSpace& space, const ConstVectorRef& w);
  // From the factors themselves: L (m × k) and R (k × n). Throws on mismatched inner sizes.
  FactoredProduct(Matrix left, Matrix right);
  // From Lᵀ (k × m) and R (k × n), as a caller that keeps Lᵀ has them (no transposition).
  static FactoredProduct from_transposed(Matrix left_transposed, Matrix right);

  Eigen::Index rows() const { return left_transposed_.cols(); }
  Eigen::Index cols() const { return right_.cols(); }
  Eigen::Index inner() const { return right_.rows(); }

  // Lᵀ (k × m: row i of L is a contiguous column) and R (k × n).
  const Matrix& left_transposed() const { return left_transposed_; }
  const Matrix& right() const { return right_; }

  // (L R)_ij in O(k); the indices are not checked.
  double entry(Eigen::Index i, Eigen::Index j) const {
    return left_transposed_.col(i).dot(right_.col(j));
  }
  // The mean of ((L R)_ij − value)² over the entries; throws on an index out of range or an
  // empty list.
  double mean_squared_error(const std::vector<Observation>& entries) const;
  // Σ (value)² over the entries, for relative errors.
  static double sum_of_squares(const std::vector<Observation>& entries);
  // ‖L R‖_F: sqrt(tr((LᵀL)(RRᵀ))) in O((m + n) k²), or from L R itself when that is cheaper
  // (mn < (m + n) k, e.g. square at full width: one product instead of two).
  double frobenius_norm() const;
  // The min(k, m, n) largest singular values of L R, decreasing (the rest are zero): thin QRs of
  // L and Rᵀ, then the SVD of the k × k product of their triangles. O((m + n) k²).
  Vector singular_values() const;
  // L R as an m × n matrix.
  Matrix dense() const;

 private:
  FactoredProduct() = default;
  Matrix left_transposed_;
  Matrix right_;
};

}  // namespace riemopt
