// riemopt.Geometry and its factories: matrix spaces with the Euclidean or DLN metric, the
// chamber, the balanced parameter space and φ, and the standard manifolds.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "python_support.hpp"
#include "riemopt/manifolds/balanced_factors.hpp"
#include "riemopt/manifolds/chamber_metric.hpp"
#include "riemopt/manifolds/end_to_end_map.hpp"
#include "riemopt/manifolds/fixed_rank.hpp"
#include "riemopt/manifolds/grassmann.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/manifolds/oblique.hpp"
#include "riemopt/manifolds/parameter_space.hpp"
#include "riemopt/manifolds/product.hpp"
#include "riemopt/manifolds/spd.hpp"
#include "riemopt/manifolds/special_orthogonal.hpp"
#include "riemopt/manifolds/sphere.hpp"
#include "riemopt/manifolds/stiefel.hpp"

namespace riemopt::python {

Point make_point(const Geometry& g, const py::handle& x, const std::string& what) {
  const Manifold& m = *g.manifold;
  return m.make_point(to_coordinates(x, what, m.rows(), m.cols()));
}

Vector tangent_coordinates(const Geometry& g, const py::handle& v, const std::string& what) {
  const Manifold& m = *g.manifold;
  Vector out = to_coordinates(v, what, m.rows(), m.cols());
  require_finite(out, what);
  return out;
}

namespace {

py::array shaped(const Geometry& g, const ConstVectorRef& v) {
  return to_numpy(v, g.manifold->rows(), g.manifold->cols());
}

using VectorOp = void (Manifold::*)(const Point&, const ConstVectorRef&, VectorRef) const;

// x, v -> manifold op, shaped like a point.
py::array apply(const Geometry& g, const py::handle& x, const py::handle& v, VectorOp op,
                const char* what) {
  const Point p = make_point(g, x, "x");
  const Vector u = tangent_coordinates(g, v, what);
  Vector out(g.manifold->ambient_size());
  ((*g.manifold).*op)(p, u, out);
  return shaped(g, out);
}

}  // namespace

void bind_geometry(py::module_& m) {
  py::class_<Geometry>(m, "Geometry", R"doc(
A manifold with a metric: where points live and how gradients are measured.

Points are NumPy arrays of shape `shape` (a flat vector when the second extent is 1),
stored by the library in column-major (Fortran) order. Build one with the module's
factories: euclidean_matrices, dln_matrices, chamber, sphere, stiefel, grassmann,
oblique, spd, special_orthogonal, fixed_rank, product, ParameterSpace(...).geometry.)doc")
      .def_property_readonly("name", &Geometry::name, "'<metric> metric on <manifold>'")
      .def_property_readonly("manifold_name", [](const Geometry& g) { return g.manifold->name(); })
      .def_property_readonly("metric_name", [](const Geometry& g) { return g.metric->name(); })
      .def_property_readonly(
          "kind", [](const Geometry& g) { return to_string(g.manifold->kind()); },
          "'open subset', 'embedded' or 'quotient'")
      .def_property_readonly("dimension", [](const Geometry& g) { return g.manifold->dimension(); })
      .def_property_readonly("ambient_size",
                             [](const Geometry& g) { return g.manifold->ambient_size(); })
      .def_property_readonly(
          "shape",
          [](const Geometry& g) { return py::make_tuple(g.manifold->rows(), g.manifold->cols()); },
          "(rows, cols) of a point")
      .def(
          "random_point",
          [](const Geometry& g, std::uint64_t seed) {
            Rng rng(seed);
            return shaped(g, g.manifold->random_point(rng));
          },
          py::arg("seed") = 0, "A random point (reproducible for a given seed).")
      .def(
          "random_tangent",
          [](const Geometry& g, const py::handle& x, std::uint64_t seed) {
            Rng rng(seed);
            const Point p = make_point(g, x, "x");
            return shaped(g, g.manifold->random_tangent(p, rng));
          },
          py::arg("x"), py::arg("seed") = 0, "A random unit (Euclidean norm) tangent vector at x.")
      .def(
          "check_point", [](const Geometry& g, const py::handle& x) { make_point(g, x, "x"); },
          py::arg("x"), "Raises ValueError when x is not a point of the manifold.")
      .def(
          "project",
          [](const Geometry& g, const py::handle& x, const py::handle& v) {
            return apply(g, x, v, &Manifold::project, "v");
          },
          py::arg("x"), py::arg("v"), "Orthogonal projection of an ambient v onto T_x.")
      .def(
          "retract",
          [](const Geometry& g, const py::handle& x, const py::handle& v) {
            return apply(g, x, v, &Manifold::retract, "v");
          },
          py::arg("x"), py::arg("v"), "The manifold's retraction R_x(v).")
      .def(
          "inverse_retract",
          [](const Geometry& g, const py::handle& x, const py::handle& y) {
            return apply(g, x, y, &Manifold::inverse_retract, "y");
          },
          py::arg("x"), py::arg("y"), "v with R_x(v) = y.")
      .def(
          "exponential",
          [](const Geometry& g, const py::handle& x, const py::handle& v) {
            require(g.manifold->has_exponential(), "{} has no exponential map in closed form",
                    g.manifold->name());
            return apply(g, x, v, &Manifold::exponential, "v");
          },
          py::arg("x"), py::arg("v"))
      .def(
          "logarithm",
          [](const Geometry& g, const py::handle& x, const py::handle& y) {
            require(g.manifold->has_logarithm(), "{} has no logarithm in closed form",
                    g.manifold->name());
            return apply(g, x, y, &Manifold::logarithm, "y");
          },
          py::arg("x"), py::arg("y"))
      .def(
          "sharp",
          [](const Geometry& g, const py::handle& x, const py::handle& df) {
            const Point p = make_point(g, x, "x");
            return shaped(g, g.metric->sharp(p, tangent_coordinates(g, df, "df")));
          },
          py::arg("x"), py::arg("df"), "The metric's sharp: the vector G(x)⁻¹ df.")
      .def(
          "flat",
          [](const Geometry& g, const py::handle& x, const py::handle& v) {
            const Point p = make_point(g, x, "x");
            return shaped(g, g.metric->flat(p, tangent_coordinates(g, v, "v")));
          },
          py::arg("x"), py::arg("v"), "The metric's flat: the covector G(x) v.")
      .def(
          "inner",
          [](const Geometry& g, const py::handle& x, const py::handle& u, const py::handle& v) {
            const Point p = make_point(g, x, "x");
            return g.metric->inner(p, tangent_coordinates(g, u, "u"),
                                   tangent_coordinates(g, v, "v"));
          },
          py::arg("x"), py::arg("u"), py::arg("v"), "g_x(u, v).")
      .def("__repr__", [](const Geometry& g) { return "<riemopt.Geometry " + g.name() + ">"; });

  m.def("euclidean_matrices", &euclidean_matrices, py::arg("rows"), py::arg("cols"),
        "Matrices rows × cols with the Frobenius (Euclidean) metric.");
  m.def(
      "dln_matrices",
      [](Eigen::Index rows, Eigen::Index cols, const py::handle& depth) {
        return dln_matrices(rows, cols, to_depth(depth));
      },
      py::arg("rows"), py::arg("cols"), py::arg("depth"),
      "Full-rank matrices rows × cols with the DLN metric of depth N (int >= 1 or 'inf').");
  m.def(
      "chamber",
      [](Eigen::Index d, const py::handle& depth) {
        return depth.is_none() ? euclidean_chamber(d) : dln_chamber(d, to_depth(depth));
      },
      py::arg("d"), py::arg("depth") = py::none(),
      "The chamber σ₁ > … > σ_d > 0 with the Euclidean metric (depth=None) or the DLN "
      "chamber metric of depth N.");
  m.def("sphere", &sphere_geometry, py::arg("n"), "The unit sphere S^{n-1} in R^n.");
  m.def(
      "stiefel",
      [](Eigen::Index n, Eigen::Index p, const std::string& retraction) {
        return stiefel_geometry(
            n, p,
            parse_choice(retraction, {StiefelRetraction::kPolar, StiefelRetraction::kQr},
                         {"polar", "qr"}, "retraction"));
      },
      py::arg("n"), py::arg("p"), py::arg("retraction") = "polar",
      "St(n, p): n × p matrices with orthonormal columns, embedded metric.");
  m.def("grassmann", &grassmann_geometry, py::arg("n"), py::arg("p"),
        "Gr(n, p) as the quotient St(n, p)/O(p).");
  m.def("oblique", &oblique_geometry, py::arg("n"), py::arg("p"),
        "OB(n, p): n × p matrices with unit columns.");
  m.def(
      "spd",
      [](Eigen::Index n, const std::string& metric) {
        return spd_geometry(
            n, parse_choice(metric, {SpdMetric::kAffineInvariant, SpdMetric::kBuresWasserstein},
                            {"affine-invariant", "bures-wasserstein"}, "metric"));
      },
      py::arg("n"), py::arg("metric") = "affine-invariant",
      "Symmetric positive definite n × n matrices with the affine-invariant or the "
      "Bures-Wasserstein metric.");
  m.def("special_orthogonal", &special_orthogonal_geometry, py::arg("n"), "SO(n).");
  m.def("fixed_rank", &fixed_rank_geometry, py::arg("m"), py::arg("n"), py::arg("rank"),
        "Rank-r matrices in factored form (L, R), L m × r, R n × r, as one flat vector "
        "[vec L; vec R], with the Gram-scaled metric of Mishra et al.");
  m.def("product", &product_geometry, py::arg("factors"),
        "The product of the given geometries; points are flat vectors, the factors' "
        "coordinates one after the other.");

  py::class_<ParameterSpace, std::shared_ptr<ParameterSpace>>(m, "ParameterSpace", R"doc(
The DLN's parameters W = (W_1, …, W_N), W_p of shape widths[p] × widths[p-1], as one flat
vector (each factor column-major, W_1 first), and the end-to-end map φ(W) = W_N⋯W_1.)doc")
      .def(py::init([](std::vector<Eigen::Index> widths) {
             return std::make_shared<ParameterSpace>(std::move(widths));
           }),
           py::arg("widths"))
      .def_property_readonly("widths", &ParameterSpace::widths)
      .def_property_readonly("depth", &ParameterSpace::depth)
      .def_property_readonly("size", &ParameterSpace::ambient_size)
      .def_property_readonly(
          "geometry",
          [](const std::shared_ptr<ParameterSpace>& s) { return parameter_space_geometry(s); },
          "The parameter space with the Euclidean metric.")
      .def(
          "factors",
          [](const ParameterSpace& s, const py::handle& w) {
            const Vector v = to_vector(w, "w", s.ambient_size());
            py::list out;
            for (int p = 1; p <= s.depth(); ++p) out.append(py::cast(Matrix(s.factor(v, p))));
            return out;
          },
          py::arg("w"), "[W_1, …, W_N] as matrices.")
      .def(
          "pack",
          [](const ParameterSpace& s, const std::vector<py::object>& factors) {
            require(static_cast<int>(factors.size()) == s.depth(),
                    "pack: expected {} factors, got {}", s.depth(), factors.size());
            Vector w(s.ambient_size());
            for (int p = 1; p <= s.depth(); ++p)
              s.mutable_factor(w, p) =
                  to_matrix(factors[static_cast<std::size_t>(p - 1)], "W_" + std::to_string(p),
                            s.width(p), s.width(p - 1));
            return w;
          },
          py::arg("factors"), "The flat vector of [W_1, …, W_N].")
      .def(
          "end_to_end",
          [](const ParameterSpace& s, const py::handle& w) {
            const Vector v = to_vector(w, "w", s.ambient_size());
            require_finite(v, "w");
            return Matrix(EndToEndMap(s, v).product());
          },
          py::arg("w"), "φ(W) = W_N⋯W_1.")
      .def(
          "balanced_factorization",
          [](const ParameterSpace& s, const py::handle& x, std::uint64_t seed) {
            Rng rng(seed);
            return balanced_factorization(s, to_matrix(x, "x", s.output_rows(), s.output_cols()),
                                          rng);
          },
          py::arg("x"), py::arg("seed") = 0,
          "Balanced W with φ(W) = x (random orthogonal gauge from the seed).")
      .def(
          "imbalance",
          [](const ParameterSpace& s, const py::handle& w) {
            return imbalance(s, to_vector(w, "w", s.ambient_size()));
          },
          py::arg("w"), "The moment maps μ_p = W_{p+1}ᵀW_{p+1} − W_pW_pᵀ.")
      .def(
          "imbalance_norm",
          [](const ParameterSpace& s, const py::handle& w) {
            return imbalance_norm(s, to_vector(w, "w", s.ambient_size()));
          },
          py::arg("w"))
      .def(
          "is_balanced",
          [](const ParameterSpace& s, const py::handle& w, double tolerance) {
            return is_balanced(s, to_vector(w, "w", s.ambient_size()), tolerance);
          },
          py::arg("w"), py::arg("relative_tolerance") = 1e-10)
      .def("__repr__",
           [](const ParameterSpace& s) { return "<riemopt.ParameterSpace " + s.name() + ">"; });
}

}  // namespace riemopt::python
