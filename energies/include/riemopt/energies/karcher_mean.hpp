// The Karcher (Riemannian) mean of SPD matrices A_1, …, A_m under the affine-invariant metric: the
// minimizer of
//   f(X) = (1/2m) Σ_i dist²(X, A_i),   dist(X, A) = ‖logm(X^{−1/2} A X^{−1/2})‖_F,
// whose Riemannian gradient is −(1/m) Σ_i Log_X(A_i). The Euclidean gradient reported here is
//   ∇f(X) = −(1/m) Σ_i X^{−1/2} logm(X^{−1/2} A_i X^{−1/2}) X^{−1/2},
// which the affine-invariant metric's sharp (X·∇f·X) turns into that Riemannian gradient
// (docs/MATH.md §11). One eigen-decomposition of X (cached in the point) and one per A_i per
// evaluation. For two matrices the mean is the geodesic midpoint
// A^{1/2}(A^{−1/2}BA^{−1/2})^{1/2}A^{1/2}.
//
//   riemopt::Problem p(riemopt::spd_geometry(10), std::make_shared<riemopt::KarcherMean>(as));
#pragma once

#include <vector>

#include "riemopt/energy.hpp"

namespace riemopt {

class KarcherMean final : public Energy {
 public:
  // Throws InvalidArgument for an empty list, matrices of different or non-square shapes, or a
  // matrix that is not symmetric positive definite.
  explicit KarcherMean(std::vector<Matrix> matrices);

  std::string name() const override;
  Eigen::Index ambient_size() const override { return n_ * n_; }
  void check_shape(Eigen::Index rows, Eigen::Index cols) const override;
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  double value_and_add_gradient(const Point& x, double weight, VectorRef out) const override;

 private:
  std::vector<Matrix> matrices_;
  Eigen::Index n_;
};

}  // namespace riemopt
