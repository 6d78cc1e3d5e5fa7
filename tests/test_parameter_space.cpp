// The parameter space of the DLN (docs/MATH.md §2: "Riemannian submersion", "Fiber volume"):
// the end-to-end map and its adjoint, the pulled-back energy, balanced factorizations, the
// submersion identities, the upstairs flow against the DLN flow on matrices, the entropy as the
// volume of the fiber, and the balancing flow.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <Eigen/LU>
#include <Eigen/SVD>
#include <cmath>
#include <limits>
#include <set>

#include "riemopt/derivative_check.hpp"
#include "riemopt/energies/balancing_flow.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/energies/matrix_sensing.hpp"
#include "riemopt/energies/pulled_back_energy.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/energies/squared_moment_map.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/gradient_descent.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/lbfgs.hpp"
#include "riemopt/manifolds/balanced_factors.hpp"
#include "riemopt/manifolds/dln_metric.hpp"
#include "riemopt/manifolds/end_to_end_map.hpp"
#include "riemopt/manifolds/fiber_metric.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;
using riemopt::testing::matrix_with_singular_values;
using riemopt::testing::random_matrix;
using riemopt::testing::relative_error;

using SpacePtr = std::shared_ptr<const ParameterSpace>;

SpacePtr square_space(Eigen::Index d, int n) {
  return std::make_shared<ParameterSpace>(ParameterSpace::square(d, n));
}

Matrix as_matrix(const Vector& v, Eigen::Index rows, Eigen::Index cols) {
  return Eigen::Map<const Matrix>(v.data(), rows, cols);
}

Vector as_vector(const Matrix& m) { return Eigen::Map<const Vector>(m.data(), m.size()); }

// W_N ⋯ W_1 by the definition, for comparison.
Matrix naive_product(const ParameterSpace& space, const Vector& w) {
  Matrix x = space.factor(w, 1);
  for (int p = 2; p <= space.depth(); ++p) x = (space.factor(w, p) * x).eval();
  return x;
}

// A d×d matrix with well separated singular values of order one.
Matrix separated_matrix(Eigen::Index d, Rng& rng) {
  Vector sigma(d);
  for (Eigen::Index k = 0; k < d; ++k) sigma(k) = 2.0 - 1.5 * static_cast<double>(k) / d;
  return matrix_with_singular_values(d, d, sigma, rng);
}

std::vector<Observation> random_observations(Eigen::Index m, Eigen::Index n, int count, Rng& rng) {
  std::vector<Observation> obs;
  std::uniform_int_distribution<Eigen::Index> row(0, m - 1), col(0, n - 1);
  std::normal_distribution<double> value;
  std::set<std::pair<Eigen::Index, Eigen::Index>> seen;
  while (static_cast<int>(obs.size()) < count) {
    const Eigen::Index i = row(rng), j = col(rng);
    if (seen.insert({i, j}).second) obs.push_back({i, j, value(rng)});
  }
  return obs;
}

EnergyPtr sensing_energy(Eigen::Index m, Eigen::Index n, int count, Rng& rng) {
  std::vector<Matrix> a;
  for (int i = 0; i < count; ++i) a.push_back(random_matrix(m, n, rng));
  return std::make_shared<MatrixSensing>(a, gaussian_vector(count, rng));
}

TEST(ParameterSpace, ShapesOffsetsAndBadWidths) {
  const ParameterSpace space({3, 5, 2, 4});
  EXPECT_EQ(space.depth(), 3);
  EXPECT_EQ(space.ambient_size(), 5 * 3 + 2 * 5 + 4 * 2);
  EXPECT_EQ(space.output_rows(), 4);
  EXPECT_EQ(space.output_cols(), 3);
  EXPECT_EQ(space.offset(2), 15);
  Rng rng(1);
  const Vector w = space.random_point(rng);
  EXPECT_EQ(space.factor(w, 3).rows(), 4);
  EXPECT_EQ(space.factor(w, 3).cols(), 2);
  EXPECT_THROW(space.factor(w, 0), InvalidArgument);
  EXPECT_THROW(space.factor(w, 4), InvalidArgument);
  EXPECT_THROW(ParameterSpace({3}), InvalidArgument);
  EXPECT_THROW(ParameterSpace({3, 0, 2}), InvalidArgument);
  EXPECT_THROW(ParameterSpace::square(3, 0), InvalidArgument);
  Vector bad = w;
  bad(4) = std::nan("");
  EXPECT_THROW(EndToEndMap(space, bad), InvalidArgument);
  EXPECT_THROW(EndToEndMap(space, w.head(5)), InvalidArgument);
}

// The branch-free finiteness check behind ParameterSpace::check_coordinates: every kind of
// non-finite entry at every position of short and long vectors, and huge finite entries (whose
// products with 0 are 0, not NaN) accepted.
TEST(AllFinite, FindsEveryNonFiniteEntryWhereverItIs) {
  const double inf = std::numeric_limits<double>::infinity();
  for (Eigen::Index n : {1, 2, 3, 5, 8, 17, 1000}) {
    Vector v = Vector::Constant(n, std::numeric_limits<double>::max());
    EXPECT_TRUE(all_finite(v));
    for (Eigen::Index i = 0; i < n; i += std::max<Eigen::Index>(1, n / 7))
      for (double bad : {inf, -inf, std::nan("")}) {
        Vector w = v;
        w(i) = bad;
        EXPECT_FALSE(all_finite(w)) << "n = " << n << ", entry " << i << " = " << bad;
      }
  }
  EXPECT_TRUE(all_finite(Vector(0)));
}

