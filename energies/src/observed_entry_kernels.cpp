#include "riemopt/energies/observed_entry_kernels.hpp"

#include "riemopt/errors.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RIEMOPT_OBSERVED_AVX2 1
#include <immintrin.h>
// The AVX2 version of a pass, or on other machines its portable one as a stand-in that is never
// run (observed_kernel_available refuses the AVX2 path there first).
#define AVX2_OR_PORTABLE(pass) pass##_avx2
#else
#define AVX2_OR_PORTABLE(pass) pass##_portable
#endif

namespace riemopt::detail {

namespace {

using Index = Eigen::Index;
using ConstColumn = Eigen::Map<const Vector>;
using MutableColumn = Eigen::Map<Vector>;

double residuals_portable(ColumnBlock a, ColumnBlock b, const Observation* obs, std::size_t count,
                          double* residual) {
  double sum = 0.0;
  for (std::size_t t = 0; t < count; ++t) {
    const ConstColumn x(a.data + obs[t].row * a.stride, a.rows);
    const ConstColumn y(b.data + obs[t].col * b.stride, b.rows);
    const double r = x.dot(y) - obs[t].value;
    residual[t] = r;
    sum += r * r;
  }
  return sum;
}

void accumulate_portable(ColumnBlock a, const Observation* obs, std::size_t count,
                         const double* residual, double scale, MutableColumnBlock g) {
  for (std::size_t t = 0; t < count; ++t) {
    const double r = scale * residual[t];
    MutableColumn(g.data + obs[t].col * g.stride, g.rows).noalias() +=
        r * ConstColumn(a.data + obs[t].row * a.stride, a.rows);
  }
}

void accumulate_transposed_portable(ColumnBlock a, const Observation* obs, std::size_t count,
                                    const double* residual, double scale, MutableColumnBlock g) {
  for (std::size_t t = 0; t < count; ++t)
    MutableColumn(g.data + obs[t].row * g.stride, g.rows).noalias() +=
        (scale * residual[t]) * ConstColumn(a.data + obs[t].col * a.stride, a.rows);
}

// The end of the run of observations that share obs[begin].col (Ω is sorted by column).
std::size_t run_end(const Observation* obs, std::size_t begin, std::size_t count) {
  std::size_t end = begin + 1;
  while (end < count && obs[end].col == obs[begin].col) ++end;
  return end;
}

double fused_portable(ColumnBlock a, ColumnBlock b, const Observation* obs, std::size_t count,
                      double scale, double* residual, MutableColumnBlock g, MutableColumnBlock h) {
  double sum = 0.0;
  for (std::size_t begin = 0; begin < count;) {
    const std::size_t end = run_end(obs, begin, count);
    const ConstColumn y(b.data + obs[begin].col * b.stride, b.rows);
    MutableColumn g_column(g.data + obs[begin].col * g.stride, g.rows);
    for (std::size_t t = begin; t < end; ++t) {
      const ConstColumn x(a.data + obs[t].row * a.stride, a.rows);
      const double r = x.dot(y) - obs[t].value;
      residual[t] = r;
      sum += r * r;
      MutableColumn(h.data + obs[t].row * h.stride, h.rows).noalias() += (scale * r) * y;
      g_column.noalias() += (scale * r) * x;
    }
    begin = end;
  }
  return sum;
}

#ifdef RIEMOPT_OBSERVED_AVX2

// Two accumulators of four lanes: a length-100 dot product is 12 fused multiply-adds per chain,
// short enough that a third chain buys nothing measurable.
__attribute__((target("avx2,fma"))) inline double dot_avx2(const double* x, const double* y,
                                                           Index n) {
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  Index t = 0;
  for (; t + 8 <= n; t += 8) {
    s0 = _mm256_fmadd_pd(_mm256_loadu_pd(x + t), _mm256_loadu_pd(y + t), s0);
    s1 = _mm256_fmadd_pd(_mm256_loadu_pd(x + t + 4), _mm256_loadu_pd(y + t + 4), s1);
  }
  if (t + 4 <= n) {
    s0 = _mm256_fmadd_pd(_mm256_loadu_pd(x + t), _mm256_loadu_pd(y + t), s0);
    t += 4;
  }
  s0 = _mm256_add_pd(s0, s1);
  __m128d half = _mm_add_pd(_mm256_castpd256_pd128(s0), _mm256_extractf128_pd(s0, 1));
  double sum = _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half)));
  for (; t < n; ++t) sum += x[t] * y[t];
  return sum;
}

