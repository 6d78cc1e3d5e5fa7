// The Karcher (Riemannian) mean of SPD matrices A_1, …, A_m under the affine-invariant metric: the
// minimizer of
//   f(X) = (1/2m) Σ_i dist²(X, A_i),   dist(X, A) = ‖logm(A^{−1/2} X A^{−1/2})‖_F,
// whose Riemannian gradient is −(1/m) Σ_i Log_X(A_i). With B_i = A_i^{−1/2} (computed once) and
// Y_i = B_i X B_i = Q_i diag(μ_i) Q_iᵀ, the Euclidean derivatives reported here are
//   ∇f(X)      = (1/m) Σ_i B_i h(Y_i) B_i,                         h(μ) = log(μ)/μ,
//   ∇²f(X)[V]  = (1/m) Σ_i B_i Q_i (H_i ∘ Q_iᵀ B_i V B_i Q_i) Q_iᵀ B_i,  (H_i)_ab = h[μ_a, μ_b]
// (Daleckii–Krein, with the divided difference of h written to be exact at μ_a = μ_b), which the
// affine-invariant metric's sharp (X·∇f·X) and connection turn into the Riemannian gradient and
// Hessian (docs/MATH.md §11). One eigen-decomposition per A_i per point, cached in the point and
// shared by the value, the gradient and every Hessian-vector product. For two matrices the mean
// is the geodesic midpoint A^{1/2}(A^{−1/2}BA^{−1/2})^{1/2}A^{1/2}.
//
//   riemopt::Problem p(riemopt::spd_geometry(10), std::make_shared<riemopt::KarcherMean>(as));
#pragma once

#include <vector>

#include "riemopt/energy.hpp"

namespace riemopt {

namespace detail {
struct KarcherEigen;  // karcher_mean.cpp
}  // namespace detail

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
  bool has_hessian() const override { return true; }
  void add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                          VectorRef out) const override;

 private:
  // The point's Y_i = Q_i diag(μ_i) Q_iᵀ, cached. Throws InvalidArgument for a point that is not
  // finite and positive definite.
  const detail::KarcherEigen& decompose(const Point& x) const;

  std::vector<Matrix> matrices_;
  std::vector<Matrix> inverse_roots_;  // B_i = A_i^{-1/2}
  Eigen::Index n_;
  std::uint64_t id_;  // tells this energy's cached decompositions from another's
};

}  // namespace riemopt
