// The subcommands of `riemopt`. Each registers its options on the application and runs after a
// successful parse; CLI11 stays inside the .cpp files.
#pragma once

#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace riemopt::cli {

// `riemopt entropy`: the DLN entropy, its gradient and Hessians at a point of the chamber.
struct EntropyCommand {
  std::string depth;
  std::string sigma;
  std::string output;

  CLI::App* add_to(CLI::App& app);
  int run(std::ostream& out, std::ostream& err) const;
};

// `riemopt spectral`: the chamber flow of the Schatten free energy against the predictions.
struct SpectralCommand {
  long width = 0;
  std::string depth;
  double beta = 0.0;
  double schatten = 0.0;
  std::string sigma0;
  std::string metric = "dln";
  double t_end = 0.0;  // 0: until converged
  double tolerance = 1e-10;
  std::string output;
  std::string trajectory;
  std::string plot;
  bool quiet = false;

  CLI::App* add_to(CLI::App& app);
  int run(std::ostream& out, std::ostream& err) const;
};

}  // namespace riemopt::cli
