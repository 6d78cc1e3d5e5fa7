// The passes over the observed entries Ω that dominate a factored completion's evaluation
// besides its dense products (private to the library; declared here so the tests can check each
// instruction-set path against the others).
//
// With A (k × m) and B (k × n) column-major, the estimate's entry (i, j) is ⟨A[:, i], B[:, j]⟩:
//   residuals:  r_t = ⟨A[:, i_t], B[:, j_t]⟩ − M_t for every observation t, returning Σ r_t²;
//   accumulate: G[:, j_t] += s r_t A[:, i_t]  (G k × n), i.e. G += s A S for the sparse m × n
//               matrix S of residuals; on the transposed observations it gives B Sᵀ.
//
// Both are level-1 work (one load per multiply-add), so their speed is the vector width: the
// library's default build targets baseline x86-64 (SSE2, 2 doubles, no FMA) while BLAS picks its
// kernel at run time. These passes do the same: on x86-64 with GCC or Clang an AVX2+FMA version is
// compiled beside the portable one and chosen once, at the first call, from the CPU's features. The
// paths differ only in rounding (FMA and summation order).
#pragma once

#include <cstddef>

#include "riemopt/energies/matrix_completion.hpp"

namespace riemopt::detail {

enum class ObservedKernelPath {
  kPortable,  // Eigen at the build's instruction set
  kAvx2Fma,   // x86-64 with AVX2 and FMA, chosen at run time
};

// Whether `path` is compiled in and the CPU running it has the instructions it needs.
bool observed_kernel_available(ObservedKernelPath path);
// The path the dispatching overloads below use: the fastest available one.
ObservedKernelPath observed_kernel_path();
const char* observed_kernel_name(ObservedKernelPath path);

// A view of a column-major k × cols block: column c starts at data + c · stride.
struct ColumnBlock {
  const double* data;
  Eigen::Index rows;
  Eigen::Index stride;
};
struct MutableColumnBlock {
  double* data;
  Eigen::Index rows;
  Eigen::Index stride;
};

// residual[t] = ⟨a[:, obs[t].row], b[:, obs[t].col]⟩ − obs[t].value; returns Σ residual[t]².
// a.rows == b.rows; indices are trusted (checked where the observations were accepted).
double observed_residuals(ColumnBlock a, ColumnBlock b, const Observation* obs, std::size_t count,
                          double* residual);
double observed_residuals(ObservedKernelPath path, ColumnBlock a, ColumnBlock b,
                          const Observation* obs, std::size_t count, double* residual);

// g[:, obs[t].col] += scale · residual[t] · a[:, obs[t].row]: g += scale · A S. The AVX2 path
// adds each run of observations that share a column (Ω sorted by column) in registers, sixteen
// rows at a time, so g's column is loaded and stored once per run.
void observed_accumulate(ColumnBlock a, const Observation* obs, std::size_t count,
                         const double* residual, double scale, MutableColumnBlock g);
void observed_accumulate(ObservedKernelPath path, ColumnBlock a, const Observation* obs,
                         std::size_t count, const double* residual, double scale,
                         MutableColumnBlock g);

// g[:, obs[t].row] += scale · residual[t] · a[:, obs[t].col]: g += scale · A Sᵀ, on the same
// order of Ω. (A pass over Ω re-sorted by row, which would keep g's column in registers, must read
// the residuals through a permutation: 18 against 22 µs at 100 × 100 with 2000 entries, but 9.6
// against 7.4 ms at the size of MovieLens-1M, where the permuted reads miss the cache.)
void observed_accumulate_transposed(ColumnBlock a, const Observation* obs, std::size_t count,
                                    const double* residual, double scale, MutableColumnBlock g);
void observed_accumulate_transposed(ObservedKernelPath path, ColumnBlock a, const Observation* obs,
                                    std::size_t count, const double* residual, double scale,
                                    MutableColumnBlock g);

// The three passes in one, for a value with its gradient at a new point: residual[t] as
// observed_residuals (returning Σ r²), and with s_t = scale · residual[t],
//   g[:, obs[t].col] += s_t · a[:, obs[t].row]   (g += scale · A S, as observed_accumulate),
//   h[:, obs[t].row] += s_t · b[:, obs[t].col]   (h += scale · B Sᵀ,
//   observed_accumulate_transposed).
// Each observation's two columns are read from memory once, not twice: h's term follows the dot
// product while both are in the first-level cache, and g's run follows its observations.
double observed_residuals_and_accumulate(ColumnBlock a, ColumnBlock b, const Observation* obs,
                                         std::size_t count, double scale, double* residual,
                                         MutableColumnBlock g, MutableColumnBlock h);
double observed_residuals_and_accumulate(ObservedKernelPath path, ColumnBlock a, ColumnBlock b,
                                         const Observation* obs, std::size_t count, double scale,
                                         double* residual, MutableColumnBlock g,
                                         MutableColumnBlock h);

}  // namespace riemopt::detail
