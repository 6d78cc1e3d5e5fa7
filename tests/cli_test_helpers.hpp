// Running the `riemopt` command line in-process from the tests: exit code and captured output.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace riemopt::testing {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

inline CliRun run_riemopt(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = riemopt::cli::run_cli(args, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace riemopt::testing
