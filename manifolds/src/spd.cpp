#include "riemopt/manifolds/spd.hpp"

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <utility>

#include "riemopt/errors.hpp"
#include "riemopt/manifolds/special_orthogonal.hpp"

namespace riemopt {
namespace {

struct SpdEigenCache final : PointCacheOf<SpdEigenCache> {
  SpdEigen eigen;
};

Matrix sym(const Eigen::Ref<const Matrix>& a) { return 0.5 * (a + a.transpose()); }

// Q f(λ) Qᵀ for the eigen-decomposition of a symmetric matrix.
template <typename F>
Matrix apply_function(const Matrix& q, const Vector& lambda, F f) {
  return q * lambda.unaryExpr(f).asDiagonal() * q.transpose();
}

// The eigen-decomposition of a symmetric matrix (its symmetric part, to be exact).
Eigen::SelfAdjointEigenSolver<Matrix> symmetric_eigen(const Eigen::Ref<const Matrix>& a) {
  return Eigen::SelfAdjointEigenSolver<Matrix>(sym(a));
}

// X^{1/2} and X^{−1/2} of an SPD point, from its cached eigen-decomposition.
std::pair<Matrix, Matrix> roots_of(const Point& x);

void require_positive(const Vector& lambda, const std::string& what) {
  require(lambda.minCoeff() > 0.0,
          "{}: the matrix is not positive definite (eigenvalues {:.3e} .. {:.3e})", what,
          lambda.minCoeff(), lambda.maxCoeff());
}

}  // namespace

const SpdEigen& spd_eigen_of(const Point& x) {
  SpdEigenCache& cache = x.cache<SpdEigenCache>();
  if (!cache.valid) {
    const Eigen::SelfAdjointEigenSolver<Matrix> eig = symmetric_eigen(x.matrix());
    require_positive(eig.eigenvalues(), "SPD point");
    cache.eigen.q = eig.eigenvectors();
    cache.eigen.lambda = eig.eigenvalues();
    cache.valid = true;
  }
  return cache.eigen;
}

namespace {
std::pair<Matrix, Matrix> roots_of(const Point& x) {
  const SpdEigen& e = spd_eigen_of(x);
  return {apply_function(e.q, e.lambda, [](double l) { return std::sqrt(l); }),
          apply_function(e.q, e.lambda, [](double l) { return 1.0 / std::sqrt(l); })};
}
}  // namespace

SymmetricPositiveDefinite::SymmetricPositiveDefinite(Eigen::Index n) : n_(n) {
  require(n >= 1, "SymmetricPositiveDefinite: need n >= 1 (got {})", n);
}

std::string SymmetricPositiveDefinite::name() const {
  return fmt::format("symmetric positive definite SPD({})", n_);
}

void SymmetricPositiveDefinite::validate_point(const ConstVectorRef& x) const {
  Manifold::validate_point(x);
  const ConstMatrixMap m(x.data(), n_, n_);
  const double asymmetry = (m - m.transpose()).cwiseAbs().maxCoeff();
  require(asymmetry <= 1e-12 * std::max(m.cwiseAbs().maxCoeff(), 1e-300),
          "{}: a point must be symmetric (got max |X - X^T| = {:.3e})", name(), asymmetry);
  require_positive(symmetric_eigen(m).eigenvalues(), name());
}

void SymmetricPositiveDefinite::project(const Point& /*x*/, const ConstVectorRef& v,
                                        VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": projected vector"; });
  const ConstMatrixMap vm(v.data(), n_, n_);
  MatrixMap(out.data(), n_, n_) = sym(vm);
}

void SymmetricPositiveDefinite::retract(const Point& x, const ConstVectorRef& v,
                                        VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": retraction step"; });
  if (v.isZero(0.0)) {
    out = x.coords();
    return;
  }
  // The affine-invariant exponential X^{1/2} expm(X^{−1/2} V X^{−1/2}) X^{1/2}.
  const auto [root, inverse_root] = roots_of(x);
  const auto inner =
      symmetric_eigen(inverse_root * ConstMatrixMap(v.data(), n_, n_) * inverse_root);
  const Matrix expm = apply_function(inner.eigenvectors(), inner.eigenvalues(),
                                     [](double l) { return std::exp(l); });
  MatrixMap(out.data(), n_, n_) = sym(root * expm * root);
}

