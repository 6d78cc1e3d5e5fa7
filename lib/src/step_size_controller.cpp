#include "step_size_controller.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace riemopt::detail {

StepSizeController::StepSizeController(const GradientFlowOptions& options, int order)
    : options_(options), exponent_(-1.0 / order) {}

double StepSizeController::factor(double error) const {
  if (!std::isfinite(error)) return kMinFactor;
  return std::clamp(0.8 * std::pow(std::max(error, 1e-10), exponent_), kMinFactor, kMaxFactor);
}

bool StepSizeController::reject(SolverDriver& run, const FlowSystem& system, double& h,
                                double error, double t) const {
  run.count_rejected_step();
  h *= factor(error);
  const double floor = options_.min_step * std::max(1.0, t);
  if (h >= floor) return true;
  run.stop(TerminationStatus::kStepSizeTooSmall,
           fmt::format("adaptive step {:.3e} fell below min_step {:.3e} at t = {:.6g}{}", h, floor,
                       t, system.last_failure_note()));
  return false;
}

}  // namespace riemopt::detail
