#include "riemopt/gradient_flow.hpp"

#include <fmt/format.h>

#include <array>
#include <boost/numeric/odeint.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "linearly_implicit_solver.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/work_counter.hpp"
#include "rkc_coefficients.hpp"
#include "rosenbrock_tableau.hpp"

namespace riemopt {
namespace {

using State = std::vector<double>;
namespace odeint = boost::numeric::odeint;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The right-hand side f(x) = −grad E(x), remembering the last evaluation so that the solver can
// read the value and gradient norm at the newest state without evaluating again (Dormand–Prince
// is FSAL: its last stage is evaluated at the accepted state).
class FlowSystem {
 public:
  // Returned where the field cannot be evaluated (outside the energy's domain, NaN, overflow).
  // A NaN would make the error estimate NaN, which odeint's controller accepts; this large
  // finite value makes the estimate huge instead, so the adaptive step is rejected and shrunk,
  // and a trajectory that really ends there stops on step-size underflow, not on NaN.
  static constexpr double kRejectingDerivative = 1e100;

  FlowSystem(const Problem& problem, Point point) : problem_(problem), point_(std::move(point)) {}

  void operator()(const State& x, State& dxdt, double /*t*/) {
    ++calls_;
    const Eigen::Map<const Vector> xv(x.data(), static_cast<Eigen::Index>(x.size()));
    Eigen::Map<Vector> out(dxdt.data(), static_cast<Eigen::Index>(dxdt.size()));
    valid_ = false;
    if (!xv.allFinite()) {
      out.setConstant(kRejectingDerivative);
      // A NaN state is usually the consequence of an earlier failed stage: keep that cause.
      if (failure_.empty()) failure_ = "the state has NaN or infinite entries (blow-up)";
      ++failed_calls_;
      return;
    }
    point_.assign(xv);
    try {
      problem_.evaluate_field(point_, eval_);
    } catch (const std::exception& e) {
      out.setConstant(kRejectingDerivative);
      failure_ = e.what();
      rejected_cause_ = failure_;
      ++failed_calls_;
      return;
    }
    out = -eval_.gradient;
    valid_ = std::isfinite(eval_.value) && std::isfinite(eval_.gradient_norm) &&
             eval_.gradient.allFinite();
    if (!valid_) {
      failure_ = "the energy or its gradient is NaN or infinite";
      rejected_cause_ = failure_;
      ++failed_calls_;
      out.setConstant(kRejectingDerivative);
    }
  }

  // Evaluates at x unless the last call already did. Returns false on failure.
  bool ensure_evaluated_at(const State& x) {
    const Eigen::Map<const Vector> xv(x.data(), static_cast<Eigen::Index>(x.size()));
    if (valid_ && point_.coords() == xv) {
      failure_.clear();
      return true;
    }
    State scratch(x.size());
    (*this)(x, scratch, 0.0);
    if (valid_) failure_.clear();  // failures of rejected trial stages no longer matter
    return valid_;
  }

  const Problem::Evaluation& evaluation() const { return eval_; }
  const Point& point() const { return point_; }
  std::int64_t calls() const { return calls_; }
  std::int64_t failed_calls() const { return failed_calls_; }
  const std::string& failure() const { return failure_; }
  // "; the field could not be evaluated beyond it: <cause>" after rejected trial steps, or "".
  std::string last_failure_note() const {
    return rejected_cause_.empty()
               ? std::string()
               : "; the field could not be evaluated beyond it: " + rejected_cause_;
  }

 private:
  const Problem& problem_;
  Point point_;
  Problem::Evaluation eval_;
  bool valid_ = false;
  std::int64_t calls_ = 0;
  std::int64_t failed_calls_ = 0;
  std::string failure_;
  std::string rejected_cause_;  // the last failure seen, kept across successful evaluations
};

class FlowDriver {
 public:
  FlowDriver(const Problem& problem, const GradientFlowOptions& options, Point start)
      : problem_(problem),
        options_(options),
        system_(problem, start),
        recorder_(start),
        schedule_(options.trajectory),
        embedded_(!problem.manifold().is_open_subset()) {
    summary_.trajectory.observable_names = options.trajectory.observable_names;
  }

