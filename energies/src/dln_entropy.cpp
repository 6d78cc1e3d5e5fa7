#include "riemopt/energies/dln_entropy.hpp"

#include <fmt/format.h>

#include <array>
#include <boost/math/special_functions/zeta.hpp>
#include <cmath>
#include <limits>
#include <numbers>

#include "dense_product.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/svd.hpp"

namespace riemopt {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Taylor coefficients of coth x − 1/x = Σ_{n>=1} c_n x^{2n−1}, c_n = (−1)^{n+1} 2ζ(2n)/π^{2n}
// (= 2^{2n} B_{2n}/(2n)!). The series serves |x| < kSeriesCutoff, where the terms fall like
// (x/π)^{2n} <= (1/(2π))^{2n}: 13 of them reach 1e-21 (the second derivative's (2n−1)-weighted
// sum included); the closed forms take over from x = 1/2, where their cancellation costs at most
// a factor 13 (g'' at x = 1/2, N = 4), about 4 bits.
constexpr double kSeriesCutoff = 0.5;
constexpr int kSeriesTerms = 13;

const std::array<double, kSeriesTerms + 1>& coth_coefficients() {
  static const std::array<double, kSeriesTerms + 1> c = [] {
    std::array<double, kSeriesTerms + 1> out{};
    for (int n = 1; n <= kSeriesTerms; ++n) {
      const double sign = (n % 2 == 1) ? 1.0 : -1.0;
      out[n] = sign * 2.0 * boost::math::zeta(2.0 * n) / std::pow(std::numbers::pi, 2.0 * n);
    }
    return out;
  }();
  return c;
}

// 1/sinh²x for x > 0 without overflow: 4e^{−2x}/(1 − e^{−2x})².
double csch_squared(double x) {
  const double e = std::exp(-2.0 * x);
  const double denominator = -std::expm1(-2.0 * x);
  return 4.0 * e / (denominator * denominator);
}

// The pair function of the entropy in log coordinates (see the header):
//   log h(σ_i, σ_j) = κ (u_i + u_j) + g(u_i − u_j).
// The entropy's derivatives need κ + g'(δ) and g''(δ) − κ − g'(δ). For |δ| < 1/2 they come from the
// Taylor series of g; beyond, from closed forms in y = e^{−2|δ|/N}, z = e^{−2|δ|} arranged so that
// nothing cancels when one singular value is many decades below another (there κ + g'(−|δ|) is
// exponentially small next to κ):
//   r(x) := κ − g'(x) = 2y/(N(1−y)) − 2z/(1−z)                  (∞: 1/x − 2z/(1−z)),
//   g''(x)            = 4y/(N²(1−y)²) − 4z/(1−z)²                (∞: 1/x² − 4z/(1−z)²),
//   g''(x) − r(x)     = 2y((2−N) + Ny)/(N²(1−y)²) − 2z(1+z)/(1−z)²  (∞: (1−x)/x² − ...),
//   g(x) − κx         = log1p(−z) − log1p(−y)                    (∞: log1p(−z) − log 2 − log x).
class PairFunction {
 public:
  explicit PairFunction(Depth depth)
      : infinite_(depth.is_infinite()),
        n_(infinite_ ? 0.0 : depth.as_double()),
        kappa_(infinite_ ? 1.0 : 1.0 - 1.0 / n_) {
    // The series' coefficients for this depth, once: a_n = c_n (1 − N^{−2n}), and a_n/(2n),
    // a_n (2n−1) for the value and the second derivative; the sums are then polynomials in x².
    const auto& c = coth_coefficients();
    const double inv_n2 = infinite_ ? 0.0 : 1.0 / (n_ * n_);
    double n_power = 1.0;  // N^{−2n}
    for (int n = 1; n <= kSeriesTerms; ++n) {
      n_power *= inv_n2;
      const double a = c[n] * (1.0 - n_power);
      first_coefficients_[n] = a;
      value_coefficients_[n] = a / (2.0 * n);
      second_coefficients_[n] = a * (2.0 * n - 1.0);
    }
  }

