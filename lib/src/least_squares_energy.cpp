#include "riemopt/least_squares_energy.hpp"

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

}  // namespace riemopt
