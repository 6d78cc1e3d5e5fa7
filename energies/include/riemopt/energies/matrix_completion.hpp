// Matrix completion loss on an observed index set Ω (docs/MATH.md §6):
//
//   E(X) = ½ Σ_{(i,j)∈Ω} (X_ij − M_ij)²           (Normalization::kHalfSum, the entropic paper's),
//   E(X) = (1/|Ω|) Σ_{(i,j)∈Ω} (X_ij − M_ij)²     (Normalization::kMean, Arora et al.'s),
//
// with gradient P_Ω(X − M) (times the normalization) computed in O(|Ω|) and Hessian P_Ω.
// The two normalizations differ only by a time rescaling |Ω|/2 of the gradient flow.
//
//   std::vector<riemopt::Observation> obs = {{0, 1, 2.5}, {3, 2, -1.0}};   // 0-based (row, col)
//   auto loss = std::make_shared<riemopt::MatrixCompletion>(100, 100, obs);
#pragma once

#include <cmath>
#include <vector>

#include "riemopt/least_squares_energy.hpp"

namespace riemopt {

struct Observation {
  Eigen::Index row;  // 0-based
  Eigen::Index col;  // 0-based
  double value;
};

// Throws InvalidArgument, naming `caller`, unless `observations` is non-empty with 0-based
// indices inside the rows × cols matrix and finite values (the message names the observation).
void check_observations(const std::vector<Observation>& observations, Eigen::Index rows,
                        Eigen::Index cols, const char* caller);

class MatrixCompletion final : public LeastSquaresEnergy {
 public:
  enum class Normalization { kHalfSum, kMean };

  // Throws InvalidArgument on an empty set, out-of-range or duplicate indices, or non-finite
  // values (the message names the offending observation).
  MatrixCompletion(Eigen::Index rows, Eigen::Index cols, std::vector<Observation> observations,
                   Normalization normalization = Normalization::kHalfSum);

  std::string name() const override { return "matrix-completion"; }
  Eigen::Index ambient_size() const override { return rows_ * cols_; }
  // Requires rows() × cols() points, not only as many coordinates.
  void check_shape(Eigen::Index rows, Eigen::Index cols) const override;
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  double value_and_add_gradient(const Point& x, double weight, VectorRef out) const override;
  bool has_hessian() const override { return true; }
  void add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                          VectorRef out) const override;

  // Residuals r_k = c·(X_ij − M_ij), one per observation in the given order, c = √(2·scale) so
  // that E = ½‖r‖² (c = 1 for kHalfSum, √(2/|Ω|) for kMean); the Jacobian is c at (k, ij).
  Eigen::Index residual_count() const override {
    return static_cast<Eigen::Index>(observations_.size());
  }
  void residuals(const Point& x, VectorRef r) const override;
  void residual_jacobian(const Point& x, MatrixRef j) const override;
  // J is √(2·scale) times the selection of the observed entries: gather and scatter.
  void jacobian_product(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  void jacobian_transpose_product(const Point& x, const ConstVectorRef& w,
                                  VectorRef out) const override;
  const std::vector<Eigen::Index>* selection_jacobian(double* scale) const override {
    *scale = std::sqrt(2.0 * scale_);
    return &linear_index_;
  }

  Eigen::Index rows() const { return rows_; }
  Eigen::Index cols() const { return cols_; }
  const std::vector<Observation>& observations() const { return observations_; }
  // Mean over Ω of (X_ij − M_ij)², whatever the normalization.
  double observed_mse(const ConstVectorRef& x) const;

 private:
  double residual_sum_of_squares(const double* x) const;

  Eigen::Index rows_, cols_;
  std::vector<Observation> observations_;
  std::vector<Eigen::Index> linear_index_;  // column-major offsets, one per observation
  double scale_;                            // ½ or 1/|Ω|
};

}  // namespace riemopt
