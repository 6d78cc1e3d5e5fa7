#include "riemopt/derivative_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "riemopt/errors.hpp"

namespace riemopt {
namespace {

std::vector<double> default_steps() {
  std::vector<double> steps;
  for (int k = 0; k <= 32; ++k) steps.push_back(std::pow(10.0, -0.25 * k));  // 1 .. 1e-8
  return steps;
}

// Least-squares slope of ly against lx over [begin, begin + count).
double slope(const std::vector<double>& lx, const std::vector<double>& ly, std::size_t begin,
             std::size_t count) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = begin; i < begin + count; ++i) {
    sx += lx[i];
    sy += ly[i];
    sxx += lx[i] * lx[i];
    sxy += lx[i] * ly[i];
  }
  const double n = static_cast<double>(count);
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

// Fits the slope on the smallest-step decade (5 consecutive steps) whose remainders stay 1000×
// above the rounding floor. Small steps matter: a slightly wrong gradient adds an O(t) term that
// only dominates the correct O(t²) remainder once t is small, so a window at large t could
// hide it.
void fit(DerivativeCheck& check, double noise_floor) {
  constexpr std::size_t kWindow = 5;
  std::vector<double> lx, ly;
  bool contiguous = true;
  for (std::size_t i = 1; i < check.steps.size() && contiguous; ++i) {
    const double r = check.remainders[i];
    if (!(r > 1000.0 * noise_floor)) {
      contiguous = lx.empty();
      continue;
    }
    lx.push_back(std::log10(check.steps[i]));
    ly.push_back(std::log10(r));
  }
  check.fitted_points = static_cast<int>(std::min(lx.size(), kWindow));
  const double largest = *std::max_element(check.remainders.begin(), check.remainders.end());
  if (largest <= 1000.0 * noise_floor) {  // exact to rounding along the whole range
    check.fitted_slope = std::numeric_limits<double>::quiet_NaN();
    check.passed = true;
    return;
  }
  // A remainder that falls from well above rounding to rounding within one step (more than
  // three decades over a quarter decade of t, which no remainder of order below 12 can do) and
  // stays there: the derivative is exact below that step, and the larger steps cross a kink of
  // a piecewise-polynomial energy (Huber, hinge). A wrong derivative leaves an O(t) or O(t²)
  // remainder that decays smoothly instead, and fails on its slope.
  const auto at_rounding = [&](std::size_t i) {
    return check.remainders[i] <= 1000.0 * noise_floor;
  };
  for (std::size_t i = 1; i < check.steps.size(); ++i) {
    if (!(at_rounding(i) && check.remainders[i - 1] >= 1e6 * noise_floor)) continue;
    bool rest_at_rounding = true;
    for (std::size_t k = i; k < check.steps.size(); ++k) rest_at_rounding &= at_rounding(k);
    if (!rest_at_rounding) break;
    check.fitted_slope = std::numeric_limits<double>::quiet_NaN();
    check.exact_to_rounding_below = check.steps[i];
    check.passed = true;
    return;
  }
  if (lx.size() < kWindow) {
    check.fitted_slope = std::numeric_limits<double>::quiet_NaN();
    check.passed = false;
    return;
  }
  check.fitted_slope = slope(lx, ly, lx.size() - kWindow, kWindow);
  check.passed = std::abs(check.fitted_slope - check.expected_slope) <= 0.1;
}

}  // namespace

std::string DerivativeCheck::report() const {
  std::string r =
      exact_to_rounding_below > 0.0
          ? fmt::format(
                "{} check: exact to rounding for t <= {:.2e} (larger steps cross a kink "
                "of a piecewise-polynomial energy): PASSED\n",
                kind, exact_to_rounding_below)
          : fmt::format("{} check: slope {:.3f} (expected {:.0f}) over {} points: {}\n", kind,
                        fitted_slope, expected_slope, fitted_points, passed ? "PASSED" : "FAILED");
  r += "        t      remainder\n";
  for (std::size_t i = 0; i < steps.size(); i += 4)
    r += fmt::format("  {:9.2e}  {:12.4e}\n", steps[i], remainders[i]);
  return r;
}

DerivativeCheck check_gradient(const Problem& problem, const Point& x, const Vector& v) {
  require_size(v, x.size(), "check_gradient: direction");
  require(v.allFinite() && v.norm() > 0.0, "check_gradient: direction must be finite and nonzero");
  Problem::Evaluation e;
  problem.evaluate(x, e);
  // On an embedded manifold or a quotient the direction is first made tangent (horizontal): the
  // retraction only sees its tangent part, and so must the predicted slope.
  Vector tangent(v.size());
  problem.manifold().project(x, v, tangent);
  require(tangent.norm() > 0.0,
          "check_gradient: the direction has no tangent part at this point of '{}'",
          problem.manifold().name());
  const double slope0 = e.euclidean_gradient.dot(tangent);  // = ⟨grad E, v⟩_g for tangent v
  DerivativeCheck check;
  check.kind = "gradient";
  check.expected_slope = 2.0;
  check.steps = default_steps();
  Vector y(x.size());
  Point py = x;
  for (double t : check.steps) {
    problem.manifold().retract(x, t * tangent, y);
    py.assign(y);
    check.remainders.push_back(std::abs(problem.value(py) - e.value - t * slope0));
  }
  fit(check, std::numeric_limits<double>::epsilon() * (std::abs(e.value) + 1e-300));
  return check;
}

DerivativeCheck check_hessian(const Energy& energy, const Point& x, const Vector& v) {
  require_size(v, x.size(), "check_hessian: direction");
  require(v.allFinite() && v.norm() > 0.0, "check_hessian: direction must be finite and nonzero");
  const double e0 = energy.value(x);
  const double g = energy.gradient(x).dot(v);
  const double h = energy.hessian_vector(x, v).dot(v);
  DerivativeCheck check;
  check.kind = "hessian";
  check.expected_slope = 3.0;
  check.steps = default_steps();
  Point py = x;
  for (double t : check.steps) {
    py.assign(x.coords() + t * v);
    check.remainders.push_back(std::abs(energy.value(py) - e0 - t * g - 0.5 * t * t * h));
  }
  fit(check, std::numeric_limits<double>::epsilon() * (std::abs(e0) + 1e-300));
  return check;
}

}  // namespace riemopt
