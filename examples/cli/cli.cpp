#include "cli.hpp"

#include <CLI/CLI.hpp>
#include <exception>
#include <new>

#include "commands.hpp"

namespace riemopt::cli {

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
            CliMode mode) {
  CLI::App app{"riemopt: Riemannian gradient flows and the Deep Linear Network", "riemopt"};
  app.require_subcommand(1);
  EntropyCommand entropy;
  SpectralCommand spectral;
  GenerateCommand generate;
  CompleteCommand complete;
  SampleCommand sample;
  CLI::App* entropy_app = entropy.add_to(app);
  CLI::App* spectral_app = spectral.add_to(app);
  CLI::App* generate_app = generate.add_to(app);
  CLI::App* complete_app = complete.add_to(app);
  CLI::App* sample_app = sample.add_to(app);

  std::vector<std::string> storage = args;
  std::vector<char*> argv;
  std::string program = "riemopt";
  argv.push_back(program.data());
  for (std::string& a : storage) argv.push_back(a.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    if (code == 0) return 0;  // --help
    err << "\n" << app.help();
    return 2;
  }
  if (mode == CliMode::kParseOnly) return 0;
  try {
    if (entropy_app->parsed()) return entropy.run(out, err);
    if (spectral_app->parsed()) return spectral.run(out, err);
    if (generate_app->parsed()) return generate.run(out, err);
    if (complete_app->parsed()) return complete.run(out, err);
    if (sample_app->parsed()) return sample.run(out, err);
  } catch (const std::bad_alloc&) {
    err << "riemopt: error: out of memory: the run needs more memory than this machine can "
           "give it (a smaller problem, or fewer or narrower outputs, may fit)\n";
    return 1;
  } catch (const std::exception& e) {
    err << "riemopt: error: " << e.what() << "\n";
    return 1;
  }
  err << app.help();
  return 2;
}

}  // namespace riemopt::cli
