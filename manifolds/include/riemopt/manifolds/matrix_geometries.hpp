// Ready-made geometries on m×n matrices: the Euclidean metric and the DLN metric of depth N.
//
//   riemopt::Geometry e = riemopt::euclidean_matrices(100, 100);
//   riemopt::Geometry g = riemopt::dln_matrices(100, 100, riemopt::Depth::parse("inf"));
#pragma once

#include "riemopt/depth.hpp"
#include "riemopt/geometry.hpp"

namespace riemopt {

Geometry euclidean_matrices(Eigen::Index rows, Eigen::Index cols);
Geometry dln_matrices(Eigen::Index rows, Eigen::Index cols, Depth depth);

}  // namespace riemopt
