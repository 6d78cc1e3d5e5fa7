#include "riemopt/manifolds/sphere.hpp"

#include <fmt/format.h>

#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

Sphere::Sphere(Eigen::Index n) : n_(n) {
  require(n >= 2, "Sphere: the ambient dimension n must be >= 2 (got {})", n);
}

std::string Sphere::name() const { return fmt::format("sphere S^{}", n_ - 1); }

void Sphere::validate_point(const ConstVectorRef& x) const {
  Manifold::validate_point(x);
  const double norm = x.norm();
  require(std::abs(norm - 1.0) <= kNormTolerance,
          "{}: a point must have unit norm (got norm {:.17g}; normalize it)", name(), norm);
}

void Sphere::project(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, n_, [&] { return name() + ": projected vector"; });
  const Vector& p = x.coords();
  out = v - (p.dot(v) / p.squaredNorm()) * p;
}

void Sphere::retract(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, n_, [&] { return name() + ": retraction step"; });
  if (v.isZero(0.0)) {  // R_x(0) = x exactly, not x/‖x‖ rounded
    out = x.coords();
    return;
  }
  out = x.coords() + v;
  out /= out.norm();
}

void Sphere::inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const {
  require_size(y, n_, [&] { return name() + ": inverse retraction target"; });
  const double c = x.coords().dot(y);
  require(c > 0.0,
          "{}: the inverse retraction needs a target in the open hemisphere around x (got "
          "x.y = {})",
          name(), c);
  out = y / c - x.coords();
}

void Sphere::project_point(const ConstVectorRef& y, VectorRef out) const {
  require_size(y, n_, [&] { return name() + ": projected point"; });
  const double norm = y.norm();
  require(norm > 0.0, "{}: the zero vector has no nearest point on the sphere", name());
  out = y / norm;
}

void Sphere::weingarten(const Point& x, const ConstVectorRef& v, const ConstVectorRef& g,
                        VectorRef out) const {
  out = -(x.coords().dot(g) / x.coords().squaredNorm()) * v;
}

void Sphere::exponential(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, n_, [&] { return name() + ": exponential step"; });
  const double theta = v.norm();
  // sin θ / θ → 1 as θ → 0; the branch keeps 0/0 out.
  const double sinc = theta > 0.0 ? std::sin(theta) / theta : 1.0;
  out = std::cos(theta) * x.coords() + sinc * v;
}

void Sphere::logarithm(const Point& x, const ConstVectorRef& y, VectorRef out) const {
  require_size(y, n_, [&] { return name() + ": logarithm target"; });
  const double c = x.coords().dot(y);
  out = y - c * x.coords();
  const double s = out.norm();
  require(s > 0.0 || c > 0.0, "{}: the logarithm is not defined at the antipode y = -x", name());
  // atan2 keeps full relative precision of θ for nearby and nearly antipodal points alike.
  const double theta = std::atan2(s, c);
  if (s > 0.0) out *= theta / s;
}

Vector Sphere::random_point(Rng& rng) const {
  Vector x = gaussian_vector(n_, rng);
  return x / x.norm();
}

Geometry sphere_geometry(Eigen::Index n) {
  return {std::make_shared<Sphere>(n), std::make_shared<EuclideanMetric>()};
}

}  // namespace riemopt
