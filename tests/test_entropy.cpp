// The DLN entropy (docs/MATH.md §5) against the high-precision reference values, our own 60-digit
// cases, closed forms, and derivative checks; the free energy's composition and validation.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>

#include "reference_values.hpp"
#include "riemopt/derivative_check.hpp"
#include "riemopt/divided_differences.hpp"
#include "riemopt/energies/chamber_energies.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/manifolds/chamber_metric.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;
using riemopt::testing::EntropyReference;

constexpr double kTolerance = 1e-12;

// |a − b| <= tol·|b|, or <= tol when b = 0 (absolute where the reference is 0).
::testing::AssertionResult close(double a, double b, double tol = kTolerance) {
  const double scale = b == 0.0 ? 1.0 : std::abs(b);
  if (std::abs(a - b) <= tol * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << a << " vs " << b << " (relative error " << std::abs(a - b) / scale << ")";
}

void expect_matches(const EntropyReference& r, const std::string& label) {
  const Eigen::Index d = r.sigma.size();
  EXPECT_TRUE(close(dln_entropy(r.sigma, r.depth), r.s_reduced)) << label << " value";
  Vector g(d);
  dln_entropy_gradient(r.sigma, r.depth, g);
  Matrix h;
  dln_entropy_hessian(r.sigma, r.depth, h);
  // The one-pass value and gradient (the flow's path through MatrixEntropy) against the same
  // references.
  Vector fused_gradient(d);
  EXPECT_TRUE(close(dln_entropy_and_gradient(r.sigma, r.depth, fused_gradient), r.s_reduced))
      << label << " one-pass value";
  for (Eigen::Index i = 0; i < d; ++i) {
    EXPECT_TRUE(close(g[i], r.gradient[i])) << label << " gradient " << i;
    EXPECT_TRUE(close(fused_gradient[i], r.gradient[i])) << label << " one-pass gradient " << i;
    for (Eigen::Index j = 0; j < d; ++j)
      EXPECT_TRUE(close(h(i, j), r.hessian(i, j))) << label << " hessian " << i << "," << j;
  }
}

TEST(DlnEntropy, MatchesEveryReferenceValueTo1e12) {
  const auto& refs = riemopt::testing::reference_values().entropy;
  ASSERT_GE(refs.size(), 9u);
  for (std::size_t i = 0; i < refs.size(); ++i) {
    const EntropyReference& r = refs[i];
    const std::string label =
        "reference entry " + std::to_string(i) + " (N=" + r.depth.to_string() + ")";
    expect_matches(r, label);
  }
}

// Values computed with mpmath at 60 digits from the definition in log coordinates, at the exact
// double nearest each decimal σ: near collisions (gaps 1e-9, 1e-12, 1e-8 at scale 1e-6), a
// four-fold exact collision, twelve decades of spread, and a close pair next to a tiny value.
struct OwnCase {
  int n;  // 0 = infinite depth
  std::vector<double> sigma;
  double value;
  std::vector<double> gradient;
  std::vector<double> hessian;  // row-major
};

std::vector<OwnCase> own_cases() {
  return {{4,
           {2, 1.000000001, 1, 0.3},
           4.1257023170294236978,
           {0.78727443310235010108, 1.1913630991328611841, 1.1913630997529442809,
            1.8090831123937705174},
           {-0.30245029604304639807, -0.070720598449609748054, -0.070720598500510877206,
            -0.136442146651386923, -0.070720598449609748054, -0.77633304493604040647,
            -0.15624999984374998719, -0.39112952225839396485, -0.070720598500510877206,
            -0.15624999984374998719, -0.77633304590509697129, -0.39112952282275186536,
            -0.136442146651386923, -0.39112952225839396485, -0.39112952282275186536,
            -2.5131325787290710482}},
          {0,
           {1.000000000001, 1, 0.5},
           -0.61431633242894982517,
           {1.1119858128880580356, 1.1119858128886849482, 1.5520567484442898632},
           {-0.79352354460704107663, -0.16666666666649998518, -0.30359120322744675933,
            -0.16666666666649998518, -0.79352354460810327146, -0.30359120322783002009,
            -0.30359120322744675933, -0.30359120322783002009, -1.8897486839774189312}},
          {7,
           {5, 5, 5, 5},
           14.114839711112741842,
           {0.25714285714285714286, 0.25714285714285714286, 0.25714285714285714286,
            0.25714285714285714286},
           {-0.03183673469387755102, -0.0065306122448979591837, -0.0065306122448979591837,
            -0.0065306122448979591837, -0.0065306122448979591837, -0.03183673469387755102,
            -0.0065306122448979591837, -0.0065306122448979591837, -0.0065306122448979591837,
            -0.0065306122448979591837, -0.03183673469387755102, -0.0065306122448979591837,
            -0.0065306122448979591837, -0.0065306122448979591837, -0.0065306122448979591837,
            -0.03183673469387755102}},
          {2,
           {1.00000001e-6, 1e-6},
           -6.5611816862021644172,
           {249999.99875000001303, 249999.99875000001303},
           {-124999998750.00001615, -124999998750.00001615, -124999998750.00001615,
            -124999998750.00001615}},
          {3,
           {1e6, 1, 1e-6},
           18.420780753951698855,
           {1.3332999933339999333e-6, 0.66666666666666666667, 33.339999333400003835},
           {-1.3332777644464442444e-12, -2.2226665333422233331e-11, -2.2222222666666653669e-9,
            -2.2226665333422233331e-11, -0.6666222133359998222, -22.226665333422233666,
            -2.2222222666666653669e-9, -22.226665333422233666, -11111111.777711104006}},
          {6,
           {3, 2.9999, 1e-3},
           3.7142261978373947572,
           {0.41252951563039466579, 0.4125396166542135345, 24.833857107840907006},
           {-0.11901159794799077905, -0.018004715379404575232, -1.4823761197465471791,
            -0.018004715379404575232, -0.11901830929694961351, -1.4824444560806883222,
            -1.4823761197465471791, -1.4824444560806883222, -15939.543624804808552}}};
}

TEST(DlnEntropy, MatchesOwnSixtyDigitCasesTo1e12) {
  for (const OwnCase& c : own_cases()) {
    EntropyReference r;
    r.depth = c.n == 0 ? Depth::infinite() : Depth::finite(c.n);
    const auto d = static_cast<Eigen::Index>(c.sigma.size());
    r.sigma = Eigen::Map<const Vector>(c.sigma.data(), d);
    r.s_reduced = c.value;
    r.gradient = Eigen::Map<const Vector>(c.gradient.data(), d);
    r.hessian =
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            c.hessian.data(), d, d);
    expect_matches(r, "own case N=" + r.depth.to_string());
  }
}

