#include "riemopt/energies/squared_moment_map.hpp"

#include <vector>

#include "riemopt/errors.hpp"
#include "riemopt/manifolds/balanced_factors.hpp"

namespace riemopt {

SquaredMomentMap::SquaredMomentMap(std::shared_ptr<const ParameterSpace> space)
    : space_(std::move(space)) {
  require(space_ != nullptr, "SquaredMomentMap: null parameter space");
}

double SquaredMomentMap::value(const Point& x) const {
  check_point_size(x);
  double sum = 0.0;
  for (const Matrix& mu : imbalance(*space_, x.coords())) sum += mu.squaredNorm();
  return 0.5 * sum;
}

void SquaredMomentMap::add_gradient(const Point& x, double weight, VectorRef out) const {
  value_and_add_gradient(x, weight, out);
}

double SquaredMomentMap::value_and_add_gradient(const Point& x, double weight,
                                                VectorRef out) const {
  check_point_size(x);
  require_size(out, ambient_size(), "SquaredMomentMap: gradient");
  const ParameterSpace& s = *space_;
  const std::vector<Matrix> mu = imbalance(s, x.coords());  // mu[p − 1] = μ_p, p = 1..N−1
  double sum = 0.0;
  for (const Matrix& m : mu) sum += m.squaredNorm();
  const int n = s.depth();
  for (int p = 1; p <= n; ++p) {
    const ConstMatrixMap w = s.factor(x.coords(), p);
    MatrixMap g = s.mutable_factor(out, p);
    if (p > 1) g.noalias() += (2.0 * weight) * (w * mu[static_cast<std::size_t>(p) - 2]);
    if (p < n) g.noalias() -= (2.0 * weight) * (mu[static_cast<std::size_t>(p) - 1] * w);
  }
  return 0.5 * sum;
}

}  // namespace riemopt
