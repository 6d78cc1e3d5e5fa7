// The adaptive Dormand–Prince 5(4) pair of Boost.Odeint with its dense output: records between
// accepted steps are interpolated, and the final state is interpolated to exactly final_time.
#include <fmt/format.h>

#include <boost/numeric/odeint.hpp>
#include <functional>

#include "flow_system.hpp"

namespace riemopt::detail {
namespace {

namespace odeint = boost::numeric::odeint;

class DormandPrinceStepper final : public Stepper {
 public:
  DormandPrinceStepper(const GradientFlowOptions& options, FlowSystem& system)
      : options_(options),
        system_(system),
        stepper_(odeint::make_dense_output(options.absolute_tolerance, options.relative_tolerance,
                                           options.max_step, odeint::runge_kutta_dopri5<State>())) {
  }

  void begin(SolverDriver& run) override {
    const Vector& x0 = run.point().coords();
    const State start(x0.data(), x0.data() + x0.size());
    interpolated_.resize(start.size());
    stepper_.initialize(start, 0.0, std::min(options_.initial_step, options_.final_time));
  }

  bool step(SolverDriver& run) override {
    std::pair<double, double> interval;
    try {
      interval = stepper_.do_step(std::ref(system_));
    } catch (const odeint::step_adjustment_error& e) {
      return run.stop(TerminationStatus::kStepSizeTooSmall,
                      std::string("the adaptive step could not be adjusted: ") + e.what() +
                          system_.last_failure_note());
    }
    const auto [t_old, t_new] = interval;
    const DenseOutput dense = [this](double tau, Vector& out) {
      stepper_.calc_state(tau, interpolated_);
      out = as_vector(interpolated_);
    };
    if (t_new >= options_.final_time) {  // the step passed final_time: interpolate to it
      State end(interpolated_.size());
      stepper_.calc_state(options_.final_time, end);
      system_.project(end);
      if (!system_.hand_over(run, end)) return system_.fail(run, options_.final_time);
      return run.accept(t_new - t_old, options_.final_time, &dense);
    }
    // The projection method on embedded manifolds: go on from the state projected back.
    State end = stepper_.current_state();
    system_.project(end);
    if (!system_.hand_over(run, end)) return system_.fail(run, t_new);
    if (run.accept(t_new - t_old, t_new, &dense)) return true;
    if (system_.embedded()) stepper_.initialize(end, t_new, stepper_.current_time_step());
    const double dt = stepper_.current_time_step();
    const double floor = options_.min_step * std::max(1.0, t_new);
    if (dt < floor)
      return run.stop(TerminationStatus::kStepSizeTooSmall,
                      fmt::format("adaptive step {:.3e} fell below min_step {:.3e} at t = {:.6g}{}",
                                  dt, floor, t_new, system_.last_failure_note()));
    return false;
  }

 private:
  using Dense = odeint::result_of::make_dense_output<odeint::runge_kutta_dopri5<State>>::type;
  const GradientFlowOptions& options_;
  FlowSystem& system_;
  Dense stepper_;
  State interpolated_;
};

}  // namespace

std::unique_ptr<Stepper> make_dormand_prince_stepper(const GradientFlowOptions& options,
                                                     FlowSystem& system) {
  return std::make_unique<DormandPrinceStepper>(options, system);
}

}  // namespace riemopt::detail
