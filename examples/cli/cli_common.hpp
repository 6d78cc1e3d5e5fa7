// Helpers shared by the subcommands: strict parsing of option values and JSON output.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "riemopt/types.hpp"

namespace riemopt::cli {

// "1.5,2,3e-4" → {1.5, 2, 3e-4}. Throws InvalidArgument naming `option` on an empty list, an
// entry that is not a complete number, or a NaN/infinite entry.
Vector parse_number_list(const std::string& text, const std::string& option);

// Runs a library options struct's validate(). When the InvalidArgument it throws names one of
// the library fields in `flags` (pairs field → command-line option), the message is rethrown
// with that option in front: the library stays the one source of the rules and their wording,
// and the user still learns which flag to change.
using FieldFlag = std::pair<std::string, std::string>;
void validate_with_flags(const std::function<void()>& validate,
                         const std::vector<FieldFlag>& flags);

// JSON arrays from Eigen objects.
nlohmann::json to_json_array(const Vector& v);
nlohmann::json to_json_array(const Matrix& m);

// Writes `doc` (indented) to `path` atomically, or to `out` when `path` is empty.
void emit_json(const nlohmann::json& doc, const std::string& path, std::ostream& out);

// Throws InvalidArgument when an output path names an input file or another output, so that
// nothing a user gave is overwritten. Empty paths are ignored. Pairs are (option, path).
using NamedPath = std::pair<std::string, std::string>;
void require_distinct_paths(const std::vector<NamedPath>& inputs,
                            const std::vector<NamedPath>& outputs);

}  // namespace riemopt::cli
