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
  const Manifold& manifold = problem.manifold();
  const Metric& metric = problem.metric();
  embedded_ = !manifold.is_open_subset();
  require(!embedded_ || metric.has_connection_on(manifold),
          "HessianOperator: on the {} '{}' the Riemannian Hessian is implemented for the metric "
          "induced by the ambient Euclidean one (projection and Weingarten map) and for metrics "
          "whose connection is known there (the SPD metrics); metric '{}' is neither",
          to_string(manifold.kind()), manifold.name(), metric.name());
  // The curvature terms: the manifold's Weingarten map (every embedded manifold has one; it is
  // zero on SPD) and, for a metric other than the induced one, its Christoffel symbols.
  christoffel_ = !metric.is_ambient_euclidean() && metric.has_christoffel();
  const bool connection = embedded_ || metric.has_christoffel();
  const bool available = problem.energy().has_hessian() && connection;
  require(mode != HessianMode::kExact || available,
          "HessianOperator: exact Hessians need the energy's Hessian-vector products ({}: {}) and "
          "the metric's Christoffel symbols ({}: {}); use HessianMode::kAuto or "
          "kFiniteDifference",
          problem.energy().name(), problem.energy().has_hessian() ? "yes" : "no", metric.name(),
          connection ? "yes" : "no");
  exact_ = mode == HessianMode::kExact || (mode == HessianMode::kAuto && available);
}

void HessianOperator::apply(const ConstVectorRef& v, VectorRef out) const {
  if (exact_ && embedded_) {  // P_x(∇²f v) + W_x(v, ∇f) for tangent v
    plus_.setZero(v.size());
    problem_.energy().add_hessian_vector(x_, v, 1.0, plus_);
    problem_.manifold().project(x_, plus_, out);
    minus_.resize(v.size());
    problem_.manifold().weingarten(x_, v, df_, minus_);
    out += minus_;
    if (christoffel_) {  // a flat embedding with its own metric (has_connection_on)
      problem_.metric().christoffel(x_, v, df_, minus_);
      out -= minus_;
    }
    return;
  }
  if (exact_) {
    out.setZero();
    problem_.energy().add_hessian_vector(x_, v, 1.0, out);
    Vector correction(v.size());
    problem_.metric().christoffel(x_, v, df_, correction);
    out -= correction;
    return;
  }
  difference_of_field(v, out);
  if (embedded_) {
    field_ = out;
    problem_.manifold().project(x_, field_, out);
  }
}

// (F(x + hv) − F(x − hv)) / 2h with F(y) = ∇E(y) on an open subset and F(y) = P_y ∇E(y) on an
// embedded manifold. There P is smooth near the manifold and a derivative along v needs the field
// only on a curve with velocity v, so after the final projection P_x D(P∇f)[v] = P_x ∇²f v +
// P_x (D_v P) ∇f: the Hessian with its Weingarten term.
void HessianOperator::difference_of_field(const ConstVectorRef& v, VectorRef out) const {
  const double v_norm = v.norm();
  if (v_norm == 0.0) {
    out.setZero();
    return;
  }
  const double h = std::cbrt(std::numeric_limits<double>::epsilon()) *
                   std::max(1.0, x_.coords().norm()) / v_norm;
  for (const double sign : {1.0, -1.0}) {
    Vector& field = sign > 0 ? plus_ : minus_;
    probe_.assign(x_.coords() + sign * h * v);
    field.setZero(v.size());
    problem_.energy().add_gradient(probe_, 1.0, field);
    if (embedded_) {
      field_ = field;
      problem_.manifold().project(probe_, field_, field);
    }
  }
  gradient_evaluations_ += 2;
  out = (plus_ - minus_) / (2.0 * h);
}

}  // namespace riemopt
