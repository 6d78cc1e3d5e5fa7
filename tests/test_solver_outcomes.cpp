// Every outcome a run can have, provoked on purpose in every solver: the status says what happened,
// and the run stops within a bounded number of evaluations (counted, not timed). All solvers go
// through one SolverDriver, so they also say it with the same words.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "riemopt/ceres_solvers.hpp"
#include "riemopt/conjugate_gradient.hpp"
#include "riemopt/gradient_descent.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/lambda_energy.hpp"
#include "riemopt/lbfgs.hpp"
#include "riemopt/least_squares_energy.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/newton.hpp"
#include "riemopt/solver_driver.hpp"
#include "riemopt/trust_region.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;

using Run = std::pair<std::string, Summary>;

// Runs every solver that accepts a general energy from x0 with the shared options `base`.
std::vector<Run> run_every_solver(
    const Problem& problem, const Vector& x0, const SolverOptions& base,
    const std::function<void(GradientFlowOptions&)>& flow_setup = {}) {
  GradientFlowOptions flow;
  GradientDescentOptions gd;
  NewtonOptions newton_options;
  TrustRegionOptions tr;
  CeresGradientOptions ceres_lbfgs;
  ConjugateGradientOptions cg;
  LbfgsOptions lbfgs_options;
  static_cast<SolverOptions&>(cg) = base;
  static_cast<SolverOptions&>(lbfgs_options) = base;
  static_cast<SolverOptions&>(flow) = base;
  static_cast<SolverOptions&>(gd) = base;
  static_cast<SolverOptions&>(newton_options) = base;
  static_cast<SolverOptions&>(tr) = base;
  static_cast<SolverOptions&>(ceres_lbfgs) = base;
  if (flow_setup) flow_setup(flow);
  return {{"flow", gradient_flow(problem, x0, flow)},
          {"gradient descent", gradient_descent(problem, x0, gd)},
          {"newton", newton(problem, x0, newton_options)},
          {"trust region", trust_region(problem, x0, tr)},
          {"conjugate gradient", conjugate_gradient(problem, x0, cg)},
          {"l-bfgs", lbfgs(problem, x0, lbfgs_options)},
          {"ceres l-bfgs", ceres_gradient_solve(problem, x0, ceres_lbfgs)}};
}

// E = ½ Σ d_i x_i² = ½‖r‖², r_i = √d_i x_i: a sum of squares, which Ceres' Levenberg–Marquardt
// takes too, with its exact Hessian for Newton and the trust region.
class WeightedSquares final : public LeastSquaresEnergy {
 public:
  explicit WeightedSquares(Eigen::Index n)
      : d_(Vector::LinSpaced(n, 1.0, static_cast<double>(n))) {}
  std::string name() const override { return "weighted squares"; }
  Eigen::Index ambient_size() const override { return d_.size(); }
  Eigen::Index residual_count() const override { return d_.size(); }
  void residuals(const Point& x, VectorRef r) const override {
    r = d_.cwiseSqrt().cwiseProduct(x.coords());
  }
  void residual_jacobian(const Point&, MatrixRef j) const override {
    j = d_.cwiseSqrt().asDiagonal();
  }
  bool has_hessian() const override { return true; }
  void add_hessian_vector(const Point&, const ConstVectorRef& v, double weight,
                          VectorRef out) const override {
    out += weight * d_.cwiseProduct(v);
  }

 private:
  Vector d_;
};

// Every solver, Levenberg–Marquardt included, on a sum of squares.
std::vector<Run> run_every_solver_on_squares(Eigen::Index n, const Vector& x0,
                                             const SolverOptions& base) {
  const Problem problem(euclidean_matrices(n, 1), std::make_shared<WeightedSquares>(n));
  std::vector<Run> runs = run_every_solver(problem, x0, base);
  CeresLeastSquaresOptions lm;
  static_cast<SolverOptions&>(lm) = base;
  runs.emplace_back("ceres lm", ceres_least_squares(problem, x0, lm));
  return runs;
}