  Summary run(const State& x0) {
    start_ = Clock::now();
    svd_start_ = decomposition_count();
    problem_.reset_counts();
    summary_.solver = "gradient-flow (" + to_string(options_.integrator) + ")";
    summary_.geometry = problem_.geometry().name();
    summary_.energy = problem_.energy().name();
    if (!system_.ensure_evaluated_at(x0)) {
      finish(x0, 0.0, TerminationStatus::kNumericalFailure,
             "the initial point cannot be evaluated: " + system_.failure());
      return std::move(summary_);
    }
    summary_.initial_value = system_.evaluation().value;
    lowest_value_ = summary_.initial_value;
    summary_.initial_gradient_norm = system_.evaluation().gradient_norm;
    if (schedule_.next() <= 0.0) record_pending(x0, 0.0, &system_.evaluation());
    switch (options_.integrator) {
      case Integrator::kDormandPrince:
        run_dormand_prince(x0);
        break;
      case Integrator::kRungeKuttaChebyshev:
        run_rkc(x0);
        break;
      case Integrator::kRosenbrock:
        run_rosenbrock(x0);
        break;
      case Integrator::kRungeKutta4:
        run_rk4(x0);
        break;
    }
    return std::move(summary_);
  }

 private:
  using Dense = odeint::result_of::make_dense_output<odeint::runge_kutta_dopri5<State>>::type;

  // Checks the stopping rules at state x (time t), evaluated in system_. Returns true to stop.
  bool should_stop(const State& x, double t, double step) {
    const auto& e = system_.evaluation();
    ++summary_.iterations;
    const double wall = seconds_since(start_);
    maybe_print_progress(t, e.value, e.gradient_norm, wall);
    // A gradient flow never increases its energy. An accepted state above the lowest energy seen
    // by more than the integration error can explain (a thousandth of the decrease so far, plus
    // a relative 1e-9 for rounding) means the integration is unstable: a fixed step too large,
    // or tolerances too loose. Stop with a failure rather than report what follows.
    const double decrease = summary_.initial_value - lowest_value_;
    const double slack =
        1e-3 * decrease + 1e-9 * std::max(std::abs(summary_.initial_value), std::abs(e.value));
    if (e.value > lowest_value_ + slack) {
      finish(x, t, TerminationStatus::kEnergyIncreased,
             fmt::format("the energy rose from {:.6e} to {:.6e} at t = {:.6g}: a gradient flow "
                         "never increases its energy, so the integration is unstable here "
                         "(use a smaller fixed_step, tighter tolerances or a stiff integrator)",
                         lowest_value_, e.value, t));
      return true;
    }
    lowest_value_ = std::min(lowest_value_, e.value);
    if (options_.gradient_tolerance > 0.0 && e.gradient_norm <= options_.gradient_tolerance) {
      finish(x, t, TerminationStatus::kConverged,
             fmt::format("gradient norm {:.3e} <= tolerance {:.3e}", e.gradient_norm,
                         options_.gradient_tolerance));
      return true;
    }
    if (at_accuracy_floor(e.value, e.gradient_norm)) {
      finish(x, t, TerminationStatus::kToleranceUnreachable,
             fmt::format("the gradient norm settled at {:.3e}, above the tolerance {:.3e}: over "
                         "the last {} steps the energy changed by {:.1e} (rounding level) and the "
                         "gradient norm did not improve, so the integrator has reached its "
                         "attainable accuracy (tighten relative_tolerance and "
                         "absolute_tolerance, or raise gradient_tolerance)",
                         floor_best_norm_, options_.gradient_tolerance, kFloorWindow,
                         floor_window_change_));
      return true;
    }
    IterationInfo info{summary_.iterations, t, e.value, e.gradient_norm, step, wall,
                       &system_.point()};
    for (const auto& callback : options_.callbacks) {
      const CallbackDecision decision = callback(info);
      if (decision.stops()) {
        finish(x, t, decision.status, decision.stop_message());
        return true;
      }
    }
    if (summary_.iterations >= options_.max_iterations) {
      finish(x, t, TerminationStatus::kMaxIterations,
             fmt::format("step budget of {} spent", options_.max_iterations));
      return true;
    }
    if (system_.calls() >= options_.max_evaluations) {
      finish(x, t, TerminationStatus::kMaxEvaluations,
             fmt::format("evaluation budget of {} spent", options_.max_evaluations));
      return true;
    }
    if (wall >= options_.max_wall_seconds) {
      finish(x, t, TerminationStatus::kMaxWallTime,
             fmt::format("wall-time budget of {} s spent", options_.max_wall_seconds));
      return true;
    }
    return false;
  }

