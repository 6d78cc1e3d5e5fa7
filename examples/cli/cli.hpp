// The `riemopt` command line: subcommands that run the library's computations and write JSON.
//
//   riemopt entropy  --depth 3 --sigma 2,1.5,0.5
//   riemopt spectral --width 3 --depth 3 --beta 2 --schatten 2 --sigma0 2,0.9,0.3 --plot fig.png
//   riemopt generate --rank 5 --observations 2000 --truth T.mtx --observed O.mtx
//   riemopt complete --observed O.mtx --truth T.mtx --depth 3 --output R.json --plot fig.png
//
// run_cli() is the whole program minus main(): tests and fuzzers call it with an argument list
// (without the program name) and read what it printed. Exit codes: 0 success, 1 a bad value or a
// failed computation (the message says which), 2 a usage error (the usage is printed), 3 the
// solver stopped before converging (budget spent or numerical failure; the report is written
// and its "status" says why).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace riemopt::cli {

constexpr int kExitNotConverged = 3;

enum class CliMode {
  kRun,        // parse, then run the subcommand
  kParseOnly,  // parse (usage errors → 2) and stop: what the option-parsing fuzzer exercises
};

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
            CliMode mode = CliMode::kRun);

}  // namespace riemopt::cli
