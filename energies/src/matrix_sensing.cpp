#include "riemopt/energies/matrix_sensing.hpp"

#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

void MatrixSensing::check_shape(Eigen::Index rows, Eigen::Index cols) const {
  require(rows == rows_ && cols == cols_,
          "{}: the measurement matrices are {}x{}, but the manifold's points are {}x{}", name(),
          rows_, cols_, rows, cols);
}

MatrixSensing::MatrixSensing(const std::vector<Matrix>& measurements, const Vector& values) {
  require(!measurements.empty(), "MatrixSensing: no measurement matrices were given");
  require(static_cast<Eigen::Index>(measurements.size()) == values.size(),
          "MatrixSensing: {} measurement matrices but {} values", measurements.size(),
          values.size());
  rows_ = measurements.front().rows();
  cols_ = measurements.front().cols();
  require(rows_ >= 1 && cols_ >= 1, "MatrixSensing: measurement 0 is empty");
  operator_.resize(static_cast<Eigen::Index>(measurements.size()), rows_ * cols_);
  for (std::size_t i = 0; i < measurements.size(); ++i) {
    const Matrix& A = measurements[i];
    require(A.rows() == rows_ && A.cols() == cols_,
            "MatrixSensing: measurement {} is {}x{}, expected {}x{} like measurement 0", i,
            A.rows(), A.cols(), rows_, cols_);
    require_finite(A, fmt::format("MatrixSensing: measurement {}", i));
    operator_.row(static_cast<Eigen::Index>(i)) = A.reshaped().transpose();
  }
  require_finite(values, "MatrixSensing: values");
  values_ = values;
}

double MatrixSensing::value(const Point& x) const {
  check_point_size(x);
  return 0.5 * (operator_ * x.coords() - values_).squaredNorm() /
         static_cast<double>(values_.size());
}

double MatrixSensing::value_and_add_gradient(const Point& x, double weight, VectorRef out) const {
  check_point_size(x);
  require_size(out, x.size(), "MatrixSensing: gradient output");
  const double M = static_cast<double>(values_.size());
  const Vector residual = operator_ * x.coords() - values_;
  out.noalias() += (weight / M) * (operator_.transpose() * residual);
  return 0.5 * residual.squaredNorm() / M;
}

void MatrixSensing::add_gradient(const Point& x, double weight, VectorRef out) const {
  value_and_add_gradient(x, weight, out);
}

void MatrixSensing::add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                                       VectorRef out) const {
  check_point_size(x);
  require_size(v, x.size(), "MatrixSensing: direction");
  const double M = static_cast<double>(values_.size());
  out.noalias() += (weight / M) * (operator_.transpose() * (operator_ * v));
}

void MatrixSensing::residuals(const Point& x, VectorRef r) const {
  check_point_size(x);
  require_size(r, residual_count(), "MatrixSensing: residual output");
  r.noalias() = (operator_ * x.coords() - values_) / std::sqrt(static_cast<double>(values_.size()));
}

void MatrixSensing::residual_jacobian(const Point& x, MatrixRef j) const {
  check_point_size(x);
  require(j.rows() == residual_count() && j.cols() == x.size(),
          "MatrixSensing: Jacobian output is {}x{}, expected {}x{}", j.rows(), j.cols(),
          residual_count(), x.size());
  j = operator_ / std::sqrt(static_cast<double>(values_.size()));
}

void MatrixSensing::jacobian_product(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  check_point_size(x);
  require_size(v, x.size(), "MatrixSensing::jacobian_product: direction");
  require_size(out, residual_count(), "MatrixSensing::jacobian_product: output");
  out.noalias() = (operator_ * v) / std::sqrt(static_cast<double>(values_.size()));
}

void MatrixSensing::jacobian_transpose_product(const Point& x, const ConstVectorRef& w,
                                               VectorRef out) const {
  check_point_size(x);
  require_size(w, residual_count(), "MatrixSensing::jacobian_transpose_product: vector");
  require_size(out, x.size(), "MatrixSensing::jacobian_transpose_product: output");
  out.noalias() = (operator_.transpose() * w) / std::sqrt(static_cast<double>(values_.size()));
}

}  // namespace riemopt
