// Matrix completion under the Euclidean and the DLN geometry, from the same small start.
//
// A random rank-r matrix X* (unit-RMS entries) is observed on a uniformly random subset Ω. Both
// runs integrate the gradient flow of E(X) = ½Σ_Ω (X_ij − X*_ij)² from the same Gaussian-product
// start of scale `init`; only the metric differs (Euclidean: Ẋ = −∇E; DLN(N): Ẋ = −A_{N,X}(∇E)).
// The DLN flow's implicit bias towards low rank recovers X*; the Euclidean flow only fits Ω.
//
//   completion_geometries [--size 40] [--rank 2] [--fraction 0.4] [--depth 3] [--init 1e-3]
//                         [--seed 1] [--time 20] [--csv out.csv]
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "riemopt/atomic_file.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/matrix_statistics.hpp"
#include "riemopt/svd.hpp"

namespace {

struct Args {
  Eigen::Index size = 40;
  Eigen::Index rank = 2;
  double fraction = 0.4;
  int depth = 3;
  double init = 1e-3;
  std::uint64_t seed = 1;
  double time = 20.0;
  std::string csv;
};

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(stderr,
               "error: %s\nusage: completion_geometries [--size N] [--rank R] [--fraction F] "
               "[--depth N] [--init A] [--seed S] [--time T] [--csv FILE]\n",
               problem.c_str());
  std::exit(2);
}

double parse_number(const std::string& flag, const char* text) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0') usage(fmt::format("{} expects a number, got '{}'", flag, text));
  return v;
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") usage("help requested");
    if (i + 1 >= argc) usage(fmt::format("{} needs a value", flag));
    const char* value = argv[++i];
    if (flag == "--size")
      a.size = static_cast<Eigen::Index>(parse_number(flag, value));
    else if (flag == "--rank")
      a.rank = static_cast<Eigen::Index>(parse_number(flag, value));
    else if (flag == "--fraction")
      a.fraction = parse_number(flag, value);
    else if (flag == "--depth")
      a.depth = static_cast<int>(parse_number(flag, value));
    else if (flag == "--init")
      a.init = parse_number(flag, value);
    else if (flag == "--seed")
      a.seed = static_cast<std::uint64_t>(parse_number(flag, value));
    else if (flag == "--time")
      a.time = parse_number(flag, value);
    else if (flag == "--csv")
      a.csv = value;
    else
      usage(fmt::format("unknown option '{}'", flag));
  }
  if (!(a.fraction > 0.0 && a.fraction <= 1.0)) usage("--fraction must be in (0, 1]");
  if (!(a.time > 0.0)) usage("--time must be > 0");
  return a;
}

}  // namespace

int main(int argc, char** argv) try {
  using namespace riemopt;
  const Args args = parse(argc, argv);
  const auto observations = static_cast<Eigen::Index>(args.fraction * args.size * args.size);
  const CompletionInstance inst =
      make_completion_instance({args.size, args.size, args.rank, observations, args.seed});
  const auto loss = std::make_shared<MatrixCompletion>(args.size, args.size, inst.observed);
  const Vector x0 = gaussian_product_init(args.size, args.size, Depth::finite(args.depth),
                                          args.init, args.seed + 1);

  fmt::print(
      "Matrix completion: {}x{}, rank {}, {} observed entries ({:.0f}%), init scale {:g}, "
      "flow time {:g}\n\n",
      args.size, args.size, args.rank, observations, 100 * args.fraction, args.init, args.time);
  fmt::print("{:<12} {:>12} {:>12} {:>10} {:>12} {:>8} {:>8} {:>9}\n", "geometry", "test MSE",
             "train MSE", "eff. rank", "nuclear", "steps", "SVDs", "seconds");
  std::string csv = "geometry,test_mse,train_mse,effective_rank,nuclear_norm,steps,svds,seconds\n";
  for (const Geometry& geometry : {euclidean_matrices(args.size, args.size),
                                   dln_matrices(args.size, args.size, Depth::finite(args.depth))}) {
    const Problem problem(geometry, loss);
    GradientFlowOptions options;
    options.final_time = args.time;
    options.gradient_tolerance = 1e-9;
    options.trajectory.enabled = false;
    const Summary s = gradient_flow(problem, x0, options);
    const Matrix X = s.x.reshaped(args.size, args.size);
    Svd svd;
    compute_svd(X, svd);
    const double test = mean_squared_difference(X, inst.truth);
    const double train = loss->observed_mse(s.x);
    const double rank = effective_rank(svd.sigma);
    const double nuclear = nuclear_norm(svd.sigma);
    const std::string name = geometry.metric->name();
    fmt::print("{:<12} {:>12.4e} {:>12.4e} {:>10.3f} {:>12.4f} {:>8} {:>8} {:>9.3f}\n", name, test,
               train, rank, nuclear, s.iterations, s.svd_count, s.wall_seconds);
    csv += fmt::format("{},{:.10g},{:.10g},{:.10g},{:.10g},{},{},{:.6f}\n", name, test, train, rank,
                       nuclear, s.iterations, s.svd_count, s.wall_seconds);
    if (!s.is_success()) fmt::print("  ({}: {})\n", to_string(s.status), s.message);
  }
  fmt::print(
      "\nTrue rank {}: the DLN geometry's bias toward low rank recovers the matrix; the\n"
      "Euclidean flow fits the observed entries and leaves the rest near the start.\n",
      args.rank);
  if (!args.csv.empty()) write_file_atomically(args.csv, csv);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
