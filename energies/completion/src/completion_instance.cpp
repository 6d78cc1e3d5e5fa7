#include "riemopt/energies/completion_instance.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "riemopt/errors.hpp"
#include "riemopt/manifold.hpp"

namespace riemopt {
namespace {

// An m×n matrix of i.i.d. N(0, stddev²) entries (column-major draws, as gaussian_vector).
Matrix gaussian_matrix(Eigen::Index m, Eigen::Index n, double stddev, Rng& rng) {
  return stddev * gaussian_vector(m * n, rng).reshaped(m, n);
}

}  // namespace

CompletionInstance make_completion_instance(const CompletionInstanceOptions& o) {
  require(o.rows >= 1 && o.cols >= 1, "completion instance: shape must be at least 1x1 (got {}x{})",
          o.rows, o.cols);
  require(o.rank >= 1 && o.rank <= std::min(o.rows, o.cols),
          "completion instance: rank {} must be between 1 and min(rows, cols) = {}", o.rank,
          std::min(o.rows, o.cols));
  require(o.observations >= 1 && o.observations <= o.rows * o.cols,
          "completion instance: observations {} must be between 1 and rows*cols = {}",
          o.observations, o.rows * o.cols);
  Rng rng(o.seed);
  const Matrix U = gaussian_matrix(o.rows, o.rank, 1.0, rng);
  const Matrix V = gaussian_matrix(o.cols, o.rank, 1.0, rng);
  CompletionInstance inst;
  inst.truth = U * V.transpose();
  inst.truth *= std::sqrt(static_cast<double>(o.rows * o.cols)) / inst.truth.norm();
  // Uniform sample without replacement: a partial Fisher–Yates shuffle of all linear indices.
  std::vector<Eigen::Index> all(static_cast<std::size_t>(o.rows * o.cols));
  std::iota(all.begin(), all.end(), 0);
  for (Eigen::Index k = 0; k < o.observations; ++k) {
    std::uniform_int_distribution<Eigen::Index> pick(k, o.rows * o.cols - 1);
    std::swap(all[static_cast<std::size_t>(k)], all[static_cast<std::size_t>(pick(rng))]);
  }
  all.resize(static_cast<std::size_t>(o.observations));
  std::sort(all.begin(), all.end());
  inst.observed.reserve(all.size());
  for (Eigen::Index idx : all) {
    const Eigen::Index i = idx % o.rows, j = idx / o.rows;
    inst.observed.push_back({i, j, inst.truth(i, j)});
  }
  return inst;
}

Vector gaussian_product_init(Eigen::Index rows, Eigen::Index cols, Depth depth, double scale,
                             std::uint64_t seed) {
  return gaussian_product_init(rows, cols, depth, scale, seed, [] { return true; });
}

Vector gaussian_product_init(Eigen::Index rows, Eigen::Index cols, Depth depth, double scale,
                             std::uint64_t seed, const std::function<bool()>& keep_going) {
  require(rows >= 1 && cols >= 1, "gaussian_product_init: shape must be at least 1x1");
  require(!depth.is_infinite(),
          "gaussian_product_init: infinite depth has no factorization; pass a finite depth");
  require(std::isfinite(scale) && scale > 0.0,
          "gaussian_product_init: scale must be finite and > 0 (got {})", scale);
  const int n = depth.value();
  Rng rng(seed);
  // Each factor has entries of std scale^{1/N}/√(fan-in), so each multiplies ‖·‖²_F by ≈
  // scale^{2/N}.
  const double root = std::pow(scale, 1.0 / n);
  const Eigen::Index k = std::min(rows, cols);
  if (!keep_going()) return {};
  Matrix X =
      gaussian_matrix(n == 1 ? rows : k, cols, root / std::sqrt(static_cast<double>(cols)), rng);
  for (int p = 2; p <= n; ++p) {
    if (!keep_going()) return {};
    X = gaussian_matrix(p == n ? rows : k, k, root / std::sqrt(static_cast<double>(k)), rng) * X;
  }
  return X.reshaped();
}

}  // namespace riemopt
