// The unit sphere S^{n−1} = {x ∈ R^n : ‖x‖ = 1}, an embedded submanifold of R^n with the metric
// it inherits (docs/MATH.md §11). Formulas, for x on the sphere and v tangent (xᵀv = 0):
//   tangent projection   P_x(u) = u − x (xᵀu)/(xᵀx)   (the division keeps it smooth near S)
//   retraction           R_x(v) = (x + v)/‖x + v‖,    inverse  y/(xᵀy) − x   (needs xᵀy > 0)
//   transport            projection onto T_y (the manifold's default)
//   Weingarten map       W_x(v, g) = −(xᵀg) v
//   exponential          cos‖v‖ x + sin‖v‖ v/‖v‖
//   logarithm            θ u/‖u‖ with u = y − (xᵀy)x, θ = atan2(‖u‖, xᵀy)  (y ≠ −x)
//   nearest point        y/‖y‖
// With f(x) = xᵀAx the Riemannian gradient is 2(Ax − (xᵀAx)x) and the minimizer the eigenvector
// of the smallest eigenvalue of A.
//
//   riemopt::Geometry g = riemopt::sphere_geometry(50);
//   riemopt::Problem problem(g, riemopt::rayleigh_quotient(a));
#pragma once

#include "riemopt/geometry.hpp"
#include "riemopt/manifold.hpp"

namespace riemopt {

class Sphere final : public Manifold {
 public:
  // Points accepted by validate_point: unit norm to within this (absolute) tolerance.
  static constexpr double kNormTolerance = 1e-10;

  // S^{n−1} ⊂ R^n. Throws InvalidArgument unless n >= 2.
  explicit Sphere(Eigen::Index n);

  std::string name() const override;
  ManifoldKind kind() const override { return ManifoldKind::kEmbedded; }
  Eigen::Index ambient_size() const override { return n_; }
  Eigen::Index dimension() const override { return n_ - 1; }
  // Throws InvalidArgument unless x has n finite entries and |‖x‖ − 1| <= kNormTolerance.
  void validate_point(const ConstVectorRef& x) const override;
  void project(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void retract(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  // Throws InvalidArgument unless xᵀy > 0 (the retraction's image is the open hemisphere).
  void inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const override;
  // Throws InvalidArgument for y = 0.
  void project_point(const ConstVectorRef& y, VectorRef out) const override;
  void weingarten(const Point& x, const ConstVectorRef& v, const ConstVectorRef& g,
                  VectorRef out) const override;
  bool has_exponential() const override { return true; }
  void exponential(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  bool has_logarithm() const override { return true; }
  // Throws InvalidArgument at the antipode y = −x, where the logarithm is not defined.
  void logarithm(const Point& x, const ConstVectorRef& y, VectorRef out) const override;
  // A normalized standard Gaussian vector: uniform on the sphere.
  Vector random_point(Rng& rng) const override;

 private:
  Eigen::Index n_;
};

// The sphere with the metric inherited from R^n.
Geometry sphere_geometry(Eigen::Index n);

}  // namespace riemopt
