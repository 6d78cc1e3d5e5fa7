#include "riemopt/solver_summary.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace riemopt {

std::string Summary::BriefReport() const {
  return fmt::format(
      "{}: {} after {} steps (t = {:.6g}); E {:.6e} -> {:.6e}, |grad| {:.3e} -> {:.3e}; "
      "{} gradient evaluations, {} SVDs, {:.3f} s",
      solver, to_string(status), iterations, final_time, initial_value, final_value,
      initial_gradient_norm, final_gradient_norm, evaluations.gradients, svd_count, wall_seconds);
}

std::string Summary::FullReport() const {
  std::string r;
  r += fmt::format("Solver summary ({})\n", solver);
  r += fmt::format("  geometry              {}\n", geometry);
  r += fmt::format("  energy                {}\n", energy);
  r += fmt::format("  status                {}\n", to_string(status));
  r += fmt::format("  message               {}\n", message);
  r += fmt::format("  value                 {:.12e} -> {:.12e}\n", initial_value, final_value);
  r += fmt::format("  gradient norm         {:.6e} -> {:.6e}\n", initial_gradient_norm,
                   final_gradient_norm);
  r += fmt::format("  final time            {:.9g}\n", final_time);
  r += fmt::format("  steps (rejected)      {} ({})\n", iterations, rejected_steps);
  r += fmt::format("  solver evaluations    {}\n", rhs_evaluations);
  r += fmt::format("  value / gradient / Hv {} / {} / {}\n", evaluations.values,
                   evaluations.gradients, evaluations.hessian_vectors);
  r += fmt::format("  SVDs                  {}\n", svd_count);
  if (linear_iterations > 0) r += fmt::format("  Krylov iterations     {}\n", linear_iterations);
  r += fmt::format("  wall time             {:.4f} s\n", wall_seconds);
  r += fmt::format("  trajectory records    {}\n", trajectory.size());
  if (!backend_report.empty()) r += "\nBackend report:\n" + backend_report;
  return r;
}

std::string Summary::to_json() const {
  nlohmann::json j;
  j["solver"] = solver;
  j["geometry"] = geometry;
  j["energy"] = energy;
  j["status"] = to_string(status);
  j["message"] = message;
  j["initial_value"] = initial_value;
  j["final_value"] = final_value;
  j["initial_gradient_norm"] = initial_gradient_norm;
  j["final_gradient_norm"] = final_gradient_norm;
  j["final_time"] = final_time;
  if (stopping_event >= 0) j["stopping_event"] = stopping_event;
  j["steps"] = iterations;
  j["rejected_steps"] = rejected_steps;
  j["solver_evaluations"] = rhs_evaluations;
  j["value_evaluations"] = evaluations.values;
  j["gradient_evaluations"] = evaluations.gradients;
  j["hessian_vector_evaluations"] = evaluations.hessian_vectors;
  j["svd_count"] = svd_count;
  j["linear_iterations"] = linear_iterations;
  j["wall_seconds"] = wall_seconds;
  if (!backend_report.empty()) j["backend_report"] = backend_report;
  return j.dump(2);
}

}  // namespace riemopt
