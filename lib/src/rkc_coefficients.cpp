#include "rkc_coefficients.hpp"

#include <algorithm>
#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt::detail {

RkcCoefficients rkc_coefficients(int stages) {
  require(stages >= 2 && stages <= kMaxRkcStages,
          "rkc_coefficients: stages must be in [2, {}] (got {})", kMaxRkcStages, stages);
  const int s = stages;
  constexpr double kDamping = 2.0 / 13.0;
  const double w0 = 1.0 + kDamping / (static_cast<double>(s) * s);
  // Chebyshev polynomials T_j and their first two derivatives at w0.
  std::vector<double> t(s + 1), dt(s + 1), ddt(s + 1);
  t[0] = 1.0;
  t[1] = w0;
  dt[0] = 0.0;
  dt[1] = 1.0;
  ddt[0] = ddt[1] = 0.0;
  for (int j = 2; j <= s; ++j) {
    t[j] = 2.0 * w0 * t[j - 1] - t[j - 2];
    dt[j] = 2.0 * t[j - 1] + 2.0 * w0 * dt[j - 1] - dt[j - 2];
    ddt[j] = 4.0 * dt[j - 1] + 2.0 * w0 * ddt[j - 1] - ddt[j - 2];
  }
  const double w1 = dt[s] / ddt[s];
  std::vector<double> b(s + 1);
  for (int j = 2; j <= s; ++j) b[j] = ddt[j] / (dt[j] * dt[j]);
  b[0] = b[1] = b[2];
  RkcCoefficients c;
  c.stages = s;
  c.mu.assign(s + 1, 0.0);
  c.nu.assign(s + 1, 0.0);
  c.mu_tilde.assign(s + 1, 0.0);
  c.gamma_tilde.assign(s + 1, 0.0);
  c.mu_tilde[1] = b[1] * w1;
  for (int j = 2; j <= s; ++j) {
    c.mu[j] = 2.0 * b[j] * w0 / b[j - 1];
    c.nu[j] = -b[j] / b[j - 2];
    c.mu_tilde[j] = 2.0 * b[j] * w1 / b[j - 1];
    const double a_previous = 1.0 - b[j - 1] * t[j - 1];
    c.gamma_tilde[j] = -a_previous * c.mu_tilde[j];
  }
  return c;
}

int rkc_stages_for(double h_times_rho) {
  const double s = 1.0 + std::floor(std::sqrt(1.0 + 1.54 * std::max(0.0, h_times_rho)));
  return static_cast<int>(std::clamp(s, 2.0, static_cast<double>(kMaxRkcStages)));
}

}  // namespace riemopt::detail
