// Closed forms of the entropic paper's theorems (docs/MATH.md §7) for a separable spectral free
// energy F_β = Σ_k f(σ_k) − β⁻¹ S_N on the chamber, f nondecreasing and convex, β > 0, N >= 2:
//
//   equilibrium (Thm 1.2)   σ = s*·1, s* the root of s f'(s) = c,
//                           c = (d−1)(N−1)/(2Nβ)   (∞: (d−1)/(2β));
//   rates (Thm 1.3)         λ_∥ on 1, λ_⊥ on 1^⊥ (multiplicity d−1), |λ_⊥| < |λ_∥|;
//   diagonal flow (Thm 1.7) ṡ = −w(s)(f'(s) − c/s), w = N s^{2−2/N} (∞: s²); for Schatten-p
//                           its time t(s) = Ψ(s) − Ψ(s0) in closed form with ₂F₁(1, a; 1+a; z).
//
// These are the *predictions*; tests and the `riemopt spectral` command compare them with
// what the integrators compute.
//
//   auto eq = riemopt::SpectralEquilibrium::schatten(3, riemopt::Depth::finite(3), 2.0, 2.0);
//   eq.s_star();                 // 0.5773502691896258 = (1/3)^{1/2}
//   eq.diagonal_time(0.1, 0.5);  // 0.9757965158619502
#pragma once

#include <functional>

#include "riemopt/depth.hpp"
#include "riemopt/types.hpp"

namespace riemopt {

class SpectralEquilibrium {
 public:
  using ScalarFn = std::function<double(double)>;

  // f' and f'' of f. Throws InvalidArgument unless d >= 2, N >= 2 (the entropy vanishes
  // otherwise), β finite and > 0, and s f'(s) = c has a positive root.
  SpectralEquilibrium(Eigen::Index d, Depth depth, double beta, ScalarFn df, ScalarFn d2f);
  // Schatten-p: f(s) = s^p/p, s*^p = c. Throws InvalidArgument unless p is finite and > 0.
  static SpectralEquilibrium schatten(Eigen::Index d, Depth depth, double beta, double p);

  Eigen::Index width() const { return d_; }
  Depth depth() const { return depth_; }
  double beta() const { return beta_; }
  // c, defined by β⁻¹ ∂_k S(s·1) = c/s: the equilibrium solves s f'(s) = c.
  double entropic_constant() const { return c_; }
  double s_star() const { return s_star_; }
  double rate_uniform() const;   // λ_∥
  double rate_relative() const;  // λ_⊥

  // Time the diagonal flow takes from s0·1 to s1·1 (s1 between s0 and s*, or equal to s0).
  // Schatten-p uses the ₂F₁ closed form (Thm 1.7) when it applies (and the logarithmic one at
  // infinite depth); otherwise, and always in diagonal_time_by_quadrature(), Gauss–Kronrod
  // quadrature of dt/ds in the variable log|s − s*|. Throws InvalidArgument when s1 is not on
  // the path from s0 to s*.
  double diagonal_time(double s0, double s1) const;
  double diagonal_time_by_quadrature(double s0, double s1) const;
  // The diagonal flow's s(t) from s0 (the inverse of diagonal_time), t >= 0.
  double diagonal_solution(double s0, double t) const;

 private:
  double weight(double s) const;  // w(s)
  // Ψ for Schatten (closed form); only valid when closed_form_applies(s).
  bool closed_form_applies(double s) const;
  double psi(double s) const;
  void require_on_path(double s0, double s1) const;

  Eigen::Index d_;
  Depth depth_;
  double beta_;
  ScalarFn df_, d2f_;
  double c_ = 0.0;
  double s_star_ = 0.0;
  double schatten_p_ = 0.0;  // > 0 for Schatten
};

// ₂F₁(1, a; 1 + a; z) for a > 0, 0 <= z < 1: Boost.Math's pFq series for z <= 0.9, the
// logarithmic connection formula around z = 1 (Abramowitz–Stegun 15.3.10) above.
double hypergeometric_2f1_1_a_1pa(double a, double z);

}  // namespace riemopt
