// The parameter space of a deep linear network (docs/MATH.md §2): tuples W = (W_1, …, W_N) of
// factor matrices, W_p of size d_p × d_{p−1}, with the Frobenius metric Σ_p tr(W_pᵀ W_p). The
// widths d_0 → d_1 → … → d_N are arbitrary (square d × d factors are the case docs/MATH.md treats);
// the end-to-end matrix φ(W) = W_N ⋯ W_1 is d_N × d_0.
//
// A point is the concatenation vec(W_1), …, vec(W_N) of column-major factors, so every solver of
// the library runs here unchanged (geometry: parameter_space_geometry(), the Euclidean metric).
//
//   riemopt::ParameterSpace space = riemopt::ParameterSpace::square(4, 3);  // three 4×4 factors
//   riemopt::Vector w = space.random_point(rng);
//   riemopt::ConstMatrixMap w2 = space.factor(w, 2);                       // W_2, no copy
#pragma once

#include <memory>
#include <vector>

#include "riemopt/geometry.hpp"
#include "riemopt/manifold.hpp"

namespace riemopt {

class ParameterSpace final : public Manifold {
 public:
  // widths = (d_0, …, d_N): N + 1 entries, N ≥ 1, each ≥ 1. Throws InvalidArgument otherwise.
  explicit ParameterSpace(std::vector<Eigen::Index> widths);
  // N factors of size d × d.
  static ParameterSpace square(Eigen::Index d, int depth);

  std::string name() const override;
  ManifoldKind kind() const override { return ManifoldKind::kOpenSubset; }
  Eigen::Index ambient_size() const override { return offsets_.back(); }
  Eigen::Index dimension() const override { return offsets_.back(); }

  int depth() const { return static_cast<int>(widths_.size()) - 1; }
  const std::vector<Eigen::Index>& widths() const { return widths_; }
  Eigen::Index width(int p) const { return widths_.at(static_cast<std::size_t>(p)); }
  // Shape of φ(W): d_N × d_0.
  Eigen::Index output_rows() const { return widths_.back(); }
  Eigen::Index output_cols() const { return widths_.front(); }

  // W_p (1 ≤ p ≤ N) as a view into the coordinates `w` (size ambient_size()).
  ConstMatrixMap factor(const ConstVectorRef& w, int p) const;
  MatrixMap mutable_factor(VectorRef w, int p) const;
  // Start of W_p in the coordinates.
  Eigen::Index offset(int p) const;

  // Entries of W_p i.i.d. N(0, 1/d_{p−1}): every factor, and φ, has singular values of order one.
  Vector random_point(Rng& rng) const override;

  // Throws InvalidArgument, naming `caller`, unless `w` has ambient_size() finite entries.
  void check_coordinates(const ConstVectorRef& w, const char* caller) const;

 private:
  std::vector<Eigen::Index> widths_;
  std::vector<Eigen::Index> offsets_;  // offsets_[p − 1] = start of W_p; back() = total size
};

// The parameter space with its Frobenius (Euclidean) metric: Ẇ = −∇(E∘φ) is the training flow of
// the network, and gradient descent on it is the usual gradient descent on the factors.
Geometry parameter_space_geometry(std::shared_ptr<const ParameterSpace> space);

}  // namespace riemopt
