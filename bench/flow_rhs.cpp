// Google Benchmark: what one right-hand side of the DLN free-energy flow costs.
//
//   rhs/d:D/N:K      one evaluation of the flow field on a d×d matrix: completion loss (rank 5,
//                    20% observed) minus the depth-K DLN entropy / β, under the depth-K DLN
//                    metric (Problem::evaluate_field, as the gradient flow calls it, at a moved
//                    point: SVD, energy, A_{N,X}, norm)
//   loss/d:D         the same without the entropy: the flagship's flow (completion loss alone,
//                    depth-3 DLN metric)
//   svd/lapack/d:D   one LAPACK dgesdd of the same matrix (the floor of the RHS)
//   svd/eigen/d:D    Eigen's BDCSVD (the fallback backend)
//   rhs-one-part/d:D/N:4  the same through Problem::evaluate (∇E formed in full, as line
//                    searches and Newton need it): one d×d product more
//   sharp/d:D        the depth-4 metric A_{N,X}(Z) = U(H∘(UᵀZV))Vᵀ at a point whose SVD and
//                    weights are cached: its four d×d products. dgesdd + this is the floor of
//                    any RHS that takes an SVD and returns a dense d×d field
//   rect/m:M/n:N     the flagship's loss-only RHS on an M×N matrix (depth-3 DLN metric): the
//                    rectangular branch of A_{N,X}, whose allocation count must be 0 too
//   factors/d:D/N:K  the gradient of the same loss on the parameter space (K factor matrices):
//                    the parameter-space cost grows with K, the end-to-end one does not
//   deep-factors/d:D/N:3  the same gradient from the observed entries (DeepFactorCompletion, at a
//                    moved point): three d×d products and two passes over Ω; against
//   dgemm/d:D        one d×d×d BLAS product (the floor: the factor RHS ≤ 1.2 × 3 of these)
//   deep-factors/movielens  the narrow RHS at MovieLens-1M size: 6040×3706, 900,188 observed
//                    entries, width 32, depth 3
//   langevin/d:D     20 MALA steps of ½‖X‖² − S_4/β under the depth-4 DLN metric (langevin.hpp):
//                    one SVD per step, and the step's cost against one dgesdd
//
// Counters per iteration: svds (SVDs performed) and allocs (heap allocations, counted by the
// malloc interposition below). After the runs a table prints the ratios of the targets in
// docs/BENCHMARKS.md:
// RHS / dgesdd per d (≤ 1.3; also for the flagship's loss-only RHS, and the floor
// (dgesdd + sharp) / dgesdd), the growth of both with d
// (d³), RHS at N = 64 and ∞ / RHS at N = 2 (≤ 1.2), Eigen / LAPACK.
//
//   flow_rhs [--benchmark_min_time=0.2] [--benchmark_filter=rhs]
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dense_product.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/deep_factor_completion.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/pulled_back_energy.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/langevin.hpp"
#include "riemopt/manifolds/balanced_factors.hpp"
#include "riemopt/manifolds/dln_metric.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/manifolds/parameter_space.hpp"
#include "riemopt/problem.hpp"
#include "riemopt/svd.hpp"

// ---- heap allocations, counted by interposing glibc's allocator --------------------------------
// Eigen allocates through malloc (not operator new), so the count has to be taken here.
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void __libc_free(void* p);
}

namespace {
std::atomic<std::uint64_t> g_allocations{0};
void count_allocation() { g_allocations.fetch_add(1, std::memory_order_relaxed); }
}  // namespace

extern "C" {
void* malloc(std::size_t size) noexcept {
  count_allocation();
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  count_allocation();
  return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size) noexcept {
  count_allocation();
  return __libc_realloc(p, size);
}
void free(void* p) noexcept { __libc_free(p); }
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
  count_allocation();
  *out = __libc_memalign(alignment, size);
  return *out != nullptr ? 0 : ENOMEM;
}
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  count_allocation();
  return __libc_memalign(alignment, size);
}
void* memalign(std::size_t alignment, std::size_t size) noexcept {
  count_allocation();
  return __libc_memalign(alignment, size);
}
}

