// riemopt.Energy: the library's energies, energies written in Python, and their sums and
// multiples; the entropy and the closed forms of the entropic paper.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "riemopt/energies/balancing_flow.hpp"
#include "riemopt/energies/brockett.hpp"
#include "riemopt/energies/chamber_energies.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/factored_completion.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/karcher_mean.hpp"
#include "riemopt/energies/matrix_sensing.hpp"
#include "riemopt/energies/pulled_back_energy.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/energies/spectral_equilibrium.hpp"
#include "riemopt/manifolds/parameter_space.hpp"

namespace riemopt::python {

EnergyHolder hold(const EnergyPtr& energy) { return std::const_pointer_cast<Energy>(energy); }

std::vector<Observation> to_observations(const py::handle& rows, const py::handle& cols,
                                         const py::handle& values) {
  const auto indices = [](const py::handle& object, const char* what) {
    py::array a = py::module_::import("numpy").attr("asarray")(object);
    const char kind = a.dtype().kind();
    if (kind != 'i' && kind != 'u')
      throw py::type_error(std::string(what) + " must be an array of integer indices; got dtype " +
                           std::string(py::str(a.dtype())));
    if (a.ndim() != 1) throw py::value_error(std::string(what) + " must be 1-D");
    return py::array_t<std::int64_t, py::array::forcecast>::ensure(a);
  };
  const auto i = indices(rows, "rows");
  const auto j = indices(cols, "cols");
  const Vector v = to_vector(values, "values");
  if (i.size() != v.size() || j.size() != v.size())
    throw py::value_error("rows, cols and values must have the same length (got " +
                          std::to_string(i.size()) + ", " + std::to_string(j.size()) + ", " +
                          std::to_string(v.size()) + ")");
  std::vector<Observation> out(static_cast<std::size_t>(v.size()));
  for (py::ssize_t k = 0; k < i.size(); ++k)
    out[static_cast<std::size_t>(k)] = {i.at(k), j.at(k), v(k)};
  return out;
}

namespace {

// The point an energy is evaluated at, from a bare array: 2-D (rows, cols) or 1-D (n × 1).
Point point_of(const Energy& e, const py::handle& x) {
  Matrix m = to_matrix(x, "x");
  e.check_shape(m.rows(), m.cols());
  const Eigen::Index rows = m.rows(), cols = m.cols();
  return Point(Eigen::Map<const Vector>(m.data(), m.size()), rows, cols);
}

// An energy whose value, gradient and Hessian-vector product are Python callables of NumPy
// arrays shaped like the point.
class PythonEnergy final : public Energy {
 public:
  PythonEnergy(std::string name, Eigen::Index size, py::function value, py::function gradient,
               py::object hessian_vector)
      : name_(std::move(name)),
        size_(size),
        value_(std::move(value)),
        gradient_(std::move(gradient)),
        hessian_vector_(std::move(hessian_vector)) {}

  std::string name() const override { return name_; }
  Eigen::Index ambient_size() const override { return size_; }

  double value(const Point& x) const override {
    check_point_size(x);
    return call_python("the value function", [&] { return value_(to_numpy(x)).cast<double>(); });
  }

  void add_gradient(const Point& x, double weight, VectorRef out) const override {
    check_point_size(x);
    out +=
        weight * call_python("the gradient function", [&] {
          return to_coordinates(gradient_(to_numpy(x)), name_ + "'s gradient", x.rows(), x.cols());
        });
  }

  bool has_hessian() const override { return !hessian_vector_.is_none(); }

  void add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                          VectorRef out) const override {
    if (!has_hessian()) Energy::add_hessian_vector(x, v, weight, out);  // throws the usual error
    check_point_size(x);
    out += weight * call_python("the hessian_vector function", [&] {
             return to_coordinates(hessian_vector_(to_numpy(x), to_numpy(v, x.rows(), x.cols())),
                                   name_ + "'s Hessian-vector product", x.rows(), x.cols());
           });
  }

