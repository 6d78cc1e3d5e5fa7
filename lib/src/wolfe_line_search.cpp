#include "wolfe_line_search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "riemopt/errors.hpp"

namespace riemopt::detail {
namespace {

// The minimizer of the cubic that interpolates φ and φ' at a and b, kept inside [lo + 0.1w,
// hi − 0.1w] of the interval (w its width); the midpoint when the cubic has none there.
double cubic_minimizer(double a, double fa, double da, double b, double fb, double db) {
  const double lo = std::min(a, b), hi = std::max(a, b), w = hi - lo;
  const double d1 = da + db - 3.0 * (fa - fb) / (a - b);
  const double disc = d1 * d1 - da * db;
  double t = 0.5 * (lo + hi);
  if (disc >= 0.0 && std::isfinite(disc)) {
    const double d2 = std::copysign(std::sqrt(disc), b - a);
    const double denom = db - da + 2.0 * d2;
    if (denom != 0.0) {
      const double candidate = b - (b - a) * (db + d2 - d1) / denom;
      if (std::isfinite(candidate)) t = candidate;
    }
  }
  return std::clamp(t, lo + 0.1 * w, hi - 0.1 * w);
}

}  // namespace

void validate_line_search_options(double initial_step, double sufficient_decrease, double curvature,
                                  int max_line_search_evaluations) {
  require(std::isfinite(initial_step) && initial_step > 0.0,
          "options.initial_step must be finite and > 0 (got {})", initial_step);
  require(sufficient_decrease > 0.0 && sufficient_decrease < curvature && curvature < 1.0,
          "options: the Wolfe constants need 0 < sufficient_decrease < curvature < 1 (got {} and "
          "{})",
          sufficient_decrease, curvature);
  require(max_line_search_evaluations >= 2,
          "options.max_line_search_evaluations must be >= 2 (got {})", max_line_search_evaluations);
}

std::string WolfeLineSearch::failure_message() const {
  return fmt::format(
      "the Wolfe line search found no acceptable step along −grad E within {} "
      "evaluations",
      options_.max_evaluations);
}

double first_trial_step(const SolverDriver& run, double initial_step, double slope) {
  const double norm = std::max(run.evaluation().gradient_norm, std::numeric_limits<double>::min());
  if (run.summary().iterations == 0 || !(slope < 0.0)) return initial_step / norm;
  // The last step's length is the scale: never start more than 4 times beyond it.
  const double scale = run.last_step_size() > 0.0 ? run.last_step_size() : initial_step;
  const double cap = 4.0 * scale / norm;
  const double decrease = run.previous_value() - run.evaluation().value;
  const double alpha = 2.0 * decrease / -slope;
  return std::isfinite(alpha) && alpha > 0.0 ? std::min(alpha, cap) : scale / norm;
}

bool WolfeLineSearch::probe(SolverDriver& run, const Vector& eta, double alpha) {
  ++evaluations_;
  const Manifold& manifold = run.problem().manifold();
  y_.resize(eta.size());
  manifold.retract(run.point(), alpha * eta, y_);
  if (!run.evaluate_trial(y_)) return false;
  transported_.resize(eta.size());
  manifold.transport(run.point(), eta, run.trial(), transported_);
  value_ = run.trial_evaluation().value;
  // φ'(α) = ∇E(y)·c'(α), c(α) = R_x(αη), the chain rule in ambient coordinates. The curve's
  // velocity comes from a central difference of the retraction, which costs no evaluation of E
  // and is exact for a linear retraction (x + αη); a transported η would not do, as it misses
  // the retraction's speed (on the sphere, P_y η / ‖x + αη‖) and the curvature of nonlinear
  // retractions of open subsets (the chamber's). The step h moves the point by ~1e-6 of its
  // scale: rounding and the O(h²) term both stay near 1e-12 relative.
  const double eta_norm = eta.norm();
  const double h = 1e-6 * std::max(run.point().coords().norm(), 1.0) / std::max(eta_norm, 1e-300);
  ahead_.resize(eta.size());
  behind_.resize(eta.size());
  manifold.retract(run.point(), (alpha + h) * eta, ahead_);
  manifold.retract(run.point(), (alpha - h) * eta, behind_);
  velocity_ = (ahead_ - behind_) / (2.0 * h);
  if (!manifold.is_open_subset()) {
    // c'(α) is tangent at y; the difference's rounding is not, and its normal part would meet the
    // normal part of ∇E(y), which stays O(1) near a minimizer while φ' goes to zero.
    ahead_ = velocity_;
    manifold.project(run.trial(), ahead_, velocity_);
  }
  slope_ = run.trial_evaluation().euclidean_gradient.dot(velocity_);
  return std::isfinite(slope_);
}

bool WolfeLineSearch::search(SolverDriver& run, const Vector& eta, double slope0, double& alpha) {
  evaluations_ = 0;
  const double phi0 = run.evaluation().value;
  const double c1 = options_.c1, c2 = options_.c2;
  // Hager & Zhang's test only where the decrease c1·α|φ'(0)| is within 10³ ulps of E: above
  // that the values are reliable and Armijo's test stands (a point of equal energy far along η,
  // a symmetry of E, is no minimizer of φ).
  const double eps = std::numeric_limits<double>::epsilon();
  const auto at_rounding = [&](double a) { return c1 * a * -slope0 <= 1e3 * eps * std::abs(phi0); };
  const auto sufficient = [&](double a, double phi, double d) {
    return phi <= phi0 + c1 * a * slope0 ||
           (at_rounding(a) && phi <= phi0 + 1e-12 * std::abs(phi0) && d <= -0.8 * slope0 &&
            d >= 0.9 * slope0);  // HZ, δ = 0.1, σ = 0.9
  };
  const auto curvature = [&](double d) { return std::abs(d) <= -c2 * slope0; };
  const auto approximate_wolfe = [&](double a, double phi, double d) {
    return at_rounding(a) && phi <= phi0 + 1e-12 * std::abs(phi0) && d <= -0.8 * slope0 &&
           d >= c2 * slope0;
  };
  // Values within this of φ(0) cannot order points (near a minimizer the decrease along η is
  // below the rounding of E): there the slopes, which keep their accuracy, decide.
  const double noise = 1e-12 * std::abs(phi0) + std::numeric_limits<double>::min();
  const auto in_noise = [&](double phi) { return std::abs(phi - phi0) <= noise; };

  // Zooms inside the bracket [lo, hi] (lo: the end with sufficient decrease and the lower value).
  const auto zoom = [&](double lo, double f_lo, double d_lo, double hi, double f_hi, double d_hi,
                        bool hi_valid) {
    while (evaluations_ < options_.max_evaluations) {
      double a = 0.5 * (lo + hi);
      if (hi_valid && in_noise(f_lo) && in_noise(f_hi)) {
        // Values are noise here: the secant on the slopes, kept 10 % inside the bracket.
        const double w = std::abs(hi - lo), low = std::min(lo, hi), high = std::max(lo, hi);
        const double secant = lo - d_lo * (hi - lo) / (d_hi - d_lo);
        if (std::isfinite(secant)) a = std::clamp(secant, low + 0.1 * w, high - 0.1 * w);
      } else if (hi_valid) {
        a = cubic_minimizer(lo, f_lo, d_lo, hi, f_hi, d_hi);
      }
      if (!(std::abs(hi - lo) > 4.0 * std::numeric_limits<double>::epsilon() * std::abs(lo))) break;
      const bool valid = probe(run, eta, a);
      if (valid && in_noise(value_) && in_noise(f_lo)) {  // bisect on the slope's sign
        if (approximate_wolfe(a, value_, slope_)) {
          alpha = a;
          return true;
        }
        // Keep one end on each side of φ' = 0: replace the end whose slope has this sign (the
        // bracket may be oriented either way, as zoom(α_i, α_{i−1}) in Nocedal & Wright).
        if ((slope_ >= 0.0) == (d_hi >= 0.0)) {
          hi = a;
          f_hi = value_;
          d_hi = slope_;
          hi_valid = true;
        } else {
          lo = a;
          f_lo = value_;
          d_lo = slope_;
        }
        continue;
      }
      if (!valid || !sufficient(a, value_, slope_) || value_ >= f_lo) {
        hi = a;
        f_hi = value_;
        d_hi = slope_;
        hi_valid = std::isfinite(value_) && std::isfinite(slope_);
        continue;
      }
      if (curvature(slope_) || approximate_wolfe(a, value_, slope_)) {
        alpha = a;
        return true;
      }
      if (slope_ * (hi - lo) >= 0.0) {
        hi = lo;
        f_hi = f_lo;
        d_hi = d_lo;
        hi_valid = true;
      }
      lo = a;
      f_lo = value_;
      d_lo = slope_;
    }
    // No point met the curvature condition within the budget: a point with sufficient decrease
    // (lo > 0) still makes progress, and the next iteration's direction corrects the rest.
    if (lo > 0.0 && evaluations_ <= options_.max_evaluations + 1 && probe(run, eta, lo) &&
        sufficient(lo, value_, slope_)) {
      alpha = lo;
      return true;
    }
    return false;
  };

  double a_prev = 0.0, f_prev = phi0, d_prev = slope0;
  double a = alpha;
  while (evaluations_ < options_.max_evaluations) {
    const bool valid = probe(run, eta, a);
    if (!valid) {  // outside the energy's domain, or overflow: the step is too long
      if (!zoom(a_prev, f_prev, d_prev, a, 0.0, 0.0, false)) return false;
      return true;
    }
    const bool noisy = in_noise(value_) && in_noise(f_prev);
    if (!noisy && (!sufficient(a, value_, slope_) || (a_prev > 0.0 && value_ >= f_prev)))
      return zoom(a_prev, f_prev, d_prev, a, value_, slope_, true);
    if (curvature(slope_) || approximate_wolfe(a, value_, slope_)) {
      alpha = a;
      return true;
    }
    if (slope_ >= 0.0) return zoom(a, value_, slope_, a_prev, f_prev, d_prev, true);
    a_prev = a;
    f_prev = value_;
    d_prev = slope_;
    a *= 4.0;  // still descending steeply: expand
  }
  // The budget ran out while expanding: the last step (the trial holds it) decreased E enough and
  // E still falls beyond it (an energy unbounded below along η, or a step far too short). Take
  // it: the next iteration goes on from there, and the driver's divergence test watches.
  if (a_prev > 0.0) {
    alpha = a_prev;
    return true;
  }
  return false;
}

}  // namespace riemopt::detail
