// Bad input gets a clear exception naming what was wrong, never a crash or a silent answer.
#include <gtest/gtest.h>

#include <cmath>

#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/energies/matrix_sensing.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/manifolds/dln_metric.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/manifolds/matrix_space.hpp"
#include "riemopt/matrix_statistics.hpp"
#include "riemopt/problem.hpp"
#include "riemopt/svd.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;

// Runs f, expects InvalidArgument whose message contains every fragment.
using riemopt::testing::expect_invalid;

TEST(BadInput, DepthMustBeAtLeastOne) {
  expect_invalid([] { Depth::finite(0); }, {"depth", ">= 1", "got 0"});
  expect_invalid([] { Depth::finite(-3); }, {"got -3"});
  expect_invalid([] { Depth::parse(""); }, {"depth"});
  expect_invalid([] { dln_matrices(3, 3, Depth::parse("0")); }, {"got 0"});
}

TEST(BadInput, MismatchedShapes) {
  expect_invalid([] { MatrixSpace(0, 3); }, {"0x3"});
  const MatrixSpace space(3, 4);
  expect_invalid([&] { space.make_point(Vector::Ones(11)); }, {"11 entries", "expected 12"});
  const Point x(Vector::Ones(12), 3, 4);
  const DlnMetric metric(Depth::finite(2));
  expect_invalid([&] { metric.sharp(x, Vector::Ones(9)); }, {"sharp", "expected 12"});
  expect_invalid([&] { Point(Vector::Ones(10), 3, 4); }, {"10 coordinates", "3x4"});
  // Energy and manifold disagree.
  expect_invalid(
      [] {
        Problem(euclidean_matrices(3, 3),
                std::make_shared<MatrixCompletion>(4, 4, std::vector<Observation>{{0, 0, 1.0}}));
      },
      {"4x4 matrix", "points are 3x3"});
  std::vector<Matrix> A = {Matrix::Ones(2, 2), Matrix::Ones(3, 2)};
  expect_invalid([&] { MatrixSensing(A, Vector::Ones(2)); }, {"measurement 1", "3x2", "2x2"});
  expect_invalid([&] { MatrixSensing({Matrix::Ones(2, 2)}, Vector::Ones(3)); },
                 {"1 measurement", "3 values"});
  expect_invalid([] { mean_squared_difference(Matrix::Ones(2, 2), Matrix::Ones(2, 3)); },
                 {"differ"});
}

TEST(BadInput, NanAndInfiniteEntries) {
  const MatrixSpace space(2, 2);
  Vector v = Vector::Ones(4);
  v[3] = std::nan("");
  expect_invalid([&] { space.make_point(v); }, {"entry (3, 0)", "finite"});
  v[3] = INFINITY;
  expect_invalid([&] { space.make_point(v); }, {"inf"});
  expect_invalid([] { MatrixCompletion(2, 2, {{0, 1, NAN}}); }, {"observation 0", "nan"});
  std::vector<Matrix> A = {Matrix::Ones(2, 2)};
  A[0](1, 1) = NAN;
  expect_invalid([&] { MatrixSensing(A, Vector::Ones(1)); }, {"measurement 0"});
  expect_invalid([] { SchattenEnergy(std::nan("")); }, {"p must be"});
  expect_invalid([] { SchattenEnergy(0.0); }, {"p must be", "got 0"});
  Svd svd;
  expect_invalid([&] { compute_svd(Matrix::Constant(2, 2, NAN), svd); }, {"NaN"});
  expect_invalid([] { effective_rank(Vector::Constant(2, -1.0)); }, {"singular value 0"});
}

TEST(BadInput, CompletionIndicesAndObservationSets) {
  expect_invalid([] { MatrixCompletion(3, 3, {}); }, {"empty"});
  expect_invalid(
      [] {
        MatrixCompletion(3, 3, {{0, 0, 1.0}, {3, 0, 1.0}});
      },
      {"observation 1", "(3, 0)", "outside the 3x3"});
  expect_invalid([] { MatrixCompletion(3, 3, {{-1, 0, 1.0}}); }, {"(-1, 0)"});
  expect_invalid(
      [] {
        MatrixCompletion(3, 3, {{1, 2, 1.0}, {1, 2, 5.0}});
      },
      {"(1, 2)", "more than once"});
  expect_invalid([] { make_completion_instance({10, 10, 11, 20, 1}); }, {"rank 11"});
  expect_invalid([] { make_completion_instance({10, 10, 2, 101, 1}); }, {"observations 101"});
  expect_invalid([] { gaussian_product_init(4, 4, Depth::infinite(), 1e-3, 1); }, {"infinite"});
  expect_invalid([] { gaussian_product_init(4, 4, Depth::finite(2), -1.0, 1); }, {"scale"});
}

TEST(BadInput, EnergyCompositionAndCallbacks) {
  EnergyPtr null;
  EnergyPtr s = std::make_shared<SchattenEnergy>(2.0);
  expect_invalid([&] { auto e = s + null; }, {"null"});
  expect_invalid([&] { auto e = std::numeric_limits<double>::quiet_NaN() * s; }, {"weight"});
  expect_invalid([] { LambdaEnergy("f", 4, nullptr, [](const Point&, VectorRef) {}); },
                 {"'f'", "value callback"});
  const LambdaEnergy no_hessian(
      "g", 4, [](const Point&) { return 0.0; }, [](const Point&, VectorRef) {});
  expect_invalid([&] { no_hessian.hessian_vector(Point(Vector::Ones(4)), Vector::Ones(4)); },
                 {"no Hessian"});
}

TEST(BadInput, RankDeficientPointWhereTheInverseMetricIsNeeded) {
  const Point zero(Vector::Zero(9), 3, 3);
  const DlnMetric metric(Depth::finite(3));
  try {
    metric.flat(zero, Vector::Ones(9));
    FAIL() << "expected NumericalError";
  } catch (const NumericalError& e) {
    EXPECT_NE(std::string(e.what()).find("full-rank"), std::string::npos) << e.what();
  }
  // The forward map stays defined there (A_{N,0} = 0 for N >= 2): no exception, no NaN.
  const Vector a = metric.sharp(zero, Vector::Ones(9));
  EXPECT_TRUE(a.allFinite());
  EXPECT_EQ(a.norm(), 0.0);
}

}  // namespace
