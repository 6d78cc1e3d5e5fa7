// The gradient-flow solver: exact solutions, stopping rules, recording, costs, failures.
#include <gtest/gtest.h>

#include <cmath>

#include "riemopt/energies/brockett.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/manifolds/sphere.hpp"
#include "riemopt/svd.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;

// σ̇ = −N σ^{2−2/N} σ (Schatten-2 under the DLN metric) has the closed form
// σ(t) = (σ₀^{−a} + aNt)^{−1/a}, a = 2 − 2/N (N = 1: σ₀e^{−t}; N = ∞: σ̇ = −σ³, a = 2, N·a → 2).
double schatten2_sigma(double s0, Depth depth, double t) {
  if (depth.is_infinite()) return std::pow(std::pow(s0, -2.0) + 2.0 * t, -0.5);
  const int n = depth.value();
  if (n == 1) return s0 * std::exp(-t);
  const double a = 2.0 - 2.0 / n;
  return std::pow(std::pow(s0, -a) + a * n * t, -1.0 / a);
}

TEST(GradientFlow, DlnFlowOfSchatten2KeepsSingularVectorsAndFollowsTheScalarOde) {
  Rng rng(1);
  Vector sigma0(4);
  sigma0 << 3.0, 1.2, 0.5, 0.05;
  for (Depth depth : {Depth::finite(1), Depth::finite(2), Depth::finite(3), Depth::finite(5),
                      Depth::infinite()}) {
    Matrix Q, R;
    const Matrix X0 = riemopt::testing::matrix_with_singular_values(4, 4, sigma0, rng, &Q, &R);
    const Problem problem(dln_matrices(4, 4, depth), std::make_shared<SchattenEnergy>(2.0));
    GradientFlowOptions options;
    options.final_time = 2.0;
    options.gradient_tolerance = 0.0;
    options.absolute_tolerance = 1e-13;
    options.relative_tolerance = 1e-12;
    options.trajectory.store_points = true;
    const Summary summary = gradient_flow(problem, X0.reshaped(), options);
    ASSERT_EQ(summary.status, TerminationStatus::kFinalTimeReached) << summary.message;
    EXPECT_EQ(summary.final_time, 2.0);
    const auto& traj = summary.trajectory;
    ASSERT_GE(traj.size(), 30u);  // t = 0, 1e-3 .. 2 at 10 per decade, and the end
    for (std::size_t i = 0; i < traj.size(); ++i) {
      Vector expected(4);
      for (int k = 0; k < 4; ++k) expected[k] = schatten2_sigma(sigma0[k], depth, traj.times[i]);
      const Matrix Xt = traj.points[i].reshaped(4, 4);
      // Q and R are kept: Qᵀ X(t) R is diagonal with the scalar solutions on the diagonal.
      const Matrix D = Q.transpose() * Xt * R;
      EXPECT_LE((D - Matrix(expected.asDiagonal())).norm() / expected.norm(), 1e-9)
          << "N=" << depth.to_string() << " t=" << traj.times[i];
    }
  }
}

TEST(GradientFlow, TinyAndCollidingSingularValuesFollowTheScalarOdeOneByOne) {
  Rng rng(11);
  Vector sigma0(3);
  sigma0 << 1e-6, 1e-6, 1e-8;  // an exact collision and an initial scale of 1e-8
  Matrix Q, R;
  const Matrix X0 = riemopt::testing::matrix_with_singular_values(3, 3, sigma0, rng, &Q, &R);
  for (Depth depth : {Depth::finite(2), Depth::finite(4), Depth::infinite()}) {
    const Problem problem(dln_matrices(3, 3, depth), std::make_shared<SchattenEnergy>(2.0));
    GradientFlowOptions options;
    options.final_time = 1e6;  // long enough for the slow algebraic decay to show
    options.gradient_tolerance = 0.0;
    options.absolute_tolerance = 1e-22;
    options.relative_tolerance = 1e-10;
    const Summary s = gradient_flow(problem, X0.reshaped(), options);
    ASSERT_EQ(s.status, TerminationStatus::kFinalTimeReached) << s.message;
    const Matrix D = Q.transpose() * s.x.reshaped(3, 3) * R;
    for (int k = 0; k < 3; ++k) {
      const double expected = schatten2_sigma(sigma0[k], depth, options.final_time);
      EXPECT_NEAR(D(k, k) / expected, 1.0, 1e-7) << "N=" << depth.to_string() << " k=" << k;
    }
    EXPECT_LE((D - Matrix(D.diagonal().asDiagonal())).norm(), 1e-7 * D.diagonal().norm());
  }
}

