#include "riemopt/point.hpp"

#include <atomic>
#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

std::uint64_t new_cache_owner() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

Point::Point(Vector coords, Eigen::Index rows, Eigen::Index cols)
    : coords_(std::move(coords)), rows_(rows), cols_(cols) {
  require(rows >= 1 && cols >= 1, "Point: shape must be positive (got {}x{})", rows, cols);
  require(coords_.size() == rows * cols,
          "Point: {} coordinates do not fill a {}x{} matrix (expected {})", coords_.size(), rows,
          cols, rows * cols);
}

Point::Point(Vector coords) : coords_(std::move(coords)), rows_(coords_.size()), cols_(1) {}

Point::Point(const Point& other) : coords_(other.coords_), rows_(other.rows_), cols_(other.cols_) {
  caches_.reserve(other.caches_.size());
  for (const auto& [type, slot] : other.caches_) caches_.emplace_back(type, slot->clone());
}

Point& Point::operator=(const Point& other) {
  if (this == &other) return *this;
  coords_ = other.coords_;
  rows_ = other.rows_;
  cols_ = other.cols_;
  for (auto& entry : caches_) entry.second->valid = false;
  for (const auto& [type, slot] : other.caches_) {
    bool found = false;
    for (auto& entry : caches_) {
      if (entry.first != type) continue;
      entry.second->copy_from(*slot);  // reuses this point's storage
      found = true;
      break;
    }
    if (!found) caches_.emplace_back(type, slot->clone());
  }
  return *this;
}

void Point::assign(const ConstVectorRef& coords) {
  require(coords.size() == coords_.size(), "Point::assign: got {} coordinates, expected {}",
          coords.size(), coords_.size());
  coords_ = coords;
  for (auto& entry : caches_) entry.second->valid = false;
}

bool Point::assign_checking_finite(const ConstVectorRef& coords) {
  require(coords.size() == coords_.size(),
          "Point::assign_checking_finite: got {} coordinates, expected {}", coords.size(),
          coords_.size());
  // x·0 is 0 for finite x and NaN for ±inf and NaN; eight partial sums keep the adds independent.
  constexpr Eigen::Index kLanes = 8;
  const double* from = coords.data();
  double* to = coords_.data();
  const Eigen::Index n = coords_.size();
  double partial[kLanes] = {};
  Eigen::Index i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (Eigen::Index k = 0; k < kLanes; ++k) {
      to[i + k] = from[i + k];
      partial[k] += from[i + k] * 0.0;
    }
  double total = 0.0;
  for (; i < n; ++i) {
    to[i] = from[i];
    total += from[i] * 0.0;
  }
  for (const double p : partial) total += p;
  for (auto& entry : caches_) entry.second->valid = false;
  return !std::isnan(total);
}

}  // namespace riemopt
