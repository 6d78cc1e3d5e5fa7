// The chamber of singular values and its metrics (docs/MATH.md §4): validation, retraction,
// Christoffel symbols against finite differences of the metric tensor, and the Riemannian
// Hessian against second derivatives along the metrics' explicit geodesics.
#include <gtest/gtest.h>

#include <Eigen/LU>
#include <cmath>

#include "riemopt/energies/chamber_energies.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/manifolds/chamber.hpp"
#include "riemopt/manifolds/chamber_metric.hpp"
#include "riemopt/riemannian_hessian.hpp"

namespace {

using namespace riemopt;

Vector vec(std::initializer_list<double> values) {
  Vector v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (double x : values) v[i++] = x;
  return v;
}

TEST(Chamber, ValidatesOrderingPositivityAndFiniteness) {
  const Chamber chamber(3);
  EXPECT_NO_THROW(chamber.make_point(vec({3.0, 2.0, 1.0})));
  EXPECT_NO_THROW(chamber.make_point(vec({2.0, 2.0, 2.0})));  // collisions are in the chamber
  EXPECT_THROW(chamber.make_point(vec({1.0, 2.0, 0.5})), InvalidArgument);
  EXPECT_THROW(chamber.make_point(vec({3.0, 2.0, 0.0})), InvalidArgument);
  EXPECT_THROW(chamber.make_point(vec({3.0, 2.0, -1.0})), InvalidArgument);
  EXPECT_THROW(chamber.make_point(vec({3.0, NAN, 1.0})), InvalidArgument);
  EXPECT_THROW(chamber.make_point(vec({3.0, 2.0})), InvalidArgument);
  EXPECT_THROW(Chamber(0), InvalidArgument);
  try {
    chamber.make_point(vec({1.0, 2.0, 0.5}));
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("decreasing"), std::string::npos) << e.what();
  }
}

TEST(Chamber, RetractionStaysPositiveAndOrderedForLargeSteps) {
  const Chamber chamber(3);
  const Point x = chamber.make_point(vec({3.0, 2.0, 1.0}));
  Vector y(3);
  chamber.retract(x, vec({-50.0, 10.0, -7.0}), y);
  EXPECT_NO_THROW(chamber.validate_point(y));
  // The multiplicative step σ·exp(v/σ) gives (3e^{-50/3}, 2e^{5}, e^{-7}), then sorted.
  EXPECT_NEAR(y[0], 2.0 * std::exp(5.0), 1e-12 * y[0]);
  EXPECT_NEAR(y[1], std::exp(-7.0), 1e-12 * y[1]);
  EXPECT_NEAR(y[2], 3.0 * std::exp(-50.0 / 3.0), 1e-12 * y[2]);
}

std::vector<ChamberMetric> metrics() {
  return {ChamberMetric(), ChamberMetric(Depth::finite(1)), ChamberMetric(Depth::finite(2)),
          ChamberMetric(Depth::finite(5)), ChamberMetric(Depth::infinite())};
}

TEST(ChamberMetric, WeightsAreTheDlnFormulas) {
  const double s = 0.7;
  EXPECT_EQ(ChamberMetric().weight(s), 1.0);
  EXPECT_EQ(ChamberMetric(Depth::finite(1)).weight(s), 1.0);
  EXPECT_NEAR(ChamberMetric(Depth::finite(4)).weight(s), 4.0 * std::pow(s, 1.5), 1e-15);
  EXPECT_NEAR(ChamberMetric(Depth::infinite()).weight(s), s * s, 1e-16);
  const Point x(vec({2.0, 0.5}));
  EXPECT_THROW(ChamberMetric(Depth::finite(3)).flat(Point(vec({1.0, 0.0})), vec({1.0, 1.0})),
               NumericalError);
  EXPECT_NO_THROW(ChamberMetric(Depth::finite(3)).flat(x, vec({1.0, 1.0})));
}

