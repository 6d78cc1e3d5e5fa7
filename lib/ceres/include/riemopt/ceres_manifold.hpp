// A ceres::Manifold for any riemopt geometry whose manifold is an open subset of its ambient
// space (matrices under any metric, the chamber, the parameter space).
//
// Ceres works in local coordinates δ ∈ R^n. The adapter makes them orthonormal coordinates of
// the metric: Plus(x, δ) = retract(x, B_x δ), with B_x = whiten (B_x B_xᵀ = G_x⁻¹, symmetric). The
// gradient Ceres sees in local coordinates is then B_x ∇E(x), whose Euclidean norm is the
// Riemannian ‖grad E(x)‖_g, and Ceres' isotropic steps, trust regions and damping are isotropic
// in the metric: swapping the metric changes what Ceres does without Ceres knowing.
//   Minus(y, x)        = B_x⁻¹ inverse_retract(x, y),   B_x⁻¹ = whiten ∘ flat (needs full rank)
//   PlusJacobian(x)    = B_x, MinusJacobian(x) = B_x⁻¹ (dense n × n, built column by column)
//   RightMultiplyByPlusJacobian: one whiten per row (what ceres::GradientProblem uses).
// A method whose metric evaluation throws (a rank-deficient point, a NaN) returns false, as
// Ceres expects; last_error() tells why. The adapter keeps the last point it saw with its SVD,
// so Plus, the Jacobians and Minus at one x share one decomposition; a mutex makes the methods
// safe to call from several threads (they then take turns).
//
// Including this header needs Ceres (the library links it; find_package(riemopt) finds it).
//
//   auto* manifold = new riemopt::CeresManifold(riemopt::dln_matrices(20, 20, depth));
//   ceres::Problem problem;
//   problem.AddParameterBlock(x.data(), 400, manifold);    // Ceres takes ownership
#pragma once

#include <ceres/manifold.h>

#include <mutex>
#include <optional>
#include <string>

#include "riemopt/geometry.hpp"

namespace riemopt {

class CeresManifold final : public ceres::Manifold {
 public:
  // Throws InvalidArgument on a null part or a manifold that is not an open subset of its
  // ambient space (an embedded manifold would need a basis of each tangent space).
  explicit CeresManifold(Geometry geometry);

  int AmbientSize() const override { return size_; }
  int TangentSize() const override { return size_; }
  bool Plus(const double* x, const double* delta, double* x_plus_delta) const override;
  bool PlusJacobian(const double* x, double* jacobian) const override;
  bool RightMultiplyByPlusJacobian(const double* x, int num_rows, const double* ambient_matrix,
                                   double* tangent_matrix) const override;
  bool Minus(const double* y, const double* x, double* y_minus_x) const override;
  bool MinusJacobian(const double* x, double* jacobian) const override;

  const Geometry& geometry() const { return geometry_; }
  // Why the last method that returned false failed (empty if none has).
  const std::string& last_error() const { return last_error_; }

 private:
  // Runs body(point at x) under the lock, turning an exception into false and last_error().
  template <typename Body>
  bool at(const double* x, Body&& body) const;

  Geometry geometry_;
  int size_ = 0;
  mutable std::mutex mutex_;
  mutable std::optional<Point> point_;  // the last x, with its cached SVD
  mutable std::string last_error_;
};

}  // namespace riemopt
