#include "riemopt/truncated_cg.hpp"

#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

std::string to_string(CgStop stop) {
  switch (stop) {
    case CgStop::kResidual:
      return "residual";
    case CgStop::kNegativeCurvature:
      return "negative curvature";
    case CgStop::kBoundary:
      return "trust-region boundary";
    case CgStop::kMaxIterations:
      return "iteration budget";
  }
  return "unknown";
}

TruncatedCgResult truncated_cg(const LinearMap& hessian, const LinearMap& sharp, const Vector& df,
                               double radius, const TruncatedCgOptions& options) {
  require(radius > 0.0, "truncated_cg: radius must be > 0 (got {})", radius);
  require(options.max_iterations >= 1, "truncated_cg: max_iterations must be >= 1 (got {})",
          options.max_iterations);
  const Eigen::Index n = df.size();
  TruncatedCgResult out;
  out.eta = Vector::Zero(n);
  out.hessian_eta = Vector::Zero(n);
  out.stop = CgStop::kMaxIterations;
  Vector r = df, z(n), d(n), hd(n);
  sharp(r, z);
  double rz = r.dot(z);
  if (!(rz > 0.0)) {
    out.stop = CgStop::kResidual;
    return out;
  }
  const double r0 = std::sqrt(rz);
  const double target = r0 * std::min(options.forcing, std::pow(r0, options.theta));
  const double radius2 = radius * radius;
  d = -z;
  // ‖η‖²_g, ⟨η, d⟩_g, ‖d‖²_g by recurrences (the preconditioner is G⁻¹, so the g-norm is the
  // preconditioned CG's natural norm).
  double e_pe = 0.0, e_pd = 0.0, d_pd = rz;
  for (int k = 0; k < options.max_iterations; ++k) {
    hessian(d, hd);
    const double kappa = d.dot(hd);
    const double alpha = rz / kappa;
    const double e_pe_next = e_pe + 2.0 * alpha * e_pd + alpha * alpha * d_pd;
    if (!(kappa > 0.0) || e_pe_next >= radius2) {
      if (!std::isfinite(radius)) {  // Newton: keep what we have, or steepest descent
        if (k == 0) {
          out.eta = d;
          out.hessian_eta = hd;
          e_pe = d_pd;
        }
        out.stop = CgStop::kNegativeCurvature;
        ++out.iterations;
        break;
      }
      const double tau = (-e_pd + std::sqrt(e_pd * e_pd + d_pd * (radius2 - e_pe))) / d_pd;
      out.eta += tau * d;
      out.hessian_eta += tau * hd;
      e_pe = radius2;
      out.stop = kappa > 0.0 ? CgStop::kBoundary : CgStop::kNegativeCurvature;
      ++out.iterations;
      break;
    }
    out.eta += alpha * d;
    out.hessian_eta += alpha * hd;
    r += alpha * hd;
    e_pe = e_pe_next;
    sharp(r, z);
    const double rz_next = r.dot(z);
    ++out.iterations;
    if (!(rz_next > 0.0) || std::sqrt(rz_next) <= target) {
      out.stop = CgStop::kResidual;
      break;
    }
    const double beta = rz_next / rz;
    rz = rz_next;
    e_pd = beta * (e_pd + alpha * d_pd);
    d_pd = rz + beta * beta * d_pd;
    d = -z + beta * d;
  }
  out.eta_norm_squared = e_pe;
  out.model_decrease = -(df.dot(out.eta) + 0.5 * out.eta.dot(out.hessian_eta));
  return out;
}

}  // namespace riemopt
