// One matrix-completion experiment as a library call: the gradient flow of the completion loss
// (optionally minus β⁻¹ times the DLN entropy) under the Euclidean or DLN geometry, from the
// Arora et al. start, with the metrics of docs/MATH.md §6 measured on the result and along the way.
//
//   riemopt::CompletionFlowOptions options;          // DLN depth 3, init 1e-3 (defaults below)
//   options.target_test_mse = 1e-4;                  // stop where ‖X − X*‖²/(mn) = 1e-4
//   auto r = riemopt::complete_by_flow(100, 100, observed, &truth, options);
//   fmt::print("{}  test MSE {:.3e}  rank {:.2f}\n", r.summary.BriefReport(),
//              r.metrics.test_mse, r.metrics.effective_rank);
//   r.summary.trajectory.write_csv("trajectory.csv");   // time, E, |grad|, train/test MSE, σ_k
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "riemopt/ceres_solvers.hpp"
#include "riemopt/conjugate_gradient.hpp"
#include "riemopt/depth.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/gradient_descent.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/lbfgs.hpp"
#include "riemopt/manifolds/factored_product.hpp"
#include "riemopt/newton.hpp"
#include "riemopt/trust_region.hpp"

namespace riemopt {

enum class CompletionGeometry { kEuclidean, kDln };
// Which solver runs the experiment. All stop on the same targets (train/test MSE, gradient
// tolerance, budgets: the SolverOptions part of `flow`); only the flow has a time axis in t.
// kCeresLeastSquares (Levenberg–Marquardt on the observed residuals) needs β = ∞ (the entropy is
// not a sum of squares) and forms dense Jacobians (see CeresLeastSquaresOptions).
enum class CompletionSolver {
  kFlow,
  kGradientDescent,
  kNewton,
  kTrustRegion,
  kCeresLbfgs,
  kCeresLeastSquares,
  kConjugateGradient,  // the library's Riemannian CG (any geometry)
  kLbfgs,              // the library's Riemannian L-BFGS (any geometry)
};
enum class CompletionInit {
  kGaussianProduct,  // Arora et al.: W_K⋯W_1, Gaussian factors of std scale^{1/K}/√n
  kScaledIdentity,   // scale·I (the rectangular identity when rows ≠ cols)
};

// Where the DLN flow runs (docs/MATH.md §2). kMatrix integrates Ẋ = −A_{N,X}(∇E) on matrices:
// one SVD per right-hand side, whatever the depth. kFactors integrates the Euclidean gradient flow
// of E∘φ on the balanced factorization W = (W_1, …, W_N) of the start: from a balanced start it
// stays balanced and φ(W(t)) = X(t), so it is the same flow, computed with 3N − 3 matrix products
// per right-hand side and no SVD (unless the entropy needs one). It needs the DLN geometry, a
// finite depth and the flow solver with an integrator other than Rosenbrock. kAuto takes kFactors
// where it applies and was measured to be faster and as accurate as the matrix path at the command
// line's tolerances: no entropy and depth ≤ kMaxAutoFactorDepth (docs/BENCHMARKS.md, "Where a run
// stops": the factors are 2–16× faster at depths 2–8, and at depths 3–6 both paths' stopping
// test MSE is within 1.5 % of a tight reference). At depth 8 the flagship's flow from the default
// start runs away (σ₁ → 500, reported as kDiverged) on the factors and on the matrix path with
// Rosenbrock, or with RKC at a tolerance that resolves the start's small singular values; RKC on
// matrices at the default tolerances misses it (docs/EXPERIMENTS.md, "Depth 8").
enum class CompletionPath { kAuto, kMatrix, kFactors };
inline constexpr int kMaxAutoFactorDepth = 8;

// Names for reports ("dln", "trust-region", "gaussian-product", ...). The command line's words
// for these (and their parsing) live with the command line, examples/cli/cli_common.hpp.
std::string to_string(CompletionGeometry geometry);
std::string to_string(CompletionSolver solver);
std::string to_string(CompletionInit init);
std::string to_string(CompletionPath path);  // "auto" | "matrix" | "factors"

struct CompletionFlowOptions {
  CompletionGeometry geometry = CompletionGeometry::kDln;
  Depth depth = Depth::finite(3);  // of the DLN metric (ignored by the Euclidean geometry)
  // Inverse temperature of the entropic term −S_N/β (square matrices, finite depth ≥ 2 or ∞);
  // +∞ (the default) means no entropy. Must be > 0.
  double beta = std::numeric_limits<double>::infinity();
  MatrixCompletion::Normalization loss = MatrixCompletion::Normalization::kHalfSum;
  CompletionPath path = CompletionPath::kAuto;  // matrix or balanced factors (see CompletionPath)
  // Inner width w of the factor path's network n → w → … → w → m; 0 (the default) means
  // min(m, n), where every matrix has a balanced factorization. 0 < w < min(m, n) is a narrow
  // network: the DLN flow restricted to matrices of rank ≤ w (it keeps the rank of its start),
  // with storage and time per right-hand side O(|Ω| w + N (m + n) w²) and no m × n matrix
  // anywhere, which is how MovieLens-size problems run. A width selects the factor path (path
  // 'matrix' is refused), needs β = ∞ and, for the Gaussian-product start, K ≥ 2 factors.
  Eigen::Index width = 0;

