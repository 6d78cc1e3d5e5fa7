// A point of a geometry: flat ambient coordinates, a matrix shape, and a lazily cached SVD.
//
// Energies and metrics receive `const Point&`. The first one that needs the singular value
// decomposition triggers it; every later user in the same evaluation reuses it. This is how one
// step of a DLN free-energy flow costs exactly one SVD (docs/MATH.md §3: A_{N,X} is diagonal in the
// singular basis; §6: spectral gradients are Q diag(∇Φ) Rᵀ).
//
//   riemopt::Point x(riemopt::Vector::Random(12), 3, 4);   // a 3×4 matrix point
//   const riemopt::Svd& s = x.svd();                         // computed once, cached
//   x.assign(new_coords);                                     // moves the point, drops the cache
//
// A Point is not thread-safe (the cache is filled on first use from a const method).
#pragma once

#include "riemopt/svd.hpp"
#include "riemopt/types.hpp"

namespace riemopt {

class Point {
 public:
  Point() = default;
  // A point shaped as a `rows × cols` matrix (column-major coordinates).
  Point(Vector coords, Eigen::Index rows, Eigen::Index cols);
  // A point of a vector geometry (shape `size × 1`).
  explicit Point(Vector coords);

  const Vector& coords() const { return coords_; }
  Eigen::Index size() const { return coords_.size(); }
  Eigen::Index rows() const { return rows_; }
  Eigen::Index cols() const { return cols_; }

  // The coordinates viewed as the `rows × cols` matrix (no copy).
  ConstMatrixMap matrix() const { return {coords_.data(), rows_, cols_}; }

  // The thin SVD of matrix(), computed on first call and cached until the point moves.
  const Svd& svd() const;
  bool has_cached_svd() const { return svd_valid_; }

  // Replaces the coordinates (same size) and invalidates the cache; allocates nothing.
  void assign(const ConstVectorRef& coords);

  void set_svd_backend(SvdBackend backend) { backend_ = backend; }
  SvdBackend svd_backend() const { return backend_; }

 private:
  Vector coords_;
  Eigen::Index rows_ = 0;
  Eigen::Index cols_ = 1;
  SvdBackend backend_ = SvdBackend::kDefault;
  mutable Svd svd_;
  mutable bool svd_valid_ = false;
};

}  // namespace riemopt
