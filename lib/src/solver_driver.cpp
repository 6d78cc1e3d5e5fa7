#include "riemopt/solver_driver.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>

#include "riemopt/errors.hpp"
#include "riemopt/work_counter.hpp"

namespace riemopt {

namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
constexpr double kTiny = std::numeric_limits<double>::min();

// Evaluates the problem at x; false (with the reason) on an exception or a non-finite value or
// gradient.
bool try_evaluate(const Problem& problem, const Point& x, Problem::Evaluation& e,
                  std::string& why) {
  try {
    problem.evaluate(x, e);
  } catch (const std::exception& ex) {
    why = ex.what();
    return false;
  }
  if (!std::isfinite(e.value) || !std::isfinite(e.gradient_norm) || !all_finite(e.gradient)) {
    why = "the energy or its gradient is NaN or infinite";
    return false;
  }
  return true;
}

// Near a minimizer the decrease c·α·|φ'(0)| falls below the rounding of E, and Armijo's test on
// values can no longer tell a good step from a bad one (the iteration stalls at ‖grad‖ ~
// √(ε|E|)). There the approximate Wolfe condition of Hager & Zhang (2005) decides on slopes,
// which keep their accuracy: φ(α) ≤ φ(0) + 1e-12|φ(0)| and σφ'(0) ≤ φ'(α) ≤ (2δ − 1)φ'(0),
// δ = 0.1, σ = 0.9, with
// φ'(α) ≈ ∇E(y)·P_y(y − x)/α along the retraction's secant, P_y the tangent projection at y (the
// identity on open subsets; on an embedded manifold the secant's normal part, O(‖y − x‖²), would
// meet the normal part of ∇E(y), which is O(1), and swamp the slope). `initial_slope` is
// φ'(0) < 0.
bool approximately_sufficient(const Problem& problem, const Problem::Evaluation& at_x,
                              const Problem::Evaluation& at_y, const Point& x, const Point& y,
                              double alpha, double initial_slope) {
  constexpr double kDelta = 0.1, kSigma = 0.9;
  // Only where the first-order decrease α|φ'(0)| is within 10⁷ ulps of E (so c·α|φ'(0)| with
  // c = 1e-4 within 10³): above that Armijo's verdict on values is reliable and stands. A step
  // that lands on a point of equal energy far away (a symmetry of E, as the column signs of
  // Brockett's cost) is then no longer taken for a converged line search.
  if (!(alpha * -initial_slope <= 1e7 * kEpsilon * std::abs(at_x.value))) return false;
  if (!(at_y.value <= at_x.value + 1e-12 * std::abs(at_x.value))) return false;
  double slope_at_y;
  if (problem.manifold().is_open_subset()) {  // no temporary: this runs in every line search
    slope_at_y = at_y.euclidean_gradient.dot(y.coords() - x.coords()) / alpha;
  } else {
    Vector secant(y.size());
    problem.manifold().project(y, y.coords() - x.coords(), secant);
    slope_at_y = at_y.euclidean_gradient.dot(secant) / alpha;
  }
  return slope_at_y <= (2.0 * kDelta - 1.0) * initial_slope && slope_at_y >= kSigma * initial_slope;
}

}  // namespace

SolverDriver::SolverDriver(const Problem& problem, const Vector& x0, const SolverOptions& options,
                           const TrajectoryOptions& trajectory, DriverSettings settings)
    : problem_(problem),
      options_(options),
      trajectory_(trajectory),
      settings_(std::move(settings)),
      x_(problem.make_point(x0)),
      trial_(x_),
      recorder_(x_),
      event_point_(x_),
      schedule_(trajectory),
      start_(std::chrono::steady_clock::now()),
      decompositions_before_(decomposition_count()) {
  problem.manifold().require_solver_hooks(x_);
  problem.reset_counts();
  summary_.solver = settings_.solver;
  summary_.geometry = problem.geometry().name();
  summary_.energy = problem.energy().name();
  summary_.trajectory.observable_names = trajectory.observable_names;
  x0_norm_ = x0.norm();
}

double SolverDriver::wall() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

