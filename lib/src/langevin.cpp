#include "riemopt/langevin.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "riemopt/errors.hpp"
#include "riemopt/volume_terms.hpp"
#include "riemopt/work_counter.hpp"

namespace riemopt {

std::string to_string(LangevinScheme scheme) {
  return scheme == LangevinScheme::kMala ? "mala" : "euler-maruyama";
}

std::string to_string(VolumeTermsSource source) {
  switch (source) {
    case VolumeTermsSource::kAuto:
      return "auto";
    case VolumeTermsSource::kClosedForm:
      return "closed-form";
    case VolumeTermsSource::kFiniteDifference:
      return "finite-difference";
  }
  return "unknown";
}

std::string to_string(LangevinStatus status) {
  switch (status) {
    case LangevinStatus::kCompleted:
      return "completed";
    case LangevinStatus::kNumericalFailure:
      return "numerical_failure";
    case LangevinStatus::kStoppedByCallback:
      return "stopped_by_callback";
    case LangevinStatus::kLowAcceptance:
      return "low_acceptance";
  }
  return "unknown";
}

std::string LangevinResult::report() const {
  return fmt::format(
      "Langevin sampling: {} ({})\n  samples kept      {}\n  steps             {}\n  acceptance "
      "rate   "
      "{:.4f}\n  folded steps      {}\n  rejected outside  {}\n  rejected non-finite {}\n  SVDs "
      "             {}\n  volume terms      {}\n  wall time         {:.3f} s\n",
      to_string(status), message, samples.rows(), steps, acceptance_rate(), folded, outside_domain,
      non_finite, svd_count, to_string(volume_terms), wall_seconds);
}

std::string LangevinResult::to_json() const {
  nlohmann::json j;
  j["status"] = to_string(status);
  j["message"] = message;
  j["samples"] = samples.rows();
  j["steps"] = steps;
  j["accepted"] = accepted;
  j["acceptance_rate"] = acceptance_rate();
  j["folded"] = folded;
  j["outside_domain"] = outside_domain;
  j["non_finite"] = non_finite;
  j["svd_count"] = svd_count;
  j["wall_seconds"] = wall_seconds;
  j["volume_terms"] = to_string(volume_terms);
  return j.dump(2);
}

namespace {

void validate_options(const LangevinOptions& o) {
  require(std::isfinite(o.beta) && o.beta > 0.0,
          "langevin_sample: beta must be positive and finite (got {})", o.beta);
  require(std::isfinite(o.step_size) && o.step_size > 0.0,
          "langevin_sample: step_size must be positive and finite (got {})", o.step_size);
  require(o.samples >= 1, "langevin_sample: samples must be at least 1 (got {})", o.samples);
  require(o.burn_in >= 0, "langevin_sample: burn_in must be non-negative (got {})", o.burn_in);
  require(o.thinning >= 1, "langevin_sample: thinning must be at least 1 (got {})", o.thinning);
  require(o.progress_interval >= 0,
          "langevin_sample: progress_interval must be non-negative (got {})", o.progress_interval);
  require(o.max_energy_increase > 0.0,
          "langevin_sample: max_energy_increase must be positive (got {})", o.max_energy_increase);
  require(o.min_acceptance_rate >= 0.0 && o.min_acceptance_rate < 1.0,
          "langevin_sample: min_acceptance_rate must be in [0, 1) (got {})", o.min_acceptance_rate);
  require(o.max_finite_difference_dimension >= 1,
          "langevin_sample: max_finite_difference_dimension must be at least 1 (got {})",
          o.max_finite_difference_dimension);
}

// The state of the chain at one point: everything a step needs there, computed once.
struct ChainState {
  Point x;
  double energy = 0.0;
  Vector gradient;  // G⁻¹∇F
  VolumeTerms volume;
};

class Sampler {
 public:
  Sampler(const Problem& problem, const LangevinOptions& options, VolumeTermsSource source)
      : problem_(problem), options_(options), source_(source) {}

