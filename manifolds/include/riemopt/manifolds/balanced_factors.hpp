// Balanced factorizations, the imbalance, and the vertical/horizontal split of the parameter
// space (docs/MATH.md §2 "Riemannian submersion").
//
// W is balanced when μ_p = W_{p+1}ᵀW_{p+1} − W_pW_pᵀ = 0 for p = 1..N−1. The balanced
// factorizations of X = QΣRᵀ are W_1 = Q_1Σ^{1/N}Rᵀ, W_p = Q_pΣ^{1/N}Q_{p−1}ᵀ, W_N =
// QΣ^{1/N}Q_{N−1}ᵀ. The group GL_{d_1} × … × GL_{d_{N−1}} acts on the fiber φ⁻¹(X) by W_p ↦ G_p W_p
// G_{p−1}⁻¹; its infinitesimal generators C = (C_1, …, C_{N−1}) give the vertical vectors V_p = C_p
// W_p − W_p C_{p−1} (C_0 = C_N = 0), and skew C move along the orthogonal orbit of balanced points.
// Horizontal vectors are those orthogonal to ker dφ_W, i.e. the range of dφ_Wᵀ.
//
//   riemopt::Vector w = riemopt::balanced_factorization(space, x, rng);   // random Q_p
//   double mu = riemopt::imbalance_norm(space, w);                        // ~1e-16 · ‖x‖
//   riemopt::Vector lift = riemopt::horizontal_lift(space, w, z);         // dφ(lift) = z
#pragma once

#include <vector>

#include "riemopt/manifolds/parameter_space.hpp"

namespace riemopt {

// A Haar-distributed random d × d orthogonal matrix.
Matrix random_orthogonal(Eigen::Index d, Rng& rng);

// The balanced factorization of the d_N × d_0 matrix X with the given orthogonal Q_1..Q_{N−1}
// (Q_p of size d_p × d_p; only its first k columns are used, k = the narrowest width). Throws
// InvalidArgument on a wrong shape, a non-finite X, a Q_p that is not orthogonal (to 1e-10), or
// an X whose rank exceeds the narrowest width (it has no factorization through it).
Vector balanced_factorization(const ParameterSpace& space, const Eigen::Ref<const Matrix>& x,
                              const std::vector<Matrix>& rotations);
// The same with Haar-random Q_p.
Vector balanced_factorization(const ParameterSpace& space, const Eigen::Ref<const Matrix>& x,
                              Rng& rng);

// The balanced factorization with identity gauges (Q_p = I above) of the product X = L R of an
// m × k and a k × n matrix, computed from the two factors: thin QRs of L and Rᵀ and the SVD of
// a k × k core, O((m + n) k²), never an m × n matrix. This is how a narrow network (inner widths
// ≪ min(m, n)) gets its balanced start. Throws InvalidArgument on mismatched shapes, non-finite
// entries, or an L R whose rank exceeds the narrowest width.
Vector balanced_factorization_of_product(const ParameterSpace& space,
                                         const Eigen::Ref<const Matrix>& left,
                                         const Eigen::Ref<const Matrix>& right);

// μ_1, …, μ_{N−1} (μ_p is d_p × d_p; empty for N = 1).
std::vector<Matrix> imbalance(const ParameterSpace& space, const ConstVectorRef& w);
// ‖μ‖ = sqrt(Σ_p ‖μ_p‖²_F).
double imbalance_norm(const ParameterSpace& space, const ConstVectorRef& w);
// ‖μ‖ ≤ relative_tolerance · max_p ‖W_p‖²_F (μ scales like W²). Throws on a negative tolerance.
bool is_balanced(const ParameterSpace& space, const ConstVectorRef& w,
                 double relative_tolerance = 1e-10);

// The vertical vector V_p = C_p W_p − W_p C_{p−1} of the generators C_1..C_{N−1} (C_p of size
// d_p × d_p). dφ_W(V) = 0 exactly, for every W.
Vector vertical_vector(const ParameterSpace& space, const ConstVectorRef& w,
                       const std::vector<Matrix>& generators);
// The adjoint of vertical_vector: the generators G_p = V_p W_pᵀ − W_{p+1}ᵀ V_{p+1} with
// ⟨V, vertical_vector(C)⟩ = Σ_p ⟨G_p, C_p⟩.
std::vector<Matrix> vertical_adjoint(const ParameterSpace& space, const ConstVectorRef& w,
                                     const ConstVectorRef& v);

// The horizontal lift of a d_N × d_0 matrix Z: the tangent vector of least norm with
// dφ_W(lift) = Z, namely dφ_Wᵀ(Y) with dφ_W dφ_Wᵀ(Y) = Z, solved by conjugate gradients. At a
// balanced W over X its squared norm is g^N_X(Z, Z). Throws NumericalError when dφ_W is not
// surjective (a rank-deficient φ(W) or factor), where no lift exists.
Vector horizontal_lift(const ParameterSpace& space, const ConstVectorRef& w,
                       const Eigen::Ref<const Matrix>& z);
// The horizontal part of a tangent vector: horizontal_lift(dφ_W(V)).
Vector horizontal_part(const ParameterSpace& space, const ConstVectorRef& w,
                       const ConstVectorRef& v);

}  // namespace riemopt
