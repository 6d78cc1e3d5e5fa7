#include "riemopt/metric.hpp"

#include <algorithm>

#include "riemopt/errors.hpp"
#include "riemopt/manifold.hpp"
#include "riemopt/stiffness_model.hpp"

namespace riemopt {

double Metric::sharp_split(const Point& /*x*/, const ConstVectorRef& /*df*/,
                           const ConstVectorRef& /*spectral*/, VectorRef /*out*/) const {
  throw InvalidArgument("metric '" + name() +
                        "' takes no split covectors (has_split_sharp() is false); call sharp on "
                        "the whole covector");
}

double Metric::inner(const Point& x, const ConstVectorRef& u, const ConstVectorRef& v) const {
  return u.dot(flat(x, v));
}

void Metric::christoffel(const Point& /*x*/, const ConstVectorRef& /*v*/,
                         const ConstVectorRef& /*df*/, VectorRef /*out*/) const {
  throw InvalidArgument("metric '" + name() +
                        "' does not supply Christoffel symbols (has_christoffel() is false)");
}

bool Metric::has_connection_on(const Manifold& manifold) const {
  return manifold.is_open_subset() ? has_christoffel() : is_ambient_euclidean();
}

double Metric::log_volume_density(const Point& /*x*/) const {
  throw InvalidArgument("metric '" + name() +
                        "' has no closed-form volume density (has_volume_terms() is false); "
                        "Langevin sampling can use finite differences for small dimensions");
}

void Metric::volume_drift(const Point& /*x*/, VectorRef /*out*/) const {
  throw InvalidArgument("metric '" + name() +
                        "' has no closed-form volume drift (has_volume_terms() is false); "
                        "Langevin sampling can use finite differences for small dimensions");
}

double EuclideanMetric::log_volume_density(const Point& /*x*/) const { return 0.0; }

void EuclideanMetric::volume_drift(const Point& x, VectorRef out) const {
  require_size(out, x.size(), "EuclideanMetric::volume_drift: output");
  out.setZero();
}

Vector Metric::sharp(const Point& x, const ConstVectorRef& df) const {
  Vector out(x.size());
  sharp(x, df, out);
  return out;
}

Vector Metric::flat(const Point& x, const ConstVectorRef& v) const {
  Vector out(x.size());
  flat(x, v, out);
  return out;
}

Vector Metric::whiten(const Point& x, const ConstVectorRef& xi) const {
  Vector out(x.size());
  whiten(x, xi, out);
  return out;
}

void EuclideanMetric::sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const {
  require_size(df, x.size(), "EuclideanMetric::sharp: covector");
  out = df;
}

void EuclideanMetric::flat(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, x.size(), "EuclideanMetric::flat: vector");
  out = v;
}

void EuclideanMetric::whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const {
  require_size(xi, x.size(), "EuclideanMetric::whiten: vector");
  out = xi;
}

namespace {

// G = I: the values at their support, and no component is less stiff than another.
class EuclideanStiffness final : public StiffnessModel {
 public:
  bool sharp_at_support(const Point& /*x*/, const std::vector<Eigen::Index>& index,
                        const ConstVectorRef& values, VectorRef out) const override {
    require(values.size() == static_cast<Eigen::Index>(index.size()) && out.size() == values.size(),
            "EuclideanMetric::sharp_at_support: {} indices, {} values, {} outputs", index.size(),
            values.size(), out.size());
    out = values;
    return true;
  }
  void stiff_sharp(const Point& x, double /*floor*/, const ConstVectorRef& df,
                   VectorRef out) const override {
    require_size(df, x.size(), "EuclideanMetric::stiff_sharp: covector");
    out = df;
  }
  bool stiff_sharp_at_support(const Point& x, double /*floor*/,
                              const std::vector<Eigen::Index>& index, const ConstVectorRef& values,
                              VectorRef out) const override {
    return sharp_at_support(x, index, values, out);
  }
};

}  // namespace

const StiffnessModel* EuclideanMetric::stiffness_model() const {
  static const EuclideanStiffness model;
  return &model;
}

double EuclideanMetric::inner(const Point& x, const ConstVectorRef& u,
                              const ConstVectorRef& v) const {
  require_size(u, x.size(), "EuclideanMetric::inner: u");
  require_size(v, x.size(), "EuclideanMetric::inner: v");
  return u.dot(v);
}

void EuclideanMetric::christoffel(const Point& x, const ConstVectorRef& v, const ConstVectorRef& df,
                                  VectorRef out) const {
  require_size(v, x.size(), "EuclideanMetric::christoffel: vector");
  require_size(df, x.size(), "EuclideanMetric::christoffel: covector");
  out.setZero();
}

}  // namespace riemopt