  // log h(e^{ua}, e^{ub}).
  double log_h(double ua, double ub) const {
    const double hi = std::max(ua, ub), x = std::abs(ua - ub);
    if (x < kSeriesCutoff) return kappa_ * (ua + ub) + g0() + series(x, Kind::kValue);
    // One logarithm of a quotient of two accurate factors: absolute error of a few ulps of 1.
    const double one_minus_z = 1.0 - std::exp(-2.0 * x);  // >= 1 − e^{−1}: no cancellation
    if (infinite_) return 2.0 * hi - std::numbers::ln2 + std::log(one_minus_z / x);
    double y = 0.0, one_minus_y = 0.0;
    y_parts(x, y, one_minus_y);
    return 2.0 * kappa_ * hi + std::log(one_minus_z / one_minus_y);
  }
  // κ + g'(δ): the pair's share of σ_k ∂S/∂σ_k (times 2), δ = u_k − u_j.
  double first(double delta) const {
    const double x = std::abs(delta);
    if (x < kSeriesCutoff) return kappa_ + (delta < 0.0 ? -1.0 : 1.0) * series(x, Kind::kFirst);
    return delta > 0.0 ? 2.0 * kappa_ - r(x) : r(x);
  }
  // first(δ) and first(−δ) from one evaluation of the series or of r: bit for bit what two calls
  // of first() return, at half the cost.
  void first_both(double delta, double& at_delta, double& at_minus) const {
    const double x = std::abs(delta);
    if (x < kSeriesCutoff) {
      const double s = series(x, Kind::kFirst);
      at_delta = kappa_ + (delta < 0.0 ? -1.0 : 1.0) * s;
      at_minus = kappa_ + (-delta < 0.0 ? -1.0 : 1.0) * s;
      return;
    }
    const double rx = r(x);
    at_delta = delta > 0.0 ? 2.0 * kappa_ - rx : rx;
    at_minus = -delta > 0.0 ? 2.0 * kappa_ - rx : rx;
  }
  // log h(e^{ua}, e^{ub}) = additive + log(factor), first(ua − ub) and first(ub − ua) from one
  // evaluation of the series (both sums at once) or of the exponentials: the value and the
  // gradient of the entropy in one pass over the pairs. The logarithm is left to the caller
  // (factor = 1 on the series branch), which multiplies the factors and takes one logarithm of
  // their product instead of one per pair.
  void value_parts_and_first_both(double ua, double ub, double& additive, double& factor,
                                  double& at_delta, double& at_minus) const {
    const double delta = ua - ub, x = std::abs(delta), hi = std::max(ua, ub);
    if (x < kSeriesCutoff) {
      const double x2 = x * x;
      const double value_sum = polynomial(value_coefficients_, x2);
      const double first_sum = polynomial(first_coefficients_, x2);
      additive = kappa_ * (ua + ub) + g0() + value_sum * x2;
      factor = 1.0;
      const double s = first_sum * x;
      at_delta = kappa_ + (delta < 0.0 ? -1.0 : 1.0) * s;
      at_minus = kappa_ + (-delta < 0.0 ? -1.0 : 1.0) * s;
      return;
    }
    const double z = std::exp(-2.0 * x), one_minus_z = 1.0 - z;  // z <= e^{-1}: no cancellation
    double rx = 0.0;
    if (infinite_) {  // as log_h()
      additive = 2.0 * hi - std::numbers::ln2;
      factor = one_minus_z / x;
      rx = 1.0 / x - 2.0 * z / one_minus_z;
    } else {
      double y = 0.0, one_minus_y = 0.0;
      y_parts(x, y, one_minus_y);
      additive = 2.0 * kappa_ * hi;
      factor = one_minus_z / one_minus_y;
      rx = 2.0 * y / (n_ * one_minus_y) - 2.0 * z / one_minus_z;
    }
    at_delta = delta > 0.0 ? 2.0 * kappa_ - rx : rx;
    at_minus = -delta > 0.0 ? 2.0 * kappa_ - rx : rx;
  }

