// The nuclear-norm completion baseline: its optimality certificate checked independently (a
// feasible primal and a dual-feasible Y whose objectives meet), exact recovery where theory
// guarantees it, and bad options.
#include <gtest/gtest.h>

#include <Eigen/SVD>

#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/nuclear_norm_completion.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/matrix_statistics.hpp"

namespace {

using namespace riemopt;

Vector singular_values(const Matrix& m) { return Eigen::JacobiSVD<Matrix>(m).singularValues(); }

// Verifies the certificate with Jacobi SVDs (not the solver's backend): x is feasible, Y lives on
// Ω with ‖Y‖₂ ≤ 1, the bounds are what they claim, and they meet to `gap`.
void expect_certified_optimal(const NuclearNormCompletionResult& r,
                              const std::vector<Observation>& obs, double gap) {
  const Matrix& x = r.x;
  Matrix on_omega = Matrix::Zero(x.rows(), x.cols());
  double inner = 0.0;
  for (const Observation& o : obs) {
    EXPECT_EQ(x(o.row, o.col), o.value);
    on_omega(o.row, o.col) = r.dual_certificate(o.row, o.col);
    inner += r.dual_certificate(o.row, o.col) * o.value;
  }
  EXPECT_EQ((r.dual_certificate - on_omega).norm(), 0.0);  // Y is supported on Ω
  EXPECT_LE(singular_values(r.dual_certificate)(0), 1.0 + 1e-12);
  const double upper = singular_values(x).sum();
  EXPECT_NEAR(upper, r.nuclear_norm, 1e-10 * upper);
  EXPECT_NEAR(inner, r.lower_bound, 1e-10 * upper);
  EXPECT_LE((upper - inner) / upper, gap);
  EXPECT_GE(upper - inner, -1e-10 * upper);  // weak duality
}

TEST(NuclearNormCompletion, UnderdeterminedProblemIsSolvedToACertifiedGap) {
  // 30x30 rank 3 with 250 observations: far from exact recovery, so the minimizer is not the
  // truth and only the certificate can vouch for it.
  const auto inst = make_completion_instance({30, 30, 3, 250, 4});
  NuclearNormCompletionOptions options;
  options.gap_tolerance = 1e-7;
  const auto r = complete_nuclear_norm(30, 30, inst.observed, options);
  ASSERT_EQ(r.summary.status, TerminationStatus::kConverged) << r.summary.message;
  expect_certified_optimal(r, inst.observed, 1e-7);
  // The truth is feasible, so it cannot have a smaller nuclear norm than the minimizer.
  EXPECT_LE(r.nuclear_norm, nuclear_norm(singular_values(inst.truth)) * (1 + 1e-7));
  EXPECT_GT(mean_squared_difference(r.x, inst.truth), 1e-2);  // not recovered at this sampling
}

TEST(NuclearNormCompletion, RecoversALowRankMatrixFromEnoughSamples) {
  // 40x40 rank 2 with 60% observed: well inside the exact-recovery regime.
  const auto inst = make_completion_instance({40, 40, 2, 960, 9});
  NuclearNormCompletionOptions options;
  options.gap_tolerance = 1e-9;
  const auto r = complete_nuclear_norm(40, 40, inst.observed, options);
  ASSERT_EQ(r.summary.status, TerminationStatus::kConverged) << r.summary.message;
  expect_certified_optimal(r, inst.observed, 1e-9);
  EXPECT_LT(mean_squared_difference(r.x, inst.truth), 1e-12);
  EXPECT_EQ(r.rank, 2);
  EXPECT_GT(r.summary.svd_count, 0u);
}

TEST(NuclearNormCompletion, FullyObservedMatrixIsReturnedAsIs) {
  std::vector<Observation> obs;
  Matrix m(3, 2);
  m << 1, 2, 3, 4, 5, -6;
  for (Eigen::Index j = 0; j < 2; ++j)
    for (Eigen::Index i = 0; i < 3; ++i) obs.push_back({i, j, m(i, j)});
  const auto r = complete_nuclear_norm(3, 2, obs);
  EXPECT_EQ(r.x, m);
  EXPECT_NEAR(r.nuclear_norm, singular_values(m).sum(), 1e-12);
  EXPECT_LE(r.relative_gap, 1e-6);
}

TEST(NuclearNormCompletion, AllZeroObservationsGiveZero) {
  const auto r = complete_nuclear_norm(4, 5, {{0, 0, 0.0}, {3, 4, 0.0}});
  EXPECT_EQ(r.summary.status, TerminationStatus::kConverged);
  EXPECT_EQ(r.x.norm(), 0.0);
}

TEST(NuclearNormCompletion, BadOptionsAndDataAreRejected) {
  const std::vector<Observation> obs = {{0, 0, 1.0}};
  auto with = [&](auto edit) {
    NuclearNormCompletionOptions o;
    edit(o);
    return o;
  };
  EXPECT_THROW(complete_nuclear_norm(2, 2, obs, with([](auto& o) { o.gap_tolerance = 0; })),
               InvalidArgument);
  EXPECT_THROW(complete_nuclear_norm(2, 2, obs, with([](auto& o) { o.gap_tolerance = NAN; })),
               InvalidArgument);
  EXPECT_THROW(complete_nuclear_norm(2, 2, obs, with([](auto& o) { o.max_iterations = 0; })),
               InvalidArgument);
  EXPECT_THROW(complete_nuclear_norm(2, 2, obs, with([](auto& o) { o.penalty = -1; })),
               InvalidArgument);
  EXPECT_THROW(complete_nuclear_norm(2, 2, obs, with([](auto& o) { o.max_wall_seconds = 0; })),
               InvalidArgument);
  EXPECT_THROW(complete_nuclear_norm(2, 2, obs, with([](auto& o) { o.gradient_tolerance = 1e-8; })),
               InvalidArgument);
  EXPECT_THROW(complete_nuclear_norm(2, 2, obs, with([](auto& o) { o.max_evaluations = 3; })),
               InvalidArgument);
  EXPECT_THROW(complete_nuclear_norm(2, 2, {}), InvalidArgument);
  EXPECT_THROW(complete_nuclear_norm(2, 2, {{2, 0, 1.0}}), InvalidArgument);
  EXPECT_THROW(complete_nuclear_norm(2, 2, {{0, 0, INFINITY}}), InvalidArgument);
}

TEST(NuclearNormCompletion, ReportsThroughTheLibrarySummary) {
  const auto inst = make_completion_instance({20, 20, 2, 200, 3});
  NuclearNormCompletionOptions options;
  const auto r = complete_nuclear_norm(20, 20, inst.observed, options);
  ASSERT_EQ(r.summary.status, TerminationStatus::kConverged) << r.summary.message;
  EXPECT_TRUE(r.summary.is_success());
  ASSERT_EQ(r.summary.x.size(), 400);
  EXPECT_EQ((r.summary.x - Eigen::Map<const Vector>(r.x.data(), 400)).norm(), 0.0);
  EXPECT_EQ(r.summary.final_value, r.nuclear_norm);
  EXPECT_EQ(r.summary.final_gradient_norm, r.primal_residual);
  EXPECT_LE(r.summary.final_gradient_norm, options.gap_tolerance);
  // The first feasible estimate is Π_Ω(0) = M on Ω: its nuclear norm, by an independent SVD.
  Matrix observed = Matrix::Zero(20, 20);
  for (const Observation& o : inst.observed) observed(o.row, o.col) = o.value;
  EXPECT_NEAR(r.summary.initial_value, singular_values(observed).sum(), 1e-10 * r.nuclear_norm);
  EXPECT_GT(r.summary.iterations, 0);
  EXPECT_NE(r.summary.backend_report.find("relative gap"), std::string::npos);
  EXPECT_NE(r.summary.to_json().find("\"nuclear-norm (ADMM)\""), std::string::npos);
}

TEST(NuclearNormCompletion, BudgetsAndCallbacksEndWithoutSuccess) {
  const auto inst = make_completion_instance({20, 20, 2, 200, 3});
  NuclearNormCompletionOptions options;
  options.max_iterations = 3;
  auto r = complete_nuclear_norm(20, 20, inst.observed, options);
  EXPECT_EQ(r.summary.status, TerminationStatus::kMaxIterations);
  EXPECT_FALSE(r.summary.is_success());
  EXPECT_EQ(r.summary.iterations, 3);

  options = {};
  // SVDs: one of the data, one per iteration, two for the closing certificate.
  options.max_evaluations = 5;
  r = complete_nuclear_norm(20, 20, inst.observed, options);
  EXPECT_EQ(r.summary.status, TerminationStatus::kMaxEvaluations);
  EXPECT_EQ(r.summary.iterations, 2);
  EXPECT_EQ(r.summary.svd_count, 5u);

  options = {};
  std::int64_t seen = 0;
  options.callbacks.push_back([&](const IterationInfo& info) {
    seen = info.iteration;
    EXPECT_GE(info.gradient_norm, 0.0);  // the primal residual
    return info.iteration == 7 ? CallbackResult::kAbort : CallbackResult::kContinue;
  });
  r = complete_nuclear_norm(20, 20, inst.observed, options);
  EXPECT_EQ(r.summary.status, TerminationStatus::kUserAbort);
  EXPECT_EQ(r.summary.iterations, 7);
  EXPECT_EQ(seen, 7);
}

}  // namespace
