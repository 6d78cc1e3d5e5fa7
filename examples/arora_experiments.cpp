// The matrix-completion experiments of docs/EXPERIMENTS.md, regenerated in one run.
//
// 1. Arora et al. (2019), Table/Fig. 2 setting: 100x100 rank-5 truth with unit-RMS entries, 2000
//    and 5000 observed entries, start of scale 1e-3; the continuous DLN flow at depths 1-4 and
//    infinite depth, the Euclidean flow from the depth-3 start (same X0, other metric), and the
//    nuclear-norm minimizer (ADMM, certified by its duality gap).
// 2. Entropic regularization: the DLN free-energy flow E - S_N/beta for a sweep of beta and
//    depths, from the scaled identity, to a fixed flow time (the free energy of completion is
//    unbounded below, so there is no equilibrium to run to; see docs/EXPERIMENTS.md).
//
// Writes Markdown and CSV tables and PNG figures to --out-dir; everything is seeded.
//
//   arora_experiments [--out-dir experiments] [--seed 1] [--quick] [--max-time 300]
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "common/completion_plot.hpp"
#include "common/gnuplot.hpp"
#include "riemopt/atomic_file.hpp"
#include "riemopt/energies/completion_flow.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/nuclear_norm_completion.hpp"
#include "riemopt/errors.hpp"

namespace {

using namespace riemopt;

struct Row {
  std::string method;
  Eigen::Index observations = 0;
  CompletionMetrics metrics;
  double flow_time = std::numeric_limits<double>::quiet_NaN();
  std::int64_t steps = 0;
  std::uint64_t svds = 0;
  double seconds = 0.0;
  std::string status;
};

std::string fmt_or_dash(double v, const char* spec) {
  return std::isfinite(v) ? fmt::format(fmt::runtime(spec), v) : "-";
}

std::string markdown_table(const std::vector<Row>& rows) {
  std::string s =
      "| observations | method | test MSE | effective rank | train MSE | nuclear norm | flow time "
      "| steps | SVDs | seconds | status |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const Row& r : rows)
    s += fmt::format(
        "| {} | {} | {:.2e} | {:.3f} | {:.1e} | {:.2f} | {} | {} | {} | {:.2f} | {} |\n",
        r.observations, r.method, r.metrics.test_mse, r.metrics.effective_rank, r.metrics.train_mse,
        r.metrics.nuclear_norm, fmt_or_dash(r.flow_time, "{:.3g}"), r.steps, r.svds, r.seconds,
        r.status);
  return s;
}

std::string csv_table(const std::vector<Row>& rows) {
  std::string s =
      "observations,method,test_mse,effective_rank,train_mse,nuclear_norm,flow_time,steps,svds,"
      "seconds,status\n";
  for (const Row& r : rows)
    s += fmt::format("{},{},{:.10g},{:.10g},{:.10g},{:.10g},{:.10g},{},{},{:.4f},{}\n",
                     r.observations, r.method, r.metrics.test_mse, r.metrics.effective_rank,
                     r.metrics.train_mse, r.metrics.nuclear_norm, r.flow_time, r.steps, r.svds,
                     r.seconds, r.status);
  return s;
}

struct Args {
  std::string out_dir = "experiments";
  std::uint64_t seed = 1;
  bool quick = false;
  double max_time = 300.0;
};

Row flow_row(const std::string& method, const CompletionInstance& inst, Eigen::Index obs,
             const CompletionFlowOptions& options, Trajectory* trajectory) {
  const CompletionFlowResult r =
      complete_by_flow(inst.truth.rows(), inst.truth.cols(), inst.observed, &inst.truth, options);
  if (trajectory) *trajectory = r.summary.trajectory;
  Row row{method,
          obs,
          r.metrics,
          r.summary.final_time,
          r.summary.iterations,
          r.summary.svd_count,
          r.summary.wall_seconds,
          to_string(r.summary.status)};
  fmt::print("  {:<34} test MSE {:.2e}  eff. rank {:6.3f}  t {:8.3g}  {:6} steps  {:6.1f} s  {}\n",
             method, row.metrics.test_mse, row.metrics.effective_rank, row.flow_time, row.steps,
             row.seconds, row.status);
  std::fflush(stdout);
  return row;
}

}  // namespace

