// The space of real m×n matrices (an open subset of itself; GL_d when m = n and full rank is
// required by the metric). Points are column-major coordinate vectors of length m·n.
//
//   riemopt::MatrixSpace space(100, 80);
//   riemopt::Point x = space.make_point(space.random_point(rng));   // x.matrix() is 100×80
#pragma once

#include "riemopt/manifold.hpp"

namespace riemopt {

class MatrixSpace final : public Manifold {
 public:
  // Throws InvalidArgument unless rows, cols >= 1.
  MatrixSpace(Eigen::Index rows, Eigen::Index cols);

  std::string name() const override;
  ManifoldKind kind() const override { return ManifoldKind::kOpenSubset; }
  Eigen::Index ambient_size() const override { return rows_ * cols_; }
  Eigen::Index dimension() const override { return rows_ * cols_; }
  Eigen::Index rows() const override { return rows_; }
  Eigen::Index cols() const override { return cols_; }
  // Entries i.i.d. N(0, 1/cols): singular values of order one.
  Vector random_point(Rng& rng) const override;

 private:
  Eigen::Index rows_;
  Eigen::Index cols_;
};

}  // namespace riemopt
