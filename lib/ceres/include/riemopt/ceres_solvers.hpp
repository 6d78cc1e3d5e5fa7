// Ceres-backed solvers on any geometry, through the CeresManifold adapter (ceres_manifold.hpp):
// Ceres runs in orthonormal coordinates of the metric, so the geometry changes its steps.
//
//   ceres_gradient_solve   ceres::GradientProblemSolver: L-BFGS, BFGS or nonlinear CG with a
//                          Wolfe line search, for any energy.
//   ceres_least_squares    ceres::Problem with one residual block (the energy's residuals and
//                          analytic Jacobian) on the adapter, solved by Levenberg–Marquardt or
//                          dogleg with dense QR, for LeastSquaresEnergy (completion, sensing,
//                          your own residuals).
//
// What the metric changes for least squares. The damping is isotropic in the local coordinates
// δ (no Jacobi scaling, LM diagonal fixed to 1), so each LM step minimizes
// ‖r + J B_x δ‖² + μ‖δ‖², and ‖δ‖ = ‖B_x δ‖_g is the metric norm of the step v = B_x δ. As μ → 0
// on an underdetermined problem (fewer residuals than unknowns, as in matrix completion) the
// step is the minimum-norm solution of the linearized equations in the metric,
//   v = −G⁻¹Jᵀ(J G⁻¹ Jᵀ)⁻¹ r.
// Under the Euclidean metric a completion step only changes the observed entries; under the DLN
// metric (G⁻¹ = A_{N,X}) it moves the unobserved entries too, along the current singular
// directions.
//
// Both share the library's SolverOptions (gradient tolerance on ‖grad E‖_g, budgets, progress,
// callbacks; checked after every Ceres iteration), report a Summary with Ceres' FullReport in
// backend_report, and record a trajectory whose time axis is the iteration index. Ceres' own
// convergence tests (function_tolerance, parameter_tolerance) end a run as kConverged, with
// Ceres' message, when the gradient tolerance is 0 or met; above a gradient tolerance they end
// it as kToleranceUnreachable (the floor those tests reached), or kStepSizeTooSmall when the last
// step moved nothing.
//
//   riemopt::CeresGradientOptions options;                 // L-BFGS, rank 20
//   riemopt::Summary s = riemopt::ceres_gradient_solve(problem, x0, options);
//   std::cout << s.FullReport();                            // ends with Ceres' own report
#pragma once

#include "riemopt/solver_options.hpp"
#include "riemopt/solver_summary.hpp"
#include "riemopt/trajectory.hpp"

namespace riemopt {

enum class CeresLineSearchDirection { kLbfgs, kBfgs, kNonlinearCg };
std::string to_string(CeresLineSearchDirection direction);  // "lbfgs" | "bfgs" | "ncg"

struct CeresGradientOptions : SolverOptions {
  CeresLineSearchDirection direction = CeresLineSearchDirection::kLbfgs;
  int lbfgs_rank = 20;  // pairs kept by L-BFGS, >= 1
  // Ceres' own stops: |ΔE| < function_tolerance·|E| and ‖δ‖ < parameter_tolerance·(‖x‖ + tol).
  // Both >= 0; the defaults leave stopping to gradient_tolerance.
  double function_tolerance = 1e-15;
  double parameter_tolerance = 1e-15;
  // BFGS stores a dense n × n matrix: refused above this ambient size (>= 1).
  Eigen::Index max_bfgs_size = 10'000;
  TrajectoryOptions trajectory;

  void validate() const;  // throws InvalidArgument naming the bad field
};

// Throws InvalidArgument for bad options, an x0 off the manifold, or a manifold the adapter
// cannot serve (see CeresManifold); numerical trouble becomes the summary's status.
Summary ceres_gradient_solve(const Problem& problem, const Vector& x0,
                             const CeresGradientOptions& options = {});

enum class CeresTrustRegionStrategy { kLevenbergMarquardt, kDogleg };
std::string to_string(CeresTrustRegionStrategy strategy);  // "levenberg-marquardt" | "dogleg"

struct CeresLeastSquaresOptions : SolverOptions {
  CeresTrustRegionStrategy strategy = CeresTrustRegionStrategy::kLevenbergMarquardt;
  // Ceres' initial trust-region radius (LM's damping starts at μ = 1/radius), > 0.
  double initial_trust_region_radius = 1e4;
  double function_tolerance = 1e-15;   // >= 0, as above
  double parameter_tolerance = 1e-15;  // >= 0
  // The residual and manifold Jacobians are dense (m × n and n × n, O(n³) per iteration):
  // refused above this ambient size n (>= 1). Use ceres_gradient_solve or trust_region there.
  Eigen::Index max_ambient_size = 2'500;
  TrajectoryOptions trajectory;

  void validate() const;  // throws InvalidArgument naming the bad field
};

// Throws InvalidArgument for bad options, an energy that is not a LeastSquaresEnergy, a problem
// above max_ambient_size, an x0 off the manifold, or a manifold the adapter cannot serve.
Summary ceres_least_squares(const Problem& problem, const Vector& x0,
                            const CeresLeastSquaresOptions& options = {});

}  // namespace riemopt