  // g''(δ).
  double second(double delta) const {
    const double x = std::abs(delta);
    if (x < kSeriesCutoff) return series(x, Kind::kSecond);
    const double z = std::exp(-2.0 * x), one_minus_z = -std::expm1(-2.0 * x);
    const double z_part = 4.0 * z / (one_minus_z * one_minus_z);
    if (infinite_) return 1.0 / (x * x) - z_part;
    return csch_squared(x / n_) / (n_ * n_) - z_part;
  }
  // g''(δ) − κ − g'(δ).
  double second_minus_first(double delta) const {
    const double x = std::abs(delta);
    if (x < kSeriesCutoff || delta > 0.0) return second(delta) - first(delta);
    const double z = std::exp(-2.0 * x), one_minus_z = -std::expm1(-2.0 * x);
    const double z_part = 2.0 * z * (1.0 + z) / (one_minus_z * one_minus_z);
    if (infinite_) return (1.0 - x) / (x * x) - z_part;
    const double y = std::exp(-2.0 * x / n_), one_minus_y = -std::expm1(-2.0 * x / n_);
    return 2.0 * y * ((2.0 - n_) + n_ * y) / (n_ * n_ * one_minus_y * one_minus_y) - z_part;
  }

 private:
  enum class Kind { kValue, kFirst, kSecond };

  double g0() const { return infinite_ ? 0.0 : std::log(n_); }

  // y = e^{−2x/N} and 1 − y, each to full relative accuracy from one exponential: exp when
  // y < e^{−1/2} (then 1 − y > 0.39 has no cancellation), expm1 above (then y = 1 + expm1 > 0.6).
  void y_parts(double x, double& y, double& one_minus_y) const {
    const double t = 2.0 * x / n_;
    if (t > 0.5) {
      y = std::exp(-t);
      one_minus_y = 1.0 - y;
    } else {
      const double e = std::expm1(-t);
      y = 1.0 + e;
      one_minus_y = -e;
    }
  }

  // r(x) = κ − g'(x) for x >= 1/2: two exponentials (z = e^{−2x} <= e^{−1}, so 1 − z is exact
  // enough without expm1).
  double r(double x) const {
    const double z = std::exp(-2.0 * x);
    const double z_part = 2.0 * z / (1.0 - z);
    if (infinite_) return 1.0 / x - z_part;
    double y = 0.0, one_minus_y = 0.0;
    y_parts(x, y, one_minus_y);
    return 2.0 * y / (n_ * one_minus_y) - z_part;
  }

  // Σ_n c_n (1 − N^{−2n}) · {x^{2n}/(2n), x^{2n−1}, (2n−1) x^{2n−2}} for 0 <= x < 1/2, by Horner's
  // rule in x² on the coefficients of this depth (the terms fall like (x/π)^{2n}).
  double series(double x, Kind kind) const {
    const auto& a = kind == Kind::kValue   ? value_coefficients_
                    : kind == Kind::kFirst ? first_coefficients_
                                           : second_coefficients_;
    const double sum = polynomial(a, x * x);  // Σ_n a_n x^{2n−2}
    switch (kind) {
      case Kind::kValue:
        return sum * (x * x);
      case Kind::kFirst:
        return sum * x;
      case Kind::kSecond:
        return sum;
    }
    return sum;
  }

  using Coefficients = std::array<double, kSeriesTerms + 1>;

  // Σ_{n>=1} a_n y^{n−1}, as its even and odd parts in y², each by Horner's rule: two
  // independent chains of half the length (the latency of one long chain is what the pair loop
  // waits on).
  static double polynomial(const Coefficients& a, double y) {
    const double y2 = y * y;
    double even = 0.0, odd = 0.0;  // Σ a_{2m+1} y^{2m} and Σ a_{2m+2} y^{2m}
    for (int n = kSeriesTerms % 2 == 1 ? kSeriesTerms : kSeriesTerms - 1; n >= 1; n -= 2)
      even = even * y2 + a[n];
    for (int n = kSeriesTerms % 2 == 0 ? kSeriesTerms : kSeriesTerms - 1; n >= 2; n -= 2)
      odd = odd * y2 + a[n];
    return even + y * odd;
  }

