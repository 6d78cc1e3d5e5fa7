// Newton and the trust region: quadratic convergence at the Theorem 1.2 equilibrium, the
// Hessian operator's spectrum against Theorem 1.3, finite-difference Hessians, the solver ×
// geometry matrix, truncated CG against a dense solve, and bad options.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>

#include "riemopt/ceres_solvers.hpp"
#include "riemopt/energies/chamber_energies.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/matrix_sensing.hpp"
#include "riemopt/energies/pulled_back_energy.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/energies/spectral_equilibrium.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/gradient_descent.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/hessian_operator.hpp"
#include "riemopt/manifolds/balanced_factors.hpp"
#include "riemopt/manifolds/chamber.hpp"
#include "riemopt/manifolds/chamber_metric.hpp"
#include "riemopt/manifolds/end_to_end_map.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/newton.hpp"
#include "riemopt/truncated_cg.hpp"
#include "riemopt/trust_region.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;
using riemopt::testing::random_matrix;

constexpr Eigen::Index kD = 4;
const Depth kDepth = Depth::finite(3);
constexpr double kBeta = 2.0;

Problem equilibrium_problem(const Geometry& geometry) {
  return Problem(geometry, free_energy(SeparableChamberEnergy::schatten(2.0),
                                       std::make_shared<ChamberEntropy>(kD, kDepth), kBeta));
}

// Relative distances ‖σ_k − s*·1‖/s* of the iterates, x0 first.
struct ErrorLog {
  std::vector<double> errors;
  IterationCallback callback(double s_star) {
    return [this, s_star](const IterationInfo& it) {
      errors.push_back((it.point->coords().array() / s_star - 1.0).matrix().norm());
      return CallbackResult::kContinue;
    };
  }
};

// Quadratic convergence: e_{k+1} ≤ C e_k² over the iterations where e_k is between 1e-1 and the
// rounding floor.
void expect_quadratic(const std::vector<double>& e, double c, const std::string& what) {
  int checked = 0;
  for (std::size_t k = 0; k + 1 < e.size(); ++k) {
    if (e[k] > 1e-1 || e[k] < 1e-7) continue;
    EXPECT_LE(e[k + 1], c * e[k] * e[k])
        << what << ": e_" << k << " = " << e[k] << ", e_" << k + 1 << " = " << e[k + 1];
    ++checked;
  }
  EXPECT_GE(checked, 2) << what << ": too few iterations in the quadratic range";
  std::cout << what << ":";
  for (double v : e) std::cout << " " << v;
  std::cout << "\n";
  EXPECT_LT(e.back(), 1e-13) << what;
}

TEST(Newton, ConvergesQuadraticallyToTheTheorem12Equilibrium) {
  const auto eq = SpectralEquilibrium::schatten(kD, kDepth, kBeta, 2.0);
  Rng rng(1);
  for (HessianMode mode : {HessianMode::kExact, HessianMode::kFiniteDifference}) {
    const Problem problem = equilibrium_problem(dln_chamber(kD, kDepth));
    const Vector sigma0 = Chamber(kD).random_point(rng) * eq.s_star();
    ErrorLog log;
    log.errors.push_back((sigma0.array() / eq.s_star() - 1.0).matrix().norm());
    NewtonOptions options;
    options.hessian = mode;
    options.gradient_tolerance = 1e-14;
    options.max_iterations = 40;
    options.callbacks.push_back(log.callback(eq.s_star()));
    const Summary s = newton(problem, sigma0, options);
    EXPECT_TRUE(s.is_success()) << s.FullReport();
    expect_quadratic(log.errors, 10.0, "newton " + to_string(mode));
    EXPECT_LE(s.iterations, 15) << s.FullReport();
  }
}

