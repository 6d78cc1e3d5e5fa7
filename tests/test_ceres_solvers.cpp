// The Ceres-backed solvers: the ceres::Manifold adapter against Ceres' own manifold invariants,
// its local gradient against the Riemannian norm, L-BFGS and Levenberg–Marquardt against the
// library's solvers on matrix completion, the metric's minimum-norm LM step against a dense
// computation, the summary translation, and bad options.
#include <ceres/manifold_test_utils.h>
#include <gtest/gtest.h>

#include <cmath>

#include "riemopt/ceres_manifold.hpp"
#include "riemopt/ceres_solvers.hpp"
#include "riemopt/energies/chamber_energies.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/energies/spectral_equilibrium.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/gradient_descent.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/manifolds/balanced_factors.hpp"
#include "riemopt/manifolds/chamber.hpp"
#include "riemopt/manifolds/chamber_metric.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/manifolds/parameter_space.hpp"
#include "riemopt/trust_region.hpp"
#include "test_helpers.hpp"

namespace ceres {
// Ceres' invariants macro names its matchers (and Vector) unqualified: it runs in this namespace.
void expect_manifold_invariants(const ::riemopt::CeresManifold& manifold, const Vector& x,
                                const Vector& delta, const Vector& y, double tolerance) {
  EXPECT_THAT_MANIFOLD_INVARIANTS_HOLD(manifold, x, delta, y, tolerance);
}
}  // namespace ceres

