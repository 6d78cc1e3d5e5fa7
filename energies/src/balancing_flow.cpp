#include "riemopt/energies/balancing_flow.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "riemopt/energies/squared_moment_map.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/manifolds/balanced_factors.hpp"
#include "riemopt/manifolds/end_to_end_map.hpp"
#include "riemopt/manifolds/fiber_metric.hpp"
#include "riemopt/svd.hpp"

namespace riemopt {

BalancingRegularizer::BalancingRegularizer(std::shared_ptr<const ParameterSpace> space) {
  require(space != nullptr, "BalancingRegularizer: null parameter space");
  size_ = space->ambient_size();
}

double BalancingRegularizer::value(const Point& x) const {
  check_point_size(x);
  return 0.5 * x.coords().squaredNorm();
}

void BalancingRegularizer::add_gradient(const Point& x, double weight, VectorRef out) const {
  check_point_size(x);
  out += weight * x.coords();
}

void BalancingRegularizer::add_hessian_vector(const Point& x, const ConstVectorRef& v,
                                              double weight, VectorRef out) const {
  check_point_size(x);
  require_size(v, size_, "BalancingRegularizer: Hessian direction");
  out += weight * v;
}

std::string to_string(BalancingFlow flow) {
  return flow == BalancingFlow::kMomentMap ? "moment-map" : "regularizer";
}

GradientFlowOptions BalancingOptions::default_flow() {
  GradientFlowOptions flow;
  flow.gradient_tolerance = 1e-10;
  flow.absolute_tolerance = 1e-12;
  flow.relative_tolerance = 1e-10;
  flow.trajectory.per_decade = 40;
  return flow;
}

namespace {

double slope_fit(const std::vector<double>& t, const std::vector<double>& y) {
  const double n = static_cast<double>(t.size());
  double st = 0, sy = 0, stt = 0, sty = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    st += t[i];
    sy += y[i];
    stt += t[i] * t[i];
    sty += t[i] * y[i];
  }
  return (n * sty - st * sy) / (n * stt - st * st);
}

Eigen::Index numerical_rank(const Eigen::Ref<const Matrix>& m) {
  Svd svd;
  compute_svd(m, svd);
  if (svd.sigma.size() == 0 || svd.sigma(0) == 0.0) return 0;
  return (svd.sigma.array() > 1e-10 * svd.sigma(0)).count();
}

// Balanced factors all have the rank of φ (W_pW_pᵀ = W_{p+1}ᵀW_{p+1} forces equal ranks, and then
// the product keeps it); the group action preserves every rank, so otherwise no point of the
// orbit is balanced.
void require_balanceable(const ParameterSpace& space, const ConstVectorRef& w, const Matrix& x) {
  const Eigen::Index target = numerical_rank(x);
  for (int p = 1; p <= space.depth(); ++p) {
    const Eigen::Index rank = numerical_rank(space.factor(w, p));
    require(rank == target,
            "balance_factors: factor W_{} has rank {} but phi(W) has rank {}; balanced factors "
            "all have the rank of phi and the flow keeps every rank, so no point of this orbit is "
            "balanced (the flow would only creep towards its closure). Start from factors of "
            "rank {}, e.g. balanced_factorization(space, phi(W), rng)",
            p, rank, target, target);
  }
}

}  // namespace

BalancingResult balance_factors(std::shared_ptr<const ParameterSpace> space, const Vector& w0,
                                const BalancingOptions& options) {
  require(space != nullptr, "balance_factors: null parameter space");
  space->check_coordinates(w0, "balance_factors");
  options.flow.validate();
  const Matrix x0 = EndToEndMap(*space, w0).product();
  require_balanceable(*space, w0, x0);
  const double x0_norm = x0.norm();
  auto drift = [space, x0, x0_norm](const ConstVectorRef& w) {
    const double change = (EndToEndMap(*space, w).product() - x0).norm();
    return x0_norm > 0.0 ? change / x0_norm : change;
  };

  GradientFlowOptions flow = options.flow;
  flow.trajectory.observable_names = {"drift", "imbalance"};
  flow.trajectory.observables = [drift, space](const Point& w) {
    return std::vector<double>{drift(w.coords()), imbalance_norm(*space, w.coords())};
  };
  const Problem problem =
      options.kind == BalancingFlow::kMomentMap
          ? Problem(parameter_space_geometry(space), std::make_shared<SquaredMomentMap>(space))
          : Problem(fiber_geometry(space), std::make_shared<BalancingRegularizer>(space));

  if (options.kind == BalancingFlow::kMomentMap && flow.gradient_tolerance > 0.0) {
    // The same stop as the regularizer's flow, whose gradient norm is ‖μ‖: here ‖μ‖ is measured
    // after each step (the solver's own gradient norm, ‖∇½Σ‖μ_p‖²‖, is not ‖μ‖).
    // The solver's own tolerance stays positive (and below anything reachable) so that its floor
    // rules still end a run that stalls above the tolerance as tolerance_unreachable.
    const double tolerance = flow.gradient_tolerance;
    flow.gradient_tolerance = std::numeric_limits<double>::min();
    flow.callbacks.push_back([space, tolerance](const IterationInfo& info) -> CallbackDecision {
      if (info.point == nullptr) return CallbackResult::kContinue;
      const double mu = imbalance_norm(*space, info.point->coords());
      if (mu > tolerance) return CallbackResult::kContinue;
      return CallbackDecision::stop(TerminationStatus::kConverged,
                                    fmt::format("|mu| = {:.3e} <= {:g}", mu, tolerance));
    });
  }
  BalancingResult result;
  result.kind = options.kind;
  result.summary = gradient_flow(problem, w0, flow);
  result.factors = result.summary.x;
  result.initial_imbalance = imbalance_norm(*space, w0);
  result.final_imbalance = imbalance_norm(*space, result.factors);
  result.initial_regularizer = 0.5 * w0.squaredNorm();
  result.final_regularizer = 0.5 * result.factors.squaredNorm();
  result.final_drift = drift(result.factors);
  result.max_drift = result.final_drift;
  const Trajectory& tr = result.summary.trajectory;
  std::vector<double> times, logs;
  const double half = 0.5 * result.summary.final_time;
  for (std::size_t i = 0; i < tr.size(); ++i) {
    if (!tr.observables[i].empty() && std::isfinite(tr.observables[i][0]))
      result.max_drift = std::max(result.max_drift, tr.observables[i][0]);
    const double mu = tr.observables[i].size() > 1 ? tr.observables[i][1] : 0.0;
    if (tr.times[i] >= half && mu > 0.0 && std::isfinite(mu)) {
      times.push_back(tr.times[i]);
      logs.push_back(std::log(mu));
    }
  }
  result.decay_rate =
      times.size() >= 3 ? -slope_fit(times, logs) : std::numeric_limits<double>::quiet_NaN();
  return result;
}

std::string BalancingResult::report() const {
  return fmt::format(
      "balancing flow ({}): {} ({})\n"
      "  imbalance |mu|   {:.4e} -> {:.4e}   fitted decay rate {:.4g} per unit time\n"
      "  regularizer R    {:.10g} -> {:.10g}\n"
      "  drift of phi     final {:.3e}, largest recorded {:.3e} (relative)\n"
      "  cost             t = {:.4g}, {} steps, {} field evaluations, {:.3f} s\n",
      to_string(kind), to_string(summary.status), summary.message, initial_imbalance,
      final_imbalance, decay_rate, initial_regularizer, final_regularizer, final_drift, max_drift,
      summary.final_time, summary.iterations, summary.rhs_evaluations, summary.wall_seconds);
}

}  // namespace riemopt