  bool infinite_;
  double n_;
  double kappa_;
  Coefficients value_coefficients_{}, first_coefficients_{}, second_coefficients_{};
};

// u_k = log σ_k by the scalar std::log: Eigen's vectorized log can differ by an ulp from the
// scalar one used on the tail of a vector, which would split exactly equal singular values.
// The result lives in a buffer of this thread (no allocation per evaluation once sized).
const Vector& log_coordinates(const ConstVectorRef& sigma) {
  thread_local Vector u;
  u.resize(sigma.size());
  for (Eigen::Index k = 0; k < sigma.size(); ++k) u[k] = std::log(sigma[k]);
  return u;
}

// The pairs' shares of σ_k ∂S/∂σ_k (times 2), table(k, j) for the pair (k, j), in a buffer of
// this thread.
Matrix& pair_table(Eigen::Index d) {
  thread_local Matrix table;
  table.resize(d, d);
  return table;
}

// ∂S/∂σ_k = ½ Σ_{j≠k} table(k, j) / σ_k. Each row is summed in the same j order for every k, so
// exactly equal σ's get exactly equal derivatives (g'(0) = 0 exactly) and flows preserve exact
// collisions.
//
// At finite depth the share of the smaller σ_k of a pair far below σ_j is r(x) ≈ (2/N) e^{−2x/N},
// x = u_j − u_k, which underflows once 2x/N passes ~708 (a ratio σ_j/σ_k beyond e^{354 N}) while
// share/σ_k may still be a normal number (σ = (1e300, 1e-300) at N = 3: 3.3e-101). Past
// kDirectExponent such a pair's r(x)/σ_k is taken as one exponential, (2/N) e^{−2x/N − u_k},
// which underflows only if the true value does; the dropped terms are below e^{−600} relative.
constexpr double kDirectExponent = 600.0;

// The log-separation x past which a pair takes the direct path: 2x/N > kDirectExponent, except
// at N = 2, where the Hessian's diagonal term is of order y² = e^{−2x} (see dln_entropy_hessian):
// 2x > kDirectExponent. Never at infinite depth (n = 0 here), where nothing underflows early.
double direct_threshold(double n) {
  if (n == 0.0) return kInf;
  return (n == 2.0 ? 0.5 : 0.5 * n) * kDirectExponent;
}

void sum_pair_rows(const Matrix& table, const ConstVectorRef& sigma, const Vector& u, Depth depth,
                   VectorRef out) {
  const Eigen::Index d = sigma.size();
  const double n = depth.is_infinite() ? 0.0 : depth.as_double();
  const double threshold = direct_threshold(n);
  for (Eigen::Index k = 0; k < d; ++k) {
    double sum = 0.0, direct = 0.0;
    for (Eigen::Index j = 0; j < d; ++j) {
      if (j == k) continue;
      const double x = u[j] - u[k];
      if (x > threshold)
        direct += (2.0 / n) * std::exp(-2.0 * x / n - u[k]);
      else
        sum += table(k, j);
    }
    out[k] = 0.5 * (sum / sigma[k] + direct);
  }
}

bool is_constant_entropy(Eigen::Index d, Depth depth) {
  return d <= 1 || (!depth.is_infinite() && depth.value() == 1);
}

void require_nonnegative_finite(const ConstVectorRef& sigma, const char* caller) {
  for (Eigen::Index k = 0; k < sigma.size(); ++k)
    require(std::isfinite(sigma[k]) && sigma[k] >= 0.0,
            "{}: singular values must be finite and >= 0 (got sigma[{}] = {})", caller, k,
            sigma[k]);
}

void require_interior(const ConstVectorRef& sigma, const char* caller) {
  for (Eigen::Index k = 0; k < sigma.size(); ++k)
    require(std::isfinite(sigma[k]) && sigma[k] > 0.0,
            "{}: needs every singular value finite and > 0, since the entropy's derivatives are "
            "infinite on the boundary of the chamber (got sigma[{}] = {})",
            caller, k, sigma[k]);
}

}  // namespace

