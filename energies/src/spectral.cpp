#include "riemopt/energies/spectral.hpp"

#include <fmt/format.h>

#include <cmath>

#include "riemopt/errors.hpp"
#include "riemopt/svd.hpp"

namespace riemopt {
namespace {

// (f'(a) − f'(b))/(a − b), switching to f''((a+b)/2) when the quotient would cancel: at a
// relative separation below ~eps^{1/3} the midpoint rule is the more accurate of the two.
double derivative_divided_difference(const SeparableSpectralEnergy& e, double a, double b) {
  const double scale = std::max(std::abs(a), std::abs(b));
  if (std::abs(a - b) <= 6e-6 * scale || scale == 0.0) return e.d2f(0.5 * (a + b));
  return (e.df(a) - e.df(b)) / (a - b);
}

// (f'(a) + f'(b))/(a + b) for a, b >= 0, with the limit f''(0) at a = b = 0.
double derivative_sum_quotient(const SeparableSpectralEnergy& e, double a, double b) {
  if (a + b == 0.0) return e.d2f(0.0);
  return (e.df(a) + e.df(b)) / (a + b);
}

}  // namespace

SeparableSpectralEnergy::SeparableSpectralEnergy(std::string name, ScalarFn f, ScalarFn df,
                                                 ScalarFn d2f)
    : name_(std::move(name)), f_(std::move(f)), df_(std::move(df)), d2f_(std::move(d2f)) {
  require(static_cast<bool>(f_), "SeparableSpectralEnergy '{}': f is empty", name_);
  require(static_cast<bool>(df_), "SeparableSpectralEnergy '{}': f' is empty", name_);
}

double SeparableSpectralEnergy::d2f(double s) const {
  require(has_hessian(), "SeparableSpectralEnergy '{}': f'' was not given", name_);
  return d2f_(s);
}

double SeparableSpectralEnergy::value(const Point& x) const {
  double v = 0.0;
  for (double s : svd_of(x).sigma) v += f_(s);
  return v;
}

void SeparableSpectralEnergy::add_gradient(const Point& x, double weight, VectorRef out) const {
  require_size(out, x.size(), name_ + ": gradient output");
  const Svd& svd = svd_of(x);
  Vector d = svd.sigma.unaryExpr([this](double s) { return df_(s); });
  MatrixMap G(out.data(), x.rows(), x.cols());
  G.noalias() += weight * (svd.U * d.asDiagonal() * svd.V.transpose());
}

double SeparableSpectralEnergy::value_and_add_split_gradient(const Point& x, double weight,
                                                             VectorRef out,
                                                             VectorRef spectral) const {
  require_size(out, x.size(), name_ + ": gradient output");
  const Svd& svd = svd_of(x);
  require_size(spectral, svd.sigma.size(), name_ + ": spectral gradient output");
  for (Eigen::Index i = 0; i < svd.sigma.size(); ++i) spectral[i] += weight * df_(svd.sigma[i]);
  return value(x);
}

void SeparableSpectralEnergy::add_hessian_vector(const Point& x, const ConstVectorRef& v,
                                                 double weight, VectorRef out) const {
  require(has_hessian(), "SeparableSpectralEnergy '{}': f'' was not given", name_);
  require_size(v, x.size(), name_ + ": direction");
  const Eigen::Index m = x.rows(), n = x.cols();
  const Svd& svd = svd_of(x);
  const Vector& s = svd.sigma;
  const Eigen::Index k = s.size();
  const ConstMatrixMap Z(v.data(), m, n);
  const Matrix Y = svd.U.transpose() * Z;  // k × n
  const Matrix T = Y * svd.V;              // k × k
  Matrix R(k, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    for (Eigen::Index i = 0; i < k; ++i) {
      if (i == j) {
        R(i, i) = d2f(s[i]) * T(i, i);
        continue;
      }
      const double sym = 0.5 * (T(i, j) + T(j, i));
      const double anti = 0.5 * (T(i, j) - T(j, i));
      R(i, j) = derivative_divided_difference(*this, s[i], s[j]) * sym +
                derivative_sum_quotient(*this, s[i], s[j]) * anti;
    }
  }
  // Complement directions of a rectangular X get f'(σ)/σ (the limit f''(0) at σ = 0).
  const Vector c = s.unaryExpr([this](double t) { return t > 0.0 ? df_(t) / t : d2f(0.0); });
  Matrix H(m, n);
  if (m > n) {
    Matrix complement = Z - svd.U * Y;
    H = (svd.U * R + (complement * svd.V) * c.asDiagonal()) * svd.V.transpose();
  } else if (m < n) {
    const Matrix residual = Y - T * svd.V.transpose();
    H = svd.U * (R * svd.V.transpose() + c.asDiagonal() * residual);
  } else {
    H = svd.U * R * svd.V.transpose();
  }
  MatrixMap(out.data(), m, n) += weight * H;
}

SchattenEnergy::SchattenEnergy(double p)
    : SeparableSpectralEnergy(
          fmt::format("schatten(p={:g})", p), [p](double s) { return std::pow(s, p) / p; },
          [p](double s) { return std::pow(s, p - 1.0); },
          [p](double s) { return (p - 1.0) * std::pow(s, p - 2.0); }),
      p_(p) {
  require(std::isfinite(p) && p > 0.0, "SchattenEnergy: p must be finite and > 0 (got {})", p);
}

double SchattenEnergy::value(const Point& x) const {
  if (p_ == 2.0) return 0.5 * x.coords().squaredNorm();  // no SVD needed
  return SeparableSpectralEnergy::value(x);
}

void SchattenEnergy::add_gradient(const Point& x, double weight, VectorRef out) const {
  if (p_ == 2.0) {
    require_size(out, x.size(), [&] { return name() + ": gradient output"; });
    out += weight * x.coords();
    return;
  }
  SeparableSpectralEnergy::add_gradient(x, weight, out);
}

double SchattenEnergy::value_and_add_split_gradient(const Point& x, double weight, VectorRef out,
                                                    VectorRef spectral) const {
  if (p_ == 2.0) return value_and_add_gradient(x, weight, out);
  return SeparableSpectralEnergy::value_and_add_split_gradient(x, weight, out, spectral);
}

void SchattenEnergy::add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                                        VectorRef out) const {
  if (p_ == 2.0) {
    require_size(v, x.size(), [&] { return name() + ": direction"; });
    out += weight * v;
    return;
  }
  SeparableSpectralEnergy::add_hessian_vector(x, v, weight, out);
}

}  // namespace riemopt
