// Options shared by every solver (gradient flow, gradient descent, Newton, trust region, Ceres).
//
//   riemopt::GradientFlowOptions options;      // derives from SolverOptions
//   options.gradient_tolerance = 1e-10;        // stop when ‖grad E‖_g ≤ 1e-10
//   options.max_wall_seconds = 30;
//   options.progress = true;                   // one status line per second on stderr
//   options.callbacks.push_back([](const riemopt::IterationInfo& it) {
//     return it.value < 1e-12 ? riemopt::CallbackResult::kAbort :
//     riemopt::CallbackResult::kContinue;
//   });
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace riemopt {

class Point;

enum class TerminationStatus {
  kConverged,         // gradient norm ≤ gradient_tolerance
  kFinalTimeReached,  // the flow reached final_time
  kMaxIterations,     // iteration/step budget spent
  kMaxEvaluations,    // gradient-evaluation budget spent
  kMaxWallTime,       // wall-clock budget spent
  kNumericalFailure,  // NaN or overflow in the state, value or gradient, or a failed evaluation
  // No progress: the adaptive step fell below min_step, a line search found no decrease, or the
  // accepted steps moved the point by rounding only while the energy did not fall as its
  // gradient predicts (a gradient inconsistent with the energy).
  kStepSizeTooSmall,
  kUserAbort,  // a callback asked to stop
  // The gradient tolerance was met, but at a point that misses the caller's own target (e.g. a
  // completion run's train-MSE target): a saddle or plateau such as the origin of a DLN flow
  // from a start too small to leave it. Not a success.
  kStationaryShortOfTarget,
  // A gradient flow's energy rose above its lowest value by more than integration error: the
  // integration is unstable (fixed step too large, tolerances too loose). Not a success.
  kEnergyIncreased,
  // The iterate or the energy ran off: the point's norm or the energy's decrease passed
  // SolverOptions::divergence_limit, or a caller's own divergence test fired (complete_by_flow's,
  // scaled to the data). Not a success.
  kDiverged,
  // The gradient norm settled above gradient_tolerance at the solver's attainable accuracy: over
  // a window of accepted steps the energy moved by rounding only and the gradient norm stopped
  // improving (an explicit integrator near a minimizer hovers at its stability limit, with the
  // error control's tolerance setting the floor), or steps shrank to rounding with the energy
  // behaving as its gradient predicts, or a backend's own value-based test ended the run above
  // the tolerance. The message reports the floor. Not a success; ask for less, or tighten the
  // integrator's tolerances.
  kToleranceUnreachable,
};

std::string to_string(TerminationStatus status);
// True for the statuses that mean "reached what was asked" (converged or final time).
bool is_success(TerminationStatus status);

// What a solver reports to callbacks after each accepted step or iteration.
struct IterationInfo {
  std::int64_t iteration = 0;
  double time = 0.0;  // flow time (gradient flow) or 0
  double value = 0.0;
  double gradient_norm = 0.0;
  double step_size = 0.0;
  double wall_seconds = 0.0;
  // The current point (valid only during the callback; null when a solver has none to show).
  const Point* point = nullptr;
};

enum class CallbackResult { kContinue, kAbort };

// What a callback returns: go on, or stop the run with a status and a message of its own. A
// plain CallbackResult converts to it, and kAbort then stops with kUserAbort ("a callback asked
// to stop"). A callback that stops on its own success criterion (a completion run's train-MSE
// target) says so with stop(kConverged, why); one that detects trouble with a failure status.
struct CallbackDecision {
  CallbackResult action = CallbackResult::kContinue;
  TerminationStatus status = TerminationStatus::kUserAbort;
  std::string message;  // empty: "a callback asked to stop"

  CallbackDecision() = default;
  CallbackDecision(CallbackResult result) : action(result) {}  // implicit on purpose
  static CallbackDecision stop(TerminationStatus status, std::string message) {
    CallbackDecision d(CallbackResult::kAbort);
    d.status = status;
    d.message = std::move(message);
    return d;
  }
  bool stops() const { return action == CallbackResult::kAbort; }
  std::string stop_message() const {
    return message.empty() ? std::string("a callback asked to stop") : message;
  }
};
using IterationCallback = std::function<CallbackDecision(const IterationInfo&)>;

struct SolverOptions {
  // Stop when the Riemannian gradient norm ‖grad E‖_g falls to this (0 disables the test).
  double gradient_tolerance = 1e-8;
  // Budgets: accepted steps/iterations, gradient evaluations, wall-clock seconds. The defaults
  // end a hopeless run in minutes, not hours (a flagship completion flow takes about 700 steps
  // and 2 s); raise them for long runs. The clock starts before the first evaluation.
  std::int64_t max_iterations = 1'000'000;
  std::int64_t max_evaluations = 10'000'000;
  double max_wall_seconds = 600.0;
  // kDiverged when the point's norm exceeds divergence_limit·max(1, ‖x₀‖) or the energy falls
  // below E₀ − divergence_limit·max(1, |E₀|): an energy unbounded below ends in a few hundred
  // steps instead of running x to overflow. > 1; +infinity disables the test.
  double divergence_limit = 1e30;
  // Print a progress line to stderr every progress_interval_seconds.
  bool progress = false;
  double progress_interval_seconds = 1.0;
  std::vector<IterationCallback> callbacks;

  // Throws InvalidArgument naming the first bad field.
  void validate() const;
};

}  // namespace riemopt
