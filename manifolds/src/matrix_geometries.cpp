#include "riemopt/manifolds/matrix_geometries.hpp"

#include "riemopt/manifolds/dln_metric.hpp"
#include "riemopt/manifolds/matrix_space.hpp"

namespace riemopt {

Geometry euclidean_matrices(Eigen::Index rows, Eigen::Index cols) {
  return {std::make_shared<MatrixSpace>(rows, cols), std::make_shared<EuclideanMetric>()};
}

Geometry dln_matrices(Eigen::Index rows, Eigen::Index cols, Depth depth) {
  return {std::make_shared<MatrixSpace>(rows, cols), std::make_shared<DlnMetric>(depth)};
}

}  // namespace riemopt
