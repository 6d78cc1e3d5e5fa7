#include "riemopt/manifolds/chamber_metric.hpp"

#include <fmt/format.h>

#include <cmath>

#include "riemopt/errors.hpp"
#include "riemopt/manifolds/chamber.hpp"

namespace riemopt {

std::string ChamberMetric::name() const {
  if (!depth_) return "euclidean";
  return fmt::format("dln(N={})", depth_->to_string());
}

double ChamberMetric::weight(double sigma) const {
  if (!depth_) return 1.0;
  if (depth_->is_infinite()) return sigma * sigma;
  const double n = depth_->as_double();
  if (depth_->value() == 1) return 1.0;
  return n * std::pow(sigma, 2.0 - 2.0 / n);
}

double ChamberMetric::connection_coefficient() const {
  if (!depth_) return 0.0;
  if (depth_->is_infinite()) return 1.0;
  return 1.0 - 1.0 / depth_->as_double();
}

double ChamberMetric::half_weight_derivative(double sigma) const {
  if (!depth_) return 0.0;
  if (depth_->is_infinite()) return sigma;
  const double n = depth_->as_double();
  if (depth_->value() == 1) return 0.0;
  return (n - 1.0) * std::pow(sigma, 1.0 - 2.0 / n);
}

double ChamberMetric::log_volume_density(const Point& x) const {
  const Vector& s = x.coords();
  double sum = 0.0;
  for (Eigen::Index k = 0; k < s.size(); ++k) {
    const double w = weight(s[k]);
    if (!(w > 0.0) || !std::isfinite(w))
      throw NumericalError(fmt::format(
          "{} chamber metric: the volume density is infinite at sigma[{}] = {} (it needs "
          "sigma > 0)",
          name(), k, s[k]));
    sum += std::log(w);
  }
  return -0.5 * sum;
}

void ChamberMetric::volume_drift(const Point& x, VectorRef out) const {
  require_size(out, x.size(), [&] { return name() + " chamber metric: volume drift output"; });
  const Vector& s = x.coords();
  for (Eigen::Index k = 0; k < s.size(); ++k) out[k] = half_weight_derivative(s[k]);
}

Vector ChamberMetric::christoffel_symbols(const ConstVectorRef& sigma) const {
  return -connection_coefficient() * sigma.array().inverse();
}

void ChamberMetric::sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const {
  require_size(df, x.size(), [&] { return name() + " chamber metric: sharp covector"; });
  const Vector& s = x.coords();
  for (Eigen::Index k = 0; k < s.size(); ++k) out[k] = weight(s[k]) * df[k];
}

void ChamberMetric::flat(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, x.size(), [&] { return name() + " chamber metric: flat vector"; });
  const Vector& s = x.coords();
  for (Eigen::Index k = 0; k < s.size(); ++k) {
    const double w = weight(s[k]);
    if (!(w > 0.0))
      throw NumericalError(
          fmt::format("{} chamber metric: singular at sigma[{}] = {} (the metric needs sigma > 0)",
                      name(), k, s[k]));
    out[k] = v[k] / w;
  }
}

void ChamberMetric::whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const {
  require_size(xi, x.size(), [&] { return name() + " chamber metric: whiten vector"; });
  const Vector& s = x.coords();
  for (Eigen::Index k = 0; k < s.size(); ++k) out[k] = std::sqrt(weight(s[k])) * xi[k];
}

void ChamberMetric::christoffel(const Point& x, const ConstVectorRef& v, const ConstVectorRef& df,
                                VectorRef out) const {
  require_size(v, x.size(), [&] { return name() + " chamber metric: christoffel vector"; });
  require_size(df, x.size(), [&] { return name() + " chamber metric: christoffel covector"; });
  out = (christoffel_symbols(x.coords()).array() * v.array() * df.array()).matrix();
}

Geometry euclidean_chamber(Eigen::Index d) {
  return {std::make_shared<Chamber>(d), std::make_shared<ChamberMetric>()};
}

Geometry dln_chamber(Eigen::Index d, Depth depth) {
  return {std::make_shared<Chamber>(d), std::make_shared<ChamberMetric>(depth)};
}

}  // namespace riemopt
