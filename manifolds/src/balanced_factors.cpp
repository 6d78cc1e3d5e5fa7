#include "riemopt/manifolds/balanced_factors.hpp"

#include <fmt/format.h>

#include <Eigen/QR>
#include <algorithm>
#include <cmath>

#include "riemopt/errors.hpp"
#include "riemopt/manifolds/end_to_end_map.hpp"
#include "riemopt/svd.hpp"

namespace riemopt {

namespace {

void check_generators(const ParameterSpace& space, const std::vector<Matrix>& c, const char* caller,
                      const char* what) {
  const int n = space.depth();
  require(static_cast<int>(c.size()) == n - 1, "{}: need N - 1 = {} {} (got {})", caller, n - 1,
          what, c.size());
  for (int p = 1; p < n; ++p) {
    const Matrix& cp = c[static_cast<std::size_t>(p) - 1];
    require(cp.rows() == space.width(p) && cp.cols() == space.width(p),
            "{}: {} {} must be {}x{} (got {}x{})", caller, what, p, space.width(p), space.width(p),
            cp.rows(), cp.cols());
    require_finite(cp, fmt::format("{}: {} {}", caller, what, p));
  }
}

// A matrix with singular values `sigma` (decreasing) factors through width k only if those past
// the k-th are zero (to 1e-10 of the largest).
void require_rank_within(const Vector& sigma, Eigen::Index k, const char* caller,
                         const char* what) {
  const double top = sigma.size() > 0 ? sigma(0) : 0.0;
  for (Eigen::Index j = k; j < sigma.size(); ++j)
    require(sigma(j) <= 1e-10 * top,
            "{}: {} has rank above the narrowest width {} (singular value {} is {:.6g}, largest "
            "{:.6g}); it has no factorization through that width",
            caller, what, k, j + 1, sigma(j), top);
}

}  // namespace

Matrix random_orthogonal(Eigen::Index d, Rng& rng) {
  require(d >= 1, "random_orthogonal: size must be at least 1 (got {})", d);
  const Matrix g = Eigen::Map<const Matrix>(gaussian_vector(d * d, rng).data(), d, d);
  Eigen::HouseholderQR<Matrix> qr(g);
  Matrix q = qr.householderQ();
  // Haar measure: fix the signs so that R has a positive diagonal.
  const Matrix r = qr.matrixQR().triangularView<Eigen::Upper>();
  for (Eigen::Index j = 0; j < d; ++j)
    if (r(j, j) < 0) q.col(j) = -q.col(j);
  return q;
}

Vector balanced_factorization(const ParameterSpace& space, const Eigen::Ref<const Matrix>& x,
                              const std::vector<Matrix>& rotations) {
  constexpr const char* kCaller = "balanced_factorization";
  require(x.rows() == space.output_rows() && x.cols() == space.output_cols(),
          "{}: X must be {}x{} for the {} (got {}x{})", kCaller, space.output_rows(),
          space.output_cols(), space.name(), x.rows(), x.cols());
  require_finite(x, fmt::format("{}: X", kCaller));
  check_generators(space, rotations, kCaller, "rotation");
  const int n = space.depth();
  for (int p = 1; p < n; ++p) {
    const Matrix& q = rotations[static_cast<std::size_t>(p) - 1];
    const double defect =
        (q.transpose() * q - Matrix::Identity(q.cols(), q.cols())).cwiseAbs().maxCoeff();
    require(defect <= 1e-10, "{}: rotation {} is not orthogonal (max |QᵀQ − I| = {:.3g})", kCaller,
            p, defect);
  }
  Vector w(space.ambient_size());
  if (n == 1) {
    space.mutable_factor(w, 1) = x;
    return w;
  }
  const Eigen::Index k = *std::min_element(space.widths().begin(), space.widths().end());
  Svd svd;
  compute_svd(x, svd);
  require_rank_within(svd.sigma, k, kCaller, "X");
  const Vector root = svd.sigma.head(k).array().pow(1.0 / n).matrix();
  auto q = [&](int p) { return rotations[static_cast<std::size_t>(p) - 1].leftCols(k); };
  space.mutable_factor(w, 1) = q(1) * root.asDiagonal() * svd.V.leftCols(k).transpose();
  for (int p = 2; p < n; ++p)
    space.mutable_factor(w, p) = q(p) * root.asDiagonal() * q(p - 1).transpose();
  space.mutable_factor(w, n) = svd.U.leftCols(k) * root.asDiagonal() * q(n - 1).transpose();
  return w;
}

Vector balanced_factorization(const ParameterSpace& space, const Eigen::Ref<const Matrix>& x,
                              Rng& rng) {
  std::vector<Matrix> rotations;
  for (int p = 1; p < space.depth(); ++p)
    rotations.push_back(random_orthogonal(space.width(p), rng));
  return balanced_factorization(space, x, rotations);
}

Vector balanced_factorization_of_product(const ParameterSpace& space,
                                         const Eigen::Ref<const Matrix>& left,
                                         const Eigen::Ref<const Matrix>& right) {
  constexpr const char* kCaller = "balanced_factorization_of_product";
  require(left.rows() == space.output_rows() && right.cols() == space.output_cols() &&
              left.cols() == right.rows(),
          "{}: need L of {} rows and R of {} columns with matching inner sizes for the {} (got "
          "{}x{} and {}x{})",
          kCaller, space.output_rows(), space.output_cols(), space.name(), left.rows(), left.cols(),
          right.rows(), right.cols());
  require_finite(left, fmt::format("{}: L", kCaller));
  require_finite(right, fmt::format("{}: R", kCaller));
  // L R = Q_L T_L T_Rᵀ Q_Rᵀ, and the SVD of the small core T_L T_Rᵀ gives that of L R.
  const auto thin = [](const Eigen::Ref<const Matrix>& a, Matrix& q, Matrix& t) {
    const Eigen::HouseholderQR<Matrix> qr(a);
    const Eigen::Index c = std::min(a.rows(), a.cols());
    q = qr.householderQ() * Matrix::Identity(a.rows(), c);
    t = qr.matrixQR().topRows(c).triangularView<Eigen::Upper>();
  };
  Matrix q_left, t_left, q_right, t_right;
  thin(left, q_left, t_left);
  thin(right.transpose(), q_right, t_right);
  Svd core;
  compute_svd(t_left * t_right.transpose(), core);
  const Matrix u = q_left * core.U;
  const Matrix v = q_right * core.V;
  const int n = space.depth();
  const Eigen::Index k = *std::min_element(space.widths().begin(), space.widths().end());
  const Eigen::Index r = std::min<Eigen::Index>(k, core.sigma.size());
  require_rank_within(core.sigma, k, kCaller, "L R");
  const Vector root = core.sigma.head(r).array().pow(1.0 / n).matrix();
  Vector w = Vector::Zero(space.ambient_size());
  if (n == 1) {
    space.mutable_factor(w, 1) = left * right;
    return w;
  }
  // Identity gauges: the balanced factors occupy the leading r rows and columns.
  space.mutable_factor(w, 1).topRows(r) = root.asDiagonal() * v.leftCols(r).transpose();
  for (int p = 2; p < n; ++p) space.mutable_factor(w, p).topLeftCorner(r, r) = root.asDiagonal();
  space.mutable_factor(w, n).leftCols(r) = u.leftCols(r) * root.asDiagonal();
  return w;
}

std::vector<Matrix> imbalance(const ParameterSpace& space, const ConstVectorRef& w) {
  space.check_coordinates(w, "imbalance");
  std::vector<Matrix> mu;
  for (int p = 1; p < space.depth(); ++p) {
    const ConstMatrixMap wp = space.factor(w, p);
    const ConstMatrixMap next = space.factor(w, p + 1);
    Matrix m = next.transpose() * next;
    m.noalias() -= wp * wp.transpose();
    mu.push_back(std::move(m));
  }
  return mu;
}

double imbalance_norm(const ParameterSpace& space, const ConstVectorRef& w) {
  double sum = 0.0;
  for (const Matrix& m : imbalance(space, w)) sum += m.squaredNorm();
  return std::sqrt(sum);
}

bool is_balanced(const ParameterSpace& space, const ConstVectorRef& w, double relative_tolerance) {
  require(relative_tolerance >= 0.0 && std::isfinite(relative_tolerance),
          "is_balanced: relative_tolerance must be finite and >= 0 (got {})", relative_tolerance);
  double scale = 0.0;
  for (int p = 1; p <= space.depth(); ++p)
    scale = std::max(scale, space.factor(w, p).squaredNorm());
  return imbalance_norm(space, w) <= relative_tolerance * scale;
}

Vector vertical_vector(const ParameterSpace& space, const ConstVectorRef& w,
                       const std::vector<Matrix>& generators) {
  constexpr const char* kCaller = "vertical_vector";
  space.check_coordinates(w, kCaller);
  check_generators(space, generators, kCaller, "generator");
  const int n = space.depth();
  Vector v = Vector::Zero(space.ambient_size());
  for (int p = 1; p <= n; ++p) {
    MatrixMap vp = space.mutable_factor(v, p);
    const ConstMatrixMap wp = space.factor(w, p);
    if (p < n) vp.noalias() += generators[static_cast<std::size_t>(p) - 1] * wp;
    if (p > 1) vp.noalias() -= wp * generators[static_cast<std::size_t>(p) - 2];
  }
  return v;
}

std::vector<Matrix> vertical_adjoint(const ParameterSpace& space, const ConstVectorRef& w,
                                     const ConstVectorRef& v) {
  constexpr const char* kCaller = "vertical_adjoint";
  space.check_coordinates(w, kCaller);
  space.check_coordinates(v, kCaller);
  std::vector<Matrix> g;
  for (int p = 1; p < space.depth(); ++p) {
    Matrix gp = space.factor(v, p) * space.factor(w, p).transpose();
    gp.noalias() -= space.factor(w, p + 1).transpose() * space.factor(v, p + 1);
    g.push_back(std::move(gp));
  }
  return g;
}

Vector horizontal_lift(const ParameterSpace& space, const ConstVectorRef& w,
                       const Eigen::Ref<const Matrix>& z) {
  constexpr const char* kCaller = "horizontal_lift";
  require(z.rows() == space.output_rows() && z.cols() == space.output_cols(),
          "{}: Z must be {}x{} (got {}x{})", kCaller, space.output_rows(), space.output_cols(),
          z.rows(), z.cols());
  require_finite(z, fmt::format("{}: Z", kCaller));
  const EndToEndMap phi(space, w);
  // Conjugate gradients on dφ dφᵀ Y = Z (symmetric, positive definite when dφ is surjective).
  const double z_norm = z.norm();
  Matrix y = Matrix::Zero(z.rows(), z.cols());
  if (z_norm == 0.0) return phi.adjoint(y);
  Matrix r = z;
  Matrix d = r;
  double rr = r.squaredNorm();
  const Eigen::Index max_iterations = 4 * z.size() + 50;
  for (Eigen::Index it = 0; it < max_iterations && std::sqrt(rr) > 1e-14 * z_norm; ++it) {
    const Matrix gd = phi.gram(d);
    const double curvature = (d.array() * gd.array()).sum();
    if (!(curvature > 0.0)) break;
    const double alpha = rr / curvature;
    y += alpha * d;
    r -= alpha * gd;
    const double rr_next = r.squaredNorm();
    d = r + (rr_next / rr) * d;
    rr = rr_next;
  }
  // CG's recursive residual drifts; judge by the true one.
  const double residual = (phi.gram(y) - z).norm() / z_norm;
  if (!(residual <= 1e-8))
    throw NumericalError(fmt::format(
        "{}: dφ_W is not surjective at this W (relative residual {:.3g} of dφ dφᵀ Y = Z): a "
        "factor or φ(W) is rank-deficient or too ill-conditioned, so Z has no lift",
        kCaller, residual));
  return phi.adjoint(y);
}

Vector horizontal_part(const ParameterSpace& space, const ConstVectorRef& w,
                       const ConstVectorRef& v) {
  const EndToEndMap phi(space, w);
  return horizontal_lift(space, w, phi.differential(v));
}

}  // namespace riemopt
