#include "riemopt/gradient_flow.hpp"

#include <cmath>
#include <memory>

#include "flow_system.hpp"
#include "riemopt/errors.hpp"

namespace riemopt {

std::string to_string(Integrator integrator) {
  switch (integrator) {
    case Integrator::kDormandPrince:
      return "dopri5";
    case Integrator::kRungeKuttaChebyshev:
      return "rkc";
    case Integrator::kRosenbrock:
      return "rosenbrock";
    case Integrator::kRungeKutta4:
      return "rk4";
  }
  return "?";
}

void GradientFlowOptions::validate() const {
  SolverOptions::validate();
  require(!std::isnan(final_time) && final_time > 0.0, "options.final_time must be > 0 (got {})",
          final_time);
  require(gradient_tolerance > 0.0 || std::isfinite(final_time) || !callbacks.empty() ||
              !events.empty(),
          "options: set gradient_tolerance > 0, a finite final_time, a callback that ends the "
          "run or an event; otherwise only a budget stops the flow");
  for (std::size_t k = 0; k < events.size(); ++k)
    require(static_cast<bool>(events[k].function), "options.events[{}] has no function", k);
  require(std::isfinite(absolute_tolerance) && absolute_tolerance > 0.0,
          "options.absolute_tolerance must be finite and > 0 (got {})", absolute_tolerance);
  require(std::isfinite(relative_tolerance) && relative_tolerance >= 0.0,
          "options.relative_tolerance must be finite and >= 0 (got {})", relative_tolerance);
  require(std::isfinite(initial_step) && initial_step > 0.0,
          "options.initial_step must be finite and > 0 (got {})", initial_step);
  require(!std::isnan(max_step) && max_step > 0.0, "options.max_step must be > 0 (got {})",
          max_step);
  require(std::isfinite(min_step) && min_step >= 0.0,
          "options.min_step must be finite and >= 0 (got {})", min_step);
  require(std::isfinite(fixed_step) && fixed_step > 0.0,
          "options.fixed_step must be finite and > 0 (got {})", fixed_step);
  require(std::isfinite(krylov_tolerance) && krylov_tolerance >= 0.0 && krylov_tolerance < 1.0,
          "options.krylov_tolerance must be in [0, 1) (0: automatic; got {})", krylov_tolerance);
  require(std::isfinite(stiffness_cutoff) && stiffness_cutoff >= 0.0,
          "options.stiffness_cutoff must be finite and >= 0 (0: the exact Jacobian model; got {})",
          stiffness_cutoff);
  require(max_krylov_iterations >= 1, "options.max_krylov_iterations must be >= 1 (got {})",
          max_krylov_iterations);
  trajectory.validate();
}

Summary gradient_flow(const Problem& problem, const Vector& x0,
                      const GradientFlowOptions& options) {
  options.validate();
  Point start = problem.make_point(x0);
  const Manifold& manifold = problem.manifold();
  if (!manifold.is_open_subset()) {
    // The explicit integrators step in ambient coordinates and project each accepted step back
    // onto the manifold; the W-method's Jacobian model is written for open subsets.
    require(options.integrator != Integrator::kRosenbrock,
            "gradient_flow: the Rosenbrock integrator accepts open subsets only, and '{}' is an "
            "{}; use dopri5, rkc or rk4, which project each accepted step back onto it",
            manifold.name(), to_string(manifold.kind()));
    manifold.require_solver_hooks(start);  // throws, naming the hook the manifold lacks
  }
  const DriverSettings settings{"gradient-flow (" + to_string(options.integrator) + ")", "flow",
                                StepKind::kFlowIntegration, options.final_time, &options.events};
  SolverDriver run(problem, x0, options, options.trajectory, settings);
  detail::FlowSystem system(problem, start);
  std::unique_ptr<Stepper> stepper;
  switch (options.integrator) {
    case Integrator::kDormandPrince:
      stepper = detail::make_dormand_prince_stepper(options, system);
      break;
    case Integrator::kRungeKuttaChebyshev:
      stepper = detail::make_rkc_stepper(options, system);
      break;
    case Integrator::kRosenbrock:
      stepper = detail::make_rosenbrock_stepper(options, system, problem);
      break;
    case Integrator::kRungeKutta4:
      stepper = detail::make_rk4_stepper(options, system);
      break;
  }
  return run.run(*stepper);
}

}  // namespace riemopt
