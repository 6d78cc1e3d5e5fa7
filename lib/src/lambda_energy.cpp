#include "riemopt/lambda_energy.hpp"

#include "riemopt/errors.hpp"

namespace riemopt {

LambdaEnergy::LambdaEnergy(std::string name, Eigen::Index ambient_size, ValueFn value,
                           GradientFn gradient, HessianVectorFn hessian_vector)
    : name_(std::move(name)),
      size_(ambient_size),
      value_(std::move(value)),
      gradient_(std::move(gradient)),
      hessian_(std::move(hessian_vector)) {
  require(static_cast<bool>(value_), "LambdaEnergy '{}': value callback is empty", name_);
  require(static_cast<bool>(gradient_), "LambdaEnergy '{}': gradient callback is empty", name_);
  require(size_ != 0, "LambdaEnergy '{}': ambient size 0 (use -1 for any size)", name_);
}

double LambdaEnergy::value(const Point& x) const {
  check_point_size(x);
  return value_(x);
}

void LambdaEnergy::add_gradient(const Point& x, double weight, VectorRef out) const {
  check_point_size(x);
  Vector g = Vector::Zero(x.size());  // local: a callback may evaluate other energies
  gradient_(x, g);
  out += weight * g;
}

void LambdaEnergy::add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                                      VectorRef out) const {
  require(has_hessian(), "LambdaEnergy '{}': no Hessian-vector callback was given", name_);
  check_point_size(x);
  require_size(v, x.size(), "LambdaEnergy '" + name_ + "': direction");
  Vector hv = Vector::Zero(x.size());
  hessian_(x, v, hv);
  out += weight * hv;
}

}  // namespace riemopt
