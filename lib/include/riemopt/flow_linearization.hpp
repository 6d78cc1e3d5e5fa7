// The linearization of a gradient flow ẋ = −grad E(x) measured numerically: the Jacobian of the
// vector field by central differences, and its eigenvalues. This is how the library *measures*
// rates of convergence at a computed equilibrium (independently of any closed form).
//
//   riemopt::FlowLinearization lin = riemopt::linearize_flow(problem, x_star);
//   lin.eigenvalues;      // real parts, increasing (most negative = fastest mode first)
#pragma once

#include "riemopt/point.hpp"
#include "riemopt/problem.hpp"
#include "riemopt/types.hpp"

namespace riemopt {

struct FlowLinearization {
  Matrix jacobian;           // J_ij = ∂f_i/∂x_j, f = −grad E
  Vector eigenvalues;        // real parts, increasing
  Matrix eigenvectors;       // real parts, columns matched to eigenvalues, unit norm
  double max_imaginary = 0;  // largest |Im λ| (≈ 0 at an equilibrium of a gradient flow)
};

// The eigenvalues split along a direction: the one whose eigenvector is most aligned with
// `direction` (for the chamber at s*·1: the uniform mode along 1), and the mean and spread of the
// others (the relative mode, a multiple eigenvalue at the equilibrium).
struct ModeSplit {
  double along = 0.0;
  double across_mean = 0.0;    // NaN when the dimension is 1
  double across_spread = 0.0;  // max − min of the others
  Eigen::Index along_index = 0;
};
ModeSplit split_modes(const FlowLinearization& linearization, const Vector& direction);

// Central differences with step relative_step · max(|x_j|, 10⁻³‖x‖_∞) in coordinate j (1 at
// x = 0); the manifold must be an open subset. Costs 2n gradient evaluations. Throws
// InvalidArgument on a non-positive step.
FlowLinearization linearize_flow(const Problem& problem, const Point& x,
                                 double relative_step = 1e-5);

}  // namespace riemopt
