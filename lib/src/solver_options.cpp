#include "riemopt/solver_options.hpp"

#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

std::string to_string(TerminationStatus status) {
  switch (status) {
    case TerminationStatus::kConverged:
      return "converged";
    case TerminationStatus::kFinalTimeReached:
      return "final_time_reached";
    case TerminationStatus::kMaxIterations:
      return "max_iterations";
    case TerminationStatus::kMaxEvaluations:
      return "max_evaluations";
    case TerminationStatus::kMaxWallTime:
      return "max_wall_time";
    case TerminationStatus::kNumericalFailure:
      return "numerical_failure";
    case TerminationStatus::kStepSizeTooSmall:
      return "step_size_too_small";
    case TerminationStatus::kUserAbort:
      return "user_abort";
    case TerminationStatus::kStationaryShortOfTarget:
      return "stationary_short_of_target";
    case TerminationStatus::kEnergyIncreased:
      return "energy_increased";
    case TerminationStatus::kDiverged:
      return "diverged";
    case TerminationStatus::kToleranceUnreachable:
      return "tolerance_unreachable";
  }
  return "unknown";
}

bool is_success(TerminationStatus status) {
  return status == TerminationStatus::kConverged || status == TerminationStatus::kFinalTimeReached;
}

void SolverOptions::validate() const {
  require(std::isfinite(gradient_tolerance) && gradient_tolerance >= 0.0,
          "options.gradient_tolerance must be finite and >= 0 (got {})", gradient_tolerance);
  require(max_iterations >= 1, "options.max_iterations must be >= 1 (got {})", max_iterations);
  require(max_evaluations >= 1, "options.max_evaluations must be >= 1 (got {})", max_evaluations);
  require(!std::isnan(max_wall_seconds) && max_wall_seconds > 0.0,
          "options.max_wall_seconds must be > 0 (got {})", max_wall_seconds);
  require(!std::isnan(divergence_limit) && divergence_limit > 1.0,
          "options.divergence_limit must be > 1 (got {})", divergence_limit);
  require(std::isfinite(progress_interval_seconds) && progress_interval_seconds > 0.0,
          "options.progress_interval_seconds must be finite and > 0 (got {})",
          progress_interval_seconds);
  for (std::size_t i = 0; i < callbacks.size(); ++i)
    require(static_cast<bool>(callbacks[i]), "options.callbacks[{}] is empty", i);
}

}  // namespace riemopt
