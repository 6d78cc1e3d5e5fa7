#include "riemopt/energies/matrix_completion.hpp"

#include <algorithm>
#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

void MatrixCompletion::check_shape(Eigen::Index rows, Eigen::Index cols) const {
  require(rows == rows_ && cols == cols_,
          "{}: the observations index a {}x{} matrix, but the manifold's points are {}x{}", name(),
          rows_, cols_, rows, cols);
}

void check_observations(const std::vector<Observation>& observations, Eigen::Index rows,
                        Eigen::Index cols, const char* caller) {
  require(!observations.empty(), "{}: the observation set is empty", caller);
  for (std::size_t k = 0; k < observations.size(); ++k) {
    const Observation& o = observations[k];
    require(o.row >= 0 && o.row < rows && o.col >= 0 && o.col < cols,
            "{}: observation {} has index ({}, {}) outside the {}x{} matrix (indices are 0-based)",
            caller, k, o.row, o.col, rows, cols);
    require(std::isfinite(o.value), "{}: observation {} at ({}, {}) has value {}", caller, k, o.row,
            o.col, o.value);
  }
}

MatrixCompletion::MatrixCompletion(Eigen::Index rows, Eigen::Index cols,
                                   std::vector<Observation> observations,
                                   Normalization normalization)
    : rows_(rows), cols_(cols), observations_(std::move(observations)) {
  require(rows >= 1 && cols >= 1, "MatrixCompletion: shape must be at least 1x1 (got {}x{})", rows,
          cols);
  check_observations(observations_, rows, cols, "MatrixCompletion");
  linear_index_.reserve(observations_.size());
  for (const Observation& o : observations_) linear_index_.push_back(o.row + o.col * rows);
  std::vector<Eigen::Index> sorted = linear_index_;
  std::sort(sorted.begin(), sorted.end());
  const auto dup = std::adjacent_find(sorted.begin(), sorted.end());
  require(dup == sorted.end(), "MatrixCompletion: entry ({}, {}) is observed more than once",
          dup == sorted.end() ? 0 : *dup % rows, dup == sorted.end() ? 0 : *dup / rows);
  scale_ = normalization == Normalization::kHalfSum
               ? 0.5
               : 1.0 / static_cast<double>(observations_.size());
}

double MatrixCompletion::residual_sum_of_squares(const double* x) const {
  double sum = 0.0;
  for (std::size_t k = 0; k < observations_.size(); ++k) {
    const double r = x[linear_index_[k]] - observations_[k].value;
    sum += r * r;
  }
  return sum;
}

double MatrixCompletion::value(const Point& x) const {
  check_point_size(x);
  return scale_ * residual_sum_of_squares(x.coords().data());
}

double MatrixCompletion::value_and_add_gradient(const Point& x, double weight,
                                                VectorRef out) const {
  check_point_size(x);
  require_size(out, x.size(), "MatrixCompletion: gradient output");
  const double* X = x.coords().data();
  const double g = 2.0 * scale_ * weight;
  double sum = 0.0;
  for (std::size_t k = 0; k < observations_.size(); ++k) {
    const Eigen::Index idx = linear_index_[k];
    const double r = X[idx] - observations_[k].value;
    sum += r * r;
    out[idx] += g * r;
  }
  return scale_ * sum;
}

void MatrixCompletion::add_gradient(const Point& x, double weight, VectorRef out) const {
  value_and_add_gradient(x, weight, out);
}

void MatrixCompletion::add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                                          VectorRef out) const {
  check_point_size(x);
  require_size(v, x.size(), "MatrixCompletion: direction");
  const double g = 2.0 * scale_ * weight;
  for (const Eigen::Index idx : linear_index_) out[idx] += g * v[idx];
}

void MatrixCompletion::residuals(const Point& x, VectorRef r) const {
  check_point_size(x);
  require_size(r, residual_count(), "MatrixCompletion: residual output");
  const double c = std::sqrt(2.0 * scale_);
  for (std::size_t k = 0; k < observations_.size(); ++k)
    r[static_cast<Eigen::Index>(k)] = c * (x.coords()[linear_index_[k]] - observations_[k].value);
}

void MatrixCompletion::residual_jacobian(const Point& x, MatrixRef j) const {
  check_point_size(x);
  require(j.rows() == residual_count() && j.cols() == x.size(),
          "MatrixCompletion: Jacobian output is {}x{}, expected {}x{}", j.rows(), j.cols(),
          residual_count(), x.size());
  j.setZero();
  const double c = std::sqrt(2.0 * scale_);
  for (std::size_t k = 0; k < observations_.size(); ++k)
    j(static_cast<Eigen::Index>(k), linear_index_[k]) = c;
}

void MatrixCompletion::jacobian_product(const Point& x, const ConstVectorRef& v,
                                        VectorRef out) const {
  check_point_size(x);
  require_size(v, x.size(), "MatrixCompletion::jacobian_product: direction");
  require_size(out, residual_count(), "MatrixCompletion::jacobian_product: output");
  const double c = std::sqrt(2.0 * scale_);
  for (std::size_t k = 0; k < linear_index_.size(); ++k)
    out[static_cast<Eigen::Index>(k)] = c * v[linear_index_[k]];
}

void MatrixCompletion::jacobian_transpose_product(const Point& x, const ConstVectorRef& w,
                                                  VectorRef out) const {
  check_point_size(x);
  require_size(w, residual_count(), "MatrixCompletion::jacobian_transpose_product: vector");
  require_size(out, x.size(), "MatrixCompletion::jacobian_transpose_product: output");
  const double c = std::sqrt(2.0 * scale_);
  out.setZero();
  for (std::size_t k = 0; k < linear_index_.size(); ++k)
    out[linear_index_[k]] = c * w[static_cast<Eigen::Index>(k)];
}

double MatrixCompletion::observed_mse(const ConstVectorRef& x) const {
  require_size(x, ambient_size(), "MatrixCompletion::observed_mse: point");
  return residual_sum_of_squares(x.data()) / static_cast<double>(observations_.size());
}

}  // namespace riemopt
