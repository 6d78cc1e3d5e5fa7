#include "riemopt/manifolds/grassmann.hpp"

#include <fmt/format.h>

#include <Eigen/LU>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>

#include "riemopt/errors.hpp"
#include "riemopt/manifolds/stiefel.hpp"

namespace riemopt {

Grassmann::Grassmann(Eigen::Index n, Eigen::Index p) : n_(n), p_(p) {
  require(p >= 1 && p <= n, "Grassmann: need 1 <= p <= n (got n = {}, p = {})", n, p);
}

std::string Grassmann::name() const { return fmt::format("Grassmann Gr({}, {})", n_, p_); }

void Grassmann::validate_point(const ConstVectorRef& x) const {
  Manifold::validate_point(x);
  const ConstMatrixMap m(x.data(), n_, p_);
  const double defect = (m.transpose() * m - Matrix::Identity(p_, p_)).cwiseAbs().maxCoeff();
  require(defect <= kOrthonormalityTolerance,
          "{}: a point is a basis with orthonormal columns (got max |X^T X - I| = {:.3e}; "
          "orthonormalize it, e.g. with project_point)",
          name(), defect);
}

void Grassmann::project(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": projected vector"; });
  const ConstMatrixMap xm = x.matrix();
  const ConstMatrixMap vm(v.data(), n_, p_);
  const Matrix xtv = xm.transpose() * vm;
  MatrixMap(out.data(), n_, p_) = vm - xm * xtv;
}

void Grassmann::retract(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": retraction step"; });
  if (v.isZero(0.0)) {
    out = x.coords();
    return;
  }
  const Vector y = x.coords() + v;
  project_point(y, out);
}

void Grassmann::inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": inverse retraction target"; });
  const ConstMatrixMap xm = x.matrix();
  const ConstMatrixMap ym(y.data(), n_, p_);
  const Eigen::FullPivLU<Matrix> lu(xm.transpose() * ym);
  if (!lu.isInvertible())
    throw NumericalError(name() +
                         ": X^T Y is singular, so the target subspace has a direction orthogonal "
                         "to X's and is outside the retraction's image");
  MatrixMap(out.data(), n_, p_) = ym * lu.inverse() - xm;
}

void Grassmann::project_point(const ConstVectorRef& y, VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": projected point"; });
  // The polar factor U Wᵀ of Y = U Σ Wᵀ: the orthonormal basis nearest to Y, spanning Y's range.
  const Eigen::JacobiSVD<Matrix> svd(ConstMatrixMap(y.data(), n_, p_),
                                     Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Vector& s = svd.singularValues();
  require(s.minCoeff() > 1e-14 * std::max(s.maxCoeff(), 1e-300),
          "{}: the matrix has no full column rank (singular values {:.3e} .. {:.3e}), so it spans "
          "no p-dimensional subspace",
          name(), s.maxCoeff(), s.minCoeff());
  MatrixMap(out.data(), n_, p_) = svd.matrixU() * svd.matrixV().transpose();
}

void Grassmann::weingarten(const Point& x, const ConstVectorRef& v, const ConstVectorRef& g,
                           VectorRef out) const {
  const ConstMatrixMap xm = x.matrix();
  const Matrix xtg = xm.transpose() * ConstMatrixMap(g.data(), n_, p_);
  const Matrix w = -ConstMatrixMap(v.data(), n_, p_) * xtg;
  project(x, Eigen::Map<const Vector>(w.data(), ambient_size()), out);
}

void Grassmann::exponential(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": exponential step"; });
  const Eigen::JacobiSVD<Matrix> svd(ConstMatrixMap(v.data(), n_, p_),
                                     Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Vector& s = svd.singularValues();
  const Matrix& w = svd.matrixV();
  const Matrix y = x.matrix() * w * s.array().cos().matrix().asDiagonal() * w.transpose() +
                   svd.matrixU() * s.array().sin().matrix().asDiagonal() * w.transpose();
  // Orthonormal to rounding (the formula is, and this removes the drift of long geodesics).
  project_point(Eigen::Map<const Vector>(y.data(), ambient_size()), out);
}

void Grassmann::logarithm(const Point& x, const ConstVectorRef& y, VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": logarithm target"; });
  const ConstMatrixMap xm = x.matrix();
  const ConstMatrixMap ym(y.data(), n_, p_);
  const Eigen::FullPivLU<Matrix> lu(xm.transpose() * ym);
  if (!lu.isInvertible())
    throw NumericalError(name() +
                         ": X^T Y is singular: the subspaces are at a principal angle of pi/2, "
                         "where the logarithm is not unique");
  const Matrix m = (ym - xm * (xm.transpose() * ym)) * lu.inverse();
  const Eigen::JacobiSVD<Matrix> svd(m, Eigen::ComputeThinU | Eigen::ComputeThinV);
  MatrixMap(out.data(), n_, p_) = svd.matrixU() *
                                  svd.singularValues().array().atan().matrix().asDiagonal() *
                                  svd.matrixV().transpose();
}

double Grassmann::distance(const ConstVectorRef& x, const ConstVectorRef& y) const {
  require_size(x, ambient_size(), [&] { return name() + ": distance argument"; });
  require_size(y, ambient_size(), [&] { return name() + ": distance argument"; });
  const Matrix c = ConstMatrixMap(x.data(), n_, p_).transpose() * ConstMatrixMap(y.data(), n_, p_);
  const Vector s = Eigen::JacobiSVD<Matrix>(c).singularValues();
  // Principal angles; acos loses half the digits near 0, so take them from the sines instead
  // where they are small: sin θ = σ((I − XXᵀ)Y).
  const ConstMatrixMap xm(x.data(), n_, p_), ym(y.data(), n_, p_);
  const Vector sines = Eigen::JacobiSVD<Matrix>(ym - xm * (xm.transpose() * ym)).singularValues();
  double sum = 0.0;
  for (Eigen::Index i = 0; i < p_; ++i) {
    // The sines come in decreasing order, the cosines too: the i-th smallest angle pairs the
    // i-th largest cosine with the i-th smallest sine.
    const double cosine = std::min(s(i), 1.0), sine = std::min(sines(p_ - 1 - i), 1.0);
    const double theta = std::atan2(sine, cosine);
    sum += theta * theta;
  }
  return std::sqrt(sum);
}

Vector Grassmann::random_point(Rng& rng) const { return Stiefel(n_, p_).random_point(rng); }

Geometry grassmann_geometry(Eigen::Index n, Eigen::Index p) {
  return {std::make_shared<Grassmann>(n, p), std::make_shared<EuclideanMetric>()};
}

}  // namespace riemopt
