#include "riemopt/manifolds/factored_product.hpp"

#include <Eigen/QR>
#include <algorithm>
#include <cmath>

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

double FactoredProduct::frobenius_norm() const {
  const Matrix gram_left = left_transposed_ * left_transposed_.transpose();
  const Matrix gram_right = right_ * right_.transpose();
  return std::sqrt(std::max(0.0, gram_left.cwiseProduct(gram_right).sum()));
}

Vector FactoredProduct::singular_values() const {
  const Matrix core =
      thin_triangle(left_transposed_.transpose()) * thin_triangle(right_.transpose()).transpose();
  Svd svd;
  compute_svd(core, svd);
  const Eigen::Index count = std::min({inner(), rows(), cols()});
  return svd.sigma.head(count);
}

Matrix FactoredProduct::dense() const { return left_transposed_.transpose() * right_; }

}  // namespace riemopt