  // Over each window of kFloorWindow accepted steps: true when the energy moved by at most
  // 100 ulps of its scale and the gradient norm's best value did not improve by 1 %. A flow
  // still making progress moves its energy by far more (a DLN completion flow escaping its
  // saddle from a 1e-3 start changes E by ~1e-7 per thousand steps; the threshold there is
  // ~3e-12), so this fires only when the integration error itself sets the floor.
  bool at_accuracy_floor(double value, double norm) {
    if (options_.gradient_tolerance <= 0.0) return false;
    if (summary_.iterations == 1) {
      floor_window_value_ = value;
      floor_window_best_ = floor_best_norm_ = norm;
      return false;
    }
    const bool improved = norm < 0.99 * floor_window_best_;
    floor_best_norm_ = std::min(floor_best_norm_, norm);
    if (improved) floor_window_improved_ = true;
    if (summary_.iterations % kFloorWindow != 0) return false;
    floor_window_change_ = std::abs(floor_window_value_ - value);
    const double scale = std::max(std::abs(value), std::abs(summary_.initial_value));
    const bool stalled = !floor_window_improved_ &&
                         floor_window_change_ <= 100.0 * kEpsilon * std::max(scale, kTiny);
    floor_window_value_ = value;
    floor_window_best_ = floor_best_norm_;
    floor_window_improved_ = false;
    return stalled;
  }

  void run_dormand_prince(const State& x0) {
    Dense stepper =
        odeint::make_dense_output(options_.absolute_tolerance, options_.relative_tolerance,
                                  options_.max_step, odeint::runge_kutta_dopri5<State>());
    const double first = std::min(options_.initial_step, options_.final_time);
    stepper.initialize(x0, 0.0, first);
    State interpolated(x0.size());
    // The last accepted state that evaluated cleanly: what a numerical failure reports.
    State last_good = x0;
    double t_good = 0.0;
    while (true) {
      std::pair<double, double> interval;
      try {
        interval = stepper.do_step(std::ref(system_));
      } catch (const odeint::step_adjustment_error& e) {
        finish(stepper.current_state(), stepper.current_time(),
               TerminationStatus::kStepSizeTooSmall,
               std::string("the adaptive step could not be adjusted: ") + e.what() +
                   system_.last_failure_note());
        return;
      }
      const auto [t_old, t_new] = interval;
      const State& x = stepper.current_state();
      // Records inside (t_old, min(t_new, final_time)] by dense-output interpolation.
      const double record_until = std::min(t_new, options_.final_time);
      while (schedule_.next() <= record_until) {
        stepper.calc_state(schedule_.next(), interpolated);
        record_pending(interpolated, schedule_.next(), nullptr);
      }
      if (t_new >= options_.final_time) {
        stepper.calc_state(options_.final_time, interpolated);
        restore(interpolated);
        if (!system_.ensure_evaluated_at(interpolated)) {
          fail(last_good, t_good, options_.final_time);
          return;
        }
        if (!should_stop(interpolated, options_.final_time, t_new - t_old))
          finish(interpolated, options_.final_time, TerminationStatus::kFinalTimeReached,
                 fmt::format("reached final time {}", options_.final_time));
        return;
      }
      if (embedded_) {  // the projection method: back onto the manifold, then go on from there
        State projected = x;
        restore(projected);
        stepper.initialize(projected, t_new, stepper.current_time_step());
      }
      if (!system_.ensure_evaluated_at(x)) {
        fail(last_good, t_good, t_new);
        return;
      }
      if (should_stop(x, t_new, t_new - t_old)) return;
      last_good = x;
      t_good = t_new;
      const double dt = stepper.current_time_step();
      if (dt < options_.min_step * std::max(1.0, t_new)) {
        finish(x, t_new, TerminationStatus::kStepSizeTooSmall,
               fmt::format("adaptive step {:.3e} fell below min_step {:.3e} at t = {:.6g}{}", dt,
                           options_.min_step * std::max(1.0, t_new), t_new,
                           system_.last_failure_note()));
        return;
      }
    }
  }

  // The weighted RMS norm of a local error estimate: per component |e| / (atol + rtol·max(|y0|,
  // |y1|)), as the error control of RKC and the Rosenbrock method uses it (≤ 1: accept).
  double scaled_error_norm(const Vector& estimate, const State& y0, const State& y1) const {
    double sum = 0.0;
    for (Eigen::Index i = 0; i < estimate.size(); ++i) {
      const double scale = options_.absolute_tolerance +
                           options_.relative_tolerance * std::max(std::abs(y0[i]), std::abs(y1[i]));
      sum += (estimate[i] / scale) * (estimate[i] / scale);
    }
    return std::sqrt(sum / static_cast<double>(estimate.size()));
  }

