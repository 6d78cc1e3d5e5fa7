// A geometry: a manifold together with a metric on it. Swapping geometries is swapping this.
//
//   riemopt::Geometry euclid = riemopt::euclidean_matrices(100, 100);
//   riemopt::Geometry dln3   = riemopt::dln_matrices(100, 100, riemopt::Depth::finite(3));
#pragma once

#include <memory>
#include <string>

#include "riemopt/manifold.hpp"
#include "riemopt/metric.hpp"

namespace riemopt {

struct Geometry {
  std::shared_ptr<const Manifold> manifold;
  std::shared_ptr<const Metric> metric;

  // "<metric> on <manifold>".
  std::string name() const;
  // Throws InvalidArgument if either part is null.
  void validate() const;
};

}  // namespace riemopt