TEST(TrustRegion, ConvergesQuadraticallyToTheTheorem12Equilibrium) {
  const auto eq = SpectralEquilibrium::schatten(kD, kDepth, kBeta, 2.0);
  Rng rng(2);
  for (const Geometry& geometry : {dln_chamber(kD, kDepth), dln_chamber(kD, Depth::finite(1))}) {
    for (HessianMode mode : {HessianMode::kExact, HessianMode::kFiniteDifference}) {
      const Problem problem = equilibrium_problem(geometry);
      const Vector sigma0 = Chamber(kD).random_point(rng) * eq.s_star();
      ErrorLog log;
      log.errors.push_back((sigma0.array() / eq.s_star() - 1.0).matrix().norm());
      TrustRegionOptions options;
      options.hessian = mode;
      options.gradient_tolerance = 1e-14;
      options.max_iterations = 60;
      options.callbacks.push_back(log.callback(eq.s_star()));
      const Summary s = trust_region(problem, sigma0, options);
      EXPECT_TRUE(s.is_success()) << s.FullReport();
      expect_quadratic(log.errors, 10.0, geometry.name() + " " + to_string(mode));
    }
  }
}

// The Jacobian of the Riemannian gradient field at the equilibrium is −G⁻¹H; its eigenvalues
// are the rates of Theorem 1.3 (λ_∥ once on 1, λ_⊥ on 1^⊥), whichever way H is obtained.
TEST(HessianOperator, SpectrumAtTheEquilibriumIsTheorem13) {
  for (Depth depth : {Depth::finite(2), Depth::finite(3), Depth::finite(7), Depth::infinite()}) {
    const auto eq = SpectralEquilibrium::schatten(kD, depth, kBeta, 2.0);
    const Problem problem(dln_chamber(kD, depth),
                          free_energy(SeparableChamberEnergy::schatten(2.0),
                                      std::make_shared<ChamberEntropy>(kD, depth), kBeta));
    const Point x(Vector::Constant(kD, eq.s_star()));
    const Vector df = problem.energy().gradient(x);
    for (HessianMode mode : {HessianMode::kExact, HessianMode::kFiniteDifference}) {
      const HessianOperator hess(problem, x, df, mode);
      Matrix jacobian(kD, kD);
      Vector e = Vector::Zero(kD), hv(kD);
      for (Eigen::Index j = 0; j < kD; ++j) {
        e.setZero();
        e(j) = 1.0;
        hess.apply(e, hv);
        jacobian.col(j) = -problem.metric().sharp(x, hv);
      }
      Eigen::EigenSolver<Matrix> solver(jacobian);
      std::vector<double> values;
      for (Eigen::Index k = 0; k < kD; ++k) {
        EXPECT_LT(std::abs(solver.eigenvalues()(k).imag()), 1e-9);
        values.push_back(solver.eigenvalues()(k).real());
      }
      std::sort(values.begin(), values.end());
      // λ_∥ is the faster (more negative) rate.
      const double tol = mode == HessianMode::kExact ? 1e-12 : 1e-8;
      EXPECT_NEAR(values[0], eq.rate_uniform(), tol * std::abs(eq.rate_uniform()))
          << depth.to_string() << " " << to_string(mode);
      for (std::size_t k = 1; k < values.size(); ++k)
        EXPECT_NEAR(values[k], eq.rate_relative(), tol * std::abs(eq.rate_relative()))
            << depth.to_string() << " " << to_string(mode);
    }
  }
}

