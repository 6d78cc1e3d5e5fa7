// The right-hand side of the gradient flow and what its steppers share (private to the library).
//
// The flow's steppers (dormand_prince_stepper.cpp, rkc_stepper.cpp, rosenbrock_stepper.cpp,
// rk4_stepper.cpp) integrate ẋ = −grad E(x) in ambient coordinates, evaluating the field through a
// FlowSystem, and hand each accepted state to the SolverDriver, which owns the stopping rules,
// records and the Summary. A new integrator is one more file with a make_* function below.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "riemopt/gradient_flow.hpp"
#include "riemopt/solver_driver.hpp"

namespace riemopt::detail {

using State = std::vector<double>;

inline Eigen::Map<Vector> as_vector(State& x) {
  return {x.data(), static_cast<Eigen::Index>(x.size())};
}
inline Eigen::Map<const Vector> as_vector(const State& x) {
  return {x.data(), static_cast<Eigen::Index>(x.size())};
}

// f(x) = −grad E(x), remembering the last evaluation so that a stepper can hand the newest state
// to the driver without evaluating again (Dormand–Prince is FSAL: its last stage is evaluated
// at the accepted state).
class FlowSystem {
 public:
  // Returned where the field cannot be evaluated (outside the energy's domain, NaN, overflow).
  // A NaN would make the error estimate NaN, which odeint's controller accepts; this large
  // finite value makes the estimate huge instead, so the adaptive step is rejected and shrunk,
  // and a trajectory that really ends there stops on step-size underflow, not on NaN.
  static constexpr double kRejectingDerivative = 1e100;

  FlowSystem(const Problem& problem, const Point& start);

  // The odeint system: dxdt = f(x).
  void operator()(const State& x, State& dxdt, double /*t*/);
  // f(x) into out; false when the evaluation failed.
  bool field(const State& x, State& out);
  // Makes x (evaluated here unless the last call already was at x) the driver's trial point.
  // False when x cannot be evaluated.
  bool hand_over(SolverDriver& run, const State& x);
  // Ends the run at the driver's current (last valid) point: a state at t_bad failed.
  bool fail(SolverDriver& run, double t_bad) const;
  // On an embedded manifold, maps a state the integrator left near the manifold back onto it
  // (Manifold::project_point). The exact flow of the projected field keeps the manifold
  // invariant, so the state is off it by the local error only, and projecting each accepted
  // step keeps the method's order (Hairer, Lubich & Wanner, Geometric Numerical Integration,
  // §IV.4). Nothing on open subsets.
  void project(State& x);
  bool embedded() const { return embedded_; }

  std::int64_t failed_calls() const { return failed_calls_; }
  const std::string& failure() const { return failure_; }
  // "; the field could not be evaluated beyond it: <cause>" after rejected trial steps, or "".
  std::string last_failure_note() const;

 private:
  const Problem& problem_;
  Point point_;
  Problem::Evaluation eval_;
  bool valid_ = false;
  bool embedded_;
  std::int64_t failed_calls_ = 0;
  std::string failure_;
  std::string rejected_cause_;  // the last failure seen, kept across successful evaluations
  State scratch_;
  Vector projection_buffer_;
};

// The integrators, one file each.
std::unique_ptr<Stepper> make_dormand_prince_stepper(const GradientFlowOptions& options,
                                                     FlowSystem& system);
std::unique_ptr<Stepper> make_rkc_stepper(const GradientFlowOptions& options, FlowSystem& system);
std::unique_ptr<Stepper> make_rosenbrock_stepper(const GradientFlowOptions& options,
                                                 FlowSystem& system, const Problem& problem);
std::unique_ptr<Stepper> make_rk4_stepper(const GradientFlowOptions& options, FlowSystem& system);

}  // namespace riemopt::detail
