// Second-order geometry of SPD under its two metrics: the Christoffel terms against Koszul's
// formula with finite differences of the metric, the Riemannian Hessian against second derivatives
// along the metrics' own geodesics, the Karcher mean's Euclidean Hessian against differences of its
// gradient (eigenvalue collisions included), and Newton and the trust region on the Karcher mean
// under both metrics against the geodesic midpoint.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <vector>

#include "riemopt/derivative_check.hpp"
#include "riemopt/energies/karcher_mean.hpp"
#include "riemopt/hessian_operator.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/manifolds/spd.hpp"
#include "riemopt/newton.hpp"
#include "riemopt/riemannian_hessian.hpp"
#include "riemopt/trust_region.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;

Matrix random_symmetric(Eigen::Index n, Rng& rng) {
  const Matrix b = riemopt::testing::random_matrix(n, n, rng);
  return 0.5 * (b + b.transpose());
}

Matrix random_spd(Eigen::Index n, Rng& rng) {
  const Vector x = SymmetricPositiveDefinite(n).random_point(rng);
  return ConstMatrixMap(x.data(), n, n);
}

Vector flat_coords(const Matrix& m) { return Eigen::Map<const Vector>(m.data(), m.size()); }

Point spd_point(const Matrix& m) { return Point(flat_coords(m), m.rows(), m.cols()); }

// L_X[U]: the solution of XL + LX = U, by an independent dense Kronecker solve.
Matrix lyapunov_by_kronecker(const Matrix& x, const Matrix& u) {
  const Eigen::Index n = x.rows();
  const Matrix id = Matrix::Identity(n, n);
  Matrix k = Matrix::Zero(n * n, n * n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) {
      k.block(i * n, j * n, n, n) += x(i, j) * id;  // (X ⊗ I): L X in column-major vec
      k.block(i * n, j * n, n, n) += (i == j ? 1.0 : 0.0) * x;
    }
  const Vector l = k.partialPivLu().solve(flat_coords(u));
  return ConstMatrixMap(l.data(), n, n);
}

std::vector<SpdMetric> both_metrics() {
  return {SpdMetric::kAffineInvariant, SpdMetric::kBuresWasserstein};
}

// ⟨D, Γ(V, W)⟩ = g(Γ(V, W), Z) with Z = sharp(D), and Koszul's formula for constant fields,
//   2 g(∇_V W, Z) = ∂_V g(W, Z) + ∂_W g(V, Z) − ∂_Z g(V, W),
// with the derivatives of g taken by central differences of Metric::inner.
TEST(SpdConnection, ChristoffelTermsMatchKoszulsFormula) {
  const Eigen::Index n = 4;
  Rng rng(31);
  for (SpdMetric which : both_metrics()) {
    const Geometry geometry = spd_geometry(n, which);
    const Metric& metric = *geometry.metric;
    for (int trial = 0; trial < 3; ++trial) {
      const Matrix x = random_spd(n, rng);
      const Matrix v = random_symmetric(n, rng), w = random_symmetric(n, rng),
                   d = random_symmetric(n, rng);
      const Point p = spd_point(x);
      const Vector z = metric.sharp(p, flat_coords(d));
      auto derivative = [&](const Vector& direction, const Vector& a, const Vector& b) {
        const double h = 1e-5;
        const Point plus(p.coords() + h * direction, n, n), minus(p.coords() - h * direction, n, n);
        return (metric.inner(plus, a, b) - metric.inner(minus, a, b)) / (2 * h);
      };
      const Vector vv = flat_coords(v), ww = flat_coords(w);
      const double koszul =
          0.5 * (derivative(vv, ww, z) + derivative(ww, vv, z) - derivative(z, vv, ww));
      Vector gamma(n * n);
      metric.christoffel(p, vv, flat_coords(d), gamma);
      EXPECT_NEAR(gamma.dot(ww), koszul, 1e-7 * (1.0 + std::abs(koszul)))
          << to_string(which) << " trial " << trial;
      // The covector is tangent (symmetric), and reads df through its symmetric part only.
      const Matrix gm = ConstMatrixMap(gamma.data(), n, n);
      EXPECT_LE((gm - gm.transpose()).cwiseAbs().maxCoeff(), 1e-14 * gm.norm());
      const Matrix skew = riemopt::testing::random_matrix(n, n, rng);
      Vector gamma_skewed(n * n);
      metric.christoffel(p, vv, flat_coords(d + skew - skew.transpose()), gamma_skewed);
      EXPECT_LE((gamma_skewed - gamma).norm(), 1e-13 * gamma.norm());
    }
  }
}