  // After a rejected step: counts it and shrinks h by `factor`. Returns false (and finishes the
  // run at y, t) when the step falls below min_step.
  bool shrink_after_rejection(double& h, double factor, const State& y, double t) {
    ++summary_.rejected_steps;
    h *= factor;
    if (h >= options_.min_step * std::max(1.0, t)) return true;
    finish(y, t, TerminationStatus::kStepSizeTooSmall,
           fmt::format("adaptive step {:.3e} fell below min_step {:.3e} at t = {:.6g}{}", h,
                       options_.min_step * std::max(1.0, t), t, system_.last_failure_note()));
    return false;
  }

  // After an accepted step to (y, t), whose field the step evaluated last: the stopping rules
  // and the final time. Returns true when the run has finished.
  bool finished_after_step(const State& y, double t, double h, bool last) {
    if (!system_.ensure_evaluated_at(y)) {  // cached: the step's last evaluation was at y
      fail(y, t, t);
      return true;
    }
    if (should_stop(y, t, h)) return true;
    if (!last) return false;
    finish(y, t, TerminationStatus::kFinalTimeReached,
           fmt::format("reached final time {}", options_.final_time));
    return true;
  }

  // Records inside (t, t + h] by cubic Hermite interpolation of (y, f) at the step's ends (the
  // RKC and Rosenbrock steppers, which have no dense output of their own).
  void record_hermite(double t, double h, double t_new, const State& y0, const State& f0,
                      const State& y1, const State& f1, State& scratch) {
    const Eigen::Index n = static_cast<Eigen::Index>(y0.size());
    const Eigen::Map<const Vector> a(y0.data(), n), fa(f0.data(), n), b(y1.data(), n),
        fb(f1.data(), n);
    while (schedule_.next() <= t_new) {
      const double theta = (schedule_.next() - t) / h;
      const double a0 = (1.0 - theta) * (1.0 - theta) * (1.0 + 2.0 * theta);
      const double a1 = theta * theta * (3.0 - 2.0 * theta);
      const double b0 = theta * (1.0 - theta) * (1.0 - theta);
      const double b1 = -theta * theta * (1.0 - theta);
      Eigen::Map<Vector>(scratch.data(), n) = a0 * a + a1 * b + h * (b0 * fa + b1 * fb);
      record_pending(scratch, schedule_.next(), nullptr);
    }
  }

  // ---- Runge–Kutta–Chebyshev ---------------------------------------------------------------

  // f(x) into out (a State), through the system; false when the evaluation failed.
  bool field(const State& x, State& out) {
    const std::int64_t failed_before = system_.failed_calls();
    system_(x, out, 0.0);
    return system_.failed_calls() == failed_before;
  }

  // The spectral radius of ∂f/∂x at y by the nonlinear power iteration of RKC: v ← (f(y + δv̂) −
  // f(y))/δ, warm-started from the last direction; times 1.2 for safety. The flow's Jacobian
  // −G⁻¹∇²E is self-adjoint in the metric, so its eigenvalues are real, as RKC needs.
  double spectral_radius(const State& y, const State& fy, Vector& direction) {
    const Eigen::Index n = static_cast<Eigen::Index>(y.size());
    const Eigen::Map<const Vector> yv(y.data(), n), fv(fy.data(), n);
    if (direction.size() != n || !(direction.norm() > 0.0)) {
      direction = fv;
      if (!(direction.norm() > 0.0)) direction.setOnes();
    }
    const double delta =
        std::sqrt(std::numeric_limits<double>::epsilon()) * std::max(1.0, yv.norm());
    State probe(y.size()), f_probe(y.size());
    double rho = 0.0;
    for (int iteration = 0; iteration < 20; ++iteration) {
      Eigen::Map<Vector>(probe.data(), n) = yv + (delta / direction.norm()) * direction;
      if (!field(probe, f_probe)) break;
      direction = (Eigen::Map<const Vector>(f_probe.data(), n) - fv) / delta;
      const double estimate = direction.norm();
      const bool settled = iteration > 0 && std::abs(estimate - rho) <= 0.05 * estimate;
      rho = estimate;
      if (settled || !(rho > 0.0)) break;
    }
    return 1.2 * rho;
  }

