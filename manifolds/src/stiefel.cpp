#include "riemopt/manifolds/stiefel.hpp"

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <Eigen/QR>
#include <cmath>
#include <unsupported/Eigen/MatrixFunctions>

#include "dense_product.hpp"
#include "riemopt/errors.hpp"

namespace riemopt {
namespace {

Matrix sym(const Matrix& a) { return 0.5 * (a + a.transpose()); }

// The Q factor of a full-column-rank n×p matrix, made unique by a positive diagonal in R.
Matrix q_factor(const Eigen::Ref<const Matrix>& y) {
  const Eigen::HouseholderQR<Matrix> qr(y);
  Matrix q = qr.householderQ() * Matrix::Identity(y.rows(), y.cols());
  for (Eigen::Index j = 0; j < y.cols(); ++j)
    if (qr.matrixQR()(j, j) < 0.0) q.col(j) *= -1.0;
  return q;
}

}  // namespace

std::string to_string(StiefelRetraction retraction) {
  return retraction == StiefelRetraction::kPolar ? "polar" : "qr";
}

Stiefel::Stiefel(Eigen::Index n, Eigen::Index p, StiefelRetraction retraction)
    : n_(n), p_(p), retraction_(retraction) {
  require(p >= 1 && p <= n, "Stiefel: need 1 <= p <= n (got n = {}, p = {})", n, p);
}

std::string Stiefel::name() const {
  return fmt::format("Stiefel St({}, {}) ({} retraction)", n_, p_, to_string(retraction_));
}

void Stiefel::validate_point(const ConstVectorRef& x) const {
  Manifold::validate_point(x);
  const ConstMatrixMap m(x.data(), n_, p_);
  const double defect = (m.transpose() * m - Matrix::Identity(p_, p_)).cwiseAbs().maxCoeff();
  require(defect <= kOrthonormalityTolerance,
          "{}: a point must have orthonormal columns (got max |X^T X - I| = {:.3e}; "
          "orthonormalize it, e.g. with project_point)",
          name(), defect);
}

// The n×p by p×p and p×n by n×p products below go through BLAS (detail::dense_product): Eigen's
// blocked product spends most of its time packing at these thin shapes (measured on Brockett's
// cost on St(200, 10): the retraction and projection were 45 % of a conjugate-gradient run).
void Stiefel::project(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": projected vector"; });
  const ConstMatrixMap xm = x.matrix();
  const ConstMatrixMap vm(v.data(), n_, p_);
  thread_local Matrix s;
  s.resize(p_, p_);
  detail::dense_product(xm, detail::Op::kTranspose, vm, detail::Op::kNone, s);
  s = (0.5 * (s + s.transpose())).eval();
  MatrixMap result(out.data(), n_, p_);
  if (out.data() != v.data()) result = vm;
  detail::dense_product(xm, detail::Op::kNone, s, detail::Op::kNone, result, -1.0, 1.0);
}

void Stiefel::polar_factor(const ConstMatrixMap& y, MatrixMap out) const {
  thread_local Matrix gram, inverse_root, z;
  gram.resize(p_, p_);
  detail::dense_product(y, detail::Op::kTranspose, y, detail::Op::kNone, gram);
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(gram);
  const Vector& lambda = eig.eigenvalues();
  require(lambda.minCoeff() > 0.0 && lambda.minCoeff() >= 1e-28 * lambda.maxCoeff(),
          "{}: the matrix has no full column rank (smallest eigenvalue of Y^T Y: {:.3e}), so it "
          "has no orthonormal polar factor",
          name(), lambda.minCoeff());
  const Matrix& q = eig.eigenvectors();
  inverse_root = q * lambda.cwiseSqrt().cwiseInverse().asDiagonal() * q.transpose();
  z.resize(n_, p_);
  detail::dense_product(y, detail::Op::kNone, inverse_root, detail::Op::kNone, z);
  // Newton–Schulz: Z ← Z (3I − ZᵀZ)/2 squares the orthonormality defect.
  detail::dense_product(z, detail::Op::kTranspose, z, detail::Op::kNone, gram);
  gram = 1.5 * Matrix::Identity(p_, p_) - 0.5 * gram;
  detail::dense_product(z, detail::Op::kNone, gram, detail::Op::kNone, out);
}

void Stiefel::retract(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": retraction step"; });
  if (v.isZero(0.0)) {  // R_X(0) = X exactly, not its polar factor rounded
    out = x.coords();
    return;
  }
  const Matrix y = x.matrix() + ConstMatrixMap(v.data(), n_, p_);
  MatrixMap result(out.data(), n_, p_);
  if (retraction_ == StiefelRetraction::kPolar) {
    polar_factor(ConstMatrixMap(y.data(), n_, p_), result);
    return;
  }
  result = q_factor(y);
}