TEST(DlnEntropy, ClosedFormsOnTheDiagonal) {
  // docs/MATH.md §5 at σ = s·1: ∂_k S = (d−1)(N−1)/(2Ns); Hessian eigenvalues −(d−1)(N−1)/(2Ns²) on
  // 1 and (N−1)[(N+1) − (d−1)(2N−1)]/(6N²s²) on 1^⊥.
  for (int n : {2, 3, 5, 16}) {
    for (Eigen::Index d : {2, 3, 6}) {
      for (double s : {1e-4, 0.37, 1.0, 250.0}) {
        const Vector sigma = Vector::Constant(d, s);
        const double N = n, dm1 = static_cast<double>(d - 1);
        Vector g(d);
        dln_entropy_gradient(sigma, Depth::finite(n), g);
        for (Eigen::Index k = 0; k < d; ++k) EXPECT_TRUE(close(g[k], dm1 * (N - 1) / (2 * N * s)));
        Matrix h;
        dln_entropy_hessian(sigma, Depth::finite(n), h);
        const Vector ones = Vector::Ones(d);
        EXPECT_TRUE(close(ones.dot(h * ones) / d, -dm1 * (N - 1) / (2 * N * s * s)));
        Vector perp = Vector::Zero(d);
        perp[0] = 1.0;
        perp[1] = -1.0;
        const double expected = (N - 1) * ((N + 1) - dm1 * (2 * N - 1)) / (6 * N * N * s * s);
        EXPECT_TRUE(close(perp.dot(h * perp) / 2.0, expected, 1e-11)) << n << " " << d << " " << s;
      }
    }
  }
}