TEST(EndToEndMap, ProductDifferentialAndAdjointOnRectangularWidths) {
  const ParameterSpace space({3, 5, 2, 4});
  Rng rng(2);
  const Vector w = space.random_point(rng);
  const Vector v = gaussian_vector(space.ambient_size(), rng);
  const Matrix z = random_matrix(4, 3, rng);
  const EndToEndMap phi(space, w);
  EXPECT_LT(relative_error(phi.product(), naive_product(space, w)), 1e-14);
  // dφ against a central difference (φ is a polynomial of degree 3: the O(h²) term is exact).
  const double h = 1e-4;
  const Matrix fd = (naive_product(space, w + h * v) - naive_product(space, w - h * v)) / (2 * h);
  EXPECT_LT(relative_error(phi.differential(v), fd), 1e-7);
  // ⟨dφ V, Z⟩ = ⟨V, dφᵀ Z⟩.
  const double lhs = (phi.differential(v).array() * z.array()).sum();
  const double rhs = v.dot(phi.adjoint(z));
  EXPECT_NEAR(lhs, rhs, 1e-12 * std::abs(lhs));
  EXPECT_THROW(phi.adjoint(Matrix::Zero(3, 4)), InvalidArgument);
}

TEST(PulledBackEnergy, GradientAndHessianPassTaylorTests) {
  auto space = std::make_shared<ParameterSpace>(std::vector<Eigen::Index>{3, 5, 2, 4});
  Rng rng(3);
  const EnergyPtr e = sensing_energy(4, 3, 9, rng);
  const auto loss = std::make_shared<PulledBackEnergy>(e, space);
  const Problem problem(parameter_space_geometry(space), loss);
  const Point w = problem.make_point(space->random_point(rng));
  const Vector v = gaussian_vector(space->ambient_size(), rng);
  EXPECT_NEAR(loss->value(w), e->value(Point(as_vector(naive_product(*space, w.coords())), 4, 3)),
              1e-13);
  const DerivativeCheck g = check_gradient(problem, w, v);
  EXPECT_TRUE(g.passed) << g.report();
  const DerivativeCheck hess = check_hessian(*loss, w, v);
  EXPECT_TRUE(hess.passed) << hess.report();
  // Gradient formula of docs/MATH.md §2 for the middle factor, by the definition.
  const Vector grad = loss->gradient(w);
  const Matrix ge =
      e->gradient(Point(as_vector(naive_product(*space, w.coords())), 4, 3)).reshaped(4, 3);
  const Matrix expected2 =
      space->factor(w.coords(), 3).transpose() * ge * space->factor(w.coords(), 1).transpose();
  EXPECT_LT(relative_error(space->factor(grad, 2), expected2), 1e-13);
  // Energies of the wrong size are refused.
  EXPECT_THROW(PulledBackEnergy(sensing_energy(3, 3, 2, rng), space), InvalidArgument);
}

TEST(BalancedFactors, FactorizationIsBalancedAndReproducesX) {
  Rng rng(4);
  for (int n : {1, 2, 3, 5}) {
    const auto space = square_space(4, n);
    const Matrix x = separated_matrix(4, rng);
    const Vector w = balanced_factorization(*space, x, rng);
    EXPECT_LT(relative_error(naive_product(*space, w), x), 1e-13) << "N = " << n;
    EXPECT_TRUE(is_balanced(*space, w, 1e-13)) << imbalance_norm(*space, w);
  }
  // Rectangular widths 3 → 5 → 4 → 6 through a rank-3 X, with chosen rotations.
  const ParameterSpace rect({3, 5, 4, 6});
  const Matrix x = random_matrix(6, 3, rng);
  const std::vector<Matrix> q = {random_orthogonal(5, rng), random_orthogonal(4, rng)};
  const Vector w = balanced_factorization(rect, x, q);
  EXPECT_LT(relative_error(naive_product(rect, w), x), 1e-13);
  EXPECT_TRUE(is_balanced(rect, w, 1e-13));
  // Factorizations through a narrow width need a low-rank X.
  const ParameterSpace narrow({4, 2, 4});
  EXPECT_THROW(balanced_factorization(narrow, random_matrix(4, 4, rng), rng), InvalidArgument);
  const Matrix low = random_matrix(4, 2, rng) * random_matrix(2, 4, rng);
  const Vector wn = balanced_factorization(narrow, low, rng);
  EXPECT_LT(relative_error(naive_product(narrow, wn), low), 1e-13);
  // Bad rotations and shapes.
  EXPECT_THROW(balanced_factorization(rect, x, {q[0]}), InvalidArgument);
  EXPECT_THROW(balanced_factorization(rect, x, {q[0], 2.0 * q[1]}), InvalidArgument);
  EXPECT_THROW(balanced_factorization(rect, x.transpose(), q), InvalidArgument);
  // A random point is not balanced; balancedness is relative to the scale of W.
  const Vector random = rect.random_point(rng);
  EXPECT_FALSE(is_balanced(rect, random, 1e-3));
  EXPECT_TRUE(is_balanced(rect, 1e-6 * w, 1e-12));
  EXPECT_THROW(is_balanced(rect, w, -1.0), InvalidArgument);
}

