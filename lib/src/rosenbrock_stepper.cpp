// ROS34PW2 (Rang & Angermann 2005): a four-stage Rosenbrock W-method, third order for any
// Jacobian model (second-order embedded solution for the error estimate), L-stable. In the form
// of Hairer & Wanner, with J the model −M JᵀJ at y_n (linearly_implicit_solver.hpp):
//   (I − γhJ) k_i = h f(y_n + Σ_{j<i} α_ij k_j) + hJ Σ_{j<i} γ_ij k_j,
//   y_{n+1} = y_n + Σ b_i k_i,   error = Σ (b_i − b̂_i) k_i.
// Each step evaluates f at three stages and at y_{n+1} (the next step's first stage and the
// stopping rules' evaluation) and solves four linear systems. Records are cubic Hermite
// interpolants of (y, f) at the step's ends.
#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "flow_system.hpp"
#include "hermite_interpolant.hpp"
#include "linearly_implicit_solver.hpp"
#include "riemopt/errors.hpp"
#include "rosenbrock_tableau.hpp"
#include "step_size_controller.hpp"

namespace riemopt::detail {
namespace {

class RosenbrockStepper final : public Stepper {
 public:
  RosenbrockStepper(const GradientFlowOptions& options, FlowSystem& system, const Problem& problem)
      : options_(options),
        system_(system),
        controller_(options, 3),
        solver_(problem, options.stiffness_cutoff),
        krylov_tolerance_(
            options.krylov_tolerance > 0.0
                ? options.krylov_tolerance
                : std::min(1e-3, 1e-2 * std::max(options.relative_tolerance, 1e-12))) {}

  void begin(SolverDriver& run) override {
    const Vector& x0 = run.point().coords();
    const Eigen::Index n = x0.size();
    y_.assign(x0.data(), x0.data() + n);
    for (State* s : {&y_new_, &f_, &f_new_, &stage_, &f_stage_}) s->resize(y_.size());
    for (Vector& v : k_) v.resize(n);
    rhs_.resize(n);
    coupling_.resize(n);
    model_.resize(n);
    error_vector_.resize(n);
    as_vector(f_) = -run.evaluation().gradient;
    h_ = std::min({options_.initial_step, options_.max_step, options_.final_time});
    solver_.set_base(run.point());  // evaluated at y: its SVD is cached and copied
  }

  bool step(SolverDriver& run) override {
    const RosenbrockTableau& rw = ros34pw2();
    constexpr int kStages = RosenbrockTableau::kStages;
    const double t = run.time();
    while (true) {
      const bool last = t + h_ >= options_.final_time;
      if (last) h_ = options_.final_time - t;
      const auto yv = as_vector(std::as_const(y_));
      const auto fv = as_vector(std::as_const(f_));
      solver_.set_shift(rw.gamma_diagonal * h_);
      bool ok = true;
      for (int i = 0; i < kStages && ok; ++i) {
        if (i == 0) {
          rhs_ = h_ * fv;
        } else {
          auto yi = as_vector(stage_);
          yi = yv;
          coupling_.setZero();
          for (int j = 0; j < i; ++j) {
            if (rw.alpha[i][j] != 0.0) yi += rw.alpha[i][j] * k_[j];
            if (rw.gamma[i][j] != 0.0) coupling_ += rw.gamma[i][j] * k_[j];
          }
          ok = system_.field(stage_, f_stage_);
          if (!ok) break;
          solver_.apply_model(coupling_, model_);  // M JᵀJ Σγ_ij k_j, so hJ(·) = −h·model
          rhs_ = h_ * (as_vector(std::as_const(f_stage_)) - model_);
        }
        const auto r =
            solver_.solve(rhs_, k_[i], krylov_tolerance_, options_.max_krylov_iterations);
        run.mutable_summary().linear_iterations += r.iterations;
        ok = all_finite(k_[i]);
      }
      double error = std::numeric_limits<double>::infinity();
      if (ok) {
        auto yn = as_vector(y_new_);
        yn = yv;
        error_vector_.setZero();
        for (int i = 0; i < kStages; ++i) {
          yn += rw.b[i] * k_[i];
          error_vector_ += (rw.b[i] - rw.b_embedded[i]) * k_[i];
        }
        error = controller_.error_norm(error_vector_, y_, y_new_);
        // The new state's field: the next step's f(y_n) and the stopping rules' evaluation.
        if (error <= 1.0 && !system_.field(y_new_, f_new_))
          error = std::numeric_limits<double>::infinity();
      }
      if (!(error <= 1.0)) {
        if (!controller_.reject(run, system_, h_, error, t)) return true;
        continue;  // same base point: the solver keeps y's metric (and SVD)
      }
      const double t_new = last ? options_.final_time : t + h_;
      if (!system_.hand_over(run, y_new_)) return system_.fail(run, t_new);
      const HermiteInterpolant hermite{t, h_, y_, f_, y_new_, f_new_};
      const DenseOutput dense = [&hermite](double tau, Vector& out) { hermite(tau, out); };
      const double h = h_;
      if (run.accept(h, t_new, &dense)) return true;
      std::swap(y_, y_new_);
      std::swap(f_, f_new_);
      solver_.set_base(run.point());  // evaluated at y by the step: its SVD is cached
      h_ = std::min(h * controller_.factor(error), options_.max_step);
      return false;
    }
  }

 private:
  const GradientFlowOptions& options_;
  FlowSystem& system_;
  StepSizeController controller_;
  LinearlyImplicitSolver solver_;
  double krylov_tolerance_;
  State y_, y_new_, f_, f_new_, stage_, f_stage_;
  std::array<Vector, RosenbrockTableau::kStages> k_;
  Vector rhs_, coupling_, model_, error_vector_;
  double h_ = 0.0;
};

}  // namespace

std::unique_ptr<Stepper> make_rosenbrock_stepper(const GradientFlowOptions& options,
                                                 FlowSystem& system, const Problem& problem) {
  return std::make_unique<RosenbrockStepper>(options, system, problem);
}

}  // namespace riemopt::detail