Summary SolverDriver::run(Stepper& stepper) {
  if (!start() || should_stop()) return summary_;
  stepper.begin(*this);
  while (!ended_ && !stepper.step(*this)) {
  }
  return summary_;
}

bool SolverDriver::start() {
  if (!try_evaluate(problem_, x_, e_, why_)) {
    e_.value = e_.gradient_norm = std::numeric_limits<double>::quiet_NaN();
    stop(TerminationStatus::kNumericalFailure, "the initial point cannot be evaluated: " + why_);
    return false;
  }
  summary_.initial_value = previous_value_ = e_.value;
  summary_.initial_gradient_norm = e_.gradient_norm;
  lowest_value_ = e_.value;
  best_norm_ = window_best_norm_ = stall_reference_norm_ = e_.gradient_norm;
  window_value_ = e_.value;
  if (schedule_.next() <= 0.0) {
    record(x_, 0.0, &e_);
    schedule_.advance();
  }
  return true;
}

bool SolverDriver::evaluate_trial(const Vector& y) {
  if (!all_finite(y)) {
    why_ = "the step left the finite numbers (NaN or infinite coordinates)";
    return false;
  }
  trial_.assign(y);
  return try_evaluate(problem_, trial_, trial_eval_, why_);
}

void SolverDriver::set_trial(const Point& point, const Problem::Evaluation& evaluation) {
  trial_ = point;
  trial_eval_ = evaluation;
}

void SolverDriver::swap_trial(Point& point, Problem::Evaluation& evaluation) {
  require(point.size() == trial_.size(),
          "SolverDriver::swap_trial: point has {} coordinates, expected {}", point.size(),
          trial_.size());
  std::swap(trial_, point);
  std::swap(trial_eval_, evaluation);
}

bool SolverDriver::backtrack(const Vector& direction, double slope, double& alpha, double c,
                             double factor, int max_backtracks) {
  buffer_.resize(x_.size());
  for (int b = 0; b <= max_backtracks; ++b) {
    problem_.manifold().retract(x_, alpha * direction, buffer_);
    if (evaluate_trial(buffer_) &&
        (trial_eval_.value <= e_.value + c * alpha * slope ||
         approximately_sufficient(problem_, e_, trial_eval_, x_, trial_, alpha, slope)))
      return true;
    alpha *= factor;
    ++summary_.rejected_steps;
  }
  return false;
}

void SolverDriver::record(const Point& point, double time, const Problem::Evaluation* known) {
  if (!trajectory_.enabled) return;
  if (known != nullptr) {
    // Records show the manifold's canonical representative (the chamber's sorted vector), which
    // has the same value and gradient norm.
    projected_ = point.coords();
    problem_.manifold().canonicalize(projected_);
    const bool canonical = projected_ == point.coords();
    if (!canonical) recorder_.assign(projected_);
    summary_.trajectory.append(trajectory_, canonical ? point : recorder_, time, known->value,
                               known->gradient_norm);
    return;
  }
  double value = std::numeric_limits<double>::quiet_NaN(), norm = value;
  if (all_finite(point.coords())) {
    try {
      ++record_evaluations_;
      problem_.evaluate_field(point, record_eval_);
      value = record_eval_.value;
      norm = record_eval_.gradient_norm;
    } catch (const std::exception&) {
      // NaN in the record: the solver itself reports a failure where it matters
    }
  }
  summary_.trajectory.append(trajectory_, point, time, value, norm);
}

// The state the stepper's dense output gives at `time`, in buffer_. On an embedded manifold the
// interpolant leaves the manifold by the local error: it is projected back. False when the state
// is not finite.
bool SolverDriver::interpolated_state(double time, const DenseOutput& dense) {
  buffer_.resize(x_.size());
  dense(time, buffer_);
  if (!problem_.manifold().is_open_subset()) {
    projected_ = buffer_;
    problem_.manifold().project_point(projected_, buffer_);
  }
  return all_finite(buffer_);
}

