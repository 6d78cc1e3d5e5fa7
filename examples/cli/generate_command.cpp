#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>

#include "cli_common.hpp"
#include "commands.hpp"
#include "riemopt/energies/completion_files.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/manifolds/factored_product.hpp"

namespace riemopt::cli {

CLI::App* GenerateCommand::add_to(CLI::App& app) {
  CLI::App* sub = app.add_subcommand(
      "generate",
      "Write a random matrix-completion instance in the setting of Arora et al. (2019): "
      "X* = U V^T with Gaussian U, V rescaled to unit-RMS entries, and entries observed "
      "uniformly without replacement (Matrix Market files)");
  sub->add_option("--rows", rows, "Rows m (default 100)");
  sub->add_option("--cols", cols, "Columns n (default 100)");
  sub->add_option("--rank", rank, "Rank r of the truth, 1 <= r <= min(m, n) (default 5)");
  sub->add_option("--observations", observations,
                  "Observed entries, 1 <= |Omega| <= m*n (default 2000)");
  sub->add_option("--seed", seed, "Random seed (default 1)");
  sub->add_option("--truth", truth,
                  "Write the truth X* here (Matrix Market array; at most 2^26 entries). Without "
                  "it the instance is made from the factors of X* and never forms it, which is "
                  "how MovieLens-size instances are made (test them with complete --hold-out)");
  sub->add_option("--observed", observed,
                  "Write the observed entries here (Matrix Market coordinate, 1-based)")
      ->required();
  return sub;
}

int GenerateCommand::run(std::ostream& out, std::ostream& /*err*/) const {
  require(rows >= 1 && cols >= 1, "--rows and --cols must be >= 1 (got {} and {})", rows, cols);
  // rows <= limit / cols cannot overflow, unlike rows * cols.
  require(truth.empty() || rows <= kMaxDenseMatrixEntries / cols,
          "--rows x --cols = {} x {} is too large for --truth (at most 2^26 = {} entries); drop "
          "--truth to make the instance from the factors of X*",
          rows, cols, kMaxDenseMatrixEntries);
  require(rows <= std::numeric_limits<std::int32_t>::max() / cols,
          "--rows x --cols = {} x {} is too large (at most 2^31 - 1 entries)", rows, cols);
  const std::uint64_t seed_value = parse_seed(seed, "--seed");
  check_files({}, {{"--truth", truth}, {"--observed", observed}});
  CompletionInstanceOptions options;
  options.rows = rows;
  options.cols = cols;
  options.rank = rank;
  options.observations = observations;
  options.seed = seed_value;
  options.form_truth = !truth.empty();
  const CompletionInstance instance = make_completion_instance(options);

  const std::string origin =
      fmt::format("riemopt generate --rows {} --cols {} --rank {} --observations {} --seed {}",
                  rows, cols, rank, observations, seed_value);
  ObservedEntries observed_entries;
  observed_entries.rows = rows;
  observed_entries.cols = cols;
  observed_entries.entries = instance.observed;
  // Both files or neither: an unwritable --observed leaves an existing --truth as it was.
  // The texts are produced while they are written: a 2^26-entry truth is 1.3 GB of text.
  std::vector<OutputFile> files = {
      {observed,
       matrix_market_coordinate_producer(observed_entries, origin + " (observed entries)")}};
  if (!truth.empty())
    files.insert(files.begin(),
                 {truth, matrix_market_array_producer(instance.truth, origin + " (truth)")});

  nlohmann::json doc;
  doc["rows"] = rows;
  doc["cols"] = cols;
  doc["rank"] = rank;
  doc["observations"] = observations;
  doc["seed"] = seed_value;
  doc["truth"] = truth;
  doc["observed"] = observed;
  doc["truth_frobenius_norm"] =
      instance.truth.size() > 0
          ? instance.truth.norm()
          : FactoredProduct(instance.left, instance.right.transpose()).frobenius_norm();
  write_outputs(files, doc, "", out);
  return 0;
}

}  // namespace riemopt::cli