TEST(GradientFlow, RungeKutta4AgreesWithDormandPrince) {
  Rng rng(2);
  const Problem problem(dln_matrices(3, 3, Depth::finite(3)),
                        std::make_shared<SchattenEnergy>(3.0));
  const Vector x0 = riemopt::testing::random_matrix(3, 3, rng).reshaped();
  GradientFlowOptions dp;
  dp.final_time = 1.0;
  dp.gradient_tolerance = 0;
  GradientFlowOptions rk = dp;
  dp.absolute_tolerance = dp.relative_tolerance = 1e-13;
  rk.integrator = Integrator::kRungeKutta4;
  rk.fixed_step = 1e-3;
  const Summary a = gradient_flow(problem, x0, dp), b = gradient_flow(problem, x0, rk);
  EXPECT_EQ(b.status, TerminationStatus::kFinalTimeReached);
  EXPECT_DOUBLE_EQ(b.final_time, 1.0);
  EXPECT_EQ(b.iterations, 1000);
  EXPECT_LE((a.x - b.x).norm() / a.x.norm(), 1e-10);  // RK4 error ~ h^4 = 1e-12
}

TEST(GradientFlow, StopsAtTheGradientTolerance) {
  Rng rng(3);
  const Problem problem(dln_matrices(3, 3, Depth::finite(2)),
                        std::make_shared<SchattenEnergy>(2.0));
  GradientFlowOptions options;
  options.gradient_tolerance = 1e-6;
  const Summary s =
      gradient_flow(problem, riemopt::testing::random_matrix(3, 3, rng).reshaped(), options);
  EXPECT_EQ(s.status, TerminationStatus::kConverged) << s.message;
  EXPECT_LE(s.final_gradient_norm, 1e-6);
  EXPECT_GT(s.final_gradient_norm, 0.0);
  EXPECT_LT(s.final_value, s.initial_value);
  EXPECT_NE(s.BriefReport().find("converged"), std::string::npos);
}

TEST(GradientFlow, EveryEvaluationCostsExactlyOneSvd) {
  Rng rng(4);
  const EnergyPtr energy = EnergyPtr(std::make_shared<SchattenEnergy>(3.0)) +
                           EnergyPtr(std::make_shared<SchattenEnergy>(1.5));
  const Problem problem(dln_matrices(5, 5, Depth::finite(4)), energy);
  GradientFlowOptions options;
  options.final_time = 0.5;
  options.gradient_tolerance = 0;
  const Summary s =
      gradient_flow(problem, riemopt::testing::random_matrix(5, 5, rng).reshaped(), options);
  EXPECT_GT(s.rhs_evaluations, 10);
  EXPECT_EQ(static_cast<std::int64_t>(s.svd_count), s.evaluations.gradients);
  EXPECT_GE(s.evaluations.gradients, s.rhs_evaluations);
}

TEST(GradientFlow, BlowUpEndsWithAStatusNotALoop) {
  // E = −¼Σx⁴: the flow ẋ = x³ blows up at t = 1/(2x₀²) = 0.5.
  const EnergyPtr energy = std::make_shared<LambdaEnergy>(
      "-quartic", 2, [](const Point& x) { return -0.25 * x.coords().array().pow(4).sum(); },
      [](const Point& x, VectorRef g) { g = -x.coords().array().pow(3); });
  const Problem problem(euclidean_matrices(2, 1), energy);
  GradientFlowOptions options;
  options.final_time = 10.0;
  const Summary s = gradient_flow(problem, Vector::Ones(2), options);
  EXPECT_TRUE(s.status == TerminationStatus::kNumericalFailure ||
              s.status == TerminationStatus::kStepSizeTooSmall)
      << to_string(s.status) << ": " << s.message;
  EXPECT_LT(s.final_time, 0.5 + 1e-6);
  EXPECT_GT(s.final_time, 0.49);
}

