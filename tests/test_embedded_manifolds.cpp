// Solvers on embedded manifolds (the sphere and Stiefel, docs/MATH.md §11): closed-form flows,
// quadratic convergence of Newton and the trust region, the Riemannian gradient under another
// metric, and refusals where a solver cannot serve the geometry.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>

#include "riemopt/ceres_solvers.hpp"
#include "riemopt/energies/brockett.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/flow_linearization.hpp"
#include "riemopt/gradient_descent.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/hessian_operator.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/manifolds/sphere.hpp"
#include "riemopt/manifolds/stiefel.hpp"
#include "riemopt/newton.hpp"
#include "riemopt/riemannian_hessian.hpp"
#include "riemopt/trust_region.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;

// A symmetric positive definite matrix with eigenvalues spread over [1, 5] and known eigenpairs.
struct SymmetricInstance {
  Matrix a, q;
  Vector lambda;
  SymmetricInstance(Eigen::Index n, std::uint64_t seed) {
    Rng rng(seed);
    q = riemopt::testing::random_orthogonal(n, rng);
    lambda = Vector::LinSpaced(n, 1.0, 5.0);
    a = q * lambda.asDiagonal() * q.transpose();
    a = 0.5 * (a + a.transpose()).eval();
  }
};

using riemopt::testing::expect_invalid;

// The Rayleigh-quotient flow ẋ = −grad(xᵀAx) = −2(Ax − (xᵀAx)x) on the sphere has the closed form
// x(t) = e^{−2tA}x₀ / ‖e^{−2tA}x₀‖. Every explicit integrator must follow it to its tolerance and
// keep every recorded point on the sphere.
TEST(SphereFlow, RayleighQuotientFlowMatchesTheClosedForm) {
  const Eigen::Index n = 12;
  const SymmetricInstance inst(n, 5);
  const Problem problem(sphere_geometry(n), rayleigh_quotient(inst.a));
  Rng rng(9);
  const Vector x0 = Sphere(n).random_point(rng);
  const std::vector<double> times = {0.0, 0.05, 0.2, 0.5, 1.0, 2.0};
  auto exact = [&](double t) {
    const Vector c = inst.q.transpose() * x0;
    const Vector y = inst.q * (c.array() * (-2.0 * t * inst.lambda.array()).exp()).matrix();
    return Vector(y / y.norm());
  };
  struct Case {
    Integrator integrator;
    double tolerance;
  };
  for (const Case& c :
       {Case{Integrator::kDormandPrince, 1e-8}, Case{Integrator::kRungeKutta4, 1e-8},
        Case{Integrator::kRungeKuttaChebyshev, 1e-8}}) {
    GradientFlowOptions options;
    options.integrator = c.integrator;
    options.final_time = 2.0;
    options.gradient_tolerance = 0.0;
    options.relative_tolerance = 1e-11;
    options.absolute_tolerance = 1e-13;
    options.fixed_step = 1e-3;
    options.trajectory.times = times;
    options.trajectory.store_points = true;
    const Summary s = gradient_flow(problem, x0, options);
    ASSERT_EQ(s.status, TerminationStatus::kFinalTimeReached) << s.FullReport();
    ASSERT_EQ(s.trajectory.size(), times.size()) << to_string(c.integrator);
    for (std::size_t k = 0; k < times.size(); ++k) {
      const Vector& x = s.trajectory.points[k];
      EXPECT_LE((x - exact(times[k])).norm(), c.tolerance)
          << to_string(c.integrator) << " at t = " << times[k];
      EXPECT_LE(std::abs(x.norm() - 1.0), 1e-14) << to_string(c.integrator);
    }
    EXPECT_LE((s.x - exact(2.0)).norm(), c.tolerance) << to_string(c.integrator);
    EXPECT_NEAR(s.final_value, s.x.dot(inst.a * s.x), 1e-13);
  }
}

