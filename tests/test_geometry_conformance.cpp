// The conformance suite: every geometry of the library must pass every test here (in the spirit
// of Ceres' manifold invariants and Manifolds.jl's test suite). Add new geometries to cases().
#include <gtest/gtest.h>

#include <functional>

#include "riemopt/derivative_check.hpp"
#include "riemopt/energies/chamber_energies.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/matrix_sensing.hpp"
#include "riemopt/energies/pulled_back_energy.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/manifolds/chamber_metric.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/manifolds/parameter_space.hpp"
#include "riemopt/problem.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;

struct GeometryCase {
  std::string label;
  std::function<Geometry()> make;
  // A smooth test energy on this geometry's ambient space.
  std::function<EnergyPtr(const Geometry&, Rng&)> energy;
};

void PrintTo(const GeometryCase& c, std::ostream* os) { *os << c.label; }

EnergyPtr sensing_plus_schatten(const Geometry& g, Rng& rng) {
  const Eigen::Index m = g.manifold->rows(), n = g.manifold->cols();
  std::vector<Matrix> A;
  for (int i = 0; i < 7; ++i) A.push_back(riemopt::testing::random_matrix(m, n, rng));
  const Vector y = gaussian_vector(7, rng);
  return EnergyPtr(std::make_shared<MatrixSensing>(A, y)) +
         0.3 * EnergyPtr(std::make_shared<SchattenEnergy>(3.0));
}

// A free energy with a symmetry-breaking linear term: Σ σ³/3 + ⟨a, σ⟩ − S_3/2.
EnergyPtr chamber_free_energy(const Geometry& g, Rng& rng) {
  const Eigen::Index d = g.manifold->ambient_size();
  const Vector a = gaussian_vector(d, rng);
  const EnergyPtr tilt = std::make_shared<LambdaEnergy>(
      "tilt", d, [a](const Point& x) { return a.dot(x.coords()); },
      [a](const Point&, VectorRef out) { out = a; });
  return free_energy(SeparableChamberEnergy::schatten(3.0) + tilt,
                     std::make_shared<ChamberEntropy>(d, Depth::finite(3)), 2.0);
}

// The pull-back of a sensing loss plus a Schatten term through factors 3 → 4 → 2 → 5.
EnergyPtr pulled_back_sensing(const Geometry& g, Rng& rng) {
  const auto space = std::dynamic_pointer_cast<const ParameterSpace>(g.manifold);
  const Geometry matrices = euclidean_matrices(space->output_rows(), space->output_cols());
  return std::make_shared<PulledBackEnergy>(sensing_plus_schatten(matrices, rng), space);
}

std::vector<GeometryCase> cases() {
  return {
      {"euclidean_4x3", [] { return euclidean_matrices(4, 3); }, sensing_plus_schatten},
      {"dln1_3x3", [] { return dln_matrices(3, 3, Depth::finite(1)); }, sensing_plus_schatten},
      {"dln2_4x4", [] { return dln_matrices(4, 4, Depth::finite(2)); }, sensing_plus_schatten},
      {"dln3_5x3", [] { return dln_matrices(5, 3, Depth::finite(3)); }, sensing_plus_schatten},
      {"dln3_3x5", [] { return dln_matrices(3, 5, Depth::finite(3)); }, sensing_plus_schatten},
      {"dln8_4x4", [] { return dln_matrices(4, 4, Depth::finite(8)); }, sensing_plus_schatten},
      {"dlninf_4x4", [] { return dln_matrices(4, 4, Depth::infinite()); }, sensing_plus_schatten},
      {"chamber_euclidean_4", [] { return euclidean_chamber(4); }, chamber_free_energy},
      {"chamber_dln3_4", [] { return dln_chamber(4, Depth::finite(3)); }, chamber_free_energy},
      {"chamber_dlninf_3", [] { return dln_chamber(3, Depth::infinite()); }, chamber_free_energy},
      {"parameter_space_3_4_2_5",
       [] {
         return parameter_space_geometry(
             std::make_shared<ParameterSpace>(std::vector<Eigen::Index>{3, 4, 2, 5}));
       },
       pulled_back_sensing},
  };
}

class GeometryConformance : public ::testing::TestWithParam<GeometryCase> {
 protected:
  void SetUp() override {
    geometry_ = GetParam().make();
    problem_ = std::make_unique<Problem>(geometry_, GetParam().energy(geometry_, rng_));
  }
  Point random_point() {
    return geometry_.manifold->make_point(geometry_.manifold->random_point(rng_));
  }
  Vector random_tangent(const Point& x) { return geometry_.manifold->random_tangent(x, rng_); }

  Rng rng_{2024};
  Geometry geometry_;
  std::unique_ptr<Problem> problem_;
};

