// Training the factors vs the end-to-end DLN flow, on one matrix-completion problem (docs/MATH.md
// §2-3).
//
// Gradient descent on the factors W = (W_1, …, W_N) from a balanced start is a discretization of
// the upstairs flow Ẇ = −∇(E∘φ), whose image φ(W(t)) is the DLN flow X(t) on matrices
// (Ẋ = −A_{N,X}(∇E)). The program integrates X(t) once with tight tolerances, then trains the
// factors by fixed-step gradient descent with several step sizes and by the upstairs flow, and
// prints how far φ(W) strays from X(t) (largest relative distance over the checkpoints), the loss
// it reaches, the imbalance it accumulates, and the time it costs. The deviation of gradient
// descent shrinks linearly with the step (first order). A figure shows the deviation along t.
//
//   factor_training [--size 30] [--rank 2] [--observations 300] [--depth 3] [--scale 0.1]
//                   [--horizon 2] [--steps 5e-3,2.5e-3,1.25e-3] [--seed 1]
//                   [--plot factor_training.png]   (--plot "" skips the figure)
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>

#include "common/gnuplot.hpp"
#include "riemopt/energies/completion_flow.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/energies/pulled_back_energy.hpp"
#include "riemopt/gradient_descent.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/manifolds/balanced_factors.hpp"
#include "riemopt/manifolds/end_to_end_map.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"

