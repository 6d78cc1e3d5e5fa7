// The result every solver returns: status, final point, costs, trajectory, and reports.
//
//   riemopt::Summary summary = riemopt::gradient_flow(problem, x0, options);
//   std::cout << summary.BriefReport() << "\n";          // one line
//   std::cout << summary.FullReport();                    // a table
//   riemopt::write_file_atomically("run.json", summary.to_json());
#pragma once

#include <cstdint>
#include <string>

#include "riemopt/problem.hpp"
#include "riemopt/solver_options.hpp"
#include "riemopt/trajectory.hpp"

namespace riemopt {

struct Summary {
  std::string solver;    // "gradient-flow (dopri5)", "gradient-descent", ...
  std::string geometry;  // Geometry::name()
  std::string energy;    // Energy::name()
  TerminationStatus status = TerminationStatus::kMaxIterations;
  std::string message;  // why it stopped, in words

  Vector x;  // final point
  double initial_value = 0.0, final_value = 0.0;
  double initial_gradient_norm = 0.0, final_gradient_norm = 0.0;
  double final_time = 0.0;  // flow time (gradient flow)
  // The index in GradientFlowOptions::events of the event that ended the run; −1 when no event
  // did (a rule, a callback or a budget did, or the solver has no events).
  int stopping_event = -1;

  std::int64_t iterations = 0;         // accepted steps / iterations
  std::int64_t rejected_steps = 0;     // rejected adaptive steps / backtracking reductions
  EvaluationCounts evaluations;        // of the problem, recording included
  std::int64_t rhs_evaluations = 0;    // evaluations made by the solver itself (not recording)
  std::uint64_t svd_count = 0;         // SVDs performed during the solve
  std::int64_t linear_iterations = 0;  // inner Krylov iterations (Rosenbrock flow), else 0
  double wall_seconds = 0.0;

  Trajectory trajectory;
  // The backend's own report, verbatim (Ceres' FullReport for the Ceres-backed solvers; empty
  // for the library's solvers). FullReport() appends it.
  std::string backend_report;

  bool is_success() const { return riemopt::is_success(status); }
  std::string BriefReport() const;
  std::string FullReport() const;
  // Everything above except the trajectory and the point, as a JSON object.
  std::string to_json() const;
};

}  // namespace riemopt