void Stiefel::inverse_retract(const Point& x, const ConstVectorRef& y, VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": inverse retraction target"; });
  require(retraction_ == StiefelRetraction::kPolar,
          "{}: the inverse of the QR retraction is not implemented; use the polar retraction",
          name());
  const ConstMatrixMap xm = x.matrix();
  const ConstMatrixMap ym(y.data(), n_, p_);
  // X + V = Y S with S = (I + VᵀV)^{1/2} symmetric, and XᵀV skew: A S + S Aᵀ = 2I, A = XᵀY.
  // vec(A S) = (I ⊗ A) vec S and vec(S Aᵀ) = (A ⊗ I) vec S.
  const Matrix a = xm.transpose() * ym;
  const Eigen::Index q = p_ * p_;
  Matrix k = Matrix::Zero(q, q);
  for (Eigen::Index i = 0; i < p_; ++i)
    for (Eigen::Index j = 0; j < p_; ++j) {
      k.block(j * p_, j * p_, p_, p_).row(i) += a.row(i);             // (I ⊗ A)
      k.block(i * p_, j * p_, p_, p_).diagonal().array() += a(i, j);  // (A ⊗ I)
    }
  const Vector rhs = 2.0 * Eigen::Map<const Vector>(Matrix::Identity(p_, p_).eval().data(), q);
  const Eigen::FullPivLU<Matrix> lu(k);
  if (!lu.isInvertible())
    throw NumericalError(name() +
                         ": the inverse polar retraction's equation is singular (the target is "
                         "outside the retraction's image)");
  const Vector s_vec = lu.solve(rhs);
  const Matrix s = sym(Eigen::Map<const Matrix>(s_vec.data(), p_, p_));
  MatrixMap(out.data(), n_, p_) = ym * s - xm;
}

void Stiefel::project_point(const ConstVectorRef& y, VectorRef out) const {
  require_size(y, ambient_size(), [&] { return name() + ": projected point"; });
  polar_factor(ConstMatrixMap(y.data(), n_, p_), MatrixMap(out.data(), n_, p_));
}

void Stiefel::weingarten(const Point& x, const ConstVectorRef& v, const ConstVectorRef& g,
                         VectorRef out) const {
  // −V sym(XᵀG), projected. Both products are thin (p×n by n×p, n×p by p×p): through BLAS, as
  // in project, since Eigen's blocked product spends its time packing at these shapes (a Brockett
  // trust-region run on St(200, 10) is 6 % faster this way).
  const ConstMatrixMap xm = x.matrix();
  thread_local Matrix s, w;
  s.resize(p_, p_);
  w.resize(n_, p_);
  detail::dense_product(xm, detail::Op::kTranspose, ConstMatrixMap(g.data(), n_, p_),
                        detail::Op::kNone, s);
  s = (0.5 * (s + s.transpose())).eval();
  detail::dense_product(ConstMatrixMap(v.data(), n_, p_), detail::Op::kNone, s, detail::Op::kNone,
                        w, -1.0, 0.0);
  project(x, Eigen::Map<const Vector>(w.data(), ambient_size()), out);
}

void Stiefel::exponential(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  require_size(v, ambient_size(), [&] { return name() + ": exponential step"; });
  const ConstMatrixMap xm = x.matrix();
  const ConstMatrixMap vm(v.data(), n_, p_);
  const Matrix a = xm.transpose() * vm;
  Matrix block(2 * p_, 2 * p_);
  block << a, -vm.transpose() * vm, Matrix::Identity(p_, p_), a;
  const Matrix e = block.exp();
  const Matrix f = (-a).exp();
  Matrix xv(n_, 2 * p_);
  xv << xm, vm;
  MatrixMap(out.data(), n_, p_) = xv * (e.leftCols(p_) * f);  // e · [f; 0] = e.leftCols(p) · f
}

Vector Stiefel::random_point(Rng& rng) const {
  const Vector g = gaussian_vector(ambient_size(), rng);
  const Matrix q = q_factor(Eigen::Map<const Matrix>(g.data(), n_, p_));
  return Eigen::Map<const Vector>(q.data(), ambient_size());
}

Geometry stiefel_geometry(Eigen::Index n, Eigen::Index p, StiefelRetraction retraction) {
  return {std::make_shared<Stiefel>(n, p, retraction), std::make_shared<EuclideanMetric>()};
}

}  // namespace riemopt
