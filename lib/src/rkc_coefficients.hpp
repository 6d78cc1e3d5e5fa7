// The coefficients of the s-stage Runge–Kutta–Chebyshev method RKC2 (private to the library):
// Sommeijer, Shampine & Verwer, "RKC: an explicit solver for parabolic PDEs" (1997), with
// damping ε = 2/13. Stage j of a step of size h from y (F0 = f(y)):
//   Y_1 = y + mu_tilde[1]·h·F0,
//   Y_j = (1 − mu[j] − nu[j])·y + mu[j]·Y_{j−1} + nu[j]·Y_{j−2} + mu_tilde[j]·h·f(Y_{j−1})
//         + gamma_tilde[j]·h·F0,                                       j = 2..s,
// and y_new = Y_s. The method is second order, and stable for h·ρ ≤ about 0.65 s² when the
// Jacobian's eigenvalues are real and in [−ρ, 0]: the stage count, not the step, grows with the
// stiffness, as √(hρ).
#pragma once

#include <vector>

namespace riemopt::detail {

struct RkcCoefficients {
  int stages = 0;
  std::vector<double> mu, nu, mu_tilde, gamma_tilde;  // indexed 0..s (0 unused; 1 only mu_tilde)
};

// Throws InvalidArgument unless 2 <= stages <= kMaxRkcStages.
RkcCoefficients rkc_coefficients(int stages);

// The fewest stages that are stable for h·ρ (at least 2), following RKC's rule
// s = 1 + ⌊√(1 + 1.54 hρ)⌋; capped at kMaxRkcStages.
int rkc_stages_for(double h_times_rho);

// About the largest h·ρ that kMaxRkcStages stages keep stable (β(s) ≈ 0.653 s²): the step is
// cut to it when even the capped stage count is not enough.
constexpr double kMaxRkcStableStep = 0.653 * 250.0 * 250.0;

constexpr int kMaxRkcStages = 250;

}  // namespace riemopt::detail
