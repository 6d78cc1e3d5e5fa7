// The error-per-step controller of the library's own adaptive integrators, RKC and the Rosenbrock
// W-method (private; Dormand–Prince uses Boost.Odeint's). One controller, one set of clamps.
#pragma once

#include "flow_system.hpp"

namespace riemopt::detail {

class StepSizeController {
 public:
  // For an error estimate whose step error scales as h^order.
  StepSizeController(const GradientFlowOptions& options, int order);

  // The weighted RMS norm of a local error estimate: per component |e| / (atol + rtol·max(|y0|,
  // |y1|)) (≤ 1: accept).
  double error_norm(const Vector& estimate, const State& y0, const State& y1) const;
  // The factor for the next step after one with this error norm: 0.8·error^(−1/order), clamped
  // to [kMinFactor, kMaxFactor]; kMinFactor for a non-finite error (a stage failed).
  double factor(double error) const;
  // After a rejected step at time t: counts it and shrinks h by factor(error). Returns false,
  // ending the run with step_size_too_small, when h falls below min_step·max(1, t).
  bool reject(SolverDriver& run, const FlowSystem& system, double& h, double error, double t) const;

  static constexpr double kMinFactor = 0.2;
  static constexpr double kMaxFactor = 5.0;

 private:
  const GradientFlowOptions& options_;
  double exponent_;
};

}  // namespace riemopt::detail
