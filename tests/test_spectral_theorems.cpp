// The entropic paper's theorems (docs/MATH.md §7) reproduced numerically: the predictions of
// SpectralEquilibrium against the reference values, and against what the integrators compute
// on the chamber and on matrices, for several (d, N, β, p) including N = ∞.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <iomanip>

#include "reference_values.hpp"
#include "riemopt/energies/chamber_energies.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/energies/spectral_equilibrium.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/flow_linearization.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/manifolds/chamber.hpp"
#include "riemopt/manifolds/chamber_metric.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/riemannian_hessian.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;

struct Case {
  Eigen::Index d;
  Depth depth;
  double beta;
  double p;
};

std::string label(const Case& c) {
  return "d=" + std::to_string(c.d) + " N=" + c.depth.to_string() +
         " beta=" + std::to_string(c.beta) + " p=" + std::to_string(c.p);
}

// The reference cases of docs/MATH.md §9 plus our own (larger d, p = 3, p = 1.5, N = 8).
std::vector<Case> cases() {
  return {{2, Depth::finite(2), 1.0, 2.0}, {3, Depth::finite(3), 2.0, 2.0},
          {5, Depth::finite(4), 0.5, 1.0}, {3, Depth::infinite(), 1.0, 2.0},
          {4, Depth::finite(8), 0.3, 3.0}, {6, Depth::finite(2), 5.0, 1.5},
          {4, Depth::infinite(), 0.2, 1.0}};
}

Problem chamber_problem(const Case& c, const Geometry& geometry) {
  return Problem(geometry, free_energy(SeparableChamberEnergy::schatten(c.p),
                                       std::make_shared<ChamberEntropy>(c.d, c.depth), c.beta));
}

GradientFlowOptions tight_options() {
  GradientFlowOptions options;
  options.absolute_tolerance = 1e-14;
  options.relative_tolerance = 1e-12;
  // Near the equilibrium an explicit integrator at its stability limit leaves noise at the
  // tolerance level (|grad| ~ 1e-12 here), so converge to 1e-10: a state error of ~1e-10·s*.
  options.gradient_tolerance = 1e-10;
  options.final_time = 1e4;
  return options;
}

Vector random_sigma(Eigen::Index d, Rng& rng) { return Chamber(d).random_point(rng); }

TEST(SpectralEquilibrium, MatchesTheReferenceValues) {
  for (const auto& r : riemopt::testing::reference_values().equilibrium) {
    const auto eq = SpectralEquilibrium::schatten(r.d, r.depth, r.beta, r.p);
    const std::string what = "N=" + r.depth.to_string() + " d=" + std::to_string(r.d);
    EXPECT_NEAR(eq.s_star(), r.s_star, 1e-14 * r.s_star) << what;
    EXPECT_NEAR(eq.rate_uniform(), r.rate_uniform, 1e-13 * std::abs(r.rate_uniform)) << what;
    EXPECT_NEAR(eq.rate_relative(), r.rate_relative, 1e-13 * std::abs(r.rate_relative)) << what;
    EXPECT_NEAR(eq.diagonal_time(r.s0, r.s1), r.time_to_s1, 1e-13 * r.time_to_s1) << what;
    EXPECT_NEAR(eq.diagonal_time_by_quadrature(r.s0, r.s1), r.time_to_s1, 1e-11 * r.time_to_s1)
        << what;
  }
}

TEST(SpectralEquilibrium, GeneralFMatchesSchattenAndValidates) {
  const double p = 3.0;
  const SpectralEquilibrium general(
      4, Depth::finite(3), 0.7, [p](double s) { return std::pow(s, p - 1); },
      [p](double s) { return (p - 1) * std::pow(s, p - 2); });
  const auto schatten = SpectralEquilibrium::schatten(4, Depth::finite(3), 0.7, p);
  EXPECT_NEAR(general.s_star(), schatten.s_star(), 1e-14);
  EXPECT_NEAR(general.rate_relative(), schatten.rate_relative(), 1e-13);
  EXPECT_THROW(SpectralEquilibrium::schatten(1, Depth::finite(3), 1.0, 2.0), InvalidArgument);
  EXPECT_THROW(SpectralEquilibrium::schatten(3, Depth::finite(1), 1.0, 2.0), InvalidArgument);
  EXPECT_THROW(SpectralEquilibrium::schatten(3, Depth::finite(3), 0.0, 2.0), InvalidArgument);
  EXPECT_THROW(SpectralEquilibrium::schatten(3, Depth::finite(3), NAN, 2.0), InvalidArgument);
  EXPECT_THROW(SpectralEquilibrium::schatten(3, Depth::finite(3), 1.0, -2.0), InvalidArgument);
  // s1 beyond s* is never reached.
  EXPECT_THROW(schatten.diagonal_time(0.1, 2.0 * schatten.s_star()), InvalidArgument);
}

