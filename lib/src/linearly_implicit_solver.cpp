#include "linearly_implicit_solver.hpp"

#include <cmath>

#include "riemopt/errors.hpp"
#include "riemopt/stiffness_model.hpp"

namespace riemopt::detail {

LinearlyImplicitSolver::LinearlyImplicitSolver(const Problem& problem, double stiffness_cutoff)
    : problem_(problem), cutoff_(stiffness_cutoff) {
  require(problem.manifold().is_open_subset(),
          "the Rosenbrock integrator needs a geometry that is an open subset of its ambient "
          "space ('{}' is not); use dopri5 or rkc",
          problem.manifold().name());
  // The energy's least-squares terms (Energy::least_squares_terms); the others are treated
  // explicitly, and so are least-squares terms with a weight <= 0 (not a Gauss–Newton model).
  std::vector<LeastSquaresTerm> structure;
  problem.energy().least_squares_terms(1.0, structure);
  for (const LeastSquaresTerm& t : structure) {
    if (!(t.weight > 0.0)) continue;
    terms_.push_back({std::sqrt(t.weight), t.energy, residual_count_});
    residual_count_ += t.energy->residual_count();
  }
  if (terms_.size() == 1) {
    double scale = 0.0;
    selection_ = terms_[0].energy->selection_jacobian(&scale);
    selection_scale_ = terms_[0].sqrt_weight * scale;
  }
  require(!terms_.empty(),
          "the Rosenbrock integrator models the flow's stiffness by the Gauss-Newton Hessian of "
          "a least-squares energy, and '{}' has no least-squares term with a positive weight; "
          "use dopri5 or rkc",
          problem.energy().name());
}

void LinearlyImplicitSolver::apply_j(const Vector& x, Vector& out) {
  out.resize(residual_count_);
  for (const Term& t : terms_) {
    auto block = out.segment(t.offset, t.energy->residual_count());
    t.energy->jacobian_product(base_, x, block);
    block *= t.sqrt_weight;
  }
}

void LinearlyImplicitSolver::apply_jt(const Vector& u, Vector& out) {
  out.setZero(base_.size());
  term_out_.resize(base_.size());
  for (const Term& t : terms_) {
    t.energy->jacobian_transpose_product(base_, u.segment(t.offset, t.energy->residual_count()),
                                         term_out_);
    out += t.sqrt_weight * term_out_;
  }
}

void LinearlyImplicitSolver::set_shift(double c) {
  shift_ = c;
  // Only a selection loss has a known curvature s² to turn the cutoff into a floor of the metric.
  const double curvature = selection_scale_ * selection_scale_;
  floor_ = selection_ != nullptr && cutoff_ > 0.0 && c > 0.0 && curvature > 0.0
               ? cutoff_ / (c * curvature)
               : 0.0;
}

void LinearlyImplicitSolver::apply_metric(const Vector& covector, Vector& out) {
  out.resize(base_.size());
  if (const StiffnessModel* model = problem_.metric().stiffness_model())
    model->stiff_sharp(base_, floor_, covector, out);
  else
    problem_.metric().sharp(base_, covector, out);  // exact: the dropped components are optional
}

bool LinearlyImplicitSolver::try_selection_system(const Vector& p, Vector& out) {
  if (selection_ == nullptr || !selection_supported_) return false;
  out.resize(p.size());
  const StiffnessModel* model = problem_.metric().stiffness_model();
  if (model == nullptr || !model->stiff_sharp_at_support(base_, floor_, *selection_, p, out)) {
    selection_supported_ = false;
    return false;
  }
  out = p + (shift_ * selection_scale_ * selection_scale_) * out;
  return true;
}

void LinearlyImplicitSolver::apply_system(const Vector& p, Vector& out) {
  if (try_selection_system(p, out)) return;
  apply_jt(p, ambient_);
  apply_metric(ambient_, sharp_);
  apply_j(sharp_, out);
  out = p + shift_ * out;
}

void LinearlyImplicitSolver::apply_model(const Vector& w, Vector& out) {
  apply_j(w, stacked_);
  apply_jt(stacked_, ambient_);
  apply_metric(ambient_, out);
}

LinearlyImplicitSolver::Result LinearlyImplicitSolver::solve(const Vector& r, Vector& k,
                                                             double tolerance, int max_iterations) {
  Result result;
  apply_j(r, residual_);  // b = J r; v = 0, so the residual starts at b
  const double target = tolerance * residual_.norm();
  v_.setZero(residual_count_);
  direction_ = residual_;
  double rr = residual_.squaredNorm();
  result.converged = std::sqrt(rr) <= target;
  while (!result.converged && result.iterations < max_iterations) {
    apply_system(direction_, product_);
    const double curvature = direction_.dot(product_);
    if (!(curvature > 0.0)) break;  // ≥ ‖p‖² in exact arithmetic; NaN means a failed product
    const double alpha = rr / curvature;
    v_ += alpha * direction_;
    residual_ -= alpha * product_;
    const double rr_new = residual_.squaredNorm();
    ++result.iterations;
    result.converged = std::sqrt(rr_new) <= target;
    direction_ = residual_ + (rr_new / rr) * direction_;
    rr = rr_new;
  }
  // k = r − c·M Jᵀ v
  apply_jt(v_, ambient_);
  apply_metric(ambient_, sharp_);
  k = r - shift_ * sharp_;
  return result;
}

}  // namespace riemopt::detail