// Γ^k_ij = ½ g^{kl}(∂_i g_jl + ∂_j g_il − ∂_l g_ij), with ∂g from central differences of flat().
TEST(ChamberMetric, ChristoffelSymbolsMatchFiniteDifferencesOfTheMetric) {
  const Vector sigma = vec({2.3, 1.1, 0.4});
  const Eigen::Index d = 3;
  for (const ChamberMetric& metric : metrics()) {
    auto g = [&](const Vector& s) {
      Matrix G(d, d);
      for (Eigen::Index j = 0; j < d; ++j) G.col(j) = metric.flat(Point(s), Vector::Unit(d, j));
      return G;
    };
    std::vector<Matrix> dg(static_cast<std::size_t>(d));  // dg[i] = ∂_i G
    for (Eigen::Index i = 0; i < d; ++i) {
      const double h = 1e-5 * sigma[i];
      Vector plus = sigma, minus = sigma;
      plus[i] += h;
      minus[i] -= h;
      dg[static_cast<std::size_t>(i)] = (g(plus) - g(minus)) / (2 * h);
    }
    const Matrix g_inv = g(sigma).inverse();
    const Vector symbols = metric.christoffel_symbols(sigma);
    for (Eigen::Index k = 0; k < d; ++k) {
      for (Eigen::Index i = 0; i < d; ++i) {
        for (Eigen::Index j = 0; j < d; ++j) {
          double gamma = 0.0;
          for (Eigen::Index l = 0; l < d; ++l) {
            const auto I = static_cast<std::size_t>(i), J = static_cast<std::size_t>(j),
                       L = static_cast<std::size_t>(l);
            gamma += 0.5 * g_inv(k, l) * (dg[I](j, l) + dg[J](i, l) - dg[L](i, j));
          }
          const double expected = (i == k && j == k) ? symbols[k] : 0.0;
          EXPECT_NEAR(gamma, expected, 1e-8 * (1.0 + std::abs(expected)))
              << metric.name() << " Gamma^" << k << "_" << i << j;
        }
      }
    }
  }
}

// The geodesic through σ with velocity v, per coordinate (flat coordinates ρ = σ^{1/N}, u = log σ).
Vector geodesic(const ChamberMetric& metric, const Vector& sigma, const Vector& v, double t) {
  const auto depth = metric.depth();
  if (!depth || (!depth->is_infinite() && depth->value() == 1)) return sigma + t * v;
  if (depth->is_infinite()) return (sigma.array() * (t * v.array() / sigma.array()).exp()).matrix();
  const double n = depth->as_double();
  return (sigma.array() * (1.0 + t * v.array() / (n * sigma.array())).pow(n)).matrix();
}

TEST(ChamberMetric, RiemannianHessianIsTheSecondDerivativeAlongGeodesics) {
  const Vector sigma = vec({2.3, 1.1, 0.4});
  const Vector v = vec({0.3, -0.5, 0.2});
  for (const ChamberMetric& metric : metrics()) {
    const Depth entropy_depth = metric.depth() ? *metric.depth() : Depth::finite(3);
    const EnergyPtr f = free_energy(SeparableChamberEnergy::schatten(3.0),
                                    std::make_shared<ChamberEntropy>(3, entropy_depth), 0.7);
    const Problem problem({std::make_shared<Chamber>(3), std::make_shared<ChamberMetric>(metric)},
                          f);
    const Point x(sigma);
    const Matrix H = riemopt::riemannian_hessian_form(problem, x);
    const double h = 1e-4;
    auto value = [&](double t) { return f->value(Point(geodesic(metric, sigma, v, t))); };
    const double second = (value(h) - 2 * value(0) + value(-h)) / (h * h);
    EXPECT_NEAR(v.dot(H * v), second, 1e-6 * (1 + std::abs(second))) << metric.name();
    // The closed form of docs/MATH.md §4: ∇²f + diag(κ ∂_k f/σ_k).
    Matrix euclidean(3, 3);
    for (Eigen::Index j = 0; j < 3; ++j)
      euclidean.col(j) = f->hessian_vector(x, Vector::Unit(3, j));
    const Vector df = f->gradient(x);
    Matrix expected = euclidean;
    expected.diagonal() += metric.connection_coefficient() * df.cwiseQuotient(sigma);
    EXPECT_LE((H - expected).norm(), 1e-13 * expected.norm()) << metric.name();
    // The operator form is G⁻¹ H.
    const Matrix op = riemopt::riemannian_hessian_operator(problem, x);
    for (Eigen::Index k = 0; k < 3; ++k)
      EXPECT_LE((op.row(k) - metric.weight(sigma[k]) * H.row(k)).norm(), 1e-13 * op.norm());
  }
}

TEST(RiemannianHessian, RefusesWhatItCannotAssemble) {
  const EnergyPtr no_hessian = std::make_shared<SeparableChamberEnergy>(
      "no-f''", [](double s) { return s; }, [](double) { return 1.0; });
  const Problem problem(dln_chamber(2, Depth::finite(2)), no_hessian);
  EXPECT_THROW(riemopt::riemannian_hessian_form(problem, Point(vec({2.0, 1.0}))), InvalidArgument);
}

}  // namespace
