#include "riemopt/manifolds/special_orthogonal.hpp"

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <Eigen/SVD>
#include <cmath>
#include <complex>
#include <unsupported/Eigen/MatrixFunctions>

#include "riemopt/errors.hpp"

namespace riemopt {

SpecialOrthogonal::SpecialOrthogonal(Eigen::Index n)
    : n_(n), stiefel_(std::max<Eigen::Index>(n, 1), std::max<Eigen::Index>(n, 1)) {
  require(n >= 1, "SpecialOrthogonal: need n >= 1 (got {})", n);
}

std::string SpecialOrthogonal::name() const { return fmt::format("special orthogonal SO({})", n_); }

void SpecialOrthogonal::validate_point(const ConstVectorRef& x) const {
  stiefel_.validate_point(x);
  const double det = ConstMatrixMap(x.data(), n_, n_).determinant();
  require(det > 0.0, "{}: a point must be a rotation (det = +1; got det = {:.6f}, a reflection)",
          name(), det);
}

void SpecialOrthogonal::project(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  stiefel_.project(x, v, out);
}

void SpecialOrthogonal::retract(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  stiefel_.retract(x, v, out);
}

void SpecialOrthogonal::inverse_retract(const Point& x, const ConstVectorRef& y,
                                        VectorRef out) const {
  stiefel_.inverse_retract(x, y, out);
}

void SpecialOrthogonal::project_point(const ConstVectorRef& y, VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": projected point"; });
  const Eigen::JacobiSVD<Matrix> svd(ConstMatrixMap(y.data(), n_, n_),
                                     Eigen::ComputeFullU | Eigen::ComputeFullV);
  require(svd.singularValues().minCoeff() > 0.0,
          "{}: the matrix is singular, so it has no nearest rotation", name());
  Matrix u = svd.matrixU();
  if ((u * svd.matrixV().transpose()).determinant() < 0.0) u.col(n_ - 1) *= -1.0;
  MatrixMap(out.data(), n_, n_) = u * svd.matrixV().transpose();
}

void SpecialOrthogonal::weingarten(const Point& x, const ConstVectorRef& v, const ConstVectorRef& g,
                                   VectorRef out) const {
  stiefel_.weingarten(x, v, g, out);
}

void SpecialOrthogonal::exponential(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": exponential step"; });
  const ConstMatrixMap xm = x.matrix();
  const Matrix omega = xm.transpose() * ConstMatrixMap(v.data(), n_, n_);
  const Matrix skew = 0.5 * (omega - omega.transpose());
  MatrixMap(out.data(), n_, n_) = xm * skew.exp();
}

void SpecialOrthogonal::logarithm(const Point& x, const ConstVectorRef& y, VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": logarithm target"; });
  const ConstMatrixMap xm = x.matrix();
  const Matrix r = xm.transpose() * ConstMatrixMap(y.data(), n_, n_);
  const Eigen::EigenSolver<Matrix> eig(r);
  for (Eigen::Index i = 0; i < n_; ++i)
    if (std::abs(eig.eigenvalues()(i) + 1.0) < 1e-12)
      throw NumericalError(name() +
                           ": X^T Y is a rotation by pi, where the logarithm is not unique");
  const Matrix l = r.log();
  MatrixMap(out.data(), n_, n_) = xm * (0.5 * (l - l.transpose()));
}

Vector SpecialOrthogonal::random_point(Rng& rng) const {
  Vector x = stiefel_.random_point(rng);
  MatrixMap m(x.data(), n_, n_);
  if (m.determinant() < 0.0) m.col(0) *= -1.0;  // the Haar measure of O(n), folded onto SO(n)
  return x;
}

Geometry special_orthogonal_geometry(Eigen::Index n) {
  return {std::make_shared<SpecialOrthogonal>(n), std::make_shared<EuclideanMetric>()};
}

}  // namespace riemopt
