// Figures of a completion run from its recorded trajectory (columns train_mse, test_mse,
// effective_rank, sigma_1..sigma_k as written by riemopt::complete_by_flow).
#pragma once

#include <string>
#include <vector>

#include "common/gnuplot.hpp"
#include "riemopt/trajectory.hpp"

namespace riemopt::examples {

// Three panels over flow time (log axis; t = 0 is left out): train and test MSE, effective rank,
// and the recorded singular values. `label` prefixes the series titles (may be empty).
std::vector<Panel> completion_panels(const Trajectory& trajectory, const std::string& title,
                                     const std::string& label = "");

// The values of one observable column (by name) at the recorded times t > 0, with those times.
// Throws std::invalid_argument when the column does not exist.
Series observable_series(const Trajectory& trajectory, const std::string& column,
                         const std::string& title);

}  // namespace riemopt::examples
