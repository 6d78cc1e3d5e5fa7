// Energies that are sums of squares: E(x) = ½‖r(x)‖² with residuals r: R^n → R^m.
//
// Every solver sees an ordinary Energy; the Ceres least-squares solver (Levenberg–Marquardt,
// dogleg; ceres_solvers.hpp) also uses the residuals and their Jacobian J = dr/dx. Matrix
// completion and matrix sensing are least-squares energies; for your own residuals, derive and
// supply three functions (value and gradient default to ½‖r‖² and Jᵀr):
//
//   class Fit final : public riemopt::LeastSquaresEnergy {      // r_k(x) = x_k² − t_k
//    public:
//     std::string name() const override { return "fit"; }
//     Eigen::Index ambient_size() const override { return 3; }
//     Eigen::Index residual_count() const override { return 3; }
//     void residuals(const riemopt::Point& x, riemopt::VectorRef r) const override {
//       r = x.coords().array().square() - 2.0;
//     }
//     void residual_jacobian(const riemopt::Point& x, riemopt::MatrixRef j) const override {
//       j = (2.0 * x.coords()).asDiagonal();
//     }
//   };
#pragma once

#include <vector>

#include "riemopt/energy.hpp"

namespace riemopt {

using MatrixRef = Eigen::Ref<Matrix>;

class LeastSquaresEnergy : public Energy {
 public:
  // m, the number of residuals.
  virtual Eigen::Index residual_count() const = 0;
  // r(x), scaled so that E(x) = ½‖r(x)‖². `r` has residual_count() entries.
  virtual void residuals(const Point& x, VectorRef r) const = 0;
  // J = dr/dx, a dense residual_count() × ambient_size() matrix (every entry is written).
  virtual void residual_jacobian(const Point& x, MatrixRef j) const = 0;

  // out = J v (residual_count() entries) and out = Jᵀ w (ambient_size() entries): the Jacobian's
  // action, which the Rosenbrock flow integrator uses in its Krylov solves. The defaults form the
  // dense Jacobian on every call; override them when J is sparse or structured.
  virtual void jacobian_product(const Point& x, const ConstVectorRef& v, VectorRef out) const;
  virtual void jacobian_transpose_product(const Point& x, const ConstVectorRef& w,
                                          VectorRef out) const;

  // When J = scale·S for a selection S (residual k depends on coordinate index[k] alone, with
  // constant slope `scale`), returns index and sets *scale; otherwise nullptr (the default).
  // Lets the Rosenbrock integrator apply the metric only on the selected coordinates.
  virtual const std::vector<Eigen::Index>* selection_jacobian(double* /*scale*/) const {
    return nullptr;
  }

  // Advertises the structure (Energy::least_squares_terms): itself, with the given weight.
  bool least_squares_terms(double weight, std::vector<LeastSquaresTerm>& out) const override {
    out.push_back({weight, this});
    return true;
  }

  // ½‖r(x)‖² and Jᵀr, from the two functions above; override when there is a cheaper way.
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
};

}  // namespace riemopt
