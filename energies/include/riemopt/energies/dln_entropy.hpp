// The DLN entropy S_N (Menon–Yu; docs/MATH.md §5) on the chamber of singular values and on square
// matrices.
//
//   S_N(σ) = (N−1) log c_d + ½ Σ_{i<j} log h_N(σ_i, σ_j),   S_∞(σ) = ½ Σ_{i<j} log h_∞(σ_i, σ_j).
//
// The library works with the reduced entropy (the sum, without the constant); the constant
// (N−1) log c_d, c_d = vol(O_d), is available separately as dln_entropy_constant() and changes no
// flow. All formulas are evaluated in log coordinates u = log σ, where every pair term is
//   log h_N(σ_i, σ_j) = κ (u_i + u_j) + g(u_i − u_j),   κ = 1 − 1/N (∞: 1),
//   g_N(δ) = log(sinh δ / sinh(δ/N)),   g_∞(δ) = log(sinh δ / δ),
// an even analytic function; g' and g'' use their Taylor series (coefficients from ζ(2n)) for
// |δ| < 1/2 and the closed forms beyond, so value, gradient and Hessian keep full relative accuracy
// at exact and near collisions σ_i ≈ σ_j, where the quotient forms of docs/MATH.md cancel.
//
// Boundary: one zero singular value leaves S_N (finite N) finite, two give −∞; for N = ∞ one zero
// already gives −∞. The gradient is infinite on the boundary, so gradients and Hessians require
// every σ_k > 0. N = 1 (and d = 1) give the constant 0.
//
//   riemopt::Vector sigma(3); sigma << 2.0, 1.5, 0.5;
//   double s = riemopt::dln_entropy(sigma, riemopt::Depth::finite(3));        // 2.1433490719...
//   auto entropy = std::make_shared<riemopt::MatrixEntropy>(riemopt::Depth::infinite());
#pragma once

#include "riemopt/depth.hpp"
#include "riemopt/energy.hpp"

namespace riemopt {

// Reduced entropy ½ Σ_{i<j} log h_N(σ_i, σ_j) for σ_k >= 0 in any order (it is symmetric).
// Returns −∞ at the boundary points documented above. Throws InvalidArgument on negative or
// non-finite entries.
double dln_entropy(const ConstVectorRef& sigma, Depth depth);
// ∂S/∂σ_k. Throws InvalidArgument unless every σ_k is finite and > 0. `out` has size d.
void dln_entropy_gradient(const ConstVectorRef& sigma, Depth depth, VectorRef out);
// S (as dln_entropy) and ∂S/∂σ_k (into `out`) from one pass over the pairs, sharing their
// exponentials and series: about half the cost of both calls. Requirements as the gradient's.
double dln_entropy_and_gradient(const ConstVectorRef& sigma, Depth depth, VectorRef out);
// The Euclidean Hessian ∂²S/∂σ_k∂σ_l (d×d, resized). Same requirements as the gradient.
void dln_entropy_hessian(const ConstVectorRef& sigma, Depth depth, Matrix& out);
// The additive constant (N−1) log c_d (0 for N = 1 and for infinite depth, whose entropy is
// renormalized). Throws InvalidArgument unless d >= 1.
double dln_entropy_constant(Eigen::Index d, Depth depth);

// S_N as an energy on the chamber coordinates σ ∈ R^d (value, gradient, Euclidean Hessian).
class ChamberEntropy final : public Energy {
 public:
  // Throws InvalidArgument unless d >= 1.
  ChamberEntropy(Eigen::Index d, Depth depth);

  std::string name() const override;
  Eigen::Index ambient_size() const override { return d_; }
  Depth depth() const { return depth_; }
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  bool has_hessian() const override { return true; }
  void add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                          VectorRef out) const override;

 private:
  Eigen::Index d_;
  Depth depth_;
};

// S_N(X) for square X (any size), from the point's cached SVD: ∇S(X) = Q diag(∂S/∂σ) Rᵀ.
// A singular value counts as zero when σ_k <= d·ε·σ_1: value() then follows the boundary rules
// above (−∞ with two such values, or one at infinite depth); add_gradient() throws NumericalError
// at such (numerically rank-deficient) matrices for N >= 2.
class MatrixEntropy final : public Energy {
 public:
  explicit MatrixEntropy(Depth depth) : depth_(depth) {}

  std::string name() const override;
  Eigen::Index ambient_size() const override { return -1; }
  // Requires square matrices.
  void check_shape(Eigen::Index rows, Eigen::Index cols) const override;
  Depth depth() const { return depth_; }
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  // One pass over the pairs for both (dln_entropy_and_gradient); throws where add_gradient does.
  double value_and_add_gradient(const Point& x, double weight, VectorRef out) const override;
  // The whole gradient goes to `spectral` as weight · ∂S/∂σ (out is left alone).
  double value_and_add_split_gradient(const Point& x, double weight, VectorRef out,
                                      VectorRef spectral) const override;

 private:
  double add_gradient_and_value(const Point& x, double weight, VectorRef out,
                                bool with_value) const;
  // ∂S/∂σ at x's singular values into g, and S(x) when with_value (else 0). Throws at
  // rank-deficient matrices.
  double spectral_gradient(const Point& x, bool with_value, Vector& g) const;

  Depth depth_;
};

}  // namespace riemopt
