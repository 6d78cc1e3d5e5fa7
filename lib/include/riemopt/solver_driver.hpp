// The loop every solver shares, and the extension point for new solvers.
//
// A solver is a Stepper: it makes one accepted step at a time and hands the new point to a
// SolverDriver, which owns everything else: evaluation with failure capture, the stopping rules
// and their statuses, the budgets, the trajectory records, the progress lines, the callbacks,
// the counts and the Summary. The gradient flow's integrators (Dormand–Prince, RKC, Rosenbrock,
// RK4), gradient descent, Newton and the trust region are steppers; the Ceres-backed solvers,
// whose loop Ceres owns, call the same driver's pieces from Ceres' iteration callback. So every
// solver stops for the same reasons, with the same words and counts.
//
// A new solver is one stepper (this one takes fixed steps along −grad E):
//
//   class FixedStep final : public riemopt::Stepper {
//    public:
//     bool step(riemopt::SolverDriver& run) override {
//       riemopt::Vector y(run.point().size());
//       run.problem().manifold().retract(run.point(), -0.1 * run.evaluation().gradient, y);
//       if (!run.evaluate_trial(y))   // NaN, overflow, an exception: end with the cause
//         return run.stop(riemopt::TerminationStatus::kNumericalFailure, run.last_failure());
//       return run.accept(0.1, run.time() + 0.1);  // true when a stopping rule fired
//     }
//   };
//   riemopt::SolverDriver run(problem, x0, options, options.trajectory,
//                             {"fixed-step", "fixed", riemopt::StepKind::kFixedStep});
//   FixedStep stepper;
//   riemopt::Summary summary = run.run(stepper);
//
// The stopping rules, applied to the start and after every accepted step, first match wins:
//   converged               ‖grad E‖_g ≤ gradient_tolerance;
//   diverged                ‖x‖ > divergence_limit·max(1, ‖x₀‖), or E fell below
//                           E₀ − divergence_limit·max(1, |E₀|) (an energy unbounded below);
//   energy_increased /      E rose above the lowest accepted energy by more than the step kind
//   step_size_too_small     allows (StepKind below);
//   step_size_too_small     no progress: kStalledSteps steps each moved the point by at most 1000
//                           ulps of its norm without the gradient norm improving by 1 %, and
//                           either the gradient norm never fell to 1e-3 of its start or the
//                           energy fell by less than half of what its gradient predicts for
//                           those steps (a gradient inconsistent with the energy; not for flows);
//   tolerance_unreachable   the attainable accuracy of a run that made progress (its best
//                           gradient norm fell to 1e-3 of its start): the stalled steps above
//                           with energy changes at rounding level, as its gradient predicts; or,
//                           over a window of accepted steps (kFloorWindow for flows,
//                           kFloorWindowIterative for the others), the energy moved by
//                           rounding only (100 ulps of its scale) and the best gradient norm did
//                           not improve by 1 %;
//   final_time_reached      the step reached DriverSettings::final_time (flows);
//   the callbacks'          a callback returned CallbackDecision::stop(status, message) or kAbort;
//   a flow's events         a FlowEvent's g(x, E) reached 0 (located inside the step, the run
//                           ends there; DriverSettings::events);
//   budgets                 max_iterations, max_evaluations, max_wall_seconds.
// A stepper ends a run itself with stop() when it cannot make a step (a line search that found
// no decrease, an adaptive step below its minimum, a failed evaluation).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "riemopt/flow_event.hpp"
#include "riemopt/problem.hpp"
#include "riemopt/solver_options.hpp"
#include "riemopt/solver_summary.hpp"
#include "riemopt/trajectory.hpp"