// E = ½ Σ d_i x_i², d = 1..n, with its exact gradient and Hessian.
std::shared_ptr<LambdaEnergy> quadratic(Eigen::Index n) {
  const Vector d = Vector::LinSpaced(n, 1.0, static_cast<double>(n));
  return std::make_shared<LambdaEnergy>(
      "quadratic", n,
      [d](const Point& x) { return 0.5 * x.coords().dot(d.cwiseProduct(x.coords())); },
      [d](const Point& x, VectorRef g) { g = d.cwiseProduct(x.coords()); },
      [d](const Point&, const ConstVectorRef& v, VectorRef hv) { hv = d.cwiseProduct(v); });
}

std::int64_t evaluations(const Summary& s) {
  return s.evaluations.gradients + s.evaluations.values;
}

TEST(SolverOutcomes, EverySolverConvergesOnAQuadraticAndSaysSo) {
  SolverOptions base;
  base.gradient_tolerance = 1e-9;
  for (const auto& [name, s] : run_every_solver_on_squares(6, Vector::Ones(6), base)) {
    EXPECT_EQ(s.status, TerminationStatus::kConverged) << name << "\n" << s.FullReport();
    EXPECT_TRUE(s.is_success()) << name;
    EXPECT_LE(s.final_gradient_norm, 1e-9) << name;
    EXPECT_LT(s.x.norm(), 1e-8) << name;
    EXPECT_EQ(s.message.rfind("gradient norm", 0), 0u) << name << ": " << s.message;
    // The same counts everywhere: the solver's own evaluations, and those of trajectory records
    // between its steps (the flow's interpolated records) on top.
    EXPECT_GT(s.rhs_evaluations, 0) << name;
    EXPECT_LE(s.rhs_evaluations, s.evaluations.gradients) << name;
    if (name != "flow") {
      EXPECT_EQ(s.rhs_evaluations, s.evaluations.gradients) << name;
    }
  }
}

TEST(SolverOutcomes, AStartAlreadyWithinTheToleranceEndsBeforeAnyStep) {
  SolverOptions base;
  base.gradient_tolerance = 1e-3;
  for (const auto& [name, s] : run_every_solver_on_squares(4, Vector::Constant(4, 1e-5), base)) {
    EXPECT_EQ(s.status, TerminationStatus::kConverged) << name << "\n" << s.FullReport();
    EXPECT_EQ(s.iterations, 0) << name;
    EXPECT_EQ(s.evaluations.gradients, 1) << name;
  }
}

TEST(SolverOutcomes, EveryBudgetEndsEverySolverWithTheSameWords) {
  SolverOptions base;
  base.gradient_tolerance = 1e-300;  // never met
  base.max_iterations = 3;
  for (const auto& [name, s] : run_every_solver_on_squares(30, Vector::Ones(30), base)) {
    EXPECT_EQ(s.status, TerminationStatus::kMaxIterations) << name << "\n" << s.FullReport();
    EXPECT_EQ(s.message, "iteration budget of 3 spent") << name;
    EXPECT_EQ(s.iterations, 3) << name;
  }
  base.max_iterations = 1'000'000;
  base.max_evaluations = 5;
  for (const auto& [name, s] : run_every_solver_on_squares(30, Vector::Ones(30), base)) {
    EXPECT_EQ(s.status, TerminationStatus::kMaxEvaluations) << name << "\n" << s.FullReport();
    EXPECT_EQ(s.message.rfind("evaluation budget of 5 spent", 0), 0u) << name << ": " << s.message;
    // Checked after each accepted step: at most one step's evaluations past the budget.
    EXPECT_LE(s.evaluations.gradients, 5 + 60) << name;
  }
}

