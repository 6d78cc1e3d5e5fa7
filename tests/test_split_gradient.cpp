// The gradient in two parts (Energy::value_and_add_split_gradient, Metric::sharp_split,
// Problem::evaluate_field): spectral energies hand ∂E/∂σ to the metric, which on the DLN metric
// adds it in the singular basis instead of forming U diag(g) Vᵀ. Checked against the one-part
// evaluation (Problem::evaluate) on every metric and shape, term by term, and at bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>

#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/manifolds/dln_metric.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/manifolds/sphere.hpp"
#include "riemopt/problem.hpp"
#include "riemopt/svd.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;
using riemopt::testing::matrix_with_singular_values;
using riemopt::testing::random_matrix;
using riemopt::testing::relative_error;

// Observations of a random m×n matrix at every third entry (column-major).
std::shared_ptr<MatrixCompletion> completion(Eigen::Index m, Eigen::Index n, Rng& rng) {
  const Matrix truth = random_matrix(m, n, rng);
  std::vector<Observation> observed;
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i)
      if ((i + m * j) % 3 == 0) observed.push_back({i, j, truth(i, j)});
  return std::make_shared<MatrixCompletion>(m, n, observed);
}

// A point with well-separated singular values in [0.3, 2] (full rank).
Point full_rank_point(Eigen::Index m, Eigen::Index n, Rng& rng) {
  const Eigen::Index k = std::min(m, n);
  const Vector sigma = Vector::LinSpaced(k, 2.0, 0.3);
  return Point(matrix_with_singular_values(m, n, sigma, rng).reshaped(), m, n);
}

// evaluate_negated_field leaves what evaluate_field leaves, writes −grad E, and says "finite".
void expect_negated_field_matches(const Problem& problem, const Point& x,
                                  const Problem::Evaluation& field, const std::string& label) {
  Problem::Evaluation negated;
  Vector flow(x.size());
  EXPECT_TRUE(problem.evaluate_negated_field(x, negated, flow)) << label;
  EXPECT_EQ(negated.value, field.value) << label;
  EXPECT_EQ(negated.gradient, field.gradient) << label;
  EXPECT_EQ(flow, -field.gradient) << label;
  EXPECT_EQ(negated.euclidean_gradient, field.euclidean_gradient) << label;
  EXPECT_EQ(negated.spectral_gradient, field.spectral_gradient) << label;
  // The Euclidean fast path sums the squares in another order.
  EXPECT_NEAR(negated.gradient_norm, field.gradient_norm, 1e-14 * field.gradient_norm) << label;
}

// evaluate_field agrees with evaluate: same value, gradient and norm, and its two parts sum to
// the one-part Euclidean gradient; evaluate_negated_field agrees with evaluate_field.
void expect_field_matches(const Problem& problem, const Point& x, const std::string& label) {
  Problem::Evaluation full, field;
  problem.evaluate(x, full);
  problem.evaluate_field(x, field);
  expect_negated_field_matches(problem, x, field, label);
  EXPECT_EQ(full.spectral_gradient.size(), 0) << label;
  if (!problem.metric().has_split_sharp()) {  // a one-part metric: evaluate_field is evaluate
    EXPECT_EQ(field.spectral_gradient.size(), 0) << label;
    EXPECT_EQ(field.value, full.value) << label;
    EXPECT_EQ(field.gradient, full.gradient) << label;
    EXPECT_NEAR(field.gradient_norm, full.gradient_norm, 1e-14 * full.gradient_norm) << label;
    // The ambient Euclidean metric on an open subset: ∇E is the gradient, written once.
    const bool euclidean =
        problem.manifold().is_open_subset() && problem.metric().is_ambient_euclidean();
    EXPECT_EQ(field.euclidean_gradient.size(), euclidean ? 0 : x.size()) << label;
    if (!euclidean) {
      EXPECT_EQ(field.euclidean_gradient, full.euclidean_gradient) << label;
    }
    return;
  }
  ASSERT_EQ(field.spectral_gradient.size(), std::min(x.rows(), x.cols())) << label;
  EXPECT_NEAR(field.value, full.value, 1e-14 * std::abs(full.value)) << label;
  EXPECT_LT(relative_error(field.gradient, full.gradient), 1e-12) << label;
  EXPECT_NEAR(field.gradient_norm, full.gradient_norm, 1e-12 * full.gradient_norm) << label;
  const Svd& svd = svd_of(x);
  const Matrix assembled = field.euclidean_gradient.reshaped(x.rows(), x.cols()) +
                           svd.U * field.spectral_gradient.asDiagonal() * svd.V.transpose();
  EXPECT_LT(relative_error(assembled, full.euclidean_gradient.reshaped(x.rows(), x.cols())), 1e-12)
      << label;
}

