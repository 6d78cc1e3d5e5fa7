// The standard manifolds solved against independent answers: the dominant subspace on Grassmann
// against an eigensolver, Procrustes on SO(n) against Kabsch's SVD formula, the Karcher mean on
// SPD against the geodesic midpoint, columns on the oblique manifold against eigenvectors, and a
// product against its factors solved alone.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <cmath>
#include <random>
#include <string>

#include "riemopt/conjugate_gradient.hpp"
#include "riemopt/derivative_check.hpp"
#include "riemopt/energies/brockett.hpp"
#include "riemopt/energies/factored_completion.hpp"
#include "riemopt/energies/karcher_mean.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/gradient_descent.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/lbfgs.hpp"
#include "riemopt/manifolds/fixed_rank.hpp"
#include "riemopt/manifolds/grassmann.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/manifolds/oblique.hpp"
#include "riemopt/manifolds/product.hpp"
#include "riemopt/manifolds/spd.hpp"
#include "riemopt/manifolds/special_orthogonal.hpp"
#include "riemopt/manifolds/sphere.hpp"
#include "riemopt/newton.hpp"
#include "riemopt/trust_region.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;

Matrix random_symmetric(Eigen::Index n, Rng& rng) {
  const Matrix b = riemopt::testing::random_matrix(n, n, rng);
  return b + b.transpose();
}

Matrix random_spd(Eigen::Index n, Rng& rng) {
  const Vector x = SymmetricPositiveDefinite(n).random_point(rng);
  return ConstMatrixMap(x.data(), n, n);
}

using riemopt::testing::expect_invalid;

// f(X) = tr(XᵀAX) on Gr(n, p): the minimizer spans the eigenvectors of the p smallest eigenvalues,
// a subspace, so the answer is compared as a projector XXᵀ (any basis of it is a minimizer).
TEST(Grassmann, TheSolversFindTheMinorSubspaceOfAnEigensolver) {
  const Eigen::Index n = 40, p = 4;
  Rng rng(3);
  const Matrix a = random_symmetric(n, rng);
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(a);
  const Matrix v = eig.eigenvectors().leftCols(p);
  const double optimum = eig.eigenvalues().head(p).sum();
  const Problem problem(grassmann_geometry(n, p),
                        std::make_shared<BrockettCost>(a, Vector::Ones(p)));
  const Vector x0 = Grassmann(n, p).random_point(rng);
  ConjugateGradientOptions cg;
  cg.gradient_tolerance = 1e-9;
  LbfgsOptions lb;
  lb.gradient_tolerance = 1e-9;
  TrustRegionOptions tr;
  tr.gradient_tolerance = 1e-9;
  for (const Summary& s : {conjugate_gradient(problem, x0, cg), lbfgs(problem, x0, lb),
                           trust_region(problem, x0, tr)}) {
    ASSERT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
    const ConstMatrixMap x(s.x.data(), n, p);
    EXPECT_NEAR(s.final_value, optimum, 1e-10 * std::abs(optimum)) << s.solver;
    EXPECT_LE((x * x.transpose() - v * v.transpose()).norm(), 1e-8) << s.solver;
    EXPECT_LE(Grassmann(n, p).distance(s.x, Eigen::Map<const Vector>(v.data(), n * p)), 1e-8)
        << s.solver;
  }
}

TEST(Grassmann, DistanceIsThePrincipalAnglesAndLogarithmItsTangent) {
  const Eigen::Index n = 6, p = 2;
  // Two planes at principal angles 0.3 and 1.2: span(e1, e2) and span(cos·e1 + sin·e3, …).
  Matrix x = Matrix::Zero(n, p), y = Matrix::Zero(n, p);
  x(0, 0) = x(1, 1) = 1.0;
  y(0, 0) = std::cos(0.3);
  y(2, 0) = std::sin(0.3);
  y(1, 1) = std::cos(1.2);
  y(3, 1) = std::sin(1.2);
  const Grassmann gr(n, p);
  const Vector xv = Eigen::Map<const Vector>(x.data(), n * p);
  Vector yv = Eigen::Map<const Vector>(y.data(), n * p);
  const double expected = std::hypot(0.3, 1.2);
  EXPECT_NEAR(gr.distance(xv, yv), expected, 1e-14);
  // Another basis of the same subspace is the same point.
  const Matrix rotation =
      (Matrix(2, 2) << std::cos(0.7), -std::sin(0.7), std::sin(0.7), std::cos(0.7)).finished();
  const Matrix y_rotated = y * rotation;
  EXPECT_NEAR(gr.distance(xv, Eigen::Map<const Vector>(y_rotated.data(), n * p)), expected, 1e-14);
  EXPECT_NEAR(gr.distance(xv, xv), 0.0, 1e-15);
  // ‖Log_X(Y)‖ is the distance, and Exp_X(Log_X(Y)) spans Y.
  const Point px = gr.make_point(xv);
  Vector log(n * p), back(n * p);
  gr.logarithm(px, Eigen::Map<const Vector>(y_rotated.data(), n * p), log);
  EXPECT_NEAR(log.norm(), expected, 1e-13);
  gr.exponential(px, log, back);
  EXPECT_NEAR(gr.distance(back, yv), 0.0, 1e-12);
}

