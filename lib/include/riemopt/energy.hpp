// The energy interface and its algebra: sums, scalar multiples, differences.
//
// An energy E is a smooth function of the ambient coordinates. It reports its value, its
// Euclidean gradient ∇E (accumulated: out += weight · ∇E, so sums allocate nothing) and,
// optionally, Euclidean Hessian-vector products. The geometry turns ∇E into the Riemannian
// gradient; the energy never needs to know which metric is in use.
//
//   riemopt::EnergyPtr loss = std::make_shared<riemopt::MatrixCompletion>(...);
//   riemopt::EnergyPtr reg  = std::make_shared<riemopt::SchattenEnergy>(1.0);
//   riemopt::EnergyPtr total = loss + 0.1 * reg;      // value, gradient, Hessian all compose
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "riemopt/point.hpp"
#include "riemopt/types.hpp"

namespace riemopt {

class LeastSquaresEnergy;  // least_squares_energy.hpp

// One weighted term of an energy's least-squares structure: weight · ½‖r(x)‖².
struct LeastSquaresTerm {
  double weight;
  const LeastSquaresEnergy* energy;
};

class Energy {
 public:
  virtual ~Energy() = default;

  virtual std::string name() const = 0;
  // Ambient size the energy accepts, or -1 if it accepts any size.
  virtual Eigen::Index ambient_size() const = 0;
  // Throws InvalidArgument unless the energy accepts points shaped as rows × cols matrices.
  // Problem calls it once, when it is built. Default: the ambient size must match (when fixed).
  // Energies of matrices override it to require their shape (completion, sensing) or square
  // matrices (the entropy); sums ask every term.
  virtual void check_shape(Eigen::Index rows, Eigen::Index cols) const;

  virtual double value(const Point& x) const = 0;
  // out += weight · ∇E(x).
  virtual void add_gradient(const Point& x, double weight, VectorRef out) const = 0;
  // Returns E(x) and does out += weight · ∇E(x); override when both share work.
  virtual double value_and_add_gradient(const Point& x, double weight, VectorRef out) const;
  // Returns E(x) and adds weight · ∇E(x) in two parts: out += a part in ambient coordinates,
  // spectral += g with the rest of the gradient equal to U diag(g) Vᵀ, where x = U diag(σ) Vᵀ is
  // the thin SVD cached in x and `spectral` has min(rows, cols) entries. Functions of the
  // singular values alone (the DLN entropy, separable spectral energies) report their gradient
  // as g: a metric that works in the singular basis (the DLN metric) then adds it there and
  // never forms U diag(g) Vᵀ, which saves a d×d product per evaluation. Default: all in `out`.
  virtual double value_and_add_split_gradient(const Point& x, double weight, VectorRef out,
                                              VectorRef spectral) const;

  // Optional capability: the least-squares structure of weight · E. Appends its least-squares
  // terms to `out` and returns true when weight · E is exactly their sum. Default: appends
  // nothing and returns false. A LeastSquaresEnergy appends itself; sums and multiples forward to
  // their terms, so `loss + 0.1 * reg` keeps the loss's structure for the Rosenbrock integrator
  // and `2.0 * loss` stays a sum of squares for Levenberg–Marquardt. Solvers ask this, never the
  // energy's type.
  virtual bool least_squares_terms(double weight, std::vector<LeastSquaresTerm>& out) const;

  virtual bool has_hessian() const { return false; }
  // out += weight · ∇²E(x)[v]. Throws InvalidArgument when has_hessian() is false.
  virtual void add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                                  VectorRef out) const;

  // Convenience wrappers that allocate the result.
  Vector gradient(const Point& x) const;
  Vector hessian_vector(const Point& x, const ConstVectorRef& v) const;

 protected:
  // Throws InvalidArgument unless x has ambient_size() coordinates (when that is fixed).
  void check_point_size(const Point& x) const;
};

using EnergyPtr = std::shared_ptr<const Energy>;

// Σ_i c_i E_i. All terms must agree on the ambient size.
class SumEnergy final : public Energy {
 public:
  struct Term {
    double weight;
    EnergyPtr energy;
  };
  explicit SumEnergy(std::vector<Term> terms);

  std::string name() const override;
  Eigen::Index ambient_size() const override { return size_; }
  void check_shape(Eigen::Index rows, Eigen::Index cols) const override;
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  double value_and_add_gradient(const Point& x, double weight, VectorRef out) const override;
  double value_and_add_split_gradient(const Point& x, double weight, VectorRef out,
                                      VectorRef spectral) const override;
  bool least_squares_terms(double weight, std::vector<LeastSquaresTerm>& out) const override;
  bool has_hessian() const override;
  void add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                          VectorRef out) const override;
  const std::vector<Term>& terms() const { return terms_; }

 private:
  std::vector<Term> terms_;
  Eigen::Index size_ = -1;
};

// Composition operators (flatten nested sums; throw InvalidArgument on null or size mismatch).
EnergyPtr operator+(const EnergyPtr& a, const EnergyPtr& b);
EnergyPtr operator-(const EnergyPtr& a, const EnergyPtr& b);
EnergyPtr operator*(double c, const EnergyPtr& a);

}  // namespace riemopt
