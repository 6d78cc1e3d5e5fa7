#include "flow_system.hpp"

#include <fmt/format.h>

#include "riemopt/errors.hpp"

namespace riemopt::detail {

FlowSystem::FlowSystem(const Problem& problem, const Point& start)
    : problem_(problem), point_(start), embedded_(!problem.manifold().is_open_subset()) {}

void FlowSystem::operator()(const State& x, State& dxdt, double /*t*/) {
  const auto xv = as_vector(x);
  auto out = as_vector(dxdt);
  valid_ = false;
  if (!point_.assign_checking_finite(xv)) {
    out.setConstant(kRejectingDerivative);
    // A NaN state is usually the consequence of an earlier failed stage: keep that cause.
    if (failure_.empty()) failure_ = "the state has NaN or infinite entries (blow-up)";
    ++failed_calls_;
    return;
  }
  try {
    valid_ = problem_.evaluate_negated_field(point_, eval_, out);
  } catch (const std::exception& e) {
    out.setConstant(kRejectingDerivative);
    failure_ = e.what();
    rejected_cause_ = failure_;
    ++failed_calls_;
    return;
  }
  if (!valid_) {
    failure_ = "the energy or its gradient is NaN or infinite";
    rejected_cause_ = failure_;
    ++failed_calls_;
    out.setConstant(kRejectingDerivative);
  }
}

bool FlowSystem::field(const State& x, State& out) {
  const std::int64_t failed_before = failed_calls_;
  (*this)(x, out, 0.0);
  return failed_calls_ == failed_before;
}

bool FlowSystem::hand_over(SolverDriver& run, const State& x) {
  if (!(valid_ && point_.coords() == as_vector(x))) {
    scratch_.resize(x.size());
    (*this)(x, scratch_, 0.0);
  }
  if (!valid_) return false;
  failure_.clear();  // failures of rejected trial stages no longer matter
  // Swapped, not copied: the point (with the loss's cached workspace) and its gradient are the
  // size of the state. What comes back is the driver's previous trial, no longer x.
  run.swap_trial(point_, eval_);
  valid_ = false;
  return true;
}

bool FlowSystem::fail(SolverDriver& run, double t_bad) const {
  return run.stop(TerminationStatus::kNumericalFailure,
                  fmt::format("{} (at t = {:.6g}; the reported point is the last valid state, t "
                              "= {:.6g})",
                              failure_, t_bad, run.time()));
}

void FlowSystem::project(State& x) {
  if (!embedded_) return;
  auto xv = as_vector(x);
  projection_buffer_ = xv;
  problem_.manifold().project_point(projection_buffer_, xv);
}

std::string FlowSystem::last_failure_note() const {
  return rejected_cause_.empty()
             ? std::string()
             : "; the field could not be evaluated beyond it: " + rejected_cause_;
}

}  // namespace riemopt::detail
