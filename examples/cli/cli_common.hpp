// Helpers shared by the subcommands: strict parsing of option values and JSON output.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "riemopt/atomic_file.hpp"
#include "riemopt/energies/completion_flow.hpp"
#include "riemopt/types.hpp"

namespace riemopt::cli {

// "1.5,2,3e-4" → {1.5, 2, 3e-4}. Throws InvalidArgument naming `option` on an empty list, an
// entry that is not a complete number, or a NaN/infinite entry.
Vector parse_number_list(const std::string& text, const std::string& option);

// The words of `riemopt complete` for the library's enums (the inverses of their to_string):
// "flow" | "gd" | "newton" | "trust-region" | "ceres-lbfgs" | "ceres-lm"; "euclidean" | "dln";
// "gaussian-product" | "scaled-identity". Throw InvalidArgument listing the accepted words.
CompletionSolver parse_completion_solver(const std::string& text);
CompletionGeometry parse_completion_geometry(const std::string& text);
CompletionInit parse_completion_init(const std::string& text);

// Runs a library options struct's validate(). When the InvalidArgument it throws names one of
// the library fields in `flags` (pairs field → command-line option), the message is rethrown
// with that option in front: the library stays the one source of the rules and their wording,
// and the user still learns which flag to change.
using FieldFlag = std::pair<std::string, std::string>;
void validate_with_flags(const std::function<void()>& validate,
                         const std::vector<FieldFlag>& flags);

// A random seed: decimal digits only, 0 .. 2^64 − 1. A sign, a fraction, an exponent, a hex
// prefix or a value past 2^64 − 1 throws InvalidArgument naming `option` (nothing is wrapped or
// clamped into range).
std::uint64_t parse_seed(const std::string& text, const std::string& option);

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

// Everything a command checks about its files before any work starts, so that a long run is
// never lost at its end: outputs distinct from each other and from the inputs
// (require_distinct_paths), each output's folder present and writable and each existing target a
// writable regular file (check_output_path; a link, FIFO, device or folder is refused). Throws
// InvalidArgument naming the option.
void check_files(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);

// An output file: its path and its content, produced piece by piece when it is written.
// The process's peak resident memory so far, in MiB (getrusage), for reports.
double peak_memory_mib();

using OutputFile = std::pair<std::string, TextProducer>;
// An output whose content is already a string (kept by the returned producer).
OutputFile text_file(std::string path, std::string content);

// A command's output files, written all or none: each file with a non-empty path and the JSON
// report (to `json_path`, or to `out` when that is empty) are staged first and renamed into
// place together, so a failure leaves every file as it was.
void write_outputs(const std::vector<OutputFile>& files, const nlohmann::json& doc,
                   const std::string& json_path, std::ostream& out);

}  // namespace riemopt::cli