// Run to convergence, the flow ends at the eigenvector of the smallest eigenvalue, with a
// gradient norm that is the tangent projection's norm (never the clamped √(∇Eᵀgrad)).
TEST(SphereFlow, ConvergesToTheSmallestEigenvectorWithAnHonestGradientNorm) {
  const Eigen::Index n = 30;
  const SymmetricInstance inst(n, 11);
  const Problem problem(sphere_geometry(n), rayleigh_quotient(inst.a));
  Rng rng(3);
  const Vector x0 = Sphere(n).random_point(rng);
  for (Integrator integrator :
       {Integrator::kDormandPrince, Integrator::kRungeKuttaChebyshev, Integrator::kRungeKutta4}) {
    GradientFlowOptions options;
    options.integrator = integrator;
    // The explicit integrators hover at their stability limit near the minimizer, where the
    // gradient norm settles at the error control's level: tolerances below the target.
    options.gradient_tolerance = 1e-9;
    options.relative_tolerance = 1e-11;
    options.absolute_tolerance = 1e-13;
    options.fixed_step = 0.02;
    const Summary s = gradient_flow(problem, x0, options);
    ASSERT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
    EXPECT_LE(std::abs(s.x.norm() - 1.0), 1e-14);
    EXPECT_NEAR(s.final_value, inst.lambda[0], 1e-12);
    const Vector residual = 2.0 * (inst.a * s.x - s.x.dot(inst.a * s.x) * s.x);
    EXPECT_NEAR(s.final_gradient_norm, residual.norm(), 1e-12 * residual.norm() + 1e-15);
    EXPECT_GT(s.final_gradient_norm, 0.0);
  }
}

TEST(SphereProblem, GradientNormKeepsItsRelativePrecisionNearTheMinimizer) {
  const Eigen::Index n = 8;
  const SymmetricInstance inst(n, 2);
  const Problem problem(sphere_geometry(n), rayleigh_quotient(inst.a));
  Rng rng(4);
  const Sphere sphere(n);
  for (double offset : {1e-3, 1e-7, 1e-10}) {
    Vector x =
        inst.q.col(0) + offset * sphere.random_tangent(sphere.make_point(inst.q.col(0)), rng);
    x /= x.norm();
    Problem::Evaluation e;
    problem.evaluate(sphere.make_point(x), e);
    // Independent: in the eigenbasis, grad = 2 Q (Λ − ρ) c with c = Qᵀx, ρ = Σλc².
    const Vector c = inst.q.transpose() * x;
    const double rho = (inst.lambda.array() * c.array().square()).sum();
    const double expected = 2.0 * ((inst.lambda.array() - rho) * c.array()).matrix().norm();
    // Relative precision down to the rounding of Ax itself (about ε‖A‖ absolute, whatever the
    // order of the sums: BLAS and Eigen differ there).
    const double rounding =
        8.0 * std::numeric_limits<double>::epsilon() * inst.lambda.cwiseAbs().maxCoeff();
    EXPECT_NEAR(e.gradient_norm, expected, 1e-6 * expected + rounding) << "offset " << offset;
    EXPECT_LE(std::abs(x.dot(e.gradient)), 1e-15 * (1.0 + e.gradient.norm()));
  }
}

// Newton and the trust region converge quadratically: the gradient norm squares, up to a
// constant, in the last iterations.
void expect_quadratic_tail(const Trajectory& t, const std::string& label) {
  const auto& g = t.gradient_norms;
  ASSERT_GE(g.size(), 3u) << label;
  int quadratic_steps = 0;
  for (std::size_t k = 1; k < g.size(); ++k) {
    if (g[k - 1] > 1e-2 || g[k - 1] < 1e-11) continue;
    EXPECT_LE(g[k], 50.0 * g[k - 1] * g[k - 1] + 1e-13) << label << " iteration " << k;
    ++quadratic_steps;
  }
  EXPECT_GE(quadratic_steps, 1) << label;
}

