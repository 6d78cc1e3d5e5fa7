// A stopping event of a gradient flow: "end the run where g(x(t)) reaches 0", with the time found
// inside the step, as SciPy's solve_ivp does with terminal events.
//
// Why it is located and not just tested at accepted points: an adaptive integrator's late steps
// are long, and a quantity that decays fast goes far past its threshold within one step. On a
// completion run stopped at train MSE ≤ 1e-6, RKC's last step at its default tolerances takes
// the train MSE from about 2e-6 to 4e-7, and the test MSE reported at the step's end was up to
// 46 % below its value at the crossing, while the trajectory itself was accurate to 0.1 %
// (docs/BENCHMARKS.md, "Where a run stops"). A located event makes the stopping point a property
// of the flow, the same for every integrator and tolerance.
//
// How it is located: g is evaluated at every accepted point. When it is ≤ 0 at the new point,
// the driver brackets the crossing between the step's two ends and runs the Illinois variant of
// regula falsi on g along the stepper's dense output (cubic Hermite for RKC and Rosenbrock,
// Dormand–Prince's own interpolant), then evaluates the point at the end of the final bracket
// where g ≤ 0. So the reported point satisfies the event's condition, and lies within
// kEventTimeTolerance of the step's length after the crossing. A stepper without dense output
// (RK4) ends at the step's end. If g ≤ 0 already at the start, the run ends there.
#pragma once

#include <functional>
#include <string>

#include "riemopt/point.hpp"
#include "riemopt/solver_options.hpp"

namespace riemopt {

struct FlowEvent {
  // g(x, E(x)): the run ends where it first is ≤ 0. It is given the energy so that an event on
  // the energy costs nothing at the accepted points, whose energy is known. Must not throw for
  // finite points; a NaN is treated as "not fired".
  std::function<double(const Point& x, double energy)> function;
  // The run's status when the event ends it, and the first words of its message (the driver adds
  // the time, and g's value where it stopped).
  TerminationStatus status = TerminationStatus::kConverged;
  std::string message = "a stopping event fired";
};

// The crossing is located to this fraction of the length of the step that contains it.
inline constexpr double kEventTimeTolerance = 1e-9;

}  // namespace riemopt
