// Completion instances: the sample is the partial Fisher–Yates shuffle of all mn linear indices
// (checked against that shuffle written out here), with or without the dense truth; the truth's
// factors; and the random held-out split.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/manifold.hpp"

namespace {

using namespace riemopt;

TEST(CompletionInstance, SampleIsThePartialShuffleOfAllIndicesWithOrWithoutTheTruth) {
  const CompletionInstanceOptions options{23, 17, 3, 150, 42};
  const CompletionInstance dense = make_completion_instance(options);
  // The reference: the same draws (U, V, then the shuffle) on an explicit array of indices.
  Rng rng(options.seed);
  gaussian_vector(23 * 3, rng);
  gaussian_vector(17 * 3, rng);
  std::vector<Eigen::Index> all(23 * 17);
  std::iota(all.begin(), all.end(), 0);
  for (Eigen::Index k = 0; k < 150; ++k) {
    std::uniform_int_distribution<Eigen::Index> pick(k, 23 * 17 - 1);
    std::swap(all[static_cast<std::size_t>(k)], all[static_cast<std::size_t>(pick(rng))]);
  }
  all.resize(150);
  std::sort(all.begin(), all.end());
  ASSERT_EQ(dense.observed.size(), 150u);
  for (std::size_t k = 0; k < all.size(); ++k) {
    EXPECT_EQ(dense.observed[k].row, all[k] % 23);
    EXPECT_EQ(dense.observed[k].col, all[k] / 23);
    EXPECT_EQ(dense.observed[k].value, dense.truth(all[k] % 23, all[k] / 23));
  }
  EXPECT_NEAR(dense.truth.norm(), std::sqrt(23.0 * 17.0), 1e-12);
  EXPECT_LT((dense.left * dense.right.transpose() - dense.truth).norm(),
            1e-13 * dense.truth.norm());

  CompletionInstanceOptions factored_options = options;
  factored_options.form_truth = false;
  const CompletionInstance factored = make_completion_instance(factored_options);
  EXPECT_EQ(factored.truth.size(), 0);
  ASSERT_EQ(factored.observed.size(), dense.observed.size());
  for (std::size_t k = 0; k < all.size(); ++k) {
    EXPECT_EQ(factored.observed[k].row, dense.observed[k].row);
    EXPECT_EQ(factored.observed[k].col, dense.observed[k].col);
    EXPECT_NEAR(factored.observed[k].value, dense.observed[k].value, 1e-13);
  }
  EXPECT_LT((factored.left - dense.left).norm(), 1e-13 * dense.left.norm());
}

TEST(CompletionInstance, EveryEntryCanBeObserved) {
  // |Ω| = mn: the shuffle's last draws have one choice each.
  const CompletionInstance all = make_completion_instance({4, 3, 1, 12, 5, false});
  std::set<std::pair<Eigen::Index, Eigen::Index>> seen;
  for (const Observation& o : all.observed) seen.insert({o.row, o.col});
  EXPECT_EQ(seen.size(), 12u);
  EXPECT_THROW(make_completion_instance({4, 3, 1, 13, 5, false}), InvalidArgument);
}

TEST(SplitObservations, HoldsOutTheFractionAtRandomAndKeepsEverything) {
  const CompletionInstance inst = make_completion_instance({30, 20, 2, 400, 3});
  const ObservationSplit split = split_observations(inst.observed, 0.1, 9);
  EXPECT_EQ(split.held_out.size(), 40u);
  EXPECT_EQ(split.train.size(), 360u);
  // A partition of the entries, each part in the original order.
  std::vector<Observation> merged = split.train;
  merged.insert(merged.end(), split.held_out.begin(), split.held_out.end());
  const auto key = [](const Observation& o) { return std::make_pair(o.col, o.row); };
  std::sort(merged.begin(), merged.end(),
            [&](const Observation& a, const Observation& b) { return key(a) < key(b); });
  ASSERT_EQ(merged.size(), inst.observed.size());
  for (std::size_t k = 0; k < merged.size(); ++k) {
    EXPECT_EQ(key(merged[k]), key(inst.observed[k]));
    EXPECT_EQ(merged[k].value, inst.observed[k].value);
  }
  EXPECT_TRUE(
      std::is_sorted(split.held_out.begin(), split.held_out.end(),
                     [&](const Observation& a, const Observation& b) { return key(a) < key(b); }));
  // Not the first or last 40: spread over the matrix.
  EXPECT_LT(split.held_out.front().col, 5);
  EXPECT_GT(split.held_out.back().col, 15);
  // Deterministic in the seed, and different for another seed.
  const ObservationSplit again = split_observations(inst.observed, 0.1, 9);
  const ObservationSplit other = split_observations(inst.observed, 0.1, 10);
  EXPECT_EQ(key(again.held_out[7]), key(split.held_out[7]));
  bool differs = false;
  for (std::size_t k = 0; k < 40; ++k) differs |= key(other.held_out[k]) != key(split.held_out[k]);
  EXPECT_TRUE(differs);
  EXPECT_EQ(split_observations(inst.observed, 0.0, 1).train.size(), 400u);
  EXPECT_THROW(split_observations(inst.observed, 1.0, 1), InvalidArgument);
  EXPECT_THROW(split_observations(inst.observed, -0.1, 1), InvalidArgument);
  EXPECT_THROW(split_observations(inst.observed, 0.9999, 1), InvalidArgument);  // none left
}

}  // namespace
