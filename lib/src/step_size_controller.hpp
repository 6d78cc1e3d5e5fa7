// The error-per-step controller of the library's own adaptive integrators, RKC and the Rosenbrock
// W-method (private; Dormand–Prince uses Boost.Odeint's). One controller, one set of clamps.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "flow_system.hpp"

namespace riemopt::detail {

class StepSizeController {
 public:
  // For an error estimate whose step error scales as h^order.
  StepSizeController(const GradientFlowOptions& options, int order);

  // The weighted RMS norm of a local error estimate: per component |e| / (atol + rtol·max(|y0|,
  // |y1|)) (≤ 1: accept).
  double error_norm(const Vector& estimate, const State& y0, const State& y1) const {
    return error_norm_of(
        estimate.size(), [&estimate](Eigen::Index i) { return estimate[i]; }, y0, y1);
  }
  // The same norm of an estimate given entry by entry, e(i), so that it need not be stored (RKC
  // forms its estimate from four vectors). Four partial sums keep the adds independent.
  template <typename Entry>
  double error_norm_of(Eigen::Index size, const Entry& e, const State& y0, const State& y1) const {
    constexpr Eigen::Index kLanes = 4;
    const double atol = options_.absolute_tolerance, rtol = options_.relative_tolerance;
    const auto term = [&](Eigen::Index i) {
      const std::size_t k = static_cast<std::size_t>(i);
      const double ratio = e(i) / (atol + rtol * std::max(std::abs(y0[k]), std::abs(y1[k])));
      return ratio * ratio;
    };
    double partial[kLanes] = {};
    Eigen::Index i = 0;
    for (; i + kLanes <= size; i += kLanes)
      for (Eigen::Index lane = 0; lane < kLanes; ++lane) partial[lane] += term(i + lane);
    double sum = 0.0;
    for (; i < size; ++i) sum += term(i);
    for (const double p : partial) sum += p;
    return std::sqrt(sum / static_cast<double>(size));
  }
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
