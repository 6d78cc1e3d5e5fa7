// The balancing flows of docs/MATH.md §2 on random unbalanced factors: the regularizer's fiber
// flow Ẇ_p = μ_p W_p − W_p μ_{p−1}, and the Euclidean gradient flow of the squared moment map
// ½Σ‖μ_p‖² (Lindsey–Menon), whose field is twice the first.
//
// Both move inside the fiber φ⁻¹(φ(W₀)) (φ stays put to the integrator's tolerance) and drive the
// imbalance μ_p = W_{p+1}ᵀW_{p+1} − W_pW_pᵀ to zero exponentially; the first decreases
// R = ½Σ‖W_p‖² at rate Σ‖μ_p‖². The program prints ‖μ‖, R and the drift of φ along the
// regularizer's flow, both reports and fitted rates (the moment map's is twice the other where φ
// has full rank through equal widths: 2.007 on the default 4,4,4,4), and draws log ‖μ‖ against t
// for both in one figure.
//
//   balancing_flow [--widths 4,4,4,4] [--seed 1] [--tolerance 1e-10]
//                  [--plot balancing_flow.png]   (--plot "" skips the figure)
#include "riemopt/energies/balancing_flow.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <exception>

#include "common/gnuplot.hpp"
#include "riemopt/manifolds/balanced_factors.hpp"

namespace {

using namespace riemopt;

int run(const std::vector<Eigen::Index>& widths, std::uint64_t seed, double tolerance,
        const std::string& plot) {
  const auto space = std::make_shared<ParameterSpace>(widths);
  Rng rng(seed);
  const Vector w0 = space->random_point(rng);
  BalancingOptions options;
  options.flow.gradient_tolerance = tolerance;
  const BalancingResult r = balance_factors(space, w0, options);
  options.kind = BalancingFlow::kMomentMap;
  const BalancingResult m = balance_factors(space, w0, options);
  const Trajectory& t = r.summary.trajectory;
  std::printf("Balancing random factors on the %s\n\n", space->name().c_str());
  std::printf("%12s  %12s  %16s  %12s\n", "t", "|mu|", "R", "drift of phi");
  // About fifteen rows, evenly spread over the records.
  const std::size_t stride = std::max<std::size_t>(1, t.size() / 15);
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (i % stride != 0 && i + 1 != t.size()) continue;
    std::printf("%12.5g  %12.4e  %16.10f  %12.3e\n", t.times[i], t.gradient_norms[i], t.values[i],
                t.observables[i][0]);
  }
  std::printf("\n%s\n%s", r.report().c_str(), m.report().c_str());
  // Twice where every direction decays exponentially (φ of full rank through equal widths); on
  // rank-deficient shapes the slow directions end each run in a different regime.
  std::printf("rate of the moment map's flow / rate of the regularizer's: %.4f\n",
              m.decay_rate / r.decay_rate);
  std::printf("balanced to 1e-10 relative: %s\n",
              is_balanced(*space, r.factors, 1e-10) ? "yes" : "no");
  if (!plot.empty()) {
    examples::Panel panel{
        fmt::format("balancing flows, fitted rates {:.3g} and {:.3g}", r.decay_rate, m.decay_rate),
        "t",
        "|mu(t)|",
        false,
        true,
        {}};
    for (const BalancingResult* run : {&r, &m}) {
      std::vector<double> times, mu;
      const Trajectory& tr = run->summary.trajectory;
      for (std::size_t i = 0; i < tr.size(); ++i) {
        if (tr.times[i] <= 0.0) continue;
        times.push_back(tr.times[i]);
        mu.push_back(tr.observables[i][1]);
      }
      panel.series.push_back(
          {run->kind == BalancingFlow::kMomentMap ? "moment map" : "regularizer", times, mu, ""});
    }
    examples::write_png(plot, {panel});
    std::printf("figure: %s\n", plot.c_str());
  }
  return r.summary.is_success() && m.summary.is_success() ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Eigen::Index> widths = {4, 4, 4, 4};
  std::uint64_t seed = 1;
  double tolerance = 1e-10;
  std::string plot = "balancing_flow.png";
  CLI::App app{"The balancing flow of a deep linear network's factors"};
  app.add_option("--widths", widths, "widths d_0,...,d_N of the factors")->delimiter(',');
  app.add_option("--seed", seed, "random seed");
  app.add_option("--tolerance", tolerance, "stop when |mu| falls to this")
      ->check(CLI::PositiveNumber);
  app.add_option("--plot", plot, "PNG of |mu| against t (\"\" skips it)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    return run(widths, seed, tolerance, plot);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "balancing_flow: %s\n", e.what());
    return 1;
  }
}
