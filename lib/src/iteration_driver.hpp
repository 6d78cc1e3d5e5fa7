// The bookkeeping every discrete solver shares (private to the library): evaluation with failure
// capture, stopping on tolerance and budgets, recording the trajectory, progress lines, callbacks,
// and the final Summary. Newton and the trust region use it; a solver supplies only its step.
#pragma once

#include <chrono>
#include <limits>
#include <string>

#include "riemopt/problem.hpp"
#include "riemopt/solver_options.hpp"
#include "riemopt/solver_summary.hpp"
#include "riemopt/trajectory.hpp"

namespace riemopt::detail {

// Evaluates the problem at x; false (with the reason) on an exception or a non-finite value or
// gradient.
bool try_evaluate(const Problem& problem, const Point& x, Problem::Evaluation& e, std::string& why);

class IterationDriver {
 public:
  IterationDriver(const Problem& problem, const Vector& x0, const SolverOptions& options,
                  const TrajectoryOptions& trajectory, std::string solver, std::string tag);

  // Evaluates x0 and records it. False when it cannot be evaluated (call finish_failed_start).
  bool start();
  Summary finish_failed_start();
  // The stop tests before an iteration (gradient tolerance, budgets): true when the solve ends,
  // and then summary() holds the result.
  bool should_stop();
  // Makes (trial, trial_eval) the current iterate, advances the solver's clock by dt, records,
  // prints progress and runs the callbacks. True when a callback asked to stop.
  bool accept(double step_size, double dt);
  // Backtracking line search from x along `direction`, whose slope φ'(0) = ⟨∇E, direction⟩ is
  // negative: shrinks `alpha` by `factor` until Armijo's test with constant c holds, or, near a
  // minimizer where that test drowns in rounding, Hager & Zhang's approximate Wolfe test. The
  // accepted point is left in (trial, trial_eval); each rejection counts in rejected_steps.
  // False after max_backtracks reductions.
  bool backtrack(const Vector& direction, double slope, double& alpha, double c, double factor,
                 int max_backtracks);
  // Ends the solve with this status.
  Summary finish(TerminationStatus status, std::string message);

  const Problem& problem;
  Point x, trial;
  Problem::Evaluation e, trial_eval;
  Summary summary;
  double t = 0.0;
  std::string why;  // the last failed evaluation's cause
  Vector y;         // the trial coordinates (a buffer)

 private:
  double wall() const;
  const SolverOptions& options_;
  const TrajectoryOptions& trajectory_;
  std::string tag_;
  RecordSchedule schedule_;
  std::chrono::steady_clock::time_point start_;
  std::uint64_t svds_before_;
  double last_progress_ = 0.0;
  // Consecutive accepted steps that moved the point by at most 1000 ulps of its norm; at
  // kStalledSteps the run ends on kStepSizeTooSmall ("no progress").
  static constexpr int kStalledSteps = 10;
  int stalled_steps_ = 0;
  // The lowest energy of the accepted iterates; a rise above it by kRiseTolerance·|E| also
  // ends the run with kStepSizeTooSmall ("no progress").
  static constexpr double kRiseTolerance = 1e-10;
  double best_value_ = std::numeric_limits<double>::infinity();
};

}  // namespace riemopt::detail
