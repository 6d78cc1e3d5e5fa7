// A line search along the retraction that satisfies the strong Wolfe conditions (private; the
// conjugate-gradient and L-BFGS steppers use it).
//
// φ(α) = E(R_x(αη)) and φ'(α) = ∇E(y)·c'(α) at y = c(α) = R_x(αη), the velocity c'(α) by a
// central difference of the retraction (no evaluation of E; exact for the linear retraction of
// most open subsets). Accepts α with
//   φ(α) ≤ φ(0) + c1·α·φ'(0)   and   |φ'(α)| ≤ c2·|φ'(0)|
// found by bracketing and zooming with safeguarded cubic interpolation (Nocedal & Wright,
// Numerical Optimization, Algorithms 3.5 and 3.6). Near a minimizer, where the decrease c1·α·φ'(0)
// drowns in the rounding of E, Hager & Zhang's approximate Wolfe test decides on slopes
// instead: φ(α) ≤ φ(0) + 1e-12|φ(0)| and (2δ − 1)φ'(0) ≥ φ'(α) ≥ c2·φ'(0), δ = 0.1.
#pragma once

#include <string>

#include "riemopt/solver_driver.hpp"

namespace riemopt::detail {

struct WolfeOptions {
  double c1 = 1e-4;
  double c2 = 0.9;
  int max_evaluations = 30;
};

// The first trial step along a steepest-descent direction of slope φ'(0) < 0: at the start, the
// step of length initial_step (initial_step/‖grad E‖); later, the step whose first-order decrease
// equals the last iteration's decrease, 2(E_{k−1} − E_k)/|φ'(0)| (Nocedal & Wright (3.60)), so
// that a restart near a minimizer does not try a step of length initial_step where the natural
// one is ‖grad E‖/L.
double first_trial_step(const SolverDriver& run, double initial_step, double slope);

// Throws InvalidArgument naming the first bad field of a solver's line-search options.
void validate_line_search_options(double initial_step, double sufficient_decrease, double curvature,
                                  int max_line_search_evaluations);

class WolfeLineSearch {
 public:
  explicit WolfeLineSearch(const WolfeOptions& options) : options_(options) {}

  // Searches from the driver's current point along the tangent vector eta, whose slope
  // slope0 = dE_x(η) is negative, starting at alpha. On success the driver's trial holds
  // R_x(αη) and its evaluation, alpha the accepted step, and true is returned. False when no
  // acceptable step was found within max_evaluations (the trial is then unspecified).
  bool search(SolverDriver& run, const Vector& eta, double slope0, double& alpha);

  // "the Wolfe line search found no acceptable step along −grad E within N evaluations".
  std::string failure_message() const;

  // eta transported to the accepted step (valid after search()).
  const Vector& transported_direction() const { return transported_; }

 private:
  // Evaluates φ and φ' at α into value_, slope_; false when the point cannot be evaluated.
  bool probe(SolverDriver& run, const Vector& eta, double alpha);

  WolfeOptions options_;
  Vector y_, transported_, ahead_, behind_, velocity_;
  double value_ = 0.0, slope_ = 0.0;
  int evaluations_ = 0;
};

}  // namespace riemopt::detail