  // RKC2 with error control (Sommeijer, Shampine & Verwer 1997). The error estimate
  // (12(y_n − y_{n+1}) + 6h(f_n + f_{n+1}))/15 reuses f_{n+1}, which is the next step's f_n;
  // records are cubic Hermite interpolants of (y, f) at the step's ends.
  void run_rkc(const State& x0) {
    const Eigen::Index n = static_cast<Eigen::Index>(x0.size());
    State y = x0, y_new(x0.size()), f(x0.size()), f_new(x0.size()), previous(x0.size()),
          before_previous(x0.size()), stage_field(x0.size()), interpolated(x0.size());
    Vector estimate(n);
    Eigen::Map<Vector>(f.data(), n) = -system_.evaluation().gradient;
    Vector direction;
    double t = 0.0;
    double h = std::min({options_.initial_step, options_.max_step, options_.final_time});
    double rho = spectral_radius(y, f, direction);
    int steps_since_estimate = 0;
    bool reestimate = false;
    while (true) {
      if (reestimate || steps_since_estimate >= 25) {
        rho = spectral_radius(y, f, direction);
        steps_since_estimate = 0;
        reestimate = false;
      }
      h = std::min(h, detail::kMaxRkcStableStep / std::max(rho, 1e-300));
      const bool last = t + h >= options_.final_time;
      if (last) h = options_.final_time - t;
      const detail::RkcCoefficients c = detail::rkc_coefficients(detail::rkc_stages_for(h * rho));
      const Eigen::Map<const Vector> yv(y.data(), n), fv(f.data(), n);
      bool ok = true;
      Eigen::Map<Vector>(before_previous.data(), n) = yv;
      Eigen::Map<Vector>(previous.data(), n) = yv + c.mu_tilde[1] * h * fv;
      for (int j = 2; j <= c.stages && ok; ++j) {
        ok = field(previous, stage_field);
        const Eigen::Map<const Vector> y1(previous.data(), n), y2(before_previous.data(), n),
            fj(stage_field.data(), n);
        Eigen::Map<Vector>(y_new.data(), n) = (1.0 - c.mu[j] - c.nu[j]) * yv + c.mu[j] * y1 +
                                              c.nu[j] * y2 + c.mu_tilde[j] * h * fj +
                                              c.gamma_tilde[j] * h * fv;
        std::swap(before_previous, previous);  // Y_{j−2} ← Y_{j−1}
        std::swap(previous, y_new);            // Y_{j−1} ← Y_j
      }
      // The step's end is in `previous`.
      double error = std::numeric_limits<double>::infinity();
      if (ok && field(previous, f_new)) {
        const Eigen::Map<const Vector> yn(previous.data(), n), fn(f_new.data(), n);
        estimate = (12.0 * (yv - yn) + 6.0 * h * (fv + fn)) / 15.0;
        error = scaled_error_norm(estimate, y, previous);
      }
      const double factor =
          std::isfinite(error)
              ? std::clamp(0.8 * std::pow(std::max(error, 1e-10), -1.0 / 3.0), 0.1, 10.0)
              : 0.1;
      if (!(error <= 1.0)) {
        reestimate = true;
        if (!shrink_after_rejection(h, factor, y, t)) return;
        continue;
      }
      // Accepted: records by Hermite interpolation inside (t, t + h].
      const double t_new = last ? options_.final_time : t + h;
      record_hermite(t, h, t_new, y, f, previous, f_new, interpolated);
      std::swap(y, previous);
      std::swap(f, f_new);
      t = t_new;
      if (embedded_) {  // the projection method: the next step starts on the manifold
        restore(y);
        field(y, f);  // a failure here is caught by finished_after_step's evaluation
      }
      ++steps_since_estimate;
      if (finished_after_step(y, t, h, last)) return;
      h = std::min(h * factor, options_.max_step);
    }
  }

  // ---- Rosenbrock W-method -------------------------------------------------------------------

