#include "common/completion_plot.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace riemopt::examples {

Series observable_series(const Trajectory& trajectory, const std::string& column,
                         const std::string& title) {
  const auto& names = trajectory.observable_names;
  const auto it = std::find(names.begin(), names.end(), column);
  if (it == names.end())
    throw std::invalid_argument("the trajectory has no column '" + column + "'");
  const auto index = static_cast<std::size_t>(it - names.begin());
  Series s{title, {}, {}, ""};
  for (std::size_t i = 0; i < trajectory.size(); ++i) {
    const double y = trajectory.observables[i][index];
    if (trajectory.times[i] <= 0.0 || !std::isfinite(y)) continue;  // log axes
    s.x.push_back(trajectory.times[i]);
    s.y.push_back(y);
  }
  return s;
}

std::vector<Panel> completion_panels(const Trajectory& trajectory, const std::string& title,
                                     const std::string& label) {
  const std::string prefix = label.empty() ? "" : label + " ";
  Panel errors{title + ": errors", "flow time t", "mean squared error", true, true, {}};
  errors.series.push_back(observable_series(trajectory, "train_mse", prefix + "train MSE"));
  Series test = observable_series(trajectory, "test_mse", prefix + "test MSE");
  if (!test.x.empty()) errors.series.push_back(std::move(test));
  Panel rank{"effective rank", "flow time t", "exp(entropy of sigma/sum sigma)", true, false, {}};
  rank.series.push_back(observable_series(trajectory, "effective_rank", prefix + "effective rank"));
  Panel sigma{"top singular values", "flow time t", "sigma_k(t)", true, true, {}};
  for (const std::string& name : trajectory.observable_names)
    if (name.rfind("sigma_", 0) == 0)  // "sigma_10" → sigma_{10} in gnuplot's enhanced text
      sigma.series.push_back(observable_series(trajectory, name, "sigma_{" + name.substr(6) + "}"));
  return {errors, rank, sigma};
}

}  // namespace riemopt::examples
