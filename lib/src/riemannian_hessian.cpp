#include "riemopt/riemannian_hessian.hpp"

#include "riemopt/errors.hpp"

namespace riemopt {

Matrix riemannian_hessian_form(const Problem& problem, const Point& x) {
  require(problem.energy().has_hessian(),
          "riemannian_hessian_form: energy '{}' has no Hessian-vector products",
          problem.energy().name());
  require(problem.metric().has_christoffel(),
          "riemannian_hessian_form: metric '{}' has no Christoffel symbols",
          problem.metric().name());
  require(problem.manifold().is_open_subset(),
          "riemannian_hessian_form: manifold '{}' is embedded; only open subsets are supported",
          problem.manifold().name());
  const Eigen::Index n = problem.ambient_size();
  require(x.size() == n, "riemannian_hessian_form: point has {} coordinates, expected {}", x.size(),
          n);
  const Vector df = problem.energy().gradient(x);
  Matrix h(n, n);
  Vector e = Vector::Zero(n), correction(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    e[j] = 1.0;
    h.col(j) = problem.energy().hessian_vector(x, e);
    problem.metric().christoffel(x, e, df, correction);
    h.col(j) -= correction;
    e[j] = 0.0;
  }
  return 0.5 * (h + h.transpose());  // exact symmetry (the parts are symmetric to rounding)
}

Matrix riemannian_hessian_operator(const Problem& problem, const Point& x) {
  const Matrix form = riemannian_hessian_form(problem, x);
  Matrix op(form.rows(), form.cols());
  for (Eigen::Index j = 0; j < form.cols(); ++j) {
    const Vector column = form.col(j);
    op.col(j) = problem.metric().sharp(x, column);
  }
  return op;
}

}  // namespace riemopt
