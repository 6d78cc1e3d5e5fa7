// The `riemopt` program: see cli.hpp and the README.
#include <iostream>

#include "cli.hpp"
#include "riemopt/atomic_file.hpp"

int main(int argc, char** argv) {
  // Ctrl-C or a kill during a write leaves no temporary file behind.
  riemopt::remove_temporaries_on_signals();
  return riemopt::cli::run_cli(std::vector<std::string>(argv + 1, argv + argc), std::cout,
                               std::cerr);
}