TEST(Hypergeometric, BothBranchesAgreeAtTheSwitchAndMatchKnownValues) {
  // ₂F₁(1, 1; 2; z) = −log(1 − z)/z;  ₂F₁(1, ½; 3/2; z) = atanh(√z)/√z.
  for (double z : {0.1, 0.5, 0.9, 0.9000001, 0.99, 0.999999}) {
    EXPECT_NEAR(hypergeometric_2f1_1_a_1pa(1.0, z), -std::log1p(-z) / z,
                2e-15 * (-std::log1p(-z) / z));
    // atanh(√z) = ½ log((1 + √z)²/(1 − z)), without the cancellation in 1 − √z.
    const double atanh = std::log1p(std::sqrt(z)) - 0.5 * std::log1p(-z);
    EXPECT_NEAR(hypergeometric_2f1_1_a_1pa(0.5, z), atanh / std::sqrt(z),
                4e-15 * atanh / std::sqrt(z))
        << z;
  }
  for (double a : {0.1, 0.25, 0.75, 2.0})
    EXPECT_NEAR(hypergeometric_2f1_1_a_1pa(a, 0.9), hypergeometric_2f1_1_a_1pa(a, 0.9 + 1e-15),
                1e-13 * hypergeometric_2f1_1_a_1pa(a, 0.9));
}

// Theorem 1: the chamber flow from random starts converges to s*·1, for both metrics.
TEST(Theorem1, ChamberFlowConvergesToThePredictedEquilibrium) {
  Rng rng(31);
  for (const Case& c : cases()) {
    const auto eq = SpectralEquilibrium::schatten(c.d, c.depth, c.beta, c.p);
    for (const Geometry& geometry : {dln_chamber(c.d, c.depth), euclidean_chamber(c.d)}) {
      const Problem problem = chamber_problem(c, geometry);
      for (int start = 0; start < 2; ++start) {
        const Vector sigma0 = random_sigma(c.d, rng) * eq.s_star();
        const Summary s = gradient_flow(problem, sigma0, tight_options());
        EXPECT_EQ(s.status, TerminationStatus::kConverged) << label(c) << s.FullReport();
        const double error = (s.x.array() / eq.s_star() - 1.0).abs().maxCoeff();
        EXPECT_LE(error, 1e-8) << label(c) << " " << geometry.name() << " x=" << s.x.transpose();
      }
    }
  }
}

// Theorem 2: the matrix flow of F_β from Q0Σ0R0ᵀ converges to s*Q0R0ᵀ and its singular values
// follow the chamber flow along the way.
TEST(Theorem2, MatrixFlowFollowsTheChamberFlowToTheOrbitPoint) {
  Rng rng(32);
  const std::vector<Case> matrix_cases = {{3, Depth::finite(3), 2.0, 2.0},
                                          {4, Depth::finite(2), 1.0, 1.5},
                                          {3, Depth::infinite(), 1.0, 2.0}};
  for (const Case& c : matrix_cases) {
    const auto eq = SpectralEquilibrium::schatten(c.d, c.depth, c.beta, c.p);
    const Vector sigma0 = random_sigma(c.d, rng) * eq.s_star();
    Matrix Q0, R0;
    const Matrix X0 =
        riemopt::testing::matrix_with_singular_values(c.d, c.d, sigma0, rng, &Q0, &R0);
    GradientFlowOptions options = tight_options();
    options.trajectory.times = {0.05, 0.2, 0.5, 1.0, 2.0, 4.0};
    options.trajectory.store_points = true;
    const Problem matrix(dln_matrices(c.d, c.d, c.depth),
                         free_energy(std::make_shared<SchattenEnergy>(c.p),
                                     std::make_shared<MatrixEntropy>(c.depth), c.beta));
    const Summary m = gradient_flow(matrix, X0.reshaped(), options);
    const Summary s = gradient_flow(chamber_problem(c, dln_chamber(c.d, c.depth)), sigma0, options);
    ASSERT_EQ(m.status, TerminationStatus::kConverged) << label(c) << m.FullReport();
    const Matrix target = eq.s_star() * Q0 * R0.transpose();
    EXPECT_LE((m.x.reshaped(c.d, c.d) - target).norm(), 1e-8 * target.norm()) << label(c);
    // The requested times (each run then adds its own final state).
    const std::size_t n_times = options.trajectory.times.size();
    ASSERT_GE(m.trajectory.points.size(), n_times);
    ASSERT_GE(s.trajectory.points.size(), n_times);
    for (std::size_t i = 0; i < n_times; ++i) {
      ASSERT_EQ(m.trajectory.times[i], s.trajectory.times[i]);
      const Vector sv =
          Eigen::JacobiSVD<Matrix>(m.trajectory.points[i].reshaped(c.d, c.d)).singularValues();
      EXPECT_LE((sv - s.trajectory.points[i]).cwiseAbs().maxCoeff(), 1e-8 * sv.maxCoeff())
          << label(c) << " t=" << m.trajectory.times[i];
    }
  }
}