namespace {

using namespace riemopt;

constexpr double kBeta = 50.0;

Depth depth_of(int n) { return n == 0 ? Depth::infinite() : Depth::finite(n); }
std::string depth_label(int n) { return n == 0 ? "inf" : std::to_string(n); }

Matrix test_matrix(Eigen::Index rows, Eigen::Index cols) {
  Rng rng(static_cast<std::uint64_t>(rows * 7919 + cols));
  return gaussian_vector(rows * cols, rng).reshaped(rows, cols) /
         std::sqrt(static_cast<double>(std::max(rows, cols)));
}
Matrix test_matrix(Eigen::Index d) { return test_matrix(d, d); }

std::shared_ptr<MatrixCompletion> completion_loss(Eigen::Index rows, Eigen::Index cols) {
  const auto inst = make_completion_instance(
      {.rows = rows, .cols = cols, .rank = 5, .observations = rows * cols / 5, .seed = 1});
  return std::make_shared<MatrixCompletion>(rows, cols, inst.observed);
}
std::shared_ptr<MatrixCompletion> completion_loss(Eigen::Index d) { return completion_loss(d, d); }

// Per-iteration counters of SVDs and allocations over the timed loop.
struct Counters {
  std::uint64_t svds = svd_count();
  std::uint64_t allocations = g_allocations.load();
  void report(benchmark::State& state) const {
    const auto per = [&state](double total) {
      return benchmark::Counter(total, benchmark::Counter::kAvgIterations);
    };
    state.counters["svds"] = per(static_cast<double>(svd_count() - svds));
    state.counters["allocs"] = per(static_cast<double>(g_allocations.load() - allocations));
  }
};

// Which evaluation: the flow's (∇E in two parts) or the one-part one of the other solvers.
enum class Path { kField, kOnePart };

// One evaluation of the flow field at a moved point (its cached SVD dropped).
void evaluate_moved(benchmark::State& state, const Problem& problem, Eigen::Index rows,
                    Eigen::Index cols, Path path = Path::kField) {
  const Vector x = test_matrix(rows, cols).reshaped();
  const Vector moved = x * (1.0 + 1e-12);
  Point point(x, rows, cols);
  Problem::Evaluation e;
  const auto evaluate = [&] {
    if (path == Path::kField)
      problem.evaluate_field(point, e);
    else
      problem.evaluate(point, e);
  };
  evaluate();  // sizes the buffers, as a running solver has
  bool flip = false;
  Counters counters;
  for (auto _ : state) {
    point.assign((flip = !flip) ? moved : x);  // a new point: the cached SVD is dropped
    evaluate();
    benchmark::DoNotOptimize(e.gradient.data());
  }
  counters.report(state);
}

void rhs(benchmark::State& state, Eigen::Index d, int n, Path path = Path::kField) {
  evaluate_moved(
      state,
      Problem(dln_matrices(d, d, depth_of(n)),
              free_energy(completion_loss(d), std::make_shared<MatrixEntropy>(depth_of(n)), kBeta)),
      d, d, path);
}

void loss_only(benchmark::State& state, Eigen::Index rows, Eigen::Index cols) {
  evaluate_moved(state,
                 Problem(dln_matrices(rows, cols, Depth::finite(3)), completion_loss(rows, cols)),
                 rows, cols);
}

void svd(benchmark::State& state, Eigen::Index d, SvdBackend backend) {
  const Matrix x = test_matrix(d);
  Svd out;
  compute_svd(x, out, backend);
  Counters counters;
  for (auto _ : state) {
    compute_svd(x, out, backend);
    benchmark::DoNotOptimize(out.sigma.data());
  }
  counters.report(state);
}

void sharp_cached(benchmark::State& state, Eigen::Index d) {
  const DlnMetric metric(Depth::finite(4));
  const Point point(test_matrix(d).reshaped(), d, d);
  const Vector z = test_matrix(d + 1).topLeftCorner(d, d).reshaped();
  Vector out(d * d);
  metric.sharp(point, z, out);  // the SVD and the weights H are cached from here on
  Counters counters;
  for (auto _ : state) {
    metric.sharp(point, z, out);
    benchmark::DoNotOptimize(out.data());
  }
  counters.report(state);
}

void factors(benchmark::State& state, Eigen::Index d, int n) {
  const auto space = std::make_shared<ParameterSpace>(ParameterSpace::square(d, n));
  const PulledBackEnergy loss(completion_loss(d), space);
  Rng rng(3);
  const Vector w = balanced_factorization(*space, test_matrix(d), rng);
  const Point point(w);
  Vector gradient = Vector::Zero(w.size());
  Counters counters;
  for (auto _ : state) {
    gradient.setZero();
    loss.add_gradient(point, 1.0, gradient);
    benchmark::DoNotOptimize(gradient.data());
  }
  counters.report(state);
}

// The DeepFactorCompletion gradient at a moved point (the workspace keeps the residuals of an
// unmoved point, which a running flow never sees).
void deep_factors(benchmark::State& state, Eigen::Index rows, Eigen::Index cols, Eigen::Index width,
                  Eigen::Index observations) {
  std::vector<Eigen::Index> widths = {cols, width, width, rows};
  const auto space = std::make_shared<ParameterSpace>(widths);
  CompletionInstanceOptions options{rows, cols, 5, observations, 1};
  options.form_truth = false;
  const DeepFactorCompletion loss(space, make_completion_instance(options).observed);
  Rng rng(3);
  const Vector w = space->random_point(rng);
  const Vector moved = w * (1.0 + 1e-12);
  Point point(w);
  Vector gradient = Vector::Zero(w.size());
  bool flip = false;
  Counters counters;
  for (auto _ : state) {
    point.assign((flip = !flip) ? moved : w);
    gradient.setZero();
    loss.add_gradient(point, 1.0, gradient);
    benchmark::DoNotOptimize(gradient.data());
  }
  counters.report(state);
}

void dgemm(benchmark::State& state, Eigen::Index d) {
  const Matrix a = test_matrix(d), b = test_matrix(d + 1).topLeftCorner(d, d);
  Matrix c(d, d);
  Counters counters;
  for (auto _ : state) {
    detail::dense_product(a, detail::Op::kNone, b, detail::Op::kNone, c);
    benchmark::DoNotOptimize(c.data());
  }
  counters.report(state);
}

// kLangevinSteps MALA steps of the depth-4 DLN free energy ½‖X‖² − S_4/β on d×d matrices (one
// langevin_sample call; its start costs one SVD more).
constexpr std::int64_t kLangevinSteps = 20;
void langevin(benchmark::State& state, Eigen::Index d) {
  const Problem problem(dln_matrices(d, d, Depth::finite(4)),
                        free_energy(std::make_shared<SchattenEnergy>(2.0),
                                    std::make_shared<MatrixEntropy>(Depth::finite(4)), 1.0));
  const Vector x0 = test_matrix(d).reshaped();
  LangevinOptions options;
  options.scheme = LangevinScheme::kMala;
  options.step_size = 1e-4;
  options.samples = kLangevinSteps;
  options.observable = [](const Point&) { return Vector(); };
  Counters counters;
  for (auto _ : state) {
    const LangevinResult run = langevin_sample(problem, x0, options);
    benchmark::DoNotOptimize(run.final_point.data());
  }
  counters.report(state);
}

// Keeps every run's time and counters for the ratio table, and prints the usual console lines.
class RatioReporter final : public benchmark::ConsoleReporter {
 public:
  // Plain text (no colour codes), so the output can be pasted into docs/BENCHMARKS.md.
  RatioReporter() : ConsoleReporter(OO_Tabular) {}
  struct Result {
    double microseconds = 0.0;
    double svds = 0.0, allocs = 0.0;
  };
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      Result r;
      r.microseconds = run.GetAdjustedRealTime() *
                       benchmark::GetTimeUnitMultiplier(benchmark::kMicrosecond) /
                       benchmark::GetTimeUnitMultiplier(run.time_unit);
      if (run.counters.count("svds")) r.svds = run.counters.at("svds");
      if (run.counters.count("allocs")) r.allocs = run.counters.at("allocs");
      results[run.benchmark_name()] = r;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  const Result* find(const std::string& name) const {
    const auto it = results.find(name);
    return it == results.end() ? nullptr : &it->second;
  }
  std::map<std::string, Result> results;
};

const std::vector<Eigen::Index> kSizes = {50, 100, 200, 400, 800};
constexpr Eigen::Index kLargestEigenSize = 400;  // Eigen's SVD at 800 only slows the run
const std::vector<int> kDepths = {2, 4, 64, 0};  // 0 = infinite depth
const std::vector<std::pair<Eigen::Index, Eigen::Index>> kRectangularShapes = {{150, 100},
                                                                               {100, 150}};

std::string rhs_name(Eigen::Index d, int n) {
  return fmt::format("rhs/d:{}/N:{}", d, depth_label(n));
}

void print_ratios(const RatioReporter& r) {
  fmt::print("\nTarget 1: one decomposition per step (completion + entropy, depth 4)\n");
  fmt::print("{:>5} {:>12} {:>12} {:>10} {:>8} {:>10} {:>14} {:>12} {:>10} {:>12}\n", "d", "RHS us",
             "dgesdd us", "RHS/SVD", "SVDs", "allocs", "Eigen/LAPACK", "loss/SVD", "floor",
             "1-part/SVD");
  for (Eigen::Index d : kSizes) {
    const auto* rhs = r.find(rhs_name(d, 4));
    const auto* lapack = r.find(fmt::format("svd/lapack/d:{}", d));
    const auto* eigen = r.find(fmt::format("svd/eigen/d:{}", d));
    const auto* loss = r.find(fmt::format("loss/d:{}", d));
    const auto* sharp = r.find(fmt::format("sharp/d:{}", d));
    const auto* one_part = r.find(fmt::format("rhs-one-part/d:{}/N:4", d));
    if (!rhs || !lapack) continue;
    const auto ratio = [lapack](const RatioReporter::Result* x) {
      return x ? fmt::format("{:.2f}", x->microseconds / lapack->microseconds) : "-";
    };
    fmt::print(
        "{:>5} {:>12.1f} {:>12.1f} {:>10.2f} {:>8.2f} {:>10.1f} {:>14} {:>12} {:>10} {:>12}\n", d,
        rhs->microseconds, lapack->microseconds, rhs->microseconds / lapack->microseconds,
        rhs->svds, rhs->allocs, ratio(eigen), ratio(loss),
        sharp ? fmt::format("{:.2f}", 1.0 + sharp->microseconds / lapack->microseconds) : "-",
        ratio(one_part));
  }
  fmt::print("\nFactor RHS from the observed entries (depth 3) vs the 3 dgemm it makes\n");
  fmt::print("{:>5} {:>12} {:>12} {:>14} {:>8}\n", "d", "RHS us", "dgemm us", "RHS/(3 dgemm)",
             "allocs");
  for (Eigen::Index d : {Eigen::Index{50}, Eigen::Index{100}, Eigen::Index{200}}) {
    const auto* f = r.find(fmt::format("deep-factors/d:{}/N:3", d));
    const auto* g = r.find(fmt::format("dgemm/d:{}", d));
    if (!f || !g) continue;
    fmt::print("{:>5} {:>12.1f} {:>12.1f} {:>14.2f} {:>8.1f}\n", d, f->microseconds,
               g->microseconds, f->microseconds / (3.0 * g->microseconds), f->allocs);
  }
  if (const auto* ml = r.find("deep-factors/movielens"))
    fmt::print(
        "MovieLens-1M size (6040x3706, 900188 entries, width 32, depth 3): {:.1f} ms per "
        "RHS, {:.1f} allocations\n",
        ml->microseconds / 1000.0, ml->allocs);
  fmt::print("\nLangevin: one MALA step (depth-4 free energy on d x d matrices) vs one dgesdd\n");
  fmt::print("{:>5} {:>12} {:>12} {:>10} {:>12}\n", "d", "step us", "dgesdd us", "step/SVD",
             "SVDs/step");
  for (Eigen::Index d : kSizes) {
    const auto* step = r.find(fmt::format("langevin/d:{}", d));
    const auto* lapack = r.find(fmt::format("svd/lapack/d:{}", d));
    if (!step || !lapack) continue;
    const double per_step = step->microseconds / kLangevinSteps;
    fmt::print("{:>5} {:>12.1f} {:>12.1f} {:>10.2f} {:>12.2f}\n", d, per_step, lapack->microseconds,
               per_step / lapack->microseconds, step->svds / kLangevinSteps);
  }
  fmt::print("\nRectangular RHS (completion, depth-3 DLN metric): SVDs and allocations per RHS\n");
  fmt::print("{:>5} {:>5} {:>12} {:>8} {:>10}\n", "m", "n", "RHS us", "SVDs", "allocs");
  for (const auto& [m, n] : kRectangularShapes)
    if (const auto* x = r.find(fmt::format("rect/m:{}/n:{}", m, n)))
      fmt::print("{:>5} {:>5} {:>12.1f} {:>8.2f} {:>10.1f}\n", m, n, x->microseconds, x->svds,
                 x->allocs);
  fmt::print("\nTarget 4: scaling, local exponent log(t(d)/t(d/2)) / log 2 (the SVD's is 3)\n");
  fmt::print("{:>5} {:>12} {:>12}\n", "d", "RHS", "dgesdd");
  for (std::size_t i = 1; i < kSizes.size(); ++i) {
    const auto* rhs0 = r.find(rhs_name(kSizes[i - 1], 4));
    const auto* rhs1 = r.find(rhs_name(kSizes[i], 4));
    const auto* svd0 = r.find(fmt::format("svd/lapack/d:{}", kSizes[i - 1]));
    const auto* svd1 = r.find(fmt::format("svd/lapack/d:{}", kSizes[i]));
    if (!rhs0 || !rhs1 || !svd0 || !svd1) continue;
    const double ratio = std::log(static_cast<double>(kSizes[i]) / kSizes[i - 1]);
    fmt::print("{:>5} {:>12.2f} {:>12.2f}\n", kSizes[i],
               std::log(rhs1->microseconds / rhs0->microseconds) / ratio,
               std::log(svd1->microseconds / svd0->microseconds) / ratio);
  }
  fmt::print("\nTarget 2: depth independence (RHS at N / RHS at N = 2; factors: K matrices)\n");
  fmt::print("{:>5} {:>6} {:>12} {:>10} {:>14} {:>10}\n", "d", "N", "RHS us", "ratio", "factors us",
             "ratio");
  for (Eigen::Index d : {Eigen::Index{100}, Eigen::Index{200}}) {
    const auto* base = r.find(rhs_name(d, 2));
    const auto* fbase = r.find(fmt::format("factors/d:{}/N:2", d));
    for (int n : kDepths) {
      const auto* x = r.find(rhs_name(d, n));
      const auto* f = r.find(fmt::format("factors/d:{}/N:{}", d, depth_label(n)));
      if (!x || !base) continue;
      fmt::print("{:>5} {:>6} {:>12.1f} {:>10.2f} {:>14} {:>10}\n", d, depth_label(n),
                 x->microseconds, x->microseconds / base->microseconds,
                 f ? fmt::format("{:.1f}", f->microseconds) : "-",
                 f && fbase ? fmt::format("{:.2f}", f->microseconds / fbase->microseconds) : "-");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (Eigen::Index d : kSizes) {
    benchmark::RegisterBenchmark(fmt::format("svd/lapack/d:{}", d).c_str(),
                                 [d](benchmark::State& s) { svd(s, d, SvdBackend::kLapack); });
    if (d <= kLargestEigenSize)
      benchmark::RegisterBenchmark(fmt::format("svd/eigen/d:{}", d).c_str(),
                                   [d](benchmark::State& s) { svd(s, d, SvdBackend::kEigen); });
    benchmark::RegisterBenchmark(rhs_name(d, 4).c_str(),
                                 [d](benchmark::State& s) { rhs(s, d, 4); });
    benchmark::RegisterBenchmark(fmt::format("rhs-one-part/d:{}/N:4", d).c_str(),
                                 [d](benchmark::State& s) { rhs(s, d, 4, Path::kOnePart); });
    benchmark::RegisterBenchmark(fmt::format("loss/d:{}", d).c_str(),
                                 [d](benchmark::State& s) { loss_only(s, d, d); });
    benchmark::RegisterBenchmark(fmt::format("sharp/d:{}", d).c_str(),
                                 [d](benchmark::State& s) { sharp_cached(s, d); });
    if (d <= 200)
      benchmark::RegisterBenchmark(fmt::format("langevin/d:{}", d).c_str(),
                                   [d](benchmark::State& s) { langevin(s, d); });
  }
  for (Eigen::Index d : {Eigen::Index{100}, Eigen::Index{200}}) {
    for (int n : kDepths) {
      if (n != 4)
        benchmark::RegisterBenchmark(rhs_name(d, n).c_str(),
                                     [d, n](benchmark::State& s) { rhs(s, d, n); });
      if (n != 0)
        benchmark::RegisterBenchmark(fmt::format("factors/d:{}/N:{}", d, n).c_str(),
                                     [d, n](benchmark::State& s) { factors(s, d, n); });
    }
  }
  for (Eigen::Index d : {Eigen::Index{50}, Eigen::Index{100}, Eigen::Index{200}}) {
    benchmark::RegisterBenchmark(fmt::format("deep-factors/d:{}/N:3", d).c_str(),
                                 [d](benchmark::State& s) { deep_factors(s, d, d, d, d * d / 5); });
    benchmark::RegisterBenchmark(fmt::format("dgemm/d:{}", d).c_str(),
                                 [d](benchmark::State& s) { dgemm(s, d); });
  }
  benchmark::RegisterBenchmark("deep-factors/movielens", [](benchmark::State& s) {
    deep_factors(s, 6040, 3706, 32, 900188);
  });
  for (const auto& shape : kRectangularShapes) {
    const Eigen::Index m = shape.first, n = shape.second;  // a lambda captures variables only
    benchmark::RegisterBenchmark(fmt::format("rect/m:{}/n:{}", m, n).c_str(),
                                 [m, n](benchmark::State& s) { loss_only(s, m, n); });
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  if (!lapack_available()) {
    fmt::print(stderr, "flow_rhs: the library was built without LAPACK; svd/lapack cannot run\n");
    return 1;
  }
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_ratios(reporter);
  benchmark::Shutdown();
  return 0;
}
