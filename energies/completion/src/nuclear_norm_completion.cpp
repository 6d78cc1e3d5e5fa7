#include "riemopt/energies/nuclear_norm_completion.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "riemopt/errors.hpp"

namespace riemopt {

void NuclearNormCompletionOptions::validate() const {
  SolverOptions::validate();
  require(gradient_tolerance == 0.0,
          "NuclearNormCompletionOptions: gradient_tolerance does not apply to ADMM, which has no "
          "gradient and stops on the duality gap (set gap_tolerance; got gradient_tolerance {})",
          gradient_tolerance);
  require(max_evaluations >= 4,
          "NuclearNormCompletionOptions: max_evaluations (SVDs) must be >= 4: one of the data, one "
          "per iteration and two for the certificate (got {})",
          max_evaluations);
  require(std::isfinite(gap_tolerance) && gap_tolerance > 0.0,
          "NuclearNormCompletionOptions: gap_tolerance must be finite and > 0 (got {})",
          gap_tolerance);
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
  Summary& summary = r.summary;
  summary.solver = "nuclear-norm (ADMM)";
  summary.geometry = fmt::format("matrices {}x{} (Euclidean)", rows, cols);
  summary.energy = fmt::format("nuclear norm subject to {} observed entries", observations.size());
  auto finish = [&](TerminationStatus status, std::string message) {
    summary.status = status;
    summary.message = std::move(message);
    summary.x = Eigen::Map<const Vector>(r.x.data(), r.x.size());
    summary.final_value = r.nuclear_norm;
    summary.final_gradient_norm = r.primal_residual;
    summary.svd_count = svd_count() - svds_before;
    summary.wall_seconds = elapsed();
    summary.backend_report = fmt::format(
        "ADMM certificate: nuclear norm {:.12e} (upper bound), dual bound {:.12e} (lower "
        "bound), relative gap {:.3e}, primal residual {:.3e}, rank of Z {}\n",
        r.nuclear_norm, r.lower_bound, r.relative_gap, r.primal_residual, r.rank);
    return r;
  };

  Svd svd;
  compute_svd(observed, svd, options.svd_backend);
  summary.initial_value = svd.sigma.sum();  // ‖Π_Ω(0)‖_*, the first feasible estimate
  if (data_norm == 0.0) {                   // all observed entries are zero: X = 0 is optimal
    r.x = r.low_rank = r.dual_certificate = Matrix::Zero(rows, cols);
    return finish(TerminationStatus::kConverged, "all observed entries are zero; X = 0");
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
  TerminationStatus status = TerminationStatus::kMaxIterations;
  std::string message =
      fmt::format("iteration budget spent ({} iterations)", options.max_iterations);
  for (std::int64_t k = 1; k <= options.max_iterations; ++k) {
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
    summary.iterations = k;
    r.rank = kept;
    const double primal = (x - z).norm() / data_norm;
    const double dual_residual = rho * (z - z_old).norm() / data_norm;
    r.primal_residual = primal;
    if (k == 1) summary.initial_gradient_norm = primal;

    if (!z.allFinite()) {
      status = TerminationStatus::kNumericalFailure;
      message = "the iterate became non-finite";
      break;
    }
    if (k % options.certificate_interval == 0 || k == options.max_iterations) {
      certify();
      if (r.relative_gap <= options.gap_tolerance && primal <= options.gap_tolerance) {
        status = TerminationStatus::kConverged;
        message = fmt::format("duality gap {:.3e} and primal residual {:.3e} <= {:g}",
                              r.relative_gap, primal, options.gap_tolerance);
        break;
      }
    }
    if (options.progress && elapsed() - last_progress >= options.progress_interval_seconds) {
      last_progress = elapsed();
      std::fprintf(stderr, "nuclear-norm ADMM: iteration %lld  gap %.3e  residual %.3e  rank %ld\n",
                   static_cast<long long>(k), r.relative_gap, primal, static_cast<long>(kept));
    }
    if (!options.callbacks.empty()) {
      IterationInfo info;
      info.iteration = k;
      info.value = (svd.sigma.head(kept).array() - 1.0 / rho).sum();
      info.gradient_norm = primal;
      info.wall_seconds = elapsed();
      CallbackDecision decision;
      for (const auto& callback : options.callbacks) {
        decision = callback(info);
        if (decision.stops()) break;
      }
      if (decision.stops()) {
        status = decision.status;
        message = decision.message.empty()
                      ? fmt::format("a callback stopped the run after iteration {}", k)
                      : decision.message;
        break;
      }
    }
    // The next iteration's SVD and the closing certificate's two must fit in the budget.
    if (static_cast<std::int64_t>(svd_count() - svds_before) + 3 > options.max_evaluations) {
      status = TerminationStatus::kMaxEvaluations;
      message = fmt::format("SVD budget spent ({} SVDs)", options.max_evaluations);
      break;
    }
    if (elapsed() > options.max_wall_seconds) {
      status = TerminationStatus::kMaxWallTime;
      message = fmt::format("wall-time budget spent ({:g} s)", options.max_wall_seconds);
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
  const bool finite = z.allFinite();
  if (status != TerminationStatus::kConverged && finite) certify();
  r.low_rank = z;
  r.dual_certificate = dual;
  r.x = z;
  project(r.x);
  return finish(status, std::move(message));
}

}  // namespace riemopt