namespace {

using namespace riemopt;

struct Settings {
  Eigen::Index size = 30;
  Eigen::Index rank = 2;
  Eigen::Index observations = 300;
  int depth = 3;
  double scale = 0.1;
  double horizon = 2.0;
  std::vector<double> steps = {5e-3, 2.5e-3, 1.25e-3};
  std::uint64_t seed = 1;
  std::string plot = "factor_training.png";
  int checkpoints = 40;
};

struct Run {
  std::string method;
  double step = 0.0;  // 0 for the flows
  std::int64_t iterations = 0;
  double seconds = 0.0;
  std::vector<double> deviations;  // at the checkpoints
  double final_loss = 0.0;
  double test_mse = 0.0;
  double imbalance = 0.0;
};

double relative_distance(const Matrix& a, const Matrix& b) { return (a - b).norm() / b.norm(); }

int run(const Settings& s) {
  const CompletionInstance inst = make_completion_instance({.rows = s.size,
                                                            .cols = s.size,
                                                            .rank = s.rank,
                                                            .observations = s.observations,
                                                            .seed = s.seed});
  const auto loss = std::make_shared<MatrixCompletion>(s.size, s.size, inst.observed);
  const auto space = std::make_shared<ParameterSpace>(ParameterSpace::square(s.size, s.depth));
  Rng rng(s.seed + 1);
  // A small random start, factored in balance.
  const Matrix x0 =
      s.scale *
      Eigen::Map<const Matrix>(gaussian_vector(s.size * s.size, rng).data(), s.size, s.size) /
      std::sqrt(static_cast<double>(s.size));
  const Vector w0 = balanced_factorization(*space, x0, rng);
  std::vector<double> times;
  for (int j = 1; j <= s.checkpoints; ++j) times.push_back(s.horizon * j / s.checkpoints);

  // The reference: the DLN flow on matrices, tight tolerances, recorded at the checkpoints.
  GradientFlowOptions tight;
  tight.final_time = s.horizon;
  tight.gradient_tolerance = 0.0;
  tight.absolute_tolerance = 1e-12;
  tight.relative_tolerance = 1e-11;
  tight.trajectory.times = times;
  tight.trajectory.store_points = true;
  const Summary reference =
      gradient_flow(Problem(dln_matrices(s.size, s.size, Depth::finite(s.depth)), loss),
                    Eigen::Map<const Vector>(x0.data(), x0.size()), tight);
  if (!reference.is_success()) throw std::runtime_error("reference flow: " + reference.message);
  std::vector<Matrix> x_ref;
  for (std::size_t i = 0; i < reference.trajectory.size(); ++i)
    if (reference.trajectory.times[i] > 0)
      x_ref.push_back(
          Eigen::Map<const Matrix>(reference.trajectory.points[i].data(), s.size, s.size));

  const Problem training(parameter_space_geometry(space),
                         std::make_shared<PulledBackEnergy>(loss, space));
  auto finish = [&](Run& r, const Vector& w, double seconds) {
    const Matrix x = EndToEndMap(*space, w).product();
    r.seconds = seconds;
    r.final_loss = loss->value(Point(Eigen::Map<const Vector>(x.data(), x.size()), s.size, s.size));
    r.test_mse = CompletionMetrics::measure(x, *loss, &inst.truth).test_mse;
    r.imbalance = imbalance_norm(*space, w);
  };
  std::vector<Run> runs;
  {
    Run r{"DLN flow on X (reference)", 0.0, reference.iterations, 0, {}, 0, 0, 0};
    r.deviations.assign(x_ref.size(), 0.0);
    runs.push_back(r);
    const Matrix x = x_ref.back();
    runs.back().seconds = reference.wall_seconds;
    runs.back().final_loss = reference.final_value;
    runs.back().test_mse = CompletionMetrics::measure(x, *loss, &inst.truth).test_mse;
    runs.back().imbalance = std::nan("");
  }
  {  // The upstairs flow (same tolerances): agreement at the integrator's tolerance.
    GradientFlowOptions up = tight;
    const Summary f = gradient_flow(training, w0, up);
    if (!f.is_success()) throw std::runtime_error("upstairs flow: " + f.message);
    Run r{"flow on the factors", 0.0, f.iterations, 0, {}, 0, 0, 0};
    std::size_t j = 0;
    for (std::size_t i = 0; i < f.trajectory.size(); ++i)
      if (f.trajectory.times[i] > 0)
        r.deviations.push_back(
            relative_distance(EndToEndMap(*space, f.trajectory.points[i]).product(), x_ref[j++]));
    finish(r, f.x, f.wall_seconds);
    runs.push_back(r);
  }
  for (double eta : s.steps) {  // Fixed-step descent on the factors: k steps of η ≈ time kη.
    GradientDescentOptions gd;
    gd.step_rule = StepRule::kFixed;
    gd.fixed_step = eta;
    gd.gradient_tolerance = 0.0;
    gd.max_iterations = static_cast<std::int64_t>(std::llround(s.horizon / eta));
    gd.trajectory.enabled = false;
    Run r{"descent on the factors", eta, 0, 0, {}, 0, 0, 0};
    // Checkpoint j is iteration t_j/η (validated to be an integer).
    std::size_t next = 0;
    gd.callbacks.push_back([&](const IterationInfo& it) {
      if (next < times.size() && it.iteration == std::llround(times[next] / eta)) {
        r.deviations.push_back(
            relative_distance(EndToEndMap(*space, it.point->coords()).product(), x_ref[next]));
        ++next;
      }
      return CallbackResult::kContinue;
    });
    const Summary d = gradient_descent(training, w0, gd);
    r.iterations = d.iterations;
    finish(r, d.x, d.wall_seconds);
    runs.push_back(r);
  }

  std::printf(
      "Completion of a %ldx%ld rank-%ld matrix from %ld entries, depth %d, balanced start of scale "
      "%g, t in [0, %g]\n\n",
      static_cast<long>(s.size), static_cast<long>(s.size), static_cast<long>(s.rank),
      static_cast<long>(s.observations), s.depth, s.scale, s.horizon);
  std::printf("%-26s %-8s %8s %9s | %-22s | %-10s %-10s %-10s\n", "method", "step", "steps",
              "time [s]", "max |phi(W)-X(t)|/|X(t)|", "loss(T)", "test MSE", "|mu(T)|");
  for (const Run& r : runs) {
    double worst = 0.0;
    for (double v : r.deviations) worst = std::max(worst, v);
    std::printf("%-26s %-8s %8lld %9.3f | %-22.3e | %-10.3e %-10.3e %-10.3e\n", r.method.c_str(),
                r.step > 0 ? fmt::format("{:g}", r.step).c_str() : "adaptive",
                static_cast<long long>(r.iterations), r.seconds, worst, r.final_loss, r.test_mse,
                r.imbalance);
  }
  std::printf(
      "\nDescent deviates from the flow by O(step): halving the step halves the deviation.\n");
  // The claim this program demonstrates: the upstairs flow is the DLN flow.
  double upstairs = 0.0;
  for (double v : runs[1].deviations) upstairs = std::max(upstairs, v);
  if (!(upstairs <= 1e-8)) {
    std::fprintf(stderr, "factor_training: phi(W(t)) strayed %.3e from X(t) (expected <= 1e-8)\n",
                 upstairs);
    return 3;
  }

  if (!s.plot.empty()) {
    examples::Panel panel{
        "phi(W) against the DLN flow X(t)", "t", "|phi(W) - X(t)| / |X(t)|", false, true, {}};
    for (std::size_t i = 1; i < runs.size(); ++i) {
      std::vector<double> t(times.begin(),
                            times.begin() + static_cast<long>(runs[i].deviations.size()));
      const std::string title = runs[i].step > 0 ? fmt::format("descent, step {:g}", runs[i].step)
                                                 : "flow on the factors";
      panel.series.push_back({title, t, runs[i].deviations, ""});
    }
    examples::write_png(s.plot, {panel});
    std::printf("figure: %s\n", s.plot.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  CLI::App app{"Training the factors of a deep linear network vs the end-to-end DLN flow"};
  app.add_option("--size", s.size, "matrix size d (d x d)")->check(CLI::PositiveNumber);
  app.add_option("--rank", s.rank, "rank of the ground truth")->check(CLI::PositiveNumber);
  app.add_option("--observations", s.observations, "observed entries")->check(CLI::PositiveNumber);
  app.add_option("--depth", s.depth, "depth N of the network")->check(CLI::Range(1, 100));
  app.add_option("--scale", s.scale, "scale of the start X0")->check(CLI::PositiveNumber);
  app.add_option("--horizon", s.horizon, "final time T")->check(CLI::PositiveNumber);
  app.add_option("--steps", s.steps, "step sizes of gradient descent")->delimiter(',');
  app.add_option("--seed", s.seed, "random seed");
  app.add_option("--plot", s.plot, "PNG of the deviation along t (\"\" skips it)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    const double spacing = s.horizon / s.checkpoints;
    for (double eta : s.steps) {
      const double ratio = spacing / eta;
      if (!(eta > 0) || ratio < 1 || std::abs(ratio - std::round(ratio)) > 1e-9 * ratio)
        throw std::invalid_argument(fmt::format(
            "--steps: every step must divide the checkpoint spacing horizon/{} = {:g} (got {:g})",
            s.checkpoints, spacing, eta));
    }
    return run(s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "factor_training: %s\n", e.what());
    return 1;
  }
}
