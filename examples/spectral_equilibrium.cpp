// The entropic paper's spectral equilibrium (docs/MATH.md §7), predicted vs computed.
//
// For several (d, N, β, p) the program integrates the chamber flow of the Schatten free energy
// F_β = Σ σ^p/p − S_N/β from a random start and prints a table: the predicted equilibrium s*
// (Thm 1.2) against the computed one, and the predicted rates λ_∥, λ_⊥ (Thm 1.3) against the
// eigenvalues of the numerically linearized flow at the computed equilibrium. It then draws the
// chamber phase portrait for d = 2 — trajectories of (σ1, σ2) under the Euclidean and the DLN
// metric side by side, from the same starts — to a PNG.
//
//   spectral_equilibrium [--depth 3] [--beta 2] [--schatten 2] [--seed 1]
//                        [--plot spectral_phase_portrait.png]   (--plot "" skips the figure)
#include "riemopt/energies/spectral_equilibrium.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <exception>

#include "common/gnuplot.hpp"
#include "riemopt/energies/chamber_energies.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/flow_linearization.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/manifolds/chamber.hpp"
#include "riemopt/manifolds/chamber_metric.hpp"

namespace {

using namespace riemopt;

struct Case {
  Eigen::Index d;
  Depth depth;
  double beta;
  double p;
};

Problem chamber_problem(const Case& c, const Geometry& geometry) {
  return Problem(geometry, free_energy(SeparableChamberEnergy::schatten(c.p),
                                       std::make_shared<ChamberEntropy>(c.d, c.depth), c.beta));
}

GradientFlowOptions flow_options() {
  GradientFlowOptions options;
  options.absolute_tolerance = 1e-13;
  options.relative_tolerance = 1e-11;
  options.gradient_tolerance = 1e-10;
  options.final_time = 1e5;
  return options;
}

void print_table(const std::vector<Case>& cases, Rng& rng) {
  std::printf("%-3s %-4s %-6s %-4s | %-14s %-9s | %-11s %-11s | %-11s %-11s | %5s\n", "d", "N",
              "beta", "p", "s* predicted", "rel.err", "l_par pred", "l_par meas", "l_perp pred",
              "l_perp meas", "steps");
  for (const Case& c : cases) {
    const auto eq = SpectralEquilibrium::schatten(c.d, c.depth, c.beta, c.p);
    const Problem problem = chamber_problem(c, dln_chamber(c.d, c.depth));
    const Vector start = Chamber(c.d).random_point(rng) * eq.s_star();
    const Summary s = gradient_flow(problem, start, flow_options());
    const FlowLinearization lin = linearize_flow(problem, Point(s.x));
    // The uniform mode is the eigenvector closest to 1; the others are the relative mode.
    const ModeSplit modes = split_modes(lin, Vector::Ones(c.d));
    const double error = (s.x.array() / eq.s_star() - 1.0).abs().maxCoeff();
    std::printf(
        "%-3ld %-4s %-6g %-4g | %-14.10f %-9.2e | %-11.6f %-11.6f | %-11.6f %-11.6f | %5lld\n",
        static_cast<long>(c.d), c.depth.to_string().c_str(), c.beta, c.p, eq.s_star(), error,
        eq.rate_uniform(), modes.along, eq.rate_relative(), modes.across_mean,
        static_cast<long long>(s.iterations));
  }
}

examples::Panel phase_portrait(const Case& c, const Geometry& geometry, double extent) {
  const auto eq = SpectralEquilibrium::schatten(2, c.depth, c.beta, c.p);
  examples::Panel panel{fmt::format("{} chamber metric; F = sum sigma^{:g}/{:g} - S_{}/{:g}",
                                    geometry.metric->name(), c.p, c.p, c.depth.to_string(), c.beta),
                        "sigma_1",
                        "sigma_2",
                        false,
                        false,
                        {}};
  GradientFlowOptions options = flow_options();
  options.gradient_tolerance = 1e-6;
  options.trajectory.first_time = 1e-4;
  options.trajectory.per_decade = 40;
  options.trajectory.observable_names = {"sigma_1", "sigma_2"};
  options.trajectory.observables = [](const Point& x) {
    return std::vector<double>{x.coords()[0], x.coords()[1]};
  };
  const Problem problem = chamber_problem(c, geometry);
  // Starts on the chamber's outer edges: the right edge σ1 = extent and near the floor σ2 ≈ 0.
  std::vector<Vector> starts;
  for (double f : {0.05, 0.2, 0.4, 0.6, 0.8, 0.97}) starts.push_back(Vector{{extent, f * extent}});
  for (double f : {0.08, 0.2, 0.4}) starts.push_back(Vector{{f * extent, 0.02 * extent}});
  for (double f : {0.6, 0.95}) starts.push_back(Vector{{f * extent, 0.01 * extent}});
  for (const Vector& start : starts) {
    const Summary s = gradient_flow(problem, start, options);
    examples::Series series{"", {}, {}, "lines lw 1.5 lc rgb '#1f77b4'"};
    for (const auto& row : s.trajectory.observables) {
      series.x.push_back(row[0]);
      series.y.push_back(row[1]);
    }
    panel.series.push_back(std::move(series));
  }
  panel.series.front().title = "trajectories";
  panel.series.push_back({"sigma_1 = sigma_2 (chamber wall)",
                          {0.0, extent},
                          {0.0, extent},
                          "lines lw 1 dt 2 lc rgb '#555555'"});
  panel.series.push_back(
      {"s*(1,1) predicted", {eq.s_star()}, {eq.s_star()}, "points pt 7 ps 1.8 lc rgb '#d62728'"});
  return panel;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Spectral equilibrium of the DLN free energy: predicted vs computed"};
  std::string depth_text = "3", plot = "spectral_phase_portrait.png";
  double beta = 2.0, p = 2.0;
  std::uint64_t seed = 1;
  app.add_option("--depth", depth_text, "Depth N of the phase portrait (>= 2 or inf)");
  app.add_option("--beta", beta, "Inverse temperature of the phase portrait");
  app.add_option("--schatten", p, "Schatten exponent of the phase portrait");
  app.add_option("--seed", seed, "Seed of the random starts in the table");
  app.add_option("--plot", plot, "Phase portrait PNG (empty: skip)");
  CLI11_PARSE(app, argc, argv);
  try {
    Rng rng(seed);
    const std::vector<Case> cases = {
        {2, Depth::finite(2), 1.0, 2.0}, {3, Depth::finite(3), 2.0, 2.0},
        {5, Depth::finite(4), 0.5, 1.0}, {3, Depth::infinite(), 1.0, 2.0},
        {4, Depth::finite(8), 0.3, 3.0}, {8, Depth::finite(3), 4.0, 1.5},
        {6, Depth::infinite(), 0.2, 1.0}};
    print_table(cases, rng);
    if (!plot.empty()) {
      const Case c{2, Depth::parse(depth_text), beta, p};
      const double extent = 3.0 * SpectralEquilibrium::schatten(2, c.depth, beta, p).s_star();
      examples::write_png(plot,
                          {phase_portrait(c, euclidean_chamber(2), extent),
                           phase_portrait(c, dln_chamber(2, c.depth), extent)},
                          620, 600);
      std::printf("\nphase portrait (Euclidean | DLN) written to %s\n", plot.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spectral_equilibrium: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
