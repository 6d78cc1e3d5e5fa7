#include "riemopt/problem.hpp"

#include <algorithm>
#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {
namespace {

// ‖grad‖_g from ‖grad‖²_g = dE(grad) (a NaN stays NaN; rounding below zero counts as zero).
void set_gradient_norm(double squared, Problem::Evaluation& out) {
  out.gradient_norm = std::isnan(squared) ? squared : std::sqrt(std::max(squared, 0.0));
}

}  // namespace

Problem::Problem(Geometry geometry, EnergyPtr energy)
    : geometry_(std::move(geometry)), energy_(std::move(energy)) {
  geometry_.validate();
  require(energy_ != nullptr, "Problem: energy is null");
  const Eigen::Index n = energy_->ambient_size();
  require(n < 0 || n == geometry_.manifold->ambient_size(),
          "Problem: energy '{}' expects {} coordinates but manifold '{}' has {}", energy_->name(),
          n, geometry_.manifold->name(), geometry_.manifold->ambient_size());
}

double Problem::value(const Point& x) const {
  ++counts_.values;
  return energy_->value(x);
}

void Problem::evaluate(const Point& x, Evaluation& out) const {
  const Eigen::Index n = x.size();
  require(n == ambient_size(), "Problem::evaluate: point has {} coordinates, expected {}", n,
          ambient_size());
  ++counts_.values;
  ++counts_.gradients;
  out.spectral_gradient.resize(0);
  out.euclidean_gradient.setZero(n);
  out.value = energy_->value_and_add_gradient(x, 1.0, out.euclidean_gradient);
  out.gradient.resize(n);
  geometry_.metric->sharp(x, out.euclidean_gradient, out.gradient);
  if (!geometry_.manifold->is_open_subset()) {
    thread_local Vector ambient;
    ambient = out.gradient;
    geometry_.manifold->project(x, ambient, out.gradient);
  }
  // ‖grad‖²_g = dE(grad) = ∇Eᵀ grad: valid for any metric, no inverse needed.
  set_gradient_norm(out.euclidean_gradient.dot(out.gradient), out);
}

void Problem::evaluate_field(const Point& x, Evaluation& out) const {
  if (!geometry_.manifold->is_open_subset()) return evaluate(x, out);
  const Eigen::Index n = x.size();
  require(n == ambient_size(), "Problem::evaluate_field: point has {} coordinates, expected {}", n,
          ambient_size());
  ++counts_.values;
  ++counts_.gradients;
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
