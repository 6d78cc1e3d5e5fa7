// The DLN metric A_{N,X} (MATH.md §3): the SVD form against the defining sum of fractional
// matrix powers, its limits, and its special points.
#include <gtest/gtest.h>

#include "riemopt/errors.hpp"
#include "riemopt/manifolds/dln_metric.hpp"
#include "riemopt/manifolds/matrix_space.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;
using riemopt::testing::psd_power;
using riemopt::testing::random_matrix;
using riemopt::testing::relative_error;

// Σ_p (XXᵀ)^{(N−p)/N} Z (XᵀX)^{(p−1)/N}, computed by eigendecompositions (no SVD, no h_N).
Matrix direct_operator(const Matrix& X, const Matrix& Z, int n) {
  const Matrix L = X * X.transpose(), R = X.transpose() * X;
  Matrix sum = Matrix::Zero(Z.rows(), Z.cols());
  for (int p = 1; p <= n; ++p)
    sum += psd_power(L, static_cast<double>(n - p) / n) * Z *
           psd_power(R, static_cast<double>(p - 1) / n);
  return sum;
}

Vector apply_sharp(const Matrix& X, const Matrix& Z, Depth depth) {
  const Point x(X.reshaped(), X.rows(), X.cols());
  return DlnMetric(depth).sharp(x, Z.reshaped());
}

struct Shape {
  Eigen::Index m, n;
};

void PrintTo(const Shape& s, std::ostream* os) { *os << s.m << "x" << s.n; }

class DlnMetricShapes : public ::testing::TestWithParam<Shape> {};

TEST_P(DlnMetricShapes, SvdFormEqualsSumOfFractionalPowers) {
  const auto [m, n] = GetParam();
  Rng rng(42 + m * 10 + n);
  for (int depth : {1, 2, 3, 4, 7}) {
    const Matrix X = random_matrix(m, n, rng);
    const Matrix Z = random_matrix(m, n, rng);
    const Matrix expected = direct_operator(X, Z, depth);
    const Vector got = apply_sharp(X, Z, Depth::finite(depth));
    EXPECT_LE(relative_error(got.reshaped(m, n), expected), 1e-12) << "N=" << depth;
  }
}

TEST_P(DlnMetricShapes, RankDeficientPointsUseTheContinuousExtension) {
  const auto [m, n] = GetParam();
  Rng rng(7 + m + n);
  const Eigen::Index k = std::min(m, n);
  Vector sigma = Vector::LinSpaced(k, 2.0, 0.5);
  sigma[k - 1] = 0.0;  // one zero singular value
  const Matrix X = riemopt::testing::matrix_with_singular_values(m, n, sigma, rng);
  const Matrix Z = random_matrix(m, n, rng);
  for (int depth : {2, 3}) {
    const Vector got = apply_sharp(X, Z, Depth::finite(depth));
    EXPECT_LE(relative_error(got.reshaped(m, n), direct_operator(X, Z, depth)), 1e-10);
  }
  const Point x(X.reshaped(), m, n);
  EXPECT_THROW(DlnMetric(Depth::finite(3)).flat(x, Z.reshaped()), NumericalError);
}

TEST_P(DlnMetricShapes, DividedByDepthConvergesToInfiniteDepth) {
  const auto [m, n] = GetParam();
  Rng rng(3 + m * n);
  const Matrix X = random_matrix(m, n, rng), Z = random_matrix(m, n, rng);
  const Vector inf = apply_sharp(X, Z, Depth::infinite());
  auto err = [&](int depth) {
    return relative_error(apply_sharp(X, Z, Depth::finite(depth)) / depth, inf);
  };
  // First-order convergence in 1/N: quadrupling N divides the error by 4.
  EXPECT_NEAR(err(256) / err(1024), 4.0, 0.1);
  EXPECT_LT(err(1024), 2e-2);
}

