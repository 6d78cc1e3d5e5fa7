#include "riemopt/manifolds/matrix_space.hpp"

#include <fmt/format.h>

#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

MatrixSpace::MatrixSpace(Eigen::Index rows, Eigen::Index cols) : rows_(rows), cols_(cols) {
  require(rows >= 1 && cols >= 1, "MatrixSpace: shape must be at least 1x1 (got {}x{})", rows,
          cols);
}

std::string MatrixSpace::name() const { return fmt::format("{}x{} matrices", rows_, cols_); }

Vector MatrixSpace::random_point(Rng& rng) const {
  return gaussian_vector(ambient_size(), rng) / std::sqrt(static_cast<double>(cols_));
}

}  // namespace riemopt
