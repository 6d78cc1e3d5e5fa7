// riemopt.complete (the options of `riemopt complete`), the nuclear-norm baseline, the instances
// of Arora et al., and the completion files.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "riemopt/energies/completion_files.hpp"
#include "riemopt/energies/completion_flow.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/nuclear_norm_completion.hpp"
#include "solver_kwargs.hpp"
#include "solver_result.hpp"

namespace riemopt::python {

namespace {

struct Completion {
  Matrix x;
  CompletionMetrics metrics;
  Result summary;
  std::string path;
  Vector factors;
  std::vector<Eigen::Index> factor_widths;
};

// The command line's names (`--init-scale` is init_scale) and defaults.
KeywordOptions<CompletionFlowOptions> completion_options(Eigen::Index rows, Eigen::Index cols) {
  using O = CompletionFlowOptions;
  KeywordOptions<O> k;
  const auto flow_field = [&k](const char* name, double GradientFlowOptions::*member) {
    k.add(name, [member](O& o, const py::handle& h, const std::string& n) {
      o.flow.*member = KeywordOptions<O>::cast<double>(h, n);
    });
  };
  k.choice("geometry", &O::geometry, {CompletionGeometry::kDln, CompletionGeometry::kEuclidean},
           {"dln", "euclidean"})
      .add("depth", [](O& o, const py::handle& h, const std::string&) { o.depth = to_depth(h); })
      .field("beta", &O::beta)
      .choice("loss", &O::loss,
              {MatrixCompletion::Normalization::kHalfSum, MatrixCompletion::Normalization::kMean},
              {"half-sum", "mean"})
      .choice("init", &O::init, {CompletionInit::kGaussianProduct, CompletionInit::kScaledIdentity},
              {"gaussian-product", "scaled-identity"})
      .choice("path", &O::path,
              {CompletionPath::kAuto, CompletionPath::kMatrix, CompletionPath::kFactors},
              {"auto", "matrix", "factors"})
      .field("width", &O::width)
      .field("init_scale", &O::init_scale)
      .field("init_factors", &O::init_factors)
      .field("seed", &O::seed)
      .field("target_train_mse", &O::target_train_mse)
      .field("target_test_mse", &O::target_test_mse)
      .field("recorded_singular_values", &O::recorded_singular_values)
      .choice("solver", &O::solver,
              {CompletionSolver::kFlow, CompletionSolver::kGradientDescent,
               CompletionSolver::kNewton, CompletionSolver::kTrustRegion,
               CompletionSolver::kConjugateGradient, CompletionSolver::kLbfgs,
               CompletionSolver::kCeresLbfgs, CompletionSolver::kCeresLeastSquares},
              {to_string(CompletionSolver::kFlow), to_string(CompletionSolver::kGradientDescent),
               to_string(CompletionSolver::kNewton), to_string(CompletionSolver::kTrustRegion),
               to_string(CompletionSolver::kConjugateGradient), to_string(CompletionSolver::kLbfgs),
               to_string(CompletionSolver::kCeresLbfgs),
               to_string(CompletionSolver::kCeresLeastSquares)})
      .add("integrator",
           [](O& o, const py::handle& h, const std::string& n) {
             o.use_integrator(parse_choice(KeywordOptions<O>::cast<std::string>(h, n),
                                           {Integrator::kRungeKuttaChebyshev,
                                            Integrator::kDormandPrince, Integrator::kRosenbrock},
                                           {"rkc", "dopri5", "rosenbrock"}, n));
           })
      .add("tolerance",
           [](O& o, const py::handle& h, const std::string& n) {
             o.flow.gradient_tolerance = KeywordOptions<O>::cast<double>(h, n);
           })
      .add("max_time",
           [](O& o, const py::handle& h, const std::string& n) {
             o.flow.max_wall_seconds = KeywordOptions<O>::cast<double>(h, n);
           })
      .add("progress",
           [](O& o, const py::handle& h, const std::string& n) {
             o.flow.progress = KeywordOptions<O>::cast<bool>(h, n);
           })
      .add("record",
           [](O& o, const py::handle& h, const std::string& n) {
             o.flow.trajectory.enabled = KeywordOptions<O>::cast<bool>(h, n);
           })
      .add("record_every", [](O& o, const py::handle& h, const std::string& n) {
        o.flow.trajectory.every = KeywordOptions<O>::cast<double>(h, n);
      });
  flow_field("rtol", &GradientFlowOptions::relative_tolerance);
  flow_field("atol", &GradientFlowOptions::absolute_tolerance);
  flow_field("stiffness_cutoff", &GradientFlowOptions::stiffness_cutoff);
  flow_field("final_time", &GradientFlowOptions::final_time);
  k.add("callback", [rows, cols](O& o, const py::handle& h, const std::string& n) {
    add_python_callback(o.flow.callbacks, h, n, rows, cols);
  });
  return k;
}

py::dict metrics_dict(const CompletionMetrics& m) {
  py::dict d;
  d["test_mse"] = m.test_mse;
  d["relative_error"] = m.relative_error;
  d["train_mse"] = m.train_mse;
  d["effective_rank"] = m.effective_rank;
  d["nuclear_norm"] = m.nuclear_norm;
  d["singular_values"] = py::cast(m.singular_values);
  return d;
}

py::array index_array(const std::vector<std::int64_t>& v) {
  return py::array_t<std::int64_t>(static_cast<py::ssize_t>(v.size()), v.data());
}

// (rows, cols, values) of observed entries as NumPy arrays.
py::tuple entry_arrays(const std::vector<Observation>& entries) {
  std::vector<std::int64_t> i, j;
  std::vector<double> v;
  for (const Observation& ob : entries) {
    i.push_back(ob.row);
    j.push_back(ob.col);
    v.push_back(ob.value);
  }
  return py::make_tuple(index_array(i), index_array(j), to_numpy(std::move(v)));
}

std::optional<Matrix> optional_truth(const py::handle& truth, Eigen::Index rows,
                                     Eigen::Index cols) {
  if (truth.is_none()) return std::nullopt;
  Matrix t = to_matrix(truth, "truth", rows, cols);
  require_finite(t, "truth");
  return t;
}

}  // namespace

void bind_completion(py::module_& m) {
  py::class_<Completion>(m, "Completion", "The completed matrix, its metrics, and the Summary.")
      .def_readonly("x", &Completion::x)
      .def_property_readonly(
          "metrics", [](const Completion& c) { return metrics_dict(c.metrics); },
          "test_mse (NaN without truth), relative_error, train_mse, "
          "effective_rank, nuclear_norm, singular_values")
      .def_readonly("summary", &Completion::summary)
      .def_readonly("path", &Completion::path, "'matrix' or 'factors': the path that ran")
      .def_readonly("factors", &Completion::factors,
                    "The final balanced factors on the factor path (ParameterSpace layout)")
      .def_readonly("factor_widths", &Completion::factor_widths,
                    "The widths d_0..d_N of those factors (empty on the matrix path)")
      .def("__repr__", [](const Completion& c) {
        return "<riemopt.Completion " + c.summary.summary.BriefReport() + ">";
      });

  m.def(
      "complete",
      [](std::pair<Eigen::Index, Eigen::Index> shape, const py::handle& rows,
         const py::handle& cols, const py::handle& values, const py::handle& truth,
         const py::handle& held_out, const py::kwargs& kwargs) {
        const auto [m_rows, n_cols] = shape;
        CompletionFlowOptions options;
        options.use_integrator(Integrator::kRungeKuttaChebyshev);  // the command line's default
        completion_options(m_rows, n_cols).apply(options, kwargs);
        if (!kwargs.contains("rtol") && !kwargs.contains("atol"))
          options.tighten_for_infinite_depth();
        const std::vector<Observation> observed = to_observations(rows, cols, values);
        const std::optional<Matrix> t = optional_truth(truth, m_rows, n_cols);
        std::vector<Observation> held;
        if (!held_out.is_none()) {
          const auto entries = held_out.cast<py::tuple>();
          require(entries.size() == 3,
                  "complete: held_out must be a tuple (rows, cols, values) (got {} items)",
                  entries.size());
          held = to_observations(entries[0], entries[1], entries[2]);
        }
        CompletionFlowResult r = run_trapped(options.flow.callbacks, [&] {
          return complete_by_flow(
              m_rows, n_cols, observed,
              CompletionTestSet{t ? &*t : nullptr, held_out.is_none() ? nullptr : &held}, options);
        });
        // A narrow network of a large matrix leaves the estimate unformed (x is then 0 × 0).
        const bool formed = r.x.size() > 0;
        return Completion{std::move(r.x),
                          r.metrics,
                          Result{std::move(r.summary), formed ? m_rows : 0, formed ? n_cols : 1},
                          to_string(r.path),
                          std::move(r.factors),
                          std::move(r.factor_widths)};
      },
      py::arg("shape"), py::arg("rows"), py::arg("cols"), py::arg("values"),
      py::arg("truth") = py::none(), py::arg("held_out") = py::none(),
      R"doc(Completes a matrix from observed entries with the DLN gradient flow, as `riemopt complete`
does, with the same options and defaults. Returns a Completion (x, metrics, summary).

shape               (rows, cols) of the matrix
rows, cols, values  the observed entries: 0-based indices and values, equal lengths
truth               optional full matrix; gives metrics['test_mse'] and relative_error
held_out            optional (rows, cols, values) of entries kept out of training; gives
                    the test MSE and relative error on them instead of the truth
width               inner width w of the factor path (0: min(rows, cols)); 0 < w < min is a
                    narrow network: the DLN flow on matrices of rank <= w, with no
                    rows x cols matrix formed (x stays empty past 2^22 entries)
geometry            'dln' (default) or 'euclidean': the metric of the flow
depth               N of the DLN metric and of the entropy: int >= 1 or math.inf (3)
beta                inverse temperature of the entropic term E - S_N/beta (inf: none)
loss                'half-sum' (½ Σ over Ω, default) or 'mean' (mean over Ω)
init                'gaussian-product' (Arora et al., default) or 'scaled-identity'
init_scale          scale of the start (1e-3)
init_factors        factors K of the Gaussian product (0: the depth; 3 at inf)
seed                seed of the start (1)
solver              'flow' (default), 'gd', 'newton', 'trust-region', 'cg', 'lbfgs',
                    'ceres-lbfgs',
                    'ceres-lm' (the flow's tolerance and budgets apply to each)
integrator          'rkc' (default, rtol 1e-4, atol 1e-8), 'rosenbrock' (same), 'dopri5'
path                'auto' (default: the factors up to depth 8 without the entropy),
                    'matrix' (one SVD per step) or 'factors' (the same flow on balanced
                    factors W_1..W_N, no SVD; finite depth, solver 'flow')
rtol, atol          the integrator's tolerances, over `integrator`'s defaults in any
                    keyword order; atol is in the units of the matrix entries, carried on
                    path 'factors' to the factors' scale by the start's
                    RMS(W_0) / RMS(phi(W_0))
stiffness_cutoff    of the Rosenbrock Jacobian model (0.1)
tolerance           stop when the Riemannian gradient norm is <= this (1e-8)
target_train_mse    stop where the MSE on the observed entries reaches this (1e-6; 0: off),
                    located inside the flow's last step
target_test_mse     stop where the test MSE reaches this (needs truth; 0: off)
final_time          stop at this flow time (inf)
max_time            wall-clock budget in seconds (600)
recorded_singular_values  singular values recorded along the trajectory (10)
progress            a progress line on stderr every second (False)
record              record the trajectory (True)
record_every        record every this much flow time (0: log-spaced, the default)
callback            f(StepInfo) after each step; return True to stop)doc");

  py::class_<NuclearNormCompletionResult>(m, "NuclearNormCompletion")
      .def_readonly("x", &NuclearNormCompletionResult::x)
      .def_readonly("low_rank", &NuclearNormCompletionResult::low_rank)
      .def_readonly("nuclear_norm", &NuclearNormCompletionResult::nuclear_norm)
      .def_readonly("lower_bound", &NuclearNormCompletionResult::lower_bound)
      .def_readonly("relative_gap", &NuclearNormCompletionResult::relative_gap)
      .def_readonly("rank", &NuclearNormCompletionResult::rank)
      .def_property_readonly(
          "status",
          [](const NuclearNormCompletionResult& r) { return to_string(r.summary.status); })
      .def_property_readonly(
          "success", [](const NuclearNormCompletionResult& r) { return r.summary.is_success(); })
      .def_property_readonly("message",
                             [](const NuclearNormCompletionResult& r) { return r.summary.message; })
      .def_property_readonly("wall_seconds", [](const NuclearNormCompletionResult& r) {
        return r.summary.wall_seconds;
      });
  m.def(
      "complete_nuclear_norm",
      [](std::pair<Eigen::Index, Eigen::Index> shape, const py::handle& rows,
         const py::handle& cols, const py::handle& values, double gap_tolerance,
         double max_wall_seconds, bool progress) {
        NuclearNormCompletionOptions options;
        options.gap_tolerance = gap_tolerance;
        options.max_wall_seconds = max_wall_seconds;
        options.progress = progress;
        const std::vector<Observation> observed = to_observations(rows, cols, values);
        return run_trapped(options.callbacks, [&] {  // Ctrl-C between iterations
          return complete_nuclear_norm(shape.first, shape.second, observed, options);
        });
      },
      py::arg("shape"), py::arg("rows"), py::arg("cols"), py::arg("values"),
      py::arg("gap_tolerance") = 1e-6, py::arg("max_wall_seconds") = 600.0,
      py::arg("progress") = false,
      "min ‖X‖_* subject to X_ij = M_ij on the observed entries (ADMM with a duality-gap "
      "certificate).");

  m.def(
      "completion_instance",
      [](Eigen::Index rows, Eigen::Index cols, Eigen::Index rank, Eigen::Index observations,
         std::uint64_t seed) {
        CompletionInstanceOptions o{rows, cols, rank, observations, seed};
        const CompletionInstance inst = make_completion_instance(o);
        return py::make_tuple(inst.truth) + entry_arrays(inst.observed);
      },
      py::arg("rows") = 100, py::arg("cols") = 100, py::arg("rank") = 5,
      py::arg("observations") = 2000, py::arg("seed") = 1,
      "The instance of Arora et al.: (truth, rows, cols, values), a rank-r matrix with unit-RMS "
      "entries and entries observed uniformly without replacement (as `riemopt generate`).");
  m.def(
      "gaussian_product_start",
      [](Eigen::Index rows, Eigen::Index cols, const py::handle& depth, double scale,
         std::uint64_t seed) {
        const Vector x = gaussian_product_init(rows, cols, to_depth(depth), scale, seed);
        return Matrix(Eigen::Map<const Matrix>(x.data(), rows, cols));
      },
      py::arg("rows"), py::arg("cols"), py::arg("depth") = 3, py::arg("scale") = 1e-3,
      py::arg("seed") = 1,
      "The start of Arora et al.: W_N⋯W_1 of Gaussian factors of std scale^{1/N}/√n, the "
      "start complete() uses.");
  m.def(
      "read_observations",
      [](const std::string& path) {
        const ObservedEntries e = read_observations(path);
        return py::make_tuple(py::make_tuple(e.rows, e.cols)) + entry_arrays(e.entries);
      },
      py::arg("path"),
      "Reads a Matrix Market coordinate file or a rating file (user::item::rating, MovieLens): "
      "(shape, rows, cols, values), 0-based.");
}

}  // namespace riemopt::python