TEST(BalancedFactors, VerticalVectorsAreKilledByTheDifferential) {
  const ParameterSpace space({3, 5, 2, 4});
  Rng rng(5);
  const Vector w = space.random_point(rng);
  const std::vector<Matrix> c = {random_matrix(5, 5, rng), random_matrix(2, 2, rng)};
  const Vector v = vertical_vector(space, w, c);
  const EndToEndMap phi(space, w);
  EXPECT_LT(phi.differential(v).norm(), 1e-13 * v.norm());
  // vertical_adjoint is the adjoint of vertical_vector.
  const Vector u = gaussian_vector(space.ambient_size(), rng);
  const std::vector<Matrix> g = vertical_adjoint(space, w, u);
  const double lhs = u.dot(v);
  const double rhs = (g[0].array() * c[0].array()).sum() + (g[1].array() * c[1].array()).sum();
  EXPECT_NEAR(lhs, rhs, 1e-12 * std::abs(lhs));
  EXPECT_THROW(vertical_vector(space, w, {c[0]}), InvalidArgument);
  EXPECT_THROW(vertical_vector(space, w, {c[1], c[0]}), InvalidArgument);
}

// docs/MATH.md §2 "Riemannian submersion": at a balanced W over X, dφ∘dφᵀ = A_{N,X}, the horizontal
// lift of Z has squared norm g^N_X(Z, Z), and ∇(E∘φ) is horizontal with dφ(∇(E∘φ)) = A_{N,X}(∇E).
TEST(Submersion, BalancedPointsMapTheFrobeniusMetricOntoTheDlnMetric) {
  Rng rng(6);
  for (int n : {2, 3, 5}) {
    SCOPED_TRACE("N = " + std::to_string(n));
    const Eigen::Index d = 4;
    const auto space = square_space(d, n);
    const Matrix x = separated_matrix(d, rng);
    const Vector w = balanced_factorization(*space, x, rng);
    const EndToEndMap phi(*space, w);
    const Point xp(as_vector(phi.product()), d, d);
    const DlnMetric metric(Depth::finite(n));
    for (int trial = 0; trial < 3; ++trial) {
      const Matrix z = random_matrix(d, d, rng);
      const Matrix a = as_matrix(metric.sharp(xp, as_vector(z)), d, d);
      EXPECT_LT(relative_error(phi.gram(z), a), 1e-12);
      const Vector lift = horizontal_lift(*space, w, z);
      EXPECT_LT(relative_error(phi.differential(lift), z), 1e-10);
      const double g = z.reshaped().dot(metric.flat(xp, as_vector(z)));
      EXPECT_NEAR(lift.squaredNorm(), g, 1e-10 * g);
    }
    // The upstairs gradient of a completion loss.
    const EnergyPtr e = std::make_shared<MatrixCompletion>(d, d, random_observations(d, d, 9, rng));
    const PulledBackEnergy loss(e, space);
    const Vector grad = loss.gradient(Point(w));
    const Vector grad_e = e->gradient(xp);
    EXPECT_LT(relative_error(phi.differential(grad), as_matrix(metric.sharp(xp, grad_e), d, d)),
              1e-12);
    EXPECT_LT(relative_error(horizontal_part(*space, w, grad), grad), 1e-9);
    std::vector<Matrix> c;
    for (int p = 1; p < n; ++p) c.push_back(random_matrix(d, d, rng));
    const Vector vertical = vertical_vector(*space, w, c);
    EXPECT_LT(std::abs(grad.dot(vertical)), 1e-12 * grad.norm() * vertical.norm());
  }
}

TEST(Submersion, HorizontalLiftIsRefusedWhereTheDifferentialIsNotOnto) {
  Rng rng(7);
  // φ(W) has rank 2 through the width-2 layer: most Z have no lift.
  const ParameterSpace narrow({4, 2, 4});
  const Vector w = narrow.random_point(rng);
  EXPECT_THROW(horizontal_lift(narrow, w, random_matrix(4, 4, rng)), NumericalError);
  EXPECT_THROW(horizontal_lift(narrow, w, random_matrix(3, 4, rng)), InvalidArgument);
}

// docs/MATH.md §5: exp(S_N − (N−1) log c_d) is the volume of the fiber per unit volume of
// O_d^{N−1}, i.e. the square root of the Gram determinant of the orbit's generators (K, skew,
// orthonormal in tr(KᵀK), acting on one layer at a time).
TEST(FiberVolume, GramDeterminantOfTheOrbitGeneratorsIsTheEntropy) {
  Rng rng(8);
  for (Eigen::Index d : {2, 3, 4}) {
    for (int n : {2, 3, 5}) {
      SCOPED_TRACE(fmt::format("d = {}, N = {}", d, n));
      Vector sigma(d);
      std::uniform_real_distribution<double> u(0.3, 2.5);
      for (Eigen::Index k = 0; k < d; ++k) sigma(k) = u(rng);
      const auto space = square_space(d, n);
      const Vector w =
          balanced_factorization(*space, matrix_with_singular_values(d, d, sigma, rng), rng);
      std::vector<Vector> generators;
      for (int p = 1; p < n; ++p) {
        for (Eigen::Index i = 0; i < d; ++i) {
          for (Eigen::Index j = i + 1; j < d; ++j) {
            std::vector<Matrix> c(static_cast<std::size_t>(n) - 1, Matrix::Zero(d, d));
            c[static_cast<std::size_t>(p) - 1](i, j) = 1.0 / std::sqrt(2.0);
            c[static_cast<std::size_t>(p) - 1](j, i) = -1.0 / std::sqrt(2.0);
            generators.push_back(vertical_vector(*space, w, c));
          }
        }
      }
      const auto m = static_cast<Eigen::Index>(generators.size());
      Matrix gram(m, m);
      for (Eigen::Index a = 0; a < m; ++a)
        for (Eigen::Index b = 0; b < m; ++b)
          gram(a, b) =
              generators[static_cast<std::size_t>(a)].dot(generators[static_cast<std::size_t>(b)]);
      const double volume = std::sqrt(gram.determinant());
      const double entropy = dln_entropy(sigma, Depth::finite(n));
      EXPECT_NEAR(std::log(volume), entropy, 1e-11 * std::max(1.0, std::abs(entropy)));
    }
  }
}