  // ROS34PW2 (Rang & Angermann 2005): a four-stage Rosenbrock W-method, third order for any
  // Jacobian model (second-order embedded solution for the error estimate), L-stable. In the
  // form of Hairer & Wanner, with J the model −M JᵀJ at y_n (linearly_implicit_solver.hpp):
  //   (I − γhJ) k_i = h f(y_n + Σ_{j<i} α_ij k_j) + hJ Σ_{j<i} γ_ij k_j,
  //   y_{n+1} = y_n + Σ b_i k_i,   error = Σ (b_i − b̂_i) k_i.
  // Each step evaluates f at three stages and at y_{n+1} (the next step's first stage and the
  // stopping rules' evaluation) and solves four linear systems.
  void run_rosenbrock(const State& x0) {
    const detail::RosenbrockTableau& rw = detail::ros34pw2();
    constexpr int kStages = detail::RosenbrockTableau::kStages;
    detail::LinearlyImplicitSolver solver(problem_, options_.stiffness_cutoff);
    const double krylov_tolerance =
        options_.krylov_tolerance > 0.0
            ? options_.krylov_tolerance
            : std::min(1e-3, 1e-2 * std::max(options_.relative_tolerance, 1e-12));
    const Eigen::Index n = static_cast<Eigen::Index>(x0.size());
    State y = x0, y_new(x0.size()), f(x0.size()), f_new(x0.size()), stage(x0.size()),
          f_stage(x0.size()), interpolated(x0.size());
    std::array<Vector, kStages> k;
    for (Vector& v : k) v.resize(n);
    Vector rhs(n), coupling(n), model(n), error_vector(n);
    Eigen::Map<Vector>(f.data(), n) = -system_.evaluation().gradient;
    double t = 0.0;
    double h = std::min({options_.initial_step, options_.max_step, options_.final_time});
    solver.set_base(system_.point());  // evaluated at y: its SVD is cached and copied
    while (true) {
      const bool last = t + h >= options_.final_time;
      if (last) h = options_.final_time - t;
      const Eigen::Map<const Vector> yv(y.data(), n), fv(f.data(), n);
      solver.set_shift(rw.gamma_diagonal * h);
      bool ok = true;
      for (int i = 0; i < kStages && ok; ++i) {
        if (i == 0) {
          rhs = h * fv;
        } else {
          Eigen::Map<Vector> yi(stage.data(), n);
          yi = yv;
          coupling.setZero();
          for (int j = 0; j < i; ++j) {
            if (rw.alpha[i][j] != 0.0) yi += rw.alpha[i][j] * k[j];
            if (rw.gamma[i][j] != 0.0) coupling += rw.gamma[i][j] * k[j];
          }
          ok = field(stage, f_stage);
          if (!ok) break;
          solver.apply_model(coupling, model);  // M JᵀJ Σγ_ij k_j, so hJ(·) = −h·model
          rhs = h * (Eigen::Map<const Vector>(f_stage.data(), n) - model);
        }
        const auto r = solver.solve(rhs, k[i], krylov_tolerance, options_.max_krylov_iterations);
        summary_.linear_iterations += r.iterations;
        ok = k[i].allFinite();
      }
      double error = std::numeric_limits<double>::infinity();
      if (ok) {
        Eigen::Map<Vector> yn(y_new.data(), n);
        yn = yv;
        error_vector.setZero();
        for (int i = 0; i < kStages; ++i) {
          yn += rw.b[i] * k[i];
          error_vector += (rw.b[i] - rw.b_embedded[i]) * k[i];
        }
        error = scaled_error_norm(error_vector, y, y_new);
        // The new state's field: the next step's f(y_n) and the stopping rules' evaluation.
        if (error <= 1.0 && !field(y_new, f_new)) error = std::numeric_limits<double>::infinity();
      }
      const double factor =
          std::isfinite(error)
              ? std::clamp(0.8 * std::pow(std::max(error, 1e-10), -1.0 / 3.0), 0.2, 5.0)
              : 0.2;
      if (!(error <= 1.0)) {
        if (!shrink_after_rejection(h, factor, y, t)) return;
        continue;  // same base point: the solver keeps y's metric (and SVD)
      }
      const double t_new = last ? options_.final_time : t + h;
      record_hermite(t, h, t_new, y, f, y_new, f_new, interpolated);
      std::swap(y, y_new);
      std::swap(f, f_new);
      t = t_new;
      if (finished_after_step(y, t, h, last)) return;
      solver.set_base(system_.point());  // evaluated at y by the step: its SVD is cached
      h = std::min(h * factor, options_.max_step);
    }
  }

  void run_rk4(const State& x0) {
    odeint::runge_kutta4<State> stepper;
    State x = x0, dxdt(x0.size()), last_good = x0;
    double t = 0.0, t_good = 0.0;
    while (true) {
      if (!system_.ensure_evaluated_at(x)) {
        fail(last_good, t_good, t);
        return;
      }
      last_good = x;
      t_good = t;
      if (t > 0.0 && should_stop(x, t, options_.fixed_step)) return;
      if (t >= options_.final_time) {
        finish(x, t, TerminationStatus::kFinalTimeReached,
               fmt::format("reached final time {}", options_.final_time));
        return;
      }
      Eigen::Map<Vector> derivative(dxdt.data(), static_cast<Eigen::Index>(dxdt.size()));
      derivative = -system_.evaluation().gradient;
      const double dt = std::min(options_.fixed_step, options_.final_time - t);
      const std::int64_t failed_before = system_.failed_calls();
      stepper.do_step(std::ref(system_), x, dxdt, t, dt);
      if (system_.failed_calls() != failed_before) {  // a fixed step cannot be retried smaller
        fail(last_good, t_good, t + dt);
        return;
      }
      restore(x);
      t = (options_.final_time - t <= options_.fixed_step) ? options_.final_time : t + dt;
      if (schedule_.next() <= t) {  // a fixed-step run records each step at most once
        record_pending(x, t, nullptr);
        while (schedule_.next() <= t) schedule_.advance();
      }
    }
  }

