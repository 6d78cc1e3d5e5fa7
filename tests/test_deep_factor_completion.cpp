// Narrow deep linear networks for completion: the factored loss against the pulled-back dense one
// and finite differences, the factored product's measurements against dense computations, the
// balanced start built from two factors, the narrow flow against the DLN flow on matrices from
// the same rank-deficient start, and complete_by_flow with a width and held-out entries.
#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <cmath>
#include <limits>

#include "riemopt/energies/completion_flow.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/deep_factor_completion.hpp"
#include "riemopt/energies/pulled_back_energy.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/manifolds/balanced_factors.hpp"
#include "riemopt/manifolds/end_to_end_map.hpp"
#include "riemopt/manifolds/factored_product.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"

namespace {

using namespace riemopt;

std::shared_ptr<const ParameterSpace> narrow_space(Eigen::Index rows, Eigen::Index cols,
                                                   Eigen::Index width, int depth) {
  std::vector<Eigen::Index> widths(static_cast<std::size_t>(depth) + 1, width);
  widths.front() = cols;
  widths.back() = rows;
  return std::make_shared<const ParameterSpace>(std::move(widths));
}

TEST(DeepFactorCompletion, MatchesThePulledBackDenseLossAndFiniteDifferences) {
  const CompletionInstance inst = make_completion_instance({9, 7, 2, 30, 5});
  Rng rng(3);
  // Widths below, at and past the kernels' vector blocks (4 and 16 rows); depth 5 runs the backward
  // recursion V_{p−1} = V_p W_p twice.
  for (int depth : {2, 3, 4, 5}) {
    for (Eigen::Index width : {1, 3, 7, 18}) {
      for (auto normalization :
           {MatrixCompletion::Normalization::kHalfSum, MatrixCompletion::Normalization::kMean}) {
        SCOPED_TRACE(fmt::format("depth {}, width {}", depth, width));
        const auto space = narrow_space(9, 7, width, depth);
        const DeepFactorCompletion factored(space, inst.observed, normalization);
        const PulledBackEnergy dense(
            std::make_shared<MatrixCompletion>(9, 7, inst.observed, normalization), space);
        const Vector w = space->random_point(rng);
        const Point p(w);
        // The gradient is added, with its weight, to what the output holds.
        const Vector start = gaussian_vector(w.size(), rng);
        Vector g = start, h = Vector::Zero(w.size());
        const double value = factored.value_and_add_gradient(p, 2.0, g);
        g -= start;
        const double expected = dense.value_and_add_gradient(Point(w), 2.0, h);
        EXPECT_NEAR(value, expected, 1e-13 * expected);
        EXPECT_NEAR(factored.value(Point(w)), expected, 1e-13 * expected);
        const double norm = EndToEndMap(*space, w).product().norm();
        EXPECT_NEAR(factored.product_norm(p), norm, 1e-13 * norm);
        // Below a threshold the bound ‖L‖_F ‖W_1‖_F may stand in; above it, the norm itself.
        const double bound = factored.product_norm_unless_below(p, 1e300);
        EXPECT_GE(bound, norm * (1.0 - 1e-13));
        EXPECT_NEAR(factored.product_norm_unless_below(p, 0.0), norm, 1e-13 * norm);
        EXPECT_NEAR(factored.product_norm_unless_below(p, 0.5 * bound), norm, 1e-13 * norm);
        if (bound > 1.01 * norm) {
          EXPECT_EQ(factored.product_norm_unless_below(p, 1.01 * bound), bound);
        }
        EXPECT_LT((g - h).norm(), 1e-13 * (h.norm() + start.norm()));
        // Central differences along a random direction: an independent check of both.
        const Vector v = gaussian_vector(w.size(), rng);
        const double step = 1e-5;
        const double fd = (factored.value(Point(Vector(w + step * v))) -
                           factored.value(Point(Vector(w - step * v)))) /
                          (2.0 * step);
        EXPECT_NEAR(g.dot(v) / 2.0, fd, 1e-7 * std::max(1.0, std::abs(fd)));
        // A second evaluation at the same point (the cached workspace) gives the same numbers.
        Vector again = start;
        EXPECT_EQ(factored.value_and_add_gradient(p, 2.0, again), value);
        again -= start;
        EXPECT_EQ((again - g).norm(), 0.0);
      }
    }
  }
}

// A train and a test loss of one class at one point: each reads its own cached residuals (the
// point's cache has one slot per type).
TEST(DeepFactorCompletion, TwoLossesAtOnePointKeepTheirOwnResiduals) {
  const CompletionInstance inst = make_completion_instance({9, 7, 2, 30, 5});
  const ObservationSplit split = split_observations(inst.observed, 0.3, 4);
  const auto space = narrow_space(9, 7, 3, 3);
  const DeepFactorCompletion train_loss(space, split.train), test_loss(space, split.held_out);
  Rng rng(6);
  const Vector w = space->random_point(rng);
  const double train_alone = train_loss.value(Point(w)), test_alone = test_loss.value(Point(w));
  ASSERT_NE(train_alone, test_alone);
  const Point shared(w);
  EXPECT_EQ(train_loss.value(shared), train_alone);
  EXPECT_EQ(test_loss.value(shared), test_alone);
  Vector g = Vector::Zero(w.size()), expected = Vector::Zero(w.size());
  train_loss.add_gradient(Point(w), 1.0, expected);
  train_loss.add_gradient(shared, 1.0, g);
  EXPECT_EQ(g, expected);
}

TEST(DeepFactorCompletion, RefusesBadInput) {
  const auto space = narrow_space(4, 3, 2, 2);
  const std::vector<Observation> ok = {{0, 0, 1.0}, {3, 2, -1.0}};
  EXPECT_NO_THROW(DeepFactorCompletion(space, ok));
  const auto expect_invalid = [](auto f, const std::string& fragment) {
    try {
      f();
      ADD_FAILURE() << "no exception, expected one mentioning '" << fragment << "'";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expect_invalid([&] { DeepFactorCompletion(narrow_space(4, 3, 2, 1), ok); }, "depth >= 2");
  expect_invalid([&] { DeepFactorCompletion(space, {}); }, "empty");
  expect_invalid([&] { DeepFactorCompletion(space, {{4, 0, 1.0}}); }, "outside the 4x3");
  expect_invalid([&] { DeepFactorCompletion(space, {{0, -1, 1.0}}); }, "outside the 4x3");
  expect_invalid([&] { DeepFactorCompletion(space, {{0, 0, std::nan("")}}); }, "value nan");
  expect_invalid(
      [&] {
        DeepFactorCompletion(space, {{1, 1, 1.0}, {0, 0, 2.0}, {1, 1, 3.0}});
      },
      "(1, 1) is observed more than once");
  const DeepFactorCompletion loss(space, ok);
  Vector w = Vector::Ones(space->ambient_size());
  w(2) = std::numeric_limits<double>::infinity();
  EXPECT_THROW(loss.value(Point(w)), InvalidArgument);
}

TEST(FactoredProduct, MeasuresTheProductWithoutFormingIt) {
  Rng rng(8);
  // Tall, wide, and an inner size larger than both sides (the QR triangles are padded).
  for (auto [m, n, k] : {std::array<Eigen::Index, 3>{40, 25, 4}, {6, 30, 3}, {5, 4, 7}}) {
    SCOPED_TRACE(fmt::format("{}x{}, inner {}", m, n, k));
    const Matrix left = gaussian_vector(m * k, rng).reshaped(m, k);
    const Matrix right = gaussian_vector(k * n, rng).reshaped(k, n);
    const FactoredProduct x(left, right);
    const Matrix dense = left * right;
    EXPECT_LT((x.dense() - dense).norm(), 1e-14 * dense.norm());
    EXPECT_NEAR(x.entry(m - 1, n - 1), dense(m - 1, n - 1), 1e-14 * dense.norm());
    EXPECT_NEAR(x.frobenius_norm(), dense.norm(), 1e-13 * dense.norm());
    const Vector expected = Eigen::JacobiSVD<Matrix>(dense).singularValues();
    const Vector sigma = x.singular_values();
    ASSERT_EQ(sigma.size(), std::min({m, n, k}));
    EXPECT_LT((sigma - expected.head(sigma.size())).norm(), 1e-13 * expected(0));
    const std::vector<Observation> entries = {{0, 0, 1.0}, {m - 1, 1, -2.0}};
    const double mse = (std::pow(dense(0, 0) - 1.0, 2) + std::pow(dense(m - 1, 1) + 2.0, 2)) / 2;
    EXPECT_NEAR(x.mean_squared_error(entries), mse, 1e-13 * mse);
    EXPECT_THROW(x.mean_squared_error({{m, 0, 1.0}}), InvalidArgument);
  }
  // From a network: L = W_N⋯W_2, R = W_1.
  const auto space = narrow_space(11, 9, 3, 4);
  const Vector w = space->random_point(rng);
  const FactoredProduct x(*space, w);
  const Matrix phi = EndToEndMap(*space, w).product();
  EXPECT_LT((x.dense() - phi).norm(), 1e-14 * phi.norm());
  EXPECT_THROW(FactoredProduct(Matrix(3, 2), Matrix(3, 4)), InvalidArgument);
}

TEST(BalancedFactorization, OfAProductIsBalancedAndExact) {
  Rng rng(21);
  for (int depth : {2, 3, 5}) {
    SCOPED_TRACE(depth);
    // Rank 3 through inner width 3 (narrow) and through width 8 (padded with zeros).
    for (Eigen::Index width : {3, 8}) {
      const auto space = narrow_space(20, 12, width, depth);
      const Matrix left = gaussian_vector(20 * 3, rng).reshaped(20, 3);
      const Matrix right = gaussian_vector(3 * 12, rng).reshaped(3, 12);
      const Vector w = balanced_factorization_of_product(*space, left, right);
      const Matrix phi = EndToEndMap(*space, w).product();
      EXPECT_LT((phi - left * right).norm(), 1e-13 * (left * right).norm());
      EXPECT_TRUE(is_balanced(*space, w, 1e-13));
    }
  }
  // A product of rank 4 does not factor through width 3.
  const auto space = narrow_space(20, 12, 3, 3);
  const Matrix left = gaussian_vector(20 * 4, rng).reshaped(20, 4);
  const Matrix right = gaussian_vector(4 * 12, rng).reshaped(4, 12);
  EXPECT_THROW(balanced_factorization_of_product(*space, left, right), InvalidArgument);
  EXPECT_THROW(balanced_factorization_of_product(*space, left.leftCols(3), right.topRows(2)),
               InvalidArgument);
}

TEST(GaussianProductFactors, AreTheDrawsOfTheDenseStart) {
  for (int factors : {2, 3, 4}) {
    const FactoredStart s = gaussian_product_factors(13, 8, 8, factors, 1e-2, 17);
    const Matrix dense =
        gaussian_product_init(13, 8, Depth::finite(factors), 1e-2, 17).reshaped(13, 8);
    EXPECT_LT((s.left * s.right - dense).norm(), 1e-14 * dense.norm()) << factors;
  }
  const FactoredStart narrow = gaussian_product_factors(13, 8, 2, 3, 1e-2, 17);
  EXPECT_EQ(narrow.left.cols(), 2);
  EXPECT_EQ(narrow.right.rows(), 2);
  EXPECT_THROW(gaussian_product_factors(13, 8, 9, 3, 1e-2, 17), InvalidArgument);
  EXPECT_THROW(gaussian_product_factors(13, 8, 2, 1, 1e-2, 17), InvalidArgument);
  EXPECT_THROW(gaussian_product_factors(13, 8, 2, 3, 0.0, 17), InvalidArgument);
}

// The narrow network's flow is the DLN flow on matrices from the same rank-deficient start: a
// rank-2 X₀ = L R stays of rank 2 under Ẋ = −A_{N,X}(∇E), and φ(W(t)) follows X(t).
TEST(DeepFactorCompletion, NarrowFlowIsTheMatrixFlowFromTheSameLowRankStart) {
  const CompletionInstance inst = make_completion_instance({10, 8, 2, 45, 6});
  for (int depth : {2, 3}) {
    SCOPED_TRACE(depth);
    const FactoredStart start = gaussian_product_factors(10, 8, 2, depth, 0.5, 4);
    const auto space = narrow_space(10, 8, 2, depth);
    const Vector w0 = balanced_factorization_of_product(*space, start.left, start.right);
    GradientFlowOptions o;
    o.final_time = 1.5;
    o.gradient_tolerance = 0.0;
    o.relative_tolerance = 1e-11;
    o.absolute_tolerance = 1e-13;
    const Problem factors(parameter_space_geometry(space),
                          std::make_shared<DeepFactorCompletion>(space, inst.observed));
    const Summary a = gradient_flow(factors, w0, o);
    const Problem matrices(dln_matrices(10, 8, Depth::finite(depth)),
                           std::make_shared<MatrixCompletion>(10, 8, inst.observed));
    const Matrix x0 = start.left * start.right;
    const Summary b = gradient_flow(matrices, x0.reshaped(), o);
    ASSERT_EQ(a.status, TerminationStatus::kFinalTimeReached) << a.message;
    ASSERT_EQ(b.status, TerminationStatus::kFinalTimeReached) << b.message;
    const Matrix phi = EndToEndMap(*space, a.x).product();
    const Matrix x = b.x.reshaped(10, 8);
    EXPECT_GT((x - x0).norm(), 0.1 * x0.norm());  // it moved
    EXPECT_LT((phi - x).norm(), 1e-7 * x.norm());
    // Rank 2 up to rounding, which the matrix flow amplifies: at depth 2 a zero singular value is
    // an unstable equilibrium with σ̇ ∝ σ (σ₃ = 2.4e-8 here, from 1e-16).
    EXPECT_LT(Eigen::JacobiSVD<Matrix>(x).singularValues()(2), 1e-6 * x.norm());
  }
}

TEST(CompleteByFlow, NarrowNetworkRecoversALowRankMatrixOnHeldOutEntries) {
  const CompletionInstance inst = make_completion_instance({60, 45, 3, 1200, 9});
  // Every fifth observation is held out for the test error.
  std::vector<Observation> train, held_out;
  for (std::size_t k = 0; k < inst.observed.size(); ++k)
    (k % 5 == 0 ? held_out : train).push_back(inst.observed[k]);
  CompletionFlowOptions o;
  o.width = 6;
  o.use_integrator(Integrator::kRungeKuttaChebyshev);
  o.init_scale = 1e-2;
  o.flow.trajectory.enabled = true;
  const CompletionFlowResult r =
      complete_by_flow(60, 45, train, CompletionTestSet{nullptr, &held_out}, o);
  ASSERT_EQ(r.summary.status, TerminationStatus::kConverged) << r.summary.message;
  EXPECT_EQ(r.path, CompletionPath::kFactors);
  EXPECT_EQ(r.factor_widths, (std::vector<Eigen::Index>{45, 6, 6, 60}));
  // No SVD per right-hand side: the solver's only SVDs are the records' singular values.
  EXPECT_EQ(r.summary.svd_count, static_cast<std::uint64_t>(r.summary.trajectory.size()));
  EXPECT_GT(r.summary.rhs_evaluations, 10 * r.summary.svd_count);
  // The metrics, recomputed here from the dense estimate.
  const Matrix phi = EndToEndMap(ParameterSpace(r.factor_widths), r.factors).product();
  ASSERT_EQ(r.x.rows(), 60);
  EXPECT_LT((r.x - phi).norm(), 1e-13 * phi.norm());
  double test = 0.0, norm = 0.0, fit = 0.0;
  for (const Observation& ob : held_out) {
    test += std::pow(phi(ob.row, ob.col) - ob.value, 2);
    norm += ob.value * ob.value;
  }
  for (const Observation& ob : train) fit += std::pow(phi(ob.row, ob.col) - ob.value, 2);
  EXPECT_NEAR(r.metrics.test_mse, test / held_out.size(), 1e-12 * test);
  EXPECT_NEAR(r.metrics.relative_error, std::sqrt(test / norm), 1e-12);
  EXPECT_NEAR(r.metrics.train_mse, fit / train.size(), 1e-12 * fit + 1e-20);
  EXPECT_LE(r.metrics.train_mse, 1e-6);
  EXPECT_LT(r.metrics.test_mse, 1e-3);  // recovered where it was not observed
  ASSERT_EQ(r.metrics.singular_values.size(), 6);
  const Vector s = Eigen::JacobiSVD<Matrix>(phi).singularValues();
  EXPECT_LT((r.metrics.singular_values - s.head(6)).norm(), 1e-10 * s(0));
  EXPECT_NEAR(r.metrics.effective_rank, 3.0, 0.5);
}

TEST(CompleteByFlow, NarrowWidthIsRefusedWhereItDoesNotApply) {
  const CompletionInstance inst = make_completion_instance({12, 10, 2, 60, 1});
  const auto expect_invalid = [&](CompletionFlowOptions o, const CompletionTestSet& test,
                                  const std::string& fragment) {
    try {
      complete_by_flow(12, 10, inst.observed, test, o);
      ADD_FAILURE() << "no exception, expected one mentioning '" << fragment << "'";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  CompletionFlowOptions o;
  o.width = 3;
  o.path = CompletionPath::kMatrix;
  expect_invalid(o, {}, "only the factor path");
  o.path = CompletionPath::kAuto;
  o.width = 11;
  expect_invalid(o, {}, "exceeds min(rows, cols) = 10");
  o.width = 3;
  o.init = CompletionInit::kScaledIdentity;
  expect_invalid(o, {}, "gaussian-product start");
  o.init = CompletionInit::kGaussianProduct;
  o.init_factors = 1;
  expect_invalid(o, {}, "gaussian-product start");
  o.init_factors = 0;
  o.depth = Depth::infinite();
  expect_invalid(o, {}, "finite depth");
  o.depth = Depth::finite(3);
  o.width = -1;
  expect_invalid(o, {}, "width must be >= 0");
  o.width = 3;
  const std::vector<Observation> outside = {{12, 0, 1.0}};
  expect_invalid(o, {nullptr, &outside},
                 "(held-out entries): observation 0 has index (12, 0) outside the 12x10");
  const std::vector<Observation> none;
  expect_invalid(o, {nullptr, &none}, "(held-out entries): the observation set is empty");
  expect_invalid(o, {&inst.truth, &inst.observed}, "not both");
  CompletionFlowOptions entropy;
  entropy.width = 3;
  entropy.beta = 5.0;
  expect_invalid(entropy, {}, "rank-deficient");
}

}  // namespace