namespace {

using namespace riemopt;
using riemopt::testing::matrix_with_singular_values;
using riemopt::testing::random_matrix;

Vector flat_of(const Matrix& m) { return Eigen::Map<const Vector>(m.data(), m.size()); }

// ---- the adapter ------------------------------------------------------------------------------

TEST(CeresManifold, SatisfiesCeresInvariantsOnEveryGeometry) {
  Rng rng(11);
  struct Case {
    Geometry geometry;
    Vector x, y;
  };
  std::vector<Case> cases;
  for (const Geometry& g :
       {euclidean_matrices(3, 4), dln_matrices(3, 4, Depth::finite(3)),
        dln_matrices(3, 3, Depth::finite(2)), dln_matrices(3, 3, Depth::infinite())}) {
    const Vector sigma = (Vector(3) << 1.7, 1.0, 0.6).finished();
    const Vector x =
        flat_of(matrix_with_singular_values(g.manifold->rows(), g.manifold->cols(), sigma, rng));
    cases.push_back({g, x, x + 0.3 * gaussian_vector(x.size(), rng)});
  }
  for (const Geometry& g : {euclidean_chamber(4), dln_chamber(4, Depth::finite(3)),
                            dln_chamber(4, Depth::infinite())}) {
    const Vector x = (Vector(4) << 2.0, 1.3, 0.8, 0.5).finished();
    cases.push_back({g, x, (Vector(4) << 2.4, 1.1, 0.9, 0.3).finished()});
  }
  const auto space = std::make_shared<ParameterSpace>(std::vector<Eigen::Index>{3, 4, 2});
  const Vector w = space->random_point(rng);
  cases.push_back({parameter_space_geometry(space), w, w + 0.3 * gaussian_vector(w.size(), rng)});

  for (const Case& c : cases) {
    SCOPED_TRACE(c.geometry.name());
    const CeresManifold manifold(c.geometry);
    ASSERT_EQ(manifold.AmbientSize(), c.x.size());
    // Small enough that the chamber's retraction keeps the order (its sort makes Plus
    // non-injective across a collision, where Minus(Plus(x, δ), x) = δ cannot hold).
    const Vector delta = 0.05 * gaussian_vector(c.x.size(), rng);
    ceres::expect_manifold_invariants(manifold, c.x, delta, c.y, 1e-8);
    EXPECT_TRUE(manifold.last_error().empty()) << manifold.last_error();
  }
}

// The point of the adapter: Ceres' local gradient B_x ∇E has the Riemannian norm ‖grad E‖_g,
// and Plus moves along the whitened direction.
TEST(CeresManifold, LocalGradientHasTheRiemannianNorm) {
  Rng rng(12);
  const auto inst = make_completion_instance({.rows = 6, .cols = 5, .rank = 2, .observations = 18});
  const Problem problem(dln_matrices(6, 5, Depth::finite(3)),
                        std::make_shared<MatrixCompletion>(6, 5, inst.observed));
  const Vector x = flat_of(
      matrix_with_singular_values(6, 5, (Vector(5) << 2.0, 1.5, 1.0, 0.7, 0.4).finished(), rng));
  Problem::Evaluation e;
  problem.evaluate(problem.make_point(x), e);
  const CeresManifold manifold(problem.geometry());
  Vector local(x.size());
  ASSERT_TRUE(
      manifold.RightMultiplyByPlusJacobian(x.data(), 1, e.euclidean_gradient.data(), local.data()));
  EXPECT_NEAR(local.norm(), e.gradient_norm, 1e-12 * e.gradient_norm);
  // Plus(x, −t·local) = x − t·B_x B_x ∇E = x − t·grad E: the Riemannian gradient step.
  Vector moved(x.size());
  const Vector step = -1e-3 * local;
  ASSERT_TRUE(manifold.Plus(x.data(), step.data(), moved.data()));
  EXPECT_LT((moved - (x - 1e-3 * e.gradient)).norm(), 1e-13 * x.norm());
}

TEST(CeresManifold, RefusesRankDeficientPointsAndEmbeddedManifolds) {
  const CeresManifold manifold(dln_matrices(3, 3, Depth::finite(3)));
  Matrix x = Matrix::Zero(3, 3);
  x(0, 0) = 1.0;  // rank one: the DLN metric's flat is singular there
  const Vector y = Vector::Ones(9);
  Vector out(9);
  EXPECT_FALSE(manifold.Minus(y.data(), x.data(), out.data()));
  EXPECT_FALSE(manifold.last_error().empty());

  struct Sphere final : Manifold {
    std::string name() const override { return "sphere"; }
    Eigen::Index ambient_size() const override { return 3; }
    Eigen::Index dimension() const override { return 2; }
    ManifoldKind kind() const override { return ManifoldKind::kEmbedded; }
    Vector random_point(Rng&) const override { return Vector::Unit(3, 0); }
  };
  Geometry sphere{std::make_shared<Sphere>(), std::make_shared<EuclideanMetric>()};
  try {
    CeresManifold adapter(sphere);
    FAIL() << "an embedded manifold was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("open subset"), std::string::npos) << e.what();
  }
}

// ---- completion: Ceres against the library's solvers ---------------------------------------

struct SmallCompletion {
  static constexpr Eigen::Index kRows = 10, kCols = 8;
  CompletionInstance inst = make_completion_instance(
      {.rows = kRows, .cols = kCols, .rank = 2, .observations = 40, .seed = 3});
  std::shared_ptr<MatrixCompletion> loss =
      std::make_shared<MatrixCompletion>(kRows, kCols, inst.observed);
  Vector x0 = gaussian_product_init(kRows, kCols, Depth::finite(3), 0.1, 5);