namespace riemopt {

class SolverDriver;

// How a solver's steps are meant to lower the energy; it decides how the driver reads a rise.
enum class StepKind {
  // A line search or trust region accepts only steps that lower E, up to rounding: a rise past
  // 1e-10 of the energy's scale means that no step the solver can find lowers it (a gradient
  // inconsistent with the energy). Ends with step_size_too_small ("no progress").
  kSafeguarded,
  // Steps taken without a decrease test (fixed-step gradient descent): a rise past 1e-10 of the
  // energy's scale means the step is too large for the problem. Ends with energy_increased.
  kFixedStep,
  // An integrator of the gradient flow, whose energy may wobble by the integration error: a rise
  // past a thousandth of the decrease so far plus 1e-9 of the energy's scale means the
  // integration is unstable. Ends with energy_increased. The no-progress test is skipped (a
  // stiff flow near a minimizer legitimately makes tiny steps).
  kFlowIntegration,
};

// What a solver tells the driver about itself.
struct DriverSettings {
  std::string solver;  // Summary::solver, e.g. "gradient-descent (armijo)"
  std::string tag;     // the progress lines' prefix, e.g. "gd"
  StepKind kind = StepKind::kSafeguarded;
  // A gradient flow's final time: an accepted step that reaches it ends the run with
  // final_time_reached (after the tests above it in the list have passed).
  double final_time = std::numeric_limits<double>::infinity();
  // A gradient flow's stopping events (riemopt/flow_event.hpp), or null. Each is tested at the
  // start and at every accepted point; one that fired is located inside the step on the dense
  // output, and the run ends there with the event's status, after the rules and callbacks above
  // have had their say at that point. Not copied: the vector must outlive the driver.
  const std::vector<FlowEvent>* events = nullptr;
};

// Dense output of the step being accepted: writes the state at time tau, strictly between the
// current time and the new one, into `state` (sized by the driver). Used for trajectory records.
using DenseOutput = std::function<void(double tau, Vector& state)>;

class Stepper {
 public:
  virtual ~Stepper() = default;
  // Called once, after the start has been evaluated and has passed the stopping rules.
  virtual void begin(SolverDriver& /*run*/) {}
  // Makes one accepted step (with any number of rejected trials inside): puts the new point and
  // its evaluation in the driver's trial (evaluate_trial or set_trial) and returns accept(...);
  // or, when no step can be made, returns stop(status, why). Returns true when the run ended.
  virtual bool step(SolverDriver& run) = 0;
};

class SolverDriver {
 public:
  // The clock starts here, before the first evaluation. Throws InvalidArgument when x0 does not
  // fit the problem or the manifold lacks a hook that solvers need.
  SolverDriver(const Problem& problem, const Vector& x0, const SolverOptions& options,
               const TrajectoryOptions& trajectory, DriverSettings settings);
  // The driver keeps references to the problem and both options for the run: temporaries would
  // dangle, so they do not compile.
  SolverDriver(const Problem&&, const Vector&, const SolverOptions&, const TrajectoryOptions&,
               DriverSettings) = delete;
  SolverDriver(const Problem&, const Vector&, const SolverOptions&&, const TrajectoryOptions&,
               DriverSettings) = delete;
  SolverDriver(const Problem&, const Vector&, const SolverOptions&, const TrajectoryOptions&&,
               DriverSettings) = delete;

  // start(), the stopping rules on the start, stepper.begin(), then stepper.step() until the run
  // ends. Returns the Summary.
  Summary run(Stepper& stepper);

  // ---- The pieces run() is made of, for backends that own their loop (the Ceres solvers).
  // Evaluates and records x0; false (and the run ended with numerical_failure) when it cannot.
  bool start();
  // The stopping rules on the current point without a step (at the start); true when they ended
  // the run.
  bool should_stop();
  // Makes the trial point the current one at `time` (a flow's t; a discrete solver's Σ step
  // sizes), `step_size` being the step's length as the solver measures it. Records the
  // trajectory (interpolating records strictly inside the step with `dense`, or taking them at
  // the new point), prints progress, applies the stopping rules and the callbacks. True when the
  // run ended.
  bool accept(double step_size, double time, const DenseOutput* dense = nullptr);
  // Ends the run at the current point with this status and message. Returns true.
  bool stop(TerminationStatus status, std::string message);
  // Ends the run of a stepper that found no acceptable step (a line search that failed, a radius
  // that collapsed), saying why: as tolerance_unreachable when the run had made progress (its
  // best gradient norm fell to 1e-3 of its start, so the search failed at the rounding floor of
  // E), else as step_size_too_small. Returns true.
  bool stop_without_step(const std::string& why);
  bool ended() const { return ended_; }
  const Summary& summary() const { return summary_; }
  // Counts a stepper adds to: rejected_steps, linear_iterations.
  Summary& mutable_summary() { return summary_; }

  // ---- The current point
  const Problem& problem() const { return problem_; }
  const Point& point() const { return x_; }
  const Problem::Evaluation& evaluation() const { return e_; }
  double time() const { return t_; }
  // The energy at the point before the last accepted step (the start's before the first).
  double previous_value() const { return previous_value_; }
  // The step size the last accepted step reported (0 before the first).
  double last_step_size() const { return last_step_size_; }
  const SolverOptions& options() const { return options_; }

  // ---- The trial point, which accept() makes current
  // Assigns y to the trial point and evaluates it. False, with the cause in last_failure(), on
  // non-finite coordinates, an exception, or a NaN or infinite value or gradient.
  bool evaluate_trial(const Vector& y);
  // Copies an already evaluated point (a flow integrator evaluates through its own system).
  void set_trial(const Point& point, const Problem::Evaluation& evaluation);
  // The same without copying: swaps `point` and `evaluation` (of the problem's shape) into the
  // trial, and hands back the driver's previous trial in them, whose contents are then stale.
  void swap_trial(Point& point, Problem::Evaluation& evaluation);
  const Point& trial() const { return trial_; }
  const Problem::Evaluation& trial_evaluation() const { return trial_eval_; }
  const std::string& last_failure() const { return why_; }
  void count_rejected_step() { ++summary_.rejected_steps; }