// The upstairs flow Ẇ = −∇(E∘φ) from a balanced start, pushed down by φ, is the DLN flow
// Ẋ = −A_{N,X}(∇E) (docs/MATH.md §2–3), for completion and sensing losses.
TEST(Submersion, UpstairsFlowTracksTheDlnFlowOnMatrices) {
  Rng rng(9);
  const Eigen::Index d = 4;
  const std::vector<double> times = {0.1, 0.4, 1.0};
  for (int n : {2, 3, 5}) {
    for (const bool completion : {true, false}) {
      SCOPED_TRACE(fmt::format("N = {}, {}", n, completion ? "completion" : "sensing"));
      const EnergyPtr e = completion ? EnergyPtr(std::make_shared<MatrixCompletion>(
                                           d, d, random_observations(d, d, 10, rng)))
                                     : sensing_energy(d, d, 10, rng);
      const auto space = square_space(d, n);
      const Matrix x0 = separated_matrix(d, rng);
      const Vector w0 = balanced_factorization(*space, x0, rng);
      GradientFlowOptions options;
      options.final_time = times.back();
      options.absolute_tolerance = 1e-13;
      options.relative_tolerance = 1e-12;
      options.gradient_tolerance = 0.0;
      options.trajectory.times = times;
      options.trajectory.store_points = true;
      const Summary up = gradient_flow(
          Problem(parameter_space_geometry(space), std::make_shared<PulledBackEnergy>(e, space)),
          w0, options);
      const Summary down =
          gradient_flow(Problem(dln_matrices(d, d, Depth::finite(n)), e), as_vector(x0), options);
      ASSERT_EQ(up.status, TerminationStatus::kFinalTimeReached) << up.message;
      ASSERT_EQ(down.status, TerminationStatus::kFinalTimeReached) << down.message;
      ASSERT_EQ(up.trajectory.points.size(), down.trajectory.points.size());
      for (std::size_t i = 0; i < up.trajectory.points.size(); ++i) {
        const Matrix x_up = EndToEndMap(*space, up.trajectory.points[i]).product();
        const Matrix x_down = as_matrix(down.trajectory.points[i], d, d);
        EXPECT_LT(relative_error(x_up, x_down), 1e-9) << "t = " << up.trajectory.times[i];
        EXPECT_NEAR(up.trajectory.values[i], down.trajectory.values[i],
                    1e-9 * std::abs(down.trajectory.values[i]) + 1e-14);
      }
      EXPECT_LT(imbalance_norm(*space, up.x), 1e-9);
    }
  }
}

TEST(Submersion, UpstairsFlowConservesTheImbalance) {
  Rng rng(10);
  const auto space = std::make_shared<ParameterSpace>(std::vector<Eigen::Index>{3, 4, 4, 3});
  const EnergyPtr e = sensing_energy(3, 3, 8, rng);
  const Vector w0 = space->random_point(rng);
  GradientFlowOptions options;
  options.final_time = 2.0;
  options.absolute_tolerance = 1e-13;
  options.relative_tolerance = 1e-12;
  const Summary s = gradient_flow(
      Problem(parameter_space_geometry(space), std::make_shared<PulledBackEnergy>(e, space)), w0,
      options);
  ASSERT_TRUE(s.is_success()) << s.message;
  EXPECT_LT(s.final_value, 0.5 * s.initial_value);  // it moved
  const std::vector<Matrix> mu0 = imbalance(*space, w0), mu1 = imbalance(*space, s.x);
  ASSERT_EQ(mu0.size(), 2u);
  for (std::size_t p = 0; p < mu0.size(); ++p) {
    EXPECT_GT(mu0[p].norm(), 0.5);
    EXPECT_LT((mu1[p] - mu0[p]).norm(), 1e-9 * mu0[p].norm()) << "mu_" << p + 1;
  }
}

// docs/MATH.md §2: the balancing flow keeps φ fixed, decreases R at rate Σ‖μ_p‖², and drives ‖μ‖ to
// zero exponentially.
TEST(BalancingFlow, FieldIsTheFormulaAndDecreasesRAtTheRateOfTheImbalance) {
  Rng rng(11);
  const auto space = std::make_shared<ParameterSpace>(std::vector<Eigen::Index>{3, 5, 4, 2});
  const Vector w = space->random_point(rng);
  const Geometry fibers = fiber_geometry(space);
  const Point x(w);
  Vector field = -fibers.metric->sharp(x, w);  // −sharp(∇R), ∇R = W
  const std::vector<Matrix> mu = imbalance(*space, w);
  double mu2 = 0.0;
  for (const Matrix& m : mu) mu2 += m.squaredNorm();
  for (int p = 1; p <= 3; ++p) {
    Matrix expected = Matrix::Zero(space->width(p), space->width(p - 1));
    if (p < 3) expected += mu[static_cast<std::size_t>(p) - 1] * space->factor(w, p);
    if (p > 1) expected -= space->factor(w, p) * mu[static_cast<std::size_t>(p) - 2];
    EXPECT_LT(relative_error(space->factor(field, p), expected), 1e-13) << "p = " << p;
  }
  EXPECT_NEAR(w.dot(field), -mu2, 1e-12 * mu2);
  EXPECT_LT(EndToEndMap(*space, w).differential(field).norm(), 1e-12 * field.norm());
  EXPECT_THROW(fibers.metric->flat(x, w), NumericalError);
}