TEST(TruncatedCg, SolvesTheNewtonEquationInTheMetricAndStopsOnTheBoundary) {
  Rng rng(3);
  const Eigen::Index n = 6;
  const Matrix a = random_matrix(n, n, rng);
  const Matrix h = a * a.transpose() + Matrix::Identity(n, n);  // SPD form
  const Matrix b = random_matrix(n, n, rng);
  const Matrix g_inv = b * b.transpose() + 0.5 * Matrix::Identity(n, n);  // G⁻¹ (sharp)
  const Vector df = gaussian_vector(n, rng);
  const LinearMap hess = [&](const Vector& v, Vector& out) { out = h * v; };
  const LinearMap sharp = [&](const Vector& r, Vector& out) { out = g_inv * r; };
  TruncatedCgOptions options;
  options.forcing = 1e-14;
  options.theta = 0.0;
  const TruncatedCgResult newton_step =
      truncated_cg(hess, sharp, df, std::numeric_limits<double>::infinity(), options);
  const Vector exact = -h.ldlt().solve(df);
  EXPECT_EQ(newton_step.stop, CgStop::kResidual);
  EXPECT_LT((newton_step.eta - exact).norm(), 1e-10 * exact.norm());
  const Matrix g = g_inv.inverse();
  EXPECT_NEAR(newton_step.eta_norm_squared, exact.dot(g * exact), 1e-9 * exact.dot(g * exact));
  EXPECT_NEAR(newton_step.model_decrease, -(df.dot(exact) + 0.5 * exact.dot(h * exact)), 1e-10);
  // A radius half the Newton step's g-norm: CG stops on the boundary, in the g-norm.
  const double radius = 0.5 * std::sqrt(exact.dot(g * exact));
  const TruncatedCgResult bounded = truncated_cg(hess, sharp, df, radius, options);
  EXPECT_EQ(bounded.stop, CgStop::kBoundary);
  EXPECT_NEAR(std::sqrt(bounded.eta.dot(g * bounded.eta)), radius, 1e-10 * radius);
  EXPECT_GT(bounded.model_decrease, 0.0);
  // Negative curvature: the step goes to the boundary along a descent direction.
  const Matrix indefinite = h - 50.0 * Matrix::Identity(n, n);
  const TruncatedCgResult curved = truncated_cg(
      [&](const Vector& v, Vector& out) { out = indefinite * v; }, sharp, df, 1.0, options);
  EXPECT_EQ(curved.stop, CgStop::kNegativeCurvature);
  EXPECT_NEAR(std::sqrt(curved.eta.dot(g * curved.eta)), 1.0, 1e-10);
  EXPECT_LT(df.dot(curved.eta), 0.0);
}

// ---- the solver × geometry matrix --------------------------------------------------------------

enum class SolverKind { kFlow, kDescent, kNewton, kTrustRegion, kCeresLbfgs, kCeresLm };

std::string name(SolverKind kind) {
  switch (kind) {
    case SolverKind::kFlow:
      return "flow";
    case SolverKind::kDescent:
      return "gd";
    case SolverKind::kNewton:
      return "newton";
    case SolverKind::kTrustRegion:
      return "trust-region";
    case SolverKind::kCeresLbfgs:
      return "ceres-lbfgs";
    case SolverKind::kCeresLm:
      return "ceres-lm";
  }
  return "?";
}

// Ceres' line search compares values, so L-BFGS stalls near ‖grad‖ ~ √(ε|E|): on the chamber
// problems (|E| ≈ 0.05) at about 1e-8. It is asked for this much, and its answers are checked
// to a correspondingly looser accuracy.
constexpr double kCeresGradientFloor = 1e-7;
double accuracy(SolverKind kind, double base) {
  return kind == SolverKind::kCeresLbfgs ? 100.0 * base : base;
}

Summary solve(SolverKind kind, const Problem& problem, const Vector& x0, double tolerance) {
  switch (kind) {
    case SolverKind::kFlow: {
      GradientFlowOptions o;
      o.gradient_tolerance = tolerance;
      o.absolute_tolerance = 1e-13;
      o.relative_tolerance = 1e-11;
      o.max_iterations = 200000;
      return gradient_flow(problem, x0, o);
    }
    case SolverKind::kDescent: {
      GradientDescentOptions o;
      o.gradient_tolerance = tolerance;
      o.max_iterations = 200000;
      return gradient_descent(problem, x0, o);
    }
    case SolverKind::kNewton: {
      NewtonOptions o;
      o.gradient_tolerance = tolerance;
      o.max_iterations = 200;
      return newton(problem, x0, o);
    }
    case SolverKind::kTrustRegion: {
      TrustRegionOptions o;
      o.gradient_tolerance = tolerance;
      o.max_iterations = 500;
      return trust_region(problem, x0, o);
    }
    case SolverKind::kCeresLbfgs: {
      // Ceres' line search decides on values and stalls near ‖grad‖ ~ √(ε|E|): the tolerance
      // is held above that floor (the accuracy asserted below still holds).
      CeresGradientOptions o;
      o.gradient_tolerance = std::max(tolerance, kCeresGradientFloor);
      o.max_iterations = 5000;
      return ceres_gradient_solve(problem, x0, o);
    }
    case SolverKind::kCeresLm: {
      CeresLeastSquaresOptions o;
      o.gradient_tolerance = tolerance;
      o.max_iterations = 500;
      return ceres_least_squares(problem, x0, o);
    }
  }
  throw std::logic_error("unknown solver");
}