TEST(SphereSecondOrder, NewtonAndTrustRegionFindTheSmallestEigenvectorQuadratically) {
  const Eigen::Index n = 40;
  const SymmetricInstance inst(n, 21);
  const Problem problem(sphere_geometry(n), rayleigh_quotient(inst.a));
  // Start near the minimizer (Newton is local; the trust region also from farther away).
  Rng rng(8);
  const Sphere sphere(n);
  Vector near = inst.q.col(0) + 0.05 * sphere.random_tangent(sphere.make_point(inst.q.col(0)), rng);
  near /= near.norm();
  NewtonOptions newton_options;
  newton_options.gradient_tolerance = 1e-12;
  newton_options.trajectory.first_time = 1.0;
  newton_options.trajectory.per_decade = 1000;
  const Summary sn = newton(problem, near, newton_options);
  ASSERT_EQ(sn.status, TerminationStatus::kConverged) << sn.FullReport();
  EXPECT_NEAR(sn.final_value, inst.lambda[0], 1e-13);
  EXPECT_NEAR(std::abs(sn.x.dot(inst.q.col(0))), 1.0, 1e-13);
  EXPECT_LE(sn.iterations, 8);
  EXPECT_LE(std::abs(sn.x.norm() - 1.0), 1e-14);

  TrustRegionOptions tr_options;
  tr_options.gradient_tolerance = 1e-12;
  tr_options.trajectory.first_time = 1.0;
  tr_options.trajectory.per_decade = 1000;
  const Vector far = sphere.random_point(rng);
  const Summary st = trust_region(problem, far, tr_options);
  ASSERT_EQ(st.status, TerminationStatus::kConverged) << st.FullReport();
  EXPECT_NEAR(st.final_value, inst.lambda[0], 1e-13);
  EXPECT_NEAR(std::abs(st.x.dot(inst.q.col(0))), 1.0, 1e-12);
  expect_quadratic_tail(st.trajectory, "trust region");
  expect_quadratic_tail(sn.trajectory, "newton");
}

// Without the energy's Hessian the operator differentiates the projected field P_y∇E(y): it
// matches the exact Riemannian Hessian (Weingarten term included) to the difference's accuracy,
// and Newton converges with it.
TEST(SphereSecondOrder, FiniteDifferenceHessianMatchesTheExactOneAndNewtonConverges) {
  const Eigen::Index n = 15;
  const SymmetricInstance inst(n, 17);
  const Problem problem(sphere_geometry(n), rayleigh_quotient(inst.a));
  const Sphere sphere(n);
  Rng rng(3);
  const Point x = sphere.make_point(sphere.random_point(rng));
  Problem::Evaluation e;
  problem.evaluate(x, e);
  const HessianOperator exact(problem, x, e.euclidean_gradient, HessianMode::kExact);
  const HessianOperator difference(problem, x, e.euclidean_gradient,
                                   HessianMode::kFiniteDifference);
  for (int trial = 0; trial < 3; ++trial) {
    const Vector v = sphere.random_tangent(x, rng);
    Vector he(n), hd(n);
    exact.apply(v, he);
    difference.apply(v, hd);
    EXPECT_LE((he - hd).norm(), 1e-7 * he.norm());
    EXPECT_LE(std::abs(x.coords().dot(hd)), 1e-14 * hd.norm());  // tangent
  }
  Vector near = inst.q.col(0) + 0.05 * sphere.random_tangent(sphere.make_point(inst.q.col(0)), rng);
  near /= near.norm();
  NewtonOptions options;
  options.hessian = HessianMode::kFiniteDifference;
  options.gradient_tolerance = 1e-10;
  const Summary s = newton(problem, near, options);
  ASSERT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
  EXPECT_NEAR(s.final_value, inst.lambda[0], 1e-13);
  EXPECT_LE(s.iterations, 10);
}

