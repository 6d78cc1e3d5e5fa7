#include "riemopt/energies/spectral_equilibrium.hpp"

#include <fmt/format.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <limits>

#include "riemopt/errors.hpp"

namespace riemopt {

double hypergeometric_2f1_1_a_1pa(double a, double z) {
  require(std::isfinite(a) && a > 0.0, "hypergeometric_2f1_1_a_1pa: a must be > 0 (got {})", a);
  require(z >= 0.0 && z < 1.0, "hypergeometric_2f1_1_a_1pa: z must be in [0, 1) (got {})", z);
  if (z <= 0.9) return boost::math::hypergeometric_pFq({1.0, a}, {1.0 + a}, z);
  // F(1, a; 1+a; z) = a Σ_n (a)_n/n! [ψ(n+1) − ψ(a+n) − log(1−z)] (1−z)^n, converging like
  // 0.1^n here.
  const double w = 1.0 - z, log_w = std::log1p(-z);
  double sum = 0.0, coefficient = 1.0, w_power = 1.0;  // (a)_n/n!, w^n
  for (int n = 0; n < 200; ++n) {
    const double term = coefficient * w_power *
                        (boost::math::digamma(n + 1.0) - boost::math::digamma(a + n) - log_w);
    sum += term;
    if (std::abs(term) <= 1e-17 * std::abs(sum)) break;
    coefficient *= (a + n) / (n + 1.0);
    w_power *= w;
  }
  return a * sum;
}

SpectralEquilibrium::SpectralEquilibrium(Eigen::Index d, Depth depth, double beta, ScalarFn df,
                                         ScalarFn d2f)
    : d_(d), depth_(depth), beta_(beta), df_(std::move(df)), d2f_(std::move(d2f)) {
  require(d >= 2,
          "SpectralEquilibrium: width d must be >= 2 (got {}); for d = 1 the entropy "
          "is constant and there is no entropic equilibrium",
          d);
  require(depth.is_infinite() || depth.value() >= 2,
          "SpectralEquilibrium: depth must be >= 2 or inf (got {}); at N = 1 the entropy is "
          "constant",
          depth.to_string());
  require(std::isfinite(beta) && beta > 0.0,
          "SpectralEquilibrium: beta must be finite and > 0 (got {})", beta);
  require(static_cast<bool>(df_) && static_cast<bool>(d2f_),
          "SpectralEquilibrium: f' and f'' are required");
  const double dm1 = static_cast<double>(d - 1);
  if (depth.is_infinite()) {
    c_ = dm1 / (2.0 * beta);
  } else {
    const double n = depth.as_double();
    c_ = dm1 * (n - 1.0) / (2.0 * n * beta);
  }
  // s f'(s) is nondecreasing for convex nondecreasing f: bracket the root geometrically.
  auto residual = [this](double s) { return s * df_(s) - c_; };
  double lo = 1.0, hi = 1.0;
  if (residual(1.0) > 0.0) {
    while (lo > 1e-300 && residual(lo) > 0.0) lo *= 0.5;
  } else {
    while (hi < 1e300 && residual(hi) < 0.0) hi *= 2.0;
  }
  require(residual(lo) <= 0.0 && residual(hi) >= 0.0 && std::isfinite(residual(hi)),
          "SpectralEquilibrium: s f'(s) = {} has no positive root (is f nondecreasing and "
          "convex?)",
          c_);
  if (residual(lo) == 0.0 || residual(hi) == 0.0) {
    s_star_ = residual(lo) == 0.0 ? lo : hi;
    return;
  }
  if (residual(1.0) > 0.0)
    hi = 2.0 * lo;
  else
    lo = 0.5 * hi;
  std::uintmax_t iterations = 200;
  const auto root = boost::math::tools::toms748_solve(
      residual, lo, hi, boost::math::tools::eps_tolerance<double>(52), iterations);
  s_star_ = 0.5 * (root.first + root.second);
}

SpectralEquilibrium SpectralEquilibrium::schatten(Eigen::Index d, Depth depth, double beta,
                                                  double p) {
  require(std::isfinite(p) && p > 0.0,
          "SpectralEquilibrium::schatten: p must be finite and > 0 "
          "(got {})",
          p);
  SpectralEquilibrium eq(
      d, depth, beta, [p](double s) { return std::pow(s, p - 1.0); },
      [p](double s) { return (p - 1.0) * std::pow(s, p - 2.0); });
  eq.schatten_p_ = p;
  eq.s_star_ = std::pow(eq.c_, 1.0 / p);  // exact closed form
  return eq;
}

double SpectralEquilibrium::weight(double s) const {
  if (depth_.is_infinite()) return s * s;
  const double n = depth_.as_double();
  return n * std::pow(s, 2.0 - 2.0 / n);
}

double SpectralEquilibrium::rate_uniform() const {
  const double s = s_star_;
  return -weight(s) * (d2f_(s) + df_(s) / s);
}

double SpectralEquilibrium::rate_relative() const {
  const double s = s_star_, dm1 = static_cast<double>(d_ - 1);
  double factor;
  if (depth_.is_infinite()) {
    factor = (2.0 * static_cast<double>(d_) - 3.0) / (3.0 * dm1);
  } else {
    const double n = depth_.as_double();
    factor = (dm1 * (2.0 * n - 1.0) - (n + 1.0)) / (3.0 * n * dm1);
  }
  return -weight(s) * (d2f_(s) + df_(s) * factor / s);
}

bool SpectralEquilibrium::closed_form_applies(double s) const {
  if (schatten_p_ <= 0.0) return false;
  if (depth_.is_infinite() || s < s_star_) return true;
  return 1.0 - 2.0 / (depth_.as_double() * schatten_p_) > 0.0;  // b > 0 on the upper branch
}

double SpectralEquilibrium::psi(double s) const {
  const double p = schatten_p_, sp = std::pow(s, p);
  if (depth_.is_infinite()) return std::log(sp / std::abs(c_ - sp)) / (p * c_);
  const double n = depth_.as_double();
  if (s < s_star_) {
    const double a = 2.0 / (n * p);
    return std::pow(s, 2.0 / n) / (2.0 * c_) * hypergeometric_2f1_1_a_1pa(a, sp / c_);
  }
  const double b = 1.0 - 2.0 / (n * p);
  return std::pow(s, 2.0 / n - p) / (n * (p - 2.0 / n)) * hypergeometric_2f1_1_a_1pa(b, c_ / sp);
}

void SpectralEquilibrium::require_on_path(double s0, double s1) const {
  require(std::isfinite(s0) && s0 > 0.0 && std::isfinite(s1) && s1 > 0.0,
          "SpectralEquilibrium: s0 and s1 must be finite and > 0 (got {}, {})", s0, s1);
  const bool on_path = s0 == s1 || (s0 < s1 && s1 < s_star_) || (s_star_ < s1 && s1 < s0);
  require(on_path,
          "SpectralEquilibrium: the diagonal flow from s0 = {} moves monotonically toward s* = {} "
          "and never reaches s1 = {}",
          s0, s_star_, s1);
}

double SpectralEquilibrium::diagonal_time(double s0, double s1) const {
  require_on_path(s0, s1);
  if (s0 == s1) return 0.0;
  if (closed_form_applies(s0)) return psi(s1) - psi(s0);
  return diagonal_time_by_quadrature(s0, s1);
}

double SpectralEquilibrium::diagonal_time_by_quadrature(double s0, double s1) const {
  require_on_path(s0, s1);
  if (s0 == s1) return 0.0;
  // dt/ds = 1/(w(s)(c/s − f'(s))); with s = s* + σ e^v (σ = sign(s0 − s*)) the integrand of
  // dt = (s − s*) dt/ds dv is smooth up to s*, where it tends to 1/λ_∥.
  const double sign = s0 > s_star_ ? 1.0 : -1.0;
  auto integrand = [&](double v) {
    const double s = s_star_ + sign * std::exp(v);
    return (s - s_star_) / (weight(s) * (c_ / s - df_(s)));
  };
  const double v0 = std::log(std::abs(s0 - s_star_)), v1 = std::log(std::abs(s1 - s_star_));
  return boost::math::quadrature::gauss_kronrod<double, 61>::integrate(integrand, v0, v1, 15,
                                                                       1e-14);
}

double SpectralEquilibrium::diagonal_solution(double s0, double t) const {
  require(std::isfinite(s0) && s0 > 0.0, "SpectralEquilibrium: s0 must be finite and > 0 (got {})",
          s0);
  require(std::isfinite(t) && t >= 0.0, "SpectralEquilibrium: t must be finite and >= 0 (got {})",
          t);
  if (t == 0.0 || s0 == s_star_) return s0;
  // Solve time(s) = t for s between s0 and s* (time is monotone in s there).
  const double eps = std::numeric_limits<double>::epsilon();
  const double near_star = s0 < s_star_ ? s_star_ * (1.0 - 4.0 * eps) : s_star_ * (1.0 + 4.0 * eps);
  if (std::abs(s0 - s_star_) <= 4.0 * eps * s_star_) return s0;
  auto residual = [&](double s) { return s == s0 ? -t : diagonal_time(s0, s) - t; };
  if (residual(near_star) <= 0.0) return s_star_;
  std::uintmax_t iterations = 200;
  double lo = std::min(s0, near_star), hi = std::max(s0, near_star);
  const auto root = boost::math::tools::toms748_solve(
      residual, lo, hi, boost::math::tools::eps_tolerance<double>(50), iterations);
  return 0.5 * (root.first + root.second);
}

}  // namespace riemopt
