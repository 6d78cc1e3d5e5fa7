// Riemannian Langevin sampling on any geometry whose manifold is an open subset (docs/MATH.md §13).
//
// For a metric G (cometric G⁻¹, e.g. A_{N,X} for DLN matrices), a potential F and β > 0, the Itô
// SDE
//   dx = [−G⁻¹∇F + β⁻¹ c(x)] dt + √(2/β) B dW,   BBᵀ = G⁻¹,  c = |g|^{−1/2} ∂_j(|g|^{1/2}
//   G⁻¹_{·j}),
// has the stationary law ∝ e^{−βF} dvol_g = e^{−βF} √|g| dx. The metric supplies B (whiten) and the
// volume terms log √|g| and c (Metric::has_volume_terms: closed forms for the Euclidean, chamber
// and DLN metrics); for small dimensions they can come from finite differences of the cometric
// instead (volume_terms.hpp).
//
// Two schemes:
//   Euler–Maruyama  x ← x + h(−G⁻¹∇F + c/β) + √(2h/β) B ξ: weak order one, its law has an O(h)
//                   bias. A step that leaves the domain is folded back by the manifold
//                   (Manifold::fold_into_domain: the chamber reflects and sorts).
//   MALA            the same move as a proposal, accepted with the Metropolis–Hastings ratio of the
//                   target e^{−βF}√|g| and the Gaussian proposal densities N(μ(x), (2h/β) G⁻¹(x)):
//                   the law is exactly invariant for every h. Proposals outside the domain, or
//                   where F or the metric is not finite, are rejected.
// Each step evaluates F, its gradient and the metric at one new point: one SVD per step on DLN
// matrices (LangevinResult::svd_count).
//
//   riemopt::Problem problem(riemopt::dln_chamber(3, riemopt::Depth::finite(3)), free_energy);
//   riemopt::LangevinOptions options;
//   options.beta = 2.0;
//   options.step_size = 0.01;
//   options.steps = 100000;
//   options.scheme = riemopt::LangevinScheme::kMala;
//   riemopt::LangevinResult run = riemopt::langevin_sample(problem, x0, options);
//   riemopt::SampleMoments m = riemopt::batch_means(run.samples);   // means and standard errors
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "riemopt/problem.hpp"
#include "riemopt/types.hpp"

namespace riemopt {

enum class LangevinScheme { kEulerMaruyama, kMala };
std::string to_string(LangevinScheme scheme);

// Where the volume terms come from. kAuto: the metric's closed forms when it has them, else
// finite differences when the ambient dimension is at most max_finite_difference_dimension,
// else the sampler refuses.
enum class VolumeTermsSource { kAuto, kClosedForm, kFiniteDifference };
std::string to_string(VolumeTermsSource source);

enum class LangevinStatus {
  kCompleted,          // every requested step was taken
  kNumericalFailure,   // an Euler–Maruyama step left the domain, met a non-finite value or
                       // raised βF by more than max_energy_increase (an unstable step size)
  kStoppedByCallback,  // the callback returned false
  kLowAcceptance       // MALA accepted fewer than min_acceptance_rate of its proposals: the
                       // chain hardly moved, and its samples are not a sample of the law
};
std::string to_string(LangevinStatus status);

struct LangevinProgress {
  std::int64_t step = 0;   // steps taken so far, burn-in included
  std::int64_t total = 0;  // burn_in + steps · thinning
  std::int64_t accepted = 0;
};

struct LangevinOptions {
  double beta = 1.0;             // inverse temperature; > 0 and finite
  double step_size = 1e-3;       // h; > 0 and finite
  std::int64_t samples = 10000;  // samples kept; >= 1
  std::int64_t burn_in = 0;      // steps taken before the first kept sample; >= 0
  std::int64_t thinning = 1;     // steps between kept samples; >= 1
  LangevinScheme scheme = LangevinScheme::kEulerMaruyama;
  VolumeTermsSource volume_terms = VolumeTermsSource::kAuto;
  Eigen::Index max_finite_difference_dimension = 32;
  // Euler–Maruyama only: a step that raises βF by more than this (plus 10·√n, n the ambient
  // dimension, the size of equilibrium fluctuations) ends the run with kNumericalFailure. Explicit
  // steps diverge where h times the drift's growth rate exceeds about 2 (the DLN drift grows like
  // σ^{p+1−2/N}), and a diverging chain must not be reported as samples. MALA rejects such moves.
  double max_energy_increase = 50.0;
  // MALA only: a completed run that accepted fewer than this fraction of its proposals (over at
  // least 100 steps) ends with kLowAcceptance instead of kCompleted. In [0, 1).
  double min_acceptance_rate = 1e-3;
  std::uint64_t seed = 1;  // of the std::mt19937_64 that draws ξ and the acceptance variates
  // What a kept sample records (default: the coordinates). The CLI records singular values.
  std::function<Vector(const Point&)> observable;
  // Called every progress_interval steps (0: never); returning false stops the run.
  std::function<bool(const LangevinProgress&)> callback;
  std::int64_t progress_interval = 0;
};

struct LangevinResult {
  LangevinStatus status = LangevinStatus::kCompleted;
  std::string message;
  Matrix samples;          // one kept sample per row (fewer rows than asked when the run stopped)
  Vector final_point;      // the chain's last state
  std::int64_t steps = 0;  // steps taken, burn-in included
  std::int64_t accepted = 0;  // MALA: accepted proposals (Euler–Maruyama: every step)
  std::int64_t folded = 0;    // Euler–Maruyama steps the manifold folded back into its domain
  std::int64_t outside_domain = 0;  // MALA proposals outside the domain (rejected)
  std::int64_t non_finite = 0;      // MALA proposals with non-finite F or metric (rejected)
  std::uint64_t svd_count = 0;
  double wall_seconds = 0.0;
  VolumeTermsSource volume_terms = VolumeTermsSource::kClosedForm;  // the source used

  bool is_success() const { return status == LangevinStatus::kCompleted; }
  double acceptance_rate() const {
    return steps > 0 ? static_cast<double>(accepted) / static_cast<double>(steps) : 0.0;
  }
  std::string report() const;
  // Everything above except the samples and the point, as a JSON object.
  std::string to_json() const;
};

// Samples e^{−βF} dvol_g, F = problem's energy. Throws InvalidArgument on bad options, a starting
// point outside the manifold, a manifold that is not an open subset (embedded manifolds and
// quotients need the intrinsic volume terms, which no metric supplies), or volume terms that are
// not available; NumericalError when F or the metric is not finite at x0.
LangevinResult langevin_sample(const Problem& problem, const Vector& x0,
                               const LangevinOptions& options);

}  // namespace riemopt