// A record strictly inside the step being accepted.
void SolverDriver::record_interpolated(double time, const DenseOutput& dense) {
  interpolated_state(time, dense);  // a non-finite state is recorded with NaN values
  problem_.manifold().canonicalize(buffer_);
  recorder_.assign(buffer_);
  record(recorder_, time, nullptr);
}

bool SolverDriver::accept(double step_size, double time, const DenseOutput* dense) {
  std::size_t fired = kNoEvent;
  const double step_start = t_;
  if (has_events()) time = locate_events(time, dense, fired);
  // The no-progress test watches steps that move the point by at most 1000 ulps of its norm:
  // how much the gradient said they would lower the energy (first order, −⟨∇E(x), y − x⟩) and
  // how much they did.
  if (settings_.kind != StepKind::kFlowIntegration) {
    buffer_ = trial_.coords() - x_.coords();
    const double scale = std::max(x_.coords().norm(), kTiny);
    if (buffer_.norm() <= 1e3 * kEpsilon * scale) {
      ++stalled_steps_;
      stall_predicted_decrease_ -= e_.euclidean_gradient.dot(buffer_);
      stall_actual_decrease_ += e_.value - trial_eval_.value;
    }
  }
  if (trajectory_.enabled && dense != nullptr) {
    while (schedule_.next() < time) {
      record_interpolated(schedule_.next(), *dense);
      schedule_.advance();
    }
  }
  previous_value_ = e_.value;
  last_step_size_ = step_size;
  std::swap(x_, trial_);
  std::swap(e_, trial_eval_);
  t_ = time;
  ++summary_.iterations;
  if (e_.gradient_norm < 0.99 * stall_reference_norm_) {  // progress: the stall count restarts
    stall_reference_norm_ = e_.gradient_norm;
    stalled_steps_ = 0;
    stall_predicted_decrease_ = stall_actual_decrease_ = 0.0;
  }
  if (schedule_.next() <= t_) {  // a record at the new point (at most one per step)
    record(x_, t_, &e_);
    while (schedule_.next() <= t_) schedule_.advance();
  }
  if (options_.progress && wall() >= last_progress_ + options_.progress_interval_seconds) {
    last_progress_ = wall();
    std::fprintf(stderr,
                 "[%s] iteration %lld  t = %-11.5g E = %-14.8e |grad| = %-10.3e step = %.3e "
                 "(%.1f s)\n",
                 settings_.tag.c_str(), static_cast<long long>(summary_.iterations), t_, e_.value,
                 e_.gradient_norm, step_size, last_progress_);
  }
  return apply_stopping_rules(step_size, fired, step_start);
}

double SolverDriver::locate_events(double time, const DenseOutput* dense, std::size_t& fired) {
  const std::vector<FlowEvent>& events = *settings_.events;
  event_values_.resize(events.size(), std::numeric_limits<double>::quiet_NaN());
  double earliest = time;
  for (std::size_t k = 0; k < events.size(); ++k) {
    const double g_before = event_values_[k];
    const double g = events[k].function(trial_, trial_eval_.value);
    event_values_[k] = g;
    if (!(g <= 0.0)) continue;
    // Without dense output, or without a positive value at the step's start to bracket with,
    // the step's end is where the event is known to hold.
    const double crossing = dense != nullptr && g_before > 0.0 && time > t_
                                ? locate_crossing(k, g_before, time, g, *dense)
                                : time;
    if (fired == kNoEvent || crossing < earliest) {
      fired = k;
      earliest = crossing;
    }
  }
  if (fired == kNoEvent || !(earliest < time)) return time;
  // The point at the crossing, evaluated in full: it becomes the trial. Should its evaluation
  // fail (it lies between two valid states, so it should not), the step's end stands.
  std::string why;
  if (!interpolated_state(earliest, *dense)) return time;
  event_point_.assign(buffer_);
  if (!try_evaluate(problem_, event_point_, event_eval_, why)) return time;
  const double g = events[fired].function(event_point_, event_eval_.value);
  if (!(g <= 0.0)) return time;
  std::swap(trial_, event_point_);
  std::swap(trial_eval_, event_eval_);
  event_values_[fired] = g;
  event_located_ = true;
  return earliest;
}

