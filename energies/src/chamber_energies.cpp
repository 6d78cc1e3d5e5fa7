#include "riemopt/energies/chamber_energies.hpp"

#include <fmt/format.h>

#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

SeparableChamberEnergy::SeparableChamberEnergy(std::string name, ScalarFn f, ScalarFn df,
                                               ScalarFn d2f)
    : name_(std::move(name)), f_(std::move(f)), df_(std::move(df)), d2f_(std::move(d2f)) {
  require(static_cast<bool>(f_), "SeparableChamberEnergy '{}': f is empty", name_);
  require(static_cast<bool>(df_), "SeparableChamberEnergy '{}': f' is empty", name_);
}

std::shared_ptr<SeparableChamberEnergy> SeparableChamberEnergy::schatten(double p) {
  require(std::isfinite(p) && p > 0.0,
          "SeparableChamberEnergy::schatten: p must be finite and > 0 (got {})", p);
  return std::make_shared<SeparableChamberEnergy>(
      fmt::format("schatten(p={:g})", p), [p](double s) { return std::pow(s, p) / p; },
      [p](double s) { return std::pow(s, p - 1.0); },
      [p](double s) { return (p - 1.0) * std::pow(s, p - 2.0); });
}

double SeparableChamberEnergy::d2f(double s) const {
  require(has_hessian(), "SeparableChamberEnergy '{}': f'' was not given", name_);
  return d2f_(s);
}

double SeparableChamberEnergy::value(const Point& x) const {
  double v = 0.0;
  for (double s : x.coords()) v += f_(s);
  return v;
}

void SeparableChamberEnergy::add_gradient(const Point& x, double weight, VectorRef out) const {
  require_size(out, x.size(), name_ + ": gradient output");
  const Vector& s = x.coords();
  for (Eigen::Index k = 0; k < s.size(); ++k) out[k] += weight * df_(s[k]);
}

void SeparableChamberEnergy::add_hessian_vector(const Point& x, const ConstVectorRef& v,
                                                double weight, VectorRef out) const {
  require_size(v, x.size(), name_ + ": direction");
  const Vector& s = x.coords();
  for (Eigen::Index k = 0; k < s.size(); ++k) out[k] += weight * d2f(s[k]) * v[k];
}

}  // namespace riemopt
