#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "../common/gnuplot.hpp"
#include "cli.hpp"
#include "cli_common.hpp"
#include "commands.hpp"
#include "riemopt/energies/spectral_stationary_law.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/langevin.hpp"
#include "riemopt/sample_statistics.hpp"

namespace riemopt::cli {
namespace {

constexpr long kMaxWidth = 200;                 // one d×d SVD per step
constexpr double kMaxStoredValues = 5e7;        // kept samples × d (400 MB of doubles)
constexpr Eigen::Index kMaxPredictedWidth = 3;  // the quadrature's limit
constexpr int kBins = 50;

std::string samples_csv(const Matrix& samples, long burn_in, long thinning) {
  std::ostringstream csv;
  csv.precision(17);
  csv << "step";
  for (Eigen::Index k = 0; k < samples.cols(); ++k) csv << ",sigma_" << k + 1;
  csv << "\n";
  for (Eigen::Index r = 0; r < samples.rows(); ++r) {
    csv << burn_in + (r + 1) * thinning;
    for (Eigen::Index k = 0; k < samples.cols(); ++k) csv << "," << samples(r, k);
    csv << "\n";
  }
  return csv.str();
}

}  // namespace

CLI::App* SampleCommand::add_to(CLI::App& app) {
  CLI::App* sub = app.add_subcommand(
      "sample",
      "Riemannian Langevin sampling of F = sum sigma^p/p - a sum log sigma [- S_N/beta] on the "
      "chamber or on d x d matrices; moments of the singular values against the stationary law "
      "e^{-beta F} dvol_g (JSON)");
  sub->add_option("--width", width, "Width d (number of singular values), >= 1")->required();
  sub->add_option("--depth", depth,
                  "Depth N of the metric and the entropy: an integer >= 1, or inf")
      ->required();
  sub->add_option("--beta", beta, "Inverse temperature beta > 0")->required();
  sub->add_option("--schatten", schatten, "Schatten exponent p > 0")->required();
  sub->add_flag("--entropy", entropy, "Add -S_N/beta to the potential (the DLN entropy)");
  sub->add_option("--log-barrier", log_barrier,
                  "a in -a sum log sigma (default 0). At infinite depth the law is a probability "
                  "law only with beta*a > 0; at depth N it needs beta*a > -1/N");
  sub->add_option("--metric", metric, "dln (default) or euclidean")
      ->check(CLI::IsMember({"dln", "euclidean"}));
  sub->add_option("--space", space, "chamber (default): sigma itself; matrices: d x d matrices")
      ->check(CLI::IsMember({"chamber", "matrices"}));
  sub->add_option("--steps", steps, "Steps after the burn-in, >= 1")->required();
  sub->add_option("--burn-in", burn_in, "Steps discarded first (default: steps/10)");
  sub->add_option("--thinning", thinning, "Keep every k-th step (default 1)");
  sub->add_option("--step-size", step_size, "Time step h > 0")->required();
  sub->add_flag("--mala", mala,
                "Metropolis-adjusted steps (exact law at any h) instead of Euler-Maruyama "
                "(bias O(h))");
  sub->add_option("--seed", seed, "Random seed, 0 .. 2^64-1 (default 1)");
  sub->add_option("--output", output, "Write the kept samples (step, sigma_1..sigma_d) as CSV here")
      ->required();
  sub->add_option("--plot", plot,
                  "Draw each sigma_k's histogram with the predicted marginal (d <= 3) to this PNG");
  sub->add_option("--json", json, "Write the JSON summary here (default: stdout)");
  sub->add_flag("--quiet", quiet, "No progress on stderr");
  return sub;
}

int SampleCommand::run(std::ostream& out, std::ostream& err) const {
  check_files({}, {{"--output", output}, {"--plot", plot}, {"--json", json}});
  require(width >= 1 && width <= kMaxWidth, "--width must be in 1..{} (got {})", kMaxWidth, width);
  require(steps >= 1, "--steps must be >= 1 (got {})", steps);
  require(std::isfinite(step_size) && step_size > 0.0,
          "--step-size must be positive and finite (got {})", step_size);
  require(thinning >= 1, "--thinning must be >= 1 (got {})", thinning);
  require(burn_in >= -1, "--burn-in must be >= 0 (got {})", burn_in);
  require(static_cast<double>(steps / thinning) * static_cast<double>(width) <= kMaxStoredValues,
          "--steps/--thinning x --width = {:g} values would be kept; at most {:g} (raise "
          "--thinning)",
          static_cast<double>(steps / thinning) * static_cast<double>(width), kMaxStoredValues);
  require(steps / thinning >= 1, "--thinning {} exceeds --steps {}: no sample would be kept",
          thinning, steps);
  const Depth n = Depth::parse(depth);
  SpectralLawSpec spec;
  spec.width = width;
  if (metric == "dln") spec.depth = n;
  spec.space = space == "matrices" ? SampleSpace::kMatrices : SampleSpace::kChamber;
  spec.beta = beta;
  spec.schatten_p = schatten;
  spec.log_barrier = log_barrier;
  if (entropy) spec.entropy_depth = n;
  validate_spectral_law_spec(spec);  // bad numbers, and laws that are not probability laws
  const Problem problem = spectral_law_problem(spec);

  LangevinOptions options;
  options.beta = beta;
  options.step_size = step_size;
  options.thinning = thinning;
  options.samples = steps / thinning;
  options.burn_in = burn_in < 0 ? steps / 10 : burn_in;
  options.scheme = mala ? LangevinScheme::kMala : LangevinScheme::kEulerMaruyama;
  options.seed = parse_seed(seed, "--seed");
  options.observable = [&spec](const Point& x) { return spectral_law_observable(spec, x); };
  if (!quiet) {
    options.progress_interval = std::max<std::int64_t>(1, (options.burn_in + steps) / 10);
    options.callback = [&err](const LangevinProgress& p) {
      err << fmt::format("sample: step {}/{} ({:.0f}%), acceptance {:.3f}\n", p.step, p.total,
                         100.0 * static_cast<double>(p.step) / static_cast<double>(p.total),
                         static_cast<double>(p.accepted) / static_cast<double>(p.step));
      return true;
    };
  }
  // The start: σ_k spread around the law's scale β^{-1/p}, distinct; a diagonal matrix.
  const Vector sigma0 =
      std::pow(beta, -1.0 / schatten) * Vector::LinSpaced(width, 1.2, width > 1 ? 0.6 : 1.2);
  const Vector x0 =
      spec.space == SampleSpace::kChamber ? sigma0 : Vector(Matrix(sigma0.asDiagonal()).reshaped());
  const LangevinResult run = langevin_sample(problem, x0, options);

  nlohmann::json doc;
  doc["status"] = to_string(run.status);
  doc["message"] = run.message;
  doc["geometry"] = problem.geometry().name();
  doc["potential"] = problem.energy().name();
  doc["samples"] = run.samples.rows();
  doc["steps"] = run.steps;
  doc["acceptance_rate"] = run.acceptance_rate();
  doc["folded_steps"] = run.folded;
  doc["rejected_outside_domain"] = run.outside_domain;
  doc["rejected_non_finite"] = run.non_finite;
  doc["svd_count"] = run.svd_count;
  doc["svd_per_step"] =
      run.steps > 0 ? static_cast<double>(run.svd_count) / static_cast<double>(run.steps) : 0.0;
  doc["wall_seconds"] = run.wall_seconds;
  doc["options"] = {{"width", width},
                    {"depth", n.to_string()},
                    {"beta", beta},
                    {"schatten", schatten},
                    {"entropy", entropy},
                    {"log_barrier", log_barrier},
                    {"metric", metric},
                    {"space", space},
                    {"steps", steps},
                    {"burn_in", options.burn_in},
                    {"thinning", thinning},
                    {"step_size", step_size},
                    {"scheme", to_string(options.scheme)},
                    {"seed", options.seed}};
  const Eigen::Index batches = 40;
  const bool enough = run.samples.rows() >= 2 * batches;
  if (enough) {
    const SampleMoments first = batch_means(run.samples, batches);
    const SampleMoments second = batch_means(run.samples.array().square().matrix(), batches);
    doc["mean"] = to_json_array(first.mean);
    doc["mean_standard_error"] = to_json_array(first.standard_error);
    doc["mean_square"] = to_json_array(second.mean);
    doc["mean_square_standard_error"] = to_json_array(second.standard_error);
    doc["standard_errors_by"] = fmt::format("batch means, {} batches", batches);
  } else {
    doc["moments"] =
        fmt::format("not computed: {} samples, fewer than {}", run.samples.rows(), 2 * batches);
  }
  // The histograms' range: past the 99.9th percentile of σ_1's samples (the law's own upper end,
  // at e^{-46} of its peak, would leave the mass in a few bins).
  double histogram_end = 0.0;
  if (run.samples.rows() > 0) {
    std::vector<double> first(run.samples.col(0).begin(), run.samples.col(0).end());
    const auto at = first.begin() + static_cast<std::ptrdiff_t>(0.999 * (first.size() - 1));
    std::nth_element(first.begin(), at, first.end());
    histogram_end = 1.15 * *at;
  }
  SpectralLaw law;
  const bool predicted = width <= kMaxPredictedWidth;
  if (predicted) {
    law = spectral_stationary_law(spec, 0, kBins, histogram_end);
    doc["predicted_mean"] = to_json_array(law.mean);
    doc["predicted_mean_square"] = to_json_array(law.mean_square);
    doc["predicted_by"] = fmt::format(
        "midpoint quadrature of the stationary density of the singular values, {} nodes per "
        "axis, relative quadrature error {:.1e}",
        law.nodes, law.quadrature_error);
    if (enough) {
      const SampleMoments first = batch_means(run.samples, batches);
      doc["z_scores_mean"] =
          to_json_array(Vector((first.mean - law.mean).array() / first.standard_error.array()));
    }
  } else {
    doc["predicted_mean"] = nullptr;
    doc["predicted_by"] =
        fmt::format("no prediction for d > {} (quadrature cost nodes^d)", kMaxPredictedWidth);
  }

  std::vector<OutputFile> files;
  files.push_back(text_file(output, samples_csv(run.samples, options.burn_in, thinning)));
  if (!plot.empty()) {
    require(run.samples.rows() > 0, "--plot: no sample was kept ({})", run.message);
    std::vector<examples::Panel> panels;
    const double bin_width = histogram_end / kBins;
    for (Eigen::Index k = 0; k < run.samples.cols(); ++k) {
      examples::Panel panel{fmt::format("sigma_{}: {}, {}", k + 1, to_string(options.scheme),
                                        problem.geometry().metric->name()),
                            "sigma",
                            "density",
                            false,
                            false,
                            {}};
      examples::Series histogram{"samples", {}, {}, "histeps lw 2"};
      Vector counts = Vector::Zero(kBins);
      for (Eigen::Index r = 0; r < run.samples.rows(); ++r) {
        const auto bin = static_cast<Eigen::Index>(run.samples(r, k) / bin_width);
        if (bin >= 0 && bin < kBins) counts[bin] += 1.0;
      }
      for (int b = 0; b < kBins; ++b) {
        histogram.x.push_back((b + 0.5) * bin_width);
        histogram.y.push_back(counts[b] / (static_cast<double>(run.samples.rows()) * bin_width));
      }
      panel.series.push_back(std::move(histogram));
      if (predicted) {
        examples::Series law_series{"predicted", {}, {}, "lines lw 2 dt 2 lc rgb '#222222'"};
        for (int b = 0; b < kBins; ++b) {
          law_series.x.push_back((b + 0.5) * bin_width);
          law_series.y.push_back(law.bin_probability(b, k) / bin_width);
        }
        panel.series.push_back(std::move(law_series));
      }
      panels.push_back(std::move(panel));
    }
    files.push_back(text_file(plot, examples::render_png(panels, 480, 400)));
  }
  write_outputs(files, doc, json, out);
  return run.is_success() ? 0 : kExitNotConverged;
}

}  // namespace riemopt::cli
