// Riemannian Newton's method with a line search, on open subsets with any metric (matrices, the
// chamber, the parameter space) and on embedded manifolds with the induced metric (the sphere,
// Stiefel: the Riemannian Hessian there carries the manifold's Weingarten term).
//
// Each iteration solves the Newton equation Hess E(x)[η] = −grad E(x) inexactly by conjugate
// gradients in the metric (truncated_cg.hpp, forcing term min(forcing, ‖grad‖_g): quadratic local
// convergence), with Hessian-vector products exact where the energy and metric supply them and by
// finite differences otherwise (hessian_operator.hpp). On negative curvature CG stops and the
// step falls back to what it has (−grad at the first CG iteration). Armijo backtracking along the
// retraction globalizes it; near a minimizer the unit step is taken and the rate is quadratic.
//
// The trajectory's time axis is the iteration index (0, 1, 2, …).
//
//   riemopt::NewtonOptions options;
//   options.gradient_tolerance = 1e-12;
//   riemopt::Summary s = riemopt::newton(problem, x0, options);
#pragma once

#include "riemopt/hessian_operator.hpp"
#include "riemopt/solver_options.hpp"
#include "riemopt/solver_summary.hpp"
#include "riemopt/trajectory.hpp"

namespace riemopt {

struct NewtonOptions : SolverOptions {
  HessianMode hessian = HessianMode::kAuto;
  int max_cg_iterations = 1000;  // per Newton equation, >= 1
  double forcing = 0.5;          // CG relative residual ≤ min(forcing, ‖grad‖_g), in (0, 1)
  double sufficient_decrease = 1e-4;  // Armijo's c, in (0, 1)
  double backtracking_factor = 0.5;   // in (0, 1)
  int max_backtracks = 50;            // per iteration, >= 1
  TrajectoryOptions trajectory;

  // Throws InvalidArgument naming the first bad field.
  void validate() const;
};

// Throws InvalidArgument for bad options, a bad x0, or a geometry the Hessian cannot be formed on
// (see HessianOperator). Numerical trouble during the solve becomes a status.
Summary newton(const Problem& problem, const Vector& x0, const NewtonOptions& options = {});

}  // namespace riemopt