// The factor shapes both balancing flows are tested on: square and rectangular, φ of full rank
// and (3, 5, 3) of rank 3 through width 5, depth 2 to 5.
std::vector<std::vector<Eigen::Index>> balancing_shapes() {
  return {{3, 3, 3}, {4, 4, 4, 4}, {3, 5, 3}, {2, 4, 2, 4}, {3, 3, 3, 3, 3, 3}};
}

TEST(BalancingFlow, ImbalanceDecaysExponentiallyWhilePhiStaysPut) {
  Rng rng(12);
  for (const auto& widths : balancing_shapes()) {
    const auto space = std::make_shared<ParameterSpace>(widths);
    SCOPED_TRACE(space->name());
    const Vector w0 = space->random_point(rng);
    const BalancingResult r = balance_factors(space, w0);
    ASSERT_EQ(r.summary.status, TerminationStatus::kConverged) << r.report();
    EXPECT_GT(r.initial_imbalance, 0.1);
    EXPECT_LE(r.final_imbalance, 1e-10);
    EXPECT_LT(r.max_drift, 1e-8) << r.report();
    EXPECT_LT(r.final_regularizer, r.initial_regularizer);
    EXPECT_GT(r.decay_rate, 0.0);
    // Exponential: over the second half of the run log ‖μ‖ is a straight line in t (its
    // residual from the fitted line is a few percent of the decades it falls).
    const Trajectory& t = r.summary.trajectory;
    std::vector<double> tail_t, tail_log;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t.times[i] >= 0.5 * r.summary.final_time) {
        tail_t.push_back(t.times[i]);
        tail_log.push_back(std::log(t.gradient_norms[i]));
      }
    }
    ASSERT_GE(tail_t.size(), 3u);
    const double fall = tail_log.front() - tail_log.back();
    EXPECT_GT(fall, 2.0);
    double mean_residual = 0.0;
    for (std::size_t i = 0; i < tail_t.size(); ++i) {
      const double line = tail_log.back() + r.decay_rate * (tail_t.back() - tail_t[i]);
      mean_residual += std::abs(tail_log[i] - line) / static_cast<double>(tail_t.size());
    }
    EXPECT_LT(mean_residual, 0.05 * fall) << "t = " << r.summary.final_time;
    // R(0) − R(T) = ∫ ‖μ‖² dt (trapezoid over the records; they are dense in log t).
    double integral = 0.0;
    for (std::size_t i = 1; i < t.size(); ++i)
      integral += 0.5 * (t.times[i] - t.times[i - 1]) *
                  (std::pow(t.gradient_norms[i], 2) + std::pow(t.gradient_norms[i - 1], 2));
    const double decrease = r.initial_regularizer - r.final_regularizer;
    EXPECT_NEAR(integral, decrease, 2e-3 * decrease);
    std::cout << r.report();
  }
}

// docs/MATH.md §2: the Euclidean gradient flow of the squared moment map ½Σ‖μ_p‖². Its gradient
// against central differences; it keeps φ, ends balanced from every shape of the table above, and
// it is the regularizer's fiber flow at double speed: W_M(t) = W_R(2t).
TEST(BalancingFlow, SquaredMomentMapFlowIsTheRegularizerFlowAtDoubleSpeed) {
  Rng rng(13);
  for (const auto& widths : balancing_shapes()) {
    const auto space = std::make_shared<ParameterSpace>(widths);
    SCOPED_TRACE(space->name());
    const Vector w0 = space->random_point(rng);
    const SquaredMomentMap m(space);
    const Vector g = m.gradient(Point(w0));
    for (int trial = 0; trial < 3; ++trial) {
      const Vector v = gaussian_vector(w0.size(), rng);
      const double h = 1e-6;
      const double fd =
          (m.value(Point(Vector(w0 + h * v))) - m.value(Point(Vector(w0 - h * v)))) / (2 * h);
      EXPECT_NEAR(fd, g.dot(v), 1e-7 * std::max(1.0, std::abs(fd)));
    }
    double mu_squared = 0.0;
    for (const Matrix& mu : imbalance(*space, w0)) mu_squared += mu.squaredNorm();
    EXPECT_NEAR(m.value(Point(w0)), 0.5 * mu_squared, 1e-12 * mu_squared);

    BalancingOptions moment;
    moment.kind = BalancingFlow::kMomentMap;
    moment.flow.gradient_tolerance = 0.0;
    moment.flow.final_time = 1.0;
    moment.flow.trajectory.times = {0.25, 0.5, 1.0};
    moment.flow.trajectory.store_points = true;
    BalancingOptions regularizer = moment;
    regularizer.kind = BalancingFlow::kRegularizer;
    regularizer.flow.final_time = 2.0;
    regularizer.flow.trajectory.times = {0.5, 1.0, 2.0};
    const BalancingResult a = balance_factors(space, w0, moment);
    const BalancingResult b = balance_factors(space, w0, regularizer);
    ASSERT_EQ(a.summary.status, TerminationStatus::kFinalTimeReached) << a.report();
    ASSERT_EQ(b.summary.status, TerminationStatus::kFinalTimeReached) << b.report();
    const auto& pa = a.summary.trajectory.points;
    const auto& pb = b.summary.trajectory.points;
    ASSERT_EQ(pa.size(), pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i)
      EXPECT_LT((pa[i] - pb[i]).norm(), 1e-8 * pb[i].norm())
          << "t = " << a.summary.trajectory.times[i];

    // On 3->5->3 (φ of rank 3 through width 5) the imbalance stalls near 4e-10: ask for 1e-9.
    BalancingOptions to_balance;
    to_balance.kind = BalancingFlow::kMomentMap;
    to_balance.flow.gradient_tolerance = 1e-9;
    const BalancingResult r = balance_factors(space, w0, to_balance);
    ASSERT_EQ(r.summary.status, TerminationStatus::kConverged) << r.report();
    EXPECT_LE(r.final_imbalance, 1e-9);
    EXPECT_LT(r.max_drift, 1e-8) << r.report();
    EXPECT_TRUE(is_balanced(*space, r.factors, 1e-8));
    EXPECT_GT(r.decay_rate, 0.0);
  }
}

