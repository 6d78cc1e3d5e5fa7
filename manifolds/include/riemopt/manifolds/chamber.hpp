// The chamber of singular values C = {σ_1 >= … >= σ_d > 0} (docs/MATH.md §4).
//
// Points are the ordered vectors σ ∈ R^d. Collisions σ_k = σ_{k+1} are allowed (the
// equilibria of the entropic flows sit on the diagonal σ = s·1); zero is not (the metrics and
// the entropy's gradient degenerate there). The chamber is the quotient of the positive orthant
// by permutations, so its canonical representative of any positive vector is the sorted one:
// the retraction moves each coordinate multiplicatively, σ_k · exp(v_k/σ_k) (positive for every
// step, first order σ + v), then sorts. Symmetric energies do not see the order, so a flow whose
// stages cross by a rounding error loses nothing; canonicalize() folds its result back (the
// solvers apply it to every point they report).
//
//   riemopt::Chamber chamber(3);
//   riemopt::Point sigma = chamber.make_point(riemopt::Vector::LinSpaced(3, 3.0, 1.0));
#pragma once

#include "riemopt/manifold.hpp"

namespace riemopt {

class Chamber final : public Manifold {
 public:
  // Throws InvalidArgument unless d >= 1.
  explicit Chamber(Eigen::Index d);

  std::string name() const override;
  // An open subset: the positive orthant of R^d, each point represented sorted (canonicalize).
  ManifoldKind kind() const override { return ManifoldKind::kOpenSubset; }
  Eigen::Index ambient_size() const override { return d_; }
  Eigen::Index dimension() const override { return d_; }
  // Throws InvalidArgument unless x has d finite entries with x_1 >= … >= x_d > 0.
  void validate_point(const ConstVectorRef& x) const override;
  void retract(const Point& x, const ConstVectorRef& v, VectorRef out) const override;
  // σ_k · log(y_k/σ_k): the inverse of the retraction for targets whose order it keeps (all
  // targets when σ has distinct entries and the step is small; any sorted y from a sorted σ).
  // Throws InvalidArgument unless y has d positive entries.
  void inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const override;
  // exp(N(0, ½²)) entries, sorted: distinct with probability one, of order one.
  Vector random_point(Rng& rng) const override;

  // Sorts x into decreasing order: the chamber's representative of a permuted point.
  void canonicalize(VectorRef x) const override { sort_decreasing(x); }
  // |x| sorted (the positive orthant is R^d modulo sign changes, the chamber that modulo
  // permutations); false when an entry is zero or not finite.
  bool fold_into_domain(VectorRef x) const override;
  static void sort_decreasing(VectorRef x);

 private:
  Eigen::Index d_;
};

}  // namespace riemopt
