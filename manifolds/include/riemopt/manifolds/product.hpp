// Products M_1 × … × M_k of manifolds, each with its own metric (docs/MATH.md §11). A point is the
// concatenation of the factors' coordinates (in order, each factor's block column-major as the
// factor stores it); tangent vectors and covectors likewise. Every map acts factor by factor; the
// metric is the direct sum g((u_i), (v_i)) = Σ g_i(u_i, v_i). The product is an open subset when
// every factor is one, a quotient when some factor is, and embedded otherwise. Each factor's point
// (with its own cache: an SVD, an eigen-decomposition) is kept in the product point's cache, so a
// factor decomposes once per position as it would alone.
//
//   riemopt::Geometry g = riemopt::product_geometry({riemopt::sphere_geometry(3),
//                                                    riemopt::spd_geometry(2)});
//   riemopt::ProductManifold::factor(g, x, 1);   // the SPD block of x as a 2×2 matrix point
#pragma once

#include <memory>
#include <vector>

#include "riemopt/geometry.hpp"
#include "riemopt/manifold.hpp"
#include "riemopt/metric.hpp"

namespace riemopt {

class ProductManifold final : public Manifold {
 public:
  // Throws InvalidArgument for an empty list or a null factor.
  explicit ProductManifold(std::vector<std::shared_ptr<const Manifold>> factors);

  std::string name() const override;
  ManifoldKind kind() const override { return kind_; }
  Eigen::Index ambient_size() const override { return offsets_.back(); }
  Eigen::Index dimension() const override;

  std::size_t factor_count() const { return factors_.size(); }
  const Manifold& factor_manifold(std::size_t i) const { return *factors_.at(i); }
  // The offset of factor i's block in the coordinates.
  Eigen::Index offset(std::size_t i) const { return offsets_.at(i); }
  // Factor i's part of the point x, as a point of that factor (cached in x).
  const Point& factor(const Point& x, std::size_t i) const;

  void validate_point(const ConstVectorRef& x) const override;
  void project(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void retract(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const override;
  void transport(const Point& x, const ConstVectorRef& v, const Point& y,
                 VectorRef out) const override;
  void project_point(const ConstVectorRef& y, VectorRef out) const override;
  void weingarten(const Point& x, const ConstVectorRef& v, const ConstVectorRef& g,
                  VectorRef out) const override;
  bool has_exponential() const override;
  void exponential(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  bool has_logarithm() const override;
  void logarithm(const Point& x, const ConstVectorRef& y, VectorRef out) const override;
  void canonicalize(VectorRef x) const override;
  Vector random_point(Rng& rng) const override;

 private:
  std::vector<std::shared_ptr<const Manifold>> factors_;
  std::vector<Eigen::Index> offsets_;  // factor i occupies [offsets_[i], offsets_[i + 1])
  ManifoldKind kind_;
};

// The direct sum of the factors' metrics on a ProductManifold.
class ProductMetric final : public Metric {
 public:
  // Throws InvalidArgument unless there is one metric per factor.
  ProductMetric(std::shared_ptr<const ProductManifold> manifold,
                std::vector<std::shared_ptr<const Metric>> metrics);

  std::string name() const override;
  bool is_ambient_euclidean() const override;
  // True when every factor's gradient needs no projection solve: its manifold is open, or its
  // metric is the ambient Euclidean one or keeps tangent spaces itself.
  bool sharp_keeps_tangent_spaces() const override;
  void sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const override;
  void flat(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const override;
  double inner(const Point& x, const ConstVectorRef& u, const ConstVectorRef& v) const override;
  bool has_christoffel() const override;
  void christoffel(const Point& x, const ConstVectorRef& v, const ConstVectorRef& df,
                   VectorRef out) const override;
  // True when every factor's metric has a known connection on its factor manifold.
  bool has_connection_on(const Manifold& manifold) const override;

 private:
  std::shared_ptr<const ProductManifold> manifold_;
  std::vector<std::shared_ptr<const Metric>> metrics_;
};

// The product of geometries, with the direct-sum metric. Throws InvalidArgument for an empty list.
Geometry product_geometry(const std::vector<Geometry>& factors);

}  // namespace riemopt
