// A point of a geometry: flat ambient coordinates, a matrix shape, and a cache of data derived
// from the coordinates.
//
// Energies and metrics receive `const Point&`. The cache holds what they compute from the point
// and share within one evaluation: the DLN layer keeps the point's SVD there (svd.hpp:
// svd_of), so one step of a DLN free-energy flow costs exactly one SVD (docs/MATH.md §3, §6). The
// core knows nothing of what is cached: any type derived from PointCache has one slot per
// point, created on first use and marked invalid whenever the point moves.
//
//   riemopt::Point x(riemopt::Vector::Random(12), 3, 4);   // a 3×4 matrix point
//   const riemopt::Svd& s = riemopt::svd_of(x);              // computed once, cached
//   x.assign(new_coords);                                     // moves the point, drops the cache
//
// A Point is not thread-safe (the cache is filled on first use from a const method).
#pragma once

#include <cstdint>
#include <memory>
#include <typeindex>
#include <utility>
#include <vector>

#include "riemopt/types.hpp"

namespace riemopt {

// Data derived from a point's coordinates. `valid` is cleared when the point moves; the owner
// recomputes on the next use. clone/copy_from let points be copied with their caches (copy_from
// reuses the target's storage, so copying a point into one of the same shape allocates nothing).
class PointCache {
 public:
  virtual ~PointCache() = default;
  virtual std::unique_ptr<PointCache> clone() const = 0;
  virtual void copy_from(const PointCache& other) = 0;
  bool valid = false;
};

// A fresh identifier (never 0) for an object that keeps data in a point's cache. The cache has
// one slot per type, so two energies of one class evaluated at one point (a sum of two Brockett
// costs, a train and a test loss) must tell their data apart: each stores its identifier in the
// slot beside `valid` and recomputes when the slot holds another's. Thread-safe.
std::uint64_t new_cache_owner();

// The usual implementation of clone/copy_from for a copyable cache type T: derive from
// PointCacheOf<T>.
template <typename T>
class PointCacheOf : public PointCache {
 public:
  std::unique_ptr<PointCache> clone() const override {
    return std::make_unique<T>(static_cast<const T&>(*this));
  }
  void copy_from(const PointCache& other) override {
    static_cast<T&>(*this) = static_cast<const T&>(other);
  }
};

class Point {
 public:
  Point() = default;
  // A point shaped as a `rows × cols` matrix (column-major coordinates).
  Point(Vector coords, Eigen::Index rows, Eigen::Index cols);
  // A point of a vector geometry (shape `size × 1`).
  explicit Point(Vector coords);
  Point(const Point& other);
  Point& operator=(const Point& other);
  Point(Point&&) noexcept = default;
  Point& operator=(Point&&) noexcept = default;
  ~Point() = default;

  const Vector& coords() const { return coords_; }
  Eigen::Index size() const { return coords_.size(); }
  Eigen::Index rows() const { return rows_; }
  Eigen::Index cols() const { return cols_; }

  // The coordinates viewed as the `rows × cols` matrix (no copy).
  ConstMatrixMap matrix() const { return {coords_.data(), rows_, cols_}; }

  // Replaces the coordinates (same size) and invalidates the caches; allocates nothing.
  void assign(const ConstVectorRef& coords);
  // assign, returning whether every coordinate is finite, checked in the same pass (a flow calls
  // this on every right-hand side). The coordinates are replaced either way.
  bool assign_checking_finite(const ConstVectorRef& coords);

  // The cache slot of type T (derived from PointCache), default-constructed on first use. The
  // caller checks and sets its `valid` flag.
  template <typename T>
  T& cache() const {
    const std::type_index key(typeid(T));
    for (auto& [type, slot] : caches_)
      if (type == key) return static_cast<T&>(*slot);
    caches_.emplace_back(key, std::make_unique<T>());
    return static_cast<T&>(*caches_.back().second);
  }

 private:
  Vector coords_;
  Eigen::Index rows_ = 0;
  Eigen::Index cols_ = 1;
  mutable std::vector<std::pair<std::type_index, std::unique_ptr<PointCache>>> caches_;
};

}  // namespace riemopt
