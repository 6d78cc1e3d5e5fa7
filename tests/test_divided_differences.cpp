#include <gtest/gtest.h>

#include <cmath>

#include "riemopt/divided_differences.hpp"
#include "riemopt/errors.hpp"

using riemopt::Depth;
using riemopt::dln_divided_difference;

namespace {

// Polynomial form Σ_{m=0}^{N−1} a^{2m/N} b^{2(N−1−m)/N} in long double: the reference.
long double polynomial_h(long double a, long double b, int n) {
  long double sum = 0;
  for (int m = 0; m < n; ++m)
    sum += std::pow(a, 2.0L * m / n) * std::pow(b, 2.0L * (n - 1 - m) / n);
  return sum;
}

TEST(DividedDifference, MatchesPolynomialFormAtAllSeparations) {
  for (int n : {1, 2, 3, 4, 5, 7, 16, 64}) {
    for (double b : {1e-3, 0.37, 1.0, 2.5, 1e3}) {
      for (double rel : {0.0, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 0.5, 3.0, 100.0}) {
        const double a = b * (1.0 + rel);
        const long double ref = polynomial_h(a, b, n);
        const double h = dln_divided_difference(a, b, Depth::finite(n));
        EXPECT_LE(std::abs((h - ref) / ref), 1e-13)
            << "N=" << n << " a=" << a << " b=" << b << " h=" << h;
        EXPECT_EQ(h, dln_divided_difference(b, a, Depth::finite(n)));  // symmetric
      }
    }
  }
}

// The matrix form (polynomial up to depth 16, the expm1 form beyond) against the long-double
// reference for every pair of a spread of σ with near-collisions, exact ties and a zero; ties
// must give bit-identical rows (flows keep exact collisions).
TEST(DividedDifference, MatrixFormMatchesThePolynomialReference) {
  riemopt::Vector sigma(12);
  sigma << 40.0, 3.0, 3.0, 3.0 * (1.0 + 1e-12), 1.0, 0.37, 1e-2, 1e-2 * (1.0 + 1e-9), 1e-5, 1e-9,
      1e-12, 0.0;
  for (int n : {2, 3, 4, 16, 17, 64}) {
    riemopt::Matrix H;
    riemopt::dln_divided_difference_matrix(sigma, Depth::finite(n), H);
    for (Eigen::Index i = 0; i < sigma.size(); ++i) {
      for (Eigen::Index j = 0; j < sigma.size(); ++j) {
        const long double ref = polynomial_h(sigma[i], sigma[j], n);
        if (ref == 0.0L) {
          EXPECT_EQ(H(i, j), 0.0) << "N=" << n << " (" << i << ", " << j << ")";
          continue;
        }
        EXPECT_LE(std::abs((H(i, j) - ref) / ref), 2e-14)
            << "N=" << n << " (" << i << ", " << j << ") h=" << H(i, j);
        EXPECT_EQ(H(i, j), H(j, i));
      }
    }
    EXPECT_EQ(H.row(1), H.row(2)) << "N=" << n;
  }
}

TEST(DividedDifference, ExactOnTheDiagonal) {
  EXPECT_EQ(dln_divided_difference(1.0, 1.0, Depth::finite(3)), 3.0);
  EXPECT_EQ(dln_divided_difference(1.0, 1.0, Depth::finite(64)), 64.0);
  EXPECT_EQ(dln_divided_difference(1.0, 1.0, Depth::infinite()), 1.0);
  EXPECT_DOUBLE_EQ(dln_divided_difference(2.0, 2.0, Depth::finite(2)), 2.0 * 2.0);  // N a^{2-2/N}
  EXPECT_EQ(dln_divided_difference(5.0, 0.1, Depth::finite(1)), 1.0);
}

TEST(DividedDifference, ZeroArgumentsAreTheContinuousExtension) {
  // h_N(a, 0) = a^{2−2/N}, h_∞(a, 0) = 0, h_N(0, 0) = 0 for N >= 2.
  EXPECT_NEAR(dln_divided_difference(3.0, 0.0, Depth::finite(3)), std::pow(3.0, 4.0 / 3.0), 1e-14);
  EXPECT_EQ(dln_divided_difference(3.0, 0.0, Depth::infinite()), 0.0);
  EXPECT_EQ(dln_divided_difference(0.0, 0.0, Depth::finite(2)), 0.0);
  EXPECT_EQ(dln_divided_difference(0.0, 0.0, Depth::finite(1)), 1.0);
}

TEST(DividedDifference, InfiniteDepthIsTheLogarithmicMeanAndTheLimit) {
  const double a = 1.7, b = 0.4;
  const double log_mean = (a * a - b * b) / (std::log(a * a) - std::log(b * b));
  EXPECT_NEAR(dln_divided_difference(a, b, Depth::infinite()), log_mean, 1e-15 * log_mean);
  // h_N / N → h_∞ at the rate 1/N (a^{−2/N} and N(1 − r^{2/N}) are both 1 + O(1/N)).
  auto err = [&](int n) {
    return std::abs(dln_divided_difference(a, b, Depth::finite(n)) / n - log_mean) / log_mean;
  };
  EXPECT_LT(err(10000), 1e-4);
  EXPECT_NEAR(err(1000) / err(10000), 10.0, 0.1);
  // Near collisions at infinite depth: series reference a²(1 − δ + 2δ²/3 ...) with δ = log(a/b).
  const double c = 2.0, delta = 1e-11;
  const double bb = c * std::exp(-delta);
  EXPECT_NEAR(dln_divided_difference(c, bb, Depth::infinite()), c * c * (1 - delta), 1e-14 * c * c);
}

TEST(DividedDifference, RejectsBadArguments) {
  EXPECT_THROW(dln_divided_difference(-1.0, 1.0, Depth::finite(2)), riemopt::InvalidArgument);
  EXPECT_THROW(dln_divided_difference(NAN, 1.0, Depth::finite(2)), riemopt::InvalidArgument);
  EXPECT_THROW(dln_divided_difference(INFINITY, 1.0, Depth::finite(2)), riemopt::InvalidArgument);
  EXPECT_THROW(Depth::finite(0), riemopt::InvalidArgument);
  EXPECT_THROW(Depth::parse("zero"), riemopt::InvalidArgument);
  EXPECT_THROW(Depth::parse("3x"), riemopt::InvalidArgument);
  EXPECT_THROW(Depth::parse("-2"), riemopt::InvalidArgument);
  EXPECT_TRUE(Depth::parse("inf").is_infinite());
  EXPECT_EQ(Depth::parse("12").value(), 12);
  try {
    Depth::finite(0);
  } catch (const riemopt::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("got 0"), std::string::npos) << e.what();
  }
}

}  // namespace
