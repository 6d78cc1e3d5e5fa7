#include "riemopt/ceres_manifold.hpp"

#include <exception>
#include <limits>

#include "riemopt/errors.hpp"

namespace riemopt {

namespace {

using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace

CeresManifold::CeresManifold(Geometry geometry) : geometry_(std::move(geometry)) {
  geometry_.validate();
  const riemopt::Manifold& m = *geometry_.manifold;
  require(m.is_open_subset() && m.dimension() == m.ambient_size(),
          "CeresManifold: {} is not an open subset of its ambient space (dimension {} of {}); "
          "the adapter needs tangent spaces equal to the ambient space",
          m.name(), m.dimension(), m.ambient_size());
  require(m.ambient_size() <= std::numeric_limits<int>::max(),
          "CeresManifold: ambient size {} exceeds Ceres' int sizes", m.ambient_size());
  size_ = static_cast<int>(m.ambient_size());
}

template <typename Body>
bool CeresManifold::at(const double* x, Body&& body) const {
  const std::lock_guard<std::mutex> lock(mutex_);
  try {
    const Eigen::Map<const Vector> coords(x, size_);
    if (!point_)
      point_.emplace(Vector(coords), geometry_.manifold->rows(), geometry_.manifold->cols());
    else if (point_->coords() != coords)
      point_->assign(coords);  // drops the cached SVD
    body(*point_);
    return true;
  } catch (const std::exception& e) {
    last_error_ = e.what();
    return false;
  }
}

bool CeresManifold::Plus(const double* x, const double* delta, double* x_plus_delta) const {
  return at(x, [&](const Point& p) {
    const Vector v = geometry_.metric->whiten(p, Eigen::Map<const Vector>(delta, size_));
    Eigen::Map<Vector> out(x_plus_delta, size_);
    geometry_.manifold->retract(p, v, out);
  });
}

bool CeresManifold::PlusJacobian(const double* x, double* jacobian) const {
  // dR_x(0) = id, so the Jacobian at δ = 0 is B_x; its columns are B_x e_j (one SVD, cached).
  return at(x, [&](const Point& p) {
    Eigen::Map<RowMajorMatrix> j(jacobian, size_, size_);
    Vector e = Vector::Zero(size_), column(size_);
    for (int c = 0; c < size_; ++c) {
      e[c] = 1.0;
      geometry_.metric->whiten(p, e, column);
      j.col(c) = column;
      e[c] = 0.0;
    }
  });
}

bool CeresManifold::RightMultiplyByPlusJacobian(const double* x, int num_rows,
                                                const double* ambient_matrix,
                                                double* tangent_matrix) const {
  // Row i of A·B_x is (B_xᵀ a_i)ᵀ = (B_x a_i)ᵀ: B_x is symmetric.
  return at(x, [&](const Point& p) {
    Eigen::Map<const RowMajorMatrix> a(ambient_matrix, num_rows, size_);
    Eigen::Map<RowMajorMatrix> t(tangent_matrix, num_rows, size_);
    Vector row(size_);
    for (int i = 0; i < num_rows; ++i) {
      geometry_.metric->whiten(p, a.row(i).transpose(), row);
      t.row(i) = row.transpose();
    }
  });
}

bool CeresManifold::Minus(const double* y, const double* x, double* y_minus_x) const {
  // B_x⁻¹ = B_x G_x: whiten after flat.
  return at(x, [&](const Point& p) {
    Vector v(size_), g(size_);
    geometry_.manifold->inverse_retract(p, Eigen::Map<const Vector>(y, size_), v);
    geometry_.metric->flat(p, v, g);
    Eigen::Map<Vector> out(y_minus_x, size_);
    geometry_.metric->whiten(p, g, out);
  });
}

bool CeresManifold::MinusJacobian(const double* x, double* jacobian) const {
  // The inverse retraction's differential at y = x is the identity, so this is B_x⁻¹.
  return at(x, [&](const Point& p) {
    Eigen::Map<RowMajorMatrix> j(jacobian, size_, size_);
    Vector e = Vector::Zero(size_), g(size_), column(size_);
    for (int c = 0; c < size_; ++c) {
      e[c] = 1.0;
      geometry_.metric->flat(p, e, g);
      geometry_.metric->whiten(p, g, column);
      j.col(c) = column;
      e[c] = 0.0;
    }
  });
}

}  // namespace riemopt
