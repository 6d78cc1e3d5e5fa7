#include "riemopt/manifolds/factored_product.hpp"

#include <Eigen/QR>
#include <algorithm>
#include <cmath>

#include "dense_product.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/manifolds/end_to_end_map.hpp"
#include "riemopt/svd.hpp"

namespace riemopt {

namespace {

// The k × k upper triangle of a thin QR of the tall matrix a (m × k, m ≥ k), or of its
// zero-padded square when m < k.
Matrix thin_triangle(const Matrix& a) {
  const Eigen::HouseholderQR<Matrix> qr(a);
  const Eigen::Index k = a.cols();
  Matrix t = Matrix::Zero(k, k);
  const Eigen::Index r = std::min(a.rows(), k);
  t.topRows(r) = qr.matrixQR().topRows(r).triangularView<Eigen::Upper>();
  return t;
}

}  // namespace

FactoredProduct::FactoredProduct(const ParameterSpace& space, const ConstVectorRef& w) {
  require(space.depth() >= 2,
          "FactoredProduct: needs depth >= 2 (got {}): at depth 1 W_1 is the matrix itself",
          space.depth());
  space.check_coordinates(w, "FactoredProduct");
  right_ = space.factor(w, 1);
  // L = W_N ⋯ W_2 is the end-to-end matrix of the factors after the first.
  const std::vector<Eigen::Index>& widths = space.widths();
  const ParameterSpace tail(std::vector<Eigen::Index>(widths.begin() + 1, widths.end()));
  const EndToEndMap left(tail, w.segment(space.offset(2), tail.ambient_size()));
  left_transposed_ = left.product().transpose();
}

FactoredProduct::FactoredProduct(Matrix left, Matrix right)
    : left_transposed_(left.transpose()), right_(std::move(right)) {
  require(left.cols() == right_.rows(),
          "FactoredProduct: L is {}x{} but R is {}x{} (inner sizes must agree)", left.rows(),
          left.cols(), right_.rows(), right_.cols());
  require_finite(left, "FactoredProduct: L");
  require_finite(right_, "FactoredProduct: R");
}

FactoredProduct FactoredProduct::from_transposed(Matrix left_transposed, Matrix right) {
  require(left_transposed.rows() == right.rows(),
          "FactoredProduct: Lᵀ is {}x{} but R is {}x{} (inner sizes must agree)",
          left_transposed.rows(), left_transposed.cols(), right.rows(), right.cols());
  FactoredProduct x;
  x.left_transposed_ = std::move(left_transposed);
  x.right_ = std::move(right);
  return x;
}

double FactoredProduct::mean_squared_error(const std::vector<Observation>& entries) const {
  require(!entries.empty(), "FactoredProduct: the list of entries is empty");
  double sum = 0.0;
  for (const Observation& o : entries) {
    require(o.row >= 0 && o.row < rows() && o.col >= 0 && o.col < cols(),
            "FactoredProduct: entry ({}, {}) is outside the {}x{} matrix", o.row, o.col, rows(),
            cols());
    const double r = entry(o.row, o.col) - o.value;
    sum += r * r;
  }
  return sum / static_cast<double>(entries.size());
}

double FactoredProduct::sum_of_squares(const std::vector<Observation>& entries) {
  double sum = 0.0;
  for (const Observation& o : entries) sum += o.value * o.value;
  return sum;
}

double factored_frobenius_norm(const Eigen::Ref<const Matrix>& left_transposed,
                               const Eigen::Ref<const Matrix>& right) {
  require(left_transposed.rows() == right.rows(),
          "factored_frobenius_norm: Lᵀ is {}x{} but R is {}x{} (inner sizes must agree)",
          left_transposed.rows(), left_transposed.cols(), right.rows(), right.cols());
  const Eigen::Index k = right.rows(), m = left_transposed.cols(), n = right.cols();
  if (static_cast<double>(m) * static_cast<double>(n) <
      static_cast<double>(m + n) * static_cast<double>(k)) {
    Matrix x(m, n);
    detail::dense_product(left_transposed, detail::Op::kTranspose, right, detail::Op::kNone, x);
    return x.norm();
  }
  Matrix gram_left(k, k), gram_right(k, k);
  detail::dense_product(left_transposed, detail::Op::kNone, left_transposed, detail::Op::kTranspose,
                        gram_left);
  detail::dense_product(right, detail::Op::kNone, right, detail::Op::kTranspose, gram_right);
  return std::sqrt(std::max(0.0, gram_left.cwiseProduct(gram_right).sum()));
}

double FactoredProduct::frobenius_norm() const {
  return factored_frobenius_norm(left_transposed_, right_);
}

Vector FactoredProduct::singular_values() const {
  const Matrix core =
      thin_triangle(left_transposed_.transpose()) * thin_triangle(right_.transpose()).transpose();
  Svd svd;
  compute_svd(core, svd);
  const Eigen::Index count = std::min({inner(), rows(), cols()});
  return svd.sigma.head(count);
}

Matrix FactoredProduct::dense() const {
  Matrix x(rows(), cols());
  detail::dense_product(left_transposed_, detail::Op::kTranspose, right_, detail::Op::kNone, x);
  return x;
}

}  // namespace riemopt
