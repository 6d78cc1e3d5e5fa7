#include "riemopt/manifolds/product.hpp"

#include <fmt/format.h>

#include "riemopt/errors.hpp"

namespace riemopt {
namespace {

// The factors' points of a product point, rebuilt when the point moves.
struct ProductPointCache final : PointCacheOf<ProductPointCache> {
  std::vector<Point> points;
};

}  // namespace

ProductManifold::ProductManifold(std::vector<std::shared_ptr<const Manifold>> factors)
    : factors_(std::move(factors)) {
  require(!factors_.empty(), "ProductManifold: needs at least one factor");
  offsets_.push_back(0);
  bool all_open = true, any_quotient = false;
  for (std::size_t i = 0; i < factors_.size(); ++i) {
    require(factors_[i] != nullptr, "ProductManifold: factor {} is null", i);
    offsets_.push_back(offsets_.back() + factors_[i]->ambient_size());
    all_open &= factors_[i]->is_open_subset();
    any_quotient |= factors_[i]->kind() == ManifoldKind::kQuotient;
  }
  kind_ = all_open       ? ManifoldKind::kOpenSubset
          : any_quotient ? ManifoldKind::kQuotient
                         : ManifoldKind::kEmbedded;
}

std::string ProductManifold::name() const {
  std::string s = "product (";
  for (std::size_t i = 0; i < factors_.size(); ++i)
    s += (i == 0 ? "" : " x ") + factors_[i]->name();
  return s + ")";
}

Eigen::Index ProductManifold::dimension() const {
  Eigen::Index d = 0;
  for (const auto& f : factors_) d += f->dimension();
  return d;
}

const Point& ProductManifold::factor(const Point& x, std::size_t i) const {
  require(x.size() == ambient_size(), "{}: point has {} coordinates, expected {}", name(), x.size(),
          ambient_size());
  ProductPointCache& cache = x.cache<ProductPointCache>();
  if (!cache.valid) {
    cache.points.resize(factors_.size());
    for (std::size_t k = 0; k < factors_.size(); ++k) {
      const Manifold& f = *factors_[k];
      const auto block = x.coords().segment(offsets_[k], f.ambient_size());
      Point& p = cache.points[k];
      if (p.size() == f.ambient_size() && p.rows() == f.rows())
        p.assign(block);
      else
        p = Point(block, f.rows(), f.cols());
    }
    cache.valid = true;
  }
  return cache.points.at(i);
}

void ProductManifold::validate_point(const ConstVectorRef& x) const {
  require(x.size() == ambient_size(), "{}: point has {} coordinates, expected {}", name(), x.size(),
          ambient_size());
  for (std::size_t i = 0; i < factors_.size(); ++i)
    factors_[i]->validate_point(x.segment(offsets_[i], factors_[i]->ambient_size()));
}

void ProductManifold::project(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": projected vector"; });
  for (std::size_t i = 0; i < factors_.size(); ++i) {
    const Eigen::Index n = factors_[i]->ambient_size();
    factors_[i]->project(factor(x, i), v.segment(offsets_[i], n), out.segment(offsets_[i], n));
  }
}

void ProductManifold::retract(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": retraction step"; });
  for (std::size_t i = 0; i < factors_.size(); ++i) {
    const Eigen::Index n = factors_[i]->ambient_size();
    factors_[i]->retract(factor(x, i), v.segment(offsets_[i], n), out.segment(offsets_[i], n));
  }
}

void ProductManifold::inverse_retract(const Point& x, const ConstVectorRef& y,
                                      VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": inverse retraction target"; });
  for (std::size_t i = 0; i < factors_.size(); ++i) {
    const Eigen::Index n = factors_[i]->ambient_size();
    factors_[i]->inverse_retract(factor(x, i), y.segment(offsets_[i], n),
                                 out.segment(offsets_[i], n));
  }
}

void ProductManifold::transport(const Point& x, const ConstVectorRef& v, const Point& y,
                                VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": transported vector"; });
  for (std::size_t i = 0; i < factors_.size(); ++i) {
    const Eigen::Index n = factors_[i]->ambient_size();
    factors_[i]->transport(factor(x, i), v.segment(offsets_[i], n), factor(y, i),
                           out.segment(offsets_[i], n));
  }
}

