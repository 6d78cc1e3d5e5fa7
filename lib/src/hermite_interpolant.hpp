// Cubic Hermite interpolation of (y, f = ẏ) between a step's ends: the dense output of the RKC
// and Rosenbrock steppers, which have none of their own (private).
#pragma once

#include "flow_system.hpp"

namespace riemopt::detail {

struct HermiteInterpolant {
  double t0, h;  // the step [t0, t0 + h]
  const State& y0;
  const State& f0;
  const State& y1;
  const State& f1;

  // The interpolant at tau in [t0, t0 + h], into out (sized like y0).
  void operator()(double tau, Vector& out) const {
    const double theta = (tau - t0) / h;
    const double a0 = (1.0 - theta) * (1.0 - theta) * (1.0 + 2.0 * theta);
    const double a1 = theta * theta * (3.0 - 2.0 * theta);
    const double b0 = theta * (1.0 - theta) * (1.0 - theta);
    const double b1 = -theta * theta * (1.0 - theta);
    out = a0 * as_vector(y0) + a1 * as_vector(y1) + h * (b0 * as_vector(f0) + b1 * as_vector(f1));
  }
};

}  // namespace riemopt::detail