// Theorem 3: the measured linearization at the computed equilibrium has λ_∥ on 1 and λ_⊥
// (multiplicity d−1) on 1^⊥, with |λ_⊥| < |λ_∥|; and the late trajectory decays at those rates.
TEST(Theorem3, LinearizationHasThePredictedRatesAndTheRelativeModeIsSlow) {
  Rng rng(33);
  for (const Case& c : cases()) {
    const auto eq = SpectralEquilibrium::schatten(c.d, c.depth, c.beta, c.p);
    const Problem problem = chamber_problem(c, dln_chamber(c.d, c.depth));
    const Summary s = gradient_flow(problem, random_sigma(c.d, rng) * eq.s_star(), tight_options());
    const FlowLinearization lin = linearize_flow(problem, Point(s.x));
    EXPECT_LE(lin.max_imaginary, 1e-8 * std::abs(eq.rate_uniform()));
    const Vector ones = Vector::Ones(c.d).normalized();
    int uniform = 0, relative = 0;
    for (Eigen::Index k = 0; k < c.d; ++k) {
      const double along_one = std::abs(lin.eigenvectors.col(k).dot(ones));
      if (along_one > 1.0 - 1e-6) {
        ++uniform;
        EXPECT_NEAR(lin.eigenvalues[k], eq.rate_uniform(), 1e-6 * std::abs(eq.rate_uniform()))
            << label(c);
      } else {
        ++relative;
        EXPECT_NEAR(lin.eigenvalues[k], eq.rate_relative(), 1e-6 * std::abs(eq.rate_relative()))
            << label(c);
      }
    }
    EXPECT_EQ(uniform, 1) << label(c);
    EXPECT_EQ(relative, c.d - 1) << label(c);
    EXPECT_LT(std::abs(eq.rate_relative()), std::abs(eq.rate_uniform())) << label(c);
  }
}

TEST(Theorem3, LateTrajectoryDecaysAtTheRelativeRate) {
  // Near the equilibrium the spread max σ − min σ decays like exp(λ_⊥ t) (the slow mode).
  const Case c{3, Depth::finite(3), 2.0, 2.0};
  const auto eq = SpectralEquilibrium::schatten(c.d, c.depth, c.beta, c.p);
  GradientFlowOptions options = tight_options();
  options.gradient_tolerance = 0.0;
  options.final_time = 12.0;
  options.trajectory.times = {8.0, 12.0};
  options.trajectory.store_points = true;
  Vector sigma0(3);
  sigma0 << 2.0, 0.9, 0.3;
  const Summary s = gradient_flow(chamber_problem(c, dln_chamber(3, c.depth)), sigma0, options);
  ASSERT_EQ(s.trajectory.points.size(), 2u);
  auto spread = [](const Vector& x) { return x.maxCoeff() - x.minCoeff(); };
  const double rate =
      std::log(spread(s.trajectory.points[1]) / spread(s.trajectory.points[0])) / 4.0;
  EXPECT_NEAR(rate, eq.rate_relative(), 1e-4 * std::abs(eq.rate_relative()));
}

