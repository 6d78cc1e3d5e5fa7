// Separable energies on the chamber coordinates: Φ(σ) = Σ_k f(σ_k) (docs/MATH.md §6), the chamber
// image of the spectral energy Σ f(σ_k(X)). Value, gradient f'(σ_k) and the diagonal Hessian
// f''(σ_k), for vectors of any length d.
//
//   auto e = riemopt::SeparableChamberEnergy::schatten(2.0);     // Σ σ_k² / 2
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "riemopt/energy.hpp"

namespace riemopt {

class SeparableChamberEnergy final : public Energy {
 public:
  using ScalarFn = std::function<double(double)>;
  // f, f' are required; f'' enables Hessian-vector products.
  SeparableChamberEnergy(std::string name, ScalarFn f, ScalarFn df, ScalarFn d2f = nullptr);
  // Schatten-p: f(s) = s^p/p. Throws InvalidArgument unless p is finite and > 0.
  static std::shared_ptr<SeparableChamberEnergy> schatten(double p);

  std::string name() const override { return name_; }
  Eigen::Index ambient_size() const override { return -1; }
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  bool has_hessian() const override { return static_cast<bool>(d2f_); }
  void add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                          VectorRef out) const override;

  double f(double s) const { return f_(s); }
  double df(double s) const { return df_(s); }
  // Throws InvalidArgument when f'' was not given.
  double d2f(double s) const;

 private:
  std::string name_;
  ScalarFn f_, df_, d2f_;
};

}  // namespace riemopt
