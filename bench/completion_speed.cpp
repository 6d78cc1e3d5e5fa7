// Wall time of the flagship completion run, measured in one process on one instance:
//   * the library's depth-3 DLN gradient flow (end-to-end, X(t) ∈ R^{100×100}) with
//     Dormand–Prince (default tolerances), Runge–Kutta–Chebyshev (rtol 1e-3, 1e-4) and the
//     Rosenbrock W-method (rtol 1e-2, 1e-3), and
//   * plain gradient descent on the three factor matrices W3 W2 W1 (the training Arora et al.
//     run), at each step size of a doubling grid, to find the largest stable one,
// all from the same Gaussian-product start (the factors' product is the flow's X0), all stopped
// at test MSE ≤ 1e-4. Then each integrator again to the fixed time T where Dormand–Prince met
// the target, against a Dormand–Prince reference at rtol 1e-11: the relative error of σ_1..σ_5
// and of X at T. Prints the tables; docs/BENCHMARKS.md records them.
//
//   completion_speed [--observations 2000] [--seed 1] [--target 1e-4] [--depth 3]
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <Eigen/SVD>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <vector>

#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/matrix_statistics.hpp"

namespace {

using namespace riemopt;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct GdResult {
  double step = 0.0;
  long iterations = 0;
  double seconds = 0.0;
  double test_mse = 0.0;
  std::string status;
};

// Gradient descent on E(W_N⋯W_1) = ½Σ_Ω (X_ij − M_ij)², products reused (prefix/suffix).
GdResult factor_gradient_descent(std::vector<Matrix> w, const std::vector<Observation>& obs,
                                 const Matrix& truth, double step, double target,
                                 long max_iterations) {
  const auto n = static_cast<int>(w.size());
  const auto start = Clock::now();
  std::vector<Matrix> prefix(n + 1), suffix(n + 1);  // prefix[p] = W_p⋯W_1, suffix[p] = W_N⋯W_{p+1}
  Matrix g = Matrix::Zero(truth.rows(), truth.cols());
  GdResult r{step, 0, 0.0, 0.0, "iteration budget spent"};
  for (long k = 0; k < max_iterations; ++k) {
    prefix[1] = w[0];
    for (int p = 1; p < n; ++p) prefix[p + 1].noalias() = w[p] * prefix[p];
    const Matrix& x = prefix[n];
    r.test_mse = mean_squared_difference(x, truth);
    if (!std::isfinite(r.test_mse) || r.test_mse > 1e6) {
      r.status = "diverged";
      break;
    }
    if (r.test_mse <= target) {
      r.status = "reached target";
      break;
    }
    for (const Observation& o : obs) g(o.row, o.col) = x(o.row, o.col) - o.value;
    suffix[n - 1] = w[n - 1];
    for (int p = n - 2; p >= 1; --p) suffix[p].noalias() = suffix[p + 1] * w[p];
    // ∇_{W_p} = (W_N⋯W_{p+1})ᵀ G (W_{p−1}⋯W_1)ᵀ, without products by identities (p = 1, N).
    w[0].noalias() -= step * (suffix[1].transpose() * g);
    for (int p = 1; p + 1 < n; ++p)
      w[p].noalias() -= step * (suffix[p + 1].transpose() * g * prefix[p].transpose());
    w[n - 1].noalias() -= step * (g * prefix[n - 1].transpose());
    r.iterations = k + 1;
  }
  r.seconds = seconds_since(start);
  return r;
}

}  // namespace

