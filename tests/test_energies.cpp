// Energies: values against independent computations, gradients and Hessians by Taylor tests.
#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <algorithm>

#include "riemopt/derivative_check.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/energies/matrix_sensing.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/svd.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;
using riemopt::testing::random_matrix;

void expect_derivatives_pass(const EnergyPtr& energy, Eigen::Index m, Eigen::Index n, Rng& rng) {
  const Problem problem(euclidean_matrices(m, n), energy);
  for (int trial = 0; trial < 3; ++trial) {
    const Point x(random_matrix(m, n, rng).reshaped(), m, n);
    const Vector v = random_matrix(m, n, rng).reshaped();
    const DerivativeCheck g = check_gradient(problem, x, v);
    EXPECT_TRUE(g.passed) << energy->name() << " " << m << "x" << n << "\n" << g.report();
    if (energy->has_hessian()) {
      const DerivativeCheck h = check_hessian(*energy, x, v);
      EXPECT_TRUE(h.passed) << energy->name() << " " << m << "x" << n << "\n" << h.report();
    }
  }
}

TEST(SpectralEnergy, SchattenValuesMatchAnIndependentSvd) {
  Rng rng(1);
  const Matrix X = random_matrix(5, 3, rng);
  const Vector s = Eigen::JacobiSVD<Matrix>(X).singularValues();
  const Point x(X.reshaped(), 5, 3);
  for (double p : {1.0, 1.5, 2.0, 3.0}) {
    const double expected = s.array().pow(p).sum() / p;
    EXPECT_NEAR(SchattenEnergy(p).value(x), expected, 1e-13 * expected) << "p=" << p;
  }
  EXPECT_NEAR(SchattenEnergy(2.0).value(x), 0.5 * X.squaredNorm(), 1e-14);
  EXPECT_NEAR(SchattenEnergy(1.0).value(x), s.sum(), 1e-13);
}

TEST(SpectralEnergy, GradientsAndHessiansPassTaylorTests) {
  Rng rng(2);
  for (auto [m, n] : {std::pair{4, 4}, {5, 3}, {3, 5}}) {
    for (double p : {1.5, 2.0, 3.0, 4.0})
      expect_derivatives_pass(std::make_shared<SchattenEnergy>(p), m, n, rng);
    expect_derivatives_pass(std::make_shared<SeparableSpectralEnergy>(
                                "log-cosh", [](double s) { return std::log(std::cosh(s)); },
                                [](double s) { return std::tanh(s); },
                                [](double s) { return 1.0 / (std::cosh(s) * std::cosh(s)); }),
                            m, n, rng);
  }
}

TEST(SpectralEnergy, HessianIsAccurateAtCollidingSingularValues) {
  Rng rng(3);
  Vector sigma(3);
  sigma << 1.5, 1.0, 1.0;  // exact collision
  const Matrix X = riemopt::testing::matrix_with_singular_values(3, 3, sigma, rng);
  const Point x(X.reshaped(), 3, 3);
  const Vector v = random_matrix(3, 3, rng).reshaped();
  const SchattenEnergy e(3.0);
  // Central second difference of the gradient as the independent reference.
  const double h = 1e-5;
  const Vector fd = (e.gradient(Point(X.reshaped() + h * v, 3, 3)) -
                     e.gradient(Point(X.reshaped() - h * v, 3, 3))) /
                    (2 * h);
  EXPECT_LE(riemopt::testing::relative_error(e.hessian_vector(x, v), fd), 1e-8);
}

TEST(MatrixCompletion, ValueGradientAndHessianAreTheMaskedResidual) {
  Rng rng(4);
  const Matrix X = random_matrix(4, 5, rng);
  std::vector<Observation> obs = {{0, 0, 1.0}, {3, 4, -2.0}, {2, 1, 0.5}};
  const MatrixCompletion half(4, 5, obs);
  const MatrixCompletion mean(4, 5, obs, MatrixCompletion::Normalization::kMean);
  const Point x(X.reshaped(), 4, 5);
  double sum = 0;
  Matrix G = Matrix::Zero(4, 5);
  for (const auto& o : obs) {
    const double r = X(o.row, o.col) - o.value;
    sum += r * r;
    G(o.row, o.col) = r;
  }
  EXPECT_DOUBLE_EQ(half.value(x), 0.5 * sum);
  EXPECT_DOUBLE_EQ(mean.value(x), sum / 3);
  EXPECT_DOUBLE_EQ(half.observed_mse(x.coords()), sum / 3);
  EXPECT_LE((half.gradient(x) - G.reshaped()).norm(), 1e-15);
  EXPECT_LE((mean.gradient(x) - (2.0 / 3.0) * G.reshaped()).norm(), 1e-15);
  expect_derivatives_pass(std::make_shared<MatrixCompletion>(4, 5, obs), 4, 5, rng);
}

TEST(MatrixSensing, MatchesTheDefinition) {
  Rng rng(5);
  std::vector<Matrix> A;
  for (int i = 0; i < 6; ++i) A.push_back(random_matrix(3, 4, rng));
  const Vector y = gaussian_vector(6, rng);
  const MatrixSensing sensing(A, y);
  const Matrix X = random_matrix(3, 4, rng);
  double expected = 0;
  for (int i = 0; i < 6; ++i) expected += std::pow((A[i].array() * X.array()).sum() - y[i], 2);
  expected /= 12.0;
  EXPECT_NEAR(sensing.value(Point(X.reshaped(), 3, 4)), expected, 1e-13 * expected);
  expect_derivatives_pass(std::make_shared<MatrixSensing>(A, y), 3, 4, rng);
}