TEST_P(DlnMetricShapes, FlatInvertsSharpAndWhiteningSquaresToSharp) {
  const auto [m, n] = GetParam();
  Rng rng(11 + m + 3 * n);
  const Matrix X = random_matrix(m, n, rng), Z = random_matrix(m, n, rng);
  const Point x(X.reshaped(), m, n);
  for (int depth : {1, 2, 5}) {
    DlnMetric metric(Depth::finite(depth));
    const Vector z = Z.reshaped();
    EXPECT_LE(relative_error(metric.flat(x, metric.sharp(x, z)), z), 1e-12);
    EXPECT_LE(relative_error(metric.whiten(x, metric.whiten(x, z)), metric.sharp(x, z)), 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, DlnMetricShapes,
                         ::testing::Values(Shape{4, 4}, Shape{5, 3}, Shape{3, 5}, Shape{1, 4},
                                           Shape{6, 1}),
                         [](const auto& param_info) {
                           return std::to_string(param_info.param.m) + "x" +
                                  std::to_string(param_info.param.n);
                         });

TEST(DlnMetric, DepthOneIsEuclideanExactly) {
  Rng rng(5);
  const Matrix X = random_matrix(4, 3, rng), Z = random_matrix(4, 3, rng);
  const Vector got = apply_sharp(X, Z, Depth::finite(1));
  EXPECT_EQ(got, Z.reshaped());
}

TEST(DlnMetric, IdentityGivesExactlyNTimesZ) {
  Rng rng(6);
  const Matrix Z = random_matrix(5, 5, rng);
  const Matrix I = Matrix::Identity(5, 5);
  for (int depth : {2, 3, 10}) {
    const Vector got = apply_sharp(I, Z, Depth::finite(depth));
    EXPECT_TRUE(got.allFinite());
    EXPECT_LE(relative_error(got, depth * Z.reshaped()), 4e-16) << "N=" << depth;
  }
  EXPECT_LE(relative_error(apply_sharp(I, Z, Depth::infinite()), Z.reshaped()), 4e-16);
  // 3·I: A_N = N·9^{(N−1)/N}·Z.
  const Vector got = apply_sharp(3.0 * I, Z, Depth::finite(3));
  EXPECT_LE(relative_error(got, 3.0 * std::pow(9.0, 2.0 / 3.0) * Z.reshaped()), 1e-15);
}

TEST(DlnMetric, AccurateAtNearCollisionsOfSingularValues) {
  Rng rng(8);
  for (double gap : {1e-12, 1e-9, 1e-6}) {
    Vector sigma(4);
    sigma << 2.0, 1.0 + gap, 1.0, 0.3;
    const Matrix X = riemopt::testing::matrix_with_singular_values(4, 4, sigma, rng);
    const Matrix Z = random_matrix(4, 4, rng);
    for (int depth : {2, 3, 6}) {
      const Vector got = apply_sharp(X, Z, Depth::finite(depth));
      EXPECT_LE(relative_error(got.reshaped(4, 4), direct_operator(X, Z, depth)), 1e-12)
          << "gap=" << gap << " N=" << depth;
    }
  }
}

TEST(DlnMetric, OneSvdPerPointHoweverManyApplications) {
  Rng rng(9);
  const Matrix X = random_matrix(6, 6, rng), Z = random_matrix(6, 6, rng);
  const Point x(X.reshaped(), 6, 6);
  DlnMetric metric(Depth::finite(4));
  const auto before = svd_count();
  metric.sharp(x, Z.reshaped());
  metric.flat(x, Z.reshaped());
  metric.whiten(x, Z.reshaped());
  metric.inner(x, Z.reshaped(), Z.reshaped());
  EXPECT_EQ(svd_count() - before, 1u);
}

TEST(DlnMetric, InfiniteDepthRectangularInverseIsRejected) {
  Rng rng(10);
  const Matrix X = random_matrix(4, 2, rng), Z = random_matrix(4, 2, rng);
  const Point x(X.reshaped(), 4, 2);
  try {
    DlnMetric(Depth::infinite()).flat(x, Z.reshaped());
    FAIL() << "expected NumericalError";
  } catch (const NumericalError& e) {
    EXPECT_NE(std::string(e.what()).find("square"), std::string::npos) << e.what();
  }
}

// sharp_at_support reads sharp(x, Z) at Z's support; it must equal the dense computation there,
// at full rank, at a rank-deficient point, for several depths, and repeatedly at one point (the
// cached weights) and after the point moves (the cache must not go stale).
TEST(DlnMetricSharpAtSupport, EqualsTheDenseSharpOnTheSupport) {
  Rng rng(7);
  const Eigen::Index n = 9;
  std::vector<Eigen::Index> index;
  for (Eigen::Index l = 0; l < n * n; l += 3) index.push_back((l * 7) % (n * n));
  const Vector values = Vector::LinSpaced(static_cast<Eigen::Index>(index.size()), -1.0, 2.0);
  Vector dense_input = Vector::Zero(n * n);
  for (std::size_t l = 0; l < index.size(); ++l)
    dense_input[index[l]] = values[static_cast<Eigen::Index>(l)];
  Matrix low_rank = random_matrix(n, 2, rng) * random_matrix(2, n, rng);
  for (const Matrix& X : {random_matrix(n, n, rng), low_rank, random_matrix(n, n, rng)}) {
    const Point x(X.reshaped(), n, n);
    for (const Depth depth :
         {Depth::finite(1), Depth::finite(2), Depth::finite(5), Depth::infinite()}) {
      const DlnMetric metric(depth);
      const Vector dense = metric.sharp(x, dense_input);
      for (int repeat = 0; repeat < 2; ++repeat) {
        Vector out(values.size());
        ASSERT_TRUE(metric.sharp_at_support(x, index, values, out));
        for (std::size_t l = 0; l < index.size(); ++l)
          EXPECT_NEAR(out[static_cast<Eigen::Index>(l)], dense[index[l]],
                      1e-12 * dense.cwiseAbs().maxCoeff())
              << depth.to_string() << " entry " << l;
      }
    }
  }
  // Rectangular points decline (callers fall back to sharp); bad sizes throw.
  const Matrix R = random_matrix(4, 6, rng);
  const Point rect(R.reshaped(), 4, 6);
  Vector out(2);
  EXPECT_FALSE(DlnMetric(Depth::finite(3)).sharp_at_support(rect, {0, 5}, Vector::Ones(2), out));
  const Point square(random_matrix(n, n, rng).reshaped(), n, n);
  EXPECT_THROW(DlnMetric(Depth::finite(3)).sharp_at_support(square, {0, 5}, Vector::Ones(3), out),
               InvalidArgument);
}

}  // namespace
