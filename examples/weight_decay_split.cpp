// Weight decay's fast–slow split on the flagship completion (docs/MATH.md §2, Lindsey–Menon).
//
// The factor flow of E∘φ + λR, R = ½Σ‖W_p‖², from Arora et al.'s unbalanced Gaussian factors
// (scale 1e-3) on the 100×100 rank-5 instance with 2000 observed entries. E∘φ is constant on the
// fibers, so its flow conserves the imbalance μ_p = W_{p+1}ᵀW_{p+1} − W_pW_pᵀ, and the weight-decay
// gradient λW makes it decay exactly like e^{−2λt} while the loss still moves. Once the factors are
// balanced the flow is the horizontal lift of the DLN flow of E + λ(N/2)Σσ^{2/N}, so φ(W(t))
// follows that flow from any later start φ(W(t0)), within O(‖μ(t0)‖).
//
// The program prints, per λ, ‖μ(t)‖ against ‖μ(0)‖e^{−2λt} and the train MSE at a few times; for
// the middle λ, the relative distance ‖φ(W(t)) − X_{t0}(t)‖/‖φ(W(t))‖ between the factor flow and
// the DLN matrix flow X_{t0} started at φ(W(t0)), for several t0; and draws the three panels.
//
//   weight_decay_split [--depth 3] [--lambdas 0.01,0.1,1] [--t-end 100] [--seed 101]
//                      [--plot weight_decay_split.png]   (--plot "" skips the figure)
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <stdexcept>

#include "common/gnuplot.hpp"
#include "riemopt/energies/balancing_flow.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/energies/pulled_back_energy.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/manifolds/balanced_factors.hpp"
#include "riemopt/manifolds/end_to_end_map.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"

