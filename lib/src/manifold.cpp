#include "riemopt/manifold.hpp"

#include "riemopt/errors.hpp"

namespace riemopt {

std::string to_string(ManifoldKind kind) {
  switch (kind) {
    case ManifoldKind::kOpenSubset:
      return "open subset";
    case ManifoldKind::kEmbedded:
      return "embedded submanifold";
    case ManifoldKind::kQuotient:
      return "quotient manifold";
  }
  return "unknown";
}

void Manifold::require_override(const char* hook) const {
  require(is_open_subset(),
          "{}: the manifold is an {} but does not override {}(); the default is exact only on "
          "open subsets of the ambient space",
          name(), to_string(kind()), hook);
}

void Manifold::validate_point(const ConstVectorRef& x) const {
  require_size(x, ambient_size(), [&] { return name() + ": point"; });
  require_finite(x, name() + ": point");
}

Point Manifold::make_point(Vector x) const {
  validate_point(x);
  return Point(std::move(x), rows(), cols());
}

void Manifold::project(const Point& /*x*/, const ConstVectorRef& v, VectorRef out) const {
  require_override("project");
  out = v;
}

void Manifold::retract(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_override("retract");
  require_size(v, ambient_size(), [&] { return name() + ": retraction step"; });
  out = x.coords() + v;
}

void Manifold::inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const {
  require_override("inverse_retract");
  require_size(y, ambient_size(), [&] { return name() + ": inverse retraction target"; });
  out = y - x.coords();
}

void Manifold::transport(const Point& /*x*/, const ConstVectorRef& v, const Point& y,
                         VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": transported vector"; });
  if (is_open_subset()) {
    out = v;
    return;
  }
  project(y, v, out);
}

void Manifold::project_point(const ConstVectorRef& y, VectorRef out) const {
  require_override("project_point");
  out = y;
}

void Manifold::weingarten(const Point& /*x*/, const ConstVectorRef& /*v*/,
                          const ConstVectorRef& /*g*/, VectorRef out) const {
  require_override("weingarten");
  out.setZero();
}

void Manifold::exponential(const Point& /*x*/, const ConstVectorRef& /*v*/,
                           VectorRef /*out*/) const {
  throw InvalidArgument(name() + ": no closed-form exponential map (use retract)");
}

void Manifold::logarithm(const Point& /*x*/, const ConstVectorRef& /*y*/, VectorRef /*out*/) const {
  throw InvalidArgument(name() + ": no closed-form logarithm map (use inverse_retract)");
}

bool Manifold::fold_into_domain(VectorRef x) const {
  canonicalize(x);
  try {
    validate_point(x);
  } catch (const InvalidArgument&) {
    return false;
  }
  return true;
}

Vector Manifold::random_tangent(const Point& x, Rng& rng) const {
  Vector v(ambient_size());
  project(x, gaussian_vector(ambient_size(), rng), v);
  const double norm = v.norm();
  if (norm > 0) v /= norm;
  return v;
}

void Manifold::require_solver_hooks(const Point& x) const {
  if (is_open_subset()) return;
  const Vector zero = Vector::Zero(ambient_size());
  Vector out(ambient_size());
  project(x, zero, out);
  retract(x, zero, out);
  project_point(x.coords(), out);
}

Vector gaussian_vector(Eigen::Index n, Rng& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  Vector v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = normal(rng);
  return v;
}

}  // namespace riemopt