TEST(EnergyAlgebra, SumsScalesAndLambdasCompose) {
  Rng rng(6);
  auto schatten = EnergyPtr(std::make_shared<SchattenEnergy>(3.0));
  auto lambda = EnergyPtr(std::make_shared<LambdaEnergy>(
      "quartic", 12, [](const Point& x) { return 0.25 * x.coords().array().pow(4).sum(); },
      [](const Point& x, VectorRef g) { g = x.coords().array().pow(3); },
      [](const Point& x, const ConstVectorRef& v, VectorRef hv) {
        hv = 3.0 * x.coords().array().square() * v.array();
      }));
  const EnergyPtr total = 2.0 * schatten - lambda + 0.5 * lambda;
  const Point x(random_matrix(3, 4, rng).reshaped(), 3, 4);
  EXPECT_NEAR(total->value(x), 2 * schatten->value(x) - 0.5 * lambda->value(x), 1e-12);
  EXPECT_EQ(total->name(), "2*schatten(p=3) - quartic + 0.5*quartic");
  expect_derivatives_pass(total, 3, 4, rng);
  // A gradient that is wrong on purpose is caught by the Taylor test.
  auto wrong = EnergyPtr(std::make_shared<LambdaEnergy>(
      "wrong", 12, [](const Point& p) { return 0.25 * p.coords().array().pow(4).sum(); },
      [](const Point& p, VectorRef g) { g = 1.01 * p.coords().array().pow(3); }));
  const Problem problem(euclidean_matrices(3, 4), wrong);
  EXPECT_FALSE(check_gradient(problem, x, random_matrix(3, 4, rng).reshaped()).passed);
}

// Huber's loss is piecewise quadratic: along x + t v the Hessian remainder is exactly rounding
// until t crosses a kink, then jumps. The slope fit once read 4.3 or 3.3 there and failed a
// correct Hessian; a Hessian 1% off must still fail, and so must a wrong gradient.
TEST(DerivativeCheck, PiecewisePolynomialEnergiesAreExactToRoundingNotFailed) {
  const auto huber = [](double scale_hessian, double scale_gradient) {
    const auto rho = [](double r) { return std::abs(r) <= 1.0 ? 0.5 * r * r : std::abs(r) - 0.5; };
    return std::make_shared<LambdaEnergy>(
        "huber", 6,
        [rho](const Point& p) {
          double sum = 0.0;
          for (double r : p.coords()) sum += rho(r);
          return sum;
        },
        [scale_gradient](const Point& p, VectorRef g) {
          for (Eigen::Index i = 0; i < g.size(); ++i)
            g[i] = scale_gradient * std::clamp(p.coords()[i], -1.0, 1.0);
        },
        [scale_hessian](const Point& p, const ConstVectorRef& v, VectorRef hv) {
          for (Eigen::Index i = 0; i < v.size(); ++i)
            hv[i] = std::abs(p.coords()[i]) <= 1.0 ? scale_hessian * v[i] : 0.0;
        });
  };
  Vector x0(6), v(6);
  x0 << 0.9, -0.3, 2.0, 0.05, -0.95, 0.5;  // two residuals 0.05–0.1 from a kink
  v << 1.0, 0.5, -0.25, 0.75, -1.0, 0.1;
  const Point x(x0, 6, 1);
  const DerivativeCheck exact = check_hessian(*huber(1.0, 1.0), x, v);
  EXPECT_TRUE(exact.passed) << exact.report();
  EXPECT_GT(exact.exact_to_rounding_below, 0.0) << exact.report();
  EXPECT_NE(exact.report().find("exact to rounding"), std::string::npos) << exact.report();
  const DerivativeCheck off = check_hessian(*huber(1.01, 1.0), x, v);
  EXPECT_FALSE(off.passed) << off.report();
  EXPECT_EQ(off.exact_to_rounding_below, 0.0);
  const Problem problem(euclidean_matrices(6, 1), huber(1.0, 1.0));
  EXPECT_TRUE(check_gradient(problem, x, v).passed);
  const Problem wrong(euclidean_matrices(6, 1), huber(1.0, 1.01));
  EXPECT_FALSE(check_gradient(wrong, x, v).passed);
}

TEST(EnergyAlgebra, SpectralTermsShareOneSvd) {
  Rng rng(7);
  const EnergyPtr e = EnergyPtr(std::make_shared<SchattenEnergy>(3.0)) +
                      EnergyPtr(std::make_shared<SchattenEnergy>(1.5)) +
                      EnergyPtr(std::make_shared<SchattenEnergy>(4.0));
  const Problem problem(dln_matrices(5, 5, Depth::finite(4)), e);
  const Point x(random_matrix(5, 5, rng).reshaped(), 5, 5);
  const auto before = svd_count();
  Problem::Evaluation eval;
  problem.evaluate(x, eval);
  EXPECT_EQ(svd_count() - before, 1u);
}

}  // namespace
