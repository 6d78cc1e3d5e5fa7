// (private) The coefficients of the Rosenbrock W-method used by the gradient flow.
#pragma once

namespace riemopt::detail {

// A four-stage Rosenbrock W-method in the form of Hairer & Wanner (Solving ODEs II, §IV.7):
// stage couplings α_ij (into the argument of f) and γ_ij (through the Jacobian model), the common
// diagonal γ, weights b and embedded weights b̂ (one order lower).
struct RosenbrockTableau {
  static constexpr int kStages = 4;
  double gamma_diagonal;
  double alpha[kStages][kStages];
  double gamma[kStages][kStages];  // strictly lower part
  double b[kStages];
  double b_embedded[kStages];
};

// ROS34PW2 of J. Rang and L. Angermann, "New Rosenbrock W-methods of order 3 for partial
// differential algebraic equations of index 1", BIT 45 (2005): order 3 with any Jacobian model,
// embedded order 2, L-stable, stiffly accurate.
const RosenbrockTableau& ros34pw2();

}  // namespace riemopt::detail
