#include "riemopt/least_squares_energy.hpp"

#include "riemopt/errors.hpp"

namespace riemopt {

double LeastSquaresEnergy::value(const Point& x) const {
  check_point_size(x);
  Vector r(residual_count());
  residuals(x, r);
  return 0.5 * r.squaredNorm();
}

void LeastSquaresEnergy::add_gradient(const Point& x, double weight, VectorRef out) const {
  check_point_size(x);
  Vector r(residual_count());
  residuals(x, r);
  Matrix j(residual_count(), x.size());
  residual_jacobian(x, j);
  out.noalias() += weight * (j.transpose() * r);
}

void LeastSquaresEnergy::jacobian_product(const Point& x, const ConstVectorRef& v,
                                          VectorRef out) const {
  check_point_size(x);
  require_size(v, x.size(), "LeastSquaresEnergy::jacobian_product: direction");
  require_size(out, residual_count(), "LeastSquaresEnergy::jacobian_product: output");
  Matrix j(residual_count(), x.size());
  residual_jacobian(x, j);
  out.noalias() = j * v;
}

void LeastSquaresEnergy::jacobian_transpose_product(const Point& x, const ConstVectorRef& w,
                                                    VectorRef out) const {
  check_point_size(x);
  require_size(w, residual_count(), "LeastSquaresEnergy::jacobian_transpose_product: vector");
  require_size(out, x.size(), "LeastSquaresEnergy::jacobian_transpose_product: output");
  Matrix j(residual_count(), x.size());
  residual_jacobian(x, j);
  out.noalias() = j.transpose() * w;
}

}  // namespace riemopt
