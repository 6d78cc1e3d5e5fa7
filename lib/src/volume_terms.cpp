#include "riemopt/volume_terms.hpp"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

namespace {

// K = G⁻¹ at the coordinates `coords` (shape of x), one sharp per column.
Matrix cometric(const Metric& metric, const Point& shape, const ConstVectorRef& coords) {
  const Eigen::Index n = coords.size();
  const Point at(Vector(coords), shape.rows(), shape.cols());
  Matrix k(n, n);
  Vector unit = Vector::Zero(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    unit[j] = 1.0;
    metric.sharp(at, unit, k.col(j));
    unit[j] = 0.0;
  }
  return k;
}

// −½ log det K, from a Cholesky factor of its symmetric part.
double minus_half_log_det(const Matrix& k, const char* where) {
  const Matrix symmetric = 0.5 * (k + k.transpose());
  Eigen::LLT<Matrix> llt(symmetric);
  if (llt.info() != Eigen::Success || !symmetric.allFinite())
    throw NumericalError(fmt::format(
        "finite_difference_volume_terms: the cometric is not positive definite at {} (the "
        "metric is degenerate there)",
        where));
  return -llt.matrixL().toDenseMatrix().diagonal().array().log().sum();
}

}  // namespace

VolumeTerms closed_form_volume_terms(const Geometry& geometry, const Point& x) {
  geometry.validate();
  VolumeTerms out;
  out.log_volume_density = geometry.metric->log_volume_density(x);
  out.drift.resize(x.size());
  geometry.metric->volume_drift(x, out.drift);
  return out;
}

VolumeTerms finite_difference_volume_terms(const Geometry& geometry, const Point& x,
                                           double relative_step) {
  geometry.validate();
  require(geometry.manifold->is_open_subset(),
          "finite_difference_volume_terms: the manifold '{}' is not an open subset (the terms "
          "are defined in the ambient coordinates of an open subset)",
          geometry.manifold->name());
  require(relative_step > 0.0 && relative_step <= 0.1,
          "finite_difference_volume_terms: relative_step must be in (0, 0.1] (got {})",
          relative_step);
  const Metric& metric = *geometry.metric;
  const Eigen::Index n = x.size();
  const double scale = std::max(x.coords().cwiseAbs().maxCoeff(), 1e-300);

  VolumeTerms out;
  const Matrix k = cometric(metric, x, x.coords());
  out.log_volume_density = minus_half_log_det(k, "x");
  Vector divergence = Vector::Zero(n);  // Σ_j ∂_j K^{ij}
  Vector log_density_gradient(n);       // ∂_j log √|g|
  Vector shifted = x.coords();
  for (Eigen::Index j = 0; j < n; ++j) {
    const double h = relative_step * scale;
    shifted[j] = x.coords()[j] + h;
    const Matrix k_plus = cometric(metric, x, shifted);
    const double l_plus = minus_half_log_det(k_plus, "a shifted point");
    shifted[j] = x.coords()[j] - h;
    const Matrix k_minus = cometric(metric, x, shifted);
    const double l_minus = minus_half_log_det(k_minus, "a shifted point");
    shifted[j] = x.coords()[j];
    divergence += (k_plus.col(j) - k_minus.col(j)) / (2.0 * h);
    log_density_gradient[j] = (l_plus - l_minus) / (2.0 * h);
  }
  out.drift = divergence + k * log_density_gradient;
  return out;
}

}  // namespace riemopt
