#include "riemopt/manifolds/oblique.hpp"

#include <fmt/format.h>

#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

Oblique::Oblique(Eigen::Index n, Eigen::Index p) : n_(n), p_(p) {
  require(n >= 2 && p >= 1, "Oblique: need n >= 2 and p >= 1 (got n = {}, p = {})", n, p);
}

std::string Oblique::name() const { return fmt::format("oblique OB({}, {})", n_, p_); }

void Oblique::validate_point(const ConstVectorRef& x) const {
  Manifold::validate_point(x);
  const ConstMatrixMap m(x.data(), n_, p_);
  const double defect = (m.colwise().norm().array() - 1.0).abs().maxCoeff();
  require(defect <= kNormTolerance,
          "{}: every column of a point must have unit norm (got max |norm - 1| = {:.3e}; "
          "normalize it, e.g. with project_point)",
          name(), defect);
}

void Oblique::project(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": projected vector"; });
  const ConstMatrixMap xm = x.matrix();
  const ConstMatrixMap vm(v.data(), n_, p_);
  MatrixMap o(out.data(), n_, p_);
  for (Eigen::Index j = 0; j < p_; ++j) {
    // Divided by ‖x_j‖² so that the projection stays smooth near the manifold.
    const double c = xm.col(j).dot(vm.col(j)) / xm.col(j).squaredNorm();
    o.col(j) = vm.col(j) - c * xm.col(j);
  }
}

void Oblique::retract(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": retraction step"; });
  if (v.isZero(0.0)) {
    out = x.coords();
    return;
  }
  const Vector y = x.coords() + v;
  project_point(y, out);
}

void Oblique::inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": inverse retraction target"; });
  const ConstMatrixMap xm = x.matrix();
  const ConstMatrixMap ym(y.data(), n_, p_);
  MatrixMap o(out.data(), n_, p_);
  for (Eigen::Index j = 0; j < p_; ++j) {
    const double c = xm.col(j).dot(ym.col(j));
    if (!(c > 0.0))
      throw NumericalError(
          fmt::format("{}: column {} of the target is not within 90 degrees of "
                      "the point's, outside the retraction's image",
                      name(), j));
    o.col(j) = ym.col(j) / c - xm.col(j);
  }
}

void Oblique::project_point(const ConstVectorRef& y, VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": projected point"; });
  const ConstMatrixMap ym(y.data(), n_, p_);
  MatrixMap o(out.data(), n_, p_);
  for (Eigen::Index j = 0; j < p_; ++j) {
    const double norm = ym.col(j).norm();
    require(norm > 0.0 && std::isfinite(norm),
            "{}: column {} has norm {}, so it has no nearest unit vector", name(), j, norm);
    o.col(j) = ym.col(j) / norm;
  }
}

void Oblique::weingarten(const Point& x, const ConstVectorRef& v, const ConstVectorRef& g,
                         VectorRef out) const {
  const ConstMatrixMap xm = x.matrix();
  const ConstMatrixMap vm(v.data(), n_, p_), gm(g.data(), n_, p_);
  MatrixMap o(out.data(), n_, p_);
  for (Eigen::Index j = 0; j < p_; ++j) o.col(j) = -xm.col(j).dot(gm.col(j)) * vm.col(j);
}

void Oblique::exponential(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": exponential step"; });
  const ConstMatrixMap xm = x.matrix();
  const ConstMatrixMap vm(v.data(), n_, p_);
  MatrixMap o(out.data(), n_, p_);
  for (Eigen::Index j = 0; j < p_; ++j) {
    const double t = vm.col(j).norm();
    if (t == 0.0) {
      o.col(j) = xm.col(j);
      continue;
    }
    o.col(j) = std::cos(t) * xm.col(j) + (std::sin(t) / t) * vm.col(j);
    o.col(j) /= o.col(j).norm();  // unit to rounding along long geodesics
  }
}

void Oblique::logarithm(const Point& x, const ConstVectorRef& y, VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": logarithm target"; });
  const ConstMatrixMap xm = x.matrix();
  const ConstMatrixMap ym(y.data(), n_, p_);
  MatrixMap o(out.data(), n_, p_);
  for (Eigen::Index j = 0; j < p_; ++j) {
    const double c = xm.col(j).dot(ym.col(j));
    const Vector u = ym.col(j) - c * xm.col(j);
    const double s = u.norm();
    if (s == 0.0) {
      if (c < 0.0)
        throw NumericalError(
            fmt::format("{}: column {} of the target is antipodal to the point's, where the "
                        "logarithm is not unique",
                        name(), j));
      o.col(j).setZero();
      continue;
    }
    o.col(j) = (std::atan2(s, c) / s) * u;
  }
}

Vector Oblique::random_point(Rng& rng) const {
  Vector g = gaussian_vector(ambient_size(), rng);
  Vector out(ambient_size());
  project_point(g, out);
  return out;
}

Geometry oblique_geometry(Eigen::Index n, Eigen::Index p) {
  return {std::make_shared<Oblique>(n, p), std::make_shared<EuclideanMetric>()};
}

}  // namespace riemopt
