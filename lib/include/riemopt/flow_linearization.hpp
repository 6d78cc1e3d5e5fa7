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

// Central differences with step relative_step · max(|x_j|, 10⁻³‖x‖_∞) in coordinate j (1 at
// x = 0); the manifold must be an open subset. Costs 2n gradient evaluations. Throws
// InvalidArgument on a non-positive step.
FlowLinearization linearize_flow(const Problem& problem, const Point& x,
                                 double relative_step = 1e-5);

}  // namespace riemopt
