// What every binding file shares: NumPy ↔ Eigen conversion with clear errors, depth and enum
// parsing, and the trap that carries a Python exception (or Ctrl-C) out of a C++ solve.
//
// Arrays. Inputs may be any real dtype and any memory order; they are converted to the
// library's column-major float64 (a float64 Fortran-ordered array is read without a copy, any
// other layout is copied once). Complex, boolean, object and string arrays are refused with a
// TypeError, wrong shapes with a ValueError. Outputs are Eigen objects moved into NumPy, so no
// copy is made on the way out.
//
// Errors inside a solve. C++ solvers treat an exception thrown by an energy as a failed
// evaluation and try a shorter step. A Python exception is not that: it is a bug or a request to
// stop (KeyboardInterrupt). While a solve runs, a PythonErrorTrap is active; the first Python
// exception raised by an energy, a callback or an observable is kept there, every later call
// into Python fails at once without running, a callback added to the solver stops the run after
// the current step, and the binding then re-raises the original exception instead of returning
// a result. Ctrl-C is checked between steps (PyErr_CheckSignals), so a long solve stops cleanly.
#pragma once

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "riemopt/depth.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/point.hpp"
#include "riemopt/solver_options.hpp"
#include "riemopt/types.hpp"

namespace riemopt::python {

namespace py = pybind11;

// A real array-like as a column-major matrix. `rows`/`cols` < 0 accept any extent; a 1-D input
// is a column (n × 1). Throws py::type_error / py::value_error naming `what`.
Matrix to_matrix(const py::handle& object, const std::string& what, Eigen::Index rows = -1,
                 Eigen::Index cols = -1);
// A real array-like of `size` entries (any shape whose total is `size`; < 0: any), flattened in
// column-major (Fortran) order, the library's coordinate order.
Vector to_vector(const py::handle& object, const std::string& what, Eigen::Index size = -1);
// Coordinates of a point of shape rows × cols: a (rows, cols) array, or when cols == 1 also a
// flat (rows,) array.
Vector to_coordinates(const py::handle& object, const std::string& what, Eigen::Index rows,
                      Eigen::Index cols);
// A point as NumPy: (rows, cols) when cols > 1, else a flat vector.
py::array to_numpy(const ConstVectorRef& coords, Eigen::Index rows, Eigen::Index cols);
py::array to_numpy(const Point& x);
py::array to_numpy(std::vector<double> values);

// An int ≥ 1, math.inf, or the strings "inf" / "3".
Depth to_depth(const py::handle& object);

// Enum values by name: `names[i]` names `values[i]`.
template <typename Enum>
Enum parse_choice(const std::string& text, const std::vector<Enum>& values,
                  const std::vector<std::string>& names, const std::string& what) {
  std::string list;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (text == names[i]) return values[i];
    list += (i ? ", '" : "'") + names[i] + "'";
  }
  throw InvalidArgument(what + " must be one of " + list + " (got '" + text + "')");
}

template <typename Enum>
Enum parse_choice(const std::string& text, std::initializer_list<Enum> values,
                  const std::vector<std::string>& names, const std::string& what) {
  return parse_choice(text, std::vector<Enum>(values), names, what);
}

// The exception thrown through C++ code when the trap holds a Python error.
class PythonRaised : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PythonErrorTrap {
 public:
  PythonErrorTrap();
  ~PythonErrorTrap();
  PythonErrorTrap(const PythonErrorTrap&) = delete;
  PythonErrorTrap& operator=(const PythonErrorTrap&) = delete;

  // The trap of the solve in progress on this thread, or null outside a solve.
  static PythonErrorTrap* active();
  bool tripped() const { return error_.has_value(); }
  // Keeps `error` if none is kept yet.
  void keep(py::error_already_set&& error);
  // A callback for SolverOptions::callbacks: checks for signals and stops the run once tripped.
  IterationCallback stop_callback();
  // Raises the kept Python exception, if any.
  void rethrow_if_tripped();

 private:
  PythonErrorTrap* outer_;
  std::optional<py::error_already_set> error_;
};

// Runs solve() under `trap` (already active): a Python exception kept during the solve is raised
// instead of the result, or of the C++ exception it led to.
template <typename Solve>
auto raise_trapped(PythonErrorTrap& trap, Solve&& solve) -> decltype(solve()) {
  try {
    auto result = solve();
    trap.rethrow_if_tripped();
    return result;
  } catch (const py::error_already_set&) {
    throw;
  } catch (...) {
    trap.rethrow_if_tripped();
    throw;
  }
}

// Runs solve() with a trap active and its stop callback appended to `callbacks` (the options of
// the solve), as raise_trapped.
template <typename Solve>
auto run_trapped(std::vector<IterationCallback>& callbacks, Solve&& solve) -> decltype(solve()) {
  PythonErrorTrap trap;
  callbacks.push_back(trap.stop_callback());
  return raise_trapped(trap, std::forward<Solve>(solve));
}

// Calls a Python callable from C++ code that may run inside a solve. Outside a solve a Python
// exception propagates as usual; inside one it is kept by the trap and PythonRaised is thrown.
template <typename Call>
auto call_python(const char* what, Call&& call) -> decltype(call()) {
  PythonErrorTrap* trap = PythonErrorTrap::active();
  if (trap != nullptr && trap->tripped())
    throw PythonRaised(std::string(what) + ": not called, an earlier Python call raised");
  try {
    return call();
  } catch (py::error_already_set& e) {
    if (trap == nullptr) throw;
    const std::string message = std::string(what) + " raised: " + e.what();
    trap->keep(std::move(e));
    throw PythonRaised(message);
  } catch (py::cast_error& e) {
    const std::string message =
        std::string(what) + " returned a value of the wrong type (" + e.what() + ")";
    if (trap == nullptr) throw py::type_error(message);
    PyErr_SetString(PyExc_TypeError, message.c_str());
    trap->keep(py::error_already_set());
    throw PythonRaised(message);
  } catch (py::builtin_exception& e) {  // a ValueError/TypeError raised by our conversions
    if (trap == nullptr) throw;
    const std::string message = std::string(what) + ": " + e.what();
    e.set_error();
    trap->keep(py::error_already_set());
    throw PythonRaised(message);
  }
}

}  // namespace riemopt::python