double SolverDriver::locate_crossing(std::size_t k, double ga, double time, double gb,
                                     const DenseOutput& dense) {
  double a = t_, b = time;
  const double width = kEventTimeTolerance * (time - t_);
  int last_side = 0;  // Illinois: halve the value kept twice in a row, so both ends converge
  for (int iteration = 0; iteration < 200 && b - a > width; ++iteration) {
    double c = b - gb * (b - a) / (gb - ga);
    if (!(c > a && c < b)) c = 0.5 * (a + b);
    const double gc = event_value_at(k, c, dense);
    if (gc <= 0.0) {
      b = c;
      gb = gc;
      if (last_side == -1) ga *= 0.5;
      last_side = -1;
    } else {  // NaN counts as "not fired", as at accepted points
      a = c;
      ga = std::isnan(gc) ? ga : gc;
      if (last_side == 1) gb *= 0.5;
      last_side = 1;
    }
  }
  return b;
}

double SolverDriver::event_value_at(std::size_t k, double time, const DenseOutput& dense) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (!interpolated_state(time, dense)) return kNaN;
  event_point_.assign(buffer_);
  double value = kNaN;
  try {
    value = problem_.value(event_point_);
  } catch (const std::exception&) {
    return kNaN;
  }
  if (!std::isfinite(value)) return kNaN;
  return (*settings_.events)[k].function(event_point_, value);
}

bool SolverDriver::stop_for_event(std::size_t k, double step_start) {
  const FlowEvent& event = (*settings_.events)[k];
  const double g = event_values_[k];
  summary_.stopping_event = static_cast<int>(k);
  if (t_ == step_start)  // at the start
    return stop(event.status, fmt::format("{} at the start (g = {:.3e})", event.message, g));
  return stop(
      event.status,
      fmt::format("{} at t = {:.9g} (g = {:.3e}), {} the step from t = {:.6g}", event.message, t_,
                  g, event_located_ ? "located inside" : "at the end of", step_start));
}

bool SolverDriver::should_stop() {
  if (ended_) return true;
  if (has_events() && event_values_.empty()) {  // at the start: an event that holds there ends it
    for (std::size_t k = 0; k < settings_.events->size(); ++k) {
      event_values_.push_back((*settings_.events)[k].function(x_, e_.value));
      if (event_values_.back() <= 0.0) return stop_for_event(k, t_);
    }
  }
  if (options_.gradient_tolerance > 0.0 && e_.gradient_norm <= options_.gradient_tolerance)
    return stop(TerminationStatus::kConverged,
                fmt::format("gradient norm {:.3e} <= tolerance {:.3e}", e_.gradient_norm,
                            options_.gradient_tolerance));
  return check_budgets();
}

bool SolverDriver::check_budgets() {
  if (summary_.iterations >= options_.max_iterations)
    return stop(TerminationStatus::kMaxIterations,
                fmt::format("iteration budget of {} spent", options_.max_iterations));
  if (problem_.counts().gradients >= options_.max_evaluations)
    return stop(TerminationStatus::kMaxEvaluations,
                fmt::format("evaluation budget of {} spent", options_.max_evaluations));
  if (wall() >= options_.max_wall_seconds)
    return stop(TerminationStatus::kMaxWallTime,
                fmt::format("wall-time budget of {} s spent", options_.max_wall_seconds));
  return false;
}

