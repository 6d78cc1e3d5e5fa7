// The manifold interface: where points live and how to move along tangent vectors.
//
// Points and tangent vectors are flat ambient coordinate vectors (see types.hpp). Every manifold
// states what kind it is (kind(), no default), because the solvers need different things from
// each kind (docs/MATH.md §11):
//   open subset  M ⊂ R^n open (matrix space, the chamber, the parameter space): every ambient
//                vector is tangent; the defaults below (identity projection, x + v, y − x,
//                identity transport, no curvature term) are exact.
//   embedded     M ⊂ R^n a submanifold (the sphere, Stiefel): the manifold must override
//                project, retract, inverse_retract (or throw), project_point and weingarten;
//                the defaults throw for this kind rather than silently assume an open subset.
//   quotient     M = M̄/~ represented by points of a total space M̄ embedded in R^n, tangent
//                vectors by horizontal lifts: `project` is the projection onto the horizontal
//                space, and everything else is as for an embedded manifold.
// The metric is separate (metric.hpp), so one manifold carries several metrics: that swap is the
// point of the library. The closed-form maps (exponential, logarithm, weingarten) are those of
// the metric an embedded manifold inherits from R^n, the one its own header states.
//
//   riemopt::Sphere sphere(50);
//   riemopt::Rng rng(7);
//   riemopt::Point x = sphere.make_point(sphere.random_point(rng));
//   riemopt::Vector v = sphere.random_tangent(x, rng);
//   riemopt::Vector y(sphere.ambient_size());
//   sphere.retract(x, v, y);
#pragma once

#include <random>
#include <string>

#include "riemopt/point.hpp"
#include "riemopt/types.hpp"

namespace riemopt {

using Rng = std::mt19937_64;

enum class ManifoldKind { kOpenSubset, kEmbedded, kQuotient };
std::string to_string(ManifoldKind kind);

class Manifold {
 public:
  virtual ~Manifold() = default;

  virtual std::string name() const = 0;
  // What kind of manifold this is (see above). Deliberately without a default.
  virtual ManifoldKind kind() const = 0;
  bool is_open_subset() const { return kind() == ManifoldKind::kOpenSubset; }

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

  // The orthogonal projection (ambient Euclidean inner product) of an ambient vector onto the
  // tangent space at x (the horizontal space for a quotient). Embedded manifolds define it by a
  // formula that stays smooth for x near the manifold, not only on it: the gradient flow's
  // stage points and the finite-difference Hessian evaluate it there. Default: identity (open
  // subsets); throws for other kinds.
  virtual void project(const Point& x, const ConstVectorRef& v, VectorRef out) const;

  // A retraction R_x(v): R_x(0) = x, dR_x(0) = id, R_x(v) on the manifold for tangent v.
  // Default: x + v (open subsets); throws for other kinds.
  virtual void retract(const Point& x, const ConstVectorRef& v, VectorRef out) const;

  // The inverse of the retraction: the tangent v with retract(x, v) = y, for y in its image
  // (the Ceres adapter's Minus). Default: y − x (open subsets); throws for other kinds. A
  // manifold whose retraction has no computable inverse throws InvalidArgument saying so.
  virtual void inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const;

  // A vector transport: maps v ∈ T_x M to T_y M. Default: identity on open subsets, projection
  // onto T_y M otherwise (the projection transport of embedded manifolds).
  virtual void transport(const Point& x, const ConstVectorRef& v, const Point& y,
                         VectorRef out) const;

  // Maps an ambient point y near the manifold onto it, fixing the manifold's own points (a
  // smooth map; the nearest point for the sphere and Stiefel). The gradient flow applies it to
  // every accepted step on an embedded manifold (a projection method, which keeps the
  // integrator's order). Default: y itself (open subsets); throws for other kinds.
  virtual void project_point(const ConstVectorRef& y, VectorRef out) const;

  // The curvature term of the Riemannian Hessian of an embedded manifold with the metric it
  // inherits from R^n (Absil, Mahony & Trumpler 2013): for tangent v and an ambient covector g
  // (the Euclidean gradient ∇f(x)),
  //   Hess f(x)[v] = project(x, ∇²f(x) v) + weingarten(x, v, ∇f(x)),
  // where weingarten(x, v, g) = project(x, D_v P_x g) depends only on the normal part of g.
  // Default: zero (open subsets); throws for other kinds.
  virtual void weingarten(const Point& x, const ConstVectorRef& v, const ConstVectorRef& g,
                          VectorRef out) const;

  // The Riemannian exponential and logarithm of the manifold's own metric, where a closed form
  // exists (has_exponential / has_logarithm). The defaults throw InvalidArgument.
  virtual bool has_exponential() const { return false; }
  virtual void exponential(const Point& x, const ConstVectorRef& v, VectorRef out) const;
  virtual bool has_logarithm() const { return false; }
  virtual void logarithm(const Point& x, const ConstVectorRef& y, VectorRef out) const;

  // Replaces x by the canonical representative of its point, for manifolds that are quotients
  // (the chamber sorts). Solvers apply it to the points they report. Default: nothing.
  virtual void canonicalize(VectorRef /*x*/) const {}

  // For samplers (langevin.hpp): replaces an ambient vector that a random step produced by the
  // point of the domain it stands for, on an open subset that is the quotient of a larger open
  // set by a group the sampled law is invariant under (the chamber: |x| sorted, since its
  // metrics and symmetric energies are invariant under sign changes and permutations). Returns
  // false when x stands for no point (the step left the domain). Default: canonicalize(x), then
  // whether validate_point accepts it.
  virtual bool fold_into_domain(VectorRef x) const;

  // A random point (for tests and examples).
  virtual Vector random_point(Rng& rng) const = 0;

  // A random tangent vector at x (Gaussian ambient vector, projected). Unit Euclidean norm.
  virtual Vector random_tangent(const Point& x, Rng& rng) const;

  // Calls project, retract and project_point once at x, so that a manifold lacking one of the
  // hooks every solver uses is refused before any work (InvalidArgument naming the hook) rather
  // than failing at the first evaluation. Solvers call it on entry.
  void require_solver_hooks(const Point& x) const;

 protected:
  // Throws InvalidArgument unless this manifold is an open subset: the defaults of the hooks
  // above are exact only there. `hook` names the function that must be overridden.
  void require_override(const char* hook) const;
};

// A standard Gaussian vector of length n.
Vector gaussian_vector(Eigen::Index n, Rng& rng);

}  // namespace riemopt