void ProductManifold::project_point(const ConstVectorRef& y, VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": projected point"; });
  for (std::size_t i = 0; i < factors_.size(); ++i) {
    const Eigen::Index n = factors_[i]->ambient_size();
    factors_[i]->project_point(y.segment(offsets_[i], n), out.segment(offsets_[i], n));
  }
}

void ProductManifold::weingarten(const Point& x, const ConstVectorRef& v, const ConstVectorRef& g,
                                 VectorRef out) const {
  for (std::size_t i = 0; i < factors_.size(); ++i) {
    const Eigen::Index n = factors_[i]->ambient_size();
    factors_[i]->weingarten(factor(x, i), v.segment(offsets_[i], n), g.segment(offsets_[i], n),
                            out.segment(offsets_[i], n));
  }
}

bool ProductManifold::has_exponential() const {
  for (const auto& f : factors_)
    if (!f->is_open_subset() && !f->has_exponential()) return false;
  return true;
}

void ProductManifold::exponential(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require(has_exponential(), "{}: a factor has no closed-form exponential map", name());
  for (std::size_t i = 0; i < factors_.size(); ++i) {
    const Eigen::Index n = factors_[i]->ambient_size();
    const Manifold& f = *factors_[i];
    if (f.is_open_subset())  // the straight line (the exponential of the flat ambient metric)
      out.segment(offsets_[i], n) = x.coords().segment(offsets_[i], n) + v.segment(offsets_[i], n);
    else
      f.exponential(factor(x, i), v.segment(offsets_[i], n), out.segment(offsets_[i], n));
  }
}

bool ProductManifold::has_logarithm() const {
  for (const auto& f : factors_)
    if (!f->is_open_subset() && !f->has_logarithm()) return false;
  return true;
}

void ProductManifold::logarithm(const Point& x, const ConstVectorRef& y, VectorRef out) const {
  require(has_logarithm(), "{}: a factor has no closed-form logarithm map", name());
  for (std::size_t i = 0; i < factors_.size(); ++i) {
    const Eigen::Index n = factors_[i]->ambient_size();
    const Manifold& f = *factors_[i];
    if (f.is_open_subset())
      out.segment(offsets_[i], n) = y.segment(offsets_[i], n) - x.coords().segment(offsets_[i], n);
    else
      f.logarithm(factor(x, i), y.segment(offsets_[i], n), out.segment(offsets_[i], n));
  }
}

void ProductManifold::canonicalize(VectorRef x) const {
  for (std::size_t i = 0; i < factors_.size(); ++i) {
    const Eigen::Index n = factors_[i]->ambient_size();
    factors_[i]->canonicalize(x.segment(offsets_[i], n));
  }
}

Vector ProductManifold::random_point(Rng& rng) const {
  Vector x(ambient_size());
  for (std::size_t i = 0; i < factors_.size(); ++i) {
    const Eigen::Index n = factors_[i]->ambient_size();
    x.segment(offsets_[i], n) = factors_[i]->random_point(rng);
  }
  return x;
}

ProductMetric::ProductMetric(std::shared_ptr<const ProductManifold> manifold,
                             std::vector<std::shared_ptr<const Metric>> metrics)
    : manifold_(std::move(manifold)), metrics_(std::move(metrics)) {
  require(manifold_ != nullptr, "ProductMetric: the manifold is null");
  require(metrics_.size() == manifold_->factor_count(), "ProductMetric: {} metrics for {} factors",
          metrics_.size(), manifold_->factor_count());
  for (std::size_t i = 0; i < metrics_.size(); ++i)
    require(metrics_[i] != nullptr, "ProductMetric: metric {} is null", i);
}

std::string ProductMetric::name() const {
  std::string s = "product (";
  for (std::size_t i = 0; i < metrics_.size(); ++i)
    s += (i == 0 ? "" : " + ") + metrics_[i]->name();
  return s + ")";
}

