// The manifold interface: where points live and how to move along tangent vectors.
//
// Points and tangent vectors are flat ambient coordinate vectors (see types.hpp). Every manifold
// the library ships is an open subset of its ambient space (matrix space, the parameter space,
// the chamber interior, whose points the chamber keeps sorted): identity projection, a
// retraction that stays inside the subset. The interface has projection and retraction hooks for
// embedded submanifolds, but the library has none yet, and the gradient flow and the
// second-order solvers accept open subsets only (they refuse a manifold whose is_open_subset()
// is false). The metric is separate (metric.hpp), so one manifold carries several metrics: that
// swap is the point of the library.
//
//   riemopt::MatrixSpace space(3, 4);
//   riemopt::Rng rng(7);
//   riemopt::Point x = space.make_point(space.random_point(rng));
//   riemopt::Vector v = space.random_tangent(x, rng);
//   riemopt::Vector y(space.ambient_size());
//   space.retract(x, v, y);
#pragma once

#include <random>
#include <string>

#include "riemopt/point.hpp"
#include "riemopt/types.hpp"

namespace riemopt {

using Rng = std::mt19937_64;

class Manifold {
 public:
  virtual ~Manifold() = default;

  virtual std::string name() const = 0;
  // Length of the ambient coordinate vector of a point or tangent vector.
  virtual Eigen::Index ambient_size() const = 0;
  // Intrinsic dimension.
  virtual Eigen::Index dimension() const = 0;
  // Matrix shape of the ambient coordinates (rows × cols = ambient_size()).
  virtual Eigen::Index rows() const { return ambient_size(); }
  virtual Eigen::Index cols() const { return 1; }

  // Throws InvalidArgument unless `x` is a point of the manifold: right size, finite entries,
  // and the manifold's own constraints (ordering, unit norm, ...).
  virtual void validate_point(const ConstVectorRef& x) const;

  // Validates `x` and wraps it as a Point with this manifold's matrix shape.
  Point make_point(Vector x) const;

  // True when the manifold is an open subset of its ambient space (identity projection).
  virtual bool is_open_subset() const { return true; }

  // Projects an ambient vector onto the tangent space at x. Default: identity.
  virtual void project(const Point& x, const ConstVectorRef& v, VectorRef out) const;

  // A retraction R_x(v): R_x(0) = x, dR_x(0) = id. Default: x + v.
  virtual void retract(const Point& x, const ConstVectorRef& v, VectorRef out) const;

  // The inverse of the retraction: the v with retract(x, v) = y, for y in its image (the Ceres
  // adapter's Minus). Default: y − x, the inverse of the default retraction. A manifold that
  // overrides retract() overrides this too.
  virtual void inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const;

  // Replaces x by the canonical representative of its point, for manifolds that are quotients
  // (the chamber sorts). Solvers apply it to the points they report. Default: nothing.
  virtual void canonicalize(VectorRef /*x*/) const {}

  // A random point (for tests and examples).
  virtual Vector random_point(Rng& rng) const = 0;

  // A random tangent vector at x (Gaussian ambient vector, projected). Unit Euclidean norm.
  virtual Vector random_tangent(const Point& x, Rng& rng) const;
};

// A standard Gaussian vector of length n.
Vector gaussian_vector(Eigen::Index n, Rng& rng);

}  // namespace riemopt