TEST_P(GeometryConformance, MetricIsSymmetricPositiveDefinite) {
  for (int trial = 0; trial < 5; ++trial) {
    const Point x = random_point();
    const Vector u = random_tangent(x), v = random_tangent(x);
    const double uv = geometry_.metric->inner(x, u, v), vu = geometry_.metric->inner(x, v, u);
    EXPECT_NEAR(uv, vu, 1e-12 * (std::abs(uv) + 1.0));
    EXPECT_GT(geometry_.metric->inner(x, u, u), 0.0);
    // Cauchy–Schwarz in the metric.
    EXPECT_LE(uv * uv,
              geometry_.metric->inner(x, u, u) * geometry_.metric->inner(x, v, v) * (1 + 1e-12));
  }
}

TEST_P(GeometryConformance, FlatInvertsSharp) {
  const Point x = random_point();
  const Vector df = random_tangent(x);
  const Vector v = geometry_.metric->sharp(x, df);
  EXPECT_LE(riemopt::testing::relative_error(geometry_.metric->flat(x, v), df), 1e-12);
  EXPECT_LE(riemopt::testing::relative_error(
                geometry_.metric->sharp(x, geometry_.metric->flat(x, df)), df),
            1e-12);
}

TEST_P(GeometryConformance, WhiteningSquaresToTheInverseMetric) {
  const Point x = random_point();
  const Vector xi = random_tangent(x), eta = random_tangent(x);
  // B Bᵀ = G⁻¹  ⇔  ⟨B ξ, B η⟩_g = ξᵀη for the symmetric square root.
  const Vector bxi = geometry_.metric->whiten(x, xi), beta = geometry_.metric->whiten(x, eta);
  EXPECT_NEAR(geometry_.metric->inner(x, bxi, beta), xi.dot(eta), 1e-12);
}

TEST_P(GeometryConformance, RiemannianGradientMatchesFiniteDifferences) {
  for (int trial = 0; trial < 3; ++trial) {
    const Point x = random_point();
    const Vector v = random_tangent(x);
    Problem::Evaluation e;
    problem_->evaluate(x, e);
    const double h = 1e-6;
    Vector y(x.size());
    geometry_.manifold->retract(x, h * v, y);
    const double plus = problem_->value(geometry_.manifold->make_point(y));
    geometry_.manifold->retract(x, -h * v, y);
    const double minus = problem_->value(geometry_.manifold->make_point(y));
    const double fd = (plus - minus) / (2 * h);
    // g(grad E, v) through the metric's own inner product, not through ∇E.
    const double riemannian = geometry_.metric->inner(x, e.gradient, v);
    EXPECT_NEAR(riemannian, fd, 1e-7 * (std::abs(fd) + 1.0));
    EXPECT_NEAR(e.gradient_norm * e.gradient_norm,
                geometry_.metric->inner(x, e.gradient, e.gradient),
                1e-10 * (e.gradient_norm * e.gradient_norm + 1));
  }
}

TEST_P(GeometryConformance, TaylorTestHasSlopeTwo) {
  const Point x = random_point();
  const DerivativeCheck check = check_gradient(*problem_, x, random_tangent(x));
  EXPECT_TRUE(check.passed) << check.report();
}

TEST_P(GeometryConformance, RetractionIsFirstOrderAndProjectionIdempotent) {
  const Point x = random_point();
  const Vector v = random_tangent(x);
  Vector y(x.size());
  double previous = 0.0;
  for (double t : {1e-2, 1e-3, 1e-4}) {
    geometry_.manifold->retract(x, t * v, y);
    const double defect = (y - x.coords() - t * v).norm() / t;  // o(1) for a retraction
    EXPECT_LE(defect, 10 * t + 1e-12);
    previous = defect;
  }
  EXPECT_LE(previous, 1e-3);
  geometry_.manifold->retract(x, Vector::Zero(x.size()), y);
  EXPECT_EQ(y, x.coords());
  Vector p1(x.size()), p2(x.size());
  geometry_.manifold->project(x, v, p1);
  geometry_.manifold->project(x, p1, p2);
  EXPECT_LE((p1 - p2).norm(), 1e-14);
  // The inverse retraction (the Ceres adapter's Minus) undoes a small retraction step.
  Vector back(x.size());
  geometry_.manifold->retract(x, 1e-2 * v, y);
  geometry_.manifold->inverse_retract(x, y, back);
  EXPECT_LE((back - 1e-2 * v).norm(), 1e-13 * (1.0 + x.coords().norm()));
}

INSTANTIATE_TEST_SUITE_P(AllGeometries, GeometryConformance, ::testing::ValuesIn(cases()),
                         [](const auto& param_info) { return param_info.param.label; });

}  // namespace
