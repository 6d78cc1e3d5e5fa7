// Riemannian gradient descent on any geometry: x_{k+1} = R_{x_k}(−α_k grad E(x_k)).
//
// Step rules:
//   kArmijo  backtracking from a trial step: accept α when
//            E(R_x(−α grad)) ≤ E(x) − c·α·‖grad E(x)‖²_g, else α ← ρα. The next trial starts at
//            2α (so steps can grow back), capped at max_step. Where that decrease is below the
//            rounding of E (near a minimizer), Hager–Zhang's approximate Wolfe test on slopes
//            decides instead, so tight gradient tolerances stay reachable.
//   kFixed   α_k = fixed_step: the explicit-Euler discretization of the gradient flow, so k steps
//            approximate the flow at time k·α (the summary's final_time is Σα_k for both rules).
//
// Stops on the rules every solver shares (riemopt/solver_driver.hpp: converged, diverged, no
// progress, tolerance unreachable, a callback's stop, the budgets), and also on a relative
// decrease |E_k − E_{k+1}| ≤ relative_change_tolerance·max(1, |E_k|) (kConverged); Armijo needing
// more than max_backtracks reductions (kStepSizeTooSmall, e.g. a wrong gradient); a fixed step
// that raises the energy (kEnergyIncreased: the step is too large); a failed evaluation at a
// fixed step (kNumericalFailure, with the last valid point reported). A trial point that cannot
// be evaluated under Armijo is treated like one that does not decrease E.
//
//   riemopt::GradientDescentOptions options;        // Armijo, gradient_tolerance 1e-8
//   riemopt::Summary s = riemopt::gradient_descent(problem, x0, options);
//   std::cout << s.BriefReport() << "\n";
#pragma once

#include "riemopt/problem.hpp"
#include "riemopt/solver_options.hpp"
#include "riemopt/solver_summary.hpp"
#include "riemopt/trajectory.hpp"

namespace riemopt {

enum class StepRule { kArmijo, kFixed };

std::string to_string(StepRule rule);

struct GradientDescentOptions : SolverOptions {
  StepRule step_rule = StepRule::kArmijo;
  double initial_step = 1.0;                                  // first Armijo trial, > 0
  double max_step = std::numeric_limits<double>::infinity();  // cap of Armijo trials, > 0
  double sufficient_decrease = 1e-4;                          // Armijo's c, in (0, 1)
  double backtracking_factor = 0.5;                           // Armijo's ρ, in (0, 1)
  int max_backtracks = 60;                                    // per iteration, >= 1
  double fixed_step = 1e-2;                                   // kFixed's α, > 0
  double relative_change_tolerance = 0.0;                     // >= 0; 0 disables the test
  // Records at log-spaced values of Σα_k (the flow-time analogue), like the gradient flow.
  TrajectoryOptions trajectory;

  void validate() const;  // throws InvalidArgument naming the bad field
};

// Throws InvalidArgument for bad options or an x0 off the manifold; numerical trouble during the
// iteration becomes the summary's status.
Summary gradient_descent(const Problem& problem, const Vector& x0,
                         const GradientDescentOptions& options = {});

}  // namespace riemopt