TEST(GradientFlow, AnUnstableFixedStepEndsOnEnergyIncreasedNotOnSuccess) {
  // RK4 with a step far beyond its stability limit on a completion flow: the energy went from
  // 134 to 2.55e51 and the run reported final_time_reached. A gradient flow never increases its
  // energy, so the first accepted step that does ends the run with a failure.
  const auto inst =
      make_completion_instance({.rows = 10, .cols = 8, .rank = 2, .observations = 40, .seed = 3});
  const Problem problem(euclidean_matrices(10, 8),
                        std::make_shared<MatrixCompletion>(10, 8, inst.observed));
  GradientFlowOptions options;
  options.integrator = Integrator::kRungeKutta4;
  options.fixed_step = 10.0;
  options.final_time = 1000.0;
  const Summary s = gradient_flow(problem, Vector::Zero(80), options);
  EXPECT_EQ(s.status, TerminationStatus::kEnergyIncreased) << s.message;
  EXPECT_FALSE(s.is_success());
  EXPECT_EQ(s.iterations, 1);  // the first step already rose
  EXPECT_NE(s.message.find("never increases its energy"), std::string::npos) << s.message;
  // A stable step on the same flow is a success, and its energy only went down.
  options.fixed_step = 0.1;
  options.final_time = 5.0;
  const Summary stable = gradient_flow(problem, Vector::Zero(80), options);
  EXPECT_EQ(stable.status, TerminationStatus::kFinalTimeReached) << stable.message;
  EXPECT_LT(stable.final_value, stable.initial_value);
}

TEST(GradientFlow, TheDomainEdgeRejectsStepsAndEndsOnStepUnderflow) {
  // E = −x₁ on x₁ < 2 (outside, the evaluation throws, as the entropy does at rank-deficient
  // points): the flow ẋ₁ = 1 reaches the edge at t = 1.5 from x₁ = 0.5. Trial steps beyond it are
  // rejected, so the adaptive flow closes in on the edge and stops on step-size underflow, saying
  // why; the fixed-step flow cannot shrink its step and reports the last valid state.
  const EnergyPtr energy = std::make_shared<LambdaEnergy>(
      "edge", 2,
      [](const Point& x) {
        if (x.coords()(0) >= 2.0) throw NumericalError("outside the domain");
        return -x.coords()(0);
      },
      [](const Point& x, VectorRef g) {
        if (x.coords()(0) >= 2.0) throw NumericalError("outside the domain");
        g << -1.0, 0.0;
      });
  const Problem problem(euclidean_matrices(2, 1), energy);
  GradientFlowOptions options;
  options.final_time = 10.0;
  options.trajectory.enabled = false;
  const Summary s = gradient_flow(problem, Vector::Constant(2, 0.5), options);
  ASSERT_EQ(s.status, TerminationStatus::kStepSizeTooSmall) << s.message;
  EXPECT_NE(s.message.find("outside the domain"), std::string::npos) << s.message;
  EXPECT_LT(s.x(0), 2.0);
  EXPECT_GT(s.x(0), 2.0 - 1e-6);                  // it got as close to the edge as steps allow
  EXPECT_NEAR(s.x(0), 0.5 + s.final_time, 1e-9);  // and stayed on the exact solution
  EXPECT_EQ(s.final_value, -s.x(0));              // the reported state was evaluated

  options.integrator = Integrator::kRungeKutta4;
  options.fixed_step = 0.4;
  const Summary r = gradient_flow(problem, Vector::Constant(2, 0.5), options);
  ASSERT_EQ(r.status, TerminationStatus::kNumericalFailure) << r.message;
  EXPECT_NE(r.message.find("outside the domain"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("last valid state"), std::string::npos) << r.message;
  EXPECT_NEAR(r.final_time, 1.2, 1e-12);  // steps at 0.4, 0.8, 1.2; the next one crosses 2
  EXPECT_NEAR(r.x(0), 1.7, 1e-12);
}

TEST(GradientFlow, BudgetsAndCallbacksStopTheFlow) {
  Rng rng(5);
  const Problem problem(dln_matrices(3, 3, Depth::finite(3)),
                        std::make_shared<SchattenEnergy>(3.0));
  const Vector x0 = riemopt::testing::random_matrix(3, 3, rng).reshaped();
  GradientFlowOptions options;
  options.final_time = 1e6;
  options.gradient_tolerance = 0;
  options.max_iterations = 7;
  Summary s = gradient_flow(problem, x0, options);
  EXPECT_EQ(s.status, TerminationStatus::kMaxIterations);
  EXPECT_EQ(s.iterations, 7);
  options.max_iterations = 1'000'000;
  int calls = 0;
  options.callbacks.push_back([&calls](const IterationInfo& it) {
    ++calls;
    return it.time > 0.1 ? CallbackResult::kAbort : CallbackResult::kContinue;
  });
  s = gradient_flow(problem, x0, options);
  EXPECT_EQ(s.status, TerminationStatus::kUserAbort);
  EXPECT_GT(s.final_time, 0.1);
  EXPECT_GT(calls, 1);
}

TEST(GradientFlow, RecordsObservablesAtExplicitTimesAndWritesCsv) {
  Rng rng(6);
  const Problem problem(dln_matrices(3, 3, Depth::finite(2)),
                        std::make_shared<SchattenEnergy>(2.0));
  GradientFlowOptions options;
  options.final_time = 1.0;
  options.gradient_tolerance = 0;
  options.trajectory.times = {0.0, 0.25, 0.5, 1.0};
  options.trajectory.observable_names = {"sigma_max"};
  options.trajectory.observables = [](const Point& x) {
    return std::vector<double>{svd_of(x).sigma[0]};
  };
  const Summary s =
      gradient_flow(problem, riemopt::testing::random_matrix(3, 3, rng).reshaped(), options);
  const auto& t = s.trajectory;
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t.times, (std::vector<double>{0.0, 0.25, 0.5, 1.0}));
  for (std::size_t i = 1; i < t.size(); ++i) EXPECT_LT(t.values[i], t.values[i - 1]);
  const std::string csv = t.to_csv();
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "time,value,gradient_norm,sigma_max");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
}