// Procrustes on SO(n): min ‖XA − B‖² has the closed form X = U diag(1, …, det(UVᵀ)) Vᵀ with
// B Aᵀ = U Σ Vᵀ (Kabsch); the solvers must find it from a random rotation.
TEST(SpecialOrthogonal, ProcrustesMatchesKabsch) {
  Eigen::Index n = 5, m = 12;  // not const: the lambdas below capture n by value
  Rng rng(8);
  const Matrix a = riemopt::testing::random_matrix(n, m, rng);
  const Matrix b = riemopt::testing::random_matrix(n, m, rng);
  const Eigen::JacobiSVD<Matrix> svd(b * a.transpose(), Eigen::ComputeFullU | Eigen::ComputeFullV);
  Vector d = Vector::Ones(n);
  d(n - 1) = (svd.matrixU() * svd.matrixV().transpose()).determinant() > 0 ? 1.0 : -1.0;
  const Matrix kabsch = svd.matrixU() * d.asDiagonal() * svd.matrixV().transpose();
  const auto procrustes = std::make_shared<LambdaEnergy>(
      "procrustes", n * n,
      [a, b, n](const Point& x) {
        return 0.5 * (ConstMatrixMap(x.coords().data(), n, n) * a - b).squaredNorm();
      },
      [a, b, n](const Point& x, VectorRef g) {
        const ConstMatrixMap xm(x.coords().data(), n, n);
        MatrixMap(g.data(), n, n) = (xm * a - b) * a.transpose();
      },
      [a, n](const Point&, const ConstVectorRef& v, VectorRef hv) {
        MatrixMap(hv.data(), n, n) = ConstMatrixMap(v.data(), n, n) * a * a.transpose();
      });
  const Problem problem(special_orthogonal_geometry(n), procrustes);
  const Vector x0 = SpecialOrthogonal(n).random_point(rng);
  LbfgsOptions lb;
  lb.gradient_tolerance = 1e-10;
  TrustRegionOptions tr;
  tr.gradient_tolerance = 1e-10;
  for (const Summary& s : {lbfgs(problem, x0, lb), trust_region(problem, x0, tr)}) {
    ASSERT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
    EXPECT_LE((ConstMatrixMap(s.x.data(), n, n) - kabsch).cwiseAbs().maxCoeff(), 1e-9) << s.solver;
    EXPECT_GT(ConstMatrixMap(s.x.data(), n, n).determinant(), 0.0);
  }
  expect_invalid(
      [&] { SpecialOrthogonal(3).make_point(-Vector(Matrix::Identity(3, 3).reshaped())); },
      "rotation");
}

// The Karcher mean of two SPD matrices is their geodesic midpoint
// A^{1/2}(A^{−1/2} B A^{−1/2})^{1/2} A^{1/2}; of many, the point where Σ Log_X(A_i) = 0.
TEST(Spd, KarcherMeanOfTwoIsTheGeodesicMidpoint) {
  const Eigen::Index n = 6;
  Rng rng(17);
  const Matrix a = random_spd(n, rng), b = random_spd(n, rng);
  const Matrix midpoint = riemopt::testing::spd_geodesic_midpoint(a, b);
  const Problem problem(spd_geometry(n), std::make_shared<KarcherMean>(std::vector<Matrix>{a, b}));
  const Vector x0 = Eigen::Map<const Vector>(Matrix(Matrix::Identity(n, n)).data(), n * n);
  LbfgsOptions lb;
  lb.gradient_tolerance = 1e-11;
  ConjugateGradientOptions cg;
  cg.gradient_tolerance = 1e-11;
  GradientDescentOptions gd;
  gd.gradient_tolerance = 1e-11;
  for (const Summary& s : {lbfgs(problem, x0, lb), conjugate_gradient(problem, x0, cg),
                           gradient_descent(problem, x0, gd)}) {
    ASSERT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
    const Matrix x = ConstMatrixMap(s.x.data(), n, n);
    EXPECT_LE(spd_distance(x, midpoint), 1e-9) << s.solver;
    // Halfway: d(A, X) = d(X, B) = d(A, B)/2.
    EXPECT_NEAR(spd_distance(a, x), 0.5 * spd_distance(a, b), 1e-9) << s.solver;
  }
}

