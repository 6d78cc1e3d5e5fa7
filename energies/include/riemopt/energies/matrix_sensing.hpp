// Matrix sensing loss (docs/MATH.md §6): E(X) = (1/2M) Σ_{i=1}^{M} (⟨A_i, X⟩ − y_i)².
//
// The measurement matrices are stacked as the rows of an M × (m·n) operator 𝒜 (row i is
// vec(A_i)ᵀ, column-major), so ∇E = 𝒜ᵀ(𝒜x − y)/M and ∇²E[v] = 𝒜ᵀ𝒜v/M.
//
//   std::vector<riemopt::Matrix> A = ...;  riemopt::Vector y = ...;
//   auto loss = std::make_shared<riemopt::MatrixSensing>(A, y);
#pragma once

#include <vector>

#include "riemopt/least_squares_energy.hpp"

namespace riemopt {

class MatrixSensing final : public LeastSquaresEnergy {
 public:
  // Throws InvalidArgument when no measurements are given, shapes differ, sizes of A and y
  // disagree, or any entry is NaN/infinite.
  MatrixSensing(const std::vector<Matrix>& measurements, const Vector& values);

  std::string name() const override { return "matrix-sensing"; }
  Eigen::Index ambient_size() const override { return rows_ * cols_; }
  // Requires rows() × cols() points, not only as many coordinates.
  void check_shape(Eigen::Index rows, Eigen::Index cols) const override;
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  double value_and_add_gradient(const Point& x, double weight, VectorRef out) const override;
  bool has_hessian() const override { return true; }
  void add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                          VectorRef out) const override;

  // Residuals r_i = (⟨A_i, X⟩ − y_i)/√M, so that E = ½‖r‖²; the Jacobian is 𝒜/√M.
  Eigen::Index residual_count() const override { return operator_.rows(); }
  void residuals(const Point& x, VectorRef r) const override;
  void residual_jacobian(const Point& x, MatrixRef j) const override;
  void jacobian_product(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void jacobian_transpose_product(const Point& x, const ConstVectorRef& w,
                                  VectorRef out) const override;

  Eigen::Index rows() const { return rows_; }
  Eigen::Index cols() const { return cols_; }
  Eigen::Index measurement_count() const { return operator_.rows(); }

 private:
  Eigen::Index rows_ = 0, cols_ = 0;
  Matrix operator_;  // M × (m·n)
  Vector values_;
};

}  // namespace riemopt
