// A callback stops any solver with its own status and message, at the iteration it chose; a plain
// kAbort still means user_abort.
#include <gtest/gtest.h>

#include "riemopt/ceres_solvers.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/gradient_descent.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/newton.hpp"
#include "riemopt/trust_region.hpp"

namespace {

using namespace riemopt;

template <typename Options, typename Solve>
void expect_callback_status(const std::string& label, Solve solve) {
  const Problem problem(euclidean_matrices(3, 3), std::make_shared<SchattenEnergy>(4.0));
  const Vector x0 = (Vector(9) << 3, 1, 0, -1, 2, 0.5, 0, 0.3, 1.5).finished();
  Options options;
  options.gradient_tolerance = 1e-14;
  options.callbacks.push_back([](const IterationInfo& info) -> CallbackDecision {
    if (info.iteration < 3) return CallbackResult::kContinue;
    return CallbackDecision::stop(TerminationStatus::kDiverged, "my own reason");
  });
  const Summary s = solve(problem, x0, options);
  EXPECT_EQ(s.status, TerminationStatus::kDiverged) << label << "\n" << s.FullReport();
  EXPECT_EQ(s.message, "my own reason") << label;
  EXPECT_EQ(s.iterations, 3) << label;
  EXPECT_FALSE(s.is_success()) << label;

  Options plain;
  plain.gradient_tolerance = 1e-14;
  plain.callbacks.push_back([](const IterationInfo& info) {
    return info.iteration >= 2 ? CallbackResult::kAbort : CallbackResult::kContinue;
  });
  const Summary p = solve(problem, x0, plain);
  EXPECT_EQ(p.status, TerminationStatus::kUserAbort) << label << "\n" << p.FullReport();
  EXPECT_EQ(p.message, "a callback asked to stop") << label;
}

TEST(CallbackStatus, EverySolverStopsWithTheCallbacksOwnStatusAndMessage) {
  expect_callback_status<GradientFlowOptions>(
      "flow", [](const Problem& p, const Vector& x, const GradientFlowOptions& o) {
        return gradient_flow(p, x, o);
      });
  expect_callback_status<GradientDescentOptions>(
      "gradient descent", [](const Problem& p, const Vector& x, const GradientDescentOptions& o) {
        return gradient_descent(p, x, o);
      });
  expect_callback_status<NewtonOptions>(
      "newton",
      [](const Problem& p, const Vector& x, const NewtonOptions& o) { return newton(p, x, o); });
  expect_callback_status<TrustRegionOptions>(
      "trust region", [](const Problem& p, const Vector& x, const TrustRegionOptions& o) {
        return trust_region(p, x, o);
      });
  expect_callback_status<CeresGradientOptions>(
      "ceres", [](const Problem& p, const Vector& x, const CeresGradientOptions& o) {
        return ceres_gradient_solve(p, x, o);
      });
}

// A callback may also declare success on its own criterion.
TEST(CallbackStatus, ACallbackMayEndARunAsConvergedOnItsOwnTarget) {
  const Problem problem(euclidean_matrices(2, 2), std::make_shared<SchattenEnergy>(2.0));
  GradientFlowOptions options;
  options.gradient_tolerance = 1e-14;
  options.callbacks.push_back([](const IterationInfo& info) -> CallbackDecision {
    if (info.value > 1e-3) return CallbackResult::kContinue;
    return CallbackDecision::stop(TerminationStatus::kConverged, "energy below 1e-3");
  });
  const Summary s = gradient_flow(problem, Vector::Ones(4), options);
  EXPECT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
  EXPECT_EQ(s.message, "energy below 1e-3");
  EXPECT_LE(s.final_value, 1e-3);
  EXPECT_GT(s.final_value, 1e-4);  // it stopped at the target, not at the gradient tolerance
}

}  // namespace