TEST(Spd, KarcherMeanOfManyCommutingMatricesIsTheGeometricMean) {
  // Diagonal (commuting) matrices: the mean is exp(mean of logs), entrywise.
  const Eigen::Index n = 4, m = 7;
  Rng rng(5);
  std::vector<Matrix> as;
  Vector log_sum = Vector::Zero(n);
  for (Eigen::Index i = 0; i < m; ++i) {
    const Vector logs = gaussian_vector(n, rng);
    log_sum += logs;
    as.push_back(logs.array().exp().matrix().asDiagonal());
  }
  const Matrix expected = (log_sum / m).array().exp().matrix().asDiagonal();
  const Problem problem(spd_geometry(n), std::make_shared<KarcherMean>(as));
  const Vector x0 = SymmetricPositiveDefinite(n).random_point(rng);
  LbfgsOptions lb;
  lb.gradient_tolerance = 1e-11;
  const Summary s = lbfgs(problem, x0, lb);
  ASSERT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
  EXPECT_LE(spd_distance(ConstMatrixMap(s.x.data(), n, n), expected), 1e-10);
  EXPECT_LE(s.iterations, 30);
}

// One manifold, two metrics: the same minimizer (a property of the energy), different paths and
// gradients. f(X) = tr(X) − log det X has its minimum at X = I under any metric.
TEST(Spd, BothMetricsReachTheSameMinimizerWithTheirOwnGradients) {
  Eigen::Index n = 5;  // not const: the lambdas below capture n by value
  Rng rng(9);
  const auto f = std::make_shared<LambdaEnergy>(
      "tr X - log det X", n * n,
      [](const Point& x) {
        const Eigen::SelfAdjointEigenSolver<Matrix> e(x.matrix());
        return e.eigenvalues().sum() - e.eigenvalues().array().log().sum();
      },
      [n](const Point& x, VectorRef g) {
        MatrixMap(g.data(), n, n) = Matrix::Identity(n, n) - Matrix(x.matrix()).inverse();
      });
  const Vector x0 = SymmetricPositiveDefinite(n).random_point(rng);
  const Matrix x0m = ConstMatrixMap(x0.data(), n, n);
  const Matrix euclidean_gradient = Matrix::Identity(n, n) - x0m.inverse();
  for (SpdMetric metric : {SpdMetric::kAffineInvariant, SpdMetric::kBuresWasserstein}) {
    const Problem problem(spd_geometry(n, metric), f);
    Problem::Evaluation e;
    problem.evaluate(problem.make_point(x0), e);
    const Matrix expected_gradient =
        metric == SpdMetric::kAffineInvariant
            ? Matrix(x0m * euclidean_gradient * x0m)
            : Matrix(2.0 * (x0m * euclidean_gradient + euclidean_gradient * x0m));
    EXPECT_LE((ConstMatrixMap(e.gradient.data(), n, n) - expected_gradient).norm(),
              1e-12 * expected_gradient.norm())
        << to_string(metric);
    LbfgsOptions lb;
    lb.gradient_tolerance = 1e-10;
    const Summary s = lbfgs(problem, x0, lb);
    ASSERT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
    EXPECT_LE((ConstMatrixMap(s.x.data(), n, n) - Matrix::Identity(n, n)).norm(), 1e-9)
        << to_string(metric);
    // The gradient flow stays symmetric positive definite on the way.
    GradientFlowOptions flow;
    flow.gradient_tolerance = 1e-8;
    const Summary sf = gradient_flow(problem, x0, flow);
    ASSERT_EQ(sf.status, TerminationStatus::kConverged) << sf.FullReport();
    EXPECT_LE((ConstMatrixMap(sf.x.data(), n, n) - Matrix::Identity(n, n)).norm(), 1e-7);
  }
  expect_invalid([&] { spd_geometry(2).manifold->make_point(Vector::Ones(4)); },
                 "not positive definite");
  expect_invalid(
      [&] {
        KarcherMean({Matrix::Identity(2, 2), -Matrix::Identity(2, 2)});
      },
      "not positive definite");
}