// f(X) = ½‖X − C‖² + tr(A X) + ¼ tr(X⁴)/10: a non-quadratic energy with a gradient far from zero,
// so that the connection term of the Hessian is large.
EnergyPtr test_energy(const Matrix& c, const Matrix& a) {
  const Eigen::Index n = c.rows();
  return std::make_shared<LambdaEnergy>(
      "test energy on SPD", n * n,
      [c, a](const Point& x) {
        const Matrix xm = x.matrix(), x2 = xm * xm;
        return 0.5 * (xm - c).squaredNorm() + (a * xm).trace() + 0.025 * (x2 * x2).trace();
      },
      [c, a](const Point& x, VectorRef g) {
        const Matrix xm = x.matrix();
        MatrixMap(g.data(), xm.rows(), xm.cols()) = xm - c + a + 0.1 * xm * xm * xm;
      },
      [](const Point& x, const ConstVectorRef& v, VectorRef hv) {
        const Matrix xm = x.matrix();
        const ConstMatrixMap vm(v.data(), xm.rows(), xm.cols());
        MatrixMap(hv.data(), xm.rows(), xm.cols()) =
            vm + 0.1 * (vm * xm * xm + xm * vm * xm + xm * xm * vm);
      });
}

// The geodesics, computed here independently of the library: affine-invariant
// Exp_X(tV) = X^{1/2} expm(t X^{−1/2} V X^{−1/2}) X^{1/2}; Bures–Wasserstein X + tV + t² L_X[V] X
// L_X[V] (Malagò, Montrucchio, Pistone 2018), with L_X solved here independently of the library.
Matrix geodesic(SpdMetric which, const Matrix& x, const Matrix& v, double t) {
  if (which == SpdMetric::kAffineInvariant) {
    const Eigen::SelfAdjointEigenSolver<Matrix> ex(x);
    const Matrix root = ex.operatorSqrt(), inverse_root = ex.operatorInverseSqrt();
    const Eigen::SelfAdjointEigenSolver<Matrix> e(t * inverse_root * v * inverse_root);
    const Matrix expm = e.eigenvectors() * e.eigenvalues().array().exp().matrix().asDiagonal() *
                        e.eigenvectors().transpose();
    return root * expm * root;
  }
  const Matrix l = lyapunov_by_kronecker(x, v);
  return x + t * v + t * t * l * x * l;
}

// d²/dt² f(γ(t)) at t = 0 by central second differences with one Richardson step (O(h⁴)).
double second_derivative_along_geodesic(const Energy& f, SpdMetric which, const Matrix& x,
                                        const Matrix& v) {
  auto value = [&](double t) { return f.value(spd_point(geodesic(which, x, v, t))); };
  auto difference = [&](double h) { return (value(h) - 2 * value(0) + value(-h)) / (h * h); };
  const double h =
      1e-3;  // the quartic term's higher derivatives are large: h = 1e-2 is off by 1e-5
  return (4 * difference(h / 2) - difference(h)) / 3;
}

TEST(SpdConnection, RiemannianHessianIsTheSecondDerivativeAlongGeodesics) {
  const Eigen::Index n = 3;
  Rng rng(8);
  const Matrix c = random_symmetric(n, rng), a = random_symmetric(n, rng);
  std::vector<Matrix> as;
  for (int i = 0; i < 5; ++i) as.push_back(random_spd(n, rng));
  const std::vector<EnergyPtr> energies = {test_energy(c, a), std::make_shared<KarcherMean>(as)};
  for (SpdMetric which : both_metrics()) {
    for (const EnergyPtr& f : energies) {
      const Problem problem(spd_geometry(n, which), f);
      const Matrix x = random_spd(n, rng);
      const Point p = spd_point(x);
      const Matrix h = riemannian_hessian_form(problem, p);
      for (int trial = 0; trial < 3; ++trial) {
        const Matrix v = random_symmetric(n, rng);
        const double second = second_derivative_along_geodesic(*f, which, x, v);
        const Vector vv = flat_coords(v);
        EXPECT_NEAR(vv.dot(h * vv), second, 1e-7 * (1.0 + std::abs(second)))
            << to_string(which) << ", " << f->name() << ", trial " << trial;
      }
      // Without the connection term the form is wrong away from critical points (so the test
      // above can tell): the Euclidean Hessian alone misses the second derivative.
      const Matrix v = random_symmetric(n, rng);
      const Vector vv = flat_coords(v);
      const double euclidean = vv.dot(f->hessian_vector(p, vv));
      const double second = second_derivative_along_geodesic(*f, which, x, v);
      EXPECT_GT(std::abs(euclidean - second), 1e-3 * (1.0 + std::abs(second)))
          << to_string(which) << ", " << f->name();
    }
  }
}

