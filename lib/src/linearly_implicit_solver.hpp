// (private) The linear systems of the Rosenbrock flow integrator.
//
// The gradient flow ẋ = f(x) = −M_x ∇E(x), M_x = G_x⁻¹ (the metric's `sharp`), is stiff where
// the metric amplifies the energy's curvature. Its Jacobian is modelled, at the step's base point
// x, as −M_x JᵀJ: the Gauss–Newton Hessian JᵀJ of the energy's least-squares terms (residual
// Jacobian J, m rows), without the derivative of M_x and without the other terms' curvature. A
// W-method keeps its order with any such model; the model only decides which stiffness is
// damped. Each stage then solves
//     (I + c·M JᵀJ) k = r,
// through the Woodbury identity
//     k = r − c·M Jᵀ v,   (I_m + c·J M Jᵀ) v = J r,
// whose m×m matrix is symmetric positive definite for any positive semidefinite M, so conjugate
// gradients solve it matrix-free, and M is only ever applied, never inverted: the system is well
// posed at rank-deficient points of the DLN metric too.
//
// On a selection loss (completion: JᵀJ = s²·projection) M is the metric's stiff part
// (StiffnessModel::stiff_sharp, a metric capability) at floor cutoff/(c·s²): the model keeps the
// components whose rate, times c, is at least `cutoff`. The same M serves the m×m system, the
// back-substitution and apply_model, so each stage solves exactly the W-method's system with that
// model.
#pragma once

#include <vector>

#include "riemopt/least_squares_energy.hpp"
#include "riemopt/point.hpp"
#include "riemopt/problem.hpp"

namespace riemopt::detail {

class LinearlyImplicitSolver {
 public:
  // Collects the least-squares part of the problem's energy: the energy itself, or the terms of a
  // SumEnergy with positive weights. Throws InvalidArgument when there is none or when the
  // manifold is not an open subset of its ambient space (the model has no projection).
  // `stiffness_cutoff` >= 0 (0: M is exactly the metric's sharp).
  LinearlyImplicitSolver(const Problem& problem, double stiffness_cutoff);

  // The point whose metric and Jacobian the next solves use (copied with its cached SVD).
  void set_base(const Point& x) { base_ = x; }

  struct Result {
    int iterations = 0;
    bool converged = false;
  };
  // The shift c > 0 of the next solves (γ·h of the step) and the model's floor that follows.
  void set_shift(double c);

  // k = (I + c·M JᵀJ)⁻¹ r, with conjugate gradients stopped at a relative residual `tolerance`
  // of the m×m system or after `max_iterations`.
  Result solve(const Vector& r, Vector& k, double tolerance, int max_iterations);

  // out = M JᵀJ w: minus the Jacobian model applied to w.
  void apply_model(const Vector& w, Vector& out);

  Eigen::Index residual_count() const { return residual_count_; }

 private:
  struct Term {
    double sqrt_weight;
    const LeastSquaresEnergy* energy;
    Eigen::Index offset;  // of its residuals in the stacked vector
  };
  void apply_j(const Vector& x, Vector& out);              // stacked J x
  void apply_jt(const Vector& u, Vector& out);             // Σ Jᵢᵀ uᵢ
  void apply_system(const Vector& p, Vector& out);         // p + c·J M Jᵀ p
  void apply_metric(const Vector& covector, Vector& out);  // M covector

  // One selection term (completion): J M Jᵀ = w·s²·S M Sᵀ, applied by the metric's
  // stiff_sharp_at_support when it has one.
  bool try_selection_system(const Vector& p, Vector& out);

  const Problem& problem_;
  std::vector<Term> terms_;
  const std::vector<Eigen::Index>* selection_ = nullptr;
  double selection_scale_ = 0.0;     // √w · s
  bool selection_supported_ = true;  // until the metric declines once
  double cutoff_ = 0.0;
  double shift_ = 0.0;  // c
  double floor_ = 0.0;  // of the metric's stiff part; 0: exact
  Eigen::Index residual_count_ = 0;
  Point base_;
  Vector ambient_, sharp_, term_out_;
  Vector v_, residual_, direction_, product_, stacked_;
};

}  // namespace riemopt::detail
