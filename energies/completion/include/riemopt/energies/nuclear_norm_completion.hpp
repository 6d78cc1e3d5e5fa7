// The nuclear-norm baseline of matrix completion (Candès & Recht; Arora et al.'s comparison;
// docs/MATH.md §8):
//
//   minimize ‖X‖_*   subject to   X_ij = M_ij for (i, j) ∈ Ω,
//
// solved by ADMM on the splitting X = Z (X carries the constraint, Z the norm):
//   X ← Π_Ω(Z − U)                (observed entries set to M, the others kept)
//   Z ← SVT_{1/ρ}(X + U)           (singular-value soft thresholding, one SVD)
//   U ← U + X − Z
// with residual balancing of the penalty ρ (Boyd et al. 2011, §3.4.1).
//
// The result carries a certificate. Y = ρ·P_Ω(U) is dual feasible once rescaled to spectral norm
// ≤ 1, and weak duality gives ⟨Y, M⟩_Ω ≤ min ‖X‖_* ≤ ‖X_feasible‖_*. The solver stops when the
// relative gap between these bounds is ≤ gap_tolerance, and reports the gap, so the answer can
// be checked without trusting the iteration.
//
// The options derive from SolverOptions (budgets, progress, callbacks) and the result carries the
// library's Summary, like every other solver's.
//
//   riemopt::NuclearNormCompletionOptions options;      // defaults documented below
//   auto r = riemopt::complete_nuclear_norm(100, 100, observations, options);
//   r.x;                       // the feasible estimate Π_Ω(Z): exact on Ω
//   r.nuclear_norm, r.lower_bound, r.relative_gap;
//   std::cout << r.summary.BriefReport();
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/solver_options.hpp"
#include "riemopt/solver_summary.hpp"
#include "riemopt/svd.hpp"

namespace riemopt {

// The SolverOptions fields mean for ADMM:
//   gradient_tolerance   does not apply (ADMM has no gradient; the duality gap is its stopping
//                        rule): must stay 0, the default here;
//   max_iterations       ADMM iterations (default 20000 here);
//   max_evaluations      SVDs, at least 4: one of the data, one per iteration, two per
//                        certificate; the run stops where the next iteration and the closing
//                        certificate would not fit;
//   max_wall_seconds, progress, progress_interval_seconds: as everywhere;
//   callbacks            called after every iteration with iteration = k, value = ‖Z‖_* of the
//                        thresholded iterate, gradient_norm = the primal residual
//                        ‖X − Z‖_F/‖M_Ω‖_F, point = null; kAbort ends with kUserAbort.
struct NuclearNormCompletionOptions : SolverOptions {
  NuclearNormCompletionOptions() {
    gradient_tolerance = 0.0;
    max_iterations = 20000;
  }
  // Stop when (upper − lower)/upper ≤ gap_tolerance and the primal residual ‖X − Z‖_F/‖M_Ω‖_F is
  // ≤ gap_tolerance too. Must be finite and > 0.
  double gap_tolerance = 1e-6;
  // Initial penalty ρ (the thresholds are 1/ρ); 0 picks ρ = 10/σ_max(P_Ω M), a first threshold
  // at a tenth of the data's spectral norm. Must be >= 0.
  double penalty = 0.0;
  bool adaptive_penalty = true;
  int certificate_interval = 10;  // iterations between duality-gap evaluations (> 0)
  SvdBackend svd_backend = SvdBackend::kDefault;

  void validate() const;  // throws InvalidArgument naming the bad field
};

struct NuclearNormCompletionResult {
  // status (converged only when the gap and the residual met gap_tolerance), message, x (the
  // feasible estimate below, column-major), initial/final value (‖·‖_* of the first and the
  // final feasible estimate), initial/final gradient norm (the primal residual, as the
  // callbacks see it), iterations, SVDs, wall time; backend_report states the certificate.
  // After a numerical failure the certificate fields below are the last finite certificate's.
  Summary summary;
  Matrix x;                   // feasible estimate: Z with the observed entries restored
  Matrix low_rank;            // the thresholded iterate Z (low rank, feasible to the tolerance)
  double nuclear_norm = 0.0;  // ‖x‖_*, an upper bound of the optimum
  double lower_bound = 0.0;   // ⟨Y, M⟩_Ω from the rescaled dual, a lower bound of the optimum
  double relative_gap = 0.0;  // (nuclear_norm − lower_bound) / nuclear_norm
  double primal_residual = 0.0;  // ‖X − Z‖_F / ‖M_Ω‖_F
  // Y/max(1, ‖Y‖₂) with Y = ρ·P_Ω(U): supported on Ω, spectral norm ≤ 1, ⟨·, M⟩ = lower_bound.
  Matrix dual_certificate;
  Eigen::Index rank = 0;  // rank of `low_rank` (singular values kept by the threshold)
};

// Throws InvalidArgument on bad options, sizes or observations (see MatrixCompletion).
NuclearNormCompletionResult complete_nuclear_norm(Eigen::Index rows, Eigen::Index cols,
                                                  const std::vector<Observation>& observations,
                                                  const NuclearNormCompletionOptions& options = {});

}  // namespace riemopt
