// The end-to-end map φ(W) = W_N ⋯ W_1 of a deep linear network, its differential and adjoint
// (docs/MATH.md §2 "Riemannian submersion"), all in O(N) matrix products.
//
// The constructor stores the prefix products P_p = W_p ⋯ W_1 (N − 1 products). Then
//   dφ_W(V)   = Σ_p (W_N⋯W_{p+1}) V_p P_{p−1}      by D_p = W_p D_{p−1} + V_p P_{p−1},
//   dφ_Wᵀ(Z)_p = (W_N⋯W_{p+1})ᵀ Z P_{p−1}ᵀ           by U_N = Z, U_{p−1} = W_pᵀ U_p,
// so no suffix product is ever recomputed. The gradient of E∘φ is dφ_Wᵀ(∇E(φ(W))).
//
//   riemopt::EndToEndMap phi(space, w);
//   const riemopt::Matrix& x = phi.product();          // d_N × d_0
//   riemopt::Vector grad = phi.adjoint(euclidean_gradient_of_E_at_x);
#pragma once

#include <vector>

#include "riemopt/manifolds/parameter_space.hpp"

namespace riemopt {

class EndToEndMap {
 public:
  // Throws InvalidArgument unless `w` is a finite point of `space`. Keeps a copy of `w`.
  EndToEndMap(const ParameterSpace& space, const ConstVectorRef& w);

  const ParameterSpace& space() const { return space_; }
  // φ(W), d_N × d_0.
  const Matrix& product() const { return prefix_.back(); }
  // P_p = W_p ⋯ W_1 for 1 ≤ p ≤ N.
  const Matrix& prefix(int p) const;

  // dφ_W(V) for a tangent vector V (parameter-space coordinates).
  Matrix differential(const ConstVectorRef& v) const;
  // The differentials of the prefix products along V: D_p = d(W_p⋯W_1)[V] for 1 ≤ p ≤ N
  // (element p − 1); the last is dφ_W(V). Second derivatives of E∘φ need them all.
  std::vector<Matrix> prefix_differentials(const ConstVectorRef& v) const;
  // out += weight · dφ_Wᵀ(Z) for a d_N × d_0 matrix Z.
  void add_adjoint(const Eigen::Ref<const Matrix>& z, double weight, VectorRef out) const;
  Vector adjoint(const Eigen::Ref<const Matrix>& z) const;
  // dφ_W ∘ dφ_Wᵀ (Z): the metric that the Frobenius metric upstairs induces on d_N × d_0
  // matrices at W; it is A_{N,φ(W)} when W is balanced.
  Matrix gram(const Eigen::Ref<const Matrix>& z) const;

 private:
  const ParameterSpace& space_;
  Vector w_;
  std::vector<Matrix> prefix_;  // prefix_[p − 1] = P_p
};

namespace detail {

// The two passes behind EndToEndMap with caller-owned buffers, for hot paths that keep them
// between calls (PulledBackEnergy keeps them in the point's cache): no allocation once the
// buffers have their sizes. Products go through BLAS.
//   prefix[p − 1] = P_p = W_p ⋯ W_1, p = 1..N;
//   out += weight · dφ_Wᵀ(Z) from those prefixes, with u and next as scratch.
void end_to_end_prefixes(const ParameterSpace& space, const ConstVectorRef& w,
                         std::vector<Matrix>& prefix);
void end_to_end_add_adjoint(const ParameterSpace& space, const ConstVectorRef& w,
                            const std::vector<Matrix>& prefix, const Eigen::Ref<const Matrix>& z,
                            double weight, VectorRef out, Matrix& u, Matrix& next);

}  // namespace detail

}  // namespace riemopt