  // Records the state x at time t (evaluating it with a separate Point so that the solver's
  // cached evaluation stays valid) and advances the schedule.
  void record_pending(const State& x, double t, const Problem::Evaluation* known) {
    const TrajectoryOptions& opt = options_.trajectory;
    schedule_.advance();
    if (!opt.enabled) return;
    if (embedded_) {  // interpolants between accepted steps leave the manifold by the local error
      State projected = x;
      restore(projected);
      append_record(Eigen::Map<const Vector>(projected.data(), static_cast<Eigen::Index>(x.size())),
                    t, known);
      return;
    }
    const Eigen::Map<const Vector> xv(x.data(), static_cast<Eigen::Index>(x.size()));
    append_record(xv, t, known);
  }

  // On an embedded manifold, maps a state the integrator left near the manifold back onto it
  // (Manifold::project_point). The exact flow of the projected field keeps the manifold
  // invariant, so the integrator's state is off it by its local error only, and projecting each
  // accepted step keeps the method's order (Hairer, Lubich & Wanner, Geometric Numerical
  // Integration, §IV.4). Nothing on open subsets.
  void restore(State& x) {
    if (!embedded_) return;
    Eigen::Map<Vector> xv(x.data(), static_cast<Eigen::Index>(x.size()));
    restore_buffer_ = xv;
    problem_.manifold().project_point(restore_buffer_, xv);
  }

  void append_record(const Eigen::Map<const Vector>& state, double t,
                     const Problem::Evaluation* known) {
    double value = std::numeric_limits<double>::quiet_NaN();
    double norm = value;
    Vector xv = state;
    problem_.manifold().canonicalize(xv);
    recorder_.assign(xv);
    if (known != nullptr) {
      value = known->value;
      norm = known->gradient_norm;
    } else if (xv.allFinite()) {
      try {
        problem_.evaluate_field(recorder_, record_eval_);
        value = record_eval_.value;
        norm = record_eval_.gradient_norm;
      } catch (const std::exception&) {
        // leave NaN in the record: the solver itself reports the failure
      }
    }
    summary_.trajectory.append(options_.trajectory, recorder_, t, value, norm);
  }

  // A state at t_bad could not be evaluated (NaN, overflow, a failed formula): stops with the
  // last valid state, at t_good, saying where it went wrong.
  void fail(const State& last_good, double t_good, double t_bad) {
    const std::string why = system_.failure();
    finish(last_good, t_good, TerminationStatus::kNumericalFailure,
           fmt::format("{} (at t = {:.6g}; the reported point is the last valid state, t = {:.6g})",
                       why, t_bad, t_good));
  }

  void finish(const State& x, double t, TerminationStatus status, std::string message) {
    const Eigen::Map<const Vector> xv(x.data(), static_cast<Eigen::Index>(x.size()));
    summary_.x = xv;
    problem_.manifold().canonicalize(summary_.x);
    summary_.final_time = t;
    summary_.status = status;
    summary_.message = std::move(message);
    const bool valid = system_.ensure_evaluated_at(x);
    if (valid) {
      summary_.final_value = system_.evaluation().value;
      summary_.final_gradient_norm = system_.evaluation().gradient_norm;
    } else {
      summary_.final_value = std::numeric_limits<double>::quiet_NaN();
      summary_.final_gradient_norm = std::numeric_limits<double>::quiet_NaN();
    }
    Trajectory& traj = summary_.trajectory;
    if (options_.trajectory.enabled && (traj.times.empty() || traj.times.back() < t)) {
      const Problem::Evaluation* known = valid ? &system_.evaluation() : nullptr;
      append_record(xv, t, known);
    }
    summary_.rhs_evaluations = system_.calls();
    summary_.evaluations = problem_.counts();
    summary_.svd_count = decomposition_count() - svd_start_;
    summary_.wall_seconds = seconds_since(start_);
    if (options_.progress) std::fprintf(stderr, "%s\n", summary_.BriefReport().c_str());
  }

