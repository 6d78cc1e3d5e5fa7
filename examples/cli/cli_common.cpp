#include "cli_common.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "riemopt/atomic_file.hpp"
#include "riemopt/errors.hpp"

namespace riemopt::cli {

double peak_memory_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

CompletionGeometry parse_completion_geometry(const std::string& text) {
  for (CompletionGeometry g : {CompletionGeometry::kEuclidean, CompletionGeometry::kDln})
    if (text == to_string(g)) return g;
  throw InvalidArgument("geometry must be 'euclidean' or 'dln' (got '" + text + "')");
}

CompletionInit parse_completion_init(const std::string& text) {
  for (CompletionInit i : {CompletionInit::kGaussianProduct, CompletionInit::kScaledIdentity})
    if (text == to_string(i)) return i;
  throw InvalidArgument("init must be 'gaussian-product' or 'scaled-identity' (got '" + text +
                        "')");
}

CompletionSolver parse_completion_solver(const std::string& text) {
  for (CompletionSolver s : {CompletionSolver::kFlow, CompletionSolver::kGradientDescent,
                             CompletionSolver::kNewton, CompletionSolver::kTrustRegion,
                             CompletionSolver::kCeresLbfgs, CompletionSolver::kCeresLeastSquares,
                             CompletionSolver::kConjugateGradient, CompletionSolver::kLbfgs})
    if (text == to_string(s)) return s;
  throw InvalidArgument(
      fmt::format("unknown completion solver '{}' (expected flow, gd, newton, trust-region, cg, "
                  "lbfgs, ceres-lbfgs or ceres-lm)",
                  text));
}

Vector parse_number_list(const std::string& text, const std::string& option) {
  std::vector<double> values;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(item.c_str(), &end);
    require(
        !item.empty() && end == item.c_str() + item.size() && errno != ERANGE,
        "{}: '{}' is not a number in double range (expected a comma-separated list like 2,1.5,0.5)",
        option, item);
    require(std::isfinite(value), "{}: entries must be finite (got '{}')", option, item);
    values.push_back(value);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return Eigen::Map<const Vector>(values.data(), static_cast<Eigen::Index>(values.size()));
}

namespace {

bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// True when `field` occurs in `text` as a whole identifier.
bool names_field(const std::string& text, const std::string& field) {
  for (std::size_t at = text.find(field); at != std::string::npos; at = text.find(field, at + 1)) {
    const std::size_t end = at + field.size();
    if ((at == 0 || !is_identifier_char(text[at - 1])) &&
        (end == text.size() || !is_identifier_char(text[end])))
      return true;
  }
  return false;
}

}  // namespace

void validate_with_flags(const std::function<void()>& validate,
                         const std::vector<FieldFlag>& flags) {
  try {
    validate();
  } catch (const InvalidArgument& e) {
    const std::string message = e.what();
    for (const auto& [field, flag] : flags)
      if (names_field(message, field)) throw InvalidArgument(flag + ": " + message);
    throw;
  }
}

std::uint64_t parse_seed(const std::string& text, const std::string& option) {
  const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  require(digits, "{} must be an integer from 0 to 18446744073709551615 (got '{}')", option, text);
  errno = 0;
  const unsigned long long value = std::strtoull(text.c_str(), nullptr, 10);
  require(errno != ERANGE, "{} must be at most 18446744073709551615 = 2^64 - 1 (got '{}')", option,
          text);
  return value;
}

nlohmann::json to_json_array(const Vector& v) {
  nlohmann::json a = nlohmann::json::array();
  for (double x : v) a.push_back(x);
  return a;
}

nlohmann::json to_json_array(const Matrix& m) {
  nlohmann::json a = nlohmann::json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) a.push_back(to_json_array(Vector(m.row(i))));
  return a;
}

void emit_json(const nlohmann::json& doc, const std::string& path, std::ostream& out) {
  write_outputs({}, doc, path, out);
}

OutputFile text_file(std::string path, std::string content) {
  return {std::move(path), [text = std::make_shared<const std::string>(std::move(content))](
                               TextSink& sink) { sink.append(*text); }};
}

void write_outputs(const std::vector<OutputFile>& files, const nlohmann::json& doc,
                   const std::string& json_path, std::ostream& out) {
  const std::string text = doc.dump(2) + "\n";
  StagedOutputs staged;
  for (const auto& [path, produce] : files) staged.stage(path, produce);
  staged.stage(json_path, text);
  staged.commit();
  if (json_path.empty()) out << text;
}

namespace {

bool same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

}  // namespace

void check_files(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs) {
  require_distinct_paths(inputs, outputs);
  for (const auto& [option, path] : outputs) {
    if (path.empty()) continue;
    try {
      check_output_path(path);
    } catch (const std::runtime_error& e) {
      throw InvalidArgument(option + ": " + e.what());
    }
  }
}

void require_distinct_paths(const std::vector<NamedPath>& inputs,
                            const std::vector<NamedPath>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const auto& [out_option, out_path] = outputs[i];
    if (out_path.empty()) continue;
    for (const auto& [in_option, in_path] : inputs)
      require(in_path.empty() || !same_file(out_path, in_path),
              "{} '{}' is the input file given to {}; refusing to overwrite it", out_option,
              out_path, in_option);
    for (std::size_t j = i + 1; j < outputs.size(); ++j)
      require(outputs[j].second.empty() || !same_file(out_path, outputs[j].second),
              "{} and {} name the same file '{}'", out_option, outputs[j].first, out_path);
  }
}

}  // namespace riemopt::cli