  // Fills s at s.x; throws NumericalError where F or the metric is not finite.
  void evaluate(ChainState& s) const {
    problem_.evaluate(s.x, evaluation_);
    s.energy = evaluation_.value;
    s.gradient = evaluation_.gradient;
    if (source_ == VolumeTermsSource::kFiniteDifference) {
      s.volume = finite_difference_volume_terms(problem_.geometry(), s.x);
    } else {
      // The drift into the state's own buffer; the log-density only where the Metropolis ratio
      // reads it (MALA): Euler–Maruyama never does, and on DLN matrices it is d² logarithms.
      const Metric& metric = problem_.metric();
      s.volume.drift.resize(s.x.size());
      metric.volume_drift(s.x, s.volume.drift);
      s.volume.log_volume_density =
          options_.scheme == LangevinScheme::kMala ? metric.log_volume_density(s.x) : 0.0;
    }
    if (!std::isfinite(s.energy) || !s.gradient.allFinite() ||
        !std::isfinite(s.volume.log_volume_density) || !s.volume.drift.allFinite())
      throw NumericalError(fmt::format(
          "langevin_sample: the potential, its gradient or the volume terms are not finite "
          "(F = {})",
          s.energy));
  }

  // μ(x) = x + h(−G⁻¹∇F + c/β).
  void mean(const ChainState& s, Vector& out) const {
    const double h = options_.step_size;
    out = s.x.coords() - h * s.gradient + (h / options_.beta) * s.volume.drift;
  }

