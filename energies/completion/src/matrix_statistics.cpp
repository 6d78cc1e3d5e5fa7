#include "riemopt/matrix_statistics.hpp"

#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

namespace {
void check_singular_values(const ConstVectorRef& s, const char* who) {
  for (Eigen::Index i = 0; i < s.size(); ++i)
    require(std::isfinite(s[i]) && s[i] >= 0.0, "{}: singular value {} is {}; expected >= 0", who,
            i, s[i]);
}
}  // namespace

double effective_rank(const ConstVectorRef& singular_values) {
  check_singular_values(singular_values, "effective_rank");
  const double total = singular_values.sum();
  if (total == 0.0) return 0.0;
  double entropy = 0.0;
  for (double s : singular_values) {
    const double p = s / total;
    if (p > 0.0) entropy -= p * std::log(p);
  }
  return std::exp(entropy);
}

double nuclear_norm(const ConstVectorRef& singular_values) {
  check_singular_values(singular_values, "nuclear_norm");
  return singular_values.sum();
}

double mean_squared_difference(const Eigen::Ref<const Matrix>& X,
                               const Eigen::Ref<const Matrix>& Y) {
  require(X.rows() == Y.rows() && X.cols() == Y.cols(),
          "mean_squared_difference: shapes {}x{} and {}x{} differ", X.rows(), X.cols(), Y.rows(),
          Y.cols());
  require(X.size() > 0, "mean_squared_difference: empty matrices");
  return (X - Y).squaredNorm() / static_cast<double>(X.size());
}

}  // namespace riemopt