  CompletionInit init = CompletionInit::kGaussianProduct;
  double init_scale = 1e-3;  // α of the start (> 0)
  // Factors K of the Gaussian-product start; 0 means the depth N (3 when N is infinite).
  int init_factors = 0;
  std::uint64_t seed = 1;  // of the start

  // Stop where the mean squared error on the observed entries reaches this (0 disables). The
  // flow approaches an interpolating solution only polynomially in t, so this (with the default
  // 1e-6 for unit-RMS data) is what ends a typical run. On the flow it is a FlowEvent, located
  // inside the step that crosses it (riemopt/flow_event.hpp), so where a run stops does not
  // depend on the integrator's step; the other solvers stop at the first iterate that reaches it.
  double target_train_mse = 1e-6;
  // Stop where the test MSE reaches this (needs the truth or held-out entries; 0 disables);
  // located as the train target is.
  double target_test_mse = 0.0;
  // Columns σ_1..σ_k recorded in the trajectory (k = min(this, rows, cols)).
  int recorded_singular_values = 10;

  // Integrator, tolerances, budgets, progress and trajectory of the flow itself. The defaults
  // here stop at ‖grad‖ ≤ 1e-8 or after 10 minutes of wall time, whichever comes first. With
  // flow.progress, a line with t, train/test MSE and effective rank goes to stderr.
  // flow.absolute_tolerance is in the units of the matrix entries on both paths: on the factor
  // path complete_by_flow multiplies it by the start's RMS(W₀) / RMS(φ(W₀)) (81 on the flagship
  // at depth 3), so that each path bounds its errors relative to the scale of its own state.
  GradientFlowOptions flow = default_flow_options();

  CompletionSolver solver = CompletionSolver::kFlow;
  // Step rules of the discrete solvers. Their SolverOptions part (tolerance, budgets, progress,
  // callbacks) and trajectory are taken from `flow`, so switching the solver keeps the stops.
  GradientDescentOptions descent;
  NewtonOptions newton;
  TrustRegionOptions trust_region;
  ConjugateGradientOptions conjugate_gradient;
  LbfgsOptions lbfgs;
  CeresGradientOptions ceres_gradient;
  CeresLeastSquaresOptions ceres_least_squares;

