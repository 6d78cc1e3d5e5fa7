// The conformance suite: every geometry of the library must pass every test here (in the spirit
// of Ceres' manifold invariants and Manifolds.jl's test suite). Add new geometries to cases().
#include <gtest/gtest.h>

#include <functional>

#include "riemopt/derivative_check.hpp"
#include "riemopt/energies/brockett.hpp"
#include "riemopt/energies/chamber_energies.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/factored_completion.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/matrix_sensing.hpp"
#include "riemopt/energies/pulled_back_energy.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/hessian_operator.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/manifolds/chamber_metric.hpp"
#include "riemopt/manifolds/fixed_rank.hpp"
#include "riemopt/manifolds/grassmann.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/manifolds/oblique.hpp"
#include "riemopt/manifolds/parameter_space.hpp"
#include "riemopt/manifolds/product.hpp"
#include "riemopt/manifolds/spd.hpp"
#include "riemopt/manifolds/special_orthogonal.hpp"
#include "riemopt/manifolds/sphere.hpp"
#include "riemopt/manifolds/stiefel.hpp"
#include "riemopt/problem.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;

struct GeometryCase {
  std::string label;
  std::function<Geometry()> make;
  // A smooth test energy on this geometry's ambient space.
  std::function<EnergyPtr(const Geometry&, Rng&)> energy;
  // How far an ambient point is from satisfying the manifold's constraints (embedded manifolds;
  // empty for open subsets, which have none).
  std::function<double(const Vector&)> constraint_defect = nullptr;
  // The retraction agrees with a geodesic to second order (its curve's acceleration at 0 is
  // normal), so the Riemannian Hessian passes a slope-3 Taylor test along it.
  bool second_order_retraction = false;
  bool invertible_retraction = true;
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

// Brockett's cost plus a quartic Σ x⁴/4 (so that the Euclidean Hessian is not constant).
EnergyPtr brockett_plus_quartic(const Geometry& g, Rng& rng) {
  const Eigen::Index n = g.manifold->rows(), p = g.manifold->cols();
  const Matrix b = riemopt::testing::random_matrix(n, n, rng);
  const EnergyPtr quartic = std::make_shared<LambdaEnergy>(
      "quartic", n * p, [](const Point& x) { return 0.25 * x.coords().array().pow(4).sum(); },
      [](const Point& x, VectorRef out) { out = x.coords().array().cube(); },
      [](const Point& x, const ConstVectorRef& v, VectorRef out) {
        out = 3.0 * x.coords().array().square() * v.array();
      });
  return EnergyPtr(std::make_shared<BrockettCost>(b + b.transpose(),
                                                  Vector::LinSpaced(p, double(p), 1.0))) +
         0.5 * quartic;
}

// tr(XᵀAX) + ¼ Σ_i ((XXᵀ)_ii)²: a function of the subspace XXᵀ alone (as energies on the
// Grassmann quotient must be), not quadratic.
EnergyPtr subspace_energy(const Geometry& g, Rng& rng) {
  const Eigen::Index n = g.manifold->rows(), p = g.manifold->cols();
  const Matrix b = riemopt::testing::random_matrix(n, n, rng);
  const Matrix a = b + b.transpose();
  return std::make_shared<LambdaEnergy>(
      "subspace energy", n * p,
      [a, n, p](const Point& x) {
        const ConstMatrixMap m(x.coords().data(), n, p);
        const Vector d = m.rowwise().squaredNorm();
        return (m.transpose() * a * m).trace() + 0.25 * d.squaredNorm();
      },
      [a, n, p](const Point& x, VectorRef out) {
        const ConstMatrixMap m(x.coords().data(), n, p);
        const Vector d = m.rowwise().squaredNorm();
        MatrixMap(out.data(), n, p) = 2.0 * a * m + d.asDiagonal() * m;
      },
      [a, n, p](const Point& x, const ConstVectorRef& v, VectorRef out) {
        const ConstMatrixMap m(x.coords().data(), n, p), vm(v.data(), n, p);
        const Vector d = m.rowwise().squaredNorm();
        const Vector dd = 2.0 * m.cwiseProduct(vm).rowwise().sum();
        MatrixMap(out.data(), n, p) = 2.0 * a * vm + d.asDiagonal() * vm + dd.asDiagonal() * m;
      });
}

// ½xᵀBx + aᵀx + ¼Σx⁴ on the coordinates, with its Hessian: for products and the oblique manifold.
EnergyPtr coordinate_quartic(const Geometry& g, Rng& rng) {
  const Eigen::Index n = g.manifold->ambient_size();
  const Matrix c = riemopt::testing::random_matrix(n, n, rng);
  const Matrix b = c + c.transpose();
  const Vector a = gaussian_vector(n, rng);
  return std::make_shared<LambdaEnergy>(
      "coordinate quartic", n,
      [b, a](const Point& x) {
        const Vector& v = x.coords();
        return 0.5 * v.dot(b * v) + a.dot(v) + 0.25 * v.array().pow(4).sum();
      },
      [b, a](const Point& x, VectorRef out) {
        out = b * x.coords() + a + x.coords().array().cube().matrix();
      },
      [b](const Point& x, const ConstVectorRef& v, VectorRef out) {
        out = b * v + (3.0 * x.coords().array().square() * v.array()).matrix();
      });
}

// Completion of 12 random entries on the factors of a fixed-rank geometry.
EnergyPtr factored_completion(const Geometry& g, Rng& rng) {
  const auto f = std::dynamic_pointer_cast<const FixedRankFactors>(g.manifold);
  std::vector<Observation> obs;
  for (int k = 0; k < 12; ++k)
    obs.push_back({static_cast<Eigen::Index>(rng() % static_cast<unsigned>(f->m())),
                   static_cast<Eigen::Index>(rng() % static_cast<unsigned>(f->n())),
                   gaussian_vector(1, rng)(0)});
  return std::make_shared<FactoredCompletion>(f->m(), f->n(), f->rank(), obs);
}

double sphere_defect(const Vector& y) { return std::abs(y.norm() - 1.0); }

std::function<double(const Vector&)> oblique_defect(Eigen::Index n, Eigen::Index p) {
  return [n, p](const Vector& y) {
    return (ConstMatrixMap(y.data(), n, p).colwise().norm().array() - 1.0).abs().maxCoeff();
  };
}

std::function<double(const Vector&)> symmetry_defect(Eigen::Index n) {
  return [n](const Vector& y) {
    const ConstMatrixMap m(y.data(), n, n);
    return (m - m.transpose()).cwiseAbs().maxCoeff();
  };
}

std::function<double(const Vector&)> stiefel_defect(Eigen::Index n, Eigen::Index p) {
  return [n, p](const Vector& y) {
    const ConstMatrixMap m(y.data(), n, p);
    return (m.transpose() * m - Matrix::Identity(p, p)).cwiseAbs().maxCoeff();
  };
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
      {"sphere_6", [] { return sphere_geometry(6); }, brockett_plus_quartic, sphere_defect, true},
      {"sphere_2", [] { return sphere_geometry(2); }, brockett_plus_quartic, sphere_defect, true},
      {"stiefel_7x3_polar", [] { return stiefel_geometry(7, 3); }, brockett_plus_quartic,
       stiefel_defect(7, 3), true},
      {"stiefel_4x4_polar", [] { return stiefel_geometry(4, 4); }, brockett_plus_quartic,
       stiefel_defect(4, 4), true},
      {"stiefel_6x2_qr", [] { return stiefel_geometry(6, 2, StiefelRetraction::kQr); },
       brockett_plus_quartic, stiefel_defect(6, 2), false, false},
      {"grassmann_7x3", [] { return grassmann_geometry(7, 3); }, subspace_energy,
       stiefel_defect(7, 3), true},
      {"grassmann_5x1", [] { return grassmann_geometry(5, 1); }, subspace_energy,
       stiefel_defect(5, 1), true},
      {"oblique_4x3", [] { return oblique_geometry(4, 3); }, coordinate_quartic,
       oblique_defect(4, 3), true},
      {"special_orthogonal_4", [] { return special_orthogonal_geometry(4); }, brockett_plus_quartic,
       stiefel_defect(4, 4), true},
      {"special_orthogonal_3", [] { return special_orthogonal_geometry(3); }, brockett_plus_quartic,
       stiefel_defect(3, 3), true},
      // The retraction is the affine-invariant exponential: second order for that metric only.
      {"spd_4_affine_invariant", [] { return spd_geometry(4); }, brockett_plus_quartic,
       symmetry_defect(4), true},
      {"spd_3_bures_wasserstein", [] { return spd_geometry(3, SpdMetric::kBuresWasserstein); },
       brockett_plus_quartic, symmetry_defect(3)},
      {"product_sphere_stiefel_euclidean",
       [] {
         return product_geometry(
             {sphere_geometry(3), stiefel_geometry(4, 2), euclidean_matrices(2, 1)});
       },
       coordinate_quartic,
       [](const Vector& y) {
         return std::max(sphere_defect(y.head(3)), stiefel_defect(4, 2)(y.segment(3, 8)));
       },
       true},
      {"fixed_rank_6x5_r2", [] { return fixed_rank_geometry(6, 5, 2); }, factored_completion},
      {"product_dln_chamber_spd",
       [] {
         return product_geometry({dln_chamber(3, Depth::finite(3)), spd_geometry(2)});
       },
       coordinate_quartic, [](const Vector& y) { return symmetry_defect(2)(y.tail(4)); }},
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
  if (!GetParam().invertible_retraction) return;
  Vector back(x.size());
  geometry_.manifold->retract(x, 1e-2 * v, y);
  geometry_.manifold->inverse_retract(x, y, back);
  EXPECT_LE((back - 1e-2 * v).norm(), 1e-13 * (1.0 + x.coords().norm()));
}

TEST_P(GeometryConformance, RetractionStaysOnTheManifold) {
  const auto& defect = GetParam().constraint_defect;
  for (int trial = 0; trial < 3; ++trial) {
    const Point x = random_point();
    const Vector v = random_tangent(x);
    Vector y(x.size()), restored(x.size());
    for (double scale : {1e-6, 1e-2, 0.5, 3.0}) {
      geometry_.manifold->retract(x, scale * v, y);
      EXPECT_NO_THROW(geometry_.manifold->validate_point(y)) << "scale " << scale;
      if (defect) {
        EXPECT_LE(defect(y), 1e-14) << "scale " << scale;
      }
      // A point of the manifold is its own nearest point.
      geometry_.manifold->project_point(y, restored);
      EXPECT_LE((restored - y).norm(), 1e-14 * (1.0 + y.norm())) << "scale " << scale;
    }
    if (defect) {  // and project_point brings a nearby ambient point back onto the manifold
      geometry_.manifold->project_point(x.coords() + 1e-3 * gaussian_vector(x.size(), rng_), y);
      EXPECT_LE(defect(y), 1e-14);
    }
  }
}

TEST_P(GeometryConformance, TransportLandsInTheTangentSpace) {
  const Point x = random_point();
  const Vector v = random_tangent(x);
  Vector y(x.size()), w(x.size()), projected(x.size());
  geometry_.manifold->retract(x, 0.3 * random_tangent(x), y);
  const Point py = geometry_.manifold->make_point(y);
  geometry_.manifold->transport(x, v, py, w);
  geometry_.manifold->project(py, w, projected);
  EXPECT_LE((projected - w).norm(), 1e-14 * std::max(1.0, w.norm()));
  if (GetParam().constraint_defect) {  // tangent at y means the constraint's derivative vanishes
    const double h = 1e-7;
    const Vector ahead = y + h * w;
    EXPECT_LE(GetParam().constraint_defect(ahead), 1e-12);  // O(h²) off, not O(h)
  }
  // Transport to the same point is the identity on tangent vectors.
  geometry_.manifold->transport(x, v, x, w);
  EXPECT_LE((w - v).norm(), 1e-14);
}

// Along a second-order retraction, E(R_x(tv)) = E + t⟨grad, v⟩ + t²/2 ⟨Hess[v], v⟩ + O(t³).
TEST_P(GeometryConformance, RiemannianHessianTaylorTestHasSlopeThree) {
  if (!GetParam().second_order_retraction || geometry_.manifold->is_open_subset())
    GTEST_SKIP() << "the straight line is no geodesic of this metric";
  for (int trial = 0; trial < 3; ++trial) {
    const Point x = random_point();
    const Vector v = random_tangent(x), u = random_tangent(x);
    Problem::Evaluation e;
    problem_->evaluate(x, e);
    const HessianOperator hess(*problem_, x, e.euclidean_gradient, HessianMode::kExact);
    Vector hv(x.size()), hu(x.size());
    hess.apply(v, hv);
    hess.apply(u, hu);
    EXPECT_NEAR(u.dot(hv), v.dot(hu), 1e-12 * (1.0 + hv.norm())) << "symmetric";
    Vector projected(x.size());
    geometry_.manifold->project(x, hv, projected);
    EXPECT_LE((projected - hv).norm(), 1e-13 * (1.0 + hv.norm())) << "tangent";
    const double slope = e.euclidean_gradient.dot(v), curvature = v.dot(hv);
    std::vector<double> remainders;
    Vector y(x.size());
    for (double t : {1e-2, 1e-3}) {
      geometry_.manifold->retract(x, t * v, y);
      const double value = problem_->value(geometry_.manifold->make_point(y));
      remainders.push_back(std::abs(value - e.value - t * slope - 0.5 * t * t * curvature));
    }
    const double fitted = std::log10(remainders[0] / remainders[1]);
    EXPECT_NEAR(fitted, 3.0, 0.15) << remainders[0] << " " << remainders[1];
    // A Hessian without its Weingarten term fails the same test (the test can fail).
    Vector wrong(x.size()), plain(x.size());
    plain.setZero();
    problem_->energy().add_hessian_vector(x, v, 1.0, plain);
    geometry_.manifold->project(x, plain, wrong);
    geometry_.manifold->retract(x, 1e-2 * v, y);
    const double value = problem_->value(geometry_.manifold->make_point(y));
    const double bad = std::abs(value - e.value - 1e-2 * slope - 0.5e-4 * v.dot(wrong));
    EXPECT_GT(bad, 10.0 * remainders[0]);
  }
}

TEST_P(GeometryConformance, ExponentialIsAGeodesicAndLogarithmInvertsIt) {
  const Manifold& m = *geometry_.manifold;
  if (!m.has_exponential()) GTEST_SKIP() << "no closed-form exponential";
  const Point x = random_point();
  const Vector v = 0.7 * random_tangent(x);
  const Eigen::Index n = x.size();
  Vector y(n), ahead(n), behind(n), accel(n), normal_check(n);
  m.exponential(x, Vector::Zero(n), y);
  EXPECT_LE((y - x.coords()).norm(), 1e-15);
  m.exponential(x, v, y);
  if (GetParam().constraint_defect) {
    EXPECT_LE(GetParam().constraint_defect(y), 1e-13);
  }
  // Velocity at 0 is v; acceleration at t = 0.4 is normal to the manifold there.
  const double h = 1e-4, t = 0.4;
  m.exponential(x, h * v, ahead);
  m.exponential(x, -h * v, behind);
  EXPECT_LE(((ahead - behind) / (2 * h) - v).norm(), 1e-7);
  m.exponential(x, (t + h) * v, ahead);
  m.exponential(x, (t - h) * v, behind);
  m.exponential(x, t * v, y);
  accel = (ahead - 2.0 * y + behind) / (h * h);
  m.project(m.make_point(y), accel, normal_check);
  EXPECT_LE(normal_check.norm(), 1e-5 * (1.0 + accel.norm()));
  // Constant speed: ‖d/dt exp(tv)‖ = ‖v‖.
  EXPECT_NEAR(((ahead - behind) / (2 * h)).norm(), v.norm(), 1e-7);
  if (!m.has_logarithm()) return;
  m.exponential(x, v, y);
  Vector back(n);
  m.logarithm(x, y, back);
  EXPECT_LE((back - v).norm(), 1e-13);
}

INSTANTIATE_TEST_SUITE_P(AllGeometries, GeometryConformance, ::testing::ValuesIn(cases()),
                         [](const auto& param_info) { return param_info.param.label; });

}  // namespace