// docs/MATH.md §2 (the explicit solution at depth 2). For W_1 = Q diag(a) Pᵀ and W_2 = R diag(b) Qᵀ
// (singular frames aligned through the hidden layer) the flow keeps the frames and each pair
// (a_i, b_i) follows the scalar flow: with μ_i = b_i² − a_i² and the conserved product x_i = a_i
// b_i, μ̇_i = −4 μ_i (a_i² + b_i²) = −4 μ_i √(μ_i² + c_i²), c_i = 2|x_i|, for the squared moment
// map, so
//   μ_i(t) = c_i / sinh(asinh(c_i/μ_i(0)) + 4 c_i t)   (signs: μ_i keeps the sign of μ_i(0)).
TEST(BalancingFlow, SquaredMomentMapFlowMatchesItsExplicitSolutionAtDepthTwo) {
  Rng rng(31);
  const Eigen::Index d = 3;
  const auto space = std::make_shared<ParameterSpace>(std::vector<Eigen::Index>{d, d, d});
  const Vector a = (Vector(3) << 2.0, 0.7, 0.3).finished();
  const Vector b = (Vector(3) << 0.5, 1.4, 0.3 * 4.0).finished();  // μ(0) = b² − a² of both signs
  const Matrix p = random_orthogonal(d, rng), q = random_orthogonal(d, rng),
               r = random_orthogonal(d, rng);
  Vector w0(space->ambient_size());
  space->mutable_factor(w0, 1) = q * a.asDiagonal() * p.transpose();
  space->mutable_factor(w0, 2) = r * b.asDiagonal() * q.transpose();
  auto exact_imbalance = [&](double t) {
    double sum = 0.0;
    for (Eigen::Index i = 0; i < d; ++i) {
      const double mu0 = b[i] * b[i] - a[i] * a[i], c = 2.0 * std::abs(a[i] * b[i]);
      const double u = std::asinh(c / mu0) + (mu0 > 0 ? 4.0 : -4.0) * c * t;
      sum += std::pow(c / std::sinh(u), 2);
    }
    return std::sqrt(sum);  // ‖μ‖_F: the frames are orthogonal
  };
  BalancingOptions options;
  options.kind = BalancingFlow::kMomentMap;
  options.flow.gradient_tolerance = 0.0;
  options.flow.final_time = 5.0;
  options.flow.trajectory.times = {0.01, 0.05, 0.2, 0.5, 1.0, 2.0, 5.0};
  const BalancingResult run = balance_factors(space, w0, options);
  ASSERT_EQ(run.summary.status, TerminationStatus::kFinalTimeReached) << run.report();
  const Trajectory& traj = run.summary.trajectory;
  ASSERT_GE(traj.times.size(), options.flow.trajectory.times.size());
  for (std::size_t k = 0; k < traj.times.size(); ++k) {
    const double t = traj.times[k], measured = traj.observables[k][1];  // columns: drift, ‖μ‖
    const double exact = exact_imbalance(t);
    // Relative 1e-8, and an absolute floor at the flow's absolute tolerance (1e-12 per entry).
    EXPECT_NEAR(measured, exact, 1e-8 * exact + 1e-11) << "t = " << t;
  }
  EXPECT_LT(exact_imbalance(5.0), 1e-5 * exact_imbalance(0.0));  // the run did balance
}

// docs/MATH.md §2 (weight decay): on balanced factors R = (N/2)Σσ_i^{2/N}, and every critical
// point of E∘φ + λR is balanced (Kempf–Ness), so φ of a minimizer reached from an unbalanced start
// is a critical point of E + λ(N/2)Σσ^{2/N} = E + λ·Schatten(2/N) for the DLN metric.
// The losses of the weight-decay tests: sensing measures ⟨A_k, M⟩ 30 times (A_k Gaussian),
// completion observes every entry of M.
EnergyPtr weight_decay_loss(const Matrix& m, bool sensing, Rng& rng) {
  const Eigen::Index d = m.rows();
  if (sensing) {
    std::vector<Matrix> a;
    Vector y(30);
    for (int k = 0; k < 30; ++k) {
      a.push_back(random_matrix(d, d, rng));
      y(k) = a.back().cwiseProduct(m).sum();
    }
    return std::make_shared<MatrixSensing>(a, y);
  }
  std::vector<Observation> obs;
  for (Eigen::Index j = 0; j < d; ++j)
    for (Eigen::Index i = 0; i < d; ++i) obs.push_back({i, j, m(i, j)});
  return std::make_shared<MatrixCompletion>(d, d, obs);
}

// One weight-decay problem: M, its loss, the square factors of depth n and E∘φ + λR on them.
struct WeightDecayCase {
  Eigen::Index d;
  Matrix m;
  EnergyPtr loss;
  SpacePtr space;
  EnergyPtr upstairs;
};

