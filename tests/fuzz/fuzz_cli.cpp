// libFuzzer target: the `riemopt` command line. The input is split into arguments at NUL or
// newline bytes. Every subcommand's options are parsed (CliMode::kParseOnly: exit 0 or 2, never
// an exception); `entropy`, which is cheap, also runs (unless --output appears anywhere), and
// must exit 0 or 1 with a message.
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args(1);
  for (std::size_t i = 0; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\0' || c == '\n')
      args.emplace_back();
    else
      args.back().push_back(c);
  }
  std::ostringstream out, err;
  const int parsed = riemopt::cli::run_cli(args, out, err, riemopt::cli::CliMode::kParseOnly);
  if (parsed != 0 && parsed != 2) std::abort();
  bool writes = false;  // a fuzz input never gets to write files
  for (const std::string& a : args) writes = writes || a.find("--output") != std::string::npos;
  if (parsed == 0 && !writes && args[0] == "entropy") {
    std::ostringstream out2, err2;
    const int code = riemopt::cli::run_cli(args, out2, err2);
    if (code != 0 && code != 1) std::abort();
    if (code == 1 && err2.str().find("error") == std::string::npos) std::abort();
  }
  return 0;
}