// Σ_j x_jᵀ A x_j on OB(n, p): every column goes to ± the eigenvector of A's smallest eigenvalue.
TEST(Oblique, EveryColumnFindsTheSmallestEigenvector) {
  const Eigen::Index n = 12, p = 5;
  Rng rng(4);
  const Matrix a = random_symmetric(n, rng);
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(a);
  const Problem problem(oblique_geometry(n, p), std::make_shared<BrockettCost>(a, Vector::Ones(p)));
  const Vector x0 = Oblique(n, p).random_point(rng);
  LbfgsOptions lb;
  lb.gradient_tolerance = 1e-9;
  const Summary s = lbfgs(problem, x0, lb);
  ASSERT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
  const ConstMatrixMap x(s.x.data(), n, p);
  for (Eigen::Index j = 0; j < p; ++j)
    EXPECT_NEAR(std::abs(x.col(j).dot(eig.eigenvectors().col(0))), 1.0, 1e-9) << "column " << j;
  EXPECT_NEAR(s.final_value, p * eig.eigenvalues()(0), 1e-9);
}

// A product of a sphere and an SPD factor with a separable energy: the solvers on the product find
// what each factor's problem finds alone.
TEST(Product, ASeparableEnergyIsSolvedFactorByFactor) {
  Eigen::Index n = 8, k = 3;  // not const: the lambdas below capture them by value
  Rng rng(12);
  const Matrix a = random_symmetric(n, rng);
  const Matrix c = random_spd(k, rng);
  const Geometry g = product_geometry({sphere_geometry(n), spd_geometry(k)});
  // xᵀAx + (tr(C⁻¹Y) − log det Y): the second term is minimal at Y = C.
  const Matrix c_inverse = c.inverse();
  const auto energy = std::make_shared<LambdaEnergy>(
      "separable", n + k * k,
      [a, c_inverse, n, k](const Point& p) {
        const Vector& v = p.coords();
        const Matrix y = ConstMatrixMap(v.data() + n, k, k);
        const Eigen::SelfAdjointEigenSolver<Matrix> e(0.5 * (y + y.transpose()));
        return v.head(n).dot(a * v.head(n)) + (c_inverse * y).trace() -
               e.eigenvalues().array().log().sum();
      },
      [a, c_inverse, n, k](const Point& p, VectorRef out) {
        const Vector& v = p.coords();
        out.head(n) = 2.0 * a * v.head(n);
        const Matrix y = ConstMatrixMap(v.data() + n, k, k);
        MatrixMap(out.data() + n, k, k) = c_inverse - Matrix(y.inverse()).transpose();
      });
  const Problem problem(g, energy);
  const Vector x0 = g.manifold->random_point(rng);
  LbfgsOptions lb;
  lb.gradient_tolerance = 1e-9;
  const Summary s = lbfgs(problem, x0, lb);
  ASSERT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(a);
  EXPECT_NEAR(std::abs(s.x.head(n).dot(eig.eigenvectors().col(0))), 1.0, 1e-9);
  EXPECT_LE((ConstMatrixMap(s.x.data() + n, k, k) - c).norm(), 1e-8 * c.norm());
  EXPECT_EQ(g.manifold->kind(), ManifoldKind::kEmbedded);
  EXPECT_EQ(g.manifold->dimension(), (n - 1) + k * (k + 1) / 2);
  expect_invalid([] { product_geometry({}); }, "at least one factor");
}