int main(int argc, char** argv) try {
  Eigen::Index observations = 2000;
  std::uint64_t seed = 1;
  double target = 1e-4;
  int depth = 3;
  CLI::App app{"Flagship completion: DLN flow vs factor gradient descent, same instance and start"};
  app.add_option("--observations", observations, "Observed entries (default 2000)");
  app.add_option("--seed", seed, "Instance and start seed (default 1)");
  app.add_option("--target", target, "Stop at this test MSE (default 1e-4)");
  app.add_option("--depth", depth, "Depth N >= 2 (default 3)");
  CLI11_PARSE(app, argc, argv);

  const Eigen::Index d = 100;
  const CompletionInstance inst = make_completion_instance({d, d, 5, observations, seed});
  // The Gaussian-product start of Arora et al.: factors of std α^{1/N}/√d, α = 1e-3.
  Rng rng(seed + 100);
  const double std_dev = std::pow(1e-3, 1.0 / depth) / std::sqrt(static_cast<double>(d));
  std::vector<Matrix> factors;
  for (int p = 0; p < depth; ++p)
    factors.push_back(std_dev * gaussian_vector(d * d, rng).reshaped(d, d));
  Matrix x0 = factors[0];
  for (int p = 1; p < depth; ++p) x0 = factors[p] * x0;

  fmt::print(
      "Instance: {0}x{0}, rank 5, {1} observations, seed {2}; start: product of {3} "
      "Gaussian factors, scale 1e-3; stop at test MSE <= {4:g}\n\n",
      d, observations, seed, depth, target);
  fmt::print("{:<44} {:>10} {:>12} {:>10} {:>12}  {}\n", "method", "step", "iterations", "seconds",
             "test MSE", "status");

  // The end-to-end DLN flow (Dormand–Prince, default tolerances).
  const Problem problem(dln_matrices(d, d, Depth::finite(depth)),
                        std::make_shared<MatrixCompletion>(d, d, inst.observed));
  // Each integrator stops at the target through the same test-MSE callback; with a finite
  // `final_time` it runs to that time instead (the accuracy table below).
  auto run_flow = [&](Integrator integrator, double rtol, double atol, double final_time) {
    GradientFlowOptions options;
    options.integrator = integrator;
    options.relative_tolerance = rtol;
    options.absolute_tolerance = atol;
    options.gradient_tolerance = 1e-12;  // the test-MSE callback is what stops it
    options.final_time = final_time;
    options.trajectory.enabled = false;
    options.max_wall_seconds = 600;
    if (!std::isfinite(final_time))
      options.callbacks.push_back([&](const IterationInfo& info) {
        return mean_squared_difference(info.point->matrix(), inst.truth) <= target
                   ? CallbackResult::kAbort
                   : CallbackResult::kContinue;
      });
    return gradient_flow(problem, x0.reshaped(), options);
  };
  struct Config {
    Integrator integrator;
    double rtol, atol;
  };
  const std::vector<Config> configs = {{Integrator::kDormandPrince, 1e-8, 1e-10},  // the defaults
                                       {Integrator::kRungeKuttaChebyshev, 1e-3, 1e-6},
                                       {Integrator::kRungeKuttaChebyshev, 1e-4, 1e-8},
                                       {Integrator::kRosenbrock, 1e-2, 1e-5},
                                       {Integrator::kRosenbrock, 1e-3, 1e-6}};
  std::vector<Summary> runs;
  for (const Config& c : configs) {
    const Summary& flow = runs.emplace_back(run_flow(c.integrator, c.rtol, c.atol, INFINITY));
    fmt::print(
        "{:<44} {:>10} {:>12} {:>10.3f} {:>12.3e}  {} (t = {:.3g}, {} RHS, {} SVDs{})\n",
        fmt::format("DLN({}) flow, {} rtol {:g}", depth, to_string(c.integrator), c.rtol),
        "adaptive", flow.iterations, flow.wall_seconds,
        mean_squared_difference(flow.x.reshaped(d, d), inst.truth),
        flow.status == TerminationStatus::kUserAbort ? "reached target" : to_string(flow.status),
        flow.final_time, flow.rhs_evaluations, flow.svd_count,
        flow.linear_iterations > 0 ? fmt::format(", {} CG iterations", flow.linear_iterations)
                                   : std::string());
  }
  const Summary& flow = runs[0];

  // Factor gradient descent over a doubling grid of step sizes.
  double best_seconds = INFINITY, best_step = 0.0;
  for (double step = 1e-4; step <= 0.1; step *= 2.0) {
    const GdResult r =
        factor_gradient_descent(factors, inst.observed, inst.truth, step, target, 2'000'000);
    fmt::print("{:<44} {:>10.3g} {:>12} {:>10.3f} {:>12.3e}  {}\n",
               fmt::format("gradient descent on {} factors", depth), r.step, r.iterations,
               r.seconds, r.test_mse, r.status);
    if (r.status == "reached target" && r.seconds < best_seconds) {
      best_seconds = r.seconds;
      best_step = r.step;
    }
    if (r.status == "diverged") break;
  }
  if (std::isfinite(best_seconds)) {
    fmt::print("\nwall time / fastest stable gradient descent (step {:.3g}, {:.3f} s):\n",
               best_step, best_seconds);
    for (std::size_t i = 0; i < configs.size(); ++i)
      fmt::print("  {:<10} rtol {:<8g} {:.2f}x\n", to_string(configs[i].integrator),
                 configs[i].rtol, runs[i].wall_seconds / best_seconds);
  }

  // Accuracy: every integrator again, now to the fixed time T at which Dormand–Prince reached the
  // target, against a tight-tolerance Dormand–Prince reference at T.
  const double horizon = flow.final_time;
  const Summary reference = run_flow(Integrator::kDormandPrince, 1e-11, 1e-15, horizon);
  const Vector sigma_ref = Eigen::JacobiSVD<Matrix>(reference.x.reshaped(d, d)).singularValues();
  fmt::print(
      "\nAccuracy at t = {:.6g} against Dormand-Prince rtol 1e-11 ({} RHS): relative error of "
      "sigma_1..sigma_5, and of X\n",
      horizon, reference.rhs_evaluations);
  fmt::print("{:<30} {:>8} {:>12} {:>12}\n", "integrator", "RHS", "max sigma", "X (Frob.)");
  for (const Config& c : configs) {
    const Summary r = run_flow(c.integrator, c.rtol, c.atol, horizon);
    const Vector sigma = Eigen::JacobiSVD<Matrix>(r.x.reshaped(d, d)).singularValues();
    const double sigma_error =
        ((sigma.head(5) - sigma_ref.head(5)).array().abs() / sigma_ref.head(5).array()).maxCoeff();
    fmt::print("{:<30} {:>8} {:>12.2e} {:>12.2e}\n",
               fmt::format("{} rtol {:g}", to_string(c.integrator), c.rtol), r.rhs_evaluations,
               sigma_error, (r.x - reference.x).norm() / reference.x.norm());
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "completion_speed: error: %s\n", e.what());
  return 1;
}