// On an embedded manifold the flow projects every accepted step back onto it (a projection
// method), so it needs the manifold's hooks (project, retract, project_point): a hand-written
// sphere without them is refused on entry, naming the hook (one that claimed to be an open subset
// once ended at x = 0 with a success status). test_embedded_manifolds.cpp runs the flow on the
// library's sphere.
TEST(GradientFlow, RefusesEmbeddedManifoldsWithoutTheirHooks) {
  struct Sphere final : Manifold {
    std::string name() const override { return "unit sphere S^2"; }
    Eigen::Index ambient_size() const override { return 3; }
    Eigen::Index dimension() const override { return 2; }
    ManifoldKind kind() const override { return ManifoldKind::kEmbedded; }
    Vector random_point(Rng&) const override { return Vector::Unit(3, 0); }
  };
  const Geometry sphere{std::make_shared<Sphere>(), std::make_shared<EuclideanMetric>()};
  const auto rayleigh = std::make_shared<LambdaEnergy>(
      "rayleigh", 3, [](const Point& x) { return x.coords().dot(x.coords()); },
      [](const Point& x, VectorRef g) { g = 2.0 * x.coords(); });
  const Problem problem(sphere, rayleigh);
  GradientFlowOptions options;
  options.final_time = 1.0;
  for (Integrator integrator :
       {Integrator::kDormandPrince, Integrator::kRungeKutta4, Integrator::kRungeKuttaChebyshev}) {
    options.integrator = integrator;
    try {
      gradient_flow(problem, Vector::Unit(3, 0), options);
      FAIL() << "the flow ran on an embedded manifold without project_point";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("does not override project()"), std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("unit sphere S^2"), std::string::npos) << e.what();
    }
  }
}