WeightDecayCase weight_decay_case(int n, bool sensing, double lambda, Rng& rng) {
  WeightDecayCase c;
  c.d = sensing ? 3 : 4;
  c.m = separated_matrix(c.d, rng);
  c.loss = weight_decay_loss(c.m, sensing, rng);
  c.space = square_space(c.d, n);
  c.upstairs = std::make_shared<PulledBackEnergy>(c.loss, c.space) +
               lambda * EnergyPtr(std::make_shared<BalancingRegularizer>(c.space));
  return c;
}

TEST(WeightDecay, FactorMinimizerIsBalancedAndCriticalForTheSchattenPenalty) {
  Rng rng(21);
  const double lambda = 0.05;
  for (int n : {2, 3, 4}) {
    for (const bool sensing : {false, true}) {
      SCOPED_TRACE(fmt::format("N = {}, {}", n, sensing ? "sensing" : "completion"));
      // The data come from a full-rank M (σ from 2 down to 0.5): sensing measures ⟨A_k, M⟩ 30 times
      // (with 12, at N = 3, the minimizer reached is rank-deficient: the penalty's pull),
      // completion observes every entry. With p = 2/N < 1 the penalty also has rank-deficient
      // local minimizers (σ = 0 is one along each direction), so the start is M's balanced
      // factorization, made unbalanced by a perturbation of 0.15: the solver must rebalance it.
      const auto [d, m, loss, space, upstairs] = weight_decay_case(n, sensing, lambda, rng);
      const Vector w0 = balanced_factorization(*space, m, rng) +
                        0.15 * gaussian_vector(space->ambient_size(), rng);
      LbfgsOptions options;
      options.gradient_tolerance = 1e-11;
      const Summary s = lbfgs(Problem(parameter_space_geometry(space), upstairs), w0, options);
      ASSERT_TRUE(s.is_success()) << s.FullReport();
      EXPECT_GT(imbalance_norm(*space, w0), 0.1);
      EXPECT_TRUE(is_balanced(*space, s.x, 1e-9)) << imbalance_norm(*space, s.x);
      // R on the balanced limit is (N/2)Σσ^{2/N} of φ.
      const Matrix x = EndToEndMap(*space, s.x).product();
      const Eigen::JacobiSVD<Matrix> svd(x);
      const double schatten = 0.5 * n * svd.singularValues().array().pow(2.0 / n).sum();
      EXPECT_NEAR(0.5 * s.x.squaredNorm(), schatten, 1e-7 * schatten);
      EXPECT_GT(svd.singularValues().minCoeff(), 0.1);  // the full-rank critical point
      const Problem downstairs(
          dln_matrices(d, d, Depth::finite(n)),
          loss + lambda * EnergyPtr(std::make_shared<SchattenEnergy>(2.0 / n)));
      Problem::Evaluation at_start, at_limit;
      downstairs.evaluate(downstairs.make_point(EndToEndMap(*space, w0).product().reshaped()),
                          at_start);
      downstairs.evaluate(downstairs.make_point(x.reshaped()), at_limit);
      EXPECT_LT(at_limit.gradient_norm, 1e-8 * at_start.gradient_norm)
          << at_limit.gradient_norm << " vs " << at_start.gradient_norm;
    }
  }
}