 private:
  std::string name_;
  Eigen::Index size_;
  py::function value_, gradient_;
  py::object hessian_vector_;
};

// f, f', f'' of σ as Python callables, for the separable spectral energies.
std::function<double(double)> scalar_function(const py::object& f, const char* what) {
  if (f.is_none()) return nullptr;
  return [f, what](double s) { return call_python(what, [&] { return f(s).cast<double>(); }); };
}

}  // namespace

void bind_energies(py::module_& m) {
  py::class_<Energy, EnergyHolder>(m, "Energy", R"doc(
An energy E(x): value, Euclidean gradient, and (when has_hessian) Hessian-vector products.

Energies combine with +, - and scalar *: `E + 0.5 * S`. Evaluate at a NumPy array shaped
like the point (rows, cols) or a flat vector.)doc")
      .def_property_readonly("name", &Energy::name)
      .def_property_readonly("has_hessian", &Energy::has_hessian)
      .def(
          "value", [](const Energy& e, const py::handle& x) { return e.value(point_of(e, x)); },
          py::arg("x"))
      .def(
          "gradient",
          [](const Energy& e, const py::handle& x) {
            const Point p = point_of(e, x);
            return to_numpy(e.gradient(p), p.rows(), p.cols());
          },
          py::arg("x"), "The Euclidean gradient ∇E(x), shaped like x.")
      .def(
          "hessian_vector",
          [](const Energy& e, const py::handle& x, const py::handle& v) {
            const Point p = point_of(e, x);
            const Vector u = to_coordinates(v, "v", p.rows(), p.cols());
            return to_numpy(e.hessian_vector(p, u), p.rows(), p.cols());
          },
          py::arg("x"), py::arg("v"), "The Euclidean Hessian applied to v, ∇²E(x)[v].")
      .def("__add__", [](const EnergyHolder& a, const EnergyHolder& b) { return hold(a + b); })
      .def("__sub__", [](const EnergyHolder& a, const EnergyHolder& b) { return hold(a - b); })
      .def("__mul__", [](const EnergyHolder& a, double c) { return hold(c * EnergyPtr(a)); })
      .def("__rmul__", [](const EnergyHolder& a, double c) { return hold(c * EnergyPtr(a)); })
      .def("__truediv__",
           [](const EnergyHolder& a, double c) {
             require(c != 0.0, "an energy divided by zero");
             return hold((1.0 / c) * EnergyPtr(a));
           })
      .def("__neg__", [](const EnergyHolder& a) { return hold(-1.0 * EnergyPtr(a)); })
      .def("__repr__", [](const Energy& e) { return "<riemopt.Energy " + e.name() + ">"; });

  m.def(
      "energy",
      [](py::function value, py::function gradient, py::object hessian_vector,
         std::optional<Eigen::Index> size, std::string name) -> EnergyHolder {
        require(!size || *size >= 1, "energy: size must be >= 1 (got {})", size.value_or(0));
        return std::make_shared<PythonEnergy>(std::move(name), size.value_or(-1), std::move(value),
                                              std::move(gradient), std::move(hessian_vector));
      },
      py::arg("value"), py::arg("gradient"), py::arg("hessian_vector") = py::none(),
      py::arg("size") = py::none(), py::arg("name") = "python-energy", R"doc(
An energy written in Python.

value(x) -> float and gradient(x) -> array shaped like x (the Euclidean gradient);
hessian_vector(x, v) -> array, optional (enables exact Newton / trust-region models).
x arrives as a NumPy array shaped like the point (a copy: keeping it is safe). size, when
given, is the number of coordinates the energy accepts. Check the gradient with
Problem.check_gradient. An exception raised inside a solve stops the solve and is re-raised.)doc");

  m.def(
      "schatten", [](double p) -> EnergyHolder { return std::make_shared<SchattenEnergy>(p); },
      py::arg("p"), "Σ σ_i^p / p of a matrix (p > 0).");
  m.def(
      "spectral",
      [](const py::object& f, const py::object& df, const py::object& d2f,
         std::string name) -> EnergyHolder {
        return std::make_shared<SeparableSpectralEnergy>(std::move(name), scalar_function(f, "f"),
                                                         scalar_function(df, "df"),
                                                         scalar_function(d2f, "d2f"));
      },
      py::arg("f"), py::arg("df"), py::arg("d2f") = py::none(), py::arg("name") = "spectral",
      "Σ f(σ_i) of a matrix, from Python callables f, f' (and f'' for Hessians).");
  m.def(
      "chamber_schatten",
      [](double p) -> EnergyHolder { return SeparableChamberEnergy::schatten(p); }, py::arg("p"),
      "Σ σ_i^p / p on the chamber.");
  m.def(
      "entropy",
      [](const py::handle& depth) -> EnergyHolder {
        return std::make_shared<MatrixEntropy>(to_depth(depth));
      },
      py::arg("depth"), "The DLN entropy S_N(X) of a full-rank matrix.");
  m.def(
      "chamber_entropy",
      [](Eigen::Index d, const py::handle& depth) -> EnergyHolder {
        return std::make_shared<ChamberEntropy>(d, to_depth(depth));
      },
      py::arg("d"), py::arg("depth"), "The DLN entropy as a function of the singular values.");
  m.def(
      "free_energy",
      [](const EnergyHolder& energy, const EnergyHolder& entropy, double beta) {
        return hold(free_energy(energy, entropy, beta));
      },
      py::arg("energy"), py::arg("entropy"), py::arg("beta"), "E − S/β (β > 0; β = inf gives E).");
  m.def(
      "matrix_completion",
      [](std::pair<Eigen::Index, Eigen::Index> shape, const py::handle& rows,
         const py::handle& cols, const py::handle& values,
         const std::string& normalization) -> EnergyHolder {
        return std::make_shared<MatrixCompletion>(
            shape.first, shape.second, to_observations(rows, cols, values),
            parse_choice(
                normalization,
                {MatrixCompletion::Normalization::kHalfSum, MatrixCompletion::Normalization::kMean},
                {"half-sum", "mean"}, "normalization"));
      },
      py::arg("shape"), py::arg("rows"), py::arg("cols"), py::arg("values"),
      py::arg("normalization") = "half-sum",
      "½ Σ_Ω (X_ij − M_ij)² ('half-sum') or its mean over Ω ('mean'); 0-based indices.");
  m.def(
      "matrix_sensing",
      [](const py::handle& measurements, const py::handle& values) -> EnergyHolder {
        py::array a = py::module_::import("numpy").attr("asarray")(measurements);
        if (a.ndim() != 3)
          throw py::value_error("measurements must be a 3-D array (count, rows, cols)");
        const auto list = py::list(a);
        std::vector<Matrix> ms;
        for (const auto& item : list)
          ms.push_back(to_matrix(item, "a measurement matrix", a.shape(1), a.shape(2)));
        return std::make_shared<MatrixSensing>(ms, to_vector(values, "values", a.shape(0)));
      },
      py::arg("measurements"), py::arg("values"), "½ Σ_k (⟨A_k, X⟩ − y_k)².");
  m.def(
      "factored_completion",
      [](Eigen::Index m_rows, Eigen::Index n_cols, Eigen::Index rank, const py::handle& rows,
         const py::handle& cols, const py::handle& values) -> EnergyHolder {
        return std::make_shared<FactoredCompletion>(m_rows, n_cols, rank,
                                                    to_observations(rows, cols, values));
      },
      py::arg("m"), py::arg("n"), py::arg("rank"), py::arg("rows"), py::arg("cols"),
      py::arg("values"), "Completion's loss on fixed-rank factors (L, R) (see fixed_rank).");
  m.def(
      "brockett",
      [](const py::handle& a, const py::handle& weights) -> EnergyHolder {
        return std::make_shared<BrockettCost>(to_matrix(a, "A"), to_vector(weights, "weights"));
      },
      py::arg("a"), py::arg("weights"), "Brockett's tr(XᵀAX D), D = diag(weights), on St(n, p).");
  m.def(
      "rayleigh_quotient",
      [](const py::handle& a) { return hold(rayleigh_quotient(to_matrix(a, "A"))); }, py::arg("a"),
      "xᵀAx on the sphere.");
  m.def(
      "karcher_mean",
      [](const std::vector<py::object>& matrices) -> EnergyHolder {
        std::vector<Matrix> ms;
        for (const auto& item : matrices) ms.push_back(to_matrix(item, "a matrix"));
        return std::make_shared<KarcherMean>(std::move(ms));
      },
      py::arg("matrices"), "Half the mean squared affine-invariant distance to the matrices.");
  m.def(
      "pulled_back",
      [](const EnergyHolder& energy, std::shared_ptr<ParameterSpace> space) -> EnergyHolder {
        return std::make_shared<PulledBackEnergy>(energy, std::move(space));
      },
      py::arg("energy"), py::arg("space"), "E ∘ φ on the parameter space.");
  m.def(
      "balancing_regularizer",
      [](std::shared_ptr<ParameterSpace> space) -> EnergyHolder {
        return std::make_shared<BalancingRegularizer>(std::move(space));
      },
      py::arg("space"), "R(W) = ½ Σ_p ‖W_p‖².");

  m.def(
      "dln_entropy",
      [](const py::handle& sigma, const py::handle& depth) {
        return dln_entropy(to_vector(sigma, "sigma"), to_depth(depth));
      },
      py::arg("sigma"), py::arg("depth"), "S_N(σ) of singular values σ₁ > … > σ_d > 0.");
  m.def(
      "dln_entropy_gradient",
      [](const py::handle& sigma, const py::handle& depth) {
        const Vector s = to_vector(sigma, "sigma");
        Vector g(s.size());
        dln_entropy_gradient(s, to_depth(depth), g);
        return g;
      },
      py::arg("sigma"), py::arg("depth"), "∂S_N/∂σ.");
  m.def(
      "dln_entropy_constant",
      [](Eigen::Index d, const py::handle& depth) {
        return dln_entropy_constant(d, to_depth(depth));
      },
      py::arg("d"), py::arg("depth"), "The constant term of S_N for d × d matrices.");

  py::class_<SpectralEquilibrium>(m, "SpectralEquilibrium", R"doc(
Closed forms of the entropic paper for the free energy Σσᵖ/p − S_N/β on d × d matrices:
the equilibrium s*, the relaxation rates, and the diagonal solution.)doc")
      .def(py::init([](Eigen::Index d, const py::handle& depth, double beta, double p) {
             return SpectralEquilibrium::schatten(d, to_depth(depth), beta, p);
           }),
           py::arg("d"), py::arg("depth"), py::arg("beta"), py::arg("p"))
      .def_property_readonly("s_star", &SpectralEquilibrium::s_star, "The equilibrium σ = s*.")
      .def_property_readonly("entropic_constant", &SpectralEquilibrium::entropic_constant)
      .def_property_readonly("rate_uniform", &SpectralEquilibrium::rate_uniform, "λ_∥")
      .def_property_readonly("rate_relative", &SpectralEquilibrium::rate_relative, "λ_⊥")
      .def("diagonal_time", &SpectralEquilibrium::diagonal_time, py::arg("s0"), py::arg("s1"),
           "Flow time for the diagonal solution to go from s0·I to s1·I.")
      .def("diagonal_solution", &SpectralEquilibrium::diagonal_solution, py::arg("s0"),
           py::arg("t"), "s(t) of the diagonal solution started at s0·I.");
}

}  // namespace riemopt::python
