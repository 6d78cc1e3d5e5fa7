// The metric interface: a Riemannian metric g_x on a manifold, given by its inverse action.
//
// With G_x the metric tensor (g_x(u, v) = uᵀ G_x v in ambient coordinates):
//   sharp(x, df) = G_x⁻¹ df   turns a differential (Euclidean gradient) into a gradient vector;
//                              for the DLN metric this is A_{N,X}(∇E) (docs/MATH.md §3),
//   flat(x, v)   = G_x v      the inverse map; may throw NumericalError where G_x⁻¹ is singular
//                              (rank-deficient points of the DLN metric),
//   whiten(x, ξ) = B_x ξ      with B_x B_xᵀ = G_x⁻¹ (symmetric square root): maps orthonormal
//                              coordinates to tangent vectors (the Ceres adapter).
// On an open subset the Riemannian gradient is sharp(x, df). On an embedded manifold it is the
// g-orthogonal projection of sharp(x, df) onto the tangent space (Problem::riemannian_sharp):
// the Euclidean projection when the metric is the ambient Euclidean one (is_ambient_euclidean),
// a small tangent-space solve for any other metric.
//
//   riemopt::DlnMetric metric(riemopt::Depth::finite(3));
//   riemopt::Vector grad(x.size());
//   metric.sharp(x, euclidean_gradient, grad);     // A_{3,X}(∇E)
#pragma once

#include <string>
#include <vector>

#include "riemopt/point.hpp"
#include "riemopt/types.hpp"

namespace riemopt {

class Manifold;        // manifold.hpp
class StiffnessModel;  // stiffness_model.hpp

class Metric {
 public:
  virtual ~Metric() = default;

  virtual std::string name() const = 0;

  // True only for the ambient Euclidean metric G = I: on an embedded manifold it induces the
  // manifold's own metric, for which the tangent projection, the Weingarten map and the
  // closed-form exponential are stated. Solvers ask this instead of testing the type.
  virtual bool is_ambient_euclidean() const { return false; }
  // True when sharp maps the tangent space of the manifold this metric is used with into itself
  // (and the Frobenius complement into itself): then on an embedded manifold the Riemannian
  // gradient is sharp(P ∇E) with no projection solve (the SPD metrics, whose sharp maps symmetric
  // matrices to symmetric ones). False by default: Problem then solves for the g-orthogonal
  // projection.
  virtual bool sharp_keeps_tangent_spaces() const { return false; }

  virtual void sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const = 0;
  virtual void flat(const Point& x, const ConstVectorRef& v, VectorRef out) const = 0;
  virtual void whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const = 0;

  // g_x(u, v). Default: uᵀ flat(x, v) (so it needs full rank where flat does).
  virtual double inner(const Point& x, const ConstVectorRef& u, const ConstVectorRef& v) const;

  // The Levi-Civita connection, for Riemannian Hessians. In ambient coordinates
  //   christoffel(x, v, df)_j = Σ_{i,k} Γ^k_{ij}(x) v^i df_k,
  // so the Riemannian Hessian of f as a bilinear form is  Hess f(x)[v] = ∇²f(x) v − that, and
  // as an operator sharp(x, Hess f(x)[v]). Metrics that cannot supply it return false from
  // has_christoffel() (the default), and christoffel() then throws InvalidArgument; solvers fall
  // back to differentiating the Riemannian gradient numerically.
  virtual bool has_christoffel() const { return false; }
  virtual void christoffel(const Point& x, const ConstVectorRef& v, const ConstVectorRef& df,
                           VectorRef out) const;
  // True when the exact Riemannian Hessian of this metric is known on `manifold`
  // (hessian_operator.hpp). By default: on an open subset when the metric has Christoffel symbols,
  // on an embedded manifold only for the ambient Euclidean metric (projection and Weingarten map).
  // A metric on an embedded manifold that is an open subset of a linear subspace of its ambient
  // space (SPD in the symmetric matrices, where the Weingarten map vanishes) overrides this: there
  // christoffel() acts on tangent vectors, reads df through its tangent part, and returns a
  // tangent covector, and the Hessian form is P∇²f v − christoffel(x, v, ∇f).
  virtual bool has_connection_on(const Manifold& manifold) const;

  // An optional capability for linearly implicit flow integrators (the Rosenbrock W-method on
  // selection losses such as completion): the sharp of sparse covectors read at their support,
  // and the metric's stiff part (stiffness_model.hpp). nullptr (the default): the integrator
  // applies sharp to dense covectors, which is exact.
  virtual const StiffnessModel* stiffness_model() const { return nullptr; }

  // An optional capability (has_split_sharp): the sharp of a covector given in two parts
  // (Energy::value_and_add_split_gradient), the ambient part df and a part of min(rows, cols)
  // coefficients in a basis the point determines (for the DLN layer: U diag(spectral) Vᵀ in the
  // point's singular basis, svd.hpp). Returns the pairing of the whole covector with out, which
  // is ‖out‖²_g. A metric that works in that basis anyway (the DLN metric) adds the part there
  // and saves forming it. Problem::evaluate_field asks for the split only from metrics that have
  // it; the default throws InvalidArgument.
  virtual bool has_split_sharp() const { return false; }
  virtual double sharp_split(const Point& x, const ConstVectorRef& df,
                             const ConstVectorRef& spectral, VectorRef out) const;

  // An optional capability for Langevin sampling (langevin.hpp, docs/MATH.md §13): the two terms
  // the volume of the metric adds to the dynamics, in ambient coordinates of an open subset,
  //   log_volume_density(x) = log √det G_x   (the density of dvol_g against Lebesgue measure),
  //   volume_drift(x)       = |g|^{−1/2} ∂_j(|g|^{1/2} (G⁻¹)^{ij})  (the Itô drift correction,
  //                           before the factor 1/β),
  // so that dx = [−G⁻¹∇F + β⁻¹ volume_drift] dt + √(2/β) B dW has the law e^{−βF} dvol_g.
  // Metrics with closed forms return true from has_volume_terms(); the defaults throw
  // InvalidArgument (langevin.hpp offers a finite-difference fallback for small dimensions).
  virtual bool has_volume_terms() const { return false; }
  virtual double log_volume_density(const Point& x) const;
  virtual void volume_drift(const Point& x, VectorRef out) const;

  // Convenience wrappers that allocate the result.
  Vector sharp(const Point& x, const ConstVectorRef& df) const;
  Vector flat(const Point& x, const ConstVectorRef& v) const;
  Vector whiten(const Point& x, const ConstVectorRef& xi) const;
};

// The Euclidean (Frobenius) metric of the ambient coordinates: G = identity.
class EuclideanMetric final : public Metric {
 public:
  std::string name() const override { return "euclidean"; }
  bool is_ambient_euclidean() const override { return true; }
  using Metric::flat;
  using Metric::sharp;
  using Metric::whiten;
  void sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const override;
  void flat(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const override;
  double inner(const Point& x, const ConstVectorRef& u, const ConstVectorRef& v) const override;
  // G = I: sharp at a support is the values themselves, and every component is equally stiff.
  const StiffnessModel* stiffness_model() const override;
  // Flat coordinates: every Christoffel symbol vanishes.
  bool has_christoffel() const override { return true; }
  void christoffel(const Point& x, const ConstVectorRef& v, const ConstVectorRef& df,
                   VectorRef out) const override;
  // Constant volume density: log √det G = 0 and no drift correction.
  bool has_volume_terms() const override { return true; }
  double log_volume_density(const Point& x) const override;
  void volume_drift(const Point& x, VectorRef out) const override;
};

}  // namespace riemopt
