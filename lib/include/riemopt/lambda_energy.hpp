// An energy defined by user callbacks: value, Euclidean gradient, optional Hessian-vector product.
//
//   auto quad = std::make_shared<riemopt::LambdaEnergy>(
//       "half-squared-norm", /*ambient_size=*/9,
//       [](const riemopt::Point& x) { return 0.5 * x.coords().squaredNorm(); },
//       [](const riemopt::Point& x, riemopt::VectorRef g) { g = x.coords(); },
//       [](const riemopt::Point&, const riemopt::ConstVectorRef& v, riemopt::VectorRef hv) { hv =
//       v; });
//
// The gradient callback writes ∇E(x) into `g` (sized, zeroed beforehand); the Hessian callback
// writes ∇²E(x)[v] into `hv`. Callbacks may use svd_of(x) (riemopt/svd.hpp): it is cached in the
// point and shared.
#pragma once

#include <functional>
#include <string>

#include "riemopt/energy.hpp"

namespace riemopt {

class LambdaEnergy final : public Energy {
 public:
  using ValueFn = std::function<double(const Point&)>;
  using GradientFn = std::function<void(const Point&, VectorRef)>;
  using HessianVectorFn = std::function<void(const Point&, const ConstVectorRef&, VectorRef)>;

  // ambient_size < 0 accepts points of any size. Throws InvalidArgument on empty callbacks.
  LambdaEnergy(std::string name, Eigen::Index ambient_size, ValueFn value, GradientFn gradient,
               HessianVectorFn hessian_vector = nullptr);

  std::string name() const override { return name_; }
  Eigen::Index ambient_size() const override { return size_; }
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  bool has_hessian() const override { return static_cast<bool>(hessian_); }
  void add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                          VectorRef out) const override;

 private:
  std::string name_;
  Eigen::Index size_;
  ValueFn value_;
  GradientFn gradient_;
  HessianVectorFn hessian_;
};

}  // namespace riemopt