// Every solver for any energy; Ceres' least-squares solver joins where the energy is a sum of
// squares.
const std::vector<SolverKind> kSolvers = {SolverKind::kFlow, SolverKind::kDescent,
                                          SolverKind::kNewton, SolverKind::kTrustRegion,
                                          SolverKind::kCeresLbfgs};

TEST(SolverMatrix, EverySolverReachesTheEquilibriumOnTheChamber) {
  const auto eq = SpectralEquilibrium::schatten(kD, kDepth, kBeta, 2.0);
  Rng rng(4);
  for (const Geometry& geometry :
       {dln_chamber(kD, kDepth), euclidean_chamber(kD), dln_chamber(kD, Depth::infinite())}) {
    const Problem problem = equilibrium_problem(geometry);
    const Vector sigma0 = Chamber(kD).random_point(rng) * eq.s_star();
    for (SolverKind kind : kSolvers) {
      const Summary s = solve(kind, problem, sigma0, 1e-10);
      EXPECT_TRUE(s.is_success()) << name(kind) << " on " << geometry.name() << "\n"
                                  << s.FullReport();
      EXPECT_LT((s.x.array() / eq.s_star() - 1.0).abs().maxCoeff(), accuracy(kind, 1e-8))
          << name(kind) << " on " << geometry.name();
    }
  }
}

// On DLN matrices the free-energy minimizers are the orbit s*·(orthogonal): every singular value
// is s*. The orbit is a manifold of minimizers, so the Hessian is singular along it; the
// second-order solvers must still land on it.
TEST(SolverMatrix, EverySolverReachesTheOrbitOnDlnMatrices) {
  const Eigen::Index d = 3;
  const auto eq = SpectralEquilibrium::schatten(d, kDepth, kBeta, 2.0);
  Rng rng(5);
  const Problem problem(dln_matrices(d, d, kDepth),
                        free_energy(std::make_shared<SchattenEnergy>(2.0),
                                    std::make_shared<MatrixEntropy>(kDepth), kBeta));
  Vector sigma(d);
  sigma << 1.6, 1.1, 0.7;
  const Matrix x0 = riemopt::testing::matrix_with_singular_values(d, d, eq.s_star() * sigma, rng);
  for (SolverKind kind : kSolvers) {
    const Summary s = solve(kind, problem, Eigen::Map<const Vector>(x0.data(), x0.size()), 1e-10);
    EXPECT_TRUE(s.is_success()) << name(kind) << "\n" << s.FullReport();
    const Vector sv = Eigen::Map<const Matrix>(s.x.data(), d, d).jacobiSvd().singularValues();
    EXPECT_LT((sv.array() / eq.s_star() - 1.0).abs().maxCoeff(), accuracy(kind, 1e-8))
        << name(kind);
  }
}

TEST(SolverMatrix, EverySolverReachesTheMinimizerOfAConvexQuadraticOnEuclideanMatrices) {
  Rng rng(6);
  std::vector<Matrix> a;
  for (int i = 0; i < 12; ++i) a.push_back(random_matrix(3, 3, rng));
  const Matrix truth = random_matrix(3, 3, rng);
  Vector y(12);
  for (int i = 0; i < 12; ++i)
    y(i) = (a[static_cast<std::size_t>(i)].array() * truth.array()).sum();
  const Problem problem(euclidean_matrices(3, 3), std::make_shared<MatrixSensing>(a, y));
  std::vector<SolverKind> solvers = kSolvers;
  solvers.push_back(SolverKind::kCeresLm);
  for (SolverKind kind : solvers) {
    const Summary s = solve(kind, problem, Vector::Zero(9), 1e-11);
    EXPECT_TRUE(s.is_success()) << name(kind) << "\n" << s.FullReport();
    EXPECT_LT((s.x - Eigen::Map<const Vector>(truth.data(), 9)).norm(), accuracy(kind, 1e-8))
        << name(kind);
  }
  // Newton on a quadratic: one step.
  NewtonOptions o;
  o.gradient_tolerance = 1e-10;
  o.forcing = 1e-3;
  EXPECT_LE(newton(problem, Vector::Zero(9), o).iterations, 2);
}