TEST(DlnEntropy, ContinuousAcrossTheSeriesSwitch) {
  // The pair function switches from its Taylor series to closed forms at |log(a/b)| = 1/2: the
  // values on either side must agree with the first-order Taylor prediction across the gap.
  for (Depth depth : {Depth::finite(2), Depth::finite(3), Depth::finite(40), Depth::infinite()}) {
    for (double side : {0.5, -0.5}) {  // a above or below b
      Vector below(2), above(2), gb(2), ga(2);
      below << std::exp(side * (1.0 - 1e-13)), 1.0;
      above << std::exp(side * (1.0 + 1e-13)), 1.0;
      const Vector step = above - below;
      dln_entropy_gradient(below, depth, gb);
      dln_entropy_gradient(above, depth, ga);
      Matrix hb, ha;
      dln_entropy_hessian(below, depth, hb);
      dln_entropy_hessian(above, depth, ha);
      const double predicted = dln_entropy(below, depth) + gb.dot(step);
      EXPECT_TRUE(close(dln_entropy(above, depth), predicted, 1e-14)) << depth.to_string();
      const Vector predicted_gradient = gb + hb * step;
      for (int k = 0; k < 2; ++k) {
        EXPECT_TRUE(close(ga[k], predicted_gradient[k], 1e-14)) << depth.to_string();
        for (int l = 0; l < 2; ++l) EXPECT_TRUE(close(ha(k, l), hb(k, l), 1e-12));
      }
    }
  }
}

