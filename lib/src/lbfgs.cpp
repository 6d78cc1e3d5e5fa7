#include "riemopt/lbfgs.hpp"

#include <fmt/format.h>

#include <cmath>
#include <deque>
#include <limits>
#include <vector>

#include "riemopt/errors.hpp"
#include "riemopt/solver_driver.hpp"
#include "wolfe_line_search.hpp"

namespace riemopt {

void LbfgsOptions::validate() const {
  SolverOptions::validate();
  require(memory >= 1, "options.memory must be >= 1 (got {})", memory);
  detail::validate_line_search_options(initial_step, sufficient_decrease, curvature,
                                       max_line_search_evaluations);
  trajectory.validate();
}

namespace {

struct CurvaturePair {
  Vector s, y;
  double rho;  // 1/⟨s, y⟩
};

class LbfgsStepper final : public Stepper {
 public:
  explicit LbfgsStepper(const LbfgsOptions& options)
      : options_(options),
        search_({options.sufficient_decrease, options.curvature,
                 options.max_line_search_evaluations}) {}

  bool step(SolverDriver& run) override {
    const Problem::Evaluation& e = run.evaluation();
    double alpha = 1.0;
    double slope = direction(run, alpha);
    if (!search_.search(run, eta_, slope, alpha)) {
      if (memory_.empty()) return run.stop_without_step(search_.failure_message());
      memory_.clear();  // the quasi-Newton direction failed: steepest descent
      slope = direction(run, alpha);
      if (!search_.search(run, eta_, slope, alpha))
        return run.stop_without_step(search_.failure_message());
    }
    // Everything the update needs, carried to the new point before it becomes current.
    const Manifold& manifold = run.problem().manifold();
    s_ = alpha * search_.transported_direction();
    transported_gradient_.resize(s_.size());
    manifold.transport(run.point(), e.gradient, run.trial(), transported_gradient_);
    if (!manifold.is_open_subset()) {
      for (CurvaturePair& p : memory_) {
        buffer_ = p.s;
        manifold.transport(run.point(), buffer_, run.trial(), p.s);
        buffer_ = p.y;
        manifold.transport(run.point(), buffer_, run.trial(), p.y);
      }
    }
    const double step_length = alpha * eta_norm_;
    if (run.accept(step_length, run.time() + alpha)) return true;
    update(run);
    return false;
  }

 private:
  // η = −H grad E by the two-loop recursion, or −grad E without memory; returns dE(η) < 0 and
  // the first trial step.
  double direction(SolverDriver& run, double& alpha) {
    const Problem::Evaluation& e = run.evaluation();
    const Metric& metric = run.problem().metric();
    const Point& x = run.point();
    if (!memory_.empty()) {
      eta_ = e.gradient;
      coefficients_.resize(memory_.size());
      for (std::size_t k = memory_.size(); k-- > 0;) {
        const CurvaturePair& p = memory_[k];
        coefficients_[k] = p.rho * metric.inner(x, p.s, eta_);
        eta_ -= coefficients_[k] * p.y;
      }
      const CurvaturePair& newest = memory_.back();
      eta_ *= 1.0 / (newest.rho * metric.inner(x, newest.y, newest.y));
      for (std::size_t k = 0; k < memory_.size(); ++k) {
        const CurvaturePair& p = memory_[k];
        eta_ += (coefficients_[k] - p.rho * metric.inner(x, p.y, eta_)) * p.s;
      }
      eta_ = -eta_;
      if (!run.problem().manifold().is_open_subset()) {  // rounding off the tangent space
        buffer_ = eta_;
        run.problem().manifold().project(x, buffer_, eta_);
      }
      const double slope = e.euclidean_gradient.dot(eta_);
      if (slope < 0.0 && eta_.allFinite()) {
        eta_norm_ = std::sqrt(std::max(metric.inner(x, eta_, eta_), 0.0));
        alpha = 1.0;
        return slope;
      }
      memory_.clear();  // not a descent direction: start again from steepest descent
    }
    eta_ = -e.gradient;
    eta_norm_ = e.gradient_norm;
    const double slope = -e.gradient_norm * e.gradient_norm;
    alpha = detail::first_trial_step(run, options_.initial_step, slope);
    return slope;
  }

  // The cautious update: the new pair enters only with ⟨s, y⟩ ≥ 1e-4·‖grad E‖·‖s‖².
  void update(SolverDriver& run) {
    const Problem::Evaluation& e = run.evaluation();
    const Metric& metric = run.problem().metric();
    const Point& x = run.point();
    y_ = e.gradient - transported_gradient_;
    const double sy = e.euclidean_gradient.dot(s_) - metric.inner(x, transported_gradient_, s_);
    const double ss = metric.inner(x, s_, s_);
    if (!(sy >= 1e-4 * e.gradient_norm * ss) || !(sy > 0.0)) return;
    if (static_cast<int>(memory_.size()) == options_.memory) {
      CurvaturePair recycled = std::move(memory_.front());  // reuse the oldest pair's storage
      memory_.pop_front();
      recycled.s = s_;
      recycled.y = y_;
      recycled.rho = 1.0 / sy;
      memory_.push_back(std::move(recycled));
      return;
    }
    memory_.push_back({s_, y_, 1.0 / sy});
  }

  const LbfgsOptions& options_;
  detail::WolfeLineSearch search_;
  std::deque<CurvaturePair> memory_;
  Vector eta_, s_, y_, transported_gradient_, buffer_;
  std::vector<double> coefficients_;
  double eta_norm_ = 0.0;
};

}  // namespace

Summary lbfgs(const Problem& problem, const Vector& x0, const LbfgsOptions& options) {
  options.validate();
  SolverDriver run(
      problem, x0, options, options.trajectory,
      {fmt::format("lbfgs (memory {})", options.memory), "lbfgs", StepKind::kSafeguarded});
  LbfgsStepper stepper(options);
  return run.run(stepper);
}

}  // namespace riemopt