bool ProductMetric::is_ambient_euclidean() const {
  for (const auto& m : metrics_)
    if (!m->is_ambient_euclidean()) return false;
  return true;
}

bool ProductMetric::sharp_keeps_tangent_spaces() const {
  for (std::size_t i = 0; i < metrics_.size(); ++i)
    if (!manifold_->factor_manifold(i).is_open_subset() && !metrics_[i]->is_ambient_euclidean() &&
        !metrics_[i]->sharp_keeps_tangent_spaces())
      return false;
  return true;
}

void ProductMetric::sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const {
  for (std::size_t i = 0; i < metrics_.size(); ++i) {
    const Eigen::Index o = manifold_->offset(i);
    const Eigen::Index n = manifold_->factor_manifold(i).ambient_size();
    metrics_[i]->sharp(manifold_->factor(x, i), df.segment(o, n), out.segment(o, n));
  }
}

void ProductMetric::flat(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  for (std::size_t i = 0; i < metrics_.size(); ++i) {
    const Eigen::Index o = manifold_->offset(i);
    const Eigen::Index n = manifold_->factor_manifold(i).ambient_size();
    metrics_[i]->flat(manifold_->factor(x, i), v.segment(o, n), out.segment(o, n));
  }
}

void ProductMetric::whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const {
  for (std::size_t i = 0; i < metrics_.size(); ++i) {
    const Eigen::Index o = manifold_->offset(i);
    const Eigen::Index n = manifold_->factor_manifold(i).ambient_size();
    metrics_[i]->whiten(manifold_->factor(x, i), xi.segment(o, n), out.segment(o, n));
  }
}

double ProductMetric::inner(const Point& x, const ConstVectorRef& u,
                            const ConstVectorRef& v) const {
  double sum = 0.0;
  for (std::size_t i = 0; i < metrics_.size(); ++i) {
    const Eigen::Index o = manifold_->offset(i);
    const Eigen::Index n = manifold_->factor_manifold(i).ambient_size();
    sum += metrics_[i]->inner(manifold_->factor(x, i), u.segment(o, n), v.segment(o, n));
  }
  return sum;
}

bool ProductMetric::has_christoffel() const {
  for (const auto& m : metrics_)
    if (!m->has_christoffel() && !m->is_ambient_euclidean()) return false;
  return true;
}

void ProductMetric::christoffel(const Point& x, const ConstVectorRef& v, const ConstVectorRef& df,
                                VectorRef out) const {
  require(has_christoffel(), "{}: a factor metric has no Christoffel symbols", name());
  for (std::size_t i = 0; i < metrics_.size(); ++i) {
    const Eigen::Index o = manifold_->offset(i);
    const Eigen::Index n = manifold_->factor_manifold(i).ambient_size();
    if (metrics_[i]->has_christoffel())
      metrics_[i]->christoffel(manifold_->factor(x, i), v.segment(o, n), df.segment(o, n),
                               out.segment(o, n));
    else
      out.segment(o, n).setZero();  // the flat ambient metric
  }
}

bool ProductMetric::has_connection_on(const Manifold& manifold) const {
  if (&manifold != manifold_.get()) return false;  // this metric lives on its own product
  for (std::size_t i = 0; i < metrics_.size(); ++i)
    if (!metrics_[i]->has_connection_on(manifold_->factor_manifold(i))) return false;
  return true;
}

Geometry product_geometry(const std::vector<Geometry>& factors) {
  require(!factors.empty(), "product_geometry: needs at least one factor");
  std::vector<std::shared_ptr<const Manifold>> manifolds;
  std::vector<std::shared_ptr<const Metric>> metrics;
  for (std::size_t i = 0; i < factors.size(); ++i) {
    require(factors[i].manifold != nullptr && factors[i].metric != nullptr,
            "product_geometry: factor {} has a null manifold or metric", i);
    manifolds.push_back(factors[i].manifold);
    metrics.push_back(factors[i].metric);
  }
  auto manifold = std::make_shared<ProductManifold>(std::move(manifolds));
  auto metric = std::make_shared<ProductMetric>(manifold, std::move(metrics));
  return {std::move(manifold), std::move(metric)};
}

}  // namespace riemopt
