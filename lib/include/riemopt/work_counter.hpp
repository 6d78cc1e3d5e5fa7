// A per-thread counter of the dense matrix decompositions (SVDs) that geometries and energies
// perform. The core knows no decomposition; the layers that compute one (the DLN layer's
// compute_svd) count it here, and every solver reports the difference over its run in
// Summary::svd_count, so tests and benchmarks can prove that a flow step costs one SVD.
//
//   const std::uint64_t before = riemopt::decomposition_count();
//   ... evaluate ...
//   std::uint64_t used = riemopt::decomposition_count() - before;
#pragma once

#include <cstdint>

namespace riemopt {

// Decompositions counted by this thread since it started (monotone; take differences).
std::uint64_t decomposition_count();
// Counts one decomposition on this thread.
void count_decomposition();

}  // namespace riemopt
