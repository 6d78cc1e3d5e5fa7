#include "riemopt/energies/factored_completion.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

FactoredCompletion::FactoredCompletion(Eigen::Index m, Eigen::Index n, Eigen::Index r,
                                       std::vector<Observation> observations)
    : m_(m), n_(n), r_(r), observations_(std::move(observations)) {
  require(m >= 1 && n >= 1 && r >= 1 && r <= std::min(m, n),
          "FactoredCompletion: need 1 <= r <= min(m, n) (got m = {}, n = {}, r = {})", m, n, r);
  require(!observations_.empty(), "FactoredCompletion: the set of observations is empty");
  for (std::size_t k = 0; k < observations_.size(); ++k) {
    const Observation& o = observations_[k];
    require(o.row >= 0 && o.row < m && o.col >= 0 && o.col < n && std::isfinite(o.value),
            "FactoredCompletion: observation {} at ({}, {}) with value {} is outside the {}x{} "
            "matrix or not finite",
            k, o.row, o.col, o.value, m, n);
  }
}

std::string FactoredCompletion::name() const {
  return fmt::format("factored-completion (rank {}, {} observations)", r_, observations_.size());
}

void FactoredCompletion::residuals(const Point& x, VectorRef res) const {
  check_point_size(x);
  const ConstMatrixMap l(x.coords().data(), m_, r_), r(x.coords().data() + m_ * r_, n_, r_);
  for (std::size_t k = 0; k < observations_.size(); ++k) {
    const Observation& o = observations_[k];
    res(static_cast<Eigen::Index>(k)) = l.row(o.row).dot(r.row(o.col)) - o.value;
  }
}

double FactoredCompletion::value(const Point& x) const {
  Vector res(residual_count());
  residuals(x, res);
  return 0.5 * res.squaredNorm();
}

void FactoredCompletion::add_gradient(const Point& x, double weight, VectorRef out) const {
  value_and_add_gradient(x, weight, out);
}

double FactoredCompletion::value_and_add_gradient(const Point& x, double weight,
                                                  VectorRef out) const {
  check_point_size(x);
  const ConstMatrixMap l(x.coords().data(), m_, r_), r(x.coords().data() + m_ * r_, n_, r_);
  // Row-major views of the gradient's blocks would be contiguous per row; with column-major
  // storage the r entries of a row are strided, which costs nothing at these ranks.
  MatrixMap gl(out.data(), m_, r_), gr(out.data() + m_ * r_, n_, r_);
  double sum = 0.0;
  for (const Observation& o : observations_) {
    const double res = l.row(o.row).dot(r.row(o.col)) - o.value;
    sum += res * res;
    if (weight != 0.0) {
      gl.row(o.row) += (weight * res) * r.row(o.col);
      gr.row(o.col) += (weight * res) * l.row(o.row);
    }
  }
  return 0.5 * sum;
}

void FactoredCompletion::residual_jacobian(const Point& x, MatrixRef j) const {
  check_point_size(x);
  const ConstMatrixMap l(x.coords().data(), m_, r_), r(x.coords().data() + m_ * r_, n_, r_);
  j.setZero();
  for (std::size_t k = 0; k < observations_.size(); ++k) {
    const Observation& o = observations_[k];
    const auto row = static_cast<Eigen::Index>(k);
    for (Eigen::Index c = 0; c < r_; ++c) {
      j(row, c * m_ + o.row) = r(o.col, c);            // ∂/∂L(i, c)
      j(row, m_ * r_ + c * n_ + o.col) = l(o.row, c);  // ∂/∂R(j, c)
    }
  }
}

void FactoredCompletion::jacobian_product(const Point& x, const ConstVectorRef& v,
                                          VectorRef out) const {
  const ConstMatrixMap l(x.coords().data(), m_, r_), r(x.coords().data() + m_ * r_, n_, r_);
  const ConstMatrixMap vl(v.data(), m_, r_), vr(v.data() + m_ * r_, n_, r_);
  for (std::size_t k = 0; k < observations_.size(); ++k) {
    const Observation& o = observations_[k];
    out(static_cast<Eigen::Index>(k)) =
        vl.row(o.row).dot(r.row(o.col)) + l.row(o.row).dot(vr.row(o.col));
  }
}

void FactoredCompletion::jacobian_transpose_product(const Point& x, const ConstVectorRef& w,
                                                    VectorRef out) const {
  const ConstMatrixMap l(x.coords().data(), m_, r_), r(x.coords().data() + m_ * r_, n_, r_);
  out.setZero();
  MatrixMap gl(out.data(), m_, r_), gr(out.data() + m_ * r_, n_, r_);
  for (std::size_t k = 0; k < observations_.size(); ++k) {
    const Observation& o = observations_[k];
    const double wk = w(static_cast<Eigen::Index>(k));
    gl.row(o.row) += wk * r.row(o.col);
    gr.row(o.col) += wk * l.row(o.row);
  }
}

double FactoredCompletion::rmse(const Point& x, const std::vector<Observation>& entries) const {
  require(!entries.empty(), "FactoredCompletion::rmse: no entries");
  const ConstMatrixMap l(x.coords().data(), m_, r_), r(x.coords().data() + m_ * r_, n_, r_);
  double sum = 0.0;
  for (const Observation& o : entries) {
    require(o.row >= 0 && o.row < m_ && o.col >= 0 && o.col < n_,
            "FactoredCompletion::rmse: entry ({}, {}) is outside the {}x{} matrix", o.row, o.col,
            m_, n_);
    const double d = l.row(o.row).dot(r.row(o.col)) - o.value;
    sum += d * d;
  }
  return std::sqrt(sum / static_cast<double>(entries.size()));
}

}  // namespace riemopt