TEST(SplitGradient, FieldMatchesOnePartEvaluationOnEveryMetricAndShape) {
  Rng rng(11);
  const double beta = 3.0;
  for (const char* depth : {"1", "2", "3", "8", "inf"}) {
    const Depth n = Depth::parse(depth);
    const Eigen::Index d = 6;
    const Point x = full_rank_point(d, d, rng);
    // Loss − entropy/β + a separable spectral term: all three kinds of part at once.
    const EnergyPtr energy =
        free_energy(completion(d, d, rng), std::make_shared<MatrixEntropy>(n), beta) +
        0.5 * EnergyPtr(std::make_shared<SchattenEnergy>(1.5));
    expect_field_matches(Problem(dln_matrices(d, d, n), energy), x, std::string("DLN N=") + depth);
    expect_field_matches(Problem(euclidean_matrices(d, d), energy), x,
                         std::string("Euclidean, entropy N=") + depth);
  }
  // Rectangular: the DLN metric takes the default (forming) path, the pairing included.
  for (auto [m, n] : {std::pair<Eigen::Index, Eigen::Index>{7, 4}, {4, 7}}) {
    const Point x = full_rank_point(m, n, rng);
    const EnergyPtr energy =
        completion(m, n, rng) + 0.3 * EnergyPtr(std::make_shared<SchattenEnergy>(3.0));
    for (const char* depth : {"2", "5", "inf"})
      expect_field_matches(Problem(dln_matrices(m, n, Depth::parse(depth)), energy), x,
                           fmt::format("{}x{} DLN N={}", m, n, depth));
  }
}

TEST(SplitGradient, SpectralTermsGoToTheSpectralPartAndTheRestStaysAmbient) {
  Rng rng(12);
  const Eigen::Index d = 5;
  const double beta = 4.0;
  const Depth depth = Depth::finite(3);
  const Point x = full_rank_point(d, d, rng);
  const auto loss = completion(d, d, rng);
  const Problem problem(dln_matrices(d, d, depth),
                        free_energy(loss, std::make_shared<MatrixEntropy>(depth), beta));
  Problem::Evaluation field;
  problem.evaluate_field(x, field);
  // The ambient part is the completion gradient alone ...
  EXPECT_LT(relative_error(field.euclidean_gradient, loss->gradient(x)), 1e-15);
  // ... and the spectral part is −(1/β) ∂S/∂σ, from the entropy's own gradient routine.
  Vector ds(d);
  dln_entropy_gradient(svd_of(x).sigma, depth, ds);
  EXPECT_LT(relative_error(field.spectral_gradient, -ds / beta), 1e-14);
  EXPECT_GT(field.spectral_gradient.norm(), 0.0);
  // Schatten p = 2 is ½‖X‖²: its gradient X stays ambient and needs no SVD.
  const Point y(random_matrix(d, d, rng).reshaped(), d, d);
  const Problem frobenius(euclidean_matrices(d, d), std::make_shared<SchattenEnergy>(2.0));
  const std::uint64_t before = svd_count();
  frobenius.evaluate_field(y, field);
  EXPECT_EQ(svd_count(), before);
  EXPECT_LT(relative_error(field.gradient, y.coords()), 1e-15);
  EXPECT_EQ(field.spectral_gradient.norm(), 0.0);
}

TEST(SplitGradient, TakesOneSvdOnTheDlnMetricAndNoneWithoutSpectralTermsOnTheEuclidean) {
  Rng rng(13);
  const Eigen::Index d = 8;
  const Depth depth = Depth::finite(4);
  const auto loss = completion(d, d, rng);
  Problem::Evaluation field;
  {
    const Point x = full_rank_point(d, d, rng);
    const Problem problem(dln_matrices(d, d, depth),
                          free_energy(loss, std::make_shared<MatrixEntropy>(depth), 2.0));
    const std::uint64_t before = svd_count();
    problem.evaluate_field(x, field);
    EXPECT_EQ(svd_count() - before, 1u);
  }
  {
    const Point x = full_rank_point(d, d, rng);
    const Problem problem(euclidean_matrices(d, d), loss);
    const std::uint64_t before = svd_count();
    problem.evaluate_field(x, field);
    EXPECT_EQ(svd_count(), before);  // an all-zero spectral part never asks for the SVD
    EXPECT_LT(relative_error(field.gradient, loss->gradient(x)), 1e-15);
  }
}

