// The passes over the observed entries behind the factored completion loss, alone and fused: every
// instruction-set path this machine can run against a plain triple loop, at widths below, at and
// past the vector blocks (4 and 16 rows), on column blocks with a stride larger than their height,
// and with runs of observations that share a column.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "riemopt/energies/observed_entry_kernels.hpp"

namespace {

using namespace riemopt;
using detail::ObservedKernelPath;

std::vector<ObservedKernelPath> available_paths() {
  std::vector<ObservedKernelPath> paths;
  for (auto path : {ObservedKernelPath::kPortable, ObservedKernelPath::kAvx2Fma})
    if (detail::observed_kernel_available(path)) paths.push_back(path);
  return paths;
}

// Ω sorted by column then row, as the factored loss keeps it, with some full columns (long runs).
std::vector<Observation> observations(Eigen::Index m, Eigen::Index n, std::mt19937_64& rng) {
  std::vector<Observation> obs;
  std::bernoulli_distribution keep(0.3);
  std::normal_distribution<double> value;
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i)
      if (j % 5 == 0 || keep(rng)) obs.push_back({i, j, value(rng)});
  return obs;
}

TEST(ObservedEntryKernels, EveryPathMatchesThePlainLoops) {
  std::mt19937_64 rng(11);
  const Eigen::Index m = 23, n = 17, pad = 3;
  const auto paths = available_paths();
  ASSERT_FALSE(paths.empty());
  EXPECT_TRUE(detail::observed_kernel_available(detail::observed_kernel_path()));
  for (Eigen::Index k : {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 33, 100}) {
    SCOPED_TRACE(fmt::format("k = {}", k));
    // Stride k + pad: the kernels must not assume that columns are adjacent.
    const Matrix a = Matrix::Random(k + pad, m), b = Matrix::Random(k + pad, n);
    const Matrix g0 = Matrix::Random(k + pad, n), h0 = Matrix::Random(k + pad, m);
    const std::vector<Observation> obs = observations(m, n, rng);
    const double scale = -0.75;
    // The plain loops.
    Vector r_ref(static_cast<Eigen::Index>(obs.size()));
    double sum_ref = 0.0;
    Matrix g_ref = g0, h_ref = h0;
    for (std::size_t t = 0; t < obs.size(); ++t) {
      double dot = 0.0;
      for (Eigen::Index c = 0; c < k; ++c) dot += a(c, obs[t].row) * b(c, obs[t].col);
      const double r = dot - obs[t].value;
      r_ref(static_cast<Eigen::Index>(t)) = r;
      sum_ref += r * r;
      for (Eigen::Index c = 0; c < k; ++c) {
        g_ref(c, obs[t].col) += scale * r * a(c, obs[t].row);
        h_ref(c, obs[t].row) += scale * r * b(c, obs[t].col);
      }
    }
    for (ObservedKernelPath path : paths) {
      SCOPED_TRACE(detail::observed_kernel_name(path));
      const detail::ColumnBlock ab{a.data(), k, k + pad}, bb{b.data(), k, k + pad};
      Vector r(static_cast<Eigen::Index>(obs.size()));
      const double sum = detail::observed_residuals(path, ab, bb, obs.data(), obs.size(), r.data());
      EXPECT_NEAR(sum, sum_ref, 1e-13 * sum_ref);
      EXPECT_LT((r - r_ref).lpNorm<Eigen::Infinity>(), 1e-13 * std::max<double>(1.0, k));
      Matrix g = g0, h = h0;
      // The scatters read the reference residuals, so each is checked on its own.
      detail::observed_accumulate(path, ab, obs.data(), obs.size(), r_ref.data(), scale,
                                  {g.data(), k, k + pad});
      detail::observed_accumulate_transposed(path, bb, obs.data(), obs.size(), r_ref.data(), scale,
                                             {h.data(), k, k + pad});
      EXPECT_LT((g - g_ref).lpNorm<Eigen::Infinity>(), 1e-12 * g_ref.lpNorm<Eigen::Infinity>());
      EXPECT_LT((h - h_ref).lpNorm<Eigen::Infinity>(), 1e-12 * h_ref.lpNorm<Eigen::Infinity>());
      // The padding rows below each column are never written.
      EXPECT_EQ(g.bottomRows(pad), g0.bottomRows(pad));
      EXPECT_EQ(h.bottomRows(pad), h0.bottomRows(pad));
      // The fused pass: the same residuals, sum and both scatters, from its own residuals.
      Matrix gf = g0, hf = h0;
      Vector rf = Vector::Constant(static_cast<Eigen::Index>(obs.size()), 7.0);
      const double sum_fused = detail::observed_residuals_and_accumulate(
          path, ab, bb, obs.data(), obs.size(), scale, rf.data(), {gf.data(), k, k + pad},
          {hf.data(), k, k + pad});
      EXPECT_NEAR(sum_fused, sum_ref, 1e-13 * sum_ref);
      EXPECT_LT((rf - r_ref).lpNorm<Eigen::Infinity>(), 1e-13 * std::max<double>(1.0, k));
      EXPECT_LT((gf - g_ref).lpNorm<Eigen::Infinity>(), 1e-12 * g_ref.lpNorm<Eigen::Infinity>());
      EXPECT_LT((hf - h_ref).lpNorm<Eigen::Infinity>(), 1e-12 * h_ref.lpNorm<Eigen::Infinity>());
      EXPECT_EQ(gf.bottomRows(pad), g0.bottomRows(pad));
      EXPECT_EQ(hf.bottomRows(pad), h0.bottomRows(pad));
    }
  }
}

TEST(ObservedEntryKernels, AnEmptySetChangesNothing) {
  for (ObservedKernelPath path : available_paths()) {
    const Matrix a = Matrix::Random(5, 4);
    Matrix g = Matrix::Random(5, 4);
    const Matrix before = g;
    double unused = 0.0;
    EXPECT_EQ(
        detail::observed_residuals(path, {a.data(), 5, 5}, {a.data(), 5, 5}, nullptr, 0, &unused),
        0.0);
    detail::observed_accumulate(path, {a.data(), 5, 5}, nullptr, 0, nullptr, 1.0, {g.data(), 5, 5});
    detail::observed_accumulate_transposed(path, {a.data(), 5, 5}, nullptr, 0, nullptr, 1.0,
                                           {g.data(), 5, 5});
    EXPECT_EQ(detail::observed_residuals_and_accumulate(path, {a.data(), 5, 5}, {a.data(), 5, 5},
                                                        nullptr, 0, 1.0, &unused, {g.data(), 5, 5},
                                                        {g.data(), 5, 5}),
              0.0);
    EXPECT_EQ(g, before);
  }
}

}  // namespace