  static GradientFlowOptions default_flow_options();
  // Selects the flow's integrator with the tolerances the command line and the Python module
  // use: the stiff integrators (RKC, Rosenbrock) at rtol 1e-4, atol 1e-8, which on the
  // flagship reach Dormand–Prince's test MSE at rtol 1e-8 in a fraction of the time
  // (docs/BENCHMARKS.md); Dormand–Prince and RK4 keep default_flow_options()' tolerances.
  void use_integrator(Integrator integrator);
  // At infinite depth the flow's late phase amplifies integration errors (about 150-fold from
  // t = 30 to t = 100 on a 15×15 rank-2 run): at rtol 1e-4 RKC and Rosenbrock leave a tight
  // Dormand–Prince reference by 8–11 % there, at rtol 1e-6 by 8.8e-4 and 1.5e-3 (test_completion_
  // flow.cpp, EveryCommandLineIntegratorFollowsATightReference). For the stiff integrators at
  // infinite depth this sets rtol 1e-6 (atol stays 1e-8: at 1e-10 the flagship's first plateau
  // exit alone took 10 000 RKC steps, and the run needed 3 times as long to the same place);
  // otherwise it changes nothing. The command line and the Python module call it after
  // use_integrator unless the user set a tolerance.
  void tighten_for_infinite_depth();
  void validate() const;  // throws InvalidArgument naming the bad field
  // The path kAuto resolves to for an m × n problem; throws InvalidArgument when kFactors was
  // asked for where it does not apply.
  CompletionPath resolved_path() const;
};

// Where the test error comes from: the dense truth X* (small problems), or held-out observed
// entries (large ones, and real data). At most one of the two; both null means no test error.
struct CompletionTestSet {
  const Matrix* truth = nullptr;
  const std::vector<Observation>* held_out = nullptr;
};

inline constexpr Eigen::Index kMaxFormedEstimateEntries = Eigen::Index{1} << 22;

// Metrics of docs/MATH.md §6 for an estimate X.
struct CompletionMetrics {
  // ‖X − X*‖²_F/(mn) against the truth, or the mean of (X_ij − M_ij)² over held-out entries;
  // NaN without either.
  double test_mse = std::numeric_limits<double>::quiet_NaN();
  // ‖X − X*‖_F/‖X*‖_F, or the same ratio over the held-out entries; NaN without either.
  double relative_error = std::numeric_limits<double>::quiet_NaN();
  double train_mse = 0.0;       // mean over Ω of (X_ij − M_ij)²
  double effective_rank = 0.0;  // exp(−Σ p_i log p_i), p_i = σ_i/Σσ_j
  double nuclear_norm = 0.0;
  Vector singular_values;

  // `truth` may be null. Throws InvalidArgument on mismatched shapes.
  static CompletionMetrics measure(const Eigen::Ref<const Matrix>& x, const MatrixCompletion& loss,
                                   const Matrix* truth);
  // The same with the truth or held-out entries (checked: in range, finite) as the test set.
  static CompletionMetrics measure(const Eigen::Ref<const Matrix>& x, const MatrixCompletion& loss,
                                   const CompletionTestSet& test);
  // The same for X = L R given by its factors, without forming X unless the truth is dense
  // (singular values: the min(k, m, n) of L R, the rest being zero). Throws InvalidArgument on
  // mismatched shapes or out-of-range entries.
  static CompletionMetrics measure(const FactoredProduct& x,
                                   const std::vector<Observation>& observations,
                                   const CompletionTestSet& test);
};

struct CompletionFlowResult {
  // The estimate (φ of the factors on the factor path). On the factor path with m·n >
  // kMaxFormedEstimateEntries it is not formed (0 × 0): the factors hold it, and the metrics
  // were computed from them.
  Matrix x;
  CompletionMetrics metrics;
  // Status, costs, and the trajectory with the metric columns. summary.x is x, flattened; on
  // the factor path stored trajectory points are factor vectors.
  Summary summary;
  CompletionPath path = CompletionPath::kMatrix;  // the path that ran
  Vector factors;  // the final W_1, …, W_N (ParameterSpace layout) on the factor path, else empty
  std::vector<Eigen::Index> factor_widths;  // d_0, …, d_N of those factors, else empty
};

// The start X₀ of the options (validated: scale > 0, factors ≥ 1).
Matrix completion_start(Eigen::Index rows, Eigen::Index cols, const CompletionFlowOptions& options);

// Runs the flow. Throws InvalidArgument for bad options, observations or test data (shape, NaN,
// out-of-range entries); numerical trouble during the flow becomes the summary's status.
CompletionFlowResult complete_by_flow(Eigen::Index rows, Eigen::Index cols,
                                      const std::vector<Observation>& observations,
                                      const CompletionTestSet& test,
                                      const CompletionFlowOptions& options);
// The same with the dense truth (or null).
CompletionFlowResult complete_by_flow(Eigen::Index rows, Eigen::Index cols,
                                      const std::vector<Observation>& observations,
                                      const Matrix* truth, const CompletionFlowOptions& options);

}  // namespace riemopt