TEST(SplitGradient, BadInputIsRefusedOrPropagatesAsNaN) {
  Rng rng(14);
  const Eigen::Index d = 4;
  const Point x = full_rank_point(d, d, rng);
  const Vector df = random_matrix(d, d, rng).reshaped();
  Vector out(d * d);
  for (const Depth depth : {Depth::finite(3), Depth::infinite()}) {
    const DlnMetric metric(depth);
    EXPECT_THROW(metric.sharp_split(x, df, Vector::Ones(d + 1), out), InvalidArgument);
    EXPECT_THROW(metric.sharp_split(x, df.head(d), Vector::Ones(d), out), InvalidArgument);
    Vector nan_part = Vector::Zero(d);
    nan_part[1] = std::numeric_limits<double>::quiet_NaN();
    const double pairing = metric.sharp_split(x, df, nan_part, out);
    EXPECT_TRUE(std::isnan(pairing));
    EXPECT_FALSE(out.allFinite());
  }
  // The default (forming) path: a NaN in the spectral part is not mistaken for zero.
  const Point rect(random_matrix(5, 3, rng).reshaped(), 5, 3);
  const DlnMetric metric(Depth::finite(2));
  Vector rect_out(15);
  EXPECT_THROW(metric.sharp_split(rect, Vector::Zero(15), Vector::Zero(5), rect_out),
               InvalidArgument);
  const double pairing =
      metric.sharp_split(rect, Vector::Zero(15),
                         Vector::Constant(3, std::numeric_limits<double>::quiet_NaN()), rect_out);
  EXPECT_TRUE(std::isnan(pairing));
  // The entropy's gradient is infinite at a rank-deficient matrix: evaluate_field says so, as
  // evaluate does.
  Vector sigma(d);
  sigma << 2.0, 1.0, 0.5, 0.0;
  const Point singular(matrix_with_singular_values(d, d, sigma, rng).reshaped(), d, d);
  const Problem problem(dln_matrices(d, d, Depth::finite(3)),
                        std::make_shared<MatrixEntropy>(Depth::finite(3)));
  Problem::Evaluation e;
  EXPECT_THROW(problem.evaluate_field(singular, e), NumericalError);
}

// The flow's entry point: on an embedded manifold it is −(the tangent projection); a NaN or
// infinite value or gradient entry returns false on every path (the Euclidean fast path infers
// the gradient's finiteness from its sum of squares); a field of the wrong size is refused.
TEST(SplitGradient, NegatedFieldIsMinusTheFieldAndSaysWhenItIsNotFinite) {
  Rng rng(15);
  {
    const Eigen::Index n = 6;
    const Matrix a = random_matrix(n, n, rng);
    const Matrix sym = a + a.transpose();
    const auto quadratic = std::make_shared<LambdaEnergy>(
        "x'Ax", n, [sym](const Point& x) { return x.coords().dot(sym * x.coords()) / 2; },
        [sym](const Point& x, VectorRef g) { g = sym * x.coords(); });
    const Problem sphere(sphere_geometry(n), quadratic);
    const Point x = sphere.make_point(random_matrix(n, 1, rng).reshaped().normalized());
    Problem::Evaluation field;
    sphere.evaluate_field(x, field);
    expect_negated_field_matches(sphere, x, field, "sphere");
    const Vector g = sym * x.coords();  // −grad E = −(I − xxᵀ) ∇E
    Vector flow(n);
    ASSERT_TRUE(sphere.evaluate_negated_field(x, field, flow));
    EXPECT_LT(relative_error(flow, -(g - x.coords().dot(g) * x.coords())), 1e-14);
    Vector too_long(n + 1);
    EXPECT_THROW(sphere.evaluate_negated_field(x, field, too_long), InvalidArgument);
  }
  // Entry k of the gradient set to `bad` (k = 8 is past the two four-lane blocks), or the value
  // (k = −1); on the Euclidean fast path and on the sphere's projection path.
  const Eigen::Index n = 9;
  const Point flat(random_matrix(3, 3, rng).reshaped(), 3, 3);
  const Problem probe_sphere(sphere_geometry(n), std::make_shared<SchattenEnergy>(2.0));
  const Point on_sphere = probe_sphere.make_point(random_matrix(n, 1, rng).reshaped().normalized());
  for (const int bad_entry : {-1, 0, 5, 8}) {
    for (const double bad :
         {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
          -std::numeric_limits<double>::infinity(), 1e200}) {
      const auto energy = std::make_shared<LambdaEnergy>(
          "bad", n, [=](const Point& p) { return bad_entry < 0 ? bad : p.coords().squaredNorm(); },
          [=](const Point& p, VectorRef g) {
            g += 2.0 * p.coords();
            if (bad_entry >= 0) g[bad_entry] = bad;
          });
      // 1e200 is finite, but its square overflows: a gradient of infinite norm is refused on both
      // paths, while a value of 1e200 is finite.
      const bool finite = bad == 1e200 && bad_entry < 0;
      const std::string label = fmt::format("entry {} = {}", bad_entry, bad);
      Problem::Evaluation e;
      Vector flow(n);
      EXPECT_EQ(Problem(euclidean_matrices(3, 3), energy).evaluate_negated_field(flat, e, flow),
                finite)
          << "Euclidean, " << label;
      EXPECT_EQ(Problem(sphere_geometry(n), energy).evaluate_negated_field(on_sphere, e, flow),
                finite)
          << "sphere, " << label;
    }
  }
}

}  // namespace
