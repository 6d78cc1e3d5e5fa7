// complete_by_flow: the metrics against independent computations, the Euclidean flow against its
// closed form, the DLN flow's low-rank recovery, the stopping targets, the free energy's descent,
// and bad options.
#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <cmath>
#include <limits>
#include <map>

#include "riemopt/energies/completion_flow.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/manifolds/end_to_end_map.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/manifolds/parameter_space.hpp"

namespace {

using namespace riemopt;

TEST(CompletionFlow, EuclideanFlowMatchesItsClosedForm) {
  // With E = ½Σ_Ω (X_ij − M_ij)² and the Euclidean metric, observed entries relax as
  // M + (X₀ − M)e^{−t} and unobserved ones never move.
  const auto inst = make_completion_instance({12, 9, 2, 40, 3});
  CompletionFlowOptions o;
  o.geometry = CompletionGeometry::kEuclidean;
  o.target_train_mse = 0.0;
  o.flow.gradient_tolerance = 0.0;
  o.flow.final_time = 3.0;
  o.flow.absolute_tolerance = 1e-13;
  o.flow.relative_tolerance = 1e-12;
  const Matrix x0 = completion_start(12, 9, o);
  const auto r = complete_by_flow(12, 9, inst.observed, &inst.truth, o);
  ASSERT_EQ(r.summary.status, TerminationStatus::kFinalTimeReached) << r.summary.message;
  Matrix expected = x0;
  for (const Observation& ob : inst.observed)
    expected(ob.row, ob.col) = ob.value + (x0(ob.row, ob.col) - ob.value) * std::exp(-3.0);
  EXPECT_LT((r.x - expected).cwiseAbs().maxCoeff(), 1e-11);
  // Metrics recomputed here from their definitions (docs/MATH.md §6).
  EXPECT_NEAR(r.metrics.test_mse, (r.x - inst.truth).squaredNorm() / 108.0, 1e-15);
  EXPECT_NEAR(r.metrics.relative_error, (r.x - inst.truth).norm() / inst.truth.norm(), 1e-15);
  double train = 0.0;
  for (const Observation& ob : inst.observed) train += std::pow(r.x(ob.row, ob.col) - ob.value, 2);
  EXPECT_NEAR(r.metrics.train_mse, train / 40.0, 1e-15);
  const Vector s = Eigen::JacobiSVD<Matrix>(r.x).singularValues();
  EXPECT_LT((r.metrics.singular_values - s).norm(), 1e-12 * s(0));
  EXPECT_NEAR(r.metrics.nuclear_norm, s.sum(), 1e-12 * s.sum());
  const Vector p = s / s.sum();
  EXPECT_NEAR(r.metrics.effective_rank, std::exp(-(p.array() * p.array().log()).sum()), 1e-12);
}

TEST(CompletionFlow, DlnFlowRecoversALowRankMatrixAndRecordsItsPath) {
  const auto inst = make_completion_instance({30, 30, 2, 360, 11});
  CompletionFlowOptions o;  // DLN(3), Gaussian-product start 1e-3, stop at train MSE 1e-6
  const auto r = complete_by_flow(30, 30, inst.observed, &inst.truth, o);
  ASSERT_EQ(r.summary.status, TerminationStatus::kConverged) << r.summary.message;
  EXPECT_NE(r.summary.message.find("train MSE"), std::string::npos);
  EXPECT_LE(r.metrics.train_mse, 1e-6);
  EXPECT_LT(r.metrics.test_mse, 1e-4);
  EXPECT_LT(r.metrics.effective_rank, 2.1);
  // The trajectory carries the metric columns; its last row is the final state.
  const Trajectory& t = r.summary.trajectory;
  ASSERT_GE(t.observable_names.size(), 5u);
  EXPECT_EQ(t.observable_names[0], "train_mse");
  EXPECT_EQ(t.observable_names[1], "test_mse");
  EXPECT_EQ(t.observable_names[2], "effective_rank");
  EXPECT_EQ(t.observable_names[3], "sigma_1");
  EXPECT_NEAR(t.observables.back()[1], r.metrics.test_mse, 1e-12);
  EXPECT_NEAR(t.observables.back()[3], r.metrics.singular_values(0), 1e-9);
  // Incremental learning: the effective rank at the start is far above the final one.
  EXPECT_GT(t.observables.front()[2], 10.0);
}

TEST(CompletionFlow, TestTargetStopsTheFlow) {
  const auto inst = make_completion_instance({30, 30, 2, 360, 11});
  CompletionFlowOptions o;
  o.target_train_mse = 0.0;
  o.target_test_mse = 1e-2;
  const auto r = complete_by_flow(30, 30, inst.observed, &inst.truth, o);
  ASSERT_EQ(r.summary.status, TerminationStatus::kConverged) << r.summary.message;
  EXPECT_NE(r.summary.message.find("test MSE"), std::string::npos);
  EXPECT_LE(r.metrics.test_mse, 1e-2);
  EXPECT_GT(r.metrics.test_mse, 1e-4);  // stopped at the target, not far past it
}

TEST(CompletionFlow, FreeEnergyDecreasesAndEntropyLiftsTheSmallSingularValues) {
  const auto inst = make_completion_instance({20, 20, 2, 200, 5});
  CompletionFlowOptions o;
  o.init = CompletionInit::kScaledIdentity;
  o.target_train_mse = 0.0;
  o.flow.gradient_tolerance = 0.0;
  o.flow.final_time = 5.0;
  const auto plain = complete_by_flow(20, 20, inst.observed, &inst.truth, o);
  o.beta = 300.0;
  const auto entropic = complete_by_flow(20, 20, inst.observed, &inst.truth, o);
  ASSERT_EQ(entropic.summary.status, TerminationStatus::kFinalTimeReached)
      << entropic.summary.message;
  EXPECT_NE(entropic.summary.energy.find("entropy"), std::string::npos) << entropic.summary.energy;
  const auto& values = entropic.summary.trajectory.values;
  for (std::size_t i = 1; i < values.size(); ++i) EXPECT_LE(values[i], values[i - 1] + 1e-9);
  // The entropy pushes singular values apart from zero: the tail is lifted, the rank grows.
  EXPECT_GT(entropic.metrics.singular_values(19), 3.0 * plain.metrics.singular_values(19));
  EXPECT_GT(entropic.metrics.effective_rank, plain.metrics.effective_rank);
}

TEST(CompletionFlow, EntropicFlowFromARankDeficientStartStopsWithAStatus) {
  // The flow of E is defined at rank-deficient X, the entropy's gradient is not: the solver
  // must say so through its status, not throw or run on NaN.
  const auto inst = make_completion_instance({6, 6, 2, 20, 2});
  const auto loss = std::make_shared<MatrixCompletion>(6, 6, inst.observed);
  const Problem problem(dln_matrices(6, 6, Depth::finite(3)),
                        free_energy(loss, std::make_shared<MatrixEntropy>(Depth::finite(3)), 1e3));
  Matrix x0 = Matrix::Zero(6, 6);
  x0.topLeftCorner(4, 4) = 1e-3 * Matrix::Identity(4, 4);  // rank 4 of 6
  GradientFlowOptions options;
  options.final_time = 1.0;
  const Summary s = gradient_flow(problem, x0.reshaped(), options);
  EXPECT_EQ(s.status, TerminationStatus::kNumericalFailure);
  EXPECT_NE(s.message.find("rank"), std::string::npos) << s.message;
  EXPECT_EQ(s.x, x0.reshaped().eval());
}

TEST(CompletionFlow, BadOptionsAreRejected) {
  const auto inst = make_completion_instance({6, 5, 1, 10, 1});
  auto run = [&](auto edit, const Matrix* truth) {
    CompletionFlowOptions o;
    edit(o);
    return complete_by_flow(6, 5, inst.observed, truth, o);
  };
  EXPECT_THROW(run([](auto& o) { o.beta = 2.0; }, nullptr), InvalidArgument);  // not square
  EXPECT_THROW(run([](auto& o) { o.beta = -1.0; }, nullptr), InvalidArgument);
  EXPECT_THROW(run([](auto& o) { o.beta = NAN; }, nullptr), InvalidArgument);
  EXPECT_THROW(run([](auto& o) { o.init_scale = 0.0; }, nullptr), InvalidArgument);
  EXPECT_THROW(run([](auto& o) { o.init_factors = -2; }, nullptr), InvalidArgument);
  EXPECT_THROW(run([](auto& o) { o.target_test_mse = 1e-3; }, nullptr), InvalidArgument);
  EXPECT_THROW(run([](auto& o) { o.target_train_mse = -1.0; }, nullptr), InvalidArgument);
  EXPECT_THROW(run([](auto& o) { o.flow.relative_tolerance = -1.0; }, nullptr), InvalidArgument);
  const Matrix wrong = Matrix::Zero(5, 6);
  EXPECT_THROW(run([](auto&) {}, &wrong), InvalidArgument);
  Matrix nan_truth = inst.truth;
  nan_truth(0, 0) = NAN;
  EXPECT_THROW(run([](auto&) {}, &nan_truth), InvalidArgument);
}

}  // namespace