TEST(StiefelSecondOrder, BrockettMinimizerHasTheSmallestEigenvaluesInOrder) {
  const Eigen::Index n = 20, p = 4;
  const SymmetricInstance inst(n, 31);
  const auto cost = std::make_shared<BrockettCost>(inst.a, Vector::LinSpaced(p, 4.0, 1.0));
  for (StiefelRetraction retraction : {StiefelRetraction::kPolar, StiefelRetraction::kQr}) {
    const Problem problem(stiefel_geometry(n, p, retraction), cost);
    Rng rng(12);
    const Vector x0 = Stiefel(n, p).random_point(rng);
    TrustRegionOptions options;
    options.gradient_tolerance = 1e-11;
    options.trajectory.first_time = 1.0;
    options.trajectory.per_decade = 1000;
    const Summary s = trust_region(problem, x0, options);
    const std::string label = to_string(retraction);
    ASSERT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
    const ConstMatrixMap x(s.x.data(), n, p);
    EXPECT_LE((x.transpose() * x - Matrix::Identity(p, p)).cwiseAbs().maxCoeff(), 1e-14) << label;
    const Matrix projected = x.transpose() * inst.a * x;
    for (Eigen::Index i = 0; i < p; ++i) {
      EXPECT_NEAR(projected(i, i), inst.lambda[i], 1e-10) << label << " diagonal " << i;
      for (Eigen::Index j = 0; j < p; ++j)
        if (i != j) {
          EXPECT_NEAR(projected(i, j), 0.0, 1e-10) << label;
        }
    }
    const double optimum =
        (Vector::LinSpaced(p, 4.0, 1.0).array() * inst.lambda.head(p).array()).sum();
    EXPECT_NEAR(s.final_value, optimum, 1e-11) << label;
    expect_quadratic_tail(s.trajectory, "trust region " + label);

    // Newton from the trust region's neighbourhood converges in a few steps.
    Rng near_rng(5);
    Vector start(n * p);
    const Stiefel manifold(n, p, retraction);
    const Point xs = manifold.make_point(s.x);
    manifold.retract(xs, 0.01 * manifold.random_tangent(xs, near_rng), start);
    NewtonOptions newton_options;
    newton_options.gradient_tolerance = 1e-11;
    const Summary sn = newton(problem, start, newton_options);
    ASSERT_EQ(sn.status, TerminationStatus::kConverged) << sn.FullReport();
    EXPECT_NEAR(sn.final_value, optimum, 1e-11) << label;
    EXPECT_LE(sn.iterations, 8) << label;
  }
}

TEST(StiefelFirstOrder, GradientDescentAndFlowReachTheBrockettMinimum) {
  const Eigen::Index n = 10, p = 3;
  const SymmetricInstance inst(n, 41);
  const auto cost = std::make_shared<BrockettCost>(inst.a, Vector::LinSpaced(p, 3.0, 1.0));
  const Problem problem(stiefel_geometry(n, p), cost);
  Rng rng(2);
  const Vector x0 = Stiefel(n, p).random_point(rng);
  const double optimum =
      (Vector::LinSpaced(p, 3.0, 1.0).array() * inst.lambda.head(p).array()).sum();
  GradientDescentOptions gd;
  gd.gradient_tolerance = 1e-8;
  const Summary sg = gradient_descent(problem, x0, gd);
  ASSERT_EQ(sg.status, TerminationStatus::kConverged) << sg.FullReport();
  EXPECT_NEAR(sg.final_value, optimum, 1e-9);
  GradientFlowOptions flow;
  flow.gradient_tolerance = 1e-8;
  flow.relative_tolerance = 1e-11;  // below the target (see SphereFlow above)
  flow.absolute_tolerance = 1e-13;
  const Summary sf = gradient_flow(problem, x0, flow);
  ASSERT_EQ(sf.status, TerminationStatus::kConverged) << sf.FullReport();
  EXPECT_NEAR(sf.final_value, optimum, 1e-9);
  const ConstMatrixMap x(sf.x.data(), n, p);
  EXPECT_LE((x.transpose() * x - Matrix::Identity(p, p)).cwiseAbs().maxCoeff(), 1e-14);
}

TEST(SphereHessian, DenseFormAtTheMinimizerHasTheShiftedSpectrum) {
  const Eigen::Index n = 7;
  const SymmetricInstance inst(n, 6);
  const Problem problem(sphere_geometry(n), rayleigh_quotient(inst.a));
  const Point x = Sphere(n).make_point(inst.q.col(0));
  // Hess f(x)[v] = 2(A − λ₁)v on T_x: eigenvalues 2(λ_i − λ₁), i ≥ 2, and a zero for the normal.
  const Matrix h = riemannian_hessian_form(problem, x);
  Vector eigenvalues = Eigen::SelfAdjointEigenSolver<Matrix>(h).eigenvalues();
  Vector expected(n);
  expected[0] = 0.0;
  for (Eigen::Index i = 1; i < n; ++i) expected[i] = 2.0 * (inst.lambda[i] - inst.lambda[0]);
  std::sort(expected.data(), expected.data() + n);
  EXPECT_LE((eigenvalues - expected).cwiseAbs().maxCoeff(), 1e-12);
}