namespace {

using namespace riemopt;

constexpr Eigen::Index kSize = 100;

// Log-spaced record times from 0.1 to t_end, 12 per decade.
std::vector<double> record_times(double t_end) {
  std::vector<double> t;
  for (int k = 0;; ++k) {
    const double s = 0.1 * std::pow(10.0, k / 12.0);
    if (s >= t_end) break;
    t.push_back(s);
  }
  t.push_back(t_end);
  return t;
}

GradientFlowOptions flow_options(double t_end, std::vector<double> times) {
  GradientFlowOptions o;
  o.integrator = Integrator::kRungeKuttaChebyshev;
  o.relative_tolerance = 1e-7;
  o.absolute_tolerance = 1e-10;
  o.gradient_tolerance = 0.0;
  o.final_time = t_end;
  o.trajectory.times = std::move(times);
  o.trajectory.store_points = true;
  return o;
}

// The recorded points at `times` (each must have a record).
std::vector<Vector> points_at(const Trajectory& traj, const std::vector<double>& times) {
  std::vector<Vector> out;
  for (double t : times) {
    std::size_t k = 0;
    while (k < traj.size() && std::abs(traj.times[k] - t) > 1e-9 * t) ++k;
    if (k == traj.size()) throw std::runtime_error(fmt::format("no record at t = {}", t));
    out.push_back(traj.points[k]);
  }
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int run(int depth, const std::vector<double>& lambdas, double t_end, std::uint64_t seed,
        const std::string& plot) {
  const CompletionInstance instance = make_completion_instance({});
  const auto loss = std::make_shared<MatrixCompletion>(kSize, kSize, instance.observed);
  const auto space = std::make_shared<ParameterSpace>(ParameterSpace::square(kSize, depth));
  Rng rng(seed);
  const double std_dev = std::pow(1e-3, 1.0 / depth) / std::sqrt(static_cast<double>(kSize));
  const Vector w0 = std_dev * gaussian_vector(space->ambient_size(), rng);
  const double mu0 = imbalance_norm(*space, w0);
  const auto train_mse = [&](const Vector& w) {
    const Matrix x = EndToEndMap(*space, w).product();
    return 2.0 * loss->value(Point(x.reshaped(), kSize, kSize)) /
           static_cast<double>(instance.observed.size());
  };
  std::printf(
      "Flagship completion (100x100, rank 5, 2000 entries), depth %d, start scale 1e-3, "
      "imbalance |mu(0)| = %.4e\n\n",
      depth, mu0);
  const std::vector<double> times = record_times(t_end);

  std::vector<examples::Series> imbalance_series, loss_series;
  std::vector<Vector> middle_points;  // the factor flow of the middle λ, at `times`
  bool law_holds = true;              // ‖μ(t)‖ = ‖μ(0)‖e^{−2λt} to 1e-3 on every run
  const std::size_t middle = lambdas.size() / 2;
  for (std::size_t l = 0; l < lambdas.size(); ++l) {
    const double lambda = lambdas[l];
    const EnergyPtr energy = std::make_shared<PulledBackEnergy>(loss, space) +
                             lambda * EnergyPtr(std::make_shared<BalancingRegularizer>(space));
    const auto start = std::chrono::steady_clock::now();
    const Summary s = gradient_flow(Problem(parameter_space_geometry(space), energy), w0,
                                    flow_options(t_end, times));
    std::printf("lambda = %g: %s, %lld steps, %.1f s\n", lambda, to_string(s.status).c_str(),
                static_cast<long long>(s.iterations), seconds_since(start));
    std::printf("%10s %14s %14s %10s %14s\n", "t", "|mu(t)|", "|mu0|e^-2lt", "ratio", "train MSE");
    examples::Series mu_series{fmt::format("lambda = {:g}", lambda), {}, {}, ""};
    examples::Series mse_series{fmt::format("lambda = {:g}", lambda), {}, {}, ""};
    double worst = 0.0;
    const auto& traj = s.trajectory;
    for (std::size_t k = 0; k < traj.size(); ++k) {
      const double t = traj.times[k];
      if (t <= 0.0) continue;
      const double mu = imbalance_norm(*space, traj.points[k]);
      const double predicted = mu0 * std::exp(-2.0 * lambda * t);
      // Below about 1e-5 the integrator's error is the imbalance (tolerance 1e-7 relative per
      // entry, accumulated over thousands of steps, times ‖W‖): the law is checked above 1e-4.
      const bool above_floor = predicted > 1e-4;
      if (above_floor) worst = std::max(worst, std::abs(mu / predicted - 1.0));
      const double mse = train_mse(traj.points[k]);
      mu_series.x.push_back(t);
      mu_series.y.push_back(mu);
      mse_series.x.push_back(t);
      mse_series.y.push_back(mse);
      if (k % 6 == 0 || k + 1 == traj.size())
        std::printf("%10.4g %14.4e %14.4e %10s %14.4e\n", t, mu, predicted,
                    above_floor ? fmt::format("{:.6f}", mu / predicted).c_str() : "(floor)", mse);
    }
    std::printf("largest |ratio - 1| over the records where |mu0|e^-2lt > 1e-4: %.2e\n\n", worst);
    law_holds = law_holds && worst < 1e-3 && s.status == TerminationStatus::kFinalTimeReached;
    imbalance_series.push_back(std::move(mu_series));
    loss_series.push_back(std::move(mse_series));
    if (l == middle) middle_points = points_at(traj, times);
  }

  // The DLN matrix flow of E + λ(N/2)Σσ^{2/N} from φ(W(t0)), against φ(W(t)).
  const double lambda = lambdas[middle];
  const Problem downstairs(
      dln_matrices(kSize, kSize, Depth::finite(depth)),
      loss + lambda * EnergyPtr(std::make_shared<SchattenEnergy>(2.0 / depth)));
  std::vector<examples::Series> distance_series;
  std::printf(
      "lambda = %g: relative distance between phi(W(t)) and the DLN flow of the penalized "
      "energy started at phi(W(t0))\n",
      lambda);
  for (std::size_t i0 = 0; i0 < times.size(); i0 += 12) {  // t0 = 0.1, 1, 10, ...
    const double t0 = times[i0];
    std::vector<double> later;
    for (std::size_t k = i0 + 1; k < times.size(); ++k) later.push_back(times[k] - t0);
    if (later.empty()) continue;
    const Matrix x0 = EndToEndMap(*space, middle_points[i0]).product();
    const auto start = std::chrono::steady_clock::now();
    const Summary flow =
        gradient_flow(downstairs, x0.reshaped(), flow_options(later.back(), later));
    examples::Series series{
        fmt::format("t0 = {:g} (|mu(t0)| = {:.2g})", t0, imbalance_norm(*space, middle_points[i0])),
        {},
        {},
        ""};
    const auto& traj = flow.trajectory;
    double last = 0.0, peak = 0.0, first = -1.0;
    for (std::size_t k = 0; k < traj.size(); ++k) {
      if (traj.times[k] <= 0.0) continue;
      const double t = t0 + traj.times[k];
      std::size_t j = i0 + 1;
      while (j < times.size() && std::abs(times[j] - t) > 1e-9 * t) ++j;
      if (j == times.size()) continue;
      const Matrix lifted = EndToEndMap(*space, middle_points[j]).product();
      last = (traj.points[k].reshaped(kSize, kSize) - lifted).norm() / lifted.norm();
      peak = std::max(peak, last);
      if (first < 0.0) first = last;
      series.x.push_back(t);
      series.y.push_back(last);
    }
    std::printf(
        "  t0 = %8.4g  |mu(t0)| = %.3e  |mu(t0)|/|W(t0)|^2 = %.3e  distance: first record "
        "%.3e, largest %.3e, at t = %g %.3e  (%s, %.1f s)\n",
        t0, imbalance_norm(*space, middle_points[i0]),
        imbalance_norm(*space, middle_points[i0]) / middle_points[i0].squaredNorm(), first, peak,
        t_end, last, to_string(flow.status).c_str(), seconds_since(start));
    distance_series.push_back(std::move(series));
  }

  if (!plot.empty()) {
    examples::Panel imbalance{"imbalance |mu(t)| (dashed: |mu(0)| e^{-2 lambda t})",
                              "t",
                              "|mu|",
                              true,
                              true,
                              imbalance_series};
    for (double l : lambdas) {
      examples::Series line{"", {}, {}, "lines lw 1 dt 2 lc rgb '#555555'"};
      for (double t : times) {
        if (mu0 * std::exp(-2.0 * l * t) < 1e-14) break;  // the records' floor
        line.x.push_back(t);
        line.y.push_back(mu0 * std::exp(-2.0 * l * t));
      }
      imbalance.series.push_back(std::move(line));
    }
    examples::Panel mse{"train MSE of phi(W(t))", "t", "train MSE", true, true, loss_series};
    examples::Panel distance{
        fmt::format("lambda = {:g}: |phi(W(t)) - X_t0(t)| / |phi(W(t))|", lambda),
        "t",
        "relative distance",
        true,
        true,
        distance_series};
    examples::write_png(plot, {imbalance, mse, distance}, 560, 440);
    std::printf("\nfigure: %s\n", plot.c_str());
  }
  // The program's claim: the imbalance law (exit 3 when a run breaks it).
  std::printf("imbalance decays like e^(-2 lambda t) on every run: %s\n", law_holds ? "yes" : "NO");
  return law_holds ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  int depth = 3;
  std::vector<double> lambdas = {0.01, 0.1, 1.0};
  double t_end = 100.0;
  std::uint64_t seed = 101;
  std::string plot = "weight_decay_split.png";
  CLI::App app{"Weight decay's fast-slow split on the flagship completion"};
  app.add_option("--depth", depth, "depth N >= 2")->check(CLI::Range(2, 8));
  app.add_option("--lambdas", lambdas,
                 "weight-decay strengths (the middle one is compared "
                 "with the DLN flow)")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  app.add_option("--t-end", t_end, "final time")->check(CLI::Range(0.2, 1e6));
  app.add_option("--seed", seed, "seed of the start");
  app.add_option("--plot", plot, "PNG of the three panels (\"\" skips it)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    return run(depth, lambdas, t_end, seed, plot);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weight_decay_split: %s\n", e.what());
    return 1;
  }
}