// A tolerance below what the integrator can attain ends the run with tolerance_unreachable and
// the floor it reached, within a few windows of steps, instead of spending the step budget (the
// Rayleigh flow on the sphere once ran 10⁶ steps at |grad| ≈ 4e-9 against a tolerance of 1e-9).
TEST(GradientFlow, ToleranceBelowTheAttainableAccuracyEndsWithTheFloor) {
  const Eigen::Index n = 30;
  Rng rng(11);
  const Matrix q = riemopt::testing::random_orthogonal(n, rng);
  const Matrix a = q * Vector::LinSpaced(n, 1.0, 5.0).asDiagonal() * q.transpose();
  const Problem sphere(sphere_geometry(n), rayleigh_quotient(0.5 * (a + a.transpose())));
  const Vector x0 = Sphere(n).random_point(rng);
  // The free energy ½‖X‖² − S_3/β on 3×3 matrices under the DLN-3 metric (an open subset).
  const Problem free(dln_matrices(3, 3, Depth::finite(3)),
                     free_energy(std::make_shared<SchattenEnergy>(2.0),
                                 std::make_shared<MatrixEntropy>(Depth::finite(3)), 4.0));
  const Vector y0 = riemopt::testing::random_matrix(3, 3, rng).reshaped() +
                    2.0 * Matrix::Identity(3, 3).reshaped();
  struct Case {
    const Problem* problem;
    Vector start;
    Integrator integrator;
    double tolerance;
  };
  // (RKC, whose stability region grows with its stage count, reaches 1e-9 on the sphere.)
  for (const Case& c : {Case{&sphere, x0, Integrator::kDormandPrince, 1e-9},
                        Case{&free, y0, Integrator::kDormandPrince, 1e-12}}) {
    GradientFlowOptions options;
    options.integrator = c.integrator;
    options.gradient_tolerance = c.tolerance;
    const Summary s = gradient_flow(*c.problem, c.start, options);
    EXPECT_EQ(s.status, TerminationStatus::kToleranceUnreachable) << s.FullReport();
    EXPECT_FALSE(s.is_success());
    EXPECT_LE(s.iterations, 20'000) << s.FullReport();
    EXPECT_GT(s.final_gradient_norm, c.tolerance);
    EXPECT_NE(s.message.find("settled at"), std::string::npos) << s.message;
    // Tight integrator tolerances reach the target on the same problem.
    options.relative_tolerance = 1e-13;
    options.absolute_tolerance = 1e-15;
    options.gradient_tolerance = 100.0 * c.tolerance;
    const Summary tight = gradient_flow(*c.problem, c.start, options);
    EXPECT_EQ(tight.status, TerminationStatus::kConverged) << tight.FullReport();
  }
}

TEST(GradientFlow, RejectsBadOptionsAndStarts) {
  const Problem problem(dln_matrices(2, 2, Depth::finite(2)),
                        std::make_shared<SchattenEnergy>(2.0));
  const Vector x0 = Vector::Ones(4);
  auto expect_invalid = [&](const GradientFlowOptions& o, const char* fragment) {
    try {
      gradient_flow(problem, x0, o);
      ADD_FAILURE() << "expected InvalidArgument mentioning " << fragment;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  GradientFlowOptions o;
  o.gradient_tolerance = -1;
  expect_invalid(o, "gradient_tolerance");
  o = {};
  o.max_iterations = 0;
  expect_invalid(o, "max_iterations");
  o = {};
  o.absolute_tolerance = 0;
  expect_invalid(o, "absolute_tolerance");
  o = {};
  o.final_time = -1;
  expect_invalid(o, "final_time");
  o = {};
  o.gradient_tolerance = 0;  // and final_time infinite, no callback: only a budget would stop it
  expect_invalid(o, "only a budget stops the flow");
  o.callbacks.emplace_back([](const IterationInfo&) { return CallbackResult::kContinue; });
  EXPECT_NO_THROW(o.validate());  // a callback may end the run
  o = {};
  o.trajectory.times = {0.5, 0.25};
  expect_invalid(o, "increasing");
  Vector bad = x0;
  bad[2] = std::nan("");
  EXPECT_THROW(gradient_flow(problem, bad, {}), InvalidArgument);
  EXPECT_THROW(gradient_flow(problem, Vector::Ones(5), {}), InvalidArgument);
}

}  // namespace