double dln_entropy(const ConstVectorRef& sigma, Depth depth) {
  require_nonnegative_finite(sigma, "dln_entropy");
  const Eigen::Index d = sigma.size();
  if (is_constant_entropy(d, depth)) return 0.0;
  const PairFunction pair(depth);
  Eigen::Index zeros = 0;
  for (Eigen::Index k = 0; k < d; ++k) zeros += sigma[k] == 0.0 ? 1 : 0;
  if (zeros >= 2 || (zeros == 1 && depth.is_infinite())) return -kInf;
  // log σ once per entry (the same std::log values the pairs used to take one by one).
  thread_local Vector logs;
  logs.resize(d);
  for (Eigen::Index k = 0; k < d; ++k) logs[k] = sigma[k] > 0.0 ? std::log(sigma[k]) : 0.0;
  double sum = 0.0;
  for (Eigen::Index i = 0; i < d; ++i) {
    for (Eigen::Index j = i + 1; j < d; ++j) {
      const double a = sigma[i], b = sigma[j];
      if (a == 0.0 || b == 0.0) {
        sum += (2.0 - 2.0 / depth.as_double()) * std::log(a + b);  // h_N(a, 0) = a^{2−2/N}
        continue;
      }
      sum += pair.log_h(logs[i], logs[j]);
    }
  }
  return 0.5 * sum;
}

void dln_entropy_gradient(const ConstVectorRef& sigma, Depth depth, VectorRef out) {
  require_interior(sigma, "dln_entropy_gradient");
  const Eigen::Index d = sigma.size();
  require_size(out, d, "dln_entropy_gradient: output");
  out.setZero();
  if (is_constant_entropy(d, depth)) return;
  const PairFunction pair(depth);
  const Vector& u = log_coordinates(sigma);
  // Each unordered pair is evaluated once (first(δ) and first(−δ) together).
  Matrix& table = pair_table(d);
  for (Eigen::Index j = 0; j < d; ++j)
    for (Eigen::Index k = j + 1; k < d; ++k) pair.first_both(u[k] - u[j], table(k, j), table(j, k));
  sum_pair_rows(table, sigma, u, depth, out);
}

double dln_entropy_and_gradient(const ConstVectorRef& sigma, Depth depth, VectorRef out) {
  require_interior(sigma, "dln_entropy_and_gradient");
  const Eigen::Index d = sigma.size();
  require_size(out, d, "dln_entropy_and_gradient: output");
  out.setZero();
  if (is_constant_entropy(d, depth)) return 0.0;
  const PairFunction pair(depth);
  const Vector& u = log_coordinates(sigma);
  Matrix& table = pair_table(d);
  // Σ log h = Σ additive + log Π factor. The product is renormalized (frexp) every 16 factors:
  // a factor lies in [4e-4, 2.2e9] ((1 − e^{−1})/x with x < 1500 at infinite depth, below
  // 1/(1 − e^{−1/N}) < N + 1 at depth N), so 16 of them neither overflow nor underflow. Its
  // rounding error, a few ulps per factor, costs no more than summing the logarithms did.
  double sum = 0.0, product = 1.0;
  int exponent = 0, pending = 0;
  for (Eigen::Index j = 0; j < d; ++j) {
    for (Eigen::Index k = j + 1; k < d; ++k) {
      double additive = 0.0, factor = 1.0;
      pair.value_parts_and_first_both(u[k], u[j], additive, factor, table(k, j), table(j, k));
      sum += additive;
      product *= factor;
      if (++pending == 16) {
        int e = 0;
        product = std::frexp(product, &e);
        exponent += e;
        pending = 0;
      }
    }
  }
  sum += std::log(product) + exponent * std::numbers::ln2;
  sum_pair_rows(table, sigma, u, depth, out);
  return 0.5 * sum;
}

