// riemopt.langevin_sample with its options as keyword arguments, riemopt.LangevinRun, and the
// stationary law of singular values (riemopt.spectral_stationary_law, spectral_law_problem).
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "riemopt/energies/spectral_stationary_law.hpp"
#include "riemopt/langevin.hpp"
#include "riemopt/sample_statistics.hpp"
#include "solver_kwargs.hpp"

namespace riemopt::python {

namespace {

// A run and the matrix shape of its points (for final_point).
struct LangevinRun {
  LangevinResult result;
  Eigen::Index rows = 0, cols = 1;
};

KeywordOptions<LangevinOptions> langevin_options(Eigen::Index rows, Eigen::Index cols) {
  KeywordOptions<LangevinOptions> k;
  k.field("beta", &LangevinOptions::beta)
      .field("step_size", &LangevinOptions::step_size)
      .field("samples", &LangevinOptions::samples)
      .field("burn_in", &LangevinOptions::burn_in)
      .field("thinning", &LangevinOptions::thinning)
      .field("max_finite_difference_dimension", &LangevinOptions::max_finite_difference_dimension)
      .field("max_energy_increase", &LangevinOptions::max_energy_increase)
      .field("min_acceptance_rate", &LangevinOptions::min_acceptance_rate)
      .field("seed", &LangevinOptions::seed)
      .field("progress_interval", &LangevinOptions::progress_interval)
      .choice("scheme", &LangevinOptions::scheme,
              {LangevinScheme::kEulerMaruyama, LangevinScheme::kMala},
              {to_string(LangevinScheme::kEulerMaruyama), to_string(LangevinScheme::kMala)})
      .choice("volume_terms", &LangevinOptions::volume_terms,
              {VolumeTermsSource::kAuto, VolumeTermsSource::kClosedForm,
               VolumeTermsSource::kFiniteDifference},
              {to_string(VolumeTermsSource::kAuto), to_string(VolumeTermsSource::kClosedForm),
               to_string(VolumeTermsSource::kFiniteDifference)})
      .add("observable",
           [rows, cols](LangevinOptions& o, const py::handle& h, const std::string& name) {
             // f(x) -> array: what each kept sample records (default: the coordinates).
             const auto f = KeywordOptions<LangevinOptions>::cast<py::function>(h, name);
             o.observable = [f, rows, cols](const Point& x) {
               return call_python("the observable", [&] {
                 return to_vector(f(to_numpy(x.coords(), rows, cols)), "the observable's value");
               });
             };
           });
  return k;
}

SampleMoments moments_of(const Matrix& samples, Eigen::Index batches) {
  return batch_means(samples, batches);
}

std::optional<Depth> optional_depth(const py::handle& h) {
  if (h.is_none()) return std::nullopt;
  return to_depth(h);
}

SpectralLawSpec law_spec(Eigen::Index width, const py::handle& depth, const std::string& space,
                         double beta, double schatten_p, double log_barrier,
                         const py::handle& entropy_depth) {
  SpectralLawSpec spec;
  spec.width = width;
  spec.depth = optional_depth(depth);
  spec.space = parse_choice(space, {SampleSpace::kChamber, SampleSpace::kMatrices},
                            {"chamber", "matrices"}, "space");
  spec.beta = beta;
  spec.schatten_p = schatten_p;
  spec.log_barrier = log_barrier;
  spec.entropy_depth = optional_depth(entropy_depth);
  return spec;
}

}  // namespace

void bind_sampling(py::module_& m) {
  py::class_<LangevinRun>(m, "LangevinRun", R"doc(
The result of riemopt.langevin_sample: the kept samples (one row each), the chain's last point,
its status and costs. moments(batches=40) gives the means of the columns and their batch-means
standard errors.)doc")
      .def_property_readonly("samples",
                             [](const LangevinRun& r) {
                               return to_numpy(r.result.samples.reshaped(), r.result.samples.rows(),
                                               r.result.samples.cols());
                             })
      .def_property_readonly(
          "final_point",
          [](const LangevinRun& r) { return to_numpy(r.result.final_point, r.rows, r.cols); })
      .def_property_readonly("status",
                             [](const LangevinRun& r) { return to_string(r.result.status); })
      .def_property_readonly("message", [](const LangevinRun& r) { return r.result.message; })
      .def_property_readonly("success", [](const LangevinRun& r) { return r.result.is_success(); })
      .def_property_readonly("steps", [](const LangevinRun& r) { return r.result.steps; })
      .def_property_readonly("accepted", [](const LangevinRun& r) { return r.result.accepted; })
      .def_property_readonly("acceptance_rate",
                             [](const LangevinRun& r) { return r.result.acceptance_rate(); })
      .def_property_readonly("folded", [](const LangevinRun& r) { return r.result.folded; })
      .def_property_readonly("outside_domain",
                             [](const LangevinRun& r) { return r.result.outside_domain; })
      .def_property_readonly("non_finite", [](const LangevinRun& r) { return r.result.non_finite; })
      .def_property_readonly("svd_count", [](const LangevinRun& r) { return r.result.svd_count; })
      .def_property_readonly("wall_seconds",
                             [](const LangevinRun& r) { return r.result.wall_seconds; })
      .def_property_readonly("volume_terms",
                             [](const LangevinRun& r) { return to_string(r.result.volume_terms); })
      .def(
          "moments",
          [](const LangevinRun& r, Eigen::Index batches) {
            const SampleMoments s = moments_of(r.result.samples, batches);
            return py::make_tuple(to_numpy(s.mean, s.mean.size(), 1).attr("ravel")(),
                                  to_numpy(s.standard_error, s.mean.size(), 1).attr("ravel")());
          },
          py::arg("batches") = 40,
          "(means, standard errors) of the samples' columns, by batch means.")
      .def("report", [](const LangevinRun& r) { return r.result.report(); })
      .def("to_json", [](const LangevinRun& r) { return r.result.to_json(); })
      .def("__repr__", [](const LangevinRun& r) { return r.result.report(); });

  const std::string names = langevin_options(1, 1).names();
  const std::string doc =
      "Riemannian Langevin sampling of e^{-beta F} dvol_g, F = the problem's energy, on an "
      "open-subset geometry (docs/MATH.md §13): Euler-Maruyama (scheme='euler-maruyama', bias "
      "O(h)) or MALA (scheme='mala', exact at any step).\n\nKeyword options (defaults as in "
      "LangevinOptions): " +
      names + ".\nobservable(x) -> array sets what each kept sample records.";
  m.def(
      "langevin_sample",
      [](const Problem& problem, const py::handle& x0, const py::kwargs& kwargs) {
        const Manifold& manifold = problem.manifold();
        LangevinOptions options;
        langevin_options(manifold.rows(), manifold.cols()).apply(options, kwargs);
        const Vector x = to_coordinates(x0, "x0", manifold.rows(), manifold.cols());
        PythonErrorTrap trap;
        // Ctrl-C and a raised observable or energy stop the run between steps.
        if (options.progress_interval == 0) options.progress_interval = 1000;
        options.callback = [&trap](const LangevinProgress&) {
          if (!trap.tripped() && PyErr_CheckSignals() != 0) trap.keep(py::error_already_set());
          return !trap.tripped();
        };
        return raise_trapped(trap, [&] {
          return LangevinRun{langevin_sample(problem, x, options), manifold.rows(),
                             manifold.cols()};
        });
      },
      py::arg("problem"), py::arg("x0"), doc.c_str());

  m.def(
      "spectral_stationary_law",
      [](Eigen::Index width, const py::handle& depth, const std::string& space, double beta,
         double schatten_p, double log_barrier, const py::handle& entropy_depth, int nodes,
         int bins, double histogram_upper) {
        const SpectralLaw law = spectral_stationary_law(
            law_spec(width, depth, space, beta, schatten_p, log_barrier, entropy_depth), nodes,
            bins, histogram_upper);
        py::dict out;
        out["mean"] = to_numpy(law.mean, law.mean.size(), 1).attr("ravel")();
        out["mean_square"] = to_numpy(law.mean_square, law.mean.size(), 1).attr("ravel")();
        out["upper"] = law.upper;
        out["bin_edges"] = to_numpy(law.bin_edges, law.bin_edges.size(), 1).attr("ravel")();
        out["bin_probability"] = to_numpy(law.bin_probability.reshaped(),
                                          law.bin_probability.rows(), law.bin_probability.cols());
        out["quadrature_error"] = law.quadrature_error;
        out["nodes"] = law.nodes;
        return out;
      },
      py::arg("width"), py::kw_only(), py::arg("depth") = py::none(), py::arg("space") = "chamber",
      py::arg("beta") = 1.0, py::arg("schatten_p") = 2.0, py::arg("log_barrier") = 0.0,
      py::arg("entropy_depth") = py::none(), py::arg("nodes") = 0, py::arg("bins") = 40,
      py::arg("histogram_upper") = 0.0,
      R"doc(The stationary law of the ordered singular values under Langevin dynamics of
F = sum(sigma^p/p - a log sigma) [- S_M/beta] on the chamber or on d x d matrices, by quadrature
(d <= 3): dict with mean, mean_square (per sigma_k, largest first), upper, bin_edges,
bin_probability (bins x d), quadrature_error, nodes. depth=None is the Euclidean metric; an
improper law (infinite depth without a barrier, beta*a <= -1/N) raises ValueError.)doc");

  m.def(
      "spectral_law_problem",
      [](Eigen::Index width, const py::handle& depth, const std::string& space, double beta,
         double schatten_p, double log_barrier, const py::handle& entropy_depth) {
        return spectral_law_problem(
            law_spec(width, depth, space, beta, schatten_p, log_barrier, entropy_depth));
      },
      py::arg("width"), py::kw_only(), py::arg("depth") = py::none(), py::arg("space") = "chamber",
      py::arg("beta") = 1.0, py::arg("schatten_p") = 2.0, py::arg("log_barrier") = 0.0,
      py::arg("entropy_depth") = py::none(),
      "The sampling problem of spectral_stationary_law's law: pass it to langevin_sample with the "
      "same beta.");
}

}  // namespace riemopt::python
