#include "riemopt/manifolds/chamber.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "riemopt/errors.hpp"

namespace riemopt {

Chamber::Chamber(Eigen::Index d) : d_(d) {
  require(d >= 1, "Chamber: width d must be >= 1 (got {})", d);
}

std::string Chamber::name() const { return fmt::format("chamber(d={})", d_); }

void Chamber::validate_point(const ConstVectorRef& x) const {
  Manifold::validate_point(x);
  for (Eigen::Index k = 0; k < d_; ++k)
    require(x[k] > 0.0, "{}: singular values must be > 0 (got sigma[{}] = {})", name(), k, x[k]);
  for (Eigen::Index k = 0; k + 1 < d_; ++k)
    require(x[k] >= x[k + 1],
            "{}: singular values must be in decreasing order (got sigma[{}] = {} < sigma[{}] = {})",
            name(), k, x[k], k + 1, x[k + 1]);
}

void Chamber::retract(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, d_, [&] { return name() + ": retraction step"; });
  out = x.coords().array() * (v.array() / x.coords().array()).exp();
  sort_decreasing(out);
}

void Chamber::inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const {
  require_size(y, d_, [&] { return name() + ": inverse retraction target"; });
  require((y.array() > 0.0).all(),
          "{}: the inverse retraction needs a target with positive entries (got min {})", name(),
          y.minCoeff());
  out = x.coords().array() * (y.array() / x.coords().array()).log();
}

Vector Chamber::random_point(Rng& rng) const {
  Vector x = (0.5 * gaussian_vector(d_, rng)).array().exp();
  sort_decreasing(x);
  return x;
}

bool Chamber::fold_into_domain(VectorRef x) const {
  if (x.size() != d_ || !x.allFinite()) return false;
  x = x.cwiseAbs();
  sort_decreasing(x);
  return x[d_ - 1] > 0.0;
}

void Chamber::sort_decreasing(VectorRef x) {
  std::sort(x.begin(), x.end(), std::greater<double>());
}

}  // namespace riemopt