TEST(SolverMatrix, EverySolverFitsTheFactorsOnTheParameterSpace) {
  Rng rng(7);
  const auto space = std::make_shared<ParameterSpace>(ParameterSpace::square(3, 2));
  std::vector<Matrix> a;
  for (int i = 0; i < 12; ++i) a.push_back(random_matrix(3, 3, rng));
  const Matrix truth = riemopt::testing::matrix_with_singular_values(
      3, 3, (Vector(3) << 1.5, 1.0, 0.6).finished(), rng);
  Vector y(12);
  for (int i = 0; i < 12; ++i)
    y(i) = (a[static_cast<std::size_t>(i)].array() * truth.array()).sum();
  const auto loss =
      std::make_shared<PulledBackEnergy>(std::make_shared<MatrixSensing>(a, y), space);
  const Problem problem(parameter_space_geometry(space), loss);
  const Vector w0 = balanced_factorization(*space, Matrix::Identity(3, 3), rng);
  for (SolverKind kind : kSolvers) {
    const Summary s = solve(kind, problem, w0, 1e-11);
    EXPECT_TRUE(s.is_success()) << name(kind) << "\n" << s.FullReport();
    EXPECT_LT((EndToEndMap(*space, s.x).product() - truth).norm(), accuracy(kind, 1e-8))
        << name(kind);
  }
}

TEST(SecondOrder, BadOptionsAndUnsupportedHessiansAreRefused) {
  const Problem problem = equilibrium_problem(dln_chamber(kD, kDepth));
  const Vector x0 = Vector::LinSpaced(kD, 2.0, 1.0);
  auto newton_with = [&](auto change) {
    NewtonOptions o;
    change(o);
    return newton(problem, x0, o);
  };
  auto tr_with = [&](auto change) {
    TrustRegionOptions o;
    change(o);
    return trust_region(problem, x0, o);
  };
  EXPECT_THROW(newton_with([](NewtonOptions& o) { o.gradient_tolerance = -1; }), InvalidArgument);
  EXPECT_THROW(newton_with([](NewtonOptions& o) { o.max_iterations = 0; }), InvalidArgument);
  EXPECT_THROW(newton_with([](NewtonOptions& o) { o.forcing = 1.5; }), InvalidArgument);
  EXPECT_THROW(newton_with([](NewtonOptions& o) { o.max_cg_iterations = 0; }), InvalidArgument);
  EXPECT_THROW(tr_with([](TrustRegionOptions& o) { o.initial_radius = -1; }), InvalidArgument);
  EXPECT_THROW(tr_with([](TrustRegionOptions& o) { o.max_radius = 0; }), InvalidArgument);
  EXPECT_THROW(tr_with([](TrustRegionOptions& o) { o.acceptance = 0.5; }), InvalidArgument);
  EXPECT_THROW(tr_with([](TrustRegionOptions& o) { o.max_evaluations = 0; }), InvalidArgument);
  // The DLN metric on matrices has no Christoffel symbols: exact Hessians are refused, kAuto
  // falls back to finite differences.
  const Problem matrices(dln_matrices(2, 2, kDepth), std::make_shared<SchattenEnergy>(2.0));
  NewtonOptions exact;
  exact.hessian = HessianMode::kExact;
  EXPECT_THROW(newton(matrices, Vector::Ones(4), exact), InvalidArgument);
  const Summary fd = newton(matrices, (Vector(4) << 1, 0.2, 0.1, 0.8).finished());
  EXPECT_NE(fd.solver.find("finite-difference"), std::string::npos) << fd.solver;
  EXPECT_TRUE(fd.is_success()) << fd.FullReport();
  // A start outside the domain is a status, not an exception.
  const Summary bad = newton(problem, (Vector(kD) << 2.0, 1.5, 1.0, 1.0).finished());
  (void)bad;
}

}  // namespace