 private:
  const Problem& problem_;
  const LangevinOptions& options_;
  VolumeTermsSource source_;
  mutable Problem::Evaluation evaluation_;
};

VolumeTermsSource choose_source(const Problem& problem, const LangevinOptions& options) {
  const bool closed = problem.metric().has_volume_terms();
  const bool small = problem.ambient_size() <= options.max_finite_difference_dimension;
  switch (options.volume_terms) {
    case VolumeTermsSource::kClosedForm:
      require(closed,
              "langevin_sample: the metric '{}' has no closed-form volume terms; use "
              "VolumeTermsSource::kFiniteDifference (ambient dimension at most {})",
              problem.metric().name(), options.max_finite_difference_dimension);
      return VolumeTermsSource::kClosedForm;
    case VolumeTermsSource::kFiniteDifference:
      require(small,
              "langevin_sample: finite-difference volume terms are limited to ambient dimension "
              "{} (max_finite_difference_dimension); this problem has {}",
              options.max_finite_difference_dimension, problem.ambient_size());
      return VolumeTermsSource::kFiniteDifference;
    case VolumeTermsSource::kAuto:
      break;
  }
  if (closed) return VolumeTermsSource::kClosedForm;
  require(small,
          "langevin_sample: the metric '{}' has no closed-form volume terms and the ambient "
          "dimension {} exceeds the finite-difference limit {} (max_finite_difference_dimension)",
          problem.metric().name(), problem.ambient_size(), options.max_finite_difference_dimension);
  return VolumeTermsSource::kFiniteDifference;
}

}  // namespace

LangevinResult langevin_sample(const Problem& problem, const Vector& x0,
                               const LangevinOptions& options) {
  validate_options(options);
  const Manifold& manifold = problem.manifold();
  require(manifold.is_open_subset(),
          "langevin_sample: the manifold '{}' is {}, and Langevin sampling is implemented on open "
          "subsets only (matrix spaces, the chamber, the parameter space): on embedded manifolds "
          "and quotients the SDE needs intrinsic volume terms that no metric supplies",
          manifold.name(), to_string(manifold.kind()));
  const VolumeTermsSource source = choose_source(problem, options);
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t svd_before = decomposition_count();

  LangevinResult result;
  result.volume_terms = source;
  Sampler sampler(problem, options, source);
  ChainState current, proposal;
  current.x = problem.make_point(x0);
  sampler.evaluate(current);  // at x0: a failure here is the caller's input, thrown
  proposal.x = current.x;

  const double beta = options.beta;
  const double h = options.step_size;
  const double noise = std::sqrt(2.0 * h / beta);
  const bool mala = options.scheme == LangevinScheme::kMala;
  const double jump_limit =
      options.max_energy_increase + 10.0 * std::sqrt(static_cast<double>(x0.size()));
  const std::int64_t total = options.burn_in + options.samples * options.thinning;
  auto observe = [&](const Point& x) {
    return options.observable ? options.observable(x) : Vector(x.coords());
  };
  const Eigen::Index width = observe(current.x).size();
  result.samples.resize(options.samples, width);
  std::int64_t kept = 0;

  Rng rng(options.seed);
  std::normal_distribution<double> gaussian(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Vector xi(x0.size()), noise_step(x0.size()), mu(x0.size()), candidate(x0.size()),
      folded(x0.size()), reverse(x0.size());

  for (std::int64_t step = 1; step <= total; ++step) {
    for (Eigen::Index i = 0; i < xi.size(); ++i) xi[i] = gaussian(rng);
    problem.metric().whiten(current.x, xi, noise_step);
    sampler.mean(current, mu);
    candidate = mu + noise * noise_step;
    if (!mala) {
      folded = candidate;
      if (!manifold.fold_into_domain(folded)) {
        result.status = LangevinStatus::kNumericalFailure;
        result.message = fmt::format(
            "step {} left the domain of '{}' and cannot be folded back (a non-finite or "
            "boundary point); reduce step_size",
            step, manifold.name());
        break;
      }
      if (folded != candidate) ++result.folded;
      const double previous_energy = current.energy;
      current.x.assign(folded);
      try {
        sampler.evaluate(current);
      } catch (const NumericalError& e) {
        result.status = LangevinStatus::kNumericalFailure;
        result.message = fmt::format("step {}: {}", step, e.what());
        break;
      }
      const double increase = beta * (current.energy - previous_energy);
      if (increase > jump_limit) {
        result.status = LangevinStatus::kNumericalFailure;
        result.message = fmt::format(
            "step {} raised beta*F by {:.3g} (limit {:.3g}): the Euler-Maruyama step is unstable "
            "at h = {:g} here; reduce step_size or use MALA",
            step, increase, jump_limit, h);
        break;
      }
      ++result.accepted;
    } else {
      folded = candidate;
      if (!manifold.fold_into_domain(folded) || folded != candidate) {
        ++result.outside_domain;  // the target has no mass there
      } else {
        proposal.x.assign(candidate);
        bool finite = true;
        try {
          sampler.evaluate(proposal);
        } catch (const NumericalError&) {
          finite = false;
        }
        double log_ratio = -std::numeric_limits<double>::infinity();
        if (finite) {
          // log π(y) − log π(x) + log q(x|y) − log q(y|x), with π = e^{−βF}√|g| and
          // log q(y|x) = log √|g|(x) − (β/4h)‖y − μ(x)‖²_{G(x)} + const, where
          // ‖y − μ(x)‖²_{G(x)} = (2h/β)‖ξ‖² because B B ᵀ = G⁻¹.
          sampler.mean(proposal, reverse);
          reverse = current.x.coords() - reverse;
          double backward = 0.0;
          try {
            backward = problem.metric().inner(proposal.x, reverse, reverse);
          } catch (const NumericalError&) {
            finite = false;
          }
          const double forward = (2.0 * h / beta) * xi.squaredNorm();
          log_ratio =
              -beta * (proposal.energy - current.energy) +
              2.0 * (proposal.volume.log_volume_density - current.volume.log_volume_density) -
              (beta / (4.0 * h)) * (backward - forward);
          if (!finite || std::isnan(log_ratio))
            log_ratio = -std::numeric_limits<double>::infinity();
        }
        if (!finite) ++result.non_finite;
        if (std::log(uniform(rng)) < log_ratio) {
          std::swap(current, proposal);
          ++result.accepted;
        }
      }
    }
    result.steps = step;
    if (step > options.burn_in && (step - options.burn_in) % options.thinning == 0)
      result.samples.row(kept++) = observe(current.x).transpose();
    if (options.callback && options.progress_interval > 0 &&
        step % options.progress_interval == 0 &&
        !options.callback({step, total, result.accepted})) {
      result.status = LangevinStatus::kStoppedByCallback;
      result.message = fmt::format("the callback stopped the run after step {}", step);
      break;
    }
  }
  result.samples.conservativeResize(kept, width);
  if (result.status == LangevinStatus::kCompleted && mala && result.steps >= 100 &&
      result.acceptance_rate() < options.min_acceptance_rate) {
    result.status = LangevinStatus::kLowAcceptance;
    result.message = fmt::format(
        "MALA accepted {} of {} proposals ({:.2g}, below min_acceptance_rate {:g}): the chain "
        "hardly moved from where it was; reduce step_size (h = {:g})",
        result.accepted, result.steps, result.acceptance_rate(), options.min_acceptance_rate, h);
  }
  if (result.status == LangevinStatus::kCompleted)
    result.message = fmt::format("{} steps of {} at h = {:g}, beta = {:g}", result.steps,
                                 to_string(options.scheme), h, beta);
  result.final_point = current.x.coords();
  result.svd_count = decomposition_count() - svd_before;
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace riemopt
