#include "riemopt/hessian_operator.hpp"

#include <cmath>
#include <limits>

#include "riemopt/errors.hpp"

namespace riemopt {

std::string to_string(HessianMode mode) {
  switch (mode) {
    case HessianMode::kAuto:
      return "auto";
    case HessianMode::kExact:
      return "exact";
    case HessianMode::kFiniteDifference:
      return "finite-difference";
  }
  return "unknown";
}

HessianOperator::HessianOperator(const Problem& problem, const Point& x, const Vector& df,
                                 HessianMode mode)
    : problem_(problem), x_(x), df_(df), probe_(x) {
  require(problem.manifold().is_open_subset(),
          "HessianOperator: manifold '{}' is embedded; second-order solvers support open "
          "subsets of the ambient space only",
          problem.manifold().name());
  const bool available = problem.energy().has_hessian() && problem.metric().has_christoffel();
  require(mode != HessianMode::kExact || available,
          "HessianOperator: exact Hessians need the energy's Hessian-vector products ({}: {}) and "
          "the metric's Christoffel symbols ({}: {}); use HessianMode::kAuto or "
          "kFiniteDifference",
          problem.energy().name(), problem.energy().has_hessian() ? "yes" : "no",
          problem.metric().name(), problem.metric().has_christoffel() ? "yes" : "no");
  exact_ = mode == HessianMode::kExact || (mode == HessianMode::kAuto && available);
}

void HessianOperator::apply(const ConstVectorRef& v, VectorRef out) const {
  if (exact_) {
    out.setZero();
    problem_.energy().add_hessian_vector(x_, v, 1.0, out);
    Vector correction(v.size());
    problem_.metric().christoffel(x_, v, df_, correction);
    out -= correction;
    return;
  }
  const double v_norm = v.norm();
  if (v_norm == 0.0) {
    out.setZero();
    return;
  }
  const double h = std::cbrt(std::numeric_limits<double>::epsilon()) *
                   std::max(1.0, x_.coords().norm()) / v_norm;
  plus_.setZero(v.size());
  minus_.setZero(v.size());
  probe_.assign(x_.coords() + h * v);
  problem_.energy().add_gradient(probe_, 1.0, plus_);
  probe_.assign(x_.coords() - h * v);
  problem_.energy().add_gradient(probe_, 1.0, minus_);
  gradient_evaluations_ += 2;
  out = (plus_ - minus_) / (2.0 * h);
}

}  // namespace riemopt
