#include <CLI/CLI.hpp>
#include <cmath>
#include <limits>

#include "../common/gnuplot.hpp"
#include "cli.hpp"
#include "cli_common.hpp"
#include "commands.hpp"
#include "riemopt/ceres_solvers.hpp"
#include "riemopt/energies/chamber_energies.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/spectral_equilibrium.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/flow_linearization.hpp"
#include "riemopt/gradient_descent.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/manifolds/chamber_metric.hpp"
#include "riemopt/newton.hpp"
#include "riemopt/trust_region.hpp"

namespace riemopt::cli {
CLI::App* SpectralCommand::add_to(CLI::App& app) {
  CLI::App* sub = app.add_subcommand(
      "spectral",
      "Integrate the chamber flow of the Schatten free energy sum sigma^p/p - S_N/beta and "
      "compare equilibrium and rates with the entropic paper's predictions (JSON)");
  sub->add_option("--width", width, "Width d (number of singular values), >= 2")->required();
  sub->add_option("--depth", depth, "Depth N: an integer >= 2, or inf")->required();
  sub->add_option("--beta", beta, "Inverse temperature beta > 0")->required();
  sub->add_option("--schatten", schatten, "Schatten exponent p > 0")->required();
  sub->add_option("--sigma0", sigma0, "Initial singular values s1,...,sd (decreasing, > 0)")
      ->required();
  sub->add_option("--metric", metric, "Chamber metric: dln (default) or euclidean")
      ->check(CLI::IsMember({"dln", "euclidean"}));
  sub->add_option("--solver", solver,
                  "flow (default): the chamber gradient flow; gd, newton, trust-region, "
                  "ceres-lbfgs: the discrete solvers on the same geometry (time axis: "
                  "iterations). ceres-lm does not apply: the free energy is not a sum of squares")
      ->check(CLI::IsMember({"flow", "gd", "newton", "trust-region", "ceres-lbfgs", "ceres-lm"}));
  sub->add_option("--t-end", t_end, "Final time (default: run until --tolerance is met)");
  sub->add_option("--tolerance", tolerance,
                  "Stop when the estimated relative distance to s*.1, |dsigma/dt|/(|rate_relative| "
                  "s* sqrt(d)), is <= this (default 1e-10; scale-free in beta)");
  sub->add_option("--max-time", max_time,
                  "Wall-clock budget in seconds (default 60; the run then ends with status "
                  "max_wall_time and exit code 3)");
  sub->add_option("--output", output, "Write the JSON here (default: stdout)");
  sub->add_option("--trajectory", trajectory, "Write t, F, |grad|, sigma_k(t) as CSV here");
  sub->add_option("--plot", plot, "Draw sigma_k(t) on a log time axis to this PNG");
  sub->add_flag("--quiet", quiet, "No progress on stderr");
  return sub;
}

int SpectralCommand::run(std::ostream& out, std::ostream& /*err*/) const {
  check_files({}, {{"--output", output}, {"--trajectory", trajectory}, {"--plot", plot}});
  const Depth n = Depth::parse(depth);
  require(width >= 2, "--width must be >= 2 (got {})", width);
  const auto d = static_cast<Eigen::Index>(width);
  const Vector s0 = parse_number_list(sigma0, "--sigma0");
  require(s0.size() == d, "--sigma0 has {} entries but --width is {}", s0.size(), d);
  require(std::isfinite(t_end) && t_end >= 0.0, "--t-end must be finite and > 0 (got {})", t_end);
  require(std::isfinite(tolerance) && tolerance >= 0.0,
          "--tolerance must be finite and >= 0 (got {})", tolerance);
  const SpectralEquilibrium eq = SpectralEquilibrium::schatten(d, n, beta, schatten);

  const bool dln = metric == "dln";
  const Geometry geometry = dln ? dln_chamber(d, n) : euclidean_chamber(d);
  const EnergyPtr energy = free_energy(SeparableChamberEnergy::schatten(schatten),
                                       std::make_shared<ChamberEntropy>(d, n), beta);
  const Problem problem(geometry, energy);

  // Scale-free stopping: near s*·1 the flow is σ̇ ≈ J(σ − s*·1) with |eigenvalues| ≥ |λ_⊥|, so
  // ‖σ − s*·1‖ ≤ ‖σ̇‖/|λ_⊥|, and ‖σ̇‖ = √w(s*)·‖grad F‖_g there (w = 1 for Euclidean). --tolerance
  // bounds that estimate relative to ‖s*·1‖ = s*√d, at any β and scale.
  const double w_star = ChamberMetric(n).weight(eq.s_star());
  const double metric_weight = dln ? w_star : 1.0;
  const double slowest_rate = std::abs(eq.rate_relative()) * (dln ? 1.0 : 1.0 / w_star);
  GradientFlowOptions options;
  options.relative_tolerance = 1e-11;
  options.absolute_tolerance =
      1e-2 * options.relative_tolerance * std::min(eq.s_star(), s0.minCoeff());
  options.gradient_tolerance = tolerance * slowest_rate * eq.s_star() *
                               std::sqrt(static_cast<double>(d)) / std::sqrt(metric_weight);
  options.final_time = t_end > 0.0 ? t_end : std::numeric_limits<double>::infinity();
  options.max_wall_seconds = max_time;
  options.progress = !quiet;
  options.progress_interval_seconds = 2.0;
  const bool record = !trajectory.empty() || !plot.empty();
  options.trajectory.enabled = record;
  options.trajectory.per_decade = 25;
  options.trajectory.first_time = 1e-4;
  for (Eigen::Index k = 0; k < d; ++k)
    options.trajectory.observable_names.push_back("sigma_" + std::to_string(k + 1));
  options.trajectory.observables = [](const Point& x) {
    return std::vector<double>(x.coords().begin(), x.coords().end());
  };
  require(solver == "flow" || t_end == 0.0, "--t-end applies to --solver flow only");
  require(solver != "ceres-lm",
          "--solver ceres-lm needs a sum of squares, and the free energy F = E - S/beta is not "
          "one; use ceres-lbfgs for Ceres");
  auto discrete = [&options](auto solver_options) {
    static_cast<SolverOptions&>(solver_options) = static_cast<const SolverOptions&>(options);
    solver_options.trajectory = options.trajectory;
    solver_options.trajectory.first_time = 1.0;  // iterations
    return solver_options;
  };
  const Summary summary =
      solver == "gd"             ? gradient_descent(problem, s0, discrete(GradientDescentOptions{}))
      : solver == "newton"       ? newton(problem, s0, discrete(NewtonOptions{}))
      : solver == "trust-region" ? trust_region(problem, s0, discrete(TrustRegionOptions{}))
      : solver == "ceres-lbfgs"
          ? ceres_gradient_solve(problem, s0, discrete(CeresGradientOptions{}))
          : gradient_flow(problem, s0, options);

  // The predicted rates are those of the DLN chamber flow; at σ = s*·1 the DLN metric is w(s*)
  // times the Euclidean one, so the Euclidean flow's rates are the DLN rates divided by w(s*).
  const double scale = dln ? 1.0 : 1.0 / ChamberMetric(n).weight(eq.s_star());
  const FlowLinearization lin = linearize_flow(problem, Point(summary.x));
  // The uniform mode is the eigenvector closest to 1, the relative mode the others.
  const ModeSplit measured = split_modes(lin, Vector::Ones(d));

  nlohmann::json doc;
  doc["s_star_predicted"] = eq.s_star();
  doc["sigma_final"] = to_json_array(summary.x);
  doc["relative_error_to_s_star"] = (summary.x.array() / eq.s_star() - 1.0).abs().maxCoeff();
  doc["rate_uniform_predicted"] = scale * eq.rate_uniform();
  doc["rate_relative_predicted"] = scale * eq.rate_relative();
  doc["rate_uniform_measured"] = measured.along;
  doc["rate_relative_measured"] = measured.across_mean;
  doc["rate_relative_measured_spread"] = measured.across_spread;
  doc["eigenvalues_measured"] = to_json_array(lin.eigenvalues);
  doc["rates_measured_by"] =
      "central-difference Jacobian of the flow field at sigma_final, eigenvector closest to 1 "
      "= uniform mode";
  doc["free_energy_final"] = summary.final_value;
  doc["gradient_norm_final"] = summary.final_gradient_norm;
  doc["status"] = to_string(summary.status);
  doc["message"] = summary.message;
  doc["final_time"] = summary.final_time;
  doc["steps"] = summary.iterations;
  doc["solver_name"] = summary.solver;
  doc["rhs_evaluations"] = summary.rhs_evaluations;
  doc["wall_seconds"] = summary.wall_seconds;
  doc["options"] = {{"width", d},
                    {"depth", n.to_string()},
                    {"beta", beta},
                    {"schatten", schatten},
                    {"sigma0", to_json_array(s0)},
                    {"metric", metric},
                    {"solver", solver},
                    {"t_end", t_end},
                    {"tolerance", tolerance}};

  std::vector<OutputFile> files;
  if (!trajectory.empty()) files.push_back(text_file(trajectory, summary.trajectory.to_csv()));
  if (!plot.empty()) {
    examples::Panel panel{fmt::format("{} chamber flow, d={}, N={}, beta={:g}, p={:g}",
                                      geometry.metric->name(), d, n.to_string(), beta, schatten),
                          "t",
                          "sigma_k(t)",
                          true,
                          false,
                          {}};
    const Trajectory& traj = summary.trajectory;
    for (Eigen::Index k = 0; k < d; ++k) {
      examples::Series series{"sigma_" + std::to_string(k + 1), traj.times, {}, ""};
      for (const auto& row : traj.observables) series.y.push_back(row[static_cast<std::size_t>(k)]);
      panel.series.push_back(std::move(series));
    }
    if (!traj.times.empty()) {
      const double first = traj.times.size() > 1 ? traj.times[1] : traj.times.front();
      panel.series.push_back({"s* predicted",
                              {first, traj.times.back()},
                              {eq.s_star(), eq.s_star()},
                              "lines lw 1 dt 2 lc rgb '#555555'"});
    }
    files.push_back(text_file(plot, examples::render_png({panel})));
  }
  write_outputs(files, doc, output, out);
  // The exit code follows the status: a run that stopped on a budget did not find the
  // equilibrium it reports on.
  return summary.is_success() ? 0 : kExitNotConverged;
}

}  // namespace riemopt::cli