void SymmetricPositiveDefinite::inverse_retract(const Point& x, const ConstVectorRef& y,
                                                VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": inverse retraction target"; });
  const auto [root, inverse_root] = roots_of(x);
  const auto inner =
      symmetric_eigen(inverse_root * ConstMatrixMap(y.data(), n_, n_) * inverse_root);
  if (!(inner.eigenvalues().minCoeff() > 0.0))
    throw NumericalError(name() + ": the target is not positive definite, so it has no logarithm");
  const Matrix logm = apply_function(inner.eigenvectors(), inner.eigenvalues(),
                                     [](double l) { return std::log(l); });
  MatrixMap(out.data(), n_, n_) = sym(root * logm * root);
}

void SymmetricPositiveDefinite::project_point(const ConstVectorRef& y, VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": projected point"; });
  const ConstMatrixMap ym(y.data(), n_, n_);
  const Matrix s = sym(ym);
  const auto eig = Eigen::SelfAdjointEigenSolver<Matrix>(s);
  const double floor = 1e-15 * std::max(eig.eigenvalues().cwiseAbs().maxCoeff(), 1e-300);
  if (eig.eigenvalues().minCoeff() >= floor) {  // already positive definite: keep sym(Y) exactly
    MatrixMap(out.data(), n_, n_) = s;
    return;
  }
  MatrixMap(out.data(), n_, n_) = sym(apply_function(
      eig.eigenvectors(), eig.eigenvalues(), [floor](double l) { return std::max(l, floor); }));
}

void SymmetricPositiveDefinite::weingarten(const Point& /*x*/, const ConstVectorRef& /*v*/,
                                           const ConstVectorRef& /*g*/, VectorRef out) const {
  out.setZero();
}

Vector SymmetricPositiveDefinite::random_point(Rng& rng) const {
  const Vector q = SpecialOrthogonal(n_).random_point(rng);
  const Vector z = gaussian_vector(n_, rng);
  const Matrix x = ConstMatrixMap(q.data(), n_, n_) * z.array().exp().matrix().asDiagonal() *
                   ConstMatrixMap(q.data(), n_, n_).transpose();
  const Matrix s = sym(x);
  return Eigen::Map<const Vector>(s.data(), ambient_size());
}

std::string to_string(SpdMetric metric) {
  return metric == SpdMetric::kAffineInvariant ? "affine-invariant" : "bures-wasserstein";
}

void AffineInvariantMetric::sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const {
  const Eigen::Index n = x.rows();
  const ConstMatrixMap xm = x.matrix();
  MatrixMap(out.data(), n, n) = sym(xm * sym(ConstMatrixMap(df.data(), n, n)) * xm);
}

void AffineInvariantMetric::flat(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  const Eigen::Index n = x.rows();
  const SpdEigen& e = spd_eigen_of(x);
  const Matrix inverse = apply_function(e.q, e.lambda, [](double l) { return 1.0 / l; });
  MatrixMap(out.data(), n, n) = sym(inverse * ConstMatrixMap(v.data(), n, n) * inverse);
}

void AffineInvariantMetric::whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const {
  const Eigen::Index n = x.rows();
  const SpdEigen& e = spd_eigen_of(x);
  const Matrix root = apply_function(e.q, e.lambda, [](double l) { return std::sqrt(l); });
  MatrixMap(out.data(), n, n) = root * ConstMatrixMap(xi.data(), n, n) * root;
}

namespace {
// L_X[U], the solution of X L + L X = U, in the eigenbasis X = Q diag(λ) Qᵀ.
Matrix lyapunov_solve(const SpdEigen& e, const Matrix& u) {
  Matrix t = e.q.transpose() * u * e.q;
  const Eigen::Index n = t.rows();
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < n; ++i) t(i, j) /= e.lambda(i) + e.lambda(j);
  return e.q * t * e.q.transpose();
}
}  // namespace

void BuresWassersteinMetric::sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const {
  const Eigen::Index n = x.rows();
  const ConstMatrixMap xm = x.matrix();
  const Matrix s = sym(ConstMatrixMap(df.data(), n, n));
  const Matrix xs = xm * s;
  MatrixMap(out.data(), n, n) = 2.0 * (xs + xs.transpose());
}

void BuresWassersteinMetric::flat(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  const Eigen::Index n = x.rows();
  MatrixMap(out.data(), n, n) =
      sym(0.5 * lyapunov_solve(spd_eigen_of(x), ConstMatrixMap(v.data(), n, n)));  // ½ L_X[V]
}

