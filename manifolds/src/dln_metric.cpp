#include "riemopt/manifolds/dln_metric.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "dense_product.hpp"
#include "riemopt/divided_differences.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/svd.hpp"

namespace riemopt {
namespace {

// Work buffers reused across calls of one thread: the metric is applied once per flow step.
struct Workspace {
  Matrix H, T, Y, W;
  // Rectangular points: the part of Z outside the k×k block, and UᵀZV before weighting.
  Matrix R, T0;
  Vector c;
  // The stiff part's thin factors and products (r rows or columns each).
  Matrix P, Q, B, C1, C2, Ur, Vr;
  // h(σ_i, σ_j) for `weights_sigma` at `weights_depth`. The weights depend on σ and N only, so
  // repeated applications at one point (the Rosenbrock integrator's inner conjugate-gradient
  // solves) reuse them instead of re-evaluating k² divided differences.
  Matrix weights;
  Vector weights_sigma;
  Depth weights_depth = Depth::finite(1);
  bool weights_valid = false;
};

// One workspace per thread, shared by every application so that the weights computed for a point
// by sharp serve the inner solves' applications at the same point too.
Workspace& workspace() {
  thread_local Workspace w;
  return w;
}

const Matrix& divided_differences_for(Workspace& w, const Vector& sigma, Depth depth) {
  if (!(w.weights_valid && w.weights_depth == depth && w.weights_sigma.size() == sigma.size() &&
        w.weights_sigma == sigma)) {
    w.weights_valid = false;  // until the new weights are complete (they may throw)
    dln_divided_difference_matrix(sigma, depth, w.weights);
    w.weights_sigma = sigma;
    w.weights_depth = depth;
    w.weights_valid = true;
  }
  return w.weights;
}

// A sparse covector's index and values, and the output read at its support, agree in size.
void require_support_sizes(const std::vector<Eigen::Index>& index, const ConstVectorRef& values,
                           const VectorRef& out, const char* caller) {
  require(values.size() == static_cast<Eigen::Index>(index.size()) && out.size() == values.size(),
          "{}: {} indices, {} values, {} outputs", caller, index.size(), values.size(), out.size());
}

// The number r of leading singular indices the stiff part keeps: the smallest r such that every
// weight of the trailing block H[r:, r:] is below `floor` (a NaN weight is kept).
Eigen::Index stiff_rank(const Matrix& weights, double floor) {
  const Eigen::Index k = weights.rows();
  double block_max = 0.0;
  for (Eigen::Index r = k - 1; r >= 0; --r) {
    const Eigen::Index tail = k - r;
    block_max = std::max(
        {block_max, weights.row(r).tail(tail).maxCoeff(), weights.col(r).tail(tail).maxCoeff()});
    if (!(block_max < floor)) return r + 1;
  }
  return 0;
}

double apply_power(double h, int power) {
  if (power == 1) return h;
  if (power == 2) return std::sqrt(h);
  return 1.0 / h;
}

}  // namespace

std::string DlnMetric::name() const { return "DLN(N=" + depth_.to_string() + ")"; }

void DlnMetric::sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const {
  apply(x, df, Power::kOne, "DlnMetric::sharp", out);
}

bool DlnMetric::sharp_at_support(const Point& x, const std::vector<Eigen::Index>& index,
                                 const ConstVectorRef& values, VectorRef out) const {
  require_support_sizes(index, values, out, "DlnMetric::sharp_at_support");
  const Eigen::Index n = x.rows();
  if (x.cols() != n) return false;
  if (!depth_.is_infinite() && depth_.value() == 1) {  // Euclidean, exactly
    out = values;
    return true;
  }
  const Svd& svd = svd_of(x);
  Workspace& w = workspace();
  const Matrix& weights = divided_differences_for(w, svd.sigma, depth_);
  // Y = Uᵀ Z column by column from Z's support (rows of U are the columns of Uᵀ), then
  // T = H ∘ (Y V), then the entries (U T Vᵀ)_ij = (Tᵀ Uᵀ)_{:,i} · (Vᵀ)_{:,j}. The transposes
  // cost O(n²), against the two n×n products saved.
  w.W = svd.U.transpose();  // k × n
  w.Y.setZero(n, n);
  for (std::size_t l = 0; l < index.size(); ++l) {
    const Eigen::Index row = index[l] % n, col = index[l] / n;
    w.Y.col(col) += values[static_cast<Eigen::Index>(l)] * w.W.col(row);
  }
  w.T.resize(n, n);
  detail::dense_product(w.Y, detail::Op::kNone, svd.V, detail::Op::kNone, w.T);
  w.T.array() *= weights.array();
  detail::dense_product(w.T, detail::Op::kTranspose, svd.U, detail::Op::kTranspose, w.Y);
  w.W = svd.V.transpose();  // k × n
  for (std::size_t l = 0; l < index.size(); ++l) {
    const Eigen::Index row = index[l] % n, col = index[l] / n;
    out[static_cast<Eigen::Index>(l)] = w.Y.col(row).dot(w.W.col(col));
  }
  return true;
}

void DlnMetric::stiff_sharp(const Point& x, double floor, const ConstVectorRef& df,
                            VectorRef out) const {
  require_size(df, x.size(), "DlnMetric::stiff_sharp: covector");
  require_size(out, x.size(), "DlnMetric::stiff_sharp: output");
  const Eigen::Index n = x.rows();
  if (!(floor > 0.0) || x.cols() != n || (!depth_.is_infinite() && depth_.value() == 1)) {
    sharp(x, df, out);
    return;
  }
  const Svd& svd = svd_of(x);
  Workspace& w = workspace();
  const Matrix& weights = divided_differences_for(w, svd.sigma, depth_);
  const Eigen::Index r = stiff_rank(weights, floor);
  if (2 * r >= n) {
    sharp(x, df, out);
    return;
  }
  MatrixMap result(out.data(), n, n);
  if (r == 0) {
    result.setZero();
    return;
  }
  // The kept weights are rows 0..r−1 of H and, below them, columns 0..r−1. With T = UᵀZV and
  // U = [U_r U_b], V = [V_r V_b]:
  //   out = U_r (H ∘ T)[0:r, :] Vᵀ + U_b (H ∘ T)[r:, 0:r] V_rᵀ,
  // where T[0:r, :] = (U_rᵀZ) V and T[r:, 0:r] = U_bᵀ (Z V_r): products with r columns only.
  using detail::dense_product;
  using detail::Op;
  const ConstMatrixMap Z(df.data(), n, n);
  const auto u_r = svd.U.leftCols(r), u_b = svd.U.rightCols(n - r), v_r = svd.V.leftCols(r);
  w.P.resize(r, n);
  dense_product(u_r, Op::kTranspose, Z, Op::kNone, w.P);  // U_rᵀ Z
  w.T.resize(r, n);
  dense_product(w.P, Op::kNone, svd.V, Op::kNone, w.T);  // T[0:r, :]
  w.T.array() *= weights.topRows(r).array();
  w.Q.resize(n, r);
  dense_product(Z, Op::kNone, v_r, Op::kNone, w.Q);  // Z V_r
  w.B.resize(n - r, r);
  dense_product(u_b, Op::kTranspose, w.Q, Op::kNone, w.B);  // T[r:, 0:r]
  w.B.array() *= weights.bottomLeftCorner(n - r, r).array();
  w.C1.resize(r, n);
  dense_product(w.T, Op::kNone, svd.V, Op::kTranspose, w.C1);
  w.C2.resize(n, r);
  dense_product(u_b, Op::kNone, w.B, Op::kNone, w.C2);
  dense_product(u_r, Op::kNone, w.C1, Op::kNone, result);
  dense_product(w.C2, Op::kNone, v_r, Op::kTranspose, result, 1.0, 1.0);
}

bool DlnMetric::stiff_sharp_at_support(const Point& x, double floor,
                                       const std::vector<Eigen::Index>& index,
                                       const ConstVectorRef& values, VectorRef out) const {
  require_support_sizes(index, values, out, "DlnMetric::stiff_sharp_at_support");
  const Eigen::Index n = x.rows();
  if (x.cols() != n) return false;
  if (!(floor > 0.0) || (!depth_.is_infinite() && depth_.value() == 1))
    return sharp_at_support(x, index, values, out);
  const Svd& svd = svd_of(x);
  Workspace& w = workspace();
  const Matrix& weights = divided_differences_for(w, svd.sigma, depth_);
  const Eigen::Index r = stiff_rank(weights, floor);
  if (2 * r >= n) return sharp_at_support(x, index, values, out);
  if (r == 0) {
    out.setZero();
    return true;
  }
  // As stiff_sharp, with Z sparse and only the output's entries at its support read. The rows of
  // U_r and V_r are the columns of their transposes, so every update below is a contiguous
  // r-vector: U_rᵀZ and (Z V_r)ᵀ cost r per stored entry, and so does each output entry
  //   out(i, j) = U_r(i, :) · C1(:, j) + C2(i, :) · V_r(j, :).
  using detail::dense_product;
  using detail::Op;
  const auto u_b = svd.U.rightCols(n - r);
  w.Ur = svd.U.leftCols(r).transpose();
  w.Vr = svd.V.leftCols(r).transpose();
  w.P.setZero(r, n);  // U_rᵀ Z
  w.Q.setZero(r, n);  // (Z V_r)ᵀ
  for (std::size_t l = 0; l < index.size(); ++l) {
    const Eigen::Index row = index[l] % n, col = index[l] / n;
    const double v = values[static_cast<Eigen::Index>(l)];
    w.P.col(col) += v * w.Ur.col(row);
    w.Q.col(row) += v * w.Vr.col(col);
  }
  w.T.resize(r, n);
  dense_product(w.P, Op::kNone, svd.V, Op::kNone, w.T);  // T[0:r, :]
  w.T.array() *= weights.topRows(r).array();
  w.C1.resize(r, n);
  dense_product(w.T, Op::kNone, svd.V, Op::kTranspose, w.C1);
  w.B.resize(r, n - r);
  dense_product(w.Q, Op::kNone, u_b, Op::kNone, w.B);  // T[r:, 0:r]ᵀ
  w.B.array() *= weights.bottomLeftCorner(n - r, r).transpose().array();
  w.C2.resize(r, n);
  dense_product(w.B, Op::kNone, u_b, Op::kTranspose, w.C2);  // (U_b T[r:, 0:r])ᵀ
  for (std::size_t l = 0; l < index.size(); ++l) {
    const Eigen::Index row = index[l] % n, col = index[l] / n;
    out[static_cast<Eigen::Index>(l)] =
        w.Ur.col(row).dot(w.C1.col(col)) + w.C2.col(row).dot(w.Vr.col(col));
  }
  return true;
}

void DlnMetric::flat(const Point& x, const ConstVectorRef& v, VectorRef out) const {
  apply(x, v, Power::kMinusOne, "DlnMetric::flat", out);
}

void DlnMetric::whiten(const Point& x, const ConstVectorRef& xi, VectorRef out) const {
  apply(x, xi, Power::kHalf, "DlnMetric::whiten", out);
}

namespace {

void require_square_for_volume(const Point& x, const char* caller) {
  if (x.rows() != x.cols())
    throw InvalidArgument(fmt::format(
        "{}: the DLN metric's volume terms have closed forms on square matrices only (got "
        "{}x{}); for small rectangular problems use the finite-difference volume terms "
        "(LangevinOptions::volume_terms)",
        caller, x.rows(), x.cols()));
}

}  // namespace

double DlnMetric::log_volume_density(const Point& x) const {
  require_square_for_volume(x, "DlnMetric::log_volume_density");
  if (!depth_.is_infinite() && depth_.value() == 1) return 0.0;
  const Svd& svd = svd_of(x);
  const Eigen::Index d = svd.sigma.size();
  if (d == 0 || !(svd.sigma[d - 1] > 0.0))
    throw NumericalError(fmt::format(
        "DlnMetric::log_volume_density: the volume density of the DLN metric (depth {}) is "
        "infinite at a singular matrix (smallest singular value {:.3g})",
        depth_.to_string(), svd.sigma[d - 1]));
  // log det K = Σ_{i,j} log h(σ_i, σ_j): the eigenvalues of K are the weights H that sharp uses
  // (cached for this σ when sharp ran at the point first, as in the sampler).
  const Matrix& weights = divided_differences_for(workspace(), svd.sigma, depth_);
  return -0.5 * weights.array().log().sum();
}

void DlnMetric::volume_drift(const Point& x, VectorRef out) const {
  require_square_for_volume(x, "DlnMetric::volume_drift");
  require_size(out, x.size(), "DlnMetric::volume_drift: output");
  if (depth_.is_infinite()) {  // ½ (σ²)' = σ: the matrix itself, no SVD
    out = x.coords();
    return;
  }
  const int n = depth_.value();
  if (n == 1) {
    out.setZero();
    return;
  }
  const Svd& svd = svd_of(x);
  const double exponent = 1.0 - 2.0 / n;
  const Vector scale = svd.sigma.unaryExpr(
      [&](double s) { return (n - 1) * (exponent == 0.0 ? 1.0 : std::pow(s, exponent)); });
  Workspace& w = workspace();
  w.W.resize(x.rows(), x.cols());
  w.W = svd.U * scale.asDiagonal();
  MatrixMap result(out.data(), x.rows(), x.cols());
  detail::dense_product(w.W, detail::Op::kNone, svd.V, detail::Op::kTranspose, result);
}

double DlnMetric::sharp_split(const Point& x, const ConstVectorRef& df,
                              const ConstVectorRef& spectral, VectorRef out) const {
  const bool euclidean = !depth_.is_infinite() && depth_.value() == 1;
  if (!euclidean && x.rows() == x.cols()) {
    require_size(spectral, x.rows(), "DlnMetric::sharp_split: spectral part");
    return apply(x, df, Power::kOne, "DlnMetric::sharp_split", out, &spectral);
  }
  // Depth 1 and rectangular points: form the covector (one m×n product, and the SVD only when
  // the spectral part is not all zero) and apply sharp to it.
  require_size(df, x.size(), "DlnMetric::sharp_split: covector");
  require_size(out, x.size(), "DlnMetric::sharp_split: output");
  require_size(spectral, std::min(x.rows(), x.cols()), "DlnMetric::sharp_split: spectral part");
  if (!(spectral.array() != 0.0).any()) {  // (a NaN counts as nonzero and propagates)
    sharp(x, df, out);
    return df.dot(out);
  }
  thread_local Vector covector;
  covector = df;
  const Svd& svd = svd_of(x);
  MatrixMap(covector.data(), x.rows(), x.cols()).noalias() +=
      svd.U * spectral.asDiagonal() * svd.V.transpose();
  sharp(x, covector, out);
  return covector.dot(out);
}

double DlnMetric::apply(const Point& x, const ConstVectorRef& z, Power power, const char* caller,
                        VectorRef out, const ConstVectorRef* spectral) const {
  require_size(z, x.size(), [caller] { return std::string(caller) + ": vector"; });
  require_size(out, x.size(), [caller] { return std::string(caller) + ": output"; });
  if (!depth_.is_infinite() && depth_.value() == 1) {  // Euclidean, exactly
    out = z;
    return 0.0;
  }
  const Eigen::Index m = x.rows();
  const Eigen::Index n = x.cols();
  const Svd& svd = svd_of(x);
  Workspace& w = workspace();
  const Matrix& weights = divided_differences_for(w, svd.sigma, depth_);
  // Complement weights h(σ_l, 0): σ^{2−2/N} for finite N, 0 for infinite depth.
  const bool rectangular = m != n;
  if (rectangular) {
    w.c.resize(svd.sigma.size());
    for (Eigen::Index l = 0; l < w.c.size(); ++l)
      w.c[l] = dln_divided_difference(svd.sigma[l], 0.0, depth_);
  }
  const int p = power == Power::kOne ? 1 : power == Power::kHalf ? 2 : -1;
  if (p == -1) {
    // Numerically rank-deficient points (σ_min at rounding level of σ_max) count as singular:
    // their inverse would be dominated by rounding noise.
    const double smallest = svd.sigma.minCoeff();
    const double threshold = static_cast<double>(std::max(m, n)) *
                             std::numeric_limits<double>::epsilon() * svd.sigma.maxCoeff();
    const bool singular = smallest <= threshold || (weights.array() <= 0.0).any() ||
                          (rectangular && (w.c.array() <= 0.0).any());
    if (singular)
      throw NumericalError(fmt::format(
          "{}: the DLN metric (depth {}) is degenerate at this {}x{} point (smallest singular "
          "value {:.3g}); the inverse needs a full-rank point{}",
          caller, depth_.to_string(), m, n, smallest,
          depth_.is_infinite() && rectangular ? " and, at infinite depth, a square matrix" : ""));
  }
  if (p != 1) {
    w.H = weights.unaryExpr([p](double h) { return apply_power(h, p); });
    if (rectangular) w.c = w.c.unaryExpr([p](double h) { return apply_power(h, p); });
  }
  const ConstMatrixMap Z(z.data(), m, n);
  MatrixMap result(out.data(), m, n);
  const Eigen::Index k = svd.sigma.size();
  w.Y.resize(k, n);
  w.T.resize(k, k);
  detail::dense_product(svd.U, detail::Op::kTranspose, Z, detail::Op::kNone, w.Y);  // k × n
  detail::dense_product(w.Y, detail::Op::kNone, svd.V, detail::Op::kNone, w.T);     // k × k
  double pairing = 0.0;
  if (spectral != nullptr) {  // square, p = 1 (sharp_split): ⟨T, H ∘ T⟩ is ‖out‖²_g
    w.T.diagonal() += *spectral;
    pairing = (w.T.array().square() * weights.array()).sum();
  }
  if (m < n) {  // T₀ = UᵀZV before weighting, for the complement below
    w.T0.resize(k, k);
    w.T0 = w.T;
  }
  w.T.array() *= (p == 1 ? weights : w.H).array();
  // The rectangular branches, like the square one, allocate nothing once the thread's buffers
  // have their sizes: every product goes through dense_product into a workspace matrix.
  if (m > n) {
    // (I − UUᵀ) Z carries weight h(0, σ_l) on the right: U T Vᵀ + (Z − UY) V diag(c) Vᵀ.
    w.R.resize(m, n);
    w.R = Z;
    detail::dense_product(svd.U, detail::Op::kNone, w.Y, detail::Op::kNone, w.R, -1.0, 1.0);
    w.W.resize(m, k);
    detail::dense_product(w.R, detail::Op::kNone, svd.V, detail::Op::kNone, w.W);
    w.W.array().rowwise() *= w.c.transpose().array();
    detail::dense_product(svd.U, detail::Op::kNone, w.T, detail::Op::kNone, w.W, 1.0, 1.0);
    detail::dense_product(w.W, detail::Op::kNone, svd.V, detail::Op::kTranspose, result);
  } else if (m < n) {
    // Z (I − VVᵀ) carries weight h(σ_k, 0) on the left: U (T Vᵀ + diag(c) (Y − T₀Vᵀ)).
    w.R.resize(k, n);
    w.R = w.Y;
    detail::dense_product(w.T0, detail::Op::kNone, svd.V, detail::Op::kTranspose, w.R, -1.0, 1.0);
    w.R.array().colwise() *= w.c.array();
    detail::dense_product(w.T, detail::Op::kNone, svd.V, detail::Op::kTranspose, w.R, 1.0, 1.0);
    detail::dense_product(svd.U, detail::Op::kNone, w.R, detail::Op::kNone, result);
  } else {
    w.W.resize(m, n);
    detail::dense_product(svd.U, detail::Op::kNone, w.T, detail::Op::kNone, w.W);
    detail::dense_product(w.W, detail::Op::kNone, svd.V, detail::Op::kTranspose, result);
  }
  return pairing;
}

}  // namespace riemopt
