// Thin singular value decomposition X = U diag(sigma) Vᵀ, with a selectable backend and a
// counter of decompositions performed.
//
// The DLN geometry and every spectral energy are evaluated from one SVD of the current point
// (docs/MATH.md §3, §6). `Point` caches the result; the counter lets solvers and benchmarks prove
// that a flow step performs exactly one decomposition.
//
//   riemopt::Svd svd;
//   riemopt::compute_svd(X, svd);        // svd.U (m×k), svd.sigma (k), svd.V (n×k), k = min(m,n)
//   std::uint64_t n = riemopt::svd_count();
#pragma once

#include <cstdint>
#include <string>

#include "riemopt/types.hpp"

namespace riemopt {

struct Svd {
  Matrix U;      // m × k, orthonormal columns (left singular vectors)
  Vector sigma;  // k singular values, sorted non-increasing, k = min(m, n)
  Matrix V;      // n × k, orthonormal columns (right singular vectors)
};

enum class SvdBackend {
  kDefault,  // LAPACK dgesdd when the library was built with it, otherwise Eigen
  kLapack,   // LAPACK divide-and-conquer dgesdd (throws if not compiled in)
  kEigen,    // Eigen::BDCSVD
};

// Computes the thin SVD of `X`. Throws InvalidArgument on an empty or non-finite X and
// NumericalError if the backend reports failure to converge.
void compute_svd(const Eigen::Ref<const Matrix>& X, Svd& out,
                 SvdBackend backend = SvdBackend::kDefault);

// Number of SVDs computed by this thread since it started (monotone; take differences).
std::uint64_t svd_count();

// True when the LAPACK backend was compiled in.
bool lapack_available();

std::string to_string(SvdBackend backend);

}  // namespace riemopt
