#include "solver_result.hpp"

#include <pybind11/stl.h>

namespace riemopt::python {

IterationCallback python_callback(py::function f, Eigen::Index rows, Eigen::Index cols) {
  return [f = std::move(f), rows, cols](const IterationInfo& info) -> CallbackDecision {
    try {
      const bool stop = call_python("the callback", [&] {
        StepInfo s{info.iteration, info.time,         info.value, info.gradient_norm,
                   info.step_size, info.wall_seconds, py::none()};
        if (info.point != nullptr) s.x = to_numpy(info.point->coords(), rows, cols);
        return py::bool_(f(std::move(s))).cast<bool>();
      });
      if (stop)
        return CallbackDecision::stop(TerminationStatus::kUserAbort,
                                      "the Python callback returned True");
      return CallbackResult::kContinue;
    } catch (const PythonRaised& e) {  // kept by the trap; re-raised after the solve
      return CallbackDecision::stop(TerminationStatus::kUserAbort, e.what());
    }
  };
}

void add_python_callback(std::vector<IterationCallback>& callbacks, const py::handle& f,
                         const std::string& option, Eigen::Index rows, Eigen::Index cols) {
  if (f.is_none()) return;
  if (!PyCallable_Check(f.ptr())) throw py::type_error("option '" + option + "' must be callable");
  callbacks.push_back(python_callback(py::reinterpret_borrow<py::function>(f), rows, cols));
}

namespace {

py::array column(const std::vector<double>& v) { return to_numpy(v); }

}  // namespace

void bind_result(py::module_& m) {
  py::class_<StepInfo>(m, "StepInfo", "The state after an accepted step, as callbacks see it.")
      .def_readonly("iteration", &StepInfo::iteration)
      .def_readonly("time", &StepInfo::time, "flow time (gradient flow), else 0")
      .def_readonly("value", &StepInfo::value)
      .def_readonly("gradient_norm", &StepInfo::gradient_norm)
      .def_readonly("step_size", &StepInfo::step_size)
      .def_readonly("wall_seconds", &StepInfo::wall_seconds)
      .def_readonly("x", &StepInfo::x)
      .def("__repr__", [](const StepInfo& s) {
        return "<riemopt.StepInfo iteration " + std::to_string(s.iteration) + ", value " +
               std::to_string(s.value) + ">";
      });

  py::class_<Result>(m, "Summary", R"doc(
How a solve ended and what it cost. `success` is True only when the stopping rule that fired
means success (converged, or the final time reached); `status` and `message` say which.)doc")
      .def_property_readonly("solver", [](const Result& r) { return r.summary.solver; })
      .def_property_readonly("geometry", [](const Result& r) { return r.summary.geometry; })
      .def_property_readonly("energy", [](const Result& r) { return r.summary.energy; })
      .def_property_readonly("status", [](const Result& r) { return to_string(r.summary.status); })
      .def_property_readonly("success", [](const Result& r) { return r.summary.is_success(); })
      .def_property_readonly("message", [](const Result& r) { return r.summary.message; })
      .def_property_readonly(
          "x", [](const Result& r) { return to_numpy(r.summary.x, r.rows, r.cols); },
          "The final point, shaped like x0.")
      .def_property_readonly("initial_value",
                             [](const Result& r) { return r.summary.initial_value; })
      .def_property_readonly("final_value", [](const Result& r) { return r.summary.final_value; })
      .def_property_readonly("initial_gradient_norm",
                             [](const Result& r) { return r.summary.initial_gradient_norm; })
      .def_property_readonly("final_gradient_norm",
                             [](const Result& r) { return r.summary.final_gradient_norm; })
      .def_property_readonly("final_time", [](const Result& r) { return r.summary.final_time; })
      .def_property_readonly("iterations", [](const Result& r) { return r.summary.iterations; })
      .def_property_readonly("rejected_steps",
                             [](const Result& r) { return r.summary.rejected_steps; })
      .def_property_readonly(
          "stopping_event",
          [](const Result& r) -> py::object {
            if (r.summary.stopping_event < 0) return py::none();
            return py::int_(r.summary.stopping_event);
          },
          "index of the event that ended the run (None: no event did)")
      .def_property_readonly("value_evaluations",
                             [](const Result& r) { return r.summary.evaluations.values; })
      .def_property_readonly("gradient_evaluations",
                             [](const Result& r) { return r.summary.evaluations.gradients; })
      .def_property_readonly("hessian_vector_products",
                             [](const Result& r) { return r.summary.evaluations.hessian_vectors; })
      .def_property_readonly("rhs_evaluations",
                             [](const Result& r) { return r.summary.rhs_evaluations; })
      .def_property_readonly("svd_count", [](const Result& r) { return r.summary.svd_count; })
      .def_property_readonly("linear_iterations",
                             [](const Result& r) { return r.summary.linear_iterations; })
      .def_property_readonly("wall_seconds", [](const Result& r) { return r.summary.wall_seconds; })
      .def_property_readonly(
          "times", [](const Result& r) { return column(r.summary.trajectory.times); },
          "Trajectory: the recorded times (flow time, or iteration number)")
      .def_property_readonly("values",
                             [](const Result& r) { return column(r.summary.trajectory.values); })
      .def_property_readonly(
          "gradient_norms",
          [](const Result& r) { return column(r.summary.trajectory.gradient_norms); })
      .def_property_readonly(
          "observables",
          [](const Result& r) {
            const Trajectory& t = r.summary.trajectory;
            py::dict out;
            for (std::size_t j = 0; j < t.observable_names.size(); ++j) {
              std::vector<double> col;
              for (const auto& row : t.observables) col.push_back(row.at(j));
              out[py::str(t.observable_names[j])] = column(col);
            }
            return out;
          },
          "Trajectory columns by name (NumPy arrays).")
      .def_property_readonly(
          "points",
          [](const Result& r) {
            py::list out;
            for (const Vector& p : r.summary.trajectory.points)
              out.append(to_numpy(p, r.rows, r.cols));
            return out;
          },
          "Recorded points (when store_points=True).")
      .def("brief_report", [](const Result& r) { return r.summary.BriefReport(); })
      .def("report", [](const Result& r) { return r.summary.FullReport(); })
      .def("to_json", [](const Result& r) { return r.summary.to_json(); })
      .def("trajectory_csv", [](const Result& r) { return r.summary.trajectory.to_csv(); })
      .def("__bool__", [](const Result& r) { return r.summary.is_success(); })
      .def("__repr__", [](const Result& r) { return r.summary.BriefReport(); });
}

}  // namespace riemopt::python
