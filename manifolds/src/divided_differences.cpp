#include "riemopt/divided_differences.hpp"

#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {
namespace {

// h for a >= b >= 0 given log a and log b (log 0 = -inf), without argument checks.
double h_ordered(double a, double log_a, double log_b, Depth depth) {
  if (a == 0.0) return depth.is_infinite() || depth.value() > 1 ? 0.0 : 1.0;
  const double delta = log_a - log_b;  // >= 0, +inf when b == 0
  if (depth.is_infinite()) {
    if (delta == 0.0) return a * a;
    return a * a * (-std::expm1(-2.0 * delta)) / (2.0 * delta);
  }
  const int n = depth.value();
  if (n == 1) return 1.0;
  const double power = std::exp((2.0 - 2.0 / n) * log_a);
  if (delta == 0.0) return n * power;
  return power * (std::expm1(-2.0 * delta) / std::expm1(-2.0 * delta / n));
}

// Up to this depth the matrix form sums the polynomial (2(N−1) flops per pair).
constexpr int kPolynomialDepths = 16;

}  // namespace

double dln_divided_difference(double a, double b, Depth depth) {
  require(std::isfinite(a) && std::isfinite(b) && a >= 0.0 && b >= 0.0,
          "dln_divided_difference: arguments must be finite and >= 0 (got a = {}, b = {})", a, b);
  if (a < b) std::swap(a, b);
  return h_ordered(a, std::log(a), std::log(b), depth);
}

void dln_divided_difference_matrix(const ConstVectorRef& sigma, Depth depth, Matrix& H) {
  const Eigen::Index k = sigma.size();
  for (Eigen::Index i = 0; i < k; ++i)
    require(std::isfinite(sigma[i]) && sigma[i] >= 0.0,
            "dln_divided_difference_matrix: sigma[{}] = {} must be finite and >= 0", i, sigma[i]);
  H.resize(k, k);
  if (!depth.is_infinite() && depth.value() <= kPolynomialDepths) {
    // The sum of N positive monomials in s = σ^{2/N}, by Horner's rule in s_a:
    //   h = s_a^{N−1} + s_a^{N−2} s_b + … + s_b^{N−1}.
    // Nothing cancels, so it is as accurate as the expm1 form, and it needs one power per σ
    // instead of three transcendental functions per pair (this runs once per flow RHS).
    const int n = depth.value();
    // Scalar std::pow per entry: a vectorized pow may differ by an ulp between the packets and
    // the tail of a vector, which would split exactly equal singular values.
    thread_local Vector s;
    s.resize(k);
    for (Eigen::Index i = 0; i < k; ++i) s[i] = std::pow(sigma[i], 2.0 / n);
    for (Eigen::Index j = 0; j < k; ++j) {
      for (Eigen::Index i = j; i < k; ++i) {
        const bool i_larger = sigma[i] >= sigma[j];
        const double sa = s[i_larger ? i : j], sb = s[i_larger ? j : i];
        double sum = 1.0, sb_power = 1.0;
        for (int m = 1; m < n; ++m) {
          sb_power *= sb;
          sum = sum * sa + sb_power;
        }
        H(i, j) = sum;
        H(j, i) = sum;
      }
    }
    return;
  }
  // log(sigma) once per entry; the difference of two logs is as accurate as log(a/b) for the
  // purpose of h (an absolute error ~1e-16 in δ is a relative error ~1e-16 in h).
  thread_local Vector logs;
  logs = sigma.array().log();
  for (Eigen::Index j = 0; j < k; ++j) {
    for (Eigen::Index i = j; i < k; ++i) {
      const bool i_larger = sigma[i] >= sigma[j];
      const Eigen::Index hi = i_larger ? i : j;
      const Eigen::Index lo = i_larger ? j : i;
      const double h = h_ordered(sigma[hi], logs[hi], logs[lo], depth);
      H(i, j) = h;
      H(j, i) = h;
    }
  }
}

}  // namespace riemopt
