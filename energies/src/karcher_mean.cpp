#include "riemopt/energies/karcher_mean.hpp"

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

KarcherMean::KarcherMean(std::vector<Matrix> matrices)
    : matrices_(std::move(matrices)), id_(new_cache_owner()) {
  require(!matrices_.empty(), "KarcherMean: needs at least one matrix");
  n_ = matrices_.front().rows();
  for (std::size_t i = 0; i < matrices_.size(); ++i) {
    const Matrix& a = matrices_[i];
    require(a.rows() == n_ && a.cols() == n_,
            "KarcherMean: matrix {} is {}x{}, expected {}x{} like the first", i, a.rows(), a.cols(),
            n_, n_);
    require(a.allFinite() && (a - a.transpose()).cwiseAbs().maxCoeff() <=
                                 1e-12 * std::max(a.cwiseAbs().maxCoeff(), 1e-300),
            "KarcherMean: matrix {} is not symmetric with finite entries", i);
    const double smallest = Eigen::SelfAdjointEigenSolver<Matrix>(a).eigenvalues().minCoeff();
    require(smallest > 0.0,
            "KarcherMean: matrix {} is not positive definite (smallest eigenvalue {:.3e})", i,
            smallest);
  }
  inverse_roots_.reserve(matrices_.size());
  for (const Matrix& a : matrices_) {
    const Eigen::SelfAdjointEigenSolver<Matrix> eig(0.5 * (a + a.transpose()));
    inverse_roots_.push_back(eig.eigenvectors() *
                             eig.eigenvalues().array().rsqrt().matrix().asDiagonal() *
                             eig.eigenvectors().transpose());
  }
}

std::string KarcherMean::name() const {
  return fmt::format("Karcher mean of {} SPD {}x{} matrices", matrices_.size(), n_, n_);
}

void KarcherMean::check_shape(Eigen::Index rows, Eigen::Index cols) const {
  require(rows == n_ && cols == n_, "{} needs {}x{} points (got {}x{})", name(), n_, n_, rows,
          cols);
}

namespace detail {

// The eigen-decompositions Y_i = B_i X B_i = Q_i diag(μ_i) Q_iᵀ, B_i = A_i^{−1/2}, of one point,
// shared by the value, the gradient and every Hessian-vector product there.
struct KarcherEigen final : PointCacheOf<KarcherEigen> {
  std::uint64_t owner = 0;
  std::vector<Matrix> q;
  std::vector<Vector> mu;
};

}  // namespace detail

namespace {

// h(μ) = log(μ)/μ, the derivative of ½ log²μ, and its divided difference
//   h[a, b] = (h(a) − h(b))/(a − b) = (δ/expm1(δ) − log b)/(ab),  δ = log(a/b),
// which is exact at a = b (h'(a) = (1 − log a)/a²) and cancels nothing as a → b.
double log_over(double mu) { return std::log(mu) / mu; }
double log_over_divided_difference(double a, double b) {
  const double delta = std::log(a / b);
  const double ratio = delta == 0.0 ? 1.0 : delta / std::expm1(delta);
  return (ratio - std::log(b)) / (a * b);
}

}  // namespace

const detail::KarcherEigen& KarcherMean::decompose(const Point& x) const {
  check_point_size(x);
  detail::KarcherEigen& cache = x.cache<detail::KarcherEigen>();
  if (cache.valid && cache.owner == id_) return cache;
  const ConstMatrixMap xm = x.matrix();
  require(xm.allFinite(), "{}: the point has non-finite entries", name());
  cache.q.resize(matrices_.size());
  cache.mu.resize(matrices_.size());
  Eigen::SelfAdjointEigenSolver<Matrix> eig(n_);
  for (std::size_t i = 0; i < matrices_.size(); ++i) {
    const Matrix y = inverse_roots_[i] * xm * inverse_roots_[i];
    eig.compute(0.5 * (y + y.transpose()));
    require(eig.info() == Eigen::Success && eig.eigenvalues().minCoeff() > 0.0,
            "{}: the point is not positive definite (A_{}^(-1/2) X A_{}^(-1/2) has smallest "
            "eigenvalue {:.3e})",
            name(), i, i, eig.eigenvalues().minCoeff());
    cache.q[i] = eig.eigenvectors();
    cache.mu[i] = eig.eigenvalues();
  }
  cache.owner = id_;
  cache.valid = true;
  return cache;
}

double KarcherMean::value(const Point& x) const {
  const detail::KarcherEigen& d = decompose(x);
  double sum = 0.0;
  for (const Vector& mu : d.mu) sum += mu.array().log().square().sum();
  return 0.5 * sum / static_cast<double>(matrices_.size());
}

void KarcherMean::add_gradient(const Point& x, double weight, VectorRef out) const {
  value_and_add_gradient(x, weight, out);
}

// ∇f(X) = (1/m) Σ_i B_i h(Y_i) B_i, from d ½tr log²Y = tr(h(Y) dY) and dY = B dX B.
double KarcherMean::value_and_add_gradient(const Point& x, double weight, VectorRef out) const {
  const detail::KarcherEigen& d = decompose(x);
  const double m = static_cast<double>(matrices_.size());
  double sum = 0.0;
  Matrix g = Matrix::Zero(n_, n_);
  for (std::size_t i = 0; i < matrices_.size(); ++i) {
    sum += d.mu[i].array().log().square().sum();
    if (weight != 0.0) {
      const Matrix qb = d.q[i].transpose() * inverse_roots_[i];  // Q_iᵀ B_i
      g.noalias() += qb.transpose() * d.mu[i].unaryExpr(&log_over).asDiagonal() * qb;
    }
  }
  if (weight != 0.0) MatrixMap(out.data(), n_, n_) += (weight / m) * 0.5 * (g + g.transpose());
  return 0.5 * sum / m;
}

// ∇²f(X)[V] = (1/m) Σ_i B_i Q_i (H_i ∘ Q_iᵀ B_i V B_i Q_i) Q_iᵀ B_i, H_i the divided differences
// h[μ_a, μ_b] of the eigenvalues of Y_i (Daleckii–Krein).
void KarcherMean::add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                                     VectorRef out) const {
  const detail::KarcherEigen& d = decompose(x);
  require(v.size() == n_ * n_ && out.size() == n_ * n_,
          "{}: Hessian-vector product of a vector of size {} into {}, expected {}", name(),
          v.size(), out.size(), n_ * n_);
  const Matrix vs =
      0.5 * (ConstMatrixMap(v.data(), n_, n_) + ConstMatrixMap(v.data(), n_, n_).transpose());
  Matrix h = Matrix::Zero(n_, n_);
  for (std::size_t i = 0; i < matrices_.size(); ++i) {
    const Matrix qb = d.q[i].transpose() * inverse_roots_[i];  // Q_iᵀ B_i
    Matrix t = qb * vs * qb.transpose();
    const Vector& mu = d.mu[i];
    for (Eigen::Index b = 0; b < n_; ++b)
      for (Eigen::Index a = 0; a < n_; ++a) t(a, b) *= log_over_divided_difference(mu(a), mu(b));
    h.noalias() += qb.transpose() * t * qb;
  }
  MatrixMap(out.data(), n_, n_) +=
      (weight / static_cast<double>(matrices_.size())) * 0.5 * (h + h.transpose());
}

}  // namespace riemopt