TEST(DlnEntropy, TwoValuesMatchLongDoubleClosedFormsAroundTheSeriesSwitch) {
  // d = 2: S = ½ log h(a, b) with h_N = (a² − b²)/(a^{2/N} − b^{2/N}) and h_∞ = (a² − b²)/(2
  // log(a/b)), evaluated in long double from docs/MATH.md §5's gradient and its derivative. For
  // |log(a/b)| >= 0.3 these have no cancellation, so they check the series (below 1/2) and the
  // closed forms (above, where they lose a few bits) independently, to 2e-15 (value, gradient) and
  // 1e-14 (Hessian).
  using Real = long double;
  for (Depth depth : {Depth::finite(2), Depth::finite(3), Depth::finite(7), Depth::finite(40),
                      Depth::infinite()}) {
    for (double x = 0.3; x <= 1.5; x += 0.0625) {
      for (double b : {1e-3, 0.7, 40.0}) {
        const double a_double = b * std::exp(x);  // the references take this very double
        const Real a = a_double, bb = b;
        const Real diff_sq = a * a - bb * bb;
        Real value, ga, gb, haa, hab, hbb;
        if (depth.is_infinite()) {
          const Real l = std::log(a / bb);
          value = 0.5L * std::log(diff_sq / (2.0L * l));
          ga = a / diff_sq - 1.0L / (2.0L * a * l);
          gb = -bb / diff_sq + 1.0L / (2.0L * bb * l);
          haa = -(a * a + bb * bb) / (diff_sq * diff_sq) + (l + 1.0L) / (2.0L * a * a * l * l);
          hbb = -(a * a + bb * bb) / (diff_sq * diff_sq) + (1.0L - l) / (2.0L * bb * bb * l * l);
          hab = 2.0L * a * bb / (diff_sq * diff_sq) - 1.0L / (2.0L * a * bb * l * l);
        } else {
          const Real n = depth.as_double(), p = 2.0L / n;
          const Real ap = std::pow(a, p), bp = std::pow(bb, p), dp = ap - bp;
          value = 0.5L * std::log(diff_sq / dp);
          ga = a / diff_sq - (ap / a) / (n * dp);
          gb = -bb / diff_sq + (bp / bb) / (n * dp);
          // ∂/∂a of (1/N) a^{p−1}/(a^p − b^p) and its mixed and b counterparts.
          const Real faa = ((p - 1.0L) * ap / (a * a) * dp - p * ap * ap / (a * a)) / (n * dp * dp);
          const Real fbb =
              ((p - 1.0L) * bp / (bb * bb) * dp + p * bp * bp / (bb * bb)) / (n * dp * dp);
          const Real fab = p * (ap / a) * (bp / bb) / (n * dp * dp);
          haa = -(a * a + bb * bb) / (diff_sq * diff_sq) - faa;
          hbb = -(a * a + bb * bb) / (diff_sq * diff_sq) + fbb;
          hab = 2.0L * a * bb / (diff_sq * diff_sq) - fab;
        }
        Vector sigma(2), g(2);
        sigma << a_double, b;
        Matrix h;
        const double s = dln_entropy_and_gradient(sigma, depth, g);
        dln_entropy_hessian(sigma, depth, h);
        const std::string label = fmt::format("N={} x={} b={}", depth.to_string(), x, b);
        // Scales: S near zero is a sum of terms of size |log a| + |log b|; each derivative is
        // judged against the largest of its kind (an entry may pass through zero).
        const double value_scale = std::abs(std::log(a_double)) + std::abs(std::log(b)) + 1.0;
        const double gradient_scale = static_cast<double>(std::max(std::abs(ga), std::abs(gb)));
        const double hessian_scale =
            static_cast<double>(std::max({std::abs(haa), std::abs(hbb), std::abs(hab)}));
        EXPECT_NEAR(s, static_cast<double>(value), 2e-15 * value_scale) << label;
        EXPECT_NEAR(g[0], static_cast<double>(ga), 2e-15 * gradient_scale) << label;
        EXPECT_NEAR(g[1], static_cast<double>(gb), 2e-15 * gradient_scale) << label;
        EXPECT_NEAR(h(0, 0), static_cast<double>(haa), 1e-14 * hessian_scale) << label;
        EXPECT_NEAR(h(1, 1), static_cast<double>(hbb), 1e-14 * hessian_scale) << label;
        EXPECT_NEAR(h(0, 1), static_cast<double>(hab), 1e-14 * hessian_scale) << label;
      }
    }
  }
}

// Each derivative against its own long-double value, relative: entries whose true value is
// below the normal range may be 0 or subnormal, every other one must hold `tol`.
::testing::AssertionResult close_or_underflow(double got, long double truth, double tol) {
  const long double t = std::abs(truth);
  if (t > std::numeric_limits<double>::max()) {  // beyond double: an infinity of the same sign
    if (std::isinf(got) && (got < 0) == (truth < 0)) return ::testing::AssertionSuccess();
  } else if (t < std::numeric_limits<double>::min()) {
    if (std::abs(got) <= 2.0 * std::numeric_limits<double>::min())
      return ::testing::AssertionSuccess();
  } else if (std::abs(static_cast<long double>(got) - truth) <= tol * t) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << got << " vs " << static_cast<double>(truth);
}

