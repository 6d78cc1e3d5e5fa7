// Brockett's cost f(X) = tr(XᵀAXN) on n×p matrices, A symmetric n×n, N = diag(μ) p×p: the
// classic test problem of Riemannian optimization on the Stiefel manifold (docs/MATH.md §11).
//   ∇f(X) = 2AXN,   ∇²f(X)[V] = 2AVN.
// With p = 1 and N = 1 it is the Rayleigh quotient xᵀAx (rayleigh_quotient), whose minimizer on
// the sphere is the eigenvector of A's smallest eigenvalue. With μ_1 > … > μ_p > 0 the minimizers
// on St(n, p) are the eigenvectors of the p smallest eigenvalues, the smallest paired with μ_1,
// so XᵀAX = diag(λ_1, …, λ_p) in increasing order.
//
//   auto f = std::make_shared<riemopt::BrockettCost>(a, riemopt::Vector::LinSpaced(4, 4.0, 1.0));
//   riemopt::Problem problem(riemopt::stiefel_geometry(a.rows(), 4), f);
#pragma once

#include <cstdint>

#include "riemopt/energy.hpp"

namespace riemopt {

class BrockettCost final : public Energy {
 public:
  // Throws InvalidArgument unless `a` is square, finite and symmetric (to 1e-12 of its largest
  // entry; it is then symmetrized exactly) and `weights` is non-empty and finite.
  BrockettCost(Matrix a, Vector weights);

  std::string name() const override;
  Eigen::Index ambient_size() const override { return a_.rows() * weights_.size(); }
  // Requires n × p points.
  void check_shape(Eigen::Index rows, Eigen::Index cols) const override;
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  double value_and_add_gradient(const Point& x, double weight, VectorRef out) const override;
  bool has_hessian() const override { return true; }
  void add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                          VectorRef out) const override;

  const Matrix& a() const { return a_; }
  const Vector& weights() const { return weights_; }

 private:
  // A·X, through BLAS, kept in the point's cache (for this energy) until the point moves: a line
  // search asks the value and then the gradient at one point, and both need it.
  const Matrix& product(const Point& x) const;
  // out = A·x (out sized by the caller).
  void multiply(const ConstMatrixMap& x, Matrix& out) const;

  Matrix a_;
  Vector weights_;
  std::uint64_t id_;  // tells this energy's cached products from another's
};

// xᵀAx on vectors of length n (BrockettCost with p = 1, N = 1).
EnergyPtr rayleigh_quotient(Matrix a);

}  // namespace riemopt
