#include "riemopt/energies/karcher_mean.hpp"

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <cmath>

#include "riemopt/errors.hpp"
#include "riemopt/manifolds/spd.hpp"

namespace riemopt {

KarcherMean::KarcherMean(std::vector<Matrix> matrices) : matrices_(std::move(matrices)) {
  require(!matrices_.empty(), "KarcherMean: needs at least one matrix");
  n_ = matrices_.front().rows();
  for (std::size_t i = 0; i < matrices_.size(); ++i) {
    const Matrix& a = matrices_[i];
    require(a.rows() == n_ && a.cols() == n_,
            "KarcherMean: matrix {} is {}x{}, expected {}x{} like the first", i, a.rows(), a.cols(),
            n_, n_);
    require(a.allFinite() && (a - a.transpose()).cwiseAbs().maxCoeff() <=
                                 1e-12 * std::max(a.cwiseAbs().maxCoeff(), 1e-300),
            "KarcherMean: matrix {} is not symmetric with finite entries", i);
    const double smallest = Eigen::SelfAdjointEigenSolver<Matrix>(a).eigenvalues().minCoeff();
    require(smallest > 0.0,
            "KarcherMean: matrix {} is not positive definite (smallest eigenvalue {:.3e})", i,
            smallest);
  }
}

std::string KarcherMean::name() const {
  return fmt::format("Karcher mean of {} SPD {}x{} matrices", matrices_.size(), n_, n_);
}

void KarcherMean::check_shape(Eigen::Index rows, Eigen::Index cols) const {
  require(rows == n_ && cols == n_, "{} needs {}x{} points (got {}x{})", name(), n_, n_, rows,
          cols);
}

double KarcherMean::value(const Point& x) const {
  Vector scratch = Vector::Zero(x.size());
  return value_and_add_gradient(x, 0.0, scratch);
}

void KarcherMean::add_gradient(const Point& x, double weight, VectorRef out) const {
  value_and_add_gradient(x, weight, out);
}

double KarcherMean::value_and_add_gradient(const Point& x, double weight, VectorRef out) const {
  check_point_size(x);
  const SpdEigen& e = spd_eigen_of(x);  // throws for a point that is not positive definite
  const Matrix inverse_root =
      e.q * e.lambda.array().rsqrt().matrix().asDiagonal() * e.q.transpose();
  const double m = static_cast<double>(matrices_.size());
  double sum = 0.0;
  Matrix logs = Matrix::Zero(n_, n_);
  Eigen::SelfAdjointEigenSolver<Matrix> eig(n_);
  for (const Matrix& a : matrices_) {
    const Matrix c = inverse_root * a * inverse_root;
    eig.compute(0.5 * (c + c.transpose()));
    const Vector log_mu = eig.eigenvalues().array().log().matrix();
    sum += log_mu.squaredNorm();
    if (weight != 0.0)
      logs += eig.eigenvectors() * log_mu.asDiagonal() * eig.eigenvectors().transpose();
  }
  if (weight != 0.0) {
    const Matrix g = -(inverse_root * logs * inverse_root) / m;
    MatrixMap(out.data(), n_, n_) += weight * 0.5 * (g + g.transpose());
  }
  return 0.5 * sum / m;
}

}  // namespace riemopt