  // Backtracking line search from the current point along `direction`, whose slope φ'(0) =
  // ⟨∇E, direction⟩ is negative: shrinks `alpha` by `factor` until Armijo's test with constant
  // c holds, or, near a minimizer where that test drowns in rounding, Hager & Zhang's
  // approximate Wolfe test. The accepted point is left as the trial; each reduction counts as a
  // rejected step. False after max_backtracks reductions.
  bool backtrack(const Vector& direction, double slope, double& alpha, double c, double factor,
                 int max_backtracks);

  // The no-progress and floor tests' parameters (see the list at the top of this file).
  static constexpr int kStalledSteps = 10;
  // The floor test's window: accepted steps of a flow, iterations of the other solvers (whose
  // steps each cost more, and which do not hover at a stability limit as an explicit integrator
  // does).
  static constexpr std::int64_t kFloorWindow = 1000;
  static constexpr std::int64_t kFloorWindowIterative = 200;

 private:
  double wall() const;
  // The stopping rules, the callbacks, the event that fired at this point (kNoEvent: none) and
  // the budgets after an accepted step, first match wins; true when one ended the run.
  bool apply_stopping_rules(double step_size, std::size_t fired_event, double step_start);
  // The stopping rules alone: true, with the status and message, when one fired.
  bool stopping_rule(double step_size, TerminationStatus& status, std::string& message);
  bool check_budgets();
  void record(const Point& point, double time, const Problem::Evaluation* known);
  // The state `dense` gives at `time`, in buffer_, projected onto an embedded manifold; false
  // when it is not finite. Records, event values and located events all read it so.
  bool interpolated_state(double time, const DenseOutput& dense);
  void record_interpolated(double time, const DenseOutput& dense);
  // The events' values at the trial point; when one fired, its crossing located on `dense` and
  // the trial replaced by the point there. Returns the time the trial now stands for, and in
  // `fired` the index of the event (kNoEvent when none fired).
  double locate_events(double time, const DenseOutput* dense, std::size_t& fired);
  // The crossing of event k inside (t_, time], where it is ga > 0 and gb <= 0 at the two ends: the
  // end of the final Illinois bracket on the side where the event holds.
  double locate_crossing(std::size_t k, double ga, double time, double gb,
                         const DenseOutput& dense);
  // g_k at the state `dense` gives at `time` (projected onto an embedded manifold); NaN when that
  // state or its energy is not finite.
  double event_value_at(std::size_t k, double time, const DenseOutput& dense);
  bool has_events() const { return settings_.events != nullptr && !settings_.events->empty(); }
  bool stop_for_event(std::size_t k, double step_start);
  static constexpr std::size_t kNoEvent = static_cast<std::size_t>(-1);
  void track_progress();

  const Problem& problem_;
  const SolverOptions& options_;
  const TrajectoryOptions& trajectory_;
  DriverSettings settings_;
  Point x_, trial_, recorder_, event_point_;
  Problem::Evaluation e_, trial_eval_, record_eval_, event_eval_;
  std::vector<double> event_values_;  // each event's g at the current point
  bool event_located_ = false;        // the event that ended the run was located inside a step
  Vector buffer_;                     // the line search's trial coordinates; interpolated records
  Vector projected_;
  Summary summary_;
  double t_ = 0.0;
  double previous_value_ = 0.0;
  double last_step_size_ = 0.0;
  std::string why_;  // the last failed evaluation's cause
  bool ended_ = false;
  RecordSchedule schedule_;
  std::chrono::steady_clock::time_point start_;
  std::uint64_t decompositions_before_;
  std::int64_t record_evaluations_ = 0;
  double last_progress_ = 0.0;
  double x0_norm_ = 0.0;
  double lowest_value_ = std::numeric_limits<double>::infinity();
  // The no-progress test: the stalled steps since the gradient norm last improved by 1 % on
  // stall_reference_norm_, the decrease their gradients predicted, and the decrease they made.
  int stalled_steps_ = 0;
  double stall_reference_norm_ = 0.0;
  double stall_predicted_decrease_ = 0.0;
  double stall_actual_decrease_ = 0.0;
  // The floor test's window.
  double window_value_ = 0.0;
  double window_best_norm_ = 0.0;
  double best_norm_ = std::numeric_limits<double>::infinity();
  double window_change_ = 0.0;
  bool window_improved_ = false;
};

}  // namespace riemopt