// docs/MATH.md §2 (the fast–slow split of weight decay). E∘φ is constant on fibers, so its flow
// conserves every μ_p; the weight-decay gradient λW adds μ̇_p = −2λ μ_p. Hence along the factor
// flow of E∘φ + λR the imbalance decays exactly like e^{−2λt}, whatever E and however the loss
// moves meanwhile, and once balanced the flow is the horizontal lift of the DLN flow of
// E + λ(N/2)Σσ^{2/N}: φ(W(t)) follows that flow, to within O(‖μ‖) of the imbalance left.
TEST(WeightDecay, ImbalanceDecaysAtTwiceLambdaThenPhiFollowsThePenalizedDlnFlow) {
  Rng rng(41);
  for (int n : {2, 3, 4}) {
    for (const bool sensing : {false, true}) {
      SCOPED_TRACE(fmt::format("N = {}, {}", n, sensing ? "sensing" : "completion"));
      const double lambda = 0.2;
      // Named references, not a structured binding: the lambdas below capture them (clang 14
      // cannot capture structured bindings).
      const WeightDecayCase wd = weight_decay_case(n, sensing, lambda, rng);
      const Eigen::Index d = wd.d;
      const Matrix& m = wd.m;
      const EnergyPtr& loss = wd.loss;
      const SpacePtr& space = wd.space;
      const EnergyPtr& upstairs = wd.upstairs;
      // A small balanced start made unbalanced: learning is still far from done when the
      // imbalance has decayed.
      const Vector w0 = balanced_factorization(*space, 0.3 * m, rng) +
                        0.1 * gaussian_vector(space->ambient_size(), rng);
      const double mu0 = imbalance_norm(*space, w0);
      GradientFlowOptions options;
      options.relative_tolerance = 1e-11;
      options.absolute_tolerance = 1e-13;
      options.gradient_tolerance = 0.0;
      options.final_time = 12.0;
      const std::vector<double> times = {1.0, 2.0, 4.0, 5.0, 10.0, 11.0};
      options.trajectory.times = times;
      options.trajectory.store_points = true;
      const Summary factor_flow =
          gradient_flow(Problem(parameter_space_geometry(space), upstairs), w0, options);
      ASSERT_EQ(factor_flow.status, TerminationStatus::kFinalTimeReached)
          << factor_flow.FullReport();
      const Trajectory& traj = factor_flow.trajectory;
      auto point_at = [&](double t) -> const Vector& {
        for (std::size_t k = 0; k < traj.times.size(); ++k)
          if (std::abs(traj.times[k] - t) < 1e-12) return traj.points[k];
        ADD_FAILURE() << "no record at t = " << t;
        return traj.points.front();
      };
      for (double t : times) {
        const double mu = imbalance_norm(*space, point_at(t));
        EXPECT_NEAR(mu, mu0 * std::exp(-2.0 * lambda * t), 1e-7 * mu0) << "t = " << t;
      }
      // The loss still moves while the imbalance decays: from t = 1 to t = 5 the imbalance falls
      // by e^{-1.6} and the loss by a comparable factor, not to its limit.
      const double loss_1 =
          loss->value(Point(EndToEndMap(*space, point_at(1.0)).product().reshaped()));
      const double loss_5 =
          loss->value(Point(EndToEndMap(*space, point_at(5.0)).product().reshaped()));
      EXPECT_GT(std::abs(loss_1 - loss_5), 1e-3 * loss_1);
      // From t0, the DLN flow of the penalized energy on φ(W(t0)) against φ(W(t0 + 1)).
      const Problem downstairs(
          dln_matrices(d, d, Depth::finite(n)),
          loss + lambda * EnergyPtr(std::make_shared<SchattenEnergy>(2.0 / n)));
      auto deviation = [&](double t0) {
        GradientFlowOptions matrix_options = options;
        matrix_options.final_time = 1.0;
        matrix_options.trajectory = {};
        const Matrix x0 = EndToEndMap(*space, point_at(t0)).product();
        const Summary flow = gradient_flow(downstairs, x0.reshaped(), matrix_options);
        EXPECT_EQ(flow.status, TerminationStatus::kFinalTimeReached) << flow.FullReport();
        const Matrix lifted = EndToEndMap(*space, point_at(t0 + 1.0)).product();
        return (flow.x.reshaped(d, d) - lifted).norm() / lifted.norm();
      };
      const double early = deviation(4.0), late = deviation(10.0);
      const double shrink = std::exp(-2.0 * lambda * 6.0);  // ‖μ(10)‖/‖μ(4)‖
      std::printf(
          "N = %d %s: deviation after one time unit from t0 = 4: %.3g, from t0 = 10: %.3g "
          "(imbalance ratio %.3g)\n",
          n, sensing ? "sensing" : "completion", early, late, shrink);
      EXPECT_LT(late, 3.0 * shrink * early);  // O(‖μ(t0)‖)
      EXPECT_GT(early, 1e-6);                 // the unbalanced part is felt...
      EXPECT_LT(late, 0.2 * early);           // ...and fades with it
    }
  }
}

// A factor of higher rank than φ can never be balanced (balanced factors share one rank): the
// flow would creep towards the closure of the orbit. balance_factors says so instead of running.
TEST(BalancingFlow, RefusesFactorsThatNoPointOfTheirOrbitBalances) {
  Rng rng(14);
  const auto space = std::make_shared<ParameterSpace>(std::vector<Eigen::Index>{3, 5, 4, 2});
  try {
    balance_factors(space, space->random_point(rng));
    ADD_FAILURE() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("rank"), std::string::npos) << e.what();
  }
  BalancingOptions bad;
  bad.flow.gradient_tolerance = -1.0;
  const auto square = square_space(3, 2);
  EXPECT_THROW(balance_factors(square, square->random_point(rng), bad), InvalidArgument);
}

TEST(ParameterSpaceSolvers, DescentAndFlowTrainTheFactorsOfACompletionProblem) {
  Rng rng(13);
  const Eigen::Index d = 6;
  const Matrix truth = random_matrix(d, 2, rng) * random_matrix(2, d, rng);
  std::vector<Observation> obs;
  for (Eigen::Index i = 0; i < d; ++i)
    for (Eigen::Index j = 0; j < d; ++j)
      if ((i * 7 + j * 3) % 5 != 0) obs.push_back({i, j, truth(i, j)});
  const EnergyPtr e = std::make_shared<MatrixCompletion>(d, d, obs);
  const auto space = square_space(d, 3);
  const Problem training(parameter_space_geometry(space),
                         std::make_shared<PulledBackEnergy>(e, space));
  const Vector w0 = balanced_factorization(*space, 0.3 * Matrix::Identity(d, d), rng);
  // The loss reaches zero while the unobserved directions still move polynomially slowly, so
  // both stop on the loss (a callback), as the completion driver does.
  const auto fitted = [](const IterationInfo& it) {
    return it.value < 1e-16 ? CallbackResult::kAbort : CallbackResult::kContinue;
  };
  GradientDescentOptions gd;
  gd.max_iterations = 100000;
  gd.gradient_tolerance = 0.0;
  gd.callbacks.push_back(fitted);
  const Summary descent = gradient_descent(training, w0, gd);
  EXPECT_EQ(descent.status, TerminationStatus::kUserAbort) << descent.message;
  GradientFlowOptions flow;
  flow.max_iterations = 100000;
  flow.gradient_tolerance = 0.0;
  flow.final_time = 1e4;
  flow.callbacks.push_back(fitted);
  const Summary f = gradient_flow(training, w0, flow);
  EXPECT_EQ(f.status, TerminationStatus::kUserAbort) << f.message;
  // Both fit the observations.
  const Matrix xd = EndToEndMap(*space, descent.x).product();
  const Matrix xf = EndToEndMap(*space, f.x).product();
  for (const Observation& o : obs) {
    EXPECT_NEAR(xd(o.row, o.col), o.value, 1e-6);
    EXPECT_NEAR(xf(o.row, o.col), o.value, 1e-6);
  }
}

}  // namespace