int main(int argc, char** argv) try {
  Args args;
  CLI::App app{"Regenerates the matrix-completion tables and figures of docs/EXPERIMENTS.md"};
  app.add_option("--out-dir", args.out_dir, "Directory for tables and figures (created)");
  app.add_option("--seed", args.seed, "Seed of the instances and starts (default 1)");
  app.add_flag("--quick", args.quick, "2000 observations, depths 1-3 and a 2-point beta sweep");
  app.add_option("--max-time", args.max_time, "Wall-clock budget per run, seconds");
  CLI11_PARSE(app, argc, argv);
  if (!(args.max_time > 0.0)) throw riemopt::InvalidArgument("--max-time must be > 0");
  std::filesystem::create_directories(args.out_dir);
  const std::string dir = args.out_dir + "/";
  const bool plots = examples::gnuplot_available();
  if (!plots) fmt::print("(gnuplot not found: tables only)\n");

  // ---- 1. The published table ------------------------------------------------------------
  std::vector<Row> rows;
  std::vector<std::pair<std::string, Trajectory>> curves;  // 2000 observations, for the figure
  Trajectory depth3;
  const std::vector<Eigen::Index> observation_counts =
      args.quick ? std::vector<Eigen::Index>{2000} : std::vector<Eigen::Index>{2000, 5000};
  for (const Eigen::Index obs : observation_counts) {
    const CompletionInstance inst = make_completion_instance({100, 100, 5, obs, args.seed});
    fmt::print("100x100, rank 5, {} observations (seed {}):\n", obs, args.seed);
    std::vector<std::pair<std::string, Depth>> depths = {
        {"1", Depth::finite(1)}, {"2", Depth::finite(2)}, {"3", Depth::finite(3)}};
    if (!args.quick) {
      depths.push_back({"4", Depth::finite(4)});
      depths.push_back({"inf", Depth::infinite()});
    }
    for (const auto& [label, depth] : depths) {
      CompletionFlowOptions o;
      o.depth = depth;
      o.seed = args.seed + 100;
      // Infinite depth from this small start is far stiffer than any finite depth (its plateaus
      // last ~1/σ₀ while the large singular values limit an explicit step): Dormand–Prince is
      // still on its first plateaus after 60 s, so these rows run what `riemopt complete --depth
      // inf` runs, RKC at rtol 1e-6, within the command line's 60-second aim (four times that as
      // the budget: the development VM's speed varies by 1.8× from day to day, and a 2000-entry
      // run that took 71 s took over 120 s on a slow day).
      o.flow.max_wall_seconds = args.max_time;
      if (depth.is_infinite()) {
        o.use_integrator(Integrator::kRungeKuttaChebyshev);
        o.tighten_for_infinite_depth();
        o.flow.max_wall_seconds = std::min(args.max_time, 240.0);
      }
      Trajectory traj;
      const std::string name = label == "1"     ? "DLN flow, depth 1 (= Euclidean)"
                               : label == "inf" ? "DLN flow, depth inf (RKC, rtol 1e-6)"
                                                : "DLN flow, depth " + label;
      rows.push_back(flow_row(name, inst, obs, o, obs == 2000 ? &traj : nullptr));
      if (obs == 2000) {
        curves.emplace_back("N=" + label, traj);
        if (label == "3") depth3 = traj;
      }
    }
    {  // Same start as depth 3, Euclidean metric: isolates the geometry from the start.
      CompletionFlowOptions o;
      o.geometry = CompletionGeometry::kEuclidean;
      o.init_factors = 3;
      o.seed = args.seed + 100;
      o.flow.max_wall_seconds = args.max_time;
      rows.push_back(flow_row("Euclidean flow, depth-3 start", inst, obs, o, nullptr));
    }
    NuclearNormCompletionOptions nn;
    nn.max_wall_seconds = args.max_time;
    const auto r = complete_nuclear_norm(100, 100, inst.observed, nn);
    const MatrixCompletion loss(100, 100, inst.observed);
    Row row{fmt::format("nuclear norm (ADMM, gap {:.0e})", r.relative_gap),
            obs,
            CompletionMetrics::measure(r.x, loss, &inst.truth),
            std::numeric_limits<double>::quiet_NaN(),
            r.summary.iterations,
            r.summary.svd_count,
            r.summary.wall_seconds,
            to_string(r.summary.status)};
    fmt::print("  {:<34} test MSE {:.2e}  eff. rank {:6.3f}  {} iterations  {:.1f} s  {}\n",
               row.method, row.metrics.test_mse, row.metrics.effective_rank, row.steps, row.seconds,
               row.status);
    rows.push_back(row);
  }
  write_file_atomically(dir + "table.md", markdown_table(rows));
  write_file_atomically(dir + "table.csv", csv_table(rows));

  if (plots) {
    examples::Panel errors{
        "test MSE, 2000 observations", "flow time t", "test MSE", true, true, {}};
    examples::Panel rank{"effective rank", "flow time t", "effective rank", true, true, {}};
    for (const auto& [label, traj] : curves) {
      errors.series.push_back(examples::observable_series(traj, "test_mse", label));
      rank.series.push_back(examples::observable_series(traj, "effective_rank", label));
    }
    examples::write_png(dir + "depths.png", {errors, rank}, 620, 440);
    examples::write_png(dir + "depth3_dynamics.png",
                        examples::completion_panels(depth3, "DLN(3), 2000 observations"), 520, 400);
  }

  // ---- 2. Entropic regularization sweep ---------------------------------------------------
  const CompletionInstance inst = make_completion_instance({100, 100, 5, 2000, args.seed});
  const double horizon = 10.0;
  const std::vector<double> betas =
      args.quick ? std::vector<double>{1e4, std::numeric_limits<double>::infinity()}
                 : std::vector<double>{
                       1e3, 3e3, 1e4, 3e4, 1e5, 1e6, std::numeric_limits<double>::infinity()};
  const std::vector<std::pair<std::string, Depth>> sweep_depths =
      args.quick ? std::vector<std::pair<std::string, Depth>>{{"3", Depth::finite(3)}}
                 : std::vector<std::pair<std::string, Depth>>{
                       {"2", Depth::finite(2)}, {"3", Depth::finite(3)}, {"4", Depth::finite(4)}};
  fmt::print(
      "\nFree-energy flow E - S_N/beta, 2000 observations, scaled-identity start 1e-3, "
      "flow time {:g}:\n",
      horizon);
  std::string sweep_md =
      "| depth | beta | test MSE | effective rank | nuclear norm | train MSE | sigma_6 | "
      "sigma_100 | steps | seconds |\n|---|---|---|---|---|---|---|---|---|---|\n";
  std::string sweep_csv =
      "depth,beta,test_mse,effective_rank,nuclear_norm,train_mse,sigma_6,sigma_100,steps,"
      "seconds,status\n";
  std::vector<examples::Series> rank_vs_beta, error_vs_beta;
  for (const auto& [label, depth] : sweep_depths) {
    examples::Series rank_series{"N=" + label, {}, {}, "linespoints lw 2"};
    examples::Series error_series{"N=" + label, {}, {}, "linespoints lw 2"};
    for (const double beta : betas) {
      CompletionFlowOptions o;
      o.depth = depth;
      o.beta = beta;
      o.init = CompletionInit::kScaledIdentity;
      o.target_train_mse = 0.0;
      o.flow.gradient_tolerance = 1e-9;
      o.flow.final_time = horizon;
      o.flow.max_wall_seconds = args.max_time;
      o.flow.trajectory.enabled = false;
      const Row r = flow_row(fmt::format("N={} beta={:g}", label, beta), inst, 2000, o, nullptr);
      const Vector& s = r.metrics.singular_values;
      sweep_md += fmt::format(
          "| {} | {:g} | {:.2e} | {:.3f} | {:.2f} | {:.1e} | {:.3g} | {:.3g} | "
          "{} | {:.1f} |\n",
          label, beta, r.metrics.test_mse, r.metrics.effective_rank, r.metrics.nuclear_norm,
          r.metrics.train_mse, s(5), s(s.size() - 1), r.steps, r.seconds);
      sweep_csv += fmt::format(
          "{},{:g},{:.10g},{:.10g},{:.10g},{:.10g},{:.10g},{:.10g},{},{:.4f},{}\n", label, beta,
          r.metrics.test_mse, r.metrics.effective_rank, r.metrics.nuclear_norm, r.metrics.train_mse,
          s(5), s(s.size() - 1), r.steps, r.seconds, r.status);
      if (std::isfinite(beta)) {
        rank_series.x.push_back(beta);
        rank_series.y.push_back(r.metrics.effective_rank);
        error_series.x.push_back(beta);
        error_series.y.push_back(r.metrics.test_mse);
      }
    }
    rank_vs_beta.push_back(rank_series);
    error_vs_beta.push_back(error_series);
  }
  write_file_atomically(dir + "beta_sweep.md", sweep_md);
  write_file_atomically(dir + "beta_sweep.csv", sweep_csv);
  if (plots)
    examples::write_png(
        dir + "beta_sweep.png",
        {{"effective rank at t = 10", "beta", "effective rank", true, true, rank_vs_beta},
         {"test MSE at t = 10", "beta", "test MSE", true, true, error_vs_beta}},
        560, 420);

  fmt::print(
      "\nWrote {0}table.md, {0}table.csv, {0}beta_sweep.md, {0}beta_sweep.csv{1}\n", dir,
      plots ? fmt::format(", {0}depths.png, {0}depth3_dynamics.png, {0}beta_sweep.png", dir) : "");
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "arora_experiments: error: %s\n", e.what());
  return 1;
}
