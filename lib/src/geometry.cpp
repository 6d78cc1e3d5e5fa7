#include "riemopt/geometry.hpp"

#include "riemopt/errors.hpp"

namespace riemopt {

std::string Geometry::name() const {
  validate();
  return metric->name() + " metric on " + manifold->name();
}

void Geometry::validate() const {
  require(manifold != nullptr, "Geometry: manifold is null");
  require(metric != nullptr, "Geometry: metric is null");
}

}  // namespace riemopt