  void maybe_print_progress(double t, double value, double norm, double wall) {
    if (!options_.progress || wall < last_progress_ + options_.progress_interval_seconds) return;
    last_progress_ = wall;
    std::fprintf(stderr, "[flow] t = %-12.6g E = %-14.8e |grad| = %-10.3e steps = %lld  (%.1f s)\n",
                 t, value, norm, static_cast<long long>(summary_.iterations), wall);
  }

  const Problem& problem_;
  const GradientFlowOptions& options_;
  FlowSystem system_;
  Point recorder_;
  Problem::Evaluation record_eval_;
  RecordSchedule schedule_;
  Summary summary_;
  static constexpr std::int64_t kFloorWindow = 1000;
  static constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
  static constexpr double kTiny = std::numeric_limits<double>::min();
  double floor_window_value_ = 0.0;   // the energy at the window's start
  double floor_window_best_ = 0.0;    // the best gradient norm at the window's start
  double floor_best_norm_ = 0.0;      // the best gradient norm so far
  double floor_window_change_ = 0.0;  // |ΔE| over the last completed window
  bool floor_window_improved_ = false;
  bool embedded_;  // the manifold is not an open subset: project each accepted step
  Vector restore_buffer_;
  double lowest_value_ = 0.0;  // the lowest energy of the accepted states so far
  Clock::time_point start_;
  std::uint64_t svd_start_ = 0;
  double last_progress_ = 0.0;
};

}  // namespace

std::string to_string(Integrator integrator) {
  switch (integrator) {
    case Integrator::kDormandPrince:
      return "dopri5";
    case Integrator::kRungeKuttaChebyshev:
      return "rkc";
    case Integrator::kRosenbrock:
      return "rosenbrock";
    case Integrator::kRungeKutta4:
      return "rk4";
  }
  return "?";
}

void GradientFlowOptions::validate() const {
  SolverOptions::validate();
  require(!std::isnan(final_time) && final_time > 0.0, "options.final_time must be > 0 (got {})",
          final_time);
  require(gradient_tolerance > 0.0 || std::isfinite(final_time) || !callbacks.empty(),
          "options: set gradient_tolerance > 0, a finite final_time or a callback that ends the "
          "run; otherwise only a budget stops the flow");
  require(std::isfinite(absolute_tolerance) && absolute_tolerance > 0.0,
          "options.absolute_tolerance must be finite and > 0 (got {})", absolute_tolerance);
  require(std::isfinite(relative_tolerance) && relative_tolerance >= 0.0,
          "options.relative_tolerance must be finite and >= 0 (got {})", relative_tolerance);
  require(std::isfinite(initial_step) && initial_step > 0.0,
          "options.initial_step must be finite and > 0 (got {})", initial_step);
  require(!std::isnan(max_step) && max_step > 0.0, "options.max_step must be > 0 (got {})",
          max_step);
  require(std::isfinite(min_step) && min_step >= 0.0,
          "options.min_step must be finite and >= 0 (got {})", min_step);
  require(std::isfinite(fixed_step) && fixed_step > 0.0,
          "options.fixed_step must be finite and > 0 (got {})", fixed_step);
  require(std::isfinite(krylov_tolerance) && krylov_tolerance >= 0.0 && krylov_tolerance < 1.0,
          "options.krylov_tolerance must be in [0, 1) (0: automatic; got {})", krylov_tolerance);
  require(std::isfinite(stiffness_cutoff) && stiffness_cutoff >= 0.0,
          "options.stiffness_cutoff must be finite and >= 0 (0: the exact Jacobian model; got {})",
          stiffness_cutoff);
  require(max_krylov_iterations >= 1, "options.max_krylov_iterations must be >= 1 (got {})",
          max_krylov_iterations);
  trajectory.validate();
}

Summary gradient_flow(const Problem& problem, const Vector& x0,
                      const GradientFlowOptions& options) {
  options.validate();
  Point start = problem.make_point(x0);
  const Manifold& manifold = problem.manifold();
  if (!manifold.is_open_subset()) {
    // The explicit integrators step in ambient coordinates and project each accepted step back
    // onto the manifold; the W-method's Jacobian model is written for open subsets.
    require(options.integrator != Integrator::kRosenbrock,
            "gradient_flow: the Rosenbrock integrator accepts open subsets only, and '{}' is an "
            "{}; use dopri5, rkc or rk4, which project each accepted step back onto it",
            manifold.name(), to_string(manifold.kind()));
    manifold.require_solver_hooks(start);  // throws, naming the hook the manifold lacks
  }
  FlowDriver driver(problem, options, std::move(start));
  return driver.run(State(x0.data(), x0.data() + x0.size()));
}

}  // namespace riemopt
