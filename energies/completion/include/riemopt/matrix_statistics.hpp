// Summary statistics of matrices used to report completion experiments (docs/MATH.md §6).
//
//   double r = riemopt::effective_rank(svd.sigma);     // exp(−Σ p_i log p_i), p_i = σ_i/Σσ_j
//   double nn = riemopt::nuclear_norm(svd.sigma);
#pragma once

#include "riemopt/types.hpp"

namespace riemopt {

// exp of the Shannon entropy of the normalized singular values (Roy & Vetterli). 0 for the zero
// matrix. Throws InvalidArgument on negative or non-finite entries.
double effective_rank(const ConstVectorRef& singular_values);
double nuclear_norm(const ConstVectorRef& singular_values);
// ‖X − Y‖²_F / (rows·cols): the "test MSE" / reconstruction error of Arora et al.
double mean_squared_difference(const Eigen::Ref<const Matrix>& X,
                               const Eigen::Ref<const Matrix>& Y);

}  // namespace riemopt
