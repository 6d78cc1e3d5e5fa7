// Riemannian nonlinear conjugate gradient on any geometry (Absil, Mahony & Sepulchre §8.3; Sato,
// Riemannian Optimization and Its Applications, 2021).
//
//   η_0 = −grad E(x_0),   x_{k+1} = R_{x_k}(α_k η_k),   η_{k+1} = −grad E(x_{k+1}) + β_{k+1}
//   T(η_k),
//
// with T the manifold's vector transport (identity on open subsets, projection on embedded
// manifolds and quotients), α_k from a line search that satisfies the strong Wolfe conditions
// along the retraction (c1 = 1e-4, c2 = 0.1 by default), and β from one of the classic rules, in
// the metric's inner product, with g = grad E(x_{k+1}), g⁻ = T grad E(x_k), y = g − g⁻:
//   kFletcherReeves     β = ‖g‖² / ‖g⁻‖²
//   kPolakRibierePlus   β = max(0, ⟨g, y⟩ / ‖g⁻‖²)
//   kHestenesStiefel    β = max(0, ⟨g, y⟩ / ⟨Tη, y⟩)
//   kHagerZhang         β = max(⟨y − 2Tη·‖y‖²/⟨Tη, y⟩, g⟩ / ⟨Tη, y⟩, −1/(‖Tη‖·min(0.01, ‖g⁻‖)))
// The direction restarts at −grad E when it is not a descent direction, for Fletcher–Reeves and
// Polak–Ribière+ when successive gradients are far from orthogonal (Powell: |⟨g, g⁻⟩| ≥ 0.2‖g‖²),
// and every restart_every iterations (0: the manifold's dimension).
//
// Stops on the rules every solver shares (riemopt/solver_driver.hpp), and with
// kStepSizeTooSmall when the line search finds no acceptable step along a steepest-descent
// direction. The first trial step is initial_step/‖grad E‖ (a step of length initial_step),
// then α_{k−1}·φ'_{k−1}(0)/φ'_k(0) (Nocedal & Wright §3.5).
//
//   riemopt::ConjugateGradientOptions options;  // Polak–Ribière+, gradient_tolerance 1e-8
//   riemopt::Summary s = riemopt::conjugate_gradient(problem, x0, options);
#pragma once

#include "riemopt/problem.hpp"
#include "riemopt/solver_options.hpp"
#include "riemopt/solver_summary.hpp"
#include "riemopt/trajectory.hpp"

namespace riemopt {

enum class CgBeta { kFletcherReeves, kPolakRibierePlus, kHestenesStiefel, kHagerZhang };
std::string to_string(CgBeta beta);

struct ConjugateGradientOptions : SolverOptions {
  CgBeta beta = CgBeta::kPolakRibierePlus;
  int restart_every = 0;                 // iterations between restarts; 0: the manifold's dimension
  double initial_step = 1.0;             // length ‖αη‖_g of the first trial step, > 0
  double sufficient_decrease = 1e-4;     // Wolfe c1, in (0, curvature)
  double curvature = 0.1;                // Wolfe c2, in (c1, 1)
  int max_line_search_evaluations = 30;  // per iteration, >= 2
  TrajectoryOptions trajectory;

  void validate() const;
};

Summary conjugate_gradient(const Problem& problem, const Vector& x0,
                           const ConjugateGradientOptions& options = {});

}  // namespace riemopt
