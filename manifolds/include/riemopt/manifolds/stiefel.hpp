// The Stiefel manifold St(n, p) = {X ∈ R^{n×p} : XᵀX = I_p}, an embedded submanifold of the n×p
// matrices with the metric it inherits, ⟨U, V⟩ = tr(UᵀV) (docs/MATH.md §11). Formulas, for X on
// the manifold, V tangent (XᵀV skew-symmetric), sym(A) = (A + Aᵀ)/2:
//   tangent projection   P_X(U) = U − X sym(XᵀU)
//   polar retraction     R_X(V) = (X + V)(I + VᵀV)^{−1/2}, the polar factor of X + V;
//                        inverse: V = Y S − X with S symmetric solving (XᵀY) S + S (YᵀX) = 2I
//   QR retraction        R_X(V) = qf(X + V), the Q factor with a positive diagonal in R
//                        (no inverse here)
//   transport            projection onto T_Y (the manifold's default)
//   Weingarten map       W_X(V, G) = −P_X(V sym(XᵀG))
//   exponential          [X V] expm([[XᵀV, −VᵀV], [I, XᵀV]]) [expm(−XᵀV); 0]  (Edelman, Arias
//                        & Smith 1998); no closed-form logarithm
//   nearest point        the polar factor U Wᵀ of Y = U Σ Wᵀ
// With f(X) = tr(XᵀAXN), N = diag(μ_1 > … > μ_p > 0) (Brockett's cost), the minimizers are the
// eigenvectors of the p smallest eigenvalues of A, the smallest paired with μ_1.
//
//   riemopt::Geometry g = riemopt::stiefel_geometry(20, 4);
//   riemopt::Problem problem(g, std::make_shared<riemopt::BrockettCost>(a, n_weights));
#pragma once

#include <string>

#include "riemopt/geometry.hpp"
#include "riemopt/manifold.hpp"

namespace riemopt {

enum class StiefelRetraction { kPolar, kQr };
std::string to_string(StiefelRetraction retraction);

class Stiefel final : public Manifold {
 public:
  // Points accepted by validate_point: max |XᵀX − I| within this tolerance.
  static constexpr double kOrthonormalityTolerance = 1e-10;

  // St(n, p). Throws InvalidArgument unless 1 <= p <= n.
  Stiefel(Eigen::Index n, Eigen::Index p, StiefelRetraction retraction = StiefelRetraction::kPolar);

  std::string name() const override;
  ManifoldKind kind() const override { return ManifoldKind::kEmbedded; }
  Eigen::Index ambient_size() const override { return n_ * p_; }
  Eigen::Index dimension() const override { return n_ * p_ - p_ * (p_ + 1) / 2; }
  Eigen::Index rows() const override { return n_; }
  Eigen::Index cols() const override { return p_; }
  StiefelRetraction retraction() const { return retraction_; }

  // Throws InvalidArgument unless X has finite entries and max |XᵀX − I| is within tolerance.
  void validate_point(const ConstVectorRef& x) const override;
  void project(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void retract(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  // Polar retraction only (throws InvalidArgument for QR); throws NumericalError when the
  // equation for S is singular (Y far outside the retraction's image).
  void inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const override;
  // Throws InvalidArgument for a Y without full column rank.
  void project_point(const ConstVectorRef& y, VectorRef out) const override;
  void weingarten(const Point& x, const ConstVectorRef& v, const ConstVectorRef& g,
                  VectorRef out) const override;
  bool has_exponential() const override { return true; }
  void exponential(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  // The Q factor of a standard Gaussian n×p matrix: Haar-distributed.
  Vector random_point(Rng& rng) const override;

 private:
  // The polar factor Y (YᵀY)^{−1/2} of a full-rank Y, refined once by Newton–Schulz so that it
  // is orthonormal to rounding.
  void polar_factor(const ConstMatrixMap& y, MatrixMap out) const;

  Eigen::Index n_;
  Eigen::Index p_;
  StiefelRetraction retraction_;
};

// St(n, p) with the metric inherited from R^{n×p}.
Geometry stiefel_geometry(Eigen::Index n, Eigen::Index p,
                          StiefelRetraction retraction = StiefelRetraction::kPolar);

}  // namespace riemopt
