// The bookkeeping every discrete solver shares (private to the library): evaluation with failure
// capture, stopping on tolerance and budgets, recording the trajectory, progress lines, callbacks,
// and the final Summary. Newton and the trust region use it; a solver supplies only its step.
#pragma once

#include <chrono>
#include <string>

#include "riemopt/problem.hpp"
#include "riemopt/solver_options.hpp"
#include "riemopt/solver_summary.hpp"
#include "riemopt/trajectory.hpp"

namespace riemopt::detail {

// Evaluates the problem at x; false (with the reason) on an exception or a non-finite value or
// gradient.
bool try_evaluate(const Problem& problem, const Point& x, Problem::Evaluation& e, std::string& why);

// Near a minimizer the decrease c·α·|φ'(0)| falls below the rounding of E, and Armijo's test on
// values can no longer tell a good step from a bad one (the iteration stalls at ‖grad‖ ~
// √(ε|E|)). There the approximate Wolfe condition of Hager & Zhang (2005) decides on slopes,
// which keep their accuracy: φ(α) ≤ φ(0) + 1e-12|φ(0)| and φ'(α) ≤ (2δ − 1)φ'(0), δ = 0.1, with
// φ'(α) ≈ ∇E(y)·(y − x)/α along the retraction's secant. `initial_slope` is φ'(0) < 0.
bool approximately_sufficient(const Problem::Evaluation& at_x, const Problem::Evaluation& at_y,
                              const Point& x, const Vector& y, double alpha, double initial_slope);

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
  // Ends the solve with this status.
  Summary finish(TerminationStatus status, std::string message);

  const Problem& problem;
  Point x, trial;
  Problem::Evaluation e, trial_eval;
  Summary summary;
  double t = 0.0;
  std::string why;  // the last failed evaluation's cause

 private:
  double wall() const;
  const SolverOptions& options_;
  const TrajectoryOptions& trajectory_;
  std::string tag_;
  RecordSchedule schedule_;
  std::chrono::steady_clock::time_point start_;
  std::uint64_t svds_before_;
  double last_progress_ = 0.0;
};

}  // namespace riemopt::detail
