#include "riemopt/conjugate_gradient.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "riemopt/errors.hpp"
#include "riemopt/solver_driver.hpp"
#include "wolfe_line_search.hpp"

namespace riemopt {

std::string to_string(CgBeta beta) {
  switch (beta) {
    case CgBeta::kFletcherReeves:
      return "fletcher-reeves";
    case CgBeta::kPolakRibierePlus:
      return "polak-ribiere+";
    case CgBeta::kHestenesStiefel:
      return "hestenes-stiefel";
    case CgBeta::kHagerZhang:
      return "hager-zhang";
  }
  return "?";
}

void ConjugateGradientOptions::validate() const {
  SolverOptions::validate();
  require(restart_every >= 0, "options.restart_every must be >= 0 (0: the dimension; got {})",
          restart_every);
  detail::validate_line_search_options(initial_step, sufficient_decrease, curvature,
                                       max_line_search_evaluations);
  trajectory.validate();
}

namespace {

class ConjugateGradientStepper final : public Stepper {
 public:
  explicit ConjugateGradientStepper(const ConjugateGradientOptions& options)
      : options_(options),
        search_({options.sufficient_decrease, options.curvature,
                 options.max_line_search_evaluations}) {}

  void begin(SolverDriver& run) override {
    const Eigen::Index dimension = run.problem().manifold().dimension();
    restart_every_ =
        options_.restart_every > 0 ? options_.restart_every : std::max<Eigen::Index>(dimension, 1);
    restart(run);
  }

  bool step(SolverDriver& run) override {
    const Problem::Evaluation& e = run.evaluation();
    double slope = e.euclidean_gradient.dot(eta_);  // dE(η) = g(grad E, η) for tangent η
    if (!(slope < 0.0)) slope = restart(run);
    double alpha = alpha_;
    if (!search_.search(run, eta_, slope, alpha)) {
      if (since_restart_ == 0) return run.stop_without_step(search_.failure_message());
      slope = restart(run);  // a conjugate direction the line search cannot use: start afresh
      alpha = alpha_;
      if (!search_.search(run, eta_, slope, alpha))
        return run.stop_without_step(search_.failure_message());
    }
    // What the next direction needs, carried to the new point before it becomes current.
    const Manifold& manifold = run.problem().manifold();
    transported_eta_ = search_.transported_direction();
    transported_gradient_.resize(eta_.size());
    manifold.transport(run.point(), e.gradient, run.trial(), transported_gradient_);
    const double previous_norm2 = e.gradient_norm * e.gradient_norm;
    if (run.accept(alpha * eta_norm_, run.time() + alpha)) return true;
    next_direction(run, previous_norm2, alpha, slope);
    return false;
  }

 private:
  // η = −grad E; returns its slope −‖grad E‖² and sets the first trial step.
  double restart(SolverDriver& run) {
    const Problem::Evaluation& e = run.evaluation();
    eta_ = -e.gradient;
    eta_norm_ = e.gradient_norm;
    since_restart_ = 0;
    const double slope = -e.gradient_norm * e.gradient_norm;
    alpha_ = detail::first_trial_step(run, options_.initial_step, slope);
    return slope;
  }

  void next_direction(SolverDriver& run, double previous_norm2, double alpha, double old_slope) {
    const Problem::Evaluation& e = run.evaluation();
    const Metric& metric = run.problem().metric();
    const Point& x = run.point();
    const Vector& df = e.euclidean_gradient;
    const Vector& g = e.gradient;
    const double gg = e.gradient_norm * e.gradient_norm;
    // g(g, v) = dE(v) for tangent v: no metric application needed.
    const double g_tg = df.dot(transported_gradient_);
    const double g_teta = df.dot(transported_eta_);
    ++since_restart_;
    // Powell's restart for the rules that need it (Nocedal & Wright §5.2); Hestenes–Stiefel and
    // Hager–Zhang carry their own safeguards, and restarting them on this test stalls them in
    // steepest descent on ill-conditioned problems.
    const bool powell_rule =
        options_.beta == CgBeta::kFletcherReeves || options_.beta == CgBeta::kPolakRibierePlus;
    const bool powell = powell_rule && std::abs(g_tg) >= 0.2 * gg;
    double beta = 0.0;
    if (!powell && since_restart_ < restart_every_ && previous_norm2 > 0.0) {
      const double g_y = gg - g_tg;
      switch (options_.beta) {
        case CgBeta::kFletcherReeves:
          beta = gg / previous_norm2;
          break;
        case CgBeta::kPolakRibierePlus:
          beta = std::max(0.0, g_y / previous_norm2);
          break;
        case CgBeta::kHestenesStiefel:
        case CgBeta::kHagerZhang: {
          const double teta_y = g_teta - metric.inner(x, transported_eta_, transported_gradient_);
          if (!(std::abs(teta_y) > 0.0)) break;
          if (options_.beta == CgBeta::kHestenesStiefel) {
            beta = std::max(0.0, g_y / teta_y);
            break;
          }
          y_ = g - transported_gradient_;
          const double yy = metric.inner(x, y_, y_);
          const double eta_norm = std::sqrt(metric.inner(x, transported_eta_, transported_eta_));
          const double hz = (g_y - 2.0 * yy * g_teta / teta_y) / teta_y;
          const double lower = -1.0 / (eta_norm * std::min(0.01, std::sqrt(previous_norm2)));
          beta = std::max(hz, lower);
          break;
        }
      }
    }
    if (!(std::isfinite(beta)) || beta == 0.0) {
      restart(run);
      return;
    }
    eta_ = -g + beta * transported_eta_;
    eta_norm_ = std::sqrt(std::max(metric.inner(x, eta_, eta_), 0.0));
    const double slope = df.dot(eta_);
    if (!(slope < 0.0)) {
      restart(run);
      return;
    }
    // Nocedal & Wright's initial step: the same first-order change as the last step.
    alpha_ = alpha * old_slope / slope;
    if (!(std::isfinite(alpha_) && alpha_ > 0.0))
      alpha_ = options_.initial_step / std::max(eta_norm_, std::numeric_limits<double>::min());
  }

  const ConjugateGradientOptions& options_;
  detail::WolfeLineSearch search_;
  Vector eta_, transported_eta_, transported_gradient_, y_;
  double eta_norm_ = 0.0, alpha_ = 1.0;
  std::int64_t since_restart_ = 0, restart_every_ = 1;
};

}  // namespace

Summary conjugate_gradient(const Problem& problem, const Vector& x0,
                           const ConjugateGradientOptions& options) {
  options.validate();
  SolverDriver run(
      problem, x0, options, options.trajectory,
      {"conjugate-gradient (" + to_string(options.beta) + ")", "cg", StepKind::kSafeguarded});
  ConjugateGradientStepper stepper(options);
  return run.run(stepper);
}

}  // namespace riemopt
