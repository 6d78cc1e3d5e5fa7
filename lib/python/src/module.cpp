// The riemopt Python module (_riemopt, re-exported by the riemopt package).
#include "bindings.hpp"

namespace riemopt::python {
namespace {

void register_exceptions(py::module_& m) {
  // Numerical failure inside the library (a rank-deficient point where a formula needs full
  // rank, an SVD that did not converge). Bad arguments are ValueError.
  static py::exception<NumericalError> numerical(m, "NumericalError", PyExc_ArithmeticError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InvalidArgument& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const NumericalError& e) {
      PyErr_SetString(numerical.ptr(), e.what());
    } catch (const PythonRaised& e) {  // only when no trap kept the original (should not happen)
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
}

}  // namespace
}  // namespace riemopt::python

PYBIND11_MODULE(_riemopt, m) {
  using namespace riemopt::python;
  m.doc() =
      "riemopt: Riemannian optimization and gradient flows, with the Deep Linear Network "
      "as a first-class geometry (C++ core).";
  register_exceptions(m);
  bind_geometry(m);
  bind_energies(m);
  bind_solvers(m);
  bind_completion(m);
  bind_sampling(m);
}