// A metric on the sphere that is not the ambient one, G = diag(w): the Riemannian gradient is the
// g-orthogonal projection of G⁻¹∇f, so g(grad, v) = ∇fᵀv for every tangent v.
class DiagonalMetric final : public Metric {
 public:
  explicit DiagonalMetric(Vector w) : w_(std::move(w)) {}
  std::string name() const override { return "diagonal"; }
  using Metric::flat;
  using Metric::sharp;
  using Metric::whiten;
  void sharp(const Point&, const ConstVectorRef& df, VectorRef out) const override {
    out = df.cwiseQuotient(w_);
  }
  void flat(const Point&, const ConstVectorRef& v, VectorRef out) const override {
    out = v.cwiseProduct(w_);
  }
  void whiten(const Point&, const ConstVectorRef& xi, VectorRef out) const override {
    out = xi.cwiseQuotient(w_.cwiseSqrt());
  }

 private:
  Vector w_;
};

TEST(SphereProblem, OtherMetricsGetTheGOrthogonalProjection) {
  const Eigen::Index n = 9;
  const SymmetricInstance inst(n, 13);
  const Vector w = Vector::LinSpaced(n, 0.5, 4.0);
  const Geometry geometry{std::make_shared<Sphere>(n), std::make_shared<DiagonalMetric>(w)};
  const Problem problem(geometry, rayleigh_quotient(inst.a));
  Rng rng(1);
  const Sphere sphere(n);
  const Point x = sphere.make_point(sphere.random_point(rng));
  Problem::Evaluation e;
  problem.evaluate(x, e);
  EXPECT_LE(std::abs(x.coords().dot(e.gradient)), 1e-14 * e.gradient.norm()) << "tangent";
  for (int trial = 0; trial < 4; ++trial) {
    const Vector v = sphere.random_tangent(x, rng);
    EXPECT_NEAR(geometry.metric->inner(x, e.gradient, v), e.euclidean_gradient.dot(v), 1e-13);
  }
  EXPECT_NEAR(e.gradient_norm * e.gradient_norm, geometry.metric->inner(x, e.gradient, e.gradient),
              1e-13);
  // Not the naive projection of G⁻¹∇f (the test can tell them apart).
  Vector naive(n);
  sphere.project(x, e.euclidean_gradient.cwiseQuotient(w), naive);
  EXPECT_GT((naive - e.gradient).norm(), 1e-3);
  // Gradient descent runs on it and reaches the same minimum value.
  GradientDescentOptions gd;
  gd.gradient_tolerance = 1e-9;
  const Summary s = gradient_descent(problem, x.coords(), gd);
  ASSERT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
  EXPECT_NEAR(s.final_value, inst.lambda[0], 1e-12);
  // Second-order solvers refuse it (the Weingarten form is stated for the induced metric).
  expect_invalid([&] { newton(problem, x.coords()); }, "induced by the ambient Euclidean");
  expect_invalid([&] { trust_region(problem, x.coords()); }, "induced by the ambient Euclidean");
}

TEST(EmbeddedRefusals, SolversThatCannotServeAnEmbeddedManifoldSaySo) {
  const Eigen::Index n = 5;
  const SymmetricInstance inst(n, 3);
  const Problem problem(sphere_geometry(n), rayleigh_quotient(inst.a));
  const Vector x0 = Vector::Unit(n, 0);
  GradientFlowOptions rosenbrock;
  rosenbrock.integrator = Integrator::kRosenbrock;
  rosenbrock.final_time = 1.0;
  expect_invalid([&] { gradient_flow(problem, x0, rosenbrock); }, "accepts open subsets only");
  expect_invalid([&] { ceres_gradient_solve(problem, x0); }, "open subset");
  expect_invalid([&] { linearize_flow(problem, problem.make_point(x0)); }, "open subset");
  // Off the manifold: refused on entry.
  expect_invalid([&] { gradient_flow(problem, Vector::Ones(n)); }, "unit norm");
  expect_invalid([&] { newton(problem, 2.0 * x0); }, "unit norm");
}

