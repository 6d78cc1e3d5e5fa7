// A recorded trajectory: times, energy, gradient norm, named observables and (optionally) points.
//
//   const riemopt::Trajectory& t = summary.trajectory;
//   for (std::size_t i = 0; i < t.times.size(); ++i) std::cout << t.times[i] << ' ' << t.values[i];
//   t.write_csv("trajectory.csv");    // header: time,value,gradient_norm,<observable names...>
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "riemopt/point.hpp"
#include "riemopt/types.hpp"

namespace riemopt {

// When and what a solver records.
struct TrajectoryOptions {
  bool enabled = true;
  // Explicit record times (increasing). When empty, t = 0 and log-spaced times
  // first_time · 10^{k/per_decade}, k = 0, 1, ..., up to the stop, plus the final state; or, when
  // `every` > 0, the evenly spaced times 0, every, 2·every, ... (to compare runs over a late phase,
  // which log spacing samples sparsely).
  std::vector<double> times;
  double every = 0.0;
  double first_time = 1e-3;
  int per_decade = 10;
  bool store_points = false;
  // Extra columns computed from the point at each record (e.g. test error, effective rank).
  std::vector<std::string> observable_names;
  std::function<std::vector<double>(const Point&)> observables;

  void validate() const;
};

struct Trajectory {
  std::vector<double> times;
  std::vector<double> values;
  std::vector<double> gradient_norms;
  std::vector<std::string> observable_names;
  std::vector<std::vector<double>> observables;  // one row per record
  std::vector<Vector> points;                    // filled when store_points

  std::size_t size() const { return times.size(); }
  // Appends one record of `x` at time t: value and gradient norm as given, the observables of
  // `options` (NaN columns when x is not finite or an observable throws) and, when asked, the
  // point itself. Solvers call this; x should already be canonical.
  void append(const TrajectoryOptions& options, const Point& x, double t, double value,
              double gradient_norm);
  std::string to_csv() const;
  // Writes to_csv() atomically (see atomic_file.hpp).
  void write_csv(const std::string& path) const;
};

// Generates the record times of a TrajectoryOptions lazily (the stop time need not be known).
class RecordSchedule {
 public:
  explicit RecordSchedule(const TrajectoryOptions& options);
  // The next record time, or +infinity when no more are scheduled.
  double next() const { return next_; }
  void advance();

 private:
  const TrajectoryOptions& options_;
  std::size_t index_ = 0;
  double next_;
};

}  // namespace riemopt