void dln_entropy_hessian(const ConstVectorRef& sigma, Depth depth, Matrix& out) {
  require_interior(sigma, "dln_entropy_hessian");
  const Eigen::Index d = sigma.size();
  out.setZero(d, d);
  if (is_constant_entropy(d, depth)) return;
  const PairFunction pair(depth);
  const Vector& u = log_coordinates(sigma);
  // ∂²S/∂u_k∂u_l = −½ g''(u_k − u_l) (k ≠ l), ∂²S/∂u_k² = ½ Σ_j g''(u_k − u_j); then the chain
  // rule to σ: H = D⁻¹ (∂²S/∂u²) D⁻¹ − diag(∂S/∂u / σ²), D = diag(σ). As in sum_pair_rows, a
  // pair whose smaller σ_k lies more than kDirectExponent·N/2 in log below σ_j takes its terms as
  // single exponentials, which would otherwise underflow before the division by σ_k² brings them
  // back. With y = e^{−2x/N}: g''(x) ≈ (4/N²) y and g''(x) − κ + g'(x) ≈ (2/N)(2/N − 1) y, whose
  // leading term vanishes at N = 2; there (S_2 = ½ log(σ_k + σ_j)) it is −y² exactly to the
  // order kept.
  const double n = depth.is_infinite() ? 0.0 : depth.as_double();
  const double threshold = direct_threshold(n);
  for (Eigen::Index k = 0; k < d; ++k) {
    double diagonal = 0.0, direct = 0.0;
    for (Eigen::Index j = 0; j < d; ++j) {
      if (j == k) continue;
      const double delta = u[k] - u[j];
      const double x = std::abs(delta);
      if (x > threshold) {
        // The off-diagonal entry, from the same operands in the same order for (k, j) and
        // (j, k), so the matrix stays exactly symmetric.
        const double lo = std::min(u[k], u[j]), hi = std::max(u[k], u[j]);
        out(k, j) = -(2.0 / (n * n)) * std::exp(-2.0 * x / n - (lo + hi));
        if (delta < 0.0)  // σ_k is the smaller one
          direct += n == 2.0 ? -0.5 * std::exp(-2.0 * x - 2.0 * u[k])
                             : (1.0 / n) * (2.0 / n - 1.0) * std::exp(-2.0 * x / n - 2.0 * u[k]);
        else
          diagonal += pair.second_minus_first(delta);
        continue;
      }
      diagonal += pair.second_minus_first(delta);
      // σ_kσ_j may underflow: divide by the smaller first (g''/σ_small stays below g''/σ_k²), in
      // the same order for (k, j) and (j, k).
      out(k, j) =
          -0.5 * pair.second(delta) / std::min(sigma[k], sigma[j]) / std::max(sigma[k], sigma[j]);
    }
    out(k, k) = 0.5 * diagonal / sigma[k] / sigma[k] + direct;
  }
}

double dln_entropy_constant(Eigen::Index d, Depth depth) {
  require(d >= 1, "dln_entropy_constant: width d must be >= 1 (got {})", d);
  if (depth.is_infinite() || depth.value() == 1) return 0.0;
  // log c_d = log 2 + d(d−1)/4 · log 2 + Σ_{k=1}^{d−1} log(2π^{(k+1)/2}/Γ((k+1)/2)).
  const double dd = static_cast<double>(d);
  double log_cd = std::numbers::ln2 + dd * (dd - 1.0) / 4.0 * std::numbers::ln2;
  for (Eigen::Index k = 1; k < d; ++k) {
    const double half = 0.5 * static_cast<double>(k + 1);
    log_cd += std::numbers::ln2 + half * std::log(std::numbers::pi) - std::lgamma(half);
  }
  return (depth.as_double() - 1.0) * log_cd;
}

// ---- ChamberEntropy ---------------------------------------------------------------------------

ChamberEntropy::ChamberEntropy(Eigen::Index d, Depth depth) : d_(d), depth_(depth) {
  require(d >= 1, "ChamberEntropy: width d must be >= 1 (got {})", d);
}

std::string ChamberEntropy::name() const {
  return fmt::format("entropy(N={})", depth_.to_string());
}

double ChamberEntropy::value(const Point& x) const {
  check_point_size(x);
  return dln_entropy(x.coords(), depth_);
}

void ChamberEntropy::add_gradient(const Point& x, double weight, VectorRef out) const {
  check_point_size(x);
  require_size(out, d_, [&] { return name() + ": gradient output"; });
  Vector g(d_);
  dln_entropy_gradient(x.coords(), depth_, g);
  out += weight * g;
}