// Theorem 4: the diagonal flow matches the ₂F₁ quadrature on both sides of the equilibrium.
TEST(Theorem4, DiagonalFlowMatchesTheHypergeometricQuadrature) {
  for (const Case& c : cases()) {
    const auto eq = SpectralEquilibrium::schatten(c.d, c.depth, c.beta, c.p);
    const Problem problem = chamber_problem(c, dln_chamber(c.d, c.depth));
    for (double start : {0.2, 3.0}) {
      const double s0 = start * eq.s_star();
      GradientFlowOptions options = tight_options();
      options.gradient_tolerance = 0.0;
      options.final_time = 3.0;
      options.trajectory.times = {0.01, 0.1, 0.3, 1.0, 3.0};
      options.trajectory.store_points = true;
      const Summary s = gradient_flow(problem, Vector::Constant(c.d, s0), options);
      ASSERT_EQ(s.trajectory.points.size(), 5u);
      for (std::size_t i = 0; i < s.trajectory.points.size(); ++i) {
        const double t = s.trajectory.times[i];
        const double predicted = eq.diagonal_solution(s0, t);
        const Vector& x = s.trajectory.points[i];
        EXPECT_EQ(x.maxCoeff(), x.minCoeff()) << "the diagonal is invariant exactly: " << label(c)
                                              << std::setprecision(17) << " " << x.transpose();
        EXPECT_NEAR(x[0], predicted, 1e-9 * predicted) << label(c) << " s0=" << s0 << " t=" << t;
      }
      // The closed form and the quadrature agree (both sides of s*).
      const double s1 = s0 + 0.5 * (eq.s_star() - s0);
      EXPECT_NEAR(eq.diagonal_time(s0, s1), eq.diagonal_time_by_quadrature(s0, s1),
                  1e-11 * eq.diagonal_time(s0, s1))
          << label(c);
    }
  }
}

// Theorem 5: the Euclidean Hessian of S_N is negative definite on the chamber, except N = d = 2
// where S_2 = ½ log(σ1 + σ2) and it has rank one.
TEST(Theorem5, EntropyIsStrictlyConcaveInTheEuclideanMetric) {
  Rng rng(35);
  for (auto [d, depth] : {std::pair{2, Depth::finite(3)},
                          {3, Depth::finite(2)},
                          {3, Depth::finite(3)},
                          {4, Depth::finite(5)},
                          {5, Depth::infinite()},
                          {2, Depth::infinite()}}) {
    for (int trial = 0; trial < 20; ++trial) {
      Vector sigma = random_sigma(d, rng);
      if (trial == 0) sigma.setConstant(1.3);  // the diagonal too
      Matrix h;
      dln_entropy_hessian(sigma, depth, h);
      const Vector lambda = Eigen::SelfAdjointEigenSolver<Matrix>(h).eigenvalues();
      EXPECT_LT(lambda.maxCoeff(), -1e-6 * lambda.cwiseAbs().maxCoeff())
          << "d=" << d << " N=" << depth.to_string() << " sigma=" << sigma.transpose();
    }
  }
  for (int trial = 0; trial < 10; ++trial) {
    const Vector sigma = random_sigma(2, rng);
    Matrix h;
    dln_entropy_hessian(sigma, Depth::finite(2), h);
    const double a = -0.5 / std::pow(sigma.sum(), 2);
    EXPECT_LE((h - Matrix::Constant(2, 2, a)).norm(), 1e-14 * std::abs(a));
    const Vector lambda = Eigen::SelfAdjointEigenSolver<Matrix>(h).eigenvalues();
    EXPECT_LE(std::abs(lambda[1]), 1e-14 * std::abs(lambda[0]));  // rank one
  }
}

// Theorem 6: with g_N the Hessian of S_N at s·1 is indefinite with the predicted eigenvalues.
TEST(Theorem6, RiemannianHessianOfTheEntropyIsIndefiniteOnTheDiagonal) {
  for (Eigen::Index d : {2, 3, 5}) {
    for (Depth depth : {Depth::finite(2), Depth::finite(3), Depth::finite(7), Depth::infinite()}) {
      for (double s : {0.3, 1.0, 4.0}) {
        const Problem problem(dln_chamber(d, depth), std::make_shared<ChamberEntropy>(d, depth));
        const Matrix h = riemannian_hessian_form(problem, Point(Vector::Constant(d, s)));
        const double dd = static_cast<double>(d), s2 = s * s;
        double on_one, on_perp;
        if (depth.is_infinite()) {
          on_one = 0.0;
          on_perp = dd / (6 * s2);
        } else {
          const double n = depth.as_double();
          on_one = -(dd - 1) * (n - 1) / (2 * n * n * s2);
          on_perp = (n - 1) * (dd * n - 2 * dd + 3) / (6 * n * n * s2);
        }
        const Vector one = Vector::Ones(d).normalized();
        Vector perp = Vector::Zero(d);
        perp[0] = std::sqrt(0.5);
        perp[1] = -std::sqrt(0.5);
        const double scale = std::abs(on_perp);
        EXPECT_NEAR(one.dot(h * one), on_one, 1e-13 * scale);
        EXPECT_LE((h * one - on_one * one).norm(), 1e-13 * scale);  // an eigenvector
        EXPECT_LE((h * perp - on_perp * perp).norm(), 1e-13 * scale);
        EXPECT_GT(on_perp, 0.0);
      }
    }
  }
}

