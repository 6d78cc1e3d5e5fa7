// The Riemannian Newton equation shared by Newton and the trust region (private).
#pragma once

#include "riemopt/hessian_operator.hpp"
#include "riemopt/problem.hpp"
#include "riemopt/truncated_cg.hpp"

namespace riemopt::detail {

// Hess E(x)[η] = −grad E(x), solved by truncated CG inside `radius` (+infinity for Newton) and
// preconditioned by the metric's sharp. `covector` receives ∇E(x) restricted to the tangent
// space, the model's linear term. Throws what the Hessian or the energy throw.
TruncatedCgResult solve_newton_equation(const Problem& problem, const Point& x,
                                        const Vector& euclidean_gradient, HessianMode mode,
                                        double radius, const TruncatedCgOptions& options,
                                        Vector& covector);

// "exact" or "finite-difference": the Hessian the mode gives at x0. Refuses geometries the
// second-order solvers do not support, and an impossible kExact, before any work.
std::string hessian_kind(const Problem& problem, const Vector& x0, HessianMode mode);

}  // namespace riemopt::detail
