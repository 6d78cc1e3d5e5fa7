// Thin singular value decomposition X = U diag(sigma) Vᵀ, with a selectable backend and a
// counter of decompositions performed.
//
// The DLN geometry and every spectral energy are evaluated from one SVD of the current point
// (docs/MATH.md §3, §6). svd_of(x) keeps it in the point's cache (a PointCache slot); the
// counter (work_counter.hpp, which every solver reports) lets solvers and benchmarks prove that a
// flow step performs exactly one decomposition.
//
//   riemopt::Svd svd;
//   riemopt::compute_svd(X, svd);        // svd.U (m×k), svd.sigma (k), svd.V (n×k), k = min(m,n)
//   std::uint64_t n = riemopt::svd_count();
//   const riemopt::Svd& s = riemopt::svd_of(x);   // x's SVD, computed once per position
#pragma once

#include <cstdint>
#include <string>

#include "riemopt/point.hpp"
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

// The point's slot for its SVD.
struct SvdCache final : PointCacheOf<SvdCache> {
  Svd svd;
};

// The thin SVD of x.matrix(), computed with the default backend on first use and cached in the
// point until it moves.
const Svd& svd_of(const Point& x);

}  // namespace riemopt