  Vector fitted(const Vector& x) const {
    Vector v(static_cast<Eigen::Index>(inst.observed.size()));
    for (std::size_t k = 0; k < inst.observed.size(); ++k)
      v[static_cast<Eigen::Index>(k)] = x[inst.observed[k].row + inst.observed[k].col * kRows];
    return v;
  }
  Vector unobserved(const Vector& x) const {
    Vector v = x;
    for (const Observation& o : inst.observed) v[o.row + o.col * kRows] = 0.0;
    return v;
  }
  Vector observed_values() const {
    Vector v(static_cast<Eigen::Index>(inst.observed.size()));
    for (std::size_t k = 0; k < inst.observed.size(); ++k)
      v[static_cast<Eigen::Index>(k)] = inst.observed[k].value;
    return v;
  }
};

// Under the Euclidean metric every solver's steps are supported on the observed set, so the
// solvers agree on all entries: the observed ones fit M, the others keep X₀.
TEST(CeresSolvers, AgreeWithTheLibrarySolversOnEuclideanCompletion) {
  const SmallCompletion c;
  const Problem problem(euclidean_matrices(c.kRows, c.kCols), c.loss);
  TrustRegionOptions tr;
  tr.gradient_tolerance = 1e-11;
  const Summary reference = trust_region(problem, c.x0, tr);
  ASSERT_TRUE(reference.is_success()) << reference.FullReport();
  CeresGradientOptions lbfgs;
  lbfgs.gradient_tolerance = 1e-11;
  CeresLeastSquaresOptions lm;
  lm.gradient_tolerance = 1e-11;
  for (const Summary& s :
       {ceres_gradient_solve(problem, c.x0, lbfgs), ceres_least_squares(problem, c.x0, lm)}) {
    EXPECT_TRUE(s.is_success()) << s.FullReport();
    EXPECT_LT((c.fitted(s.x) - c.observed_values()).norm(), 1e-9) << s.solver;
    EXPECT_LT((s.x - reference.x).norm(), 1e-9) << s.solver;
    EXPECT_LT((c.unobserved(s.x) - c.unobserved(c.x0)).norm(), 1e-12) << s.solver;
  }
}

// Levenberg–Marquardt asks the energy for its least-squares structure, not its type: a positive
// multiple of a loss, and a sum of two losses, are sums of squares too (stacked residuals
// √w_i r_i), and give the minimizer the library's trust region finds.
TEST(CeresLeastSquares, SumsAndMultiplesOfLeastSquaresEnergiesKeepTheirStructure) {
  const SmallCompletion c;
  // A second loss on the same entries, pulling towards M/2: the sum's minimizer on each observed
  // entry is (2·M + 1·M/2)/3 = 5M/6 for weights 2 and 1.
  std::vector<Observation> half = c.inst.observed;
  for (Observation& o : half) o.value *= 0.5;
  const EnergyPtr other = std::make_shared<MatrixCompletion>(c.kRows, c.kCols, half);
  const Problem sum(euclidean_matrices(c.kRows, c.kCols), 2.0 * EnergyPtr(c.loss) + other);
  CeresLeastSquaresOptions lm;
  lm.gradient_tolerance = 1e-11;
  // Levenberg–Marquardt decides on cost changes, which drown in rounding at |grad| ≈ 6e-9 here:
  // below that it cannot go, and it says so rather than report convergence at 1e-11.
  const Summary s = ceres_least_squares(sum, c.x0, lm);
  EXPECT_EQ(s.status, TerminationStatus::kToleranceUnreachable) << s.FullReport();
  EXPECT_GT(s.final_gradient_norm, 1e-11);
  EXPECT_LT((c.fitted(s.x) - (5.0 / 6.0) * c.observed_values()).norm(), 1e-8) << s.FullReport();
  TrustRegionOptions tr;
  tr.gradient_tolerance = 1e-11;
  const Summary reference = trust_region(sum, c.x0, tr);
  ASSERT_TRUE(reference.is_success()) << reference.FullReport();
  EXPECT_LT((s.x - reference.x).norm(), 1e-8);
  lm.gradient_tolerance = 1e-6;  // attainable: converged
  const Problem scaled(euclidean_matrices(c.kRows, c.kCols), 3.0 * EnergyPtr(c.loss));
  const Summary t = ceres_least_squares(scaled, c.x0, lm);
  ASSERT_TRUE(t.is_success()) << t.FullReport();
  EXPECT_LT((c.fitted(t.x) - c.observed_values()).norm(), 1e-6);
  EXPECT_NEAR(t.initial_value, 3.0 * c.loss->value(Point(c.x0, c.kRows, c.kCols)), 1e-12);
}

// Under the DLN metric the solvers fit the same entries but fill the rest differently (the
// implicit bias belongs to the path): they agree on the fitted entries.
TEST(CeresSolvers, AgreeWithTheLibrarySolversOnDlnCompletionFittedEntries) {
  const SmallCompletion c;
  const Problem problem(dln_matrices(c.kRows, c.kCols, Depth::finite(3)), c.loss);
  GradientDescentOptions gd;
  gd.gradient_tolerance = 1e-10;
  gd.max_iterations = 100000;
  const Summary reference = gradient_descent(problem, c.x0, gd);
  ASSERT_TRUE(reference.is_success()) << reference.FullReport();
  // Ceres' line search compares values, so it stalls near ‖grad‖ ~ √(ε|E|)·scale: a looser
  // tolerance for L-BFGS than for the library's own solvers (see the stall test below).
  CeresGradientOptions lbfgs;
  lbfgs.gradient_tolerance = 1e-8;
  CeresLeastSquaresOptions lm;
  lm.gradient_tolerance = 1e-10;
  for (const Summary& s :
       {ceres_gradient_solve(problem, c.x0, lbfgs), ceres_least_squares(problem, c.x0, lm)}) {
    EXPECT_TRUE(s.is_success()) << s.FullReport();
    EXPECT_LT((c.fitted(s.x) - c.fitted(reference.x)).norm(), 1e-7) << s.FullReport();
    // The adapter keeps its last point's SVD for Plus, the Jacobians and Minus at that point, so
    // an evaluation costs about two SVDs (one for E, one for B_x); without the cache it was 3.7.
    EXPECT_LE(static_cast<double>(s.svd_count), 2.5 * static_cast<double>(s.evaluations.gradients))
        << s.FullReport();
    // The DLN metric moved the unobserved entries (a Euclidean solver would leave them at X₀).
    EXPECT_GT((c.unobserved(s.x) - c.unobserved(c.x0)).norm(), 1e-2) << s.solver;
  }
}

// One Levenberg–Marquardt step with negligible damping on the linear completion residuals is
// the metric's minimum-norm step v = −G⁻¹Jᵀ(JG⁻¹Jᵀ)⁻¹r, computed here densely from the metric's
// sharp (G⁻¹), independently of the adapter's whiten.
TEST(CeresLeastSquares, DampedStepIsTheMinimumNormStepInTheMetric) {
  const SmallCompletion c;
  Rng rng(13);
  const Vector x0 = flat_of(matrix_with_singular_values(
      c.kRows, c.kCols, (Vector(8) << 2.5, 2.0, 1.6, 1.3, 1.0, 0.8, 0.6, 0.5).finished(), rng));
  for (const Geometry& g :
       {euclidean_matrices(c.kRows, c.kCols), dln_matrices(c.kRows, c.kCols, Depth::finite(3)),
        dln_matrices(c.kRows, c.kCols, Depth::infinite())}) {
    SCOPED_TRACE(g.name());
    const Problem problem(g, c.loss);
    const Point p = problem.make_point(x0);
    const Eigen::Index m = c.loss->residual_count(), n = x0.size();
    Vector r(m);
    c.loss->residuals(p, r);
    Matrix j(m, n);
    c.loss->residual_jacobian(p, j);
    Matrix g_inv_jt(n, m);  // G⁻¹Jᵀ, column by column
    for (Eigen::Index k = 0; k < m; ++k) g_inv_jt.col(k) = g.metric->sharp(p, j.row(k).transpose());
    const Vector expected = -g_inv_jt * (j * g_inv_jt).ldlt().solve(r);

    CeresLeastSquaresOptions o;
    o.initial_trust_region_radius = 1e12;  // μ = 1e-12
    o.max_iterations = 1;
    const Summary s = ceres_least_squares(problem, x0, o);
    ASSERT_EQ(s.iterations, 1) << s.FullReport();
    EXPECT_LT((s.x - x0 - expected).norm(), 1e-8 * expected.norm()) << s.FullReport();
    EXPECT_LT(s.final_value, 1e-18);  // linear residuals: one exact step fits them
  }
}

TEST(CeresSolvers, SummaryTranslatesCeresAndKeepsItsReport) {
  const SmallCompletion c;
  const Problem problem(dln_matrices(c.kRows, c.kCols, Depth::finite(2)), c.loss);
  CeresGradientOptions o;
  o.max_iterations = 5;
  o.gradient_tolerance = 1e-14;
  o.trajectory.enabled = true;
  int calls = 0;
  o.callbacks.push_back([&calls](const IterationInfo& it) {
    ++calls;
    EXPECT_NE(it.point, nullptr);
    return CallbackResult::kContinue;
  });
  const Summary s = ceres_gradient_solve(problem, c.x0, o);
  EXPECT_EQ(s.status, TerminationStatus::kMaxIterations) << s.FullReport();
  EXPECT_EQ(s.iterations, 5);
  EXPECT_EQ(calls, 5);
  EXPECT_EQ(s.solver, "ceres-lbfgs");
  EXPECT_LT(s.final_value, s.initial_value);
  EXPECT_GE(s.evaluations.gradients, 6);
  EXPECT_NE(s.backend_report.find("Solver Summary (v 2."), std::string::npos) << s.backend_report;
  EXPECT_NE(s.FullReport().find("Backend report"), std::string::npos);
  EXPECT_NE(s.to_json().find("backend_report"), std::string::npos);
  EXPECT_EQ(s.trajectory.times.back(), 5.0);
  // The reported point is the one whose value is reported.
  EXPECT_NEAR(problem.value(problem.make_point(s.x)), s.final_value, 1e-15);

  // A callback's abort, and Ceres' own function tolerance, each become the library's status.
  CeresLeastSquaresOptions abort;
  abort.callbacks.push_back([](const IterationInfo& it) {
    return it.iteration >= 2 ? CallbackResult::kAbort : CallbackResult::kContinue;
  });
  const Summary aborted = ceres_least_squares(problem, c.x0, abort);
  EXPECT_EQ(aborted.status, TerminationStatus::kUserAbort) << aborted.FullReport();
  EXPECT_EQ(aborted.iterations, 2);
  EXPECT_NE(aborted.backend_report.find("Solver Summary (v 2."), std::string::npos);

  CeresGradientOptions loose;
  loose.gradient_tolerance = 0.0;
  loose.parameter_tolerance = 1e-3;
  const Summary by_ceres = ceres_gradient_solve(problem, c.x0, loose);
  EXPECT_EQ(by_ceres.status, TerminationStatus::kConverged) << by_ceres.FullReport();
  EXPECT_NE(by_ceres.message.find("Ceres: "), std::string::npos) << by_ceres.message;
}

TEST(CeresSolvers, NonlinearCgAndBfgsReachTheDlnChamberEquilibrium) {
  const Eigen::Index d = 4;
  const Depth depth = Depth::finite(3);
  const Problem problem(dln_chamber(d, depth),
                        free_energy(SeparableChamberEnergy::schatten(2.0),
                                    std::make_shared<ChamberEntropy>(d, depth), 2.0));
  const double s_star = SpectralEquilibrium::schatten(d, depth, 2.0, 2.0).s_star();
  for (CeresLineSearchDirection dir :
       {CeresLineSearchDirection::kBfgs, CeresLineSearchDirection::kNonlinearCg}) {
    CeresGradientOptions o;
    o.direction = dir;
    o.gradient_tolerance = 1e-7;
    o.max_iterations = 5000;
    const Vector x0 = (Vector(4) << 2.0, 1.1, 0.7, 0.3).finished() * s_star;
    const Summary s = ceres_gradient_solve(problem, x0, o);
    EXPECT_TRUE(s.is_success()) << s.FullReport();
    EXPECT_LT((s.x.array() / s_star - 1.0).abs().maxCoeff(), 1e-7) << s.FullReport();

    // Far below √(ε|E|) ≈ 1e-9 the line search cannot move: its attainable accuracy, not a
    // convergence.
    o.gradient_tolerance = 1e-14;
    const Summary stalled = ceres_gradient_solve(problem, x0, o);
    EXPECT_EQ(stalled.status, TerminationStatus::kToleranceUnreachable) << stalled.FullReport();
    EXPECT_NE(stalled.message.find("stalled"), std::string::npos) << stalled.message;
    EXPECT_LT((stalled.x.array() / s_star - 1.0).abs().maxCoeff(), 1e-7);
  }
}

TEST(CeresSolvers, BadOptionsAndUnsupportedProblemsAreRefused) {
  const SmallCompletion c;
  const Problem problem(dln_matrices(c.kRows, c.kCols, Depth::finite(3)), c.loss);
  auto expect_refused = [](auto&& call, const std::string& fragment) {
    try {
      call();
      ADD_FAILURE() << "accepted; expected an error about " << fragment;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  CeresGradientOptions g;
  g.lbfgs_rank = 0;
  expect_refused([&] { ceres_gradient_solve(problem, c.x0, g); }, "lbfgs_rank");
  g = {};
  g.function_tolerance = -1.0;
  expect_refused([&] { ceres_gradient_solve(problem, c.x0, g); }, "function_tolerance");
  g = {};
  g.max_iterations = 0;
  expect_refused([&] { ceres_gradient_solve(problem, c.x0, g); }, "max_iterations");
  g = {};
  g.direction = CeresLineSearchDirection::kBfgs;
  g.max_bfgs_size = 10;
  expect_refused([&] { ceres_gradient_solve(problem, c.x0, g); }, "max_bfgs_size");

  CeresLeastSquaresOptions l;
  l.initial_trust_region_radius = 0.0;
  expect_refused([&] { ceres_least_squares(problem, c.x0, l); }, "initial_trust_region_radius");
  l = {};
  l.max_ambient_size = 20;
  expect_refused([&] { ceres_least_squares(problem, c.x0, l); }, "max_ambient_size");
  l = {};
  l.gradient_tolerance = std::nan("");
  expect_refused([&] { ceres_least_squares(problem, c.x0, l); }, "gradient_tolerance");

  // Not a least-squares energy: the free energy with entropy.
  const Problem entropic(dln_matrices(4, 4, Depth::finite(3)),
                         free_energy(std::make_shared<SchattenEnergy>(2.0),
                                     std::make_shared<MatrixEntropy>(Depth::finite(3)), 2.0));
  expect_refused(
      [&] { ceres_least_squares(entropic, Vector(Matrix::Identity(4, 4).reshaped()), {}); },
      "not a sum of squares");
  // A least-squares loss plus a term without that structure, and a negative multiple.
  const Problem mixed(euclidean_matrices(c.kRows, c.kCols),
                      EnergyPtr(c.loss) + 0.1 * EnergyPtr(std::make_shared<SchattenEnergy>(4.0)));
  expect_refused([&] { ceres_least_squares(mixed, c.x0, {}); }, "not a sum of squares");
  const Problem negative(euclidean_matrices(c.kRows, c.kCols), -1.0 * EnergyPtr(c.loss));
  expect_refused([&] { ceres_least_squares(negative, c.x0, {}); }, "positive weights");
  // A start off the manifold.
  Vector bad = c.x0;
  bad[3] = std::nan("");
  expect_refused([&] { ceres_gradient_solve(problem, bad, {}); }, "finite");
}

// A user least-squares energy through the defaults of LeastSquaresEnergy (value ½‖r‖², gradient
// Jᵀr), solved by dogleg and checked against its closed-form root.
TEST(CeresLeastSquares, UserResidualsWithDogleg) {
  class Roots final : public LeastSquaresEnergy {
   public:
    std::string name() const override { return "roots"; }
    Eigen::Index ambient_size() const override { return 3; }
    Eigen::Index residual_count() const override { return 4; }
    void residuals(const Point& x, VectorRef r) const override {
      const Vector& v = x.coords();
      r << v[0] * v[0] - 2.0, v[1] * v[1] * v[1] - 3.0, v[0] * v[2] - 1.0, v[2] - 1.0 / v[0];
    }
    void residual_jacobian(const Point& x, MatrixRef j) const override {
      const Vector& v = x.coords();
      j.setZero();
      j(0, 0) = 2.0 * v[0];
      j(1, 1) = 3.0 * v[1] * v[1];
      j(2, 0) = v[2];
      j(2, 2) = v[0];
      j(3, 0) = 1.0 / (v[0] * v[0]);
      j(3, 2) = 1.0;
    }
  };
  const auto energy = std::make_shared<Roots>();
  const Point p(Vector::Constant(3, 1.3));
  // The default gradient Jᵀr against a central difference of the default value.
  const Vector grad = energy->gradient(p);
  for (int k = 0; k < 3; ++k) {
    const double h = 1e-6;
    Vector a = p.coords(), b = p.coords();
    a[k] += h;
    b[k] -= h;
    EXPECT_NEAR(grad[k], (energy->value(Point(a)) - energy->value(Point(b))) / (2 * h), 1e-7);
  }
  const Problem problem(euclidean_matrices(3, 1), energy);
  CeresLeastSquaresOptions o;
  o.strategy = CeresTrustRegionStrategy::kDogleg;
  o.gradient_tolerance = 1e-12;
  const Summary s = ceres_least_squares(problem, (Vector(3) << 1.4, 1.2, 1.0).finished(), o);
  EXPECT_TRUE(s.is_success()) << s.FullReport();
  EXPECT_EQ(s.solver, "ceres-dogleg");
  Vector root(3);
  root << std::sqrt(2.0), std::cbrt(3.0), 1.0 / std::sqrt(2.0);
  EXPECT_LT((s.x - root).norm(), 1e-9) << s.x.transpose();
}

}  // namespace
