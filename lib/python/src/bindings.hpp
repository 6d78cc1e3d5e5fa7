// The pieces of the riemopt Python module, one per binding file, and the helpers they share.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "python_support.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/energy.hpp"
#include "riemopt/geometry.hpp"

namespace riemopt::python {

void bind_geometry(py::module_& m);
void bind_energies(py::module_& m);
void bind_solvers(py::module_& m);
void bind_completion(py::module_& m);
void bind_sampling(py::module_& m);

// A point of the geometry from a NumPy array (validated by the manifold).
Point make_point(const Geometry& g, const py::handle& x, const std::string& what);
// Finite coordinates shaped like a point of g (a tangent vector or covector).
Vector tangent_coordinates(const Geometry& g, const py::handle& v, const std::string& what);

// Energies cross as shared_ptr<Energy> (pybind11 holders cannot be const); the library takes
// them as EnergyPtr = shared_ptr<const Energy>.
using EnergyHolder = std::shared_ptr<Energy>;
EnergyHolder hold(const EnergyPtr& energy);

// Observed entries from 0-based index arrays and values of equal length.
std::vector<Observation> to_observations(const py::handle& rows, const py::handle& cols,
                                         const py::handle& values);

}  // namespace riemopt::python