bool SolverDriver::stopping_rule(double step_size, TerminationStatus& status,
                                 std::string& message) {
  const auto fire = [&](TerminationStatus s, std::string m) {
    status = s;
    message = std::move(m);
    return true;
  };
  const double value = e_.value, norm = e_.gradient_norm;
  if (options_.gradient_tolerance > 0.0 && norm <= options_.gradient_tolerance)
    return fire(
        TerminationStatus::kConverged,
        fmt::format("gradient norm {:.3e} <= tolerance {:.3e}", norm, options_.gradient_tolerance));

  const double limit = options_.divergence_limit;
  const double x_norm = x_.coords().norm();
  if (x_norm > limit * std::max(1.0, x0_norm_))
    return fire(TerminationStatus::kDiverged,
                fmt::format("the point's norm grew from {:.3e} to {:.3e}, past divergence_limit "
                            "= {:.1e} times its start (is the energy bounded below?)",
                            x0_norm_, x_norm, limit));
  const double e0 = summary_.initial_value;
  if (value < e0 - limit * std::max(1.0, std::abs(e0)))
    return fire(TerminationStatus::kDiverged,
                fmt::format("the energy fell from {:.6e} to {:.6e}, past divergence_limit = "
                            "{:.1e} times its scale: it is unbounded below along the run",
                            e0, value, limit));

  // A descent method never raises its energy. The slack is what the step kind can explain.
  const double scale = std::max(std::abs(e0), std::abs(value));
  const bool flow = settings_.kind == StepKind::kFlowIntegration;
  const double slack = flow ? 1e-3 * (e0 - lowest_value_) + 1e-9 * scale : 1e-10 * scale;
  if (value > lowest_value_ + slack) {
    switch (settings_.kind) {
      case StepKind::kFlowIntegration:
        return fire(TerminationStatus::kEnergyIncreased,
                    fmt::format("the energy rose from {:.6e} to {:.6e} at t = {:.6g}: a "
                                "gradient flow never increases its energy, so the integration is "
                                "unstable here (use a smaller fixed_step, tighter tolerances or a "
                                "stiff integrator)",
                                lowest_value_, value, t_));
      case StepKind::kFixedStep:
        return fire(TerminationStatus::kEnergyIncreased,
                    fmt::format("the energy rose from {:.6e} to {:.6e} at iteration {}: the "
                                "fixed step {:.3e} is too large for the problem (or the gradient "
                                "is inconsistent with the energy)",
                                lowest_value_, value, summary_.iterations, step_size));
      case StepKind::kSafeguarded:
        // Seen with a gradient of the wrong sign: each line search accepts a step that raises E
        // by up to the approximate Wolfe test's 1e-12|E|, for ever.
        return fire(TerminationStatus::kStepSizeTooSmall,
                    fmt::format("no progress: the accepted steps raised the energy from {:.12e} "
                                "to {:.12e}; no step along the search direction lowers it (a "
                                "gradient inconsistent with the energy?)",
                                lowest_value_, value));
    }
  }
  lowest_value_ = std::min(lowest_value_, value);

  if (stalled_steps_ >= kStalledSteps) {
    const double predicted = stall_predicted_decrease_, actual = stall_actual_decrease_;
    const double rounding = 100.0 * kEpsilon * std::max(scale, kTiny);
    // A floor is where a run that made progress ends up; a gradient norm still near its start
    // means the steps never did anything. And where the gradient predicted a decrease the
    // arithmetic can see, and it did not happen, the gradient is inconsistent with the energy.
    const bool made_progress = best_norm_ <= 1e-3 * summary_.initial_gradient_norm;
    if (!made_progress || (predicted > 100.0 * rounding && actual < 0.5 * predicted))
      return fire(
          TerminationStatus::kStepSizeTooSmall,
          fmt::format("no progress: {} accepted steps each moved the point by at most "
                      "1000 ulps of its norm without improving the gradient norm {:.3e} "
                      "(it started at {:.3e}); they lowered the energy by {:.3e} where its "
                      "gradient predicts {:.3e} (a gradient inconsistent with the energy?)",
                      kStalledSteps, norm, summary_.initial_gradient_norm, actual, predicted));
    return fire(TerminationStatus::kToleranceUnreachable,
                fmt::format("the gradient norm settled at {:.3e}, above the tolerance {:.3e}: {} "
                            "accepted steps each moved the point by at most 1000 ulps of its norm "
                            "without improving it, with energy changes at rounding level, so this "
                            "is the attainable accuracy (raise gradient_tolerance)",
                            best_norm_, options_.gradient_tolerance, kStalledSteps));
  }

  track_progress();
  const std::int64_t window = flow ? kFloorWindow : kFloorWindowIterative;
  if (summary_.iterations % window == 0 && options_.gradient_tolerance > 0.0) {
    window_change_ = std::abs(window_value_ - value);
    const bool at_floor = !window_improved_ &&
                          window_change_ <= 100.0 * kEpsilon * std::max(scale, kTiny) &&
                          best_norm_ <= 1e-3 * summary_.initial_gradient_norm;
    window_value_ = value;
    window_best_norm_ = best_norm_;
    window_improved_ = false;
    if (at_floor)
      return fire(
          TerminationStatus::kToleranceUnreachable,
          fmt::format("the gradient norm settled at {:.3e}, above the tolerance {:.3e}: "
                      "over the last {} steps the energy changed by {:.1e} (rounding "
                      "level) and the gradient norm did not improve, so the solver has "
                      "reached its attainable accuracy ({}raise gradient_tolerance)",
                      best_norm_, options_.gradient_tolerance, window, window_change_,
                      flow ? "tighten relative_tolerance and absolute_tolerance, or " : ""));
  }

  if (t_ >= settings_.final_time)
    return fire(TerminationStatus::kFinalTimeReached,
                fmt::format("reached final time {}", settings_.final_time));
  return false;
}