TEST(DlnEntropy, ExtremeSeparationsKeepEveryRepresentableDerivative) {
  // σ = (a, b) with b far below a. The smaller value's share of the gradient, (2/N)e^{−2x/N}
  // with x = log(a/b), used to underflow to 0 before the division by b brought it back: at
  // (1e300, 1e-300), N = 3, the gradient entry 3.3e-101 came out as 0 and the Hessian entry
  // −1.1e199 as 0. Long double (range 1e±4932) computes the closed forms of d = 2 directly.
  using Real = long double;
  const std::vector<std::pair<double, double>> pairs = {
      {1e300, 1e-300}, {1e200, 1e-250}, {3e100, 2e-280}, {1e131, 1e-131},
      {1e129, 1e-129}, {2.0, 1e-300},   {1e150, 1e-150}};
  for (int n : {2, 3, 5}) {
    for (const auto& [a_double, b_double] : pairs) {
      const Real a = a_double, b = b_double, p = 2.0L / n;
      const Real ap = std::pow(a, p), bp = std::pow(b, p), dp = ap - bp;
      const Real diff_sq = a * a - b * b;
      const Real ga = a / diff_sq - (ap / a) / (n * dp);
      const Real gb = -b / diff_sq + (bp / b) / (n * dp);
      const Real faa = ((p - 1.0L) * ap / (a * a) * dp - p * ap * ap / (a * a)) / (n * dp * dp);
      const Real fbb = ((p - 1.0L) * bp / (b * b) * dp + p * bp * bp / (b * b)) / (n * dp * dp);
      const Real fab = p * (ap / a) * (bp / b) / (n * dp * dp);
      const Real haa = -(a * a + b * b) / (diff_sq * diff_sq) - faa;
      const Real hbb = -(a * a + b * b) / (diff_sq * diff_sq) + fbb;
      const Real hab = 2.0L * a * b / (diff_sq * diff_sq) - fab;
      Vector sigma(2), g(2), g_fused(2);
      sigma << a_double, b_double;
      Matrix h;
      dln_entropy_gradient(sigma, Depth::finite(n), g);
      dln_entropy_and_gradient(sigma, Depth::finite(n), g_fused);
      dln_entropy_hessian(sigma, Depth::finite(n), h);
      const std::string label = fmt::format("N={} a={} b={}", n, a_double, b_double);
      // exp of arguments near 1400 carries their rounding (1400·ε ≈ 3e-13).
      constexpr double tol = 1e-12;
      EXPECT_TRUE(close_or_underflow(g[0], ga, tol)) << label << " dS/da";
      EXPECT_TRUE(close_or_underflow(g[1], gb, tol)) << label << " dS/db";
      EXPECT_TRUE(close_or_underflow(g_fused[1], gb, tol)) << label << " one-pass dS/db";
      EXPECT_TRUE(close_or_underflow(h(0, 0), haa, tol)) << label << " d2S/da2";
      EXPECT_TRUE(close_or_underflow(h(1, 1), hbb, tol)) << label << " d2S/db2";
      EXPECT_TRUE(close_or_underflow(h(0, 1), hab, tol)) << label << " d2S/dadb";
      EXPECT_EQ(h(0, 1), h(1, 0)) << label;
    }
  }
}

TEST(DlnEntropy, ExactCollisionsGiveExactlyEqualDerivatives) {
  Vector sigma(5);
  sigma << 3.0, 1.7, 1.7, 1.7, 0.2;
  for (Depth depth : {Depth::finite(3), Depth::infinite()}) {
    Vector g(5), fused(5);
    dln_entropy_gradient(sigma, depth, g);
    EXPECT_EQ(g[1], g[2]);
    EXPECT_EQ(g[2], g[3]);
    dln_entropy_and_gradient(sigma, depth, fused);
    EXPECT_EQ(fused[1], fused[2]);
    EXPECT_EQ(fused[2], fused[3]);
  }
}

