// RKC2 with error control (Sommeijer, Shampine & Verwer 1997): an explicit method whose stage
// count grows with √(hρ), ρ the spectral radius of the flow's Jacobian, so that its step follows
// accuracy, not stability. The error estimate (12(y_n − y_{n+1}) + 6h(f_n + f_{n+1}))/15 reuses
// f_{n+1}, which is the next step's f_n; records are cubic Hermite interpolants of (y, f) at the
// step's ends.
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "flow_system.hpp"
#include "hermite_interpolant.hpp"
#include "rkc_coefficients.hpp"
#include "step_size_controller.hpp"

namespace riemopt::detail {
namespace {

class RkcStepper final : public Stepper {
 public:
  RkcStepper(const GradientFlowOptions& options, FlowSystem& system)
      : options_(options), system_(system), controller_(options, 3) {}

  void begin(SolverDriver& run) override {
    const Vector& x0 = run.point().coords();
    const std::size_t n = static_cast<std::size_t>(x0.size());
    y_.assign(x0.data(), x0.data() + x0.size());
    for (State* s : {&y_new_, &f_, &f_new_, &previous_, &before_previous_, &stage_field_,
                     &projected_, &f_projected_, &probe_, &f_probe_})
      s->resize(n);
    as_vector(f_) = -run.evaluation().gradient;
    h_ = std::min({options_.initial_step, options_.max_step, options_.final_time});
    rho_ = spectral_radius();
  }

  bool step(SolverDriver& run) override {
    const double t = run.time();
    while (true) {
      if (reestimate_ || steps_since_estimate_ >= 25) {
        rho_ = spectral_radius();
        steps_since_estimate_ = 0;
        reestimate_ = false;
      }
      h_ = std::min(h_, kMaxRkcStableStep / std::max(rho_, 1e-300));
      const bool last = t + h_ >= options_.final_time;
      if (last) h_ = options_.final_time - t;
      const RkcCoefficients c = rkc_coefficients(rkc_stages_for(h_ * rho_));
      const auto yv = as_vector(std::as_const(y_));
      const auto fv = as_vector(std::as_const(f_));
      bool ok = true;
      as_vector(previous_) = yv + c.mu_tilde[1] * h_ * fv;
      for (int j = 2; j <= c.stages && ok; ++j) {
        ok = system_.field(previous_, stage_field_);
        if (j == 2) {  // Y_{j−2} = Y_0 = y: its two terms merge, and y is not copied
          as_vector(y_new_) = (1.0 - c.mu[j]) * yv + c.mu[j] * as_vector(previous_) +
                              c.mu_tilde[j] * h_ * as_vector(stage_field_) +
                              c.gamma_tilde[j] * h_ * fv;
        } else {
          as_vector(y_new_) = (1.0 - c.mu[j] - c.nu[j]) * yv + c.mu[j] * as_vector(previous_) +
                              c.nu[j] * as_vector(before_previous_) +
                              c.mu_tilde[j] * h_ * as_vector(stage_field_) +
                              c.gamma_tilde[j] * h_ * fv;
        }
        std::swap(before_previous_, previous_);  // Y_{j−2} ← Y_{j−1}
        std::swap(previous_, y_new_);            // Y_{j−1} ← Y_j
      }
      // The step's end is in previous_.
      double error = std::numeric_limits<double>::infinity();
      if (ok && system_.field(previous_, f_new_)) {
        // (12(y_n − y_{n+1}) + 6h(f_n + f_{n+1}))/15, entry by entry, never stored.
        const double* y0 = y_.data();
        const double* y1 = previous_.data();
        const double* f0 = f_.data();
        const double* f1 = f_new_.data();
        const double h = h_;
        error = controller_.error_norm_of(
            static_cast<Eigen::Index>(y_.size()),
            [=](Eigen::Index i) {
              return (12.0 * (y0[i] - y1[i]) + 6.0 * h * (f0[i] + f1[i])) * (1.0 / 15.0);
            },
            y_, previous_);
      }
      if (!(error <= 1.0)) {
        reestimate_ = true;
        if (!controller_.reject(run, system_, h_, error, t)) return true;
        continue;
      }
      const double t_new = last ? options_.final_time : t + h_;
      State* end = &previous_;
      State* f_end = &f_new_;
      if (system_.embedded()) {  // the projection method: the next step starts on the manifold
        projected_ = previous_;
        system_.project(projected_);
        system_.field(projected_, f_projected_);  // a failure shows in hand_over
        end = &projected_;
        f_end = &f_projected_;
      }
      if (!system_.hand_over(run, *end)) return system_.fail(run, t_new);
      const HermiteInterpolant hermite{t, h_, y_, f_, previous_, f_new_};
      const DenseOutput dense = [&hermite](double tau, Vector& out) { hermite(tau, out); };
      const double h = h_;
      const bool ended = run.accept(h, t_new, &dense);
      std::swap(y_, *end);
      std::swap(f_, *f_end);
      ++steps_since_estimate_;
      h_ = std::min(h * controller_.factor(error), options_.max_step);
      return ended;
    }
  }

 private:
  // The spectral radius of ∂f/∂x at y by the nonlinear power iteration of RKC: v ← (f(y + δv̂) −
  // f(y))/δ, warm-started from the last direction; times 1.2 for safety. The flow's Jacobian
  // −G⁻¹∇²E is self-adjoint in the metric, so its eigenvalues are real, as RKC needs.
  double spectral_radius() {
    const auto yv = as_vector(std::as_const(y_));
    const auto fv = as_vector(std::as_const(f_));
    if (direction_.size() != yv.size() || !(direction_.norm() > 0.0)) {
      direction_ = fv;
      if (!(direction_.norm() > 0.0)) direction_.setOnes(yv.size());
    }
    const double delta =
        std::sqrt(std::numeric_limits<double>::epsilon()) * std::max(1.0, yv.norm());
    double rho = 0.0;
    for (int iteration = 0; iteration < 20; ++iteration) {
      as_vector(probe_) = yv + (delta / direction_.norm()) * direction_;
      if (!system_.field(probe_, f_probe_)) break;
      direction_ = (as_vector(std::as_const(f_probe_)) - fv) / delta;
      const double estimate = direction_.norm();
      const bool settled = iteration > 0 && std::abs(estimate - rho) <= 0.05 * estimate;
      rho = estimate;
      if (settled || !(rho > 0.0)) break;
    }
    return 1.2 * rho;
  }

  const GradientFlowOptions& options_;
  FlowSystem& system_;
  StepSizeController controller_;
  State y_, y_new_, f_, f_new_, previous_, before_previous_, stage_field_, projected_, f_projected_,
      probe_, f_probe_;
  Vector direction_;
  double h_ = 0.0, rho_ = 0.0;
  int steps_since_estimate_ = 0;
  bool reestimate_ = false;
};

}  // namespace

std::unique_ptr<Stepper> make_rkc_stepper(const GradientFlowOptions& options, FlowSystem& system) {
  return std::make_unique<RkcStepper>(options, system);
}

}  // namespace riemopt::detail
