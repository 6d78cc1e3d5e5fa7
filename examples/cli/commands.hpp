// The subcommands of `riemopt`. Each registers its options on the application and runs after a
// successful parse; CLI11 stays inside the .cpp files.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <ostream>
#include <string>

#include "riemopt/depth.hpp"
#include "riemopt/types.hpp"

namespace CLI {
class App;
}

namespace riemopt {
struct CompletionFlowOptions;
struct ObservedEntries;
}  // namespace riemopt

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
  std::string solver = "flow";
  double t_end = 0.0;  // 0: until converged
  double tolerance = 1e-10;
  double max_time = 60.0;
  std::string output;
  std::string trajectory;
  std::string plot;
  bool quiet = false;

  CLI::App* add_to(CLI::App& app);
  int run(std::ostream& out, std::ostream& err) const;
};

// `riemopt sample`: Riemannian Langevin sampling of a spectral potential on the chamber or on d×d
// matrices, with the moments of the singular values against the stationary law's.
struct SampleCommand {
  long width = 0;
  std::string depth;
  double beta = 0.0;
  double schatten = 0.0;
  bool entropy = false;
  double log_barrier = 0.0;
  std::string metric = "dln";
  std::string space = "chamber";
  long steps = 0;
  long burn_in = -1;  // -1: steps / 10
  long thinning = 1;
  double step_size = 0.0;
  bool mala = false;
  std::string seed = "1";
  std::string output;
  std::string plot;
  std::string json;
  bool quiet = false;

  CLI::App* add_to(CLI::App& app);
  int run(std::ostream& out, std::ostream& err) const;
};

// `riemopt generate`: a random completion instance of Arora et al. written as Matrix Market.
struct GenerateCommand {
  long rows = 100;
  long cols = 100;
  long rank = 5;
  long observations = 2000;
  std::string seed = "1";  // parsed by parse_seed: 0 .. 2^64 - 1, nothing wrapped
  std::string truth;
  std::string observed;

  CLI::App* add_to(CLI::App& app);
  int run(std::ostream& out, std::ostream& err) const;
};

// `riemopt complete`: a completion run (gradient flow or the nuclear-norm baseline) on files.
struct CompleteCommand {
  std::string observed;
  std::string truth;
  std::string solver = "flow";
  std::string integrator;           // empty: the default, rkc
  std::string path = "auto";        // auto | matrix | factors (CompletionPath)
  double step = 0.0;                // --solver gd: a fixed step (0: Armijo backtracking)
  long width = 0;                   // inner width of the factor path; 0: min(rows, cols)
  double hold_out = 0.0;            // fraction of the observed entries held out for testing
  std::string split_seed = "1";     // seed of that split
  double relative_tolerance = 0.0;  // 0: the integrator's default
  double absolute_tolerance = 0.0;  // used only when --atol is given
  double stiffness_cutoff = 0.1;    // of the rosenbrock integrator's Jacobian model
  std::string geometry = "dln";
  std::string depth = "3";
  std::string beta;  // empty: no entropy
  std::string loss = "half-sum";
  std::string init = "gaussian-product";
  double init_scale = 1e-3;
  int init_factors = 0;
  std::string seed = "1";  // parsed by parse_seed: 0 .. 2^64 - 1, nothing wrapped
  double tolerance = 1e-8;
  double final_time = 0.0;    // 0: no limit
  double record_every = 0.0;  // 0: log-spaced trajectory records
  double max_time = 600.0;
  double target_train_mse = 1e-6;
  double target_test_mse = 0.0;
  std::string output;
  std::string trajectory;
  std::string plot;
  bool quiet = false;
  const CLI::App* parsed = nullptr;  // set by add_to: tells which options the user gave

  CLI::App* add_to(CLI::App& app);
  int run(std::ostream& out, std::ostream& err) const;

 private:
  bool given(const char* option) const;
  // The library's options for the flow and the discrete solvers, validated by the library.
  CompletionFlowOptions completion_options(Depth n, double beta) const;
  int run_nuclear_norm(const ObservedEntries& data, const Matrix* truth_matrix, double budget,
                       double reading_seconds, nlohmann::json& doc, std::ostream& out,
                       std::ostream& err) const;
};

}  // namespace riemopt::cli
