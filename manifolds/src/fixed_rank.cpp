#include "riemopt/manifolds/fixed_rank.hpp"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {
namespace {

// The Gram matrices LᵀL and RᵀR of a point, computed once per position.
struct GramCache final : PointCacheOf<GramCache> {
  Matrix left_gram, right_gram;
  Eigen::LLT<Matrix> left_llt, right_llt;
};

const GramCache& grams_of(const Point& x, const FixedRankFactors& f) {
  GramCache& cache = x.cache<GramCache>();
  if (!cache.valid) {
    const ConstMatrixMap l = f.left(x.coords()), r = f.right(x.coords());
    cache.left_gram = l.transpose() * l;
    cache.right_gram = r.transpose() * r;
    cache.left_llt.compute(cache.left_gram);
    cache.right_llt.compute(cache.right_gram);
    require(cache.left_llt.info() == Eigen::Success && cache.right_llt.info() == Eigen::Success,
            "{}: a factor has no full column rank at this point, so the metric is singular",
            f.name());
    cache.valid = true;
  }
  return cache;
}

// M^{1/2} of a symmetric positive definite r×r matrix.
Matrix square_root(const Matrix& m) {
  const Eigen::SelfAdjointEigenSolver<Matrix> e(m);
  return e.eigenvectors() * e.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal() *
         e.eigenvectors().transpose();
}

}  // namespace

FixedRankFactors::FixedRankFactors(Eigen::Index m, Eigen::Index n, Eigen::Index r)
    : m_(m), n_(n), r_(r) {
  require(m >= 1 && n >= 1 && r >= 1 && r <= std::min(m, n),
          "FixedRankFactors: need 1 <= r <= min(m, n) (got m = {}, n = {}, r = {})", m, n, r);
}

std::string FixedRankFactors::name() const {
  return fmt::format("rank-{} factors of {}x{} matrices", r_, m_, n_);
}

void FixedRankFactors::validate_point(const ConstVectorRef& x) const {
  Manifold::validate_point(x);
  for (const Matrix& gram :
       {Matrix(left(x).transpose() * left(x)), Matrix(right(x).transpose() * right(x))}) {
    const Vector lambda = Eigen::SelfAdjointEigenSolver<Matrix>(gram).eigenvalues();
    require(lambda.minCoeff() > 1e-24 * std::max(lambda.maxCoeff(), 1e-300),
            "{}: a factor has no full column rank (Gram eigenvalues {:.3e} .. {:.3e})", name(),
            lambda.minCoeff(), lambda.maxCoeff());
  }
}

Vector FixedRankFactors::random_point(Rng& rng) const {
  return gaussian_vector(ambient_size(), rng) / std::sqrt(static_cast<double>(r_));
}

Vector FixedRankFactors::pack(const Matrix& left_factor, const Matrix& right_factor) const {
  require(left_factor.rows() == m_ && left_factor.cols() == r_ && right_factor.rows() == n_ &&
              right_factor.cols() == r_,
          "{}: factors must be {}x{} and {}x{} (got {}x{} and {}x{})", name(), m_, r_, n_, r_,
          left_factor.rows(), left_factor.cols(), right_factor.rows(), right_factor.cols());
  Vector x(ambient_size());
  MatrixMap(x.data(), m_, r_) = left_factor;
  MatrixMap(x.data() + m_ * r_, n_, r_) = right_factor;
  return x;
}

FactorGramMetric::FactorGramMetric(std::shared_ptr<const FixedRankFactors> manifold)
    : manifold_(std::move(manifold)) {
  require(manifold_ != nullptr, "FactorGramMetric: the manifold is null");
}

void FactorGramMetric::sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const {
  const FixedRankFactors& f = *manifold_;
  const GramCache& g = grams_of(x, f);
  const Eigen::Index m = f.m(), n = f.n(), r = f.rank();
  // ξ_L (RᵀR)⁻¹ = ((RᵀR)⁻¹ ξ_Lᵀ)ᵀ, by the Cholesky factor.
  MatrixMap(out.data(), m, r) =
      g.right_llt.solve(ConstMatrixMap(df.data(), m, r).transpose()).transpose();
  MatrixMap(out.data() + m * r, n, r) =
      g.left_llt.solve(ConstMatrixMap(df.data() + m * r, n, r).transpose()).transpose();
}

void FactorGramMetric::flat(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  const FixedRankFactors& f = *manifold_;
  const GramCache& g = grams_of(x, f);
  const Eigen::Index m = f.m(), n = f.n(), r = f.rank();
  MatrixMap(out.data(), m, r) = ConstMatrixMap(v.data(), m, r) * g.right_gram;
  MatrixMap(out.data() + m * r, n, r) = ConstMatrixMap(v.data() + m * r, n, r) * g.left_gram;
}

void FactorGramMetric::whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const {
  const FixedRankFactors& f = *manifold_;
  const GramCache& g = grams_of(x, f);
  const Eigen::Index m = f.m(), n = f.n(), r = f.rank();
  // (RᵀR)^{−1/2} on the right: B Bᵀ = G⁻¹ with B symmetric in the Frobenius product.
  const Matrix right_inverse_root = square_root(g.right_gram).inverse();
  const Matrix left_inverse_root = square_root(g.left_gram).inverse();
  MatrixMap(out.data(), m, r) = ConstMatrixMap(xi.data(), m, r) * right_inverse_root;
  MatrixMap(out.data() + m * r, n, r) = ConstMatrixMap(xi.data() + m * r, n, r) * left_inverse_root;
}

Geometry fixed_rank_geometry(Eigen::Index m, Eigen::Index n, Eigen::Index r) {
  auto manifold = std::make_shared<FixedRankFactors>(m, n, r);
  auto metric = std::make_shared<FactorGramMetric>(manifold);
  return {std::move(manifold), std::move(metric)};
}

}  // namespace riemopt
