#include "python_support.hpp"

#include <cmath>
#include <utility>

namespace riemopt::python {

namespace {

std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

// Any array-like as a real NumPy array, refusing what would convert silently into nonsense.
py::array real_array(const py::handle& object, const std::string& what) {
  if (object.is_none()) throw py::type_error(what + " must be an array of real numbers, not None");
  py::array a = py::module_::import("numpy").attr("asarray")(object);
  const char kind = a.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u')
    throw py::type_error(what +
                         " must be an array of real numbers (float64 preferred); got dtype " +
                         std::string(py::str(a.dtype())));
  return a;
}

// A float64, Fortran-ordered view when the input already is one, else one copy.
py::array_t<double, py::array::f_style> fortran_doubles(const py::array& a) {
  return py::array_t<double, py::array::f_style | py::array::forcecast>::ensure(a);
}

thread_local PythonErrorTrap* active_trap = nullptr;

}  // namespace

Matrix to_matrix(const py::handle& object, const std::string& what, Eigen::Index rows,
                 Eigen::Index cols) {
  const py::array a = real_array(object, what);
  if (a.ndim() != 1 && a.ndim() != 2)
    throw py::value_error(what + " must be a 1-D or 2-D array; got shape " + shape_text(a));
  const Eigen::Index r = a.shape(0);
  const Eigen::Index c = a.ndim() == 2 ? a.shape(1) : 1;
  if ((rows >= 0 && r != rows) || (cols >= 0 && c != cols))
    throw py::value_error(what + " has shape " + shape_text(a) + "; expected (" +
                          (rows >= 0 ? std::to_string(rows) : std::string("any")) + ", " +
                          (cols >= 0 ? std::to_string(cols) : std::string("any")) + ")");
  const auto f = fortran_doubles(a);
  return Eigen::Map<const Matrix>(f.data(), r, c);
}

Vector to_vector(const py::handle& object, const std::string& what, Eigen::Index size) {
  const py::array a = real_array(object, what);
  if (size >= 0 && a.size() != size)
    throw py::value_error(what + " has " + std::to_string(a.size()) + " entries (shape " +
                          shape_text(a) + "); expected " + std::to_string(size));
  const auto f = fortran_doubles(a);
  return Eigen::Map<const Vector>(f.data(), static_cast<Eigen::Index>(f.size()));
}

Vector to_coordinates(const py::handle& object, const std::string& what, Eigen::Index rows,
                      Eigen::Index cols) {
  const py::array a = real_array(object, what);
  const bool flat_ok = a.ndim() == 1 && cols == 1 && a.shape(0) == rows;
  const bool matrix_ok = a.ndim() == 2 && a.shape(0) == rows && a.shape(1) == cols;
  if (!flat_ok && !matrix_ok)
    throw py::value_error(what + " has shape " + shape_text(a) + "; expected (" +
                          std::to_string(rows) + ", " + std::to_string(cols) + ")" +
                          (cols == 1 ? " or (" + std::to_string(rows) + ",)" : std::string()));
  const auto f = fortran_doubles(a);
  return Eigen::Map<const Vector>(f.data(), rows * cols);
}

py::array to_numpy(const ConstVectorRef& coords, Eigen::Index rows, Eigen::Index cols) {
  if (cols == 1) return py::cast(Vector(coords));
  return py::cast(Matrix(Eigen::Map<const Matrix>(coords.data(), rows, cols)));
}

py::array to_numpy(const Point& x) { return to_numpy(x.coords(), x.rows(), x.cols()); }

py::array to_numpy(std::vector<double> values) {
  return py::cast(
      Vector(Eigen::Map<const Vector>(values.data(), static_cast<Eigen::Index>(values.size()))));
}

Depth to_depth(const py::handle& object) {
  if (py::isinstance<py::bool_>(object))
    throw py::type_error("depth must be an int >= 1 or 'inf', not a bool");
  if (py::isinstance<py::str>(object)) return Depth::parse(object.cast<std::string>());
  if (py::isinstance<py::float_>(object)) {
    const double d = object.cast<double>();
    if (std::isinf(d) && d > 0) return Depth::infinite();
    if (std::isfinite(d) && d == std::floor(d) && d >= 1 && d <= 1e6)
      return Depth::finite(static_cast<int>(d));
    throw InvalidArgument("depth must be an int >= 1 or inf (got " + std::to_string(d) + ")");
  }
  if (py::isinstance<py::int_>(object)) {
    const long long n = object.cast<long long>();
    if (n < 1 || n > 1'000'000)
      throw InvalidArgument("depth must be >= 1 (or inf); got " + std::to_string(n));
    return Depth::finite(static_cast<int>(n));
  }
  throw py::type_error("depth must be an int >= 1, math.inf or 'inf'; got " +
                       std::string(py::str(py::type::of(object))));
}

PythonErrorTrap::PythonErrorTrap() : outer_(active_trap) { active_trap = this; }

PythonErrorTrap::~PythonErrorTrap() { active_trap = outer_; }

PythonErrorTrap* PythonErrorTrap::active() { return active_trap; }

void PythonErrorTrap::keep(py::error_already_set&& error) {
  if (!error_) error_.emplace(std::move(error));
}

IterationCallback PythonErrorTrap::stop_callback() {
  return [this](const IterationInfo&) -> CallbackDecision {
    if (!tripped() && PyErr_CheckSignals() != 0) keep(py::error_already_set());
    if (tripped())
      return CallbackDecision::stop(TerminationStatus::kUserAbort, "a Python call raised");
    return CallbackResult::kContinue;
  };
}

void PythonErrorTrap::rethrow_if_tripped() {
  if (!error_) return;
  py::error_already_set error = std::move(*error_);
  error_.reset();
  throw error;
}

}  // namespace riemopt::python
