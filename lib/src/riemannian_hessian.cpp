#include "riemopt/riemannian_hessian.hpp"

#include "riemopt/errors.hpp"
#include "riemopt/hessian_operator.hpp"

namespace riemopt {

Matrix riemannian_hessian_form(const Problem& problem, const Point& x) {
  require(problem.energy().has_hessian(),
          "riemannian_hessian_form: energy '{}' has no Hessian-vector products",
          problem.energy().name());
  const Manifold& manifold = problem.manifold();
  require(problem.metric().has_connection_on(manifold),
          "riemannian_hessian_form: the connection of metric '{}' is not known on the {} '{}' "
          "(open subsets need its Christoffel symbols; embedded manifolds the induced metric or "
          "a metric with a known connection there, such as the SPD metrics)",
          problem.metric().name(), to_string(manifold.kind()), manifold.name());
  const Eigen::Index n = problem.ambient_size();
  require(x.size() == n, "riemannian_hessian_form: point has {} coordinates, expected {}", x.size(),
          n);
  const Vector df = problem.energy().gradient(x);
  const HessianOperator hessian(problem, x, df, HessianMode::kExact);
  Matrix h(n, n);
  Vector e = Vector::Zero(n), v(n), column(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    e[j] = 1.0;
    // On an embedded manifold the form acts on tangent vectors: P H P in ambient coordinates.
    if (manifold.is_open_subset())
      v = e;
    else
      manifold.project(x, e, v);
    hessian.apply(v, column);
    h.col(j) = column;
    e[j] = 0.0;
  }
  return 0.5 * (h + h.transpose());  // exact symmetry (the parts are symmetric to rounding)
}

Matrix riemannian_hessian_operator(const Problem& problem, const Point& x) {
  const Matrix form = riemannian_hessian_form(problem, x);
  Matrix op(form.rows(), form.cols());
  for (Eigen::Index j = 0; j < form.cols(); ++j) {
    const Vector column = form.col(j);
    Vector image(form.rows());
    problem.riemannian_sharp(x, column, image);
    op.col(j) = image;
  }
  return op;
}

}  // namespace riemopt
