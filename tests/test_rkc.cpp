// The Runge–Kutta–Chebyshev integrator of the gradient flow: accuracy against closed-form
// solutions of a stiff linear flow, its second order, interpolated records, agreement with a
// tight Dormand–Prince run on a DLN completion flow, and the evaluations it saves where the
// problem is stiff.
#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <cmath>

#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"

namespace {

using namespace riemopt;

// E = ½ Σ d_i x_i² under the Euclidean metric: x_i(t) = x_i(0) e^{−d_i t}, stiffness ratio 1e4.
const Vector kRates = (Vector(4) << 1.0, 10.0, 100.0, 1e4).finished();
const Vector kStart = (Vector(4) << 1.0, -0.5, 2.0, 1.0).finished();

Problem stiff_quadratic() {
  return Problem(
      euclidean_matrices(4, 1),
      std::make_shared<LambdaEnergy>(
          "stiff-quadratic", 4,
          [](const Point& x) { return 0.5 * (kRates.array() * x.coords().array().square()).sum(); },
          [](const Point& x, VectorRef g) { g = kRates.cwiseProduct(x.coords()); }));
}

Vector exact(double t) { return kStart.cwiseProduct((-kRates * t).array().exp().matrix()); }

GradientFlowOptions options(Integrator integrator, double rtol, double atol) {
  GradientFlowOptions o;
  o.integrator = integrator;
  o.final_time = 1.0;
  o.gradient_tolerance = 0.0;
  o.relative_tolerance = rtol;
  o.absolute_tolerance = atol;
  return o;
}

TEST(Rkc, FollowsTheStiffLinearFlowAndConvergesAtSecondOrder) {
  const Problem problem = stiff_quadratic();
  double previous_error = 0.0;
  for (double tol : {1e-4, 1e-6, 1e-8}) {
    const Summary s =
        gradient_flow(problem, kStart, options(Integrator::kRungeKuttaChebyshev, tol, tol));
    ASSERT_EQ(s.status, TerminationStatus::kFinalTimeReached) << s.FullReport();
    EXPECT_EQ(s.final_time, 1.0);
    const double error = (s.x - exact(1.0)).cwiseAbs().maxCoeff();
    EXPECT_LT(error, 100 * tol) << "tolerance " << tol;
    if (previous_error > 0.0) {
      EXPECT_LT(error, previous_error / 10.0) << "tolerance " << tol;
    }
    previous_error = error;
  }
}

// Dormand–Prince's step is bounded by 3.3/10⁴ on this flow for all of t ∈ [0, 1]; RKC adds
// stages instead and takes steps the accuracy allows.
TEST(Rkc, NeedsFarFewerEvaluationsThanDormandPrinceWhereTheFlowIsStiff) {
  const Problem problem = stiff_quadratic();
  const Summary rkc =
      gradient_flow(problem, kStart, options(Integrator::kRungeKuttaChebyshev, 1e-6, 1e-8));
  const Summary dopri =
      gradient_flow(problem, kStart, options(Integrator::kDormandPrince, 1e-6, 1e-8));
  ASSERT_TRUE(rkc.is_success() && dopri.is_success());
  EXPECT_LT(rkc.rhs_evaluations * 5, dopri.rhs_evaluations)
      << "rkc " << rkc.rhs_evaluations << " vs dopri5 " << dopri.rhs_evaluations;
  EXPECT_LT((rkc.x - exact(1.0)).cwiseAbs().maxCoeff(), 1e-5);
}

TEST(Rkc, RecordsInterpolateTheTrajectory) {
  const Problem problem = stiff_quadratic();
  GradientFlowOptions o = options(Integrator::kRungeKuttaChebyshev, 1e-8, 1e-10);
  o.trajectory.enabled = true;
  o.trajectory.first_time = 1e-3;
  o.trajectory.per_decade = 7;
  const Summary s = gradient_flow(problem, kStart, o);
  ASSERT_TRUE(s.is_success()) << s.FullReport();
  ASSERT_GE(s.trajectory.size(), 20u);
  for (std::size_t k = 0; k < s.trajectory.size(); ++k) {
    const double t = s.trajectory.times[k];
    const Vector expected = exact(t);
    // The value column holds E at the interpolated state. Cubic Hermite interpolation inside a
    // step is less accurate than the step ends (seen: 2e-6 relative within steps of the
    // rate-100 transient): E of the exact state to 1e-4.
    const double e = 0.5 * (kRates.array() * expected.array().square()).sum();
    EXPECT_NEAR(s.trajectory.values[k], e, 1e-4 * std::max(1.0, e)) << "t = " << t;
  }
}

// Evenly spaced records (TrajectoryOptions::every): t = k·every exactly, each the interpolated
// state of its time; a schedule given twice, or a spacing that is not a finite non-negative
// number, is refused.
TEST(Rkc, RecordsEvenlySpacedTimesWhenAsked) {
  const Problem problem = stiff_quadratic();
  GradientFlowOptions o = options(Integrator::kRungeKuttaChebyshev, 1e-8, 1e-10);
  o.trajectory.enabled = true;
  o.trajectory.every = 0.05;
  const Summary s = gradient_flow(problem, kStart, o);
  ASSERT_TRUE(s.is_success()) << s.FullReport();
  ASSERT_GE(s.trajectory.size(), 21u);
  for (std::size_t k = 0; k <= 20; ++k) {
    const double t = s.trajectory.times[k];
    EXPECT_EQ(t, static_cast<double>(k) * 0.05);
    const Vector expected = exact(t);
    const double e = 0.5 * (kRates.array() * expected.array().square()).sum();
    EXPECT_NEAR(s.trajectory.values[k], e, 1e-4 * std::max(1.0, e)) << "t = " << t;
  }
  for (const double bad : {-0.1, std::nan(""), HUGE_VAL}) {
    GradientFlowOptions b = o;
    b.trajectory.every = bad;
    EXPECT_THROW(gradient_flow(problem, kStart, b), InvalidArgument) << bad;
  }
  GradientFlowOptions both = o;
  both.trajectory.times = {0.1, 0.2};
  EXPECT_THROW(gradient_flow(problem, kStart, both), InvalidArgument);
}

// A completion flow under the DLN metric from a small start (the flagship's stiffness in
// miniature): RKC at rtol 1e-6 ends where a tight Dormand–Prince run ends.
TEST(Rkc, AgreesWithDormandPrinceOnADlnCompletionFlow) {
  constexpr double kFinalTime = 20.0;
  const auto inst =
      make_completion_instance({.rows = 15, .cols = 15, .rank = 2, .observations = 90, .seed = 2});
  const Problem problem(dln_matrices(15, 15, Depth::finite(3)),
                        std::make_shared<MatrixCompletion>(15, 15, inst.observed));
  const Vector x0 = gaussian_product_init(15, 15, Depth::finite(3), 1e-2, 3);
  GradientFlowOptions rkc = options(Integrator::kRungeKuttaChebyshev, 1e-6, 1e-10);
  GradientFlowOptions dopri = options(Integrator::kDormandPrince, 1e-11, 1e-14);
  rkc.final_time = dopri.final_time = kFinalTime;
  const Summary a = gradient_flow(problem, x0, rkc);
  const Summary b = gradient_flow(problem, x0, dopri);
  ASSERT_TRUE(a.is_success() && b.is_success()) << a.FullReport() << b.FullReport();
  const Vector sa = Eigen::Map<const Matrix>(a.x.data(), 15, 15).jacobiSvd().singularValues();
  const Vector sb = Eigen::Map<const Matrix>(b.x.data(), 15, 15).jacobiSvd().singularValues();
  // The top singular values have grown by decades from 1e-2; they agree to 1e-4.
  EXPECT_GT(sb[0], 1.0);
  EXPECT_LT((sa.head(2).array() / sb.head(2).array() - 1.0).abs().maxCoeff(), 1e-4)
      << sa.head(3).transpose() << " vs " << sb.head(3).transpose();
  EXPECT_LT(a.rhs_evaluations, b.rhs_evaluations);
}

}  // namespace
