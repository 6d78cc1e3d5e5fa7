#include "riemopt/point.hpp"

#include "riemopt/errors.hpp"

namespace riemopt {

Point::Point(Vector coords, Eigen::Index rows, Eigen::Index cols)
    : coords_(std::move(coords)), rows_(rows), cols_(cols) {
  require(rows >= 1 && cols >= 1, "Point: shape must be positive (got {}x{})", rows, cols);
  require(coords_.size() == rows * cols,
          "Point: {} coordinates do not fill a {}x{} matrix (expected {})", coords_.size(), rows,
          cols, rows * cols);
}

Point::Point(Vector coords) : coords_(std::move(coords)), rows_(coords_.size()), cols_(1) {}

const Svd& Point::svd() const {
  if (!svd_valid_) {
    compute_svd(matrix(), svd_, backend_);
    svd_valid_ = true;
  }
  return svd_;
}

void Point::assign(const ConstVectorRef& coords) {
  require(coords.size() == coords_.size(), "Point::assign: got {} coordinates, expected {}",
          coords.size(), coords_.size());
  coords_ = coords;
  svd_valid_ = false;
}

}  // namespace riemopt