// ∇²f V against (∇f(X + hV) − ∇f(X − hV))/2h, at a generic point and at X = A_1, where Y_1 = I
// and every divided difference of h(μ) = log μ/μ sits at a collision.
TEST(KarcherMean, HessianVectorProductsMatchDifferencesOfTheGradient) {
  const Eigen::Index n = 5;
  Rng rng(12);
  std::vector<Matrix> as;
  for (int i = 0; i < 4; ++i) as.push_back(random_spd(n, rng));
  const KarcherMean f(as);
  for (const Matrix& x : {random_spd(n, rng), as[0], Matrix(Matrix::Identity(n, n))}) {
    const Point p = spd_point(x);
    const Matrix v = random_symmetric(n, rng);
    const double h = 1e-5;
    const Vector g_plus = f.gradient(spd_point(x + h * v)),
                 g_minus = f.gradient(spd_point(x - h * v));
    const Vector expected = (g_plus - g_minus) / (2 * h);
    const Vector hv = f.hessian_vector(p, flat_coords(v));
    EXPECT_LE((hv - expected).norm(), 1e-7 * expected.norm());
    // The Taylor test walks the straight line x + tv up to t = 1: keep it inside SPD.
    const double room = 0.5 * Eigen::SelfAdjointEigenSolver<Matrix>(x).eigenvalues()(0);
    const DerivativeCheck check = check_hessian(f, p, flat_coords(v) * (room / v.norm()));
    EXPECT_TRUE(check.passed) << check.report();
  }
  // The value and gradient against the affine-invariant distance computed independently.
  const Matrix x = random_spd(n, rng);
  double expected = 0.0;
  for (const Matrix& a : as) expected += std::pow(spd_distance(x, a), 2);
  EXPECT_NEAR(f.value(spd_point(x)), expected / (2.0 * as.size()), 1e-12 * expected);
}

// Two energies of one class at one point keep their cached decompositions apart.
TEST(KarcherMean, TwoInstancesAtOnePointDoNotShareTheirCache) {
  const Eigen::Index n = 3;
  Rng rng(2);
  const KarcherMean f({random_spd(n, rng)}), g({random_spd(n, rng), random_spd(n, rng)});
  const Matrix x = random_spd(n, rng);
  const double f_alone = f.value(spd_point(x)), g_alone = g.value(spd_point(x));
  const Point shared = spd_point(x);
  EXPECT_EQ(f.value(shared), f_alone);
  EXPECT_EQ(g.value(shared), g_alone);
  EXPECT_EQ(f.value(shared), f_alone);
}

// The Karcher mean of two matrices is their geodesic midpoint; Newton and the trust region reach
// it under both metrics (the minimizer belongs to the energy) with exact Hessians, and converge
// quadratically: a handful of iterations from the identity.
TEST(SpdConnection, NewtonAndTrustRegionFindTheKarcherMeanUnderBothMetrics) {
  const Eigen::Index n = 5;
  Rng rng(17);
  const Matrix a = random_spd(n, rng), b = random_spd(n, rng);
  const Matrix midpoint = riemopt::testing::spd_geodesic_midpoint(a, b);
  const auto f = std::make_shared<KarcherMean>(std::vector<Matrix>{a, b});
  const Vector x0 = flat_coords(Matrix::Identity(n, n));
  for (SpdMetric which : both_metrics()) {
    const Problem problem(spd_geometry(n, which), f);
    TrustRegionOptions tr;
    tr.gradient_tolerance = 1e-11;
    tr.hessian = HessianMode::kExact;
    NewtonOptions nw;
    nw.gradient_tolerance = 1e-11;
    nw.hessian = HessianMode::kExact;
    for (const Summary& s : {trust_region(problem, x0, tr), newton(problem, x0, nw)}) {
      ASSERT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
      EXPECT_LE(spd_distance(ConstMatrixMap(s.x.data(), n, n), midpoint), 1e-9)
          << to_string(which) << ", " << s.solver;
      EXPECT_LE(s.iterations, 15) << to_string(which) << ", " << s.solver;
    }
  }
}

}  // namespace
