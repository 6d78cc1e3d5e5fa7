#include "riemopt/energies/nuclear_norm_completion.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "riemopt/errors.hpp"

namespace riemopt {

void NuclearNormCompletionOptions::validate() const {
  require(std::isfinite(gap_tolerance) && gap_tolerance > 0.0,
          "NuclearNormCompletionOptions: gap_tolerance must be finite and > 0 (got {})",
          gap_tolerance);
  require(max_iterations > 0, "NuclearNormCompletionOptions: max_iterations must be > 0 (got {})",
          max_iterations);
  require(max_wall_seconds > 0.0,
          "NuclearNormCompletionOptions: max_wall_seconds must be > 0 (got {})", max_wall_seconds);
  require(std::isfinite(penalty) && penalty >= 0.0,
          "NuclearNormCompletionOptions: penalty must be finite and >= 0 (0 = automatic; got {})",
          penalty);
  require(certificate_interval > 0,
          "NuclearNormCompletionOptions: certificate_interval must be > 0 (got {})",
          certificate_interval);
}

NuclearNormCompletionResult complete_nuclear_norm(Eigen::Index rows, Eigen::Index cols,
                                                  const std::vector<Observation>& observations,
                                                  const NuclearNormCompletionOptions& options) {
  options.validate();
  // Validates sizes, ranges, duplicates and finiteness with the usual messages.
  const MatrixCompletion checked(rows, cols, observations);
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t svds_before = svd_count();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  Matrix observed = Matrix::Zero(rows, cols);  // M on Ω, 0 elsewhere
  for (const Observation& o : observations) observed(o.row, o.col) = o.value;
  auto project = [&](Matrix& m) {  // m ← Π_Ω(m): observed entries replaced by M
    for (const Observation& o : observations) m(o.row, o.col) = o.value;
  };
  const double data_norm = observed.norm();

  NuclearNormCompletionResult r;
  Svd svd;
  compute_svd(observed, svd, options.svd_backend);
  if (data_norm == 0.0) {  // all observed entries are zero: X = 0 is optimal
    r.x = r.low_rank = Matrix::Zero(rows, cols);
    r.status = TerminationStatus::kConverged;
    r.message = "all observed entries are zero; X = 0";
    r.svd_count = svd_count() - svds_before;
    return r;
  }
  // Thresholding at a tenth of the data's spectral norm keeps the first iterates informative.
  double rho = options.penalty > 0.0 ? options.penalty : 10.0 / svd.sigma(0);

  Matrix z = Matrix::Zero(rows, cols), u = Matrix::Zero(rows, cols), x(rows, cols), z_old;
  Matrix feasible(rows, cols), dual(rows, cols);
  double last_progress = 0.0;
  // Upper bound ‖Π_Ω(Z)‖_*, lower bound from the rescaled dual Y = ρ·P_Ω(U), and their gap.
  auto certify = [&] {
    feasible = z;
    project(feasible);
    compute_svd(feasible, svd, options.svd_backend);
    r.nuclear_norm = svd.sigma.sum();
    dual.setZero();
    for (const Observation& o : observations) dual(o.row, o.col) = rho * u(o.row, o.col);
    compute_svd(dual, svd, options.svd_backend);
    const double scale = std::max(1.0, svd.sigma(0));
    dual /= scale;
    r.lower_bound = dual.cwiseProduct(observed).sum();
    r.relative_gap = (r.nuclear_norm - r.lower_bound) / r.nuclear_norm;
  };
  r.status = TerminationStatus::kMaxIterations;
  r.message = "iteration budget spent";
  for (int k = 1; k <= options.max_iterations; ++k) {
    x = z - u;
    project(x);
    z_old = z;
    compute_svd(x + u, svd, options.svd_backend);
    Eigen::Index kept = 0;
    while (kept < svd.sigma.size() && svd.sigma(kept) > 1.0 / rho) ++kept;
    z.noalias() = svd.U.leftCols(kept) *
                  (svd.sigma.head(kept).array() - 1.0 / rho).matrix().asDiagonal() *
                  svd.V.leftCols(kept).transpose();
    u += x - z;
    r.iterations = k;
    r.rank = kept;
    const double primal = (x - z).norm() / data_norm;
    const double dual_residual = rho * (z - z_old).norm() / data_norm;
    r.primal_residual = primal;

    if (k % options.certificate_interval == 0 || k == options.max_iterations) {
      certify();
      if (options.progress && elapsed() - last_progress >= 1.0) {
        last_progress = elapsed();
        std::fprintf(stderr, "nuclear-norm ADMM: iteration %d  gap %.3e  residual %.3e  rank %ld\n",
                     k, r.relative_gap, primal, static_cast<long>(kept));
      }
      if (r.relative_gap <= options.gap_tolerance && primal <= options.gap_tolerance) {
        r.status = TerminationStatus::kConverged;
        r.message =
            fmt::format("duality gap {:.3e} <= {:g}", r.relative_gap, options.gap_tolerance);
        break;
      }
    }
    if (!z.allFinite()) {
      r.status = TerminationStatus::kNumericalFailure;
      r.message = "the iterate became non-finite";
      break;
    }
    if (elapsed() > options.max_wall_seconds) {
      r.status = TerminationStatus::kMaxWallTime;
      r.message = "wall-time budget spent";
      break;
    }
    if (options.adaptive_penalty) {  // keep the two residuals within a factor 10 of each other
      if (primal > 10.0 * dual_residual) {
        rho *= 2.0;
        u /= 2.0;
      } else if (dual_residual > 10.0 * primal) {
        rho /= 2.0;
        u *= 2.0;
      }
    }
  }
  if (r.status != TerminationStatus::kConverged && z.allFinite()) certify();
  r.low_rank = z;
  r.dual_certificate = dual;
  r.x = z;
  project(r.x);
  r.svd_count = svd_count() - svds_before;
  r.wall_seconds = elapsed();
  return r;
}

}  // namespace riemopt