// The one-pass value and gradient agree with the separate functions over fourteen decades of
// singular values (both branches of every pair function, both branches of e^{−2x/N}).
TEST(DlnEntropy, OnePassAgreesWithSeparateValueAndGradient) {
  Rng rng(5);
  std::uniform_real_distribution<double> decade(-10.0, 4.0);
  Vector sigma(60);
  for (double& s : sigma) s = std::pow(10.0, decade(rng));
  for (Depth depth : {Depth::finite(2), Depth::finite(3), Depth::finite(4), Depth::finite(64),
                      Depth::infinite()}) {
    Vector g(60), fused(60);
    dln_entropy_gradient(sigma, depth, g);
    const double value = dln_entropy_and_gradient(sigma, depth, fused);
    EXPECT_TRUE(close(value, dln_entropy(sigma, depth), 1e-13)) << depth.to_string();
    for (Eigen::Index k = 0; k < 60; ++k)
      EXPECT_TRUE(close(fused[k], g[k], 1e-13)) << depth.to_string() << " " << k;
  }
  // The one-pass value multiplies per-pair factors (one logarithm per 16 of them): at their
  // extremes, 1/x at infinite depth with x = log(σ_max/σ_min) near 1400 and N + 1 at depth 2³⁰,
  // it must neither overflow nor underflow.
  Vector wide =
      Vector::LinSpaced(40, -300.0, 300.0).unaryExpr([](double e) { return std::pow(10.0, e); });
  for (Depth depth : {Depth::finite(1 << 30), Depth::infinite()}) {
    Vector g(40), fused(40);
    const double value = dln_entropy_and_gradient(wide, depth, fused);
    ASSERT_TRUE(std::isfinite(value)) << depth.to_string();
    EXPECT_TRUE(close(value, dln_entropy(wide, depth), 1e-13)) << depth.to_string();
  }
}

TEST(DlnEntropy, IsSymmetricUnderPermutations) {
  Vector sigma(4), permuted(4);
  sigma << 2.5, 1.1, 0.9, 0.05;
  permuted << 0.9, 2.5, 0.05, 1.1;
  for (Depth depth : {Depth::finite(4), Depth::infinite()})
    EXPECT_TRUE(close(dln_entropy(permuted, depth), dln_entropy(sigma, depth), 1e-15));
}

TEST(DlnEntropy, ConstantAndDegenerateCases) {
  Vector sigma(3);
  sigma << 2.0, 1.0, 0.5;
  EXPECT_EQ(dln_entropy(sigma, Depth::finite(1)), 0.0);
  EXPECT_EQ(dln_entropy(Vector::Constant(1, 3.0), Depth::finite(4)), 0.0);
  // One zero singular value: finite, the limit h_N(a, 0) = a^{2−2/N} (docs/MATH.md §5).
  Vector one_zero(3);
  one_zero << 2.0, 1.0, 0.0;
  const double expected = 0.5 * (std::log(dln_divided_difference(2.0, 1.0, Depth::finite(3))) +
                                 (4.0 / 3.0) * std::log(2.0) + (4.0 / 3.0) * std::log(1.0));
  EXPECT_TRUE(close(dln_entropy(one_zero, Depth::finite(3)), expected));
  Vector tiny = one_zero;
  tiny[2] = 1e-250;  // the limit is approached continuously
  EXPECT_TRUE(close(dln_entropy(tiny, Depth::finite(3)), expected, 1e-12));
  // Two zeros: −∞; infinite depth: −∞ already with one.
  Vector two_zeros(3);
  two_zeros << 2.0, 0.0, 0.0;
  EXPECT_EQ(dln_entropy(two_zeros, Depth::finite(3)), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(dln_entropy(one_zero, Depth::infinite()), -std::numeric_limits<double>::infinity());
}

TEST(DlnEntropy, RejectsBadSingularValues) {
  Vector bad(3), g(3);
  bad << 2.0, -1.0, 0.5;
  EXPECT_THROW(dln_entropy(bad, Depth::finite(2)), InvalidArgument);
  bad << 2.0, std::nan(""), 0.5;
  EXPECT_THROW(dln_entropy(bad, Depth::finite(2)), InvalidArgument);
  bad << 2.0, 1.0, 0.0;
  EXPECT_THROW(dln_entropy_gradient(bad, Depth::finite(2), g), InvalidArgument);
  Matrix h;
  EXPECT_THROW(dln_entropy_hessian(bad, Depth::finite(2), h), InvalidArgument);
  try {
    dln_entropy_gradient(bad, Depth::finite(3), g);
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("sigma[2] = 0"), std::string::npos) << e.what();
  }
}

