#include "riemopt/manifold.hpp"

#include "riemopt/errors.hpp"

namespace riemopt {

void Manifold::validate_point(const ConstVectorRef& x) const {
  require_size(x, ambient_size(), [&] { return name() + ": point"; });
  require_finite(x, name() + ": point");
}

Point Manifold::make_point(Vector x) const {
  validate_point(x);
  return Point(std::move(x), rows(), cols());
}

void Manifold::project(const Point& /*x*/, const ConstVectorRef& v, VectorRef out) const {
  out = v;
}

void Manifold::retract(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": retraction step"; });
  out = x.coords() + v;
}

void Manifold::inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": inverse retraction target"; });
  out = y - x.coords();
}

Vector Manifold::random_tangent(const Point& x, Rng& rng) const {
  Vector v(ambient_size());
  project(x, gaussian_vector(ambient_size(), rng), v);
  const double norm = v.norm();
  if (norm > 0) v /= norm;
  return v;
}

Vector gaussian_vector(Eigen::Index n, Rng& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  Vector v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = normal(rng);
  return v;
}

}  // namespace riemopt