void BuresWassersteinMetric::whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const {
  const Eigen::Index n = x.rows();
  const SpdEigen& e = spd_eigen_of(x);
  Matrix t = e.q.transpose() * ConstMatrixMap(xi.data(), n, n) * e.q;
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < n; ++i) t(i, j) *= std::sqrt(2.0 * (e.lambda(i) + e.lambda(j)));
  MatrixMap(out.data(), n, n) = e.q * t * e.q.transpose();
}

namespace {
bool is_spd(const Manifold& manifold) {
  return dynamic_cast<const SymmetricPositiveDefinite*>(&manifold) != nullptr;
}

void require_christoffel_sizes(const char* metric, Eigen::Index n, const ConstVectorRef& v,
                               const ConstVectorRef& df, const VectorRef& out) {
  require(v.size() == n * n && df.size() == n * n && out.size() == n * n,
          "{}::christoffel: vectors of size {}, {}, {} at a {}x{} point (expected {} each)", metric,
          v.size(), df.size(), out.size(), n, n, n * n);
}
}  // namespace

bool AffineInvariantMetric::has_connection_on(const Manifold& manifold) const {
  return is_spd(manifold);
}

void AffineInvariantMetric::christoffel(const Point& x, const ConstVectorRef& v,
                                        const ConstVectorRef& df, VectorRef out) const {
  const Eigen::Index n = x.rows();
  require_christoffel_sizes("AffineInvariantMetric", n, v, df, out);
  const SpdEigen& e = spd_eigen_of(x);
  const Matrix inverse = apply_function(e.q, e.lambda, [](double l) { return 1.0 / l; });
  const Matrix d = sym(ConstMatrixMap(df.data(), n, n));
  MatrixMap(out.data(), n, n) = -sym(inverse * sym(ConstMatrixMap(v.data(), n, n)) * d);
}

bool BuresWassersteinMetric::has_connection_on(const Manifold& manifold) const {
  return is_spd(manifold);
}

void BuresWassersteinMetric::christoffel(const Point& x, const ConstVectorRef& v,
                                         const ConstVectorRef& df, VectorRef out) const {
  const Eigen::Index n = x.rows();
  require_christoffel_sizes("BuresWassersteinMetric", n, v, df, out);
  const SpdEigen& e = spd_eigen_of(x);
  const ConstMatrixMap xm = x.matrix();
  const Matrix vm = sym(ConstMatrixMap(v.data(), n, n));
  const Matrix d = sym(ConstMatrixMap(df.data(), n, n));
  const Matrix xd = xm * d;
  const Matrix g = 2.0 * (xd + xd.transpose());  // sharp(D)
  const Matrix lv = lyapunov_solve(e, vm);
  const Matrix vd = vm * d, dlv = d * lv, glv = g * lv;
  const Matrix result = -0.5 * lyapunov_solve(e, vd + vd.transpose()) -
                        0.5 * (dlv + dlv.transpose()) +
                        0.25 * lyapunov_solve(e, glv + glv.transpose());
  MatrixMap(out.data(), n, n) = sym(result);
}

double spd_distance(const Matrix& x, const Matrix& y) {
  require(x.rows() == x.cols() && y.rows() == x.rows() && y.cols() == x.cols(),
          "spd_distance: need two square matrices of one size (got {}x{} and {}x{})", x.rows(),
          x.cols(), y.rows(), y.cols());
  const auto ex = symmetric_eigen(x);
  require_positive(ex.eigenvalues(), "spd_distance");
  const Matrix inverse_root = apply_function(ex.eigenvectors(), ex.eigenvalues(),
                                             [](double l) { return 1.0 / std::sqrt(l); });
  const auto inner = symmetric_eigen(inverse_root * y * inverse_root);
  require_positive(inner.eigenvalues(), "spd_distance");
  return inner.eigenvalues().array().log().matrix().norm();
}

Geometry spd_geometry(Eigen::Index n, SpdMetric metric) {
  std::shared_ptr<const Metric> m;
  if (metric == SpdMetric::kAffineInvariant)
    m = std::make_shared<AffineInvariantMetric>();
  else
    m = std::make_shared<BuresWassersteinMetric>();
  return {std::make_shared<SymmetricPositiveDefinite>(n), std::move(m)};
}

}  // namespace riemopt
