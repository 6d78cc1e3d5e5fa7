// linearize_flow and split_modes on a quadratic whose flow is linear with known spectrum.
#include <gtest/gtest.h>

#include "riemopt/errors.hpp"
#include "riemopt/flow_linearization.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;

TEST(FlowLinearization, QuadraticFlowHasMinusTheHessianAsJacobian) {
  Rng rng(41);
  // A = V diag(1, 2, 2, 5) Vᵀ: the flow ẋ = −A x has eigenvalues −1, −2, −2, −5.
  const Matrix V = riemopt::testing::random_orthogonal(4, rng);
  const Vector lambda{{1.0, 2.0, 2.0, 5.0}};
  const Matrix A = V * lambda.asDiagonal() * V.transpose();
  const EnergyPtr quadratic = std::make_shared<LambdaEnergy>(
      "quadratic", 4, [A](const Point& x) { return 0.5 * x.coords().dot(A * x.coords()); },
      [A](const Point& x, VectorRef out) { out = A * x.coords(); });
  const Problem problem(euclidean_matrices(4, 1), quadratic);
  const FlowLinearization lin = linearize_flow(problem, Point(Vector{{0.3, -1.0, 2.0, 0.5}}));
  EXPECT_LE((lin.jacobian + A).norm(), 1e-9 * A.norm());
  EXPECT_LE((lin.eigenvalues - Vector{{-5.0, -2.0, -2.0, -1.0}}).norm(), 1e-9);
  EXPECT_LE(lin.max_imaginary, 1e-9);
  const ModeSplit split = split_modes(lin, V.col(3));  // the eigenvector of 5
  EXPECT_NEAR(split.along, -5.0, 1e-9);
  EXPECT_NEAR(split.across_mean, -5.0 / 3.0, 1e-9);
  EXPECT_NEAR(split.across_spread, 1.0, 1e-9);
  EXPECT_THROW(split_modes(lin, Vector::Zero(4)), InvalidArgument);
  EXPECT_THROW(linearize_flow(problem, Point(Vector::Ones(4)), 0.0), InvalidArgument);
}

}  // namespace
