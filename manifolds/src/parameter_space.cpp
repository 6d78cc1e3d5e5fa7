#include "riemopt/manifolds/parameter_space.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

ParameterSpace::ParameterSpace(std::vector<Eigen::Index> widths) : widths_(std::move(widths)) {
  require(widths_.size() >= 2,
          "ParameterSpace: need the widths d_0, ..., d_N of at least one factor (got {} widths)",
          widths_.size());
  offsets_.reserve(widths_.size());
  offsets_.push_back(0);
  for (std::size_t p = 1; p < widths_.size(); ++p) {
    require(widths_[p - 1] >= 1 && widths_[p] >= 1,
            "ParameterSpace: every width must be at least 1 (got {})", fmt::join(widths_, ", "));
    offsets_.push_back(offsets_.back() + widths_[p] * widths_[p - 1]);
  }
}

ParameterSpace ParameterSpace::square(Eigen::Index d, int depth) {
  require(depth >= 1, "ParameterSpace: depth must be at least 1 (got {})", depth);
  require(d >= 1, "ParameterSpace: width must be at least 1 (got {})", d);
  return ParameterSpace(std::vector<Eigen::Index>(static_cast<std::size_t>(depth) + 1, d));
}

std::string ParameterSpace::name() const {
  return fmt::format("parameter space {}", fmt::join(widths_, "->"));
}

Eigen::Index ParameterSpace::offset(int p) const {
  require(p >= 1 && p <= depth(), "ParameterSpace: factor index {} is outside 1..{}", p, depth());
  return offsets_[static_cast<std::size_t>(p) - 1];
}

ConstMatrixMap ParameterSpace::factor(const ConstVectorRef& w, int p) const {
  require_size(w, ambient_size(), [&] { return name() + ": coordinates"; });
  return {w.data() + offset(p), width(p), width(p - 1)};
}

MatrixMap ParameterSpace::mutable_factor(VectorRef w, int p) const {
  require_size(w, ambient_size(), [&] { return name() + ": coordinates"; });
  return {w.data() + offset(p), width(p), width(p - 1)};
}

Vector ParameterSpace::random_point(Rng& rng) const {
  Vector w = gaussian_vector(ambient_size(), rng);
  for (int p = 1; p <= depth(); ++p)
    mutable_factor(w, p) /= std::sqrt(static_cast<double>(width(p - 1)));
  return w;
}

void ParameterSpace::check_coordinates(const ConstVectorRef& w, const char* caller) const {
  // The messages are formatted only on failure: this runs on every right-hand side of a flow.
  require_size(w, ambient_size(),
               [&] { return fmt::format("{}: factors on the {}", caller, name()); });
  if (!all_finite(w)) require_finite(w, fmt::format("{}: factors", caller));
}

Geometry parameter_space_geometry(std::shared_ptr<const ParameterSpace> space) {
  require(space != nullptr, "parameter_space_geometry: null parameter space");
  return {std::move(space), std::make_shared<EuclideanMetric>()};
}

}  // namespace riemopt
