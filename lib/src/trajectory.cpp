#include "riemopt/trajectory.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "riemopt/atomic_file.hpp"
#include "riemopt/errors.hpp"

namespace riemopt {

void Trajectory::append(const TrajectoryOptions& options, const Point& x, double t, double value,
                        double gradient_norm) {
  times.push_back(t);
  values.push_back(value);
  gradient_norms.push_back(gradient_norm);
  if (options.observables) {
    std::vector<double> row;
    try {
      if (x.coords().allFinite()) row = options.observables(x);
    } catch (const std::exception&) {
      row.clear();  // NaN columns; an observable that cannot be computed is not the solver's stop
    }
    row.resize(options.observable_names.size(), std::numeric_limits<double>::quiet_NaN());
    observables.push_back(std::move(row));
  }
  if (options.store_points) points.push_back(x.coords());
}

void TrajectoryOptions::validate() const {
  for (std::size_t i = 0; i < times.size(); ++i) {
    require(std::isfinite(times[i]) && times[i] >= 0.0,
            "trajectory.times[{}] = {} must be finite and >= 0", i, times[i]);
    require(i == 0 || times[i] > times[i - 1], "trajectory.times must be increasing (index {})", i);
  }
  require(std::isfinite(first_time) && first_time > 0.0,
          "trajectory.first_time must be finite and > 0 (got {})", first_time);
  require(per_decade >= 1, "trajectory.per_decade must be >= 1 (got {})", per_decade);
  require(std::isfinite(every) && every >= 0.0,
          "trajectory.every must be finite and >= 0 (0: log spacing; got {})", every);
  require(every == 0.0 || times.empty(), "trajectory: give times or every, not both");
  require(observable_names.empty() || static_cast<bool>(observables),
          "trajectory.observable_names given without an observables callback");
}

std::string Trajectory::to_csv() const {
  std::string out = "time,value,gradient_norm";
  for (const auto& name : observable_names) out += "," + name;
  out += "\n";
  for (std::size_t i = 0; i < times.size(); ++i) {
    out += fmt::format("{:.17g},{:.17g},{:.17g}", times[i], values[i], gradient_norms[i]);
    if (i < observables.size())
      for (double v : observables[i]) out += fmt::format(",{:.17g}", v);
    out += "\n";
  }
  return out;
}

void Trajectory::write_csv(const std::string& path) const { write_file_atomically(path, to_csv()); }

RecordSchedule::RecordSchedule(const TrajectoryOptions& options) : options_(options) {
  if (!options_.enabled)
    next_ = std::numeric_limits<double>::infinity();
  else if (!options_.times.empty())
    next_ = options_.times.front();
  else
    next_ = 0.0;
}

void RecordSchedule::advance() {
  ++index_;
  if (!options_.times.empty()) {
    next_ = index_ < options_.times.size() ? options_.times[index_]
                                           : std::numeric_limits<double>::infinity();
    return;
  }
  if (options_.every > 0.0) {  // index k is k · every (a product: no drift from repeated sums)
    next_ = static_cast<double>(index_) * options_.every;
    return;
  }
  // index 0 is t = 0; index k >= 1 is first_time · 10^{(k−1)/per_decade}.
  next_ =
      options_.first_time * std::pow(10.0, static_cast<double>(index_ - 1) / options_.per_decade);
}

}  // namespace riemopt
