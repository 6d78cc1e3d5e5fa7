// The Rosenbrock W-method (ROS34PW2) of the gradient flow: accuracy against the closed-form
// solution of a stiff linear least-squares flow and its order, the evaluations it saves where
// the flow is stiff, agreement with tight Dormand–Prince runs on DLN completion flows (from a
// Gaussian-product start, from a rank-deficient start, and with the entropy treated explicitly),
// one SVD per right-hand side, and the errors for problems it cannot model.
#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <cmath>
#include <limits>

#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/least_squares_energy.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"

namespace {

using namespace riemopt;

// r(x) = √d ∘ x, so E = ½ Σ d_i x_i² and x_i(t) = x_i(0) e^{−d_i t}: stiffness ratio 1e4. The
// Jacobian's action comes from the dense defaults of LeastSquaresEnergy.
const Vector kRates = (Vector(4) << 1.0, 10.0, 100.0, 1e4).finished();
const Vector kStart = (Vector(4) << 1.0, -0.5, 2.0, 1.0).finished();

class StiffResiduals final : public LeastSquaresEnergy {
 public:
  std::string name() const override { return "stiff-residuals"; }
  Eigen::Index ambient_size() const override { return 4; }
  Eigen::Index residual_count() const override { return 4; }
  void residuals(const Point& x, VectorRef r) const override {
    r = kRates.cwiseSqrt().cwiseProduct(x.coords());
  }
  void residual_jacobian(const Point&, MatrixRef j) const override {
    j = kRates.cwiseSqrt().asDiagonal();
  }
};

Problem stiff_problem() {
  return Problem(euclidean_matrices(4, 1), std::make_shared<StiffResiduals>());
}

Vector exact(double t) { return kStart.cwiseProduct((-kRates * t).array().exp().matrix()); }

GradientFlowOptions options(Integrator integrator, double rtol, double atol, double t = 1.0) {
  GradientFlowOptions o;
  o.integrator = integrator;
  o.final_time = t;
  o.gradient_tolerance = 0.0;
  o.relative_tolerance = rtol;
  o.absolute_tolerance = atol;
  return o;
}

Vector singular_values(const Vector& x, Eigen::Index n) {
  return Eigen::Map<const Matrix>(x.data(), n, n).jacobiSvd().singularValues();
}

TEST(Rosenbrock, FollowsTheStiffLinearFlowAndConvergesAtThirdOrder) {
  const Problem problem = stiff_problem();
  double previous_error = 0.0;
  for (double tol : {1e-4, 1e-6, 1e-8}) {
    const Summary s = gradient_flow(problem, kStart, options(Integrator::kRosenbrock, tol, tol));
    ASSERT_EQ(s.status, TerminationStatus::kFinalTimeReached) << s.FullReport();
    EXPECT_EQ(s.final_time, 1.0);
    EXPECT_GT(s.linear_iterations, 0);
    const double error = (s.x - exact(1.0)).cwiseAbs().maxCoeff();
    EXPECT_LT(error, 100 * tol) << "tolerance " << tol;
    if (previous_error > 0.0) {
      EXPECT_LT(error, previous_error / 10.0) << "tolerance " << tol;
    }
    previous_error = error;
  }
}

// Dormand–Prince's step is bounded by 3.3/10⁴ here; the L-stable W-method's only by accuracy.
TEST(Rosenbrock, NeedsFarFewerEvaluationsThanDormandPrinceWhereTheFlowIsStiff) {
  const Problem problem = stiff_problem();
  const Summary ros = gradient_flow(problem, kStart, options(Integrator::kRosenbrock, 1e-6, 1e-8));
  const Summary dopri =
      gradient_flow(problem, kStart, options(Integrator::kDormandPrince, 1e-6, 1e-8));
  ASSERT_TRUE(ros.is_success() && dopri.is_success());
  EXPECT_LT(ros.rhs_evaluations * 5, dopri.rhs_evaluations)
      << "rosenbrock " << ros.rhs_evaluations << " vs dopri5 " << dopri.rhs_evaluations;
  EXPECT_LT((ros.x - exact(1.0)).cwiseAbs().maxCoeff(), 1e-5);
}

TEST(Rosenbrock, RecordsInterpolateTheTrajectory) {
  const Problem problem = stiff_problem();
  GradientFlowOptions o = options(Integrator::kRosenbrock, 1e-8, 1e-10);
  o.trajectory.enabled = true;
  o.trajectory.first_time = 1e-3;
  o.trajectory.per_decade = 7;
  const Summary s = gradient_flow(problem, kStart, o);
  ASSERT_TRUE(s.is_success()) << s.FullReport();
  ASSERT_GE(s.trajectory.size(), 20u);
  for (std::size_t k = 0; k < s.trajectory.size(); ++k) {
    const double t = s.trajectory.times[k];
    const Vector expected = exact(t);
    const double e = 0.5 * (kRates.array() * expected.array().square()).sum();
    EXPECT_NEAR(s.trajectory.values[k], e, 1e-4 * std::max(1.0, e)) << "t = " << t;
  }
}

struct CompletionCase {
  Problem problem;
  Matrix truth;
};

CompletionCase completion_case(EnergyPtr extra = nullptr, double beta = 0.0) {
  const auto inst =
      make_completion_instance({.rows = 15, .cols = 15, .rank = 2, .observations = 90, .seed = 2});
  EnergyPtr energy = std::make_shared<MatrixCompletion>(15, 15, inst.observed);
  if (extra) energy = free_energy(energy, extra, beta);
  return {Problem(dln_matrices(15, 15, Depth::finite(3)), energy), inst.truth};
}

// The flagship's stiffness in miniature: from a small Gaussian-product start, the top singular
// values grow by decades; the W-method at rtol 1e-6 ends where a tight Dormand–Prince run ends,
// with one SVD per right-hand side (the inner solves reuse the step's SVD).
TEST(Rosenbrock, AgreesWithDormandPrinceOnADlnCompletionFlow) {
  const CompletionCase c = completion_case();
  const Vector x0 = gaussian_product_init(15, 15, Depth::finite(3), 1e-2, 3);
  const Summary b =
      gradient_flow(c.problem, x0, options(Integrator::kDormandPrince, 1e-11, 1e-14, 20));
  ASSERT_TRUE(b.is_success()) << b.FullReport();
  const Vector sb = singular_values(b.x, 15);
  EXPECT_GT(sb[0], 1.0);
  // The exact Gauss-Newton model (cutoff 0) and the metric's stiff part (the default, and a
  // cutoff ten times larger) follow the same flow: the model decides what is damped, not the
  // order of the method.
  for (const double cutoff : {0.0, 0.1, 1.0}) {
    GradientFlowOptions ros = options(Integrator::kRosenbrock, 1e-6, 1e-10, 20);
    ros.trajectory.enabled = false;  // records evaluate (and decompose) interpolated states
    ros.stiffness_cutoff = cutoff;
    const Summary a = gradient_flow(c.problem, x0, ros);
    ASSERT_TRUE(a.is_success()) << a.FullReport();
    const Vector sa = singular_values(a.x, 15);
    EXPECT_LT((sa.head(2).array() / sb.head(2).array() - 1.0).abs().maxCoeff(), 1e-4)
        << "cutoff " << cutoff << ": " << sa.head(3).transpose() << " vs "
        << sb.head(3).transpose();
    EXPECT_EQ(a.svd_count, static_cast<std::uint64_t>(a.rhs_evaluations)) << a.FullReport();
    EXPECT_LT(a.rhs_evaluations, b.rhs_evaluations) << "cutoff " << cutoff;
  }
}

// At a rank-1 start the DLN metric has no inverse (flat throws); the W-method only applies it.
TEST(Rosenbrock, RunsFromARankDeficientStart) {
  const CompletionCase c = completion_case();
  const Vector u = Vector::LinSpaced(15, 1.0, 2.0), v = Vector::LinSpaced(15, -1.0, 1.5);
  const Matrix x0m = 1e-2 * u * v.transpose();
  const Vector x0 = x0m.reshaped();
  const Summary a = gradient_flow(c.problem, x0, options(Integrator::kRosenbrock, 1e-7, 1e-11, 5));
  const Summary b =
      gradient_flow(c.problem, x0, options(Integrator::kDormandPrince, 1e-11, 1e-14, 5));
  ASSERT_TRUE(a.is_success() && b.is_success()) << a.FullReport() << b.FullReport();
  EXPECT_GT((b.x - x0).norm(), 0.1 * x0.norm());  // it moved
  EXPECT_LT((a.x - b.x).norm(), 1e-4 * b.x.norm());
}

// Completion plus entropy at β = 50: the entropy is outside the Jacobian model and is integrated
// explicitly inside the stages; the result is still the flow's.
TEST(Rosenbrock, TreatsTheEntropyExplicitlyInAFreeEnergy) {
  const CompletionCase c = completion_case(std::make_shared<MatrixEntropy>(Depth::finite(3)), 50.0);
  const Vector x0 = gaussian_product_init(15, 15, Depth::finite(3), 1e-1, 3);
  const Summary a = gradient_flow(c.problem, x0, options(Integrator::kRosenbrock, 1e-7, 1e-11, 5));
  const Summary b =
      gradient_flow(c.problem, x0, options(Integrator::kDormandPrince, 1e-11, 1e-14, 5));
  ASSERT_TRUE(a.is_success() && b.is_success()) << a.FullReport() << b.FullReport();
  EXPECT_LT((a.x - b.x).norm(), 1e-5 * b.x.norm());
}

TEST(Rosenbrock, RefusesWhatItCannotModel) {
  // No least-squares term: the stiffness model would be empty.
  const Problem quadratic(
      euclidean_matrices(2, 1),
      std::make_shared<LambdaEnergy>(
          "quadratic", 2, [](const Point& x) { return 0.5 * x.coords().squaredNorm(); },
          [](const Point& x, VectorRef g) { g = x.coords(); }));
  try {
    gradient_flow(quadratic, Vector::Ones(2), options(Integrator::kRosenbrock, 1e-6, 1e-8));
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("least-squares"), std::string::npos) << e.what();
  }
  const Problem problem = stiff_problem();
  GradientFlowOptions bad = options(Integrator::kRosenbrock, 1e-6, 1e-8);
  bad.krylov_tolerance = -1e-3;
  EXPECT_THROW(gradient_flow(problem, kStart, bad), InvalidArgument);
  bad.krylov_tolerance = 1.0;
  EXPECT_THROW(gradient_flow(problem, kStart, bad), InvalidArgument);
  bad.krylov_tolerance = 0.0;
  bad.stiffness_cutoff = -0.1;
  EXPECT_THROW(gradient_flow(problem, kStart, bad), InvalidArgument);
  bad.stiffness_cutoff = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(gradient_flow(problem, kStart, bad), InvalidArgument);
  bad.krylov_tolerance = 1e-4;
  bad.max_krylov_iterations = 0;
  EXPECT_THROW(gradient_flow(problem, kStart, bad), InvalidArgument);
}

}  // namespace
