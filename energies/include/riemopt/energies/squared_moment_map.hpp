// The squared moment map M(W) = ½ Σ_{p=1}^{N−1} ‖μ_p‖²_F, μ_p = W_{p+1}ᵀW_{p+1} − W_pW_pᵀ, whose
// Euclidean gradient flow is the second balancing flow of Lindsey–Menon (arXiv 2511.01137;
// docs/MATH.md §2):
//   ∇_{W_p} M = 2 (W_p μ_{p−1} − μ_p W_p),   μ_0 = μ_N = 0,
// so Ẇ_p = −∇_{W_p} M = 2 (μ_p W_p − W_p μ_{p−1}). This is the infinitesimal action of the
// generators (2μ_1, …, 2μ_{N−1}) on the fiber, so the flow keeps φ(W) fixed (the products
// telescope), and it is exactly twice the field of the regularizer's fiber flow
// (balancing_flow.hpp): the two flows trace the same curves, this one at double speed.
//
//   auto m = std::make_shared<riemopt::SquaredMomentMap>(space);
//   riemopt::Problem p(riemopt::parameter_space_geometry(space), m);
#pragma once

#include <memory>
#include <string>

#include "riemopt/energy.hpp"
#include "riemopt/manifolds/parameter_space.hpp"

namespace riemopt {

class SquaredMomentMap final : public Energy {
 public:
  // Throws InvalidArgument on a null space.
  explicit SquaredMomentMap(std::shared_ptr<const ParameterSpace> space);
  std::string name() const override { return "squared-moment-map"; }
  Eigen::Index ambient_size() const override { return space_->ambient_size(); }
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  double value_and_add_gradient(const Point& x, double weight, VectorRef out) const override;

 private:
  std::shared_ptr<const ParameterSpace> space_;
};

}  // namespace riemopt