bool SolverDriver::apply_stopping_rules(double step_size, std::size_t fired_event,
                                        double step_start) {
  TerminationStatus status = TerminationStatus::kConverged;
  std::string message;
  const bool fired = stopping_rule(step_size, status, message);
  // Callbacks observe every accepted point, the last one included; a callback's own stop counts
  // when no rule above has ended the run.
  const IterationInfo info{summary_.iterations, t_,     e_.value, e_.gradient_norm,
                           step_size,           wall(), &x_};
  for (const auto& callback : options_.callbacks) {
    const CallbackDecision decision = callback(info);
    if (!decision.stops()) continue;
    if (!fired) return stop(decision.status, decision.stop_message());
    break;
  }
  if (fired) return stop(status, std::move(message));
  // An event that fired at this point is what the run reached there, before a budget that ran
  // out on the same step.
  if (fired_event != kNoEvent) return stop_for_event(fired_event, step_start);
  return check_budgets();
}

// The floor test's bookkeeping: the best gradient norm so far, and whether it improved by 1 %
// on the window's start.
void SolverDriver::track_progress() {
  if (e_.gradient_norm < 0.99 * window_best_norm_) window_improved_ = true;
  best_norm_ = std::min(best_norm_, e_.gradient_norm);
}

bool SolverDriver::stop_without_step(const std::string& why) {
  best_norm_ = std::min(best_norm_, e_.gradient_norm);
  if (best_norm_ <= 1e-3 * summary_.initial_gradient_norm && options_.gradient_tolerance > 0.0)
    return stop(TerminationStatus::kToleranceUnreachable,
                fmt::format("{} at gradient norm {:.3e}, above the tolerance {:.3e}, after the run "
                            "had lowered it from {:.3e}: the energy's decrease is below its "
                            "rounding there, so this is the attainable accuracy (raise "
                            "gradient_tolerance)",
                            why, e_.gradient_norm, options_.gradient_tolerance,
                            summary_.initial_gradient_norm));
  return stop(TerminationStatus::kStepSizeTooSmall,
              why + " (is the gradient consistent with the energy?)");
}

bool SolverDriver::stop(TerminationStatus status, std::string message) {
  if (ended_) return true;
  ended_ = true;
  summary_.status = status;
  summary_.message = std::move(message);
  summary_.x = x_.coords();
  problem_.manifold().canonicalize(summary_.x);
  summary_.final_value = e_.value;
  summary_.final_gradient_norm = e_.gradient_norm;
  summary_.final_time = t_;
  if (trajectory_.enabled &&
      (summary_.trajectory.times.empty() || summary_.trajectory.times.back() < t_))
    record(x_, t_, &e_);
  summary_.evaluations = problem_.counts();
  summary_.rhs_evaluations = summary_.evaluations.gradients - record_evaluations_;
  summary_.svd_count = decomposition_count() - decompositions_before_;
  summary_.wall_seconds = wall();
  if (options_.progress) std::fprintf(stderr, "%s\n", summary_.BriefReport().c_str());
  return true;
}

}  // namespace riemopt