void ChamberEntropy::add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                                        VectorRef out) const {
  check_point_size(x);
  require_size(v, d_, [&] { return name() + ": direction"; });
  Matrix h;
  dln_entropy_hessian(x.coords(), depth_, h);
  out += weight * (h * v);
}

// ---- MatrixEntropy ----------------------------------------------------------------------------

namespace {

void require_square(const Point& x, const MatrixEntropy& entropy) {
  if (x.rows() != x.cols())  // the name only on failure: this runs on every evaluation
    throw InvalidArgument(
        fmt::format("{}: the DLN entropy is defined for square matrices only (got {}x{})",
                    entropy.name(), x.rows(), x.cols()));
}

// Singular values with the numerically zero ones (σ_k <= d·ε·σ_1) set to exactly 0, in a
// buffer of this thread (no allocation per evaluation once sized).
const Vector& cleaned_singular_values(const Vector& sigma) {
  thread_local Vector s;
  s = sigma;
  const double threshold =
      static_cast<double>(s.size()) * std::numeric_limits<double>::epsilon() * s.maxCoeff();
  for (double& v : s)
    if (v <= threshold) v = 0.0;
  return s;
}

}  // namespace

void MatrixEntropy::check_shape(Eigen::Index rows, Eigen::Index cols) const {
  require(rows == cols,
          "{}: the DLN entropy is defined for square matrices only, but the manifold's points "
          "are {}x{}",
          name(), rows, cols);
}

std::string MatrixEntropy::name() const { return fmt::format("entropy(N={})", depth_.to_string()); }

double MatrixEntropy::value(const Point& x) const {
  require_square(x, *this);
  if (is_constant_entropy(x.rows(), depth_)) return 0.0;
  return dln_entropy(cleaned_singular_values(svd_of(x).sigma), depth_);
}

void MatrixEntropy::add_gradient(const Point& x, double weight, VectorRef out) const {
  add_gradient_and_value(x, weight, out, /*with_value=*/false);
}

double MatrixEntropy::value_and_add_gradient(const Point& x, double weight, VectorRef out) const {
  return add_gradient_and_value(x, weight, out, /*with_value=*/true);
}

double MatrixEntropy::spectral_gradient(const Point& x, bool with_value, Vector& g) const {
  const Svd& svd = svd_of(x);
  const Vector& s = cleaned_singular_values(svd.sigma);
  if (s.minCoeff() <= 0.0)
    throw NumericalError(fmt::format(
        "{}: the gradient is infinite at a rank-deficient matrix (smallest singular value {:.3e}, "
        "largest {:.3e}); the entropy needs X of full rank",
        name(), svd.sigma.minCoeff(), svd.sigma.maxCoeff()));
  g.resize(s.size());
  if (with_value) return dln_entropy_and_gradient(s, depth_, g);
  dln_entropy_gradient(s, depth_, g);
  return 0.0;
}

double MatrixEntropy::add_gradient_and_value(const Point& x, double weight, VectorRef out,
                                             bool with_value) const {
  require_square(x, *this);
  require_size(out, x.size(), [&] { return name() + ": gradient output"; });
  const Eigen::Index d = x.rows();
  if (is_constant_entropy(d, depth_)) return 0.0;
  thread_local Vector g;
  thread_local Matrix scaled_u;
  const double value = spectral_gradient(x, with_value, g);
  const Svd& svd = svd_of(x);
  scaled_u.noalias() = svd.U * (weight * g).asDiagonal();
  MatrixMap G(out.data(), d, d);
  detail::dense_product(scaled_u, detail::Op::kNone, svd.V, detail::Op::kTranspose, G, 1.0, 1.0);
  return value;
}

double MatrixEntropy::value_and_add_split_gradient(const Point& x, double weight, VectorRef out,
                                                   VectorRef spectral) const {
  require_square(x, *this);
  require_size(out, x.size(), [&] { return name() + ": gradient output"; });
  require_size(spectral, x.rows(), [&] { return name() + ": spectral gradient output"; });
  if (is_constant_entropy(x.rows(), depth_)) return 0.0;
  thread_local Vector g;
  const double value = spectral_gradient(x, /*with_value=*/true, g);
  spectral += weight * g;
  return value;
}

}  // namespace riemopt