namespace {

// docs/MATH.md §2: the factor path integrates the Euclidean flow of E∘φ from the balanced
// factorization of the start; φ(W(t)) must be the matrix path's X(t) at every recorded time, to
// the integrators' tolerance, with or without the entropy.
TEST(CompletionFlow, FactorPathFollowsTheMatrixFlow) {
  const CompletionInstance inst = make_completion_instance({6, 6, 2, 24, 4});
  for (int depth : {2, 3, 5}) {
    for (double beta : {std::numeric_limits<double>::infinity(), 20.0}) {
      SCOPED_TRACE(fmt::format("depth {}, beta {}", depth, beta));
      CompletionFlowOptions o;
      o.depth = Depth::finite(depth);
      o.beta = beta;
      o.init_scale = 0.3;  // distinct singular values from the start: the entropy is smooth
      o.target_train_mse = 0.0;
      o.flow.gradient_tolerance = 0.0;
      o.flow.final_time = 2.0;
      o.flow.relative_tolerance = 1e-11;
      o.flow.absolute_tolerance = 1e-13;
      o.flow.trajectory.times = {0.25, 0.5, 1.0, 2.0};
      o.flow.trajectory.store_points = true;
      o.path = CompletionPath::kMatrix;
      const CompletionFlowResult matrix = complete_by_flow(6, 6, inst.observed, &inst.truth, o);
      o.path = CompletionPath::kFactors;
      const CompletionFlowResult factors = complete_by_flow(6, 6, inst.observed, &inst.truth, o);
      ASSERT_EQ(matrix.path, CompletionPath::kMatrix);
      ASSERT_EQ(factors.path, CompletionPath::kFactors);
      ASSERT_EQ(matrix.summary.status, TerminationStatus::kFinalTimeReached);
      ASSERT_EQ(factors.summary.status, TerminationStatus::kFinalTimeReached);
      const Trajectory& a = matrix.summary.trajectory;
      const Trajectory& b = factors.summary.trajectory;
      ASSERT_EQ(a.points.size(), b.points.size());
      const ParameterSpace space(std::vector<Eigen::Index>(static_cast<std::size_t>(depth) + 1, 6));
      std::size_t compared = 0;
      for (std::size_t i = 0; i < a.points.size(); ++i) {
        ASSERT_DOUBLE_EQ(a.times[i], b.times[i]);
        if (a.times[i] < 0.25) continue;
        const Matrix x = a.points[i].reshaped(6, 6);
        const Matrix phi = EndToEndMap(space, b.points[i]).product();
        EXPECT_LT((phi - x).norm(), 1e-7 * x.norm()) << "t = " << a.times[i];
        ++compared;
      }
      EXPECT_EQ(compared, 4u);
      EXPECT_LT((factors.x - matrix.x).norm(), 1e-7 * matrix.x.norm());
      // Without the entropy the only SVDs are the records' singular values; S_N needs one per
      // right-hand side.
      if (std::isfinite(beta))
        EXPECT_GT(factors.summary.svd_count, b.size());
      else
        EXPECT_LE(factors.summary.svd_count, b.size());
      EXPECT_EQ(factors.factors.size(), space.ambient_size());
    }
  }
}

// Every integrator the command line offers, at the command line's tolerances
// (CompletionFlowOptions::use_integrator), against a Dormand–Prince reference at rtol 1e-10 on a
// stiff completion run (15×15, rank 2, 90 entries, start scale 1e-2), at depth 3 and at infinite
// depth: the estimate's relative error at five times from the plateau to the late, slow phase.
// Measured (rtol 1e-4 for RKC and Rosenbrock at depth 3, 1e-6 at infinite depth, 1e-8 for
// Dormand–Prince): depth 3, largest errors 1.4e-8, 2.6e-3, 9.5e-4; infinite depth 9.0e-7, 8.8e-4,
// 1.5e-3, always at t = 100, where the infinite-depth flow amplifies errors (at rtol 1e-4 the
// stiff integrators were 8–11 % off there).
void expect_integrators_follow_a_tight_reference(Depth depth) {
  const CompletionInstance inst = make_completion_instance({15, 15, 2, 90, 2});
  const std::vector<double> times = {0.5, 2.0, 8.0, 30.0, 100.0};
  {
    auto run = [&](Integrator integrator, double rtol, CompletionPath path) {
      CompletionFlowOptions o;
      o.depth = depth;
      o.init_scale = 1e-2;
      o.path = path;
      o.use_integrator(integrator);
      if (rtol > 0.0) {
        o.flow.relative_tolerance = rtol;
        o.flow.absolute_tolerance = 1e-3 * rtol;
      } else {
        o.tighten_for_infinite_depth();  // the command line's tolerances
      }
      o.target_train_mse = 0.0;
      o.flow.gradient_tolerance = 0.0;
      o.flow.final_time = times.back();
      o.flow.trajectory.times = times;
      o.flow.trajectory.store_points = true;
      return complete_by_flow(15, 15, inst.observed, &inst.truth, o);
    };
    const CompletionFlowResult reference =
        run(Integrator::kDormandPrince, 1e-10, CompletionPath::kMatrix);
    std::map<Integrator, std::int64_t> rhs;
    ASSERT_EQ(reference.summary.status, TerminationStatus::kFinalTimeReached)
        << reference.summary.FullReport();
    // The factor path (finite depth; Rosenbrock needs the matrix path's least-squares form) is
    // held to the same reference through φ(W(t)), with its absolute tolerance carried to the
    // factors' scale.
    std::vector<std::pair<Integrator, CompletionPath>> runs = {
        {Integrator::kDormandPrince, CompletionPath::kMatrix},
        {Integrator::kRungeKuttaChebyshev, CompletionPath::kMatrix},
        {Integrator::kRosenbrock, CompletionPath::kMatrix}};
    if (!depth.is_infinite()) {
      runs.emplace_back(Integrator::kDormandPrince, CompletionPath::kFactors);
      runs.emplace_back(Integrator::kRungeKuttaChebyshev, CompletionPath::kFactors);
    }
    for (const auto& [integrator, path] : runs) {
      const CompletionFlowResult r = run(integrator, 0.0, path);
      const std::string label =
          fmt::format("{} on {}", to_string(integrator),
                      path == CompletionPath::kMatrix ? "matrices" : "factors");
      SCOPED_TRACE(fmt::format("depth {}, {} ({})", depth.to_string(), label, r.summary.solver));
      ASSERT_EQ(r.summary.status, TerminationStatus::kFinalTimeReached) << r.summary.FullReport();
      ASSERT_EQ(r.path, path);
      const Trajectory& a = r.summary.trajectory;
      const Trajectory& b = reference.summary.trajectory;
      ASSERT_EQ(a.points.size(), b.points.size());
      double worst = 0.0;
      for (std::size_t i = 0; i < a.points.size(); ++i) {
        if (a.times[i] <= 0.0) continue;
        const Vector x = path == CompletionPath::kMatrix
                             ? a.points[i]
                             : Vector(EndToEndMap(ParameterSpace(r.factor_widths), a.points[i])
                                          .product()
                                          .reshaped());
        const double error = (x - b.points[i]).norm() / b.points[i].norm();
        worst = std::max(worst, error);
        std::printf("depth %s %-40s t = %6.1f  relative error %.2e  (|X| = %.3g)\n",
                    depth.to_string().c_str(), label.c_str(), a.times[i], error,
                    b.points[i].norm());
      }
      std::printf("depth %s %-40s RHS evaluations %lld (reference %lld)\n",
                  depth.to_string().c_str(), label.c_str(),
                  static_cast<long long>(r.summary.rhs_evaluations),
                  static_cast<long long>(reference.summary.rhs_evaluations));
      EXPECT_LT(worst, 1e-2);
      if (path == CompletionPath::kMatrix) rhs[integrator] = r.summary.rhs_evaluations;
    }
    // The command line's default (RKC) passes with fewer evaluations than Dormand–Prince (the
    // wall-clock comparison on the flagship is in docs/BENCHMARKS.md).
    EXPECT_LT(rhs[Integrator::kRungeKuttaChebyshev], rhs[Integrator::kDormandPrince]);
  }
}

TEST(CompletionFlow, EveryCommandLineIntegratorFollowsATightReferenceAtDepthThree) {
  expect_integrators_follow_a_tight_reference(Depth::finite(3));
}

TEST(CompletionFlow, EveryCommandLineIntegratorFollowsATightReferenceAtInfiniteDepth) {
  expect_integrators_follow_a_tight_reference(Depth::infinite());
}

TEST(CompletionFlow, FactorPathIsChosenWhereItAppliesAndRefusedElsewhere) {
  CompletionFlowOptions o;
  EXPECT_EQ(o.resolved_path(), CompletionPath::kFactors);  // depth 3, no entropy, the flow
  for (int depth : {2, 4, 6, kMaxAutoFactorDepth}) {
    o.depth = Depth::finite(depth);
    EXPECT_EQ(o.resolved_path(), CompletionPath::kFactors) << depth;
  }
  o.depth = Depth::finite(3);
  o.beta = 10.0;
  EXPECT_EQ(o.resolved_path(), CompletionPath::kMatrix);  // the entropy needs the SVD anyway
  o.beta = std::numeric_limits<double>::infinity();
  o.depth = Depth::finite(kMaxAutoFactorDepth + 1);
  EXPECT_EQ(o.resolved_path(), CompletionPath::kMatrix);
  o.path = CompletionPath::kFactors;
  EXPECT_EQ(o.resolved_path(), CompletionPath::kFactors);  // asked for: allowed
  o.depth = Depth::finite(8);
  EXPECT_EQ(o.resolved_path(), CompletionPath::kFactors);  // any finite depth when asked for
  o.depth = Depth::infinite();
  EXPECT_THROW(o.resolved_path(), InvalidArgument);
  o.depth = Depth::finite(3);
  o.geometry = CompletionGeometry::kEuclidean;
  EXPECT_THROW(o.resolved_path(), InvalidArgument);
  o.geometry = CompletionGeometry::kDln;
  o.solver = CompletionSolver::kTrustRegion;
  EXPECT_THROW(o.resolved_path(), InvalidArgument);
  o.path = CompletionPath::kAuto;
  EXPECT_EQ(o.resolved_path(), CompletionPath::kMatrix);
  o.solver = CompletionSolver::kFlow;
  o.use_integrator(Integrator::kRosenbrock);  // needs a least-squares energy: matrices only
  EXPECT_EQ(o.resolved_path(), CompletionPath::kMatrix);
  o.path = CompletionPath::kFactors;
  EXPECT_THROW(o.resolved_path(), InvalidArgument);
}

}  // namespace
