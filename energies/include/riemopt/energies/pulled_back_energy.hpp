// The pull-back L = E∘φ of a matrix energy E to the parameter space of a deep linear network
// (docs/MATH.md §2): L(W) = E(W_N ⋯ W_1), ∂L/∂W_p = (W_N⋯W_{p+1})ᵀ ∇E(X) (W_{p−1}⋯W_1)ᵀ.
//
// Value and gradient cost one evaluation of E and O(N) matrix products (EndToEndMap: prefix
// products once, suffix products accumulated backwards, none recomputed). When E has a Hessian,
// so does L: ∇²L[V] = dφᵀ ∇²E[dφ V] + the terms from the curvature of φ contracted with ∇E, also
// in O(N) products.
//
//   auto space = std::make_shared<riemopt::ParameterSpace>(riemopt::ParameterSpace::square(d, 3));
//   auto loss = std::make_shared<riemopt::PulledBackEnergy>(completion_loss, space);
//   riemopt::Problem training(riemopt::parameter_space_geometry(space), loss);
#pragma once

#include <memory>

#include "riemopt/energy.hpp"
#include "riemopt/manifolds/parameter_space.hpp"

namespace riemopt {

class PulledBackEnergy final : public Energy {
 public:
  // Throws InvalidArgument on a null part or when E does not accept d_N × d_0 matrices.
  PulledBackEnergy(EnergyPtr matrix_energy, std::shared_ptr<const ParameterSpace> space);

  std::string name() const override;
  Eigen::Index ambient_size() const override { return space_->ambient_size(); }
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  double value_and_add_gradient(const Point& x, double weight, VectorRef out) const override;
  bool has_hessian() const override { return energy_->has_hessian(); }
  void add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                          VectorRef out) const override;

  const Energy& matrix_energy() const { return *energy_; }
  const ParameterSpace& space() const { return *space_; }

 private:
  EnergyPtr energy_;
  std::shared_ptr<const ParameterSpace> space_;
};

}  // namespace riemopt