// Theorem 7 (dual problem): maximizing S_N on {Σσ^p = C} lands on equal singular values, and
// the Lagrange multiplier is the β whose equilibrium is that point.
TEST(Theorem7, MaximumEntropyAtFixedSchattenNormHasEqualSingularValues) {
  Rng rng(37);
  for (const Case& c : cases()) {
    const double C = 2.5, p = c.p;
    const Depth depth = c.depth;
    const Eigen::Index d = c.d;
    // −S∘n with n(σ) = σ·(C/Σσ^p)^{1/p}, the radial projection onto the constraint.
    auto normalize = [=](const Vector& x) {
      return Vector(x * std::pow(C / x.array().pow(p).sum(), 1.0 / p));
    };
    const EnergyPtr objective = std::make_shared<LambdaEnergy>(
        "-S on the sphere", d,
        [=](const Point& x) { return -dln_entropy(normalize(x.coords()), depth); },
        [=](const Point& x, VectorRef out) {
          const Vector& s = x.coords();
          const double lambda = std::pow(C / s.array().pow(p).sum(), 1.0 / p);
          Vector g(d);
          dln_entropy_gradient(normalize(s), depth, g);
          const Vector dlambda = -lambda * s.array().pow(p - 1).matrix() / s.array().pow(p).sum();
          out = -(lambda * g + dlambda * s.dot(g));
        });
    const Problem problem(euclidean_chamber(d), objective);
    GradientFlowOptions options = tight_options();
    const Summary s = gradient_flow(problem, random_sigma(d, rng), options);
    ASSERT_EQ(s.status, TerminationStatus::kConverged) << label(c) << s.FullReport();
    const Vector x = normalize(s.x);
    const double equal = std::pow(C / static_cast<double>(d), 1.0 / p);
    EXPECT_LE((x.array() / equal - 1.0).abs().maxCoeff(), 1e-8) << label(c);
    // ∇S = μ σ^{p−1} at the maximizer, so ∇F_β = σ^{p−1} − ∇S/β vanishes there for β = μ.
    Vector g(d);
    dln_entropy_gradient(x, depth, g);
    const double mu = g[0] / std::pow(x[0], p - 1);
    const auto eq = SpectralEquilibrium::schatten(d, depth, mu, p);
    EXPECT_NEAR(eq.s_star(), equal, 1e-8 * equal) << label(c);
  }
}

// The chamber's ordering survives the numerics: near and exact collisions stay ordered (and
// exact ones exactly equal) at every recorded state.
TEST(ChamberFlow, KeepsTheOrderingThroughNearAndExactCollisions) {
  const Case c{4, Depth::finite(3), 1.0, 2.0};
  const Problem problem = chamber_problem(c, dln_chamber(4, c.depth));
  GradientFlowOptions options = tight_options();
  options.trajectory.store_points = true;
  options.trajectory.per_decade = 20;
  for (const Vector& sigma0 : {Vector{{2.0, 1.0 + 1e-13, 1.0, 0.01}}, Vector{{1.5, 1.5, 0.2, 0.2}},
                               Vector{{1e-6, 1e-6, 1e-6, 1e-8}}}) {
    const Summary s = gradient_flow(problem, sigma0, options);
    EXPECT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
    for (const Vector& x : s.trajectory.points) {
      for (Eigen::Index k = 0; k + 1 < 4; ++k) EXPECT_GE(x[k], x[k + 1]);
      if (sigma0[0] == sigma0[1]) {
        EXPECT_EQ(x[0], x[1]);
      }
    }
  }
}

}  // namespace
