// A problem: an energy on a geometry. It evaluates the Riemannian gradient grad E(x) =
// riemannian_sharp(x, ∇E(x)) and its norm, and counts evaluations. On an open subset the norm is
// sqrt(∇E(x)ᵀ grad E(x)) (which needs no inverse metric, so it is defined at rank-deficient
// points of the DLN metric too); on an embedded manifold it is sqrt(g(grad, grad)) of the
// tangent vector itself, which is never negative and keeps its relative precision.
//
//   riemopt::Problem problem(riemopt::dln_matrices(m, n, riemopt::Depth::finite(3)), energy);
//   riemopt::Point x = problem.make_point(x0);
//   riemopt::Problem::Evaluation e;
//   problem.evaluate(x, e);            // e.value, e.euclidean_gradient, e.gradient,
//   e.gradient_norm
//   problem.evaluate_field(x, e);      // the same, ∇E left in two parts (what the flow uses)
#pragma once

#include <cstdint>

#include "riemopt/energy.hpp"
#include "riemopt/geometry.hpp"

namespace riemopt {

struct EvaluationCounts {
  std::int64_t values = 0;     // energy values computed
  std::int64_t gradients = 0;  // gradients (and Riemannian gradients) computed
  std::int64_t hessian_vectors = 0;
};

class Problem {
 public:
  struct Evaluation {
    double value = 0.0;
    // ∇E(x); after evaluate_field, only its ambient part, and empty on an open subset with the
    // ambient Euclidean metric, where it is `gradient`.
    Vector euclidean_gradient;
    Vector gradient;             // Riemannian gradient grad E(x)
    double gradient_norm = 0.0;  // ‖grad E(x)‖_g
    // After evaluate_field: ∇E(x) = euclidean_gradient + U diag(spectral_gradient) Vᵀ, with
    // x = U diag(σ) Vᵀ (Energy::value_and_add_split_gradient). Empty after evaluate.
    Vector spectral_gradient;
  };

  // Throws InvalidArgument on a null part or when the energy does not accept the manifold's
  // matrix shape (Energy::check_shape: sizes and shapes, square matrices where required).
  Problem(Geometry geometry, EnergyPtr energy);

  const Geometry& geometry() const { return geometry_; }
  const Manifold& manifold() const { return *geometry_.manifold; }
  const Metric& metric() const { return *geometry_.metric; }
  const Energy& energy() const { return *energy_; }
  const EnergyPtr& energy_ptr() const { return energy_; }
  Eigen::Index ambient_size() const { return geometry_.manifold->ambient_size(); }

  // Validates x on the manifold and wraps it as a Point.
  Point make_point(Vector x) const { return geometry_.manifold->make_point(std::move(x)); }

  double value(const Point& x) const;
  // The Riemannian gradient of a covector df at x: out = the g-orthogonal projection of
  // G_x⁻¹ df onto the tangent space. Open subsets: the metric's sharp. Embedded manifolds with
  // the ambient Euclidean metric: the tangent projection of df. Embedded manifolds with another
  // metric: the tangent solution of P G t = P df (conjugate gradients on the tangent space,
  // started from P G⁻¹ df). Returns ‖out‖²_g, computed as ∇Eᵀ out on open subsets and as
  // g(out, out) otherwise.
  double riemannian_sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const;
  // The covector df restricted to the tangent space, in ambient coordinates: df itself on open
  // subsets, P_x df on other manifolds. Pairings with tangent vectors are the same; what changes
  // is that the normal part of df (of order one on a sphere) no longer enters them at the
  // rounding level: Newton's and the trust region's conjugate gradients pair their residual with
  // it, and a normal part of size |df| would put a floor of √ε·|df| under the residual.
  void tangent_covector(const Point& x, const ConstVectorRef& df, VectorRef out) const;
  // Fills `out` (vectors resized on first use, reused afterwards).
  void evaluate(const Point& x, Evaluation& out) const;
  // The same value, gradient and gradient norm, with ∇E left in two parts (see Evaluation):
  // what the gradient flow needs. Spectral energies (the DLN entropy) hand their gradient to the
  // metric in the singular basis, which on the DLN metric saves the d×d product that forms it.
  // On manifolds that are not open subsets (tangent projection), and with metrics that do not
  // take split covectors (Metric::has_split_sharp), this is evaluate, except that on an open
  // subset with the ambient Euclidean metric ∇E = grad E is written to `gradient` alone.
  void evaluate_field(const Point& x, Evaluation& out) const;
  // evaluate_field, and the flow's field −grad E(x) written to `field` (size ambient_size());
  // returns whether the value, the gradient and its norm are all finite. On an open subset with
  // the ambient Euclidean metric the negation, the norm and the finiteness check are one pass (a
  // finite sum of squares has finite terms): a flow calls this on every right-hand side.
  bool evaluate_negated_field(const Point& x, Evaluation& out, VectorRef field) const;

  const EvaluationCounts& counts() const { return counts_; }
  void reset_counts() const { counts_ = {}; }

 private:
  // The evaluations' shared prologue: checks the point's size (naming the caller) and counts one
  // value and one gradient; returns the size.
  Eigen::Index begin_evaluation(const Point& x, const char* caller) const;
  // An open subset with the ambient Euclidean metric, where grad E = ∇E.
  bool field_is_euclidean_gradient() const;
  // There: out.value and out.gradient = ∇E, by the energy alone (no norm).
  void evaluate_euclidean_gradient(const Point& x, Evaluation& out) const;

  Geometry geometry_;
  EnergyPtr energy_;
  mutable EvaluationCounts counts_;
};

}  // namespace riemopt