TEST(DlnEntropy, ConstantIsTheVolumeOfTheOrthogonalGroup) {
  // c_2 = vol(O_2) with tr(KᵀK): two circles of length 2π√2; c_3 = 2·2^{3/2}·8π² (two copies of
  // SO(3), whose volume is 8π² in the metric ½tr(KᵀK)).
  const double c2 = 4.0 * std::numbers::sqrt2 * std::numbers::pi;
  const double c3 = 2.0 * std::pow(2.0, 1.5) * 8.0 * std::numbers::pi * std::numbers::pi;
  EXPECT_TRUE(close(dln_entropy_constant(2, Depth::finite(2)), std::log(c2)));
  EXPECT_TRUE(close(dln_entropy_constant(2, Depth::finite(5)), 4.0 * std::log(c2)));
  EXPECT_TRUE(close(dln_entropy_constant(3, Depth::finite(3)), 2.0 * std::log(c3)));
  EXPECT_EQ(dln_entropy_constant(3, Depth::finite(1)), 0.0);
  EXPECT_EQ(dln_entropy_constant(3, Depth::infinite()), 0.0);
  EXPECT_THROW(dln_entropy_constant(0, Depth::finite(2)), InvalidArgument);
}

TEST(ChamberEntropy, DerivativesPassTaylorTests) {
  Rng rng(11);
  for (Depth depth : {Depth::finite(2), Depth::finite(3), Depth::finite(7), Depth::infinite()}) {
    const Geometry geometry = dln_chamber(4, depth);
    const auto entropy = std::make_shared<ChamberEntropy>(4, depth);
    const Problem problem(geometry, entropy);
    const Point x = geometry.manifold->make_point(geometry.manifold->random_point(rng));
    // Small enough that the straight line of the Hessian check stays in the chamber.
    const Vector v = 0.1 * x.coords().minCoeff() * geometry.manifold->random_tangent(x, rng);
    const DerivativeCheck g = check_gradient(problem, x, v);
    EXPECT_TRUE(g.passed) << g.report();
    const DerivativeCheck h = check_hessian(*entropy, x, v);
    EXPECT_TRUE(h.passed) << h.report();
  }
}

TEST(MatrixEntropy, IsTheChamberEntropyOfTheSingularValues) {
  Rng rng(12);
  Vector sigma(4);
  sigma << 3.0, 1.2, 1.2, 0.4;  // with an exact collision
  Matrix Q, R;
  const Matrix X = riemopt::testing::matrix_with_singular_values(4, 4, sigma, rng, &Q, &R);
  const Point x(X.reshaped(), 4, 4);
  for (Depth depth : {Depth::finite(2), Depth::finite(5), Depth::infinite()}) {
    const MatrixEntropy entropy(depth);
    EXPECT_TRUE(close(entropy.value(x), dln_entropy(sigma, depth), 1e-13));
    Vector g(4);
    dln_entropy_gradient(sigma, depth, g);
    const Matrix expected = Q * g.asDiagonal() * R.transpose();
    EXPECT_LE((entropy.gradient(x).reshaped(4, 4) - expected).norm(), 1e-13 * expected.norm());
  }
}

TEST(MatrixEntropy, GradientPassesTaylorTests) {
  Rng rng(13);
  for (Depth depth : {Depth::finite(3), Depth::infinite()}) {
    const Problem problem(euclidean_matrices(5, 5), std::make_shared<MatrixEntropy>(depth));
    const Point x(riemopt::testing::random_matrix(5, 5, rng).reshaped(), 5, 5);
    const DerivativeCheck g =
        check_gradient(problem, x, riemopt::testing::random_matrix(5, 5, rng).reshaped());
    EXPECT_TRUE(g.passed) << g.report();
  }
}

