// Spectral energies of m×n matrices: E(X) = Σ_{i=1}^{min(m,n)} f(σ_i(X))  (docs/MATH.md §6).
//
//   ∇E(X) = U diag(f'(σ)) Vᵀ  (from the point's cached SVD),
//   ∇²E(X)[Z] in the singular basis (T = UᵀZV): f''(σ_k) T_kk on the diagonal,
//     (f'(σ_k) − f'(σ_l))/(σ_k − σ_l) on the symmetric and (f'(σ_k) + f'(σ_l))/(σ_k + σ_l) on the
//     antisymmetric part off the diagonal, and f'(σ_l)/σ_l on the complement of a rectangular X.
//
// SchattenEnergy(p) is f(σ) = σ^p/p (p = 2: ½‖X‖²_F, evaluated without an SVD; p = 1: the
// nuclear norm, whose gradient UVᵀ is a subgradient at rank-deficient X).
//
//   auto nuclear = std::make_shared<riemopt::SchattenEnergy>(1.0);
//   auto huber = std::make_shared<riemopt::SeparableSpectralEnergy>("log-cosh",
//       [](double s) { return std::log(std::cosh(s)); },
//       [](double s) { return std::tanh(s); },
//       [](double s) { return 1.0 / (std::cosh(s) * std::cosh(s)); });
#pragma once

#include <functional>
#include <string>

#include "riemopt/energy.hpp"

namespace riemopt {

class SeparableSpectralEnergy : public Energy {
 public:
  using ScalarFn = std::function<double(double)>;
  // f, f' are required; f'' enables Hessian-vector products. Accepts matrices of any shape.
  SeparableSpectralEnergy(std::string name, ScalarFn f, ScalarFn df, ScalarFn d2f = nullptr);

  std::string name() const override { return name_; }
  Eigen::Index ambient_size() const override { return -1; }
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  // The gradient goes to `spectral` as weight · f'(σ) (out is left alone).
  double value_and_add_split_gradient(const Point& x, double weight, VectorRef out,
                                      VectorRef spectral) const override;
  bool has_hessian() const override { return static_cast<bool>(d2f_); }
  void add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                          VectorRef out) const override;

  double f(double s) const { return f_(s); }
  double df(double s) const { return df_(s); }
  double d2f(double s) const;

 private:
  std::string name_;
  ScalarFn f_, df_, d2f_;
};

class SchattenEnergy final : public SeparableSpectralEnergy {
 public:
  // E_p(X) = (1/p) Σ σ_i^p. Throws InvalidArgument unless p > 0 and finite.
  explicit SchattenEnergy(double p);
  double p() const { return p_; }

  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  // p = 2 puts weight · X in `out` (no SVD); other p as SeparableSpectralEnergy.
  double value_and_add_split_gradient(const Point& x, double weight, VectorRef out,
                                      VectorRef spectral) const override;
  void add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                          VectorRef out) const override;

 private:
  double p_;
};

}  // namespace riemopt
