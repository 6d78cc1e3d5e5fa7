#include "newton_equation.hpp"

namespace riemopt::detail {

TruncatedCgResult solve_newton_equation(const Problem& problem, const Point& x,
                                        const Vector& euclidean_gradient, HessianMode mode,
                                        double radius, const TruncatedCgOptions& options,
                                        Vector& covector) {
  const HessianOperator hess(problem, x, euclidean_gradient, mode);
  covector.resize(euclidean_gradient.size());
  problem.tangent_covector(x, euclidean_gradient, covector);
  return truncated_cg([&](const Vector& v, Vector& out) { hess.apply(v, out); },
                      [&](const Vector& r, Vector& z) { problem.riemannian_sharp(x, r, z); },
                      covector, radius, options);
}

std::string hessian_kind(const Problem& problem, const Vector& x0, HessianMode mode) {
  const Point start = problem.make_point(x0);
  return HessianOperator(problem, start, Vector::Zero(x0.size()), mode).exact()
             ? "exact"
             : "finite-difference";
}

}  // namespace riemopt::detail
