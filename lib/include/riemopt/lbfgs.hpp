// Riemannian limited-memory BFGS on any geometry (Huang, Gallivan & Absil, SIAM J. Optim. 25,
// 2015; Huang, Absil & Gallivan, Math. Program. 167, 2018, for the cautious update).
//
// The last `memory` pairs s_i = T(α_i η_i) (the step, transported to the new point) and
// y_i = grad E(x_{i+1}) − T grad E(x_i) are kept in the current tangent space, transported along
// each step with the manifold's vector transport (nothing to do on open subsets, a projection on
// embedded manifolds and quotients). The direction is −H grad E by the two-loop recursion in the
// metric's inner product, with H_0 = ⟨s, y⟩/⟨y, y⟩·id; a pair enters the memory only when
// ⟨s, y⟩ ≥ 1e-4·‖grad E‖·‖s‖² (the cautious update, which keeps H positive definite without a
// curvature condition on a manifold). α comes from a line search that satisfies the strong Wolfe
// conditions along the retraction (c1 = 1e-4, c2 = 0.9), starting from 1 (from
// initial_step/‖grad E‖ at the first iteration). A direction that is not a descent direction
// resets the memory.
//
// Stops on the rules every solver shares (riemopt/solver_driver.hpp), and with
// kStepSizeTooSmall when the line search finds no acceptable step along a steepest-descent
// direction.
//
//   riemopt::LbfgsOptions options;   // memory 10, gradient_tolerance 1e-8
//   riemopt::Summary s = riemopt::lbfgs(problem, x0, options);
#pragma once

#include "riemopt/problem.hpp"
#include "riemopt/solver_options.hpp"
#include "riemopt/solver_summary.hpp"
#include "riemopt/trajectory.hpp"

namespace riemopt {

struct LbfgsOptions : SolverOptions {
  int memory = 10;                       // pairs kept, >= 1
  double initial_step = 1.0;             // length ‖αη‖_g of the first trial step, > 0
  double sufficient_decrease = 1e-4;     // Wolfe c1, in (0, curvature)
  double curvature = 0.9;                // Wolfe c2, in (c1, 1)
  int max_line_search_evaluations = 30;  // per iteration, >= 2
  TrajectoryOptions trajectory;

  void validate() const;
};

Summary lbfgs(const Problem& problem, const Vector& x0, const LbfgsOptions& options = {});

}  // namespace riemopt
