// Dense matrix products on the flow's hot path (private to the library).
//
// C = α·op(A)·op(B) + β·C through BLAS dgemm when the library was built with LAPACK/BLAS
// (OpenBLAS: about 2.4× Eigen's own product for 100×100 on one core, measured by bench/flow_rhs),
// otherwise through Eigen. C must be sized by the caller and must not alias A or B. Neither path
// allocates.
#pragma once

#include "riemopt/types.hpp"

namespace riemopt::detail {

enum class Op { kNone, kTranspose };

void dense_product(const Eigen::Ref<const Matrix>& a, Op op_a, const Eigen::Ref<const Matrix>& b,
                   Op op_b, Eigen::Ref<Matrix> c, double alpha = 1.0, double beta = 0.0);

}  // namespace riemopt::detail