__attribute__((target("avx2,fma"))) inline void axpy_avx2(double alpha, const double* x, double* y,
                                                          Index n) {
  const __m256d a = _mm256_set1_pd(alpha);
  Index t = 0;
  for (; t + 4 <= n; t += 4)
    _mm256_storeu_pd(y + t, _mm256_fmadd_pd(a, _mm256_loadu_pd(x + t), _mm256_loadu_pd(y + t)));
  for (; t < n; ++t) y[t] += alpha * x[t];
}

__attribute__((target("avx2,fma"))) double residuals_avx2(ColumnBlock a, ColumnBlock b,
                                                          const Observation* obs, std::size_t count,
                                                          double* residual) {
  double sum = 0.0;
  for (std::size_t t = 0; t < count; ++t) {
    const double r =
        dot_avx2(a.data + obs[t].row * a.stride, b.data + obs[t].col * b.stride, a.rows) -
        obs[t].value;
    residual[t] = r;
    sum += r * r;
  }
  return sum;
}

// g_column += Σ_{t in [begin, end)} scale·residual[t]·a[:, obs[t].row]: the terms of one run of
// observations that share g's column, added sixteen rows at a time in four registers, so that the
// column is loaded and stored once per run instead of once per observation.
__attribute__((target("avx2,fma"))) void accumulate_run_avx2(ColumnBlock a, const Observation* obs,
                                                             std::size_t begin, std::size_t end,
                                                             const double* residual, double scale,
                                                             double* column, Index rows) {
  Index c = 0;
  for (; c + 16 <= rows; c += 16) {
    __m256d g0 = _mm256_loadu_pd(column + c), g1 = _mm256_loadu_pd(column + c + 4);
    __m256d g2 = _mm256_loadu_pd(column + c + 8), g3 = _mm256_loadu_pd(column + c + 12);
    for (std::size_t t = begin; t < end; ++t) {
      const __m256d r = _mm256_set1_pd(scale * residual[t]);
      const double* x = a.data + obs[t].row * a.stride + c;
      g0 = _mm256_fmadd_pd(r, _mm256_loadu_pd(x), g0);
      g1 = _mm256_fmadd_pd(r, _mm256_loadu_pd(x + 4), g1);
      g2 = _mm256_fmadd_pd(r, _mm256_loadu_pd(x + 8), g2);
      g3 = _mm256_fmadd_pd(r, _mm256_loadu_pd(x + 12), g3);
    }
    _mm256_storeu_pd(column + c, g0);
    _mm256_storeu_pd(column + c + 4, g1);
    _mm256_storeu_pd(column + c + 8, g2);
    _mm256_storeu_pd(column + c + 12, g3);
  }
  if (c < rows)
    for (std::size_t t = begin; t < end; ++t)
      axpy_avx2(scale * residual[t], a.data + obs[t].row * a.stride + c, column + c, rows - c);
}

__attribute__((target("avx2,fma"))) void accumulate_avx2(ColumnBlock a, const Observation* obs,
                                                         std::size_t count, const double* residual,
                                                         double scale, MutableColumnBlock g) {
  for (std::size_t begin = 0; begin < count;) {
    const std::size_t end = run_end(obs, begin, count);
    accumulate_run_avx2(a, obs, begin, end, residual, scale, g.data + obs[begin].col * g.stride,
                        g.rows);
    begin = end;
  }
}

// One run at a time: each observation's residual, then its term of h while a's and b's columns
// are in the first-level cache from the dot product, then the run's terms of g, whose a-columns
// were just read.
__attribute__((target("avx2,fma"))) double fused_avx2(ColumnBlock a, ColumnBlock b,
                                                      const Observation* obs, std::size_t count,
                                                      double scale, double* residual,
                                                      MutableColumnBlock g, MutableColumnBlock h) {
  double sum = 0.0;
  for (std::size_t begin = 0; begin < count;) {
    const std::size_t end = run_end(obs, begin, count);
    const double* y = b.data + obs[begin].col * b.stride;
    for (std::size_t t = begin; t < end; ++t) {
      const double r = dot_avx2(a.data + obs[t].row * a.stride, y, a.rows) - obs[t].value;
      residual[t] = r;
      sum += r * r;
      axpy_avx2(scale * r, y, h.data + obs[t].row * h.stride, h.rows);
    }
    accumulate_run_avx2(a, obs, begin, end, residual, scale, g.data + obs[begin].col * g.stride,
                        g.rows);
    begin = end;
  }
  return sum;
}

