// The oblique manifold OB(n, p) = {X ∈ R^{n×p} : every column has unit norm}, the product of p
// spheres S^{n−1}, embedded in R^{n×p} with the metric it inherits (docs/MATH.md §11). Column by
// column, with x_j the j-th column of X and v_j of V:
//   tangent projection   P_X(U)_j = u_j − x_j (x_jᵀu_j)
//   retraction           R_X(V)_j = (x_j + v_j)/‖x_j + v_j‖,   inverse  y_j/(x_jᵀy_j) − x_j
//   transport            projection onto T_Y (the manifold's default)
//   Weingarten map       W_X(V, G)_j = −(x_jᵀg_j) v_j
//   exponential          cos‖v_j‖ x_j + sin‖v_j‖ v_j/‖v_j‖;  logarithm as on the sphere
//   nearest point        y_j/‖y_j‖
// Used for rank-constrained correlation matrices (X XᵀX with unit diagonal), dictionary learning
// and independent component analysis.
//
//   riemopt::Geometry g = riemopt::oblique_geometry(10, 50);
#pragma once

#include "riemopt/geometry.hpp"
#include "riemopt/manifold.hpp"

namespace riemopt {

class Oblique final : public Manifold {
 public:
  // Points accepted by validate_point: every |‖x_j‖ − 1| within this tolerance.
  static constexpr double kNormTolerance = 1e-10;

  // OB(n, p). Throws InvalidArgument unless n >= 2 and p >= 1.
  Oblique(Eigen::Index n, Eigen::Index p);

  std::string name() const override;
  ManifoldKind kind() const override { return ManifoldKind::kEmbedded; }
  Eigen::Index ambient_size() const override { return n_ * p_; }
  Eigen::Index dimension() const override { return (n_ - 1) * p_; }
  Eigen::Index rows() const override { return n_; }
  Eigen::Index cols() const override { return p_; }

  void validate_point(const ConstVectorRef& x) const override;
  void project(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void retract(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  // Throws NumericalError when a column of Y is not within 90° of X's.
  void inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const override;
  // Throws InvalidArgument for a zero column.
  void project_point(const ConstVectorRef& y, VectorRef out) const override;
  void weingarten(const Point& x, const ConstVectorRef& v, const ConstVectorRef& g,
                  VectorRef out) const override;
  bool has_exponential() const override { return true; }
  void exponential(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  bool has_logarithm() const override { return true; }
  // Throws NumericalError when a column of Y is antipodal to X's.
  void logarithm(const Point& x, const ConstVectorRef& y, VectorRef out) const override;
  Vector random_point(Rng& rng) const override;

 private:
  Eigen::Index n_;
  Eigen::Index p_;
};

// OB(n, p) with the metric inherited from R^{n×p}.
Geometry oblique_geometry(Eigen::Index n, Eigen::Index p);

}  // namespace riemopt
