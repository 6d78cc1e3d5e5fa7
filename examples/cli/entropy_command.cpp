#include <CLI/CLI.hpp>
#include <cmath>

#include "cli_common.hpp"
#include "commands.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/manifolds/chamber.hpp"
#include "riemopt/manifolds/chamber_metric.hpp"
#include "riemopt/riemannian_hessian.hpp"

namespace riemopt::cli {
namespace {
constexpr Eigen::Index kMaxEntropyValues = 500;
}  // namespace

CLI::App* EntropyCommand::add_to(CLI::App& app) {
  CLI::App* sub = app.add_subcommand(
      "entropy", "The DLN entropy S_N at singular values sigma: value, gradient, Hessians (JSON)");
  sub->add_option("--depth", depth, "Depth N: an integer >= 1, or inf")->required();
  sub->add_option("--sigma", sigma, "Singular values s1,s2,... (decreasing, > 0)")->required();
  sub->add_option("--output", output, "Write the JSON here (default: stdout)");
  return sub;
}

int EntropyCommand::run(std::ostream& out, std::ostream& /*err*/) const {
  check_files({}, {{"--output", output}});
  const Depth n = Depth::parse(depth);
  const Vector s = parse_number_list(sigma, "--sigma");
  // The report holds two d×d Hessians (O(d²) numbers, O(d³) work for the Riemannian one): the
  // work and the output stay bounded.
  require(s.size() <= kMaxEntropyValues,
          "--sigma has {} values; the entropy command reports d x d Hessians and takes at most {} "
          "singular values (use the library's dln_entropy for more)",
          s.size(), kMaxEntropyValues);
  const Geometry geometry = dln_chamber(s.size(), n);
  const auto entropy = std::make_shared<ChamberEntropy>(s.size(), n);
  const Problem problem(geometry, entropy);
  const Point x = problem.make_point(s);  // validates: positive, decreasing
  Vector gradient(s.size());
  dln_entropy_gradient(s, n, gradient);
  Matrix hessian;
  dln_entropy_hessian(s, n, hessian);
  const double reduced = dln_entropy(s, n);
  const double constant = dln_entropy_constant(s.size(), n);
  const Matrix riemannian = riemannian_hessian_form(problem, x);
  // Every number the report gives must be one: the derivatives grow like 1/σ_min and 1/σ_min²,
  // so extreme singular values can put them beyond double precision. Refuse rather than print
  // null.
  const auto require_representable = [&s](bool finite, const char* what) {
    require(finite,
            "{} at these singular values is not representable in double precision (it grows "
            "like 1/sigma_min^2; sigma_min = {:g}); give singular values within a narrower range",
            what, s.minCoeff());
  };
  require_representable(std::isfinite(reduced + constant), "the entropy");
  require_representable(gradient.allFinite(), "the gradient");
  require_representable(hessian.allFinite(), "the Euclidean Hessian");
  require_representable(riemannian.allFinite(), "the Riemannian Hessian");
  nlohmann::json doc;
  doc["depth"] = n.to_string();
  doc["sigma"] = to_json_array(s);
  doc["S_reduced"] = reduced;
  doc["S"] = reduced + constant;
  doc["constant"] = constant;
  doc["gradient"] = to_json_array(gradient);
  doc["hessian_euclidean"] = to_json_array(hessian);
  doc["hessian_riemannian"] = to_json_array(riemannian);
  doc["riemannian_metric"] = geometry.metric->name() + " chamber metric; bilinear form " +
                             "d2S + diag(kappa dS_k/sigma_k), kappa = 1 - 1/N (inf: 1)";
  emit_json(doc, output, out);
  return 0;
}

}  // namespace riemopt::cli
