#include "riemopt/energies/brockett.hpp"

#include <fmt/format.h>

#include "dense_product.hpp"
#include "riemopt/errors.hpp"

namespace riemopt {

namespace {

struct BrockettProduct final : PointCacheOf<BrockettProduct> {
  std::uint64_t owner = 0;
  Matrix ax;
};

}  // namespace

BrockettCost::BrockettCost(Matrix a, Vector weights)
    : a_(std::move(a)), weights_(std::move(weights)), id_(new_cache_owner()) {
  require(a_.rows() >= 1 && a_.rows() == a_.cols(), "BrockettCost: A must be square (got {}x{})",
          a_.rows(), a_.cols());
  require_finite(a_, "BrockettCost: A");
  require(weights_.size() >= 1, "BrockettCost: needs at least one weight");
  require_finite(weights_, "BrockettCost: weights");
  const double asymmetry = (a_ - a_.transpose()).cwiseAbs().maxCoeff();
  require(asymmetry <= 1e-12 * a_.cwiseAbs().maxCoeff(),
          "BrockettCost: A must be symmetric (max |A - A^T| = {:.3e})", asymmetry);
  a_ = 0.5 * (a_ + a_.transpose()).eval();
}

std::string BrockettCost::name() const {
  return weights_.size() == 1 && weights_[0] == 1.0
             ? fmt::format("rayleigh(n={})", a_.rows())
             : fmt::format("brockett(n={}, p={})", a_.rows(), weights_.size());
}

void BrockettCost::check_shape(Eigen::Index rows, Eigen::Index cols) const {
  require(rows == a_.rows() && cols == weights_.size(),
          "{}: points must be {}x{} matrices, but the manifold's are {}x{}", name(), a_.rows(),
          weights_.size(), rows, cols);
}

void BrockettCost::multiply(const ConstMatrixMap& x, Matrix& out) const {
  // One column (the Rayleigh quotient): a matrix-vector product, which dgemm would run after
  // packing all of A (4x slower at n = 1000, measured by bench/standard_problems). Several
  // columns: BLAS dgemm, about twice Eigen's product at 200x200 by 200x10.
  if (x.cols() == 1)
    out.col(0).noalias() = a_ * x.col(0);
  else
    detail::dense_product(a_, detail::Op::kNone, x, detail::Op::kNone, out);
}

const Matrix& BrockettCost::product(const Point& x) const {
  BrockettProduct& cache = x.cache<BrockettProduct>();
  if (!cache.valid || cache.owner != id_) {
    const ConstMatrixMap xm(x.coords().data(), a_.rows(), weights_.size());
    cache.ax.resize(a_.rows(), weights_.size());
    multiply(xm, cache.ax);
    cache.owner = id_;
    cache.valid = true;
  }
  return cache.ax;
}

double BrockettCost::value(const Point& x) const {
  check_point_size(x);
  const ConstMatrixMap xm(x.coords().data(), a_.rows(), weights_.size());
  // tr(XᵀAX D) = Σ_j d_j x_jᵀ(AX)_j.
  return (xm.cwiseProduct(product(x)).colwise().sum().transpose().array() * weights_.array()).sum();
}

void BrockettCost::add_gradient(const Point& x, double weight, VectorRef out) const {
  value_and_add_gradient(x, weight, out);
}

double BrockettCost::value_and_add_gradient(const Point& x, double weight, VectorRef out) const {
  check_point_size(x);
  const ConstMatrixMap xm(x.coords().data(), a_.rows(), weights_.size());
  const Matrix& ax = product(x);
  MatrixMap(out.data(), a_.rows(), weights_.size()) += (2.0 * weight) * ax * weights_.asDiagonal();
  return (xm.cwiseProduct(ax).colwise().sum().transpose().array() * weights_.array()).sum();
}

void BrockettCost::add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                                      VectorRef out) const {
  check_point_size(x);
  require_size(v, ambient_size(), [&] { return name() + ": Hessian direction"; });
  const ConstMatrixMap vm(v.data(), a_.rows(), weights_.size());
  thread_local Matrix av;
  av.resize(a_.rows(), weights_.size());
  multiply(vm, av);
  MatrixMap(out.data(), a_.rows(), weights_.size()) += (2.0 * weight) * av * weights_.asDiagonal();
}

EnergyPtr rayleigh_quotient(Matrix a) {
  return std::make_shared<BrockettCost>(std::move(a), Vector::Ones(1));
}

}  // namespace riemopt