// Completion of a rank-5 200×150 matrix from 20 % of its entries on rank-5 factors, from the
// spectral start (the top-5 SVD of the zero-filled observations divided by the sampling rate):
// L Rᵀ must match the truth on the held-out entries, computed from the factors alone.
TEST(FixedRank, FactoredCompletionRecoversTheHeldOutEntries) {
  const Eigen::Index m = 200, n = 150, r = 5;
  Rng rng(21);
  const Matrix truth =
      riemopt::testing::random_matrix(m, r, rng) * riemopt::testing::random_matrix(r, n, rng);
  std::vector<Observation> train, test;
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  Matrix filled = Matrix::Zero(m, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) {
      if (coin(rng) < 0.2) {
        train.push_back({i, j, truth(i, j)});
        filled(i, j) = truth(i, j) / 0.2;
      } else if (test.size() < 2000) {
        test.push_back({i, j, truth(i, j)});
      }
    }
  const Eigen::JacobiSVD<Matrix> svd(filled, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Vector root = svd.singularValues().head(r).cwiseSqrt();
  const FixedRankFactors factors(m, n, r);
  const Vector x0 = factors.pack(svd.matrixU().leftCols(r) * root.asDiagonal(),
                                 svd.matrixV().leftCols(r) * root.asDiagonal());
  const auto energy = std::make_shared<FactoredCompletion>(m, n, r, train);
  const Problem problem(fixed_rank_geometry(m, n, r), energy);
  const double scale = truth.cwiseAbs().maxCoeff();
  LbfgsOptions lb;
  lb.gradient_tolerance = 1e-9 * scale;
  ConjugateGradientOptions cg;
  cg.gradient_tolerance = 1e-9 * scale;
  for (const Summary& s : {lbfgs(problem, x0, lb), conjugate_gradient(problem, x0, cg)}) {
    ASSERT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
    const Point x = problem.make_point(s.x);
    EXPECT_LE(energy->rmse(x, test), 1e-6 * scale) << s.solver;
    EXPECT_LE(energy->rmse(x, train), 1e-8 * scale) << s.solver;
    EXPECT_EQ(s.svd_count, 0u) << s.solver;  // no m×n decomposition during the solve
  }
  // The metric's gradient is ∇E scaled by the other factor's Gram matrix.
  Problem::Evaluation e;
  const Point p0 = problem.make_point(x0);
  problem.evaluate(p0, e);
  const ConstMatrixMap rf = factors.right(x0);
  const Matrix expected_left =
      ConstMatrixMap(e.euclidean_gradient.data(), m, r) * Matrix(rf.transpose() * rf).inverse();
  EXPECT_LE((ConstMatrixMap(e.gradient.data(), m, r) - expected_left).norm(),
            1e-10 * expected_left.norm());
  expect_invalid([&] { FixedRankFactors(3, 4, 5); }, "r <= min(m, n)");
  expect_invalid([&] { factors.make_point(Vector::Zero(factors.ambient_size())); },
                 "no full column rank");
  expect_invalid([&] { FactoredCompletion(3, 3, 1, {{3, 0, 1.0}}); }, "outside");
}

// check_gradient on embedded manifolds and quotients: an ambient direction is made tangent
// first, so a right gradient passes with any direction, and a wrong one still fails.
TEST(DerivativeChecks, CheckGradientWorksOnEveryKindOfManifold) {
  Rng rng(30);
  const Eigen::Index n = 8;
  for (const Geometry& g : {sphere_geometry(n), grassmann_geometry(n, 1), oblique_geometry(n, 1),
                            spd_geometry(3), fixed_rank_geometry(4, 2, 1)}) {
    const Eigen::Index size = g.manifold->ambient_size();
    const Matrix b = random_symmetric(size, rng);
    const auto energy = std::make_shared<LambdaEnergy>(
        "quadratic", size, [b](const Point& x) { return x.coords().dot(b * x.coords()); },
        [b](const Point& x, VectorRef out) { out = 2.0 * b * x.coords(); });
    const auto wrong = std::make_shared<LambdaEnergy>(
        "quadratic, gradient off by 10 %", size,
        [b](const Point& x) { return x.coords().dot(b * x.coords()); },
        [b](const Point& x, VectorRef out) { out = 2.2 * b * x.coords(); });
    const Point x = g.manifold->make_point(g.manifold->random_point(rng));
    const Vector ambient = gaussian_vector(size, rng);  // with a normal part
    const DerivativeCheck right = check_gradient(Problem(g, energy), x, ambient);
    EXPECT_TRUE(right.passed) << g.name() << "\n" << right.report();
    const DerivativeCheck bad = check_gradient(Problem(g, wrong), x, ambient);
    EXPECT_FALSE(bad.passed) << g.name() << "\n" << bad.report();
  }
}

}  // namespace