// E = −½‖x‖² has no minimum: every solver runs off, and says so long before overflow.
TEST(SolverOutcomes, AnEnergyUnboundedBelowEndsAsDivergedInBoundedWork) {
  const Eigen::Index n = 5;
  const auto concave = std::make_shared<LambdaEnergy>(
      "concave", n, [](const Point& x) { return -0.5 * x.coords().squaredNorm(); },
      [](const Point& x, VectorRef g) { g = -x.coords(); },
      [](const Point&, const ConstVectorRef& v, VectorRef hv) { hv = -v; });
  const Problem problem(euclidean_matrices(n, 1), concave);
  SolverOptions base;
  const Vector x0 = Vector::LinSpaced(n, 0.5, 1.5);
  std::vector<std::int64_t> iterations;
  for (const auto& [name, s] : run_every_solver(problem, x0, base)) {
    EXPECT_EQ(s.status, TerminationStatus::kDiverged) << name << "\n" << s.FullReport();
    EXPECT_FALSE(s.is_success()) << name;
    EXPECT_TRUE(s.x.allFinite()) << name;
    // It did run off: E = −½‖x‖² fell past −1e30·|E₀|, so ‖x‖ passed 1e15·‖x₀‖.
    EXPECT_LT(s.final_value, -1e30 * std::abs(s.initial_value)) << name;
    EXPECT_LT(evaluations(s), 20'000) << name << "\n" << s.FullReport();
    iterations.push_back(s.iterations);
  }
  // The limit is the user's: a smaller one ends the run sooner.
  base.divergence_limit = 1e6;
  std::size_t k = 0;
  for (const auto& [name, s] : run_every_solver(problem, x0, base)) {
    EXPECT_EQ(s.status, TerminationStatus::kDiverged) << name << "\n" << s.FullReport();
    EXPECT_LT(s.final_value, -1e6 * std::abs(s.initial_value)) << name;
    EXPECT_LE(s.iterations, iterations[k++]) << name;
  }
}

// A gradient of the wrong sign: the descent methods find no step that lowers the energy and say
// "no progress" (they once accepted steps of ~1e-13 at the rounding level of E for 10⁷
// iterations or 10⁸ evaluations); the flow, which follows the field blindly, sees its energy
// rise.
TEST(SolverOutcomes, AWrongGradientEndsEverySolverAsAFailureInBoundedWork) {
  const Eigen::Index n = 40;
  const auto wrong = std::make_shared<LambdaEnergy>(
      "wrong-sign", n, [](const Point& x) { return 0.5 * x.coords().squaredNorm(); },
      [](const Point& x, VectorRef g) { g = -x.coords(); },
      [](const Point&, const ConstVectorRef& v, VectorRef hv) { hv = v; });
  const Problem problem(euclidean_matrices(n, 1), wrong);
  Rng rng(4);
  const Vector x0 = gaussian_vector(n, rng);
  for (const auto& [name, s] : run_every_solver(problem, x0, SolverOptions{})) {
    EXPECT_FALSE(s.is_success()) << name << "\n" << s.FullReport();
    EXPECT_LT(evaluations(s), 20'000) << name << "\n" << s.FullReport();
    if (name == "flow") {
      EXPECT_EQ(s.status, TerminationStatus::kEnergyIncreased) << s.FullReport();
    } else if (name != "ceres l-bfgs") {
      EXPECT_EQ(s.status, TerminationStatus::kStepSizeTooSmall) << name << "\n" << s.FullReport();
      EXPECT_NE(s.message.find("gradient"), std::string::npos) << name << ": " << s.message;
      EXPECT_LE((s.x - x0).norm(), 1e-9 * x0.norm()) << name;  // it never went anywhere
    }
  }
}

// A step too large for the problem: fixed-step gradient descent and RK4 both see the energy
// rise and stop at the first such step, instead of reporting a blow-up as a success.
TEST(SolverOutcomes, AFixedStepTooLargeEndsAsEnergyIncreased) {
  const Problem problem(euclidean_matrices(10, 1), quadratic(10));
  GradientDescentOptions gd;
  gd.step_rule = StepRule::kFixed;
  gd.fixed_step = 0.5;  // stable below 2/10
  const Summary d = gradient_descent(problem, Vector::Ones(10), gd);
  EXPECT_EQ(d.status, TerminationStatus::kEnergyIncreased) << d.FullReport();
  EXPECT_NE(d.message.find("fixed step"), std::string::npos) << d.message;
  EXPECT_LE(d.iterations, 3);
  GradientFlowOptions rk4;
  rk4.integrator = Integrator::kRungeKutta4;
  rk4.fixed_step = 0.5;
  rk4.final_time = 100.0;
  const Summary f = gradient_flow(problem, Vector::Ones(10), rk4);
  EXPECT_EQ(f.status, TerminationStatus::kEnergyIncreased) << f.FullReport();
  EXPECT_LE(f.iterations, 3);
  // The same steps within stability succeed.
  gd.fixed_step = 0.15;
  EXPECT_EQ(gradient_descent(problem, Vector::Ones(10), gd).status, TerminationStatus::kConverged);
  rk4.fixed_step = 0.2;
  EXPECT_EQ(gradient_flow(problem, Vector::Ones(10), rk4).status, TerminationStatus::kConverged);
}

// A gradient accurate to 1e-9 only (as one computed by an inner solver or a simulation): a
// tolerance of 1e-12 cannot be attained. The run says so and reports the floor instead of
// spending its budget.
TEST(SolverOutcomes, AToleranceBelowTheGradientsAccuracyEndsAsUnreachable) {
  const Eigen::Index n = 8;
  const Vector d = Vector::LinSpaced(n, 1.0, 4.0);
  const auto noisy = std::make_shared<LambdaEnergy>(
      "quadratic with a gradient accurate to 1e-9", n,
      [d](const Point& x) { return 0.5 * x.coords().dot(d.cwiseProduct(x.coords())); },
      [d](const Point& x, VectorRef g) {
        // A deterministic perturbation of size 1e-9 that depends on x.
        Vector noise(x.size());
        for (Eigen::Index i = 0; i < x.size(); ++i)
          noise(i) = std::sin(1e12 * x.coords()(i) + 1.7 * static_cast<double>(i));
        g = d.cwiseProduct(x.coords()) + 1e-9 * noise / noise.norm();
      },
      [d](const Point&, const ConstVectorRef& v, VectorRef hv) { hv = d.cwiseProduct(v); });
  const Problem problem(euclidean_matrices(n, 1), noisy);
  SolverOptions base;
  base.gradient_tolerance = 1e-12;
  for (const auto& [name, s] : run_every_solver(problem, Vector::Ones(n), base)) {
    EXPECT_EQ(s.status, TerminationStatus::kToleranceUnreachable) << name << "\n" << s.FullReport();
    EXPECT_FALSE(s.is_success()) << name;
    EXPECT_GT(s.final_gradient_norm, 1e-12) << name;
    EXPECT_LT(s.final_gradient_norm, 1e-7) << name;
    EXPECT_LT(evaluations(s), 50'000) << name << "\n" << s.FullReport();
  }
}

// A failure at the start is reported, not thrown, by every solver.
TEST(SolverOutcomes, AStartThatCannotBeEvaluatedEndsAsNumericalFailure) {
  const Eigen::Index n = 3;
  const auto nan_energy = std::make_shared<LambdaEnergy>(
      "nan", n, [](const Point&) { return std::nan(""); },
      [](const Point&, VectorRef g) { g.setZero(); },
      [](const Point&, const ConstVectorRef& v, VectorRef hv) { hv = v; });
  const Problem problem(euclidean_matrices(n, 1), nan_energy);
  for (const auto& [name, s] : run_every_solver(problem, Vector::Ones(n), SolverOptions{})) {
    EXPECT_EQ(s.status, TerminationStatus::kNumericalFailure) << name << "\n" << s.FullReport();
    EXPECT_NE(s.message.find("initial point cannot be evaluated"), std::string::npos)
        << name << ": " << s.message;
    EXPECT_EQ(s.iterations, 0) << name;
  }
}

// The driver is a public extension point: a solver written outside the library, in a dozen
// lines, gets the stopping rules, records, counts and statuses of the built-in ones.
class HalfStepDescent final : public Stepper {
 public:
  explicit HalfStepDescent(double step) : step_(step) {}
  bool step(SolverDriver& run) override {
    Vector y(run.point().size());
    run.problem().manifold().retract(run.point(), -step_ * run.evaluation().gradient, y);
    if (!run.evaluate_trial(y))
      return run.stop(TerminationStatus::kNumericalFailure, run.last_failure());
    return run.accept(step_, run.time() + step_);
  }

 private:
  double step_;
};

// The same descent, evaluating its own point and swapping it into the driver (what the flow
// integrators do): the run is the one evaluate_trial gives, to the last bit; a point of another
// size is refused.
class SwappingHalfStepDescent final : public Stepper {
 public:
  SwappingHalfStepDescent(const Problem& problem, double step)
      : problem_(problem), point_(Vector::Zero(4), 4, 1), step_(step) {}
  bool step(SolverDriver& run) override {
    Vector y(run.point().size());
    run.problem().manifold().retract(run.point(), -step_ * run.evaluation().gradient, y);
    point_.assign(y);
    problem_.evaluate(point_, evaluation_);
    run.swap_trial(point_, evaluation_);
    return run.accept(step_, run.time() + step_);
  }

 private:
  const Problem& problem_;
  Point point_;
  Problem::Evaluation evaluation_;
  double step_;
};

TEST(SolverOutcomes, SwappingAnEvaluatedPointIntoTheDriverIsTheSameRun) {
  const Problem problem(euclidean_matrices(4, 1), quadratic(4));
  SolverOptions options;
  options.gradient_tolerance = 1e-10;
  const TrajectoryOptions records;  // the driver keeps a reference: a named object, not a temporary
  SolverDriver copied(problem, Vector::Ones(4), options, records,
                      {"half-step", "half", StepKind::kFixedStep});
  HalfStepDescent plain(0.2);
  const Summary a = copied.run(plain);
  SolverDriver swapped(problem, Vector::Ones(4), options, records,
                       {"half-step", "half", StepKind::kFixedStep});
  SwappingHalfStepDescent swapping(problem, 0.2);
  const Summary b = swapped.run(swapping);
  ASSERT_EQ(a.status, TerminationStatus::kConverged) << a.FullReport();
  EXPECT_EQ(b.status, a.status) << b.FullReport();
  EXPECT_EQ(b.iterations, a.iterations);
  EXPECT_EQ(b.x, a.x);
  EXPECT_EQ(b.final_gradient_norm, a.final_gradient_norm);
  Point wrong(Vector::Zero(3), 3, 1);
  Problem::Evaluation e;
  EXPECT_THROW(swapped.swap_trial(wrong, e), InvalidArgument);
}

TEST(SolverOutcomes, ASolverWrittenAgainstThePublicDriverGetsEveryRule) {
  const Problem problem(euclidean_matrices(4, 1), quadratic(4));
  SolverOptions options;
  options.gradient_tolerance = 1e-10;
  TrajectoryOptions trajectory;
  trajectory.times = {0.0, 1.0, 2.0};
  {
    SolverDriver run(problem, Vector::Ones(4), options, trajectory,
                     {"half-step", "half", StepKind::kFixedStep});
    HalfStepDescent stepper(0.2);  // stable: 0.2 < 2/4
    const Summary s = run.run(stepper);
    EXPECT_EQ(s.status, TerminationStatus::kConverged) << s.FullReport();
    EXPECT_EQ(s.solver, "half-step");
    // The exact iterate: x_k = (1 − 0.2 d)^k x_0, so its gradient norm after k steps is known.
    const Vector d = Vector::LinSpaced(4, 1.0, 4.0);
    const Vector factor = (Vector::Ones(4) - 0.2 * d).cwiseAbs();
    Vector expected = Vector::Ones(4);
    for (std::int64_t k = 0; k < s.iterations; ++k) expected = expected.cwiseProduct(factor);
    EXPECT_NEAR((s.x.cwiseAbs() - expected).norm(), 0.0, 1e-15);
    EXPECT_NEAR(s.final_time, 0.2 * static_cast<double>(s.iterations), 1e-9);
    // Records on the schedule (times Σ steps, the first at or after each), plus the end.
    ASSERT_EQ(s.trajectory.times.size(), 4u);
    EXPECT_EQ(s.trajectory.times[0], 0.0);
    EXPECT_GE(s.trajectory.times[1], 1.0 - 1e-12);
    EXPECT_LE(s.trajectory.times[1], 1.2 + 1e-12);
    EXPECT_GE(s.trajectory.times[2], 2.0 - 1e-12);
    EXPECT_LE(s.trajectory.times[2], 2.2 + 1e-12);
    EXPECT_EQ(s.trajectory.times[3], s.final_time);
  }
  {
    SolverDriver run(problem, Vector::Ones(4), options, trajectory,
                     {"half-step", "half", StepKind::kFixedStep});
    HalfStepDescent stepper(0.6);  // unstable: 0.6 > 2/4
    const Summary s = run.run(stepper);
    EXPECT_EQ(s.status, TerminationStatus::kEnergyIncreased) << s.FullReport();
    EXPECT_LE(s.iterations, 5);
  }
}

}  // namespace
