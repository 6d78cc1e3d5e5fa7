// riemopt.Problem, the solvers with their options as keyword arguments, riemopt.Summary, and the
// derivative checks.
#include <pybind11/stl.h>

#include <type_traits>

#include "bindings.hpp"
#include "riemopt/ceres_solvers.hpp"
#include "riemopt/conjugate_gradient.hpp"
#include "riemopt/derivative_check.hpp"
#include "riemopt/gradient_descent.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/lbfgs.hpp"
#include "riemopt/newton.hpp"
#include "riemopt/trust_region.hpp"
#include "solver_kwargs.hpp"
#include "solver_result.hpp"

namespace riemopt::python {

namespace {

template <typename Enum>
std::vector<std::string> names_of(const std::vector<Enum>& values) {
  std::vector<std::string> out;
  for (Enum v : values) out.push_back(to_string(v));
  return out;
}

template <typename Options, typename Enum, typename Owner>
void add_choice(KeywordOptions<Options>& k, const char* name, Enum Owner::*member,
                std::vector<Enum> values) {
  std::vector<std::string> names = names_of(values);
  k.choice(name, member, std::move(values), std::move(names));
}

// What every solver shares: SolverOptions, its `trajectory` and a Python callback.
template <typename Options>
KeywordOptions<Options> common_options(Eigen::Index rows, Eigen::Index cols) {
  KeywordOptions<Options> k;
  k.field("gradient_tolerance", &Options::gradient_tolerance)
      .field("max_iterations", &Options::max_iterations)
      .field("max_evaluations", &Options::max_evaluations)
      .field("max_wall_seconds", &Options::max_wall_seconds)
      .field("divergence_limit", &Options::divergence_limit)
      .field("progress", &Options::progress)
      .field("progress_interval_seconds", &Options::progress_interval_seconds)
      .add("callback",
           [rows, cols](Options& o, const py::handle& h, const std::string& name) {
             add_python_callback(o.callbacks, h, name, rows, cols);
           })
      .add("record",
           [](Options& o, const py::handle& h, const std::string& name) {
             o.trajectory.enabled = KeywordOptions<Options>::template cast<bool>(h, name);
           })
      .add("record_times",
           [](Options& o, const py::handle& h, const std::string&) {
             const Vector t = to_vector(h, "record_times");
             o.trajectory.times.assign(t.data(), t.data() + t.size());
           })
      .add("record_every",
           [](Options& o, const py::handle& h, const std::string& name) {
             o.trajectory.every = KeywordOptions<Options>::template cast<double>(h, name);
           })
      .add("record_first_time",
           [](Options& o, const py::handle& h, const std::string& name) {
             o.trajectory.first_time = KeywordOptions<Options>::template cast<double>(h, name);
           })
      .add("record_per_decade",
           [](Options& o, const py::handle& h, const std::string& name) {
             o.trajectory.per_decade = KeywordOptions<Options>::template cast<int>(h, name);
           })
      .add("store_points",
           [](Options& o, const py::handle& h, const std::string& name) {
             o.trajectory.store_points = KeywordOptions<Options>::template cast<bool>(h, name);
           })
      .add("observables", [rows, cols](Options& o, const py::handle& h, const std::string& name) {
        // {"name": f(x) -> float, ...}: one trajectory column per entry.
        const auto columns = KeywordOptions<Options>::template cast<py::dict>(h, name);
        std::vector<py::function> fns;
        o.trajectory.observable_names.clear();
        for (const auto& [key, f] : columns) {
          o.trajectory.observable_names.push_back(py::str(key));
          fns.push_back(py::reinterpret_borrow<py::function>(f));
        }
        o.trajectory.observables = [fns, rows, cols](const Point& x) {
          std::vector<double> row;
          for (const auto& f : fns)
            row.push_back(call_python("an observable", [&] {
              return f(to_numpy(x.coords(), rows, cols)).template cast<double>();
            }));
          return row;
        };
      });
  if constexpr (std::is_same_v<Options, GradientFlowOptions>) {
    // event=f or [f, g, ...], f(x, energy) -> float: the flow ends where one first reaches 0,
    // located inside the step (riemopt/flow_event.hpp), with status 'converged'.
    k.add("event", [rows, cols](Options& o, const py::handle& h, const std::string& name) {
      std::vector<py::function> fns;
      if (PyCallable_Check(h.ptr())) {
        fns.push_back(py::reinterpret_borrow<py::function>(h));
      } else {
        for (const py::handle& f : KeywordOptions<Options>::template cast<py::list>(h, name)) {
          if (!PyCallable_Check(f.ptr()))
            throw py::type_error("option '" + name + "' must be a callable or a list of them");
          fns.push_back(py::reinterpret_borrow<py::function>(f));
        }
      }
      for (std::size_t i = 0; i < fns.size(); ++i) {
        o.events.push_back(
            {[f = fns[i], rows, cols](const Point& x, double energy) {
               return call_python("the event", [&] {
                 return f(to_numpy(x.coords(), rows, cols), energy).template cast<double>();
               });
             },
             TerminationStatus::kConverged,
             fns.size() == 1 ? std::string("the event reached 0")
                             : "event " + std::to_string(i) + " reached 0"});
      }
    });
  }
  return k;
}

// Runs `solve` with the trap active, re-raising a Python exception raised during the solve.
template <typename Options, typename Solve>
Result run(const Problem& problem, const py::handle& x0, Options options,
           const KeywordOptions<Options>& table, const py::kwargs& kwargs, Solve solve) {
  table.apply(options, kwargs);
  const Manifold& m = problem.manifold();
  const Vector x = to_coordinates(x0, "x0", m.rows(), m.cols());
  Summary s = run_trapped(options.callbacks, [&] { return solve(problem, x, options); });
  return Result{std::move(s), m.rows(), m.cols()};
}

template <typename Options>
void def_solver(py::module_& m, const char* name, const char* doc,
                std::function<void(KeywordOptions<Options>&)> specific,
                Summary (*solve)(const Problem&, const Vector&, const Options&)) {
  // The option names, for the docstring.
  KeywordOptions<Options> probe = common_options<Options>(1, 1);
  specific(probe);
  const std::string full_doc =
      std::string(doc) +
      "\n\nKeyword options (defaults as in the C++ options struct): " + probe.names() +
      ".\ncallback(info) is called after every accepted step with a StepInfo; return True to "
      "stop.\nobservables={'name': f(x) -> float} adds trajectory columns." +
      std::string(std::is_same_v<Options, GradientFlowOptions>
                      ? "\nevent=f or [f, ...], f(x, energy) -> float: the flow ends where f "
                        "first reaches 0, located inside the step (status 'converged')."
                      : "");
  m.def(
      name,
      [specific, solve](const Problem& problem, const py::handle& x0, const py::kwargs& kwargs) {
        KeywordOptions<Options> table =
            common_options<Options>(problem.manifold().rows(), problem.manifold().cols());
        specific(table);
        return run(problem, x0, Options{}, table, kwargs, solve);
      },
      py::arg("problem"), py::arg("x0"), full_doc.c_str());
}

Vector direction_or_random(const Problem& p, const Point& x, const py::handle& direction,
                           std::uint64_t seed) {
  if (!direction.is_none()) return tangent_coordinates(p.geometry(), direction, "direction");
  Rng rng(seed);
  return p.manifold().random_tangent(x, rng);
}

}  // namespace

void bind_solvers(py::module_& m) {
  py::class_<Problem>(m, "Problem", R"doc(
An energy on a geometry: what the solvers minimize. Keeps both alive.)doc")
      .def(py::init([](const Geometry& g, const EnergyHolder& e) { return Problem(g, e); }),
           py::arg("geometry"), py::arg("energy"))
      .def_property_readonly("geometry", &Problem::geometry)
      .def_property_readonly("energy", [](const Problem& p) { return hold(p.energy_ptr()); })
      .def(
          "value",
          [](const Problem& p, const py::handle& x) {
            return p.value(make_point(p.geometry(), x, "x"));
          },
          py::arg("x"))
      .def(
          "gradient",
          [](const Problem& p, const py::handle& x) {
            Problem::Evaluation e;
            p.evaluate(make_point(p.geometry(), x, "x"), e);
            return to_numpy(e.gradient, p.manifold().rows(), p.manifold().cols());
          },
          py::arg("x"), "The Riemannian gradient grad E(x).")
      .def(
          "gradient_norm",
          [](const Problem& p, const py::handle& x) {
            Problem::Evaluation e;
            p.evaluate(make_point(p.geometry(), x, "x"), e);
            return e.gradient_norm;
          },
          py::arg("x"), "‖grad E(x)‖ in the metric.")
      .def(
          "check_gradient",
          [](const Problem& p, const py::handle& x, const py::handle& direction,
             std::uint64_t seed) {
            const Point point = make_point(p.geometry(), x, "x");
            return check_gradient(p, point, direction_or_random(p, point, direction, seed));
          },
          py::arg("x"), py::arg("direction") = py::none(), py::arg("seed") = 0,
          "Taylor test of the gradient along a direction (random tangent by default): "
          "the remainder must fall as t².")
      .def(
          "check_hessian",
          [](const Problem& p, const py::handle& x, const py::handle& direction,
             std::uint64_t seed) {
            const Point point = make_point(p.geometry(), x, "x");
            return check_hessian(p.energy(), point, direction_or_random(p, point, direction, seed));
          },
          py::arg("x"), py::arg("direction") = py::none(), py::arg("seed") = 0,
          "Taylor test of the energy's Hessian-vector product: the remainder must fall as t³.");

  py::class_<DerivativeCheck>(m, "DerivativeCheck")
      .def_readonly("kind", &DerivativeCheck::kind)
      .def_readonly("passed", &DerivativeCheck::passed)
      .def_readonly("fitted_slope", &DerivativeCheck::fitted_slope)
      .def_readonly("expected_slope", &DerivativeCheck::expected_slope)
      .def_readonly("steps", &DerivativeCheck::steps)
      .def_readonly("remainders", &DerivativeCheck::remainders)
      .def("report", &DerivativeCheck::report)
      .def("__bool__", [](const DerivativeCheck& c) { return c.passed; })
      .def("__repr__", &DerivativeCheck::report);

  bind_result(m);

  def_solver<GradientFlowOptions>(
      m, "gradient_flow", "Integrates the gradient flow ẋ = −grad E(x) from x0.",
      [](KeywordOptions<GradientFlowOptions>& k) {
        add_choice(
            k, "integrator", &GradientFlowOptions::integrator,
            std::vector<Integrator>{Integrator::kDormandPrince, Integrator::kRungeKutta4,
                                    Integrator::kRungeKuttaChebyshev, Integrator::kRosenbrock});
        k.field("final_time", &GradientFlowOptions::final_time)
            .field("absolute_tolerance", &GradientFlowOptions::absolute_tolerance)
            .field("relative_tolerance", &GradientFlowOptions::relative_tolerance)
            .field("initial_step", &GradientFlowOptions::initial_step)
            .field("max_step", &GradientFlowOptions::max_step)
            .field("min_step", &GradientFlowOptions::min_step)
            .field("fixed_step", &GradientFlowOptions::fixed_step)
            .field("krylov_tolerance", &GradientFlowOptions::krylov_tolerance)
            .field("max_krylov_iterations", &GradientFlowOptions::max_krylov_iterations)
            .field("stiffness_cutoff", &GradientFlowOptions::stiffness_cutoff);
      },
      &gradient_flow);
  def_solver<GradientDescentOptions>(
      m, "gradient_descent", "Riemannian gradient descent (Armijo backtracking or fixed step).",
      [](KeywordOptions<GradientDescentOptions>& k) {
        add_choice(k, "step_rule", &GradientDescentOptions::step_rule,
                   std::vector<StepRule>{StepRule::kArmijo, StepRule::kFixed});
        k.field("initial_step", &GradientDescentOptions::initial_step)
            .field("max_step", &GradientDescentOptions::max_step)
            .field("sufficient_decrease", &GradientDescentOptions::sufficient_decrease)
            .field("backtracking_factor", &GradientDescentOptions::backtracking_factor)
            .field("max_backtracks", &GradientDescentOptions::max_backtracks)
            .field("fixed_step", &GradientDescentOptions::fixed_step)
            .field("relative_change_tolerance", &GradientDescentOptions::relative_change_tolerance);
      },
      &gradient_descent);
  const std::vector<HessianMode> hessian_modes{HessianMode::kAuto, HessianMode::kExact,
                                               HessianMode::kFiniteDifference};
  def_solver<NewtonOptions>(
      m, "newton", "Riemannian Newton with truncated CG and Armijo backtracking.",
      [hessian_modes](KeywordOptions<NewtonOptions>& k) {
        add_choice(k, "hessian", &NewtonOptions::hessian, hessian_modes);
        k.field("max_cg_iterations", &NewtonOptions::max_cg_iterations)
            .field("forcing", &NewtonOptions::forcing)
            .field("sufficient_decrease", &NewtonOptions::sufficient_decrease)
            .field("backtracking_factor", &NewtonOptions::backtracking_factor)
            .field("max_backtracks", &NewtonOptions::max_backtracks);
      },
      &newton);
  def_solver<TrustRegionOptions>(
      m, "trust_region", "Riemannian trust region with truncated CG (Steihaug-Toint).",
      [hessian_modes](KeywordOptions<TrustRegionOptions>& k) {
        add_choice(k, "hessian", &TrustRegionOptions::hessian, hessian_modes);
        k.field("initial_radius", &TrustRegionOptions::initial_radius)
            .field("max_radius", &TrustRegionOptions::max_radius)
            .field("min_radius", &TrustRegionOptions::min_radius)
            .field("acceptance", &TrustRegionOptions::acceptance)
            .field("max_cg_iterations", &TrustRegionOptions::max_cg_iterations)
            .field("forcing", &TrustRegionOptions::forcing);
      },
      &trust_region);
  def_solver<ConjugateGradientOptions>(
      m, "conjugate_gradient", "Riemannian nonlinear CG with a strong-Wolfe line search.",
      [](KeywordOptions<ConjugateGradientOptions>& k) {
        add_choice(k, "beta", &ConjugateGradientOptions::beta,
                   std::vector<CgBeta>{CgBeta::kFletcherReeves, CgBeta::kPolakRibierePlus,
                                       CgBeta::kHestenesStiefel, CgBeta::kHagerZhang});
        k.field("restart_every", &ConjugateGradientOptions::restart_every)
            .field("initial_step", &ConjugateGradientOptions::initial_step)
            .field("sufficient_decrease", &ConjugateGradientOptions::sufficient_decrease)
            .field("curvature", &ConjugateGradientOptions::curvature)
            .field("max_line_search_evaluations",
                   &ConjugateGradientOptions::max_line_search_evaluations);
      },
      &conjugate_gradient);
  def_solver<LbfgsOptions>(
      m, "lbfgs", "Riemannian L-BFGS with transported pairs and a strong-Wolfe line search.",
      [](KeywordOptions<LbfgsOptions>& k) {
        k.field("memory", &LbfgsOptions::memory)
            .field("initial_step", &LbfgsOptions::initial_step)
            .field("sufficient_decrease", &LbfgsOptions::sufficient_decrease)
            .field("curvature", &LbfgsOptions::curvature)
            .field("max_line_search_evaluations", &LbfgsOptions::max_line_search_evaluations);
      },
      &lbfgs);
  def_solver<CeresGradientOptions>(
      m, "ceres_gradient",
      "Ceres' line-search solvers (L-BFGS, BFGS, nonlinear CG) in whitened coordinates; "
      "open subsets only.",
      [](KeywordOptions<CeresGradientOptions>& k) {
        add_choice(k, "direction", &CeresGradientOptions::direction,
                   std::vector<CeresLineSearchDirection>{CeresLineSearchDirection::kLbfgs,
                                                         CeresLineSearchDirection::kBfgs,
                                                         CeresLineSearchDirection::kNonlinearCg});
        k.field("lbfgs_rank", &CeresGradientOptions::lbfgs_rank)
            .field("function_tolerance", &CeresGradientOptions::function_tolerance)
            .field("parameter_tolerance", &CeresGradientOptions::parameter_tolerance)
            .field("max_bfgs_size", &CeresGradientOptions::max_bfgs_size);
      },
      &ceres_gradient_solve);
  def_solver<CeresLeastSquaresOptions>(
      m, "ceres_least_squares",
      "Ceres' Levenberg-Marquardt or dogleg on a sum of squares (completion, sensing).",
      [](KeywordOptions<CeresLeastSquaresOptions>& k) {
        add_choice(
            k, "strategy", &CeresLeastSquaresOptions::strategy,
            std::vector<CeresTrustRegionStrategy>{CeresTrustRegionStrategy::kLevenbergMarquardt,
                                                  CeresTrustRegionStrategy::kDogleg});
        k.field("initial_trust_region_radius",
                &CeresLeastSquaresOptions::initial_trust_region_radius)
            .field("function_tolerance", &CeresLeastSquaresOptions::function_tolerance)
            .field("parameter_tolerance", &CeresLeastSquaresOptions::parameter_tolerance)
            .field("max_ambient_size", &CeresLeastSquaresOptions::max_ambient_size);
      },
      &ceres_least_squares);
}

}  // namespace riemopt::python