__attribute__((target("avx2,fma"))) void accumulate_transposed_avx2(
    ColumnBlock a, const Observation* obs, std::size_t count, const double* residual, double scale,
    MutableColumnBlock g) {
  for (std::size_t t = 0; t < count; ++t) {
    axpy_avx2(scale * residual[t], a.data + obs[t].col * a.stride, g.data + obs[t].row * g.stride,
              g.rows);
  }
}

bool cpu_has_avx2_fma() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

#endif  // RIEMOPT_OBSERVED_AVX2

}  // namespace

bool observed_kernel_available(ObservedKernelPath path) {
  switch (path) {
    case ObservedKernelPath::kPortable:
      return true;
    case ObservedKernelPath::kAvx2Fma:
#ifdef RIEMOPT_OBSERVED_AVX2
      return cpu_has_avx2_fma();
#else
      return false;
#endif
  }
  return false;
}

ObservedKernelPath observed_kernel_path() {
  static const ObservedKernelPath path = observed_kernel_available(ObservedKernelPath::kAvx2Fma)
                                             ? ObservedKernelPath::kAvx2Fma
                                             : ObservedKernelPath::kPortable;
  return path;
}

const char* observed_kernel_name(ObservedKernelPath path) {
  return path == ObservedKernelPath::kAvx2Fma ? "avx2+fma" : "portable";
}

namespace {

// Runs the AVX2 version of a pass when `path` asks for it, the portable one otherwise, after
// refusing a path this machine cannot run.
template <typename Kernel, typename... Args>
auto dispatch(ObservedKernelPath path, const char* caller, [[maybe_unused]] Kernel avx2,
              Kernel portable, Args... args) {
  require(observed_kernel_available(path), "{}: the {} path is not available here", caller,
          observed_kernel_name(path));
#ifdef RIEMOPT_OBSERVED_AVX2
  if (path == ObservedKernelPath::kAvx2Fma) return avx2(args...);
#endif
  return portable(args...);
}

}  // namespace

double observed_residuals(ObservedKernelPath path, ColumnBlock a, ColumnBlock b,
                          const Observation* obs, std::size_t count, double* residual) {
  return dispatch(path, "observed_residuals", AVX2_OR_PORTABLE(residuals), residuals_portable, a, b,
                  obs, count, residual);
}

double observed_residuals(ColumnBlock a, ColumnBlock b, const Observation* obs, std::size_t count,
                          double* residual) {
  return observed_residuals(observed_kernel_path(), a, b, obs, count, residual);
}

void observed_accumulate(ObservedKernelPath path, ColumnBlock a, const Observation* obs,
                         std::size_t count, const double* residual, double scale,
                         MutableColumnBlock g) {
  dispatch(path, "observed_accumulate", AVX2_OR_PORTABLE(accumulate), accumulate_portable, a, obs,
           count, residual, scale, g);
}

void observed_accumulate(ColumnBlock a, const Observation* obs, std::size_t count,
                         const double* residual, double scale, MutableColumnBlock g) {
  observed_accumulate(observed_kernel_path(), a, obs, count, residual, scale, g);
}

void observed_accumulate_transposed(ObservedKernelPath path, ColumnBlock a, const Observation* obs,
                                    std::size_t count, const double* residual, double scale,
                                    MutableColumnBlock g) {
  dispatch(path, "observed_accumulate_transposed", AVX2_OR_PORTABLE(accumulate_transposed),
           accumulate_transposed_portable, a, obs, count, residual, scale, g);
}

void observed_accumulate_transposed(ColumnBlock a, const Observation* obs, std::size_t count,
                                    const double* residual, double scale, MutableColumnBlock g) {
  observed_accumulate_transposed(observed_kernel_path(), a, obs, count, residual, scale, g);
}

double observed_residuals_and_accumulate(ObservedKernelPath path, ColumnBlock a, ColumnBlock b,
                                         const Observation* obs, std::size_t count, double scale,
                                         double* residual, MutableColumnBlock g,
                                         MutableColumnBlock h) {
  return dispatch(path, "observed_residuals_and_accumulate", AVX2_OR_PORTABLE(fused),
                  fused_portable, a, b, obs, count, scale, residual, g, h);
}

double observed_residuals_and_accumulate(ColumnBlock a, ColumnBlock b, const Observation* obs,
                                         std::size_t count, double scale, double* residual,
                                         MutableColumnBlock g, MutableColumnBlock h) {
  return observed_residuals_and_accumulate(observed_kernel_path(), a, b, obs, count, scale,
                                           residual, g, h);
}

}  // namespace riemopt::detail
