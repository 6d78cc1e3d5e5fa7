// Classical RK4 with the fixed step `fixed_step` (Boost.Odeint's runge_kutta4). A fixed step cannot
// be retried smaller: a failed stage ends the run. Records are taken at the steps themselves.
#include <boost/numeric/odeint.hpp>
#include <functional>

#include "flow_system.hpp"

namespace riemopt::detail {
namespace {

namespace odeint = boost::numeric::odeint;

class Rk4Stepper final : public Stepper {
 public:
  Rk4Stepper(const GradientFlowOptions& options, FlowSystem& system)
      : options_(options), system_(system) {}

  void begin(SolverDriver& run) override {
    const Vector& x0 = run.point().coords();
    x_.assign(x0.data(), x0.data() + x0.size());
    dxdt_.resize(x_.size());
  }

  bool step(SolverDriver& run) override {
    const double t = run.time();
    as_vector(dxdt_) = -run.evaluation().gradient;  // the field at the current state
    const double dt = std::min(options_.fixed_step, options_.final_time - t);
    const std::int64_t failed_before = system_.failed_calls();
    stepper_.do_step(std::ref(system_), x_, dxdt_, t, dt);
    const double t_new =
        options_.final_time - t <= options_.fixed_step ? options_.final_time : t + dt;
    if (system_.failed_calls() != failed_before) return system_.fail(run, t_new);
    system_.project(x_);
    if (!system_.hand_over(run, x_)) return system_.fail(run, t_new);
    return run.accept(dt, t_new);
  }

 private:
  const GradientFlowOptions& options_;
  FlowSystem& system_;
  odeint::runge_kutta4<State> stepper_;
  State x_, dxdt_;
};

}  // namespace

std::unique_ptr<Stepper> make_rk4_stepper(const GradientFlowOptions& options, FlowSystem& system) {
  return std::make_unique<Rk4Stepper>(options, system);
}

}  // namespace riemopt::detail
