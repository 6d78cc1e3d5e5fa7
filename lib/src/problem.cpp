#include "riemopt/problem.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "riemopt/errors.hpp"

namespace riemopt {
namespace {

// ‖grad‖_g from ‖grad‖²_g (a NaN stays NaN; rounding below zero counts as zero).
void set_gradient_norm(double squared, Problem::Evaluation& out) {
  out.gradient_norm = std::isnan(squared) ? squared : std::sqrt(std::max(squared, 0.0));
}

// out = −g, returning Σ g_i² from the same pass; four partial sums keep the adds independent.
double negate_and_sum_squares(const Vector& g, VectorRef out) {
  constexpr Eigen::Index kLanes = 4;
  const double* in = g.data();
  double* to = out.data();
  const Eigen::Index n = g.size();
  double partial[kLanes] = {};
  Eigen::Index i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (Eigen::Index k = 0; k < kLanes; ++k) {
      to[i + k] = -in[i + k];
      partial[k] += in[i + k] * in[i + k];
    }
  double sum = 0.0;
  for (; i < n; ++i) {
    to[i] = -in[i];
    sum += in[i] * in[i];
  }
  for (const double p : partial) sum += p;
  return sum;
}

// The tangent t with P G t = P df on an embedded manifold with a metric G that is not the ambient
// Euclidean one: conjugate gradients on the tangent space (where P G P is symmetric positive
// definite in the Euclidean inner product), started from P G⁻¹ df, until the residual is at the
// rounding level of P df. Returns g(t, t).
double tangent_metric_solve(const Manifold& manifold, const Metric& metric, const Point& x,
                            const ConstVectorRef& df, VectorRef t) {
  const Eigen::Index n = df.size();
  Vector b(n), r(n), p(n), gp(n), scratch(n);
  manifold.project(x, df, b);
  metric.sharp(x, b, scratch);
  manifold.project(x, scratch, t);
  const double target = 1e-14 * b.norm();
  metric.flat(x, t, scratch);
  manifold.project(x, scratch, gp);
  r = b - gp;
  p = r;
  double rr = r.squaredNorm();
  for (Eigen::Index k = 0; k < 2 * manifold.dimension() + 10 && std::sqrt(rr) > target; ++k) {
    metric.flat(x, p, scratch);
    manifold.project(x, scratch, gp);
    const double curvature = p.dot(gp);
    if (!(curvature > 0.0)) break;
    const double alpha = rr / curvature;
    t += alpha * p;
    r -= alpha * gp;
    const double rr_next = r.squaredNorm();
    p = r + (rr_next / rr) * p;
    rr = rr_next;
  }
  metric.flat(x, t, scratch);
  return t.dot(scratch);
}

}  // namespace

Problem::Problem(Geometry geometry, EnergyPtr energy)
    : geometry_(std::move(geometry)), energy_(std::move(energy)) {
  geometry_.validate();
  require(energy_ != nullptr, "Problem: energy is null");
  const Manifold& m = *geometry_.manifold;
  require(m.rows() * m.cols() == m.ambient_size(),
          "Problem: manifold '{}' reports a {}x{} shape for {} ambient coordinates", m.name(),
          m.rows(), m.cols(), m.ambient_size());
  try {
    energy_->check_shape(m.rows(), m.cols());
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(fmt::format("Problem: energy '{}' does not fit manifold '{}': {}",
                                      energy_->name(), m.name(), e.what()));
  }
}

double Problem::value(const Point& x) const {
  ++counts_.values;
  return energy_->value(x);
}

double Problem::riemannian_sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const {
  const Manifold& manifold = *geometry_.manifold;
  const Metric& metric = *geometry_.metric;
  if (manifold.is_open_subset()) {
    metric.sharp(x, df, out);
    // ‖grad‖²_g = dE(grad) = ∇Eᵀ grad: valid for any metric, no inverse needed.
    return df.dot(out);
  }
  if (metric.is_ambient_euclidean()) {
    manifold.project(x, df, out);
    return out.squaredNorm();
  }
  if (metric.sharp_keeps_tangent_spaces()) {
    Vector projected(df.size());
    manifold.project(x, df, projected);
    metric.sharp(x, projected, out);
    return projected.dot(out);  // dE(grad) = g(grad, grad)
  }
  return tangent_metric_solve(manifold, metric, x, df, out);
}

void Problem::tangent_covector(const Point& x, const ConstVectorRef& df, VectorRef out) const {
  if (geometry_.manifold->is_open_subset())
    out = df;
  else
    geometry_.manifold->project(x, df, out);
}

Eigen::Index Problem::begin_evaluation(const Point& x, const char* caller) const {
  const Eigen::Index n = x.size();
  require(n == ambient_size(), "Problem::{}: point has {} coordinates, expected {}", caller, n,
          ambient_size());
  ++counts_.values;
  ++counts_.gradients;
  return n;
}

void Problem::evaluate(const Point& x, Evaluation& out) const {
  const Eigen::Index n = begin_evaluation(x, "evaluate");
  out.spectral_gradient.resize(0);
  out.euclidean_gradient.setZero(n);
  out.value = energy_->value_and_add_gradient(x, 1.0, out.euclidean_gradient);
  out.gradient.resize(n);
  set_gradient_norm(riemannian_sharp(x, out.euclidean_gradient, out.gradient), out);
}

bool Problem::field_is_euclidean_gradient() const {
  return geometry_.manifold->is_open_subset() && geometry_.metric->is_ambient_euclidean();
}

void Problem::evaluate_euclidean_gradient(const Point& x, Evaluation& out) const {
  // grad E = ∇E: the energy writes it once, with no sharp copy and no pairing pass (a flow on
  // balanced factors runs this on every right-hand side).
  const Eigen::Index n = begin_evaluation(x, "evaluate_field");
  out.euclidean_gradient.resize(0);
  out.spectral_gradient.resize(0);
  out.gradient.setZero(n);
  out.value = energy_->value_and_add_gradient(x, 1.0, out.gradient);
}

bool Problem::evaluate_negated_field(const Point& x, Evaluation& out, VectorRef field) const {
  require_size(field, ambient_size(), "Problem::evaluate_negated_field: field output");
  if (field_is_euclidean_gradient()) {
    evaluate_euclidean_gradient(x, out);
    const double squared = negate_and_sum_squares(out.gradient, field);
    set_gradient_norm(squared, out);
    return std::isfinite(out.value) && std::isfinite(squared);
  }
  evaluate_field(x, out);
  field = -out.gradient;
  return std::isfinite(out.value) && std::isfinite(out.gradient_norm) && all_finite(out.gradient);
}

void Problem::evaluate_field(const Point& x, Evaluation& out) const {
  if (field_is_euclidean_gradient()) {
    evaluate_euclidean_gradient(x, out);
    set_gradient_norm(out.gradient.squaredNorm(), out);
    return;
  }
  if (!geometry_.manifold->is_open_subset() || !geometry_.metric->has_split_sharp())
    return evaluate(x, out);
  const Eigen::Index n = begin_evaluation(x, "evaluate_field");
  out.euclidean_gradient.setZero(n);
  out.spectral_gradient.setZero(std::min(x.rows(), x.cols()));
  out.value =
      energy_->value_and_add_split_gradient(x, 1.0, out.euclidean_gradient, out.spectral_gradient);
  out.gradient.resize(n);
  set_gradient_norm(
      geometry_.metric->sharp_split(x, out.euclidean_gradient, out.spectral_gradient, out.gradient),
      out);
}

}  // namespace riemopt