TEST(MatrixEntropy, RankDeficiencyAndShapeErrors) {
  Rng rng(14);
  const MatrixEntropy entropy(Depth::finite(3));
  const Point rectangular(riemopt::testing::random_matrix(3, 4, rng).reshaped(), 3, 4);
  EXPECT_THROW(entropy.value(rectangular), InvalidArgument);
  Vector sigma(4);
  sigma << 2.0, 1.0, 0.0, 0.0;
  const Matrix two_zero = riemopt::testing::matrix_with_singular_values(4, 4, sigma, rng);
  const Point x2(two_zero.reshaped(), 4, 4);
  EXPECT_EQ(entropy.value(x2), -std::numeric_limits<double>::infinity());
  EXPECT_THROW(entropy.gradient(x2), NumericalError);
  sigma << 2.0, 1.0, 0.5, 0.0;
  const Point x1(riemopt::testing::matrix_with_singular_values(4, 4, sigma, rng).reshaped(), 4, 4);
  EXPECT_TRUE(std::isfinite(entropy.value(x1)));
  EXPECT_THROW(entropy.gradient(x1), NumericalError);
  EXPECT_EQ(MatrixEntropy(Depth::infinite()).value(x1), -std::numeric_limits<double>::infinity());
}

TEST(FreeEnergy, IsEnergyMinusEntropyOverBeta) {
  Rng rng(15);
  const auto entropy = std::make_shared<MatrixEntropy>(Depth::finite(3));
  const auto loss = std::make_shared<MatrixCompletion>(
      3, 3, std::vector<Observation>{{0, 0, 1.0}, {1, 2, -0.5}, {2, 1, 0.25}});
  const auto user = std::make_shared<LambdaEnergy>(
      "trace", 9, [](const Point& p) { return p.matrix().trace(); },
      [](const Point& p, VectorRef out) {
        out.setZero();
        for (Eigen::Index i = 0; i < p.rows(); ++i) out[i * p.rows() + i] = 1.0;
      });
  const Point x(riemopt::testing::random_matrix(3, 3, rng).reshaped(), 3, 3);
  for (const EnergyPtr& e : {EnergyPtr(loss), EnergyPtr(user), loss + user}) {
    const EnergyPtr f = free_energy(e, entropy, 4.0);
    EXPECT_TRUE(close(f->value(x), e->value(x) - entropy->value(x) / 4.0, 1e-14));
    const Vector expected = e->gradient(x) - entropy->gradient(x) / 4.0;
    EXPECT_LE((f->gradient(x) - expected).norm(), 1e-14 * expected.norm());
  }
  // On the chamber, composed with a separable energy.
  Vector sigma(3);
  sigma << 2.0, 1.0, 0.5;
  const Point s(sigma);
  const EnergyPtr chamber =
      free_energy(SeparableChamberEnergy::schatten(2.0),
                  std::make_shared<ChamberEntropy>(3, Depth::infinite()), 2.0);
  EXPECT_TRUE(close(chamber->value(s),
                    0.5 * sigma.squaredNorm() - dln_entropy(sigma, Depth::infinite()) / 2.0));
}

TEST(FreeEnergy, RejectsBadTemperatureAndParts) {
  const auto entropy = std::make_shared<MatrixEntropy>(Depth::finite(3));
  const auto loss = SeparableChamberEnergy::schatten(2.0);
  for (double beta : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()})
    EXPECT_THROW(free_energy(loss, entropy, beta), InvalidArgument) << beta;
  EXPECT_THROW(free_energy(nullptr, entropy, 1.0), InvalidArgument);
  EXPECT_THROW(free_energy(loss, nullptr, 1.0), InvalidArgument);
  try {
    free_energy(loss, entropy, -2.0);
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("beta"), std::string::npos);
  }
}

}  // namespace
