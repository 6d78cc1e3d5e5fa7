// The DLN metric A_{N,X} (docs/MATH.md §3): the SVD form against the defining sum of fractional
// matrix powers, its limits, and its special points.
#include <gtest/gtest.h>

#include "riemopt/errors.hpp"
#include "riemopt/manifolds/chamber_metric.hpp"
#include "riemopt/manifolds/dln_metric.hpp"
#include "riemopt/manifolds/matrix_space.hpp"
#include "riemopt/stiffness_model.hpp"
#include "riemopt/svd.hpp"
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

// stiff_sharp's contract, checked on eigencomponents: with X = QΣRᵀ every q_i r_jᵀ is an
// eigenvector of A (eigenvalue h_ij, read off the defining sum of fractional powers, not the
// library's divided differences). stiff_sharp must return h_ij q_i r_jᵀ wherever h_ij >= floor,
// and either that or zero below it; it is linear, so a random Z must give the sum of its
// components' images, and the at-support variant must read that at Z's support.
TEST(DlnMetricStiffSharp, KeepsEveryComponentAboveTheFloorAndIsCheaperBelow) {
  Rng rng(11);
  const Eigen::Index n = 10;
  Vector sigma(n);
  for (Eigen::Index k = 0; k < n; ++k) sigma[k] = 10.0 * std::pow(0.3, static_cast<double>(k));
  Matrix Q, R;
  const Matrix X = riemopt::testing::matrix_with_singular_values(n, n, sigma, rng, &Q, &R);
  const Point x(X.reshaped(), n, n);
  const int depth = 3;
  const DlnMetric metric{Depth::finite(depth)};
  Matrix h(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j)
      h(i, j) = Q.col(i).dot(direct_operator(X, Q.col(i) * R.col(j).transpose(), depth) * R.col(j));
  const Matrix Z = random_matrix(n, n, rng);
  std::vector<Eigen::Index> index;
  for (Eigen::Index l = 0; l < n * n; l += 4) index.push_back((l * 7) % (n * n));
  Vector values(static_cast<Eigen::Index>(index.size()));
  Vector sparse_input = Vector::Zero(n * n);
  for (std::size_t l = 0; l < index.size(); ++l)
    sparse_input[index[l]] = values[static_cast<Eigen::Index>(l)] = Z.reshaped()[index[l]];
  // Floors between the diagonal weights h_kk (so the kept rank runs through 0..n), plus 0.
  std::vector<double> floors = {0.0, 2.0 * h.maxCoeff()};
  for (Eigen::Index k = 0; k + 1 < n; ++k) floors.push_back(std::sqrt(h(k, k) * h(k + 1, k + 1)));
  int dropping_floors = 0;
  for (const double floor : floors) {
    Matrix kept = Matrix::Zero(n, n);  // 1 where stiff_sharp keeps q_i r_jᵀ, 0 where it drops it
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = 0; j < n; ++j) {
        const Matrix e = Q.col(i) * R.col(j).transpose();
        Vector out(n * n);
        metric.stiff_sharp(x, floor, e.reshaped(), out);
        const double scale = h.maxCoeff();
        if ((out - h(i, j) * e.reshaped()).norm() <= 1e-10 * scale) {
          kept(i, j) = 1.0;
        } else {
          EXPECT_LE(out.norm(), 1e-10 * scale) << "floor " << floor << " component " << i << j;
          EXPECT_LT(h(i, j), floor) << "dropped a component at or above the floor: " << i << j;
        }
      }
    if (kept.sum() < static_cast<double>(n * n)) ++dropping_floors;
    if (floor == 0.0) {
      EXPECT_EQ(kept.sum(), static_cast<double>(n * n));
    }
    const Matrix expected =
        Q * (kept.array() * h.array() * (Q.transpose() * Z * R).array()).matrix() * R.transpose();
    Vector out(n * n);
    metric.stiff_sharp(x, floor, Z.reshaped(), out);
    EXPECT_LT((out - expected.reshaped()).norm(), 1e-11 * h.maxCoeff() * Z.norm())
        << "floor " << floor;
    Vector dense(n * n);
    metric.stiff_sharp(x, floor, sparse_input, dense);
    Vector at_support(values.size());
    ASSERT_TRUE(metric.stiff_sharp_at_support(x, floor, index, values, at_support));
    for (std::size_t l = 0; l < index.size(); ++l)
      EXPECT_NEAR(at_support[static_cast<Eigen::Index>(l)], dense[index[l]],
                  1e-11 * h.maxCoeff() * values.norm())
          << "floor " << floor << " entry " << l;
  }
  // The cheap path (kept rank below n/2) ran for several floors, not only the exact fallback.
  EXPECT_GE(dropping_floors, 5);
}

// Every metric has a stiff part: without a cheaper one it is sharp itself.
TEST(DlnMetricStiffSharp, DefaultsToSharpAndRectangularPointsAreExact) {
  Rng rng(12);
  const Matrix X = random_matrix(4, 6, rng), Z = random_matrix(4, 6, rng);
  const Point x(X.reshaped(), 4, 6);
  const DlnMetric metric{Depth::finite(3)};
  Vector out(24);
  metric.stiff_sharp(x, 1e3, Z.reshaped(), out);
  EXPECT_LT((out - metric.sharp(x, Z.reshaped())).norm(), 1e-14 * out.norm());
  EXPECT_FALSE(metric.stiff_sharp_at_support(x, 1e3, {0, 5}, Vector::Ones(2), out.head(2)));
  const EuclideanMetric euclidean;
  ASSERT_NE(euclidean.stiffness_model(), nullptr);
  euclidean.stiffness_model()->stiff_sharp(x, 1e3, Z.reshaped(), out);
  EXPECT_EQ(out, Z.reshaped());
  // A metric without the capability: the chamber's (the integrator falls back to sharp).
  EXPECT_EQ(ChamberMetric(Depth::finite(3)).stiffness_model(), nullptr);
}

}  // namespace
