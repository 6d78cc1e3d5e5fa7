// The fiber metric on the parameter space: a degenerate metric whose gradient flows move only
// along the fibers φ⁻¹(X) (docs/MATH.md §2), so that φ(W) stays fixed.
//
// The generators C = (C_1..C_{N−1}) act by V(C)_p = C_p W_p − W_p C_{p−1} (balanced_factors.hpp);
// with the Frobenius metric on the generators, the gradient of f along the action is
// sharp(W, ∇f) = V(Vᵀ ∇f). For the regularizer R = ½Σ‖W_p‖², Vᵀ∇R = −μ, so −sharp(∇R) is the
// balancing flow Ẇ_p = μ_p W_p − W_p μ_{p−1}, and ‖grad R‖² = ∇Rᵀ sharp(∇R) = Σ_p ‖μ_p‖²: the
// gradient norm a solver reports is the imbalance ‖μ‖.
//
// The metric is degenerate (it only sees the fibers): flat, inner and whiten throw
// NumericalError. Solvers only need sharp.
//
//   riemopt::Geometry fibers{space, std::make_shared<riemopt::FiberMetric>(space)};
//   riemopt::Problem balancing(fibers, std::make_shared<riemopt::BalancingRegularizer>(space));
#pragma once

#include <memory>

#include "riemopt/manifolds/parameter_space.hpp"
#include "riemopt/metric.hpp"

namespace riemopt {

class FiberMetric final : public Metric {
 public:
  // Throws InvalidArgument on a null space.
  explicit FiberMetric(std::shared_ptr<const ParameterSpace> space);

  std::string name() const override { return "fiber"; }
  using Metric::flat;
  using Metric::sharp;
  using Metric::whiten;
  void sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const override;
  void flat(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const override;
  double inner(const Point& x, const ConstVectorRef& u, const ConstVectorRef& v) const override;

 private:
  std::shared_ptr<const ParameterSpace> space_;
};

// The fiber geometry: the parameter space with the fiber metric.
Geometry fiber_geometry(std::shared_ptr<const ParameterSpace> space);

}  // namespace riemopt