// A hand-written embedded manifold that forgets the hooks the solvers need is refused, naming the
// hook, instead of being treated as an open subset.
TEST(EmbeddedRefusals, AManifoldWithoutItsHooksIsRefusedByName) {
  struct BareSphere final : Manifold {
    std::string name() const override { return "bare sphere"; }
    ManifoldKind kind() const override { return ManifoldKind::kEmbedded; }
    Eigen::Index ambient_size() const override { return 3; }
    Eigen::Index dimension() const override { return 2; }
    Vector random_point(Rng&) const override { return Vector::Unit(3, 0); }
  };
  const Geometry geometry{std::make_shared<BareSphere>(), std::make_shared<EuclideanMetric>()};
  const Problem problem(geometry, rayleigh_quotient(Matrix::Identity(3, 3)));
  const Vector x0 = Vector::Unit(3, 0);
  GradientFlowOptions options;
  options.final_time = 1.0;
  expect_invalid([&] { gradient_flow(problem, x0, options); }, "does not override project()");
  expect_invalid([&] { gradient_descent(problem, x0); }, "does not override project()");
  expect_invalid([&] { newton(problem, x0); }, "does not override project()");
  Vector out(3);
  expect_invalid([&] { geometry.manifold->retract(problem.make_point(x0), x0, out); },
                 "does not override retract");
}

TEST(ProblemShapes, EnergiesMustFitTheManifoldsShapeNotOnlyItsSize) {
  const std::vector<Observation> observed = {{0, 0, 1.0}, {3, 2, -1.0}};
  expect_invalid(
      [&] {
        Problem(dln_matrices(16, 25, Depth::finite(3)),
                std::make_shared<MatrixCompletion>(20, 20, observed));
      },
      "20x20");
  expect_invalid(
      [&] { Problem(euclidean_matrices(3, 4), std::make_shared<MatrixEntropy>(Depth::finite(3))); },
      "square matrices only");
  expect_invalid(
      [&] {
        Problem(stiefel_geometry(6, 2),
                std::make_shared<BrockettCost>(Matrix::Identity(4, 4), Vector::Ones(3)));
      },
      "4x3");
  // The same sizes in the right shape are accepted.
  EXPECT_NO_THROW(
      Problem(euclidean_matrices(20, 20), std::make_shared<MatrixCompletion>(20, 20, observed)));
  EXPECT_NO_THROW(
      Problem(euclidean_matrices(4, 4), std::make_shared<MatrixEntropy>(Depth::finite(3))));
}

TEST(EmbeddedManifolds, ConstructorsAndMapsRejectBadInput) {
  expect_invalid([] { Sphere(1); }, "n must be >= 2");
  expect_invalid([] { Stiefel(3, 4); }, "1 <= p <= n");
  expect_invalid([] { Stiefel(3, 0); }, "1 <= p <= n");
  const Sphere sphere(3);
  const Point x = sphere.make_point(Vector::Unit(3, 0));
  Vector out(3);
  expect_invalid([&] { sphere.inverse_retract(x, -Vector::Unit(3, 0), out); }, "hemisphere");
  expect_invalid([&] { sphere.logarithm(x, -Vector::Unit(3, 0), out); }, "antipode");
  expect_invalid([&] { sphere.project_point(Vector::Zero(3), out); }, "zero vector");
  const Stiefel qr(4, 2, StiefelRetraction::kQr);
  Rng rng(1);
  const Point y = qr.make_point(qr.random_point(rng));
  Vector out8(8);
  expect_invalid([&] { qr.inverse_retract(y, y.coords(), out8); }, "polar retraction");
  expect_invalid([&] { qr.logarithm(y, y.coords(), out8); }, "no closed-form logarithm");
  expect_invalid([&] { qr.project_point(Vector::Zero(8), out8); }, "full column rank");
  expect_invalid([&] { qr.make_point(Vector::Ones(8)); }, "orthonormal columns");
}

}  // namespace
