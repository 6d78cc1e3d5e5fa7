// The gradient flow ẋ = −grad E(x) of a Problem on any geometry, integrated with Boost.Odeint.
//
// For the DLN metric this is Ẋ = −A_{N,X}(∇E(X)) (docs/MATH.md §3); every right-hand side costs one
// energy/gradient evaluation and, on matrix geometries, one SVD. The default integrator is the
// adaptive Dormand–Prince 5(4) pair with dense output (records are interpolated, not forced
// steps); `Integrator::kRungeKutta4` takes fixed steps of `fixed_step`.
//
// On an embedded manifold (the sphere, Stiefel) the explicit integrators (Dormand–Prince, RKC,
// RK4) integrate the projected field in ambient coordinates and map every accepted step and
// every record back onto the manifold (Manifold::project_point): a projection method, which
// keeps the integrator's order (docs/MATH.md §11). Rosenbrock refuses such manifolds.
//
// `Integrator::kRungeKuttaChebyshev` (RKC2, Sommeijer–Shampine–Verwer) is for stiff flows such as
// completion from a small start, where the large singular values bound an explicit step while
// the small ones still move. Its stage count grows with √(hρ) (ρ: the spectral radius of the
// flow's Jacobian, estimated by a power iteration every 25 steps), so the step follows accuracy,
// not stability. It needs the Jacobian's eigenvalues real and ≤ 0, which holds near a gradient
// flow's trajectory (the Jacobian −G⁻¹∇²E is self-adjoint in the metric). Second order: use it
// with relative tolerances around 1e-3 to 1e-6. Records are cubic Hermite interpolants.
//
// `Integrator::kRosenbrock` (ROS34PW2 of Rang & Angermann: a third-order, L-stable Rosenbrock
// W-method with a second-order embedded error estimate) is linearly implicit: each of its four
// stages solves (I + γh·M JᵀJ) k = r, where M = G⁻¹ at the step's start and JᵀJ is the
// Gauss–Newton Hessian of the energy's least-squares terms (matrix completion, matrix sensing,
// user LeastSquaresEnergy; other terms of a SumEnergy, such as the entropy, are treated
// explicitly). The solve uses the Woodbury identity and conjugate gradients on an m×m positive
// definite system (m residuals), so it never inverts the metric and works from rank-deficient
// starts. Its step is not bounded by stability, only by the error estimate. Needs a least-squares
// term and an open-subset geometry (InvalidArgument otherwise). `krylov_tolerance` and
// `max_krylov_iterations` control the inner solves; Summary::linear_iterations counts them. On a
// completion loss M is only the metric's stiff part (StiffnessModel::stiff_sharp,
// `stiffness_cutoff`): for the DLN metric at a rank-r-dominated point an inner iteration costs
// O(r·d²), not O(d³). It pays off on the transient of a stiff flow (flagship completion to test MSE
// 1e-4: 252 RHS against RKC's 633, docs/BENCHMARKS.md). Run to convergence, its steps grow until
// the inner system is ill-conditioned and CG dominates (254 156 CG iterations there): prefer RKC
// then.
//
// The flow stops on the rules every solver shares (riemopt/solver_driver.hpp): ‖grad E‖_g ≤
// gradient_tolerance (kConverged); divergence (kDiverged); an energy that rises above its lowest
// value by more than integration error (kEnergyIncreased: the integration is unstable); the
// integrator's attainable accuracy reached above the tolerance (kToleranceUnreachable, with the
// floor in the message); t = final_time (kFinalTimeReached, the state interpolated to exactly
// final_time); a callback's stop; a stopping event (`events`, located inside the step); a
// step / evaluation / wall-time budget. Its integrators add NaN
// or overflow at a fixed step (kNumericalFailure, the last valid state reported) and an adaptive
// step below min_step (kStepSizeTooSmall). At least one of gradient_tolerance > 0, a finite
// final_time, a callback (which may end the run) and an event must be set. Each integrator is a
// Stepper of its own file in lib/src (dormand_prince_stepper.cpp, rkc_stepper.cpp, ...).
//
//   riemopt::Problem problem(riemopt::dln_matrices(m, n, riemopt::Depth::finite(3)), energy);
//   riemopt::GradientFlowOptions options;
//   options.final_time = 1e4;
//   options.gradient_tolerance = 1e-9;
//   riemopt::Summary summary = riemopt::gradient_flow(problem, x0, options);
//   std::cout << summary.BriefReport() << "\n";
#pragma once

#include <limits>
#include <vector>

#include "riemopt/flow_event.hpp"
#include "riemopt/problem.hpp"
#include "riemopt/solver_options.hpp"
#include "riemopt/solver_summary.hpp"
#include "riemopt/trajectory.hpp"

namespace riemopt {

enum class Integrator {
  kDormandPrince,        // adaptive Dormand–Prince 5(4), error-controlled (default)
  kRungeKutta4,          // classical RK4 with fixed step `fixed_step`
  kRungeKuttaChebyshev,  // RKC2: explicit, error-controlled, for stiff flows (see below)
  kRosenbrock,           // ROS34PW2: linearly implicit W-method for stiff least-squares flows
};

std::string to_string(Integrator integrator);

struct GradientFlowOptions : SolverOptions {
  Integrator integrator = Integrator::kDormandPrince;
  double final_time = std::numeric_limits<double>::infinity();
  // Error control of the adaptive integrator: per component |err| ≤ abs + rel·|x|.
  double absolute_tolerance = 1e-10;
  double relative_tolerance = 1e-8;
  double initial_step = 1e-4;  // first trial step of the adaptive integrator
  double max_step = std::numeric_limits<double>::infinity();
  // The adaptive step may not fall below min_step · max(1, t).
  double min_step = 1e-14;
  double fixed_step = 1e-2;  // step of kRungeKutta4
  // kRosenbrock's conjugate-gradient solves stop at this relative residual (0: automatic,
  // min(1e-3, 1e-2·relative_tolerance), so that solve errors stay below the error control's
  // tolerance) or after max_krylov_iterations.
  double krylov_tolerance = 0.0;
  int max_krylov_iterations = 500;
  // kRosenbrock's Jacobian model on a selection loss (completion) keeps the components of the
  // metric that are stiff at the step h: those with γ·h·s²·weight >= stiffness_cutoff (γ the
  // method's diagonal, s² the loss's curvature, weight the metric's eigenvalue; see
  // StiffnessModel::stiff_sharp). The others are left to the explicit part of the W-method, stable
  // there since h times their rate is below cutoff/γ. On a low-rank DLN completion run this cuts an
  // inner iteration from 4·d³ to about 8·r·d² flops. 0 keeps the exact Gauss–Newton model.
  double stiffness_cutoff = 0.1;
  TrajectoryOptions trajectory;
  // Stopping events (riemopt/flow_event.hpp): the run ends where an event's g(x, E) first reaches
  // 0, located inside the step on the integrator's dense output (at the step's end for RK4).
  // Empty by default.
  std::vector<FlowEvent> events;

  void validate() const;
};

// Integrates the flow from x0 (validated on the problem's manifold). Never throws for numerical
// trouble during the solve (that becomes a status); throws InvalidArgument for bad options or x0.
Summary gradient_flow(const Problem& problem, const Vector& x0,
                      const GradientFlowOptions& options = {});

}  // namespace riemopt
