// riemopt.Summary (a solver's Summary with the point's shape, so that x and the stored points
// come back as matrices), riemopt.StepInfo, and Python callbacks as IterationCallbacks.
#pragma once

#include <string>
#include <vector>

#include "python_support.hpp"
#include "riemopt/solver_summary.hpp"

namespace riemopt::python {

struct Result {
  Summary summary;
  Eigen::Index rows = 0, cols = 1;
};

// What a Python callback receives after each accepted step (a copy: keeping it is safe).
struct StepInfo {
  std::int64_t iteration = 0;
  double time = 0.0, value = 0.0, gradient_norm = 0.0, step_size = 0.0, wall_seconds = 0.0;
  py::object x;  // the point, or None
};

// A truthy return stops the run (status 'user abort'); an exception stops it and is re-raised.
IterationCallback python_callback(py::function f, Eigen::Index rows, Eigen::Index cols);
// The `callback=` option: appends f (nothing for None); TypeError naming `option` unless callable.
void add_python_callback(std::vector<IterationCallback>& callbacks, const py::handle& f,
                         const std::string& option, Eigen::Index rows, Eigen::Index cols);

void bind_result(py::module_& m);

}  // namespace riemopt::python
