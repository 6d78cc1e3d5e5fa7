#include "riemopt/energies/completion_instance.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <unordered_map>

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
  const double size = std::sqrt(static_cast<double>(o.rows * o.cols));
  if (o.form_truth) {
    inst.truth = U * V.transpose();
    const double scale = size / inst.truth.norm();
    inst.truth *= scale;
    inst.left = scale * U;
  } else {
    // ‖UVᵀ‖²_F = tr((UᵀU)(VᵀV)).
    const Matrix gram_u = U.transpose() * U, gram_v = V.transpose() * V;
    inst.left = (size / std::sqrt(gram_u.cwiseProduct(gram_v).sum())) * U;
  }
  inst.right = V;
  // Uniform sample without replacement: a partial Fisher–Yates shuffle of all linear indices
  // 0 … mn − 1, with the positions it touched kept in a hash map instead of an array of mn
  // indices (the same draws and the same sample, in O(observations) memory).
  const Eigen::Index total = o.rows * o.cols;
  std::unordered_map<Eigen::Index, Eigen::Index> moved;
  moved.reserve(static_cast<std::size_t>(2 * o.observations));
  const auto at = [&moved](Eigen::Index i) {
    const auto found = moved.find(i);
    return found == moved.end() ? i : found->second;
  };
  std::vector<Eigen::Index> chosen(static_cast<std::size_t>(o.observations));
  for (Eigen::Index k = 0; k < o.observations; ++k) {
    std::uniform_int_distribution<Eigen::Index> pick(k, total - 1);
    const Eigen::Index j = pick(rng);
    const Eigen::Index at_k = at(k), at_j = at(j);
    moved[j] = at_k;
    chosen[static_cast<std::size_t>(k)] = at_j;
  }
  std::sort(chosen.begin(), chosen.end());
  inst.observed.reserve(chosen.size());
  for (Eigen::Index idx : chosen) {
    const Eigen::Index i = idx % o.rows, j = idx / o.rows;
    const double value = o.form_truth ? inst.truth(i, j) : inst.left.row(i).dot(inst.right.row(j));
    inst.observed.push_back({i, j, value});
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

FactoredStart gaussian_product_factors(Eigen::Index rows, Eigen::Index cols, Eigen::Index width,
                                       int factors, double scale, std::uint64_t seed) {
  return gaussian_product_factors(rows, cols, width, factors, scale, seed, [] { return true; });
}

FactoredStart gaussian_product_factors(Eigen::Index rows, Eigen::Index cols, Eigen::Index width,
                                       int factors, double scale, std::uint64_t seed,
                                       const std::function<bool()>& keep_going) {
  require(rows >= 1 && cols >= 1, "gaussian_product_factors: shape must be at least 1x1");
  require(width >= 1 && width <= std::min(rows, cols),
          "gaussian_product_factors: width must be between 1 and min(rows, cols) = {} (got {})",
          std::min(rows, cols), width);
  require(factors >= 2,
          "gaussian_product_factors: needs at least 2 factors (got {}); one factor is a full "
          "{}x{} matrix with no inner width",
          factors, rows, cols);
  require(std::isfinite(scale) && scale > 0.0,
          "gaussian_product_factors: scale must be finite and > 0 (got {})", scale);
  Rng rng(seed);
  // The draws of gaussian_product_init, in its order: G_1 first, then G_2, …, G_K.
  const double root = std::pow(scale, 1.0 / factors);
  FactoredStart start;
  if (!keep_going()) return {};
  start.right = gaussian_matrix(width, cols, root / std::sqrt(static_cast<double>(cols)), rng);
  const double stddev = root / std::sqrt(static_cast<double>(width));
  if (!keep_going()) return {};
  Matrix left = gaussian_matrix(factors == 2 ? rows : width, width, stddev, rng);
  for (int p = 3; p <= factors; ++p) {
    if (!keep_going()) return {};
    left = gaussian_matrix(p == factors ? rows : width, width, stddev, rng) * left;
  }
  start.left = std::move(left);
  return start;
}

ObservationSplit split_observations(const std::vector<Observation>& entries, double fraction,
                                    std::uint64_t seed) {
  require(fraction >= 0.0 && fraction < 1.0,
          "split_observations: the held-out fraction must be in [0, 1) (got {})", fraction);
  const auto count = static_cast<std::size_t>(std::llround(fraction * entries.size()));
  require(count < entries.size() || entries.empty(),
          "split_observations: holding out {} of {} entries leaves none to train on", count,
          entries.size());
  // A partial Fisher–Yates shuffle picks the held-out positions; both sets keep file order.
  std::vector<std::size_t> order(entries.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  Rng rng(seed);
  for (std::size_t k = 0; k < count; ++k) {
    std::uniform_int_distribution<std::size_t> pick(k, order.size() - 1);
    std::swap(order[k], order[pick(rng)]);
  }
  std::vector<char> held(entries.size(), 0);
  for (std::size_t k = 0; k < count; ++k) held[order[k]] = 1;
  ObservationSplit split;
  split.held_out.reserve(count);
  split.train.reserve(entries.size() - count);
  for (std::size_t k = 0; k < entries.size(); ++k)
    (held[k] ? split.held_out : split.train).push_back(entries[k]);
  return split;
}

}  // namespace riemopt
