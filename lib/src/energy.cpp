#include "riemopt/energy.hpp"

#include <fmt/format.h>

#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

double Energy::value_and_add_gradient(const Point& x, double weight, VectorRef out) const {
  add_gradient(x, weight, out);
  return value(x);
}

double Energy::value_and_add_split_gradient(const Point& x, double weight, VectorRef out,
                                            VectorRef /*spectral*/) const {
  return value_and_add_gradient(x, weight, out);
}

void Energy::add_hessian_vector(const Point&, const ConstVectorRef&, double, VectorRef) const {
  throw InvalidArgument(name() + ": this energy provides no Hessian-vector product");
}

Vector Energy::gradient(const Point& x) const {
  Vector g = Vector::Zero(x.size());
  add_gradient(x, 1.0, g);
  return g;
}

Vector Energy::hessian_vector(const Point& x, const ConstVectorRef& v) const {
  Vector hv = Vector::Zero(x.size());
  add_hessian_vector(x, v, 1.0, hv);
  return hv;
}

bool Energy::least_squares_terms(double /*weight*/, std::vector<LeastSquaresTerm>& /*out*/) const {
  return false;
}

bool SumEnergy::least_squares_terms(double weight, std::vector<LeastSquaresTerm>& out) const {
  bool only_least_squares = true;
  for (const Term& t : terms_)
    only_least_squares =
        t.energy->least_squares_terms(weight * t.weight, out) && only_least_squares;
  return only_least_squares;
}

void Energy::check_shape(Eigen::Index rows, Eigen::Index cols) const {
  const Eigen::Index n = ambient_size();
  require(n < 0 || n == rows * cols,
          "energy '{}' expects {} coordinates but the manifold's points have {} ({}x{})", name(), n,
          rows * cols, rows, cols);
}

void SumEnergy::check_shape(Eigen::Index rows, Eigen::Index cols) const {
  for (const Term& t : terms_) t.energy->check_shape(rows, cols);
}

void Energy::check_point_size(const Point& x) const {
  const Eigen::Index n = ambient_size();
  if (n >= 0 && x.size() != n)  // name() only on failure: this runs on every evaluation
    throw InvalidArgument(
        fmt::format("{}: point has {} coordinates, expected {}", name(), x.size(), n));
}

SumEnergy::SumEnergy(std::vector<Term> terms) : terms_(std::move(terms)) {
  require(!terms_.empty(), "SumEnergy: needs at least one term");
  for (const Term& t : terms_) {
    require(t.energy != nullptr, "SumEnergy: a term is a null energy");
    require(std::isfinite(t.weight), "SumEnergy: weight of '{}' is {}; must be finite",
            t.energy->name(), t.weight);
    const Eigen::Index n = t.energy->ambient_size();
    if (n < 0) continue;
    require(size_ < 0 || size_ == n,
            "SumEnergy: term '{}' has ambient size {}, but an earlier term has {}",
            t.energy->name(), n, size_);
    size_ = n;
  }
}

std::string SumEnergy::name() const {
  std::string s;
  for (std::size_t i = 0; i < terms_.size(); ++i) {
    const double w = terms_[i].weight;
    if (i > 0) s += w < 0 ? " - " : " + ";
    const double shown = i > 0 ? std::abs(w) : w;
    if (shown != 1.0) s += fmt::format("{:g}*", shown);
    s += terms_[i].energy->name();
  }
  return s;
}

double SumEnergy::value(const Point& x) const {
  double v = 0.0;
  for (const Term& t : terms_) v += t.weight * t.energy->value(x);
  return v;
}

void SumEnergy::add_gradient(const Point& x, double weight, VectorRef out) const {
  for (const Term& t : terms_) t.energy->add_gradient(x, weight * t.weight, out);
}

double SumEnergy::value_and_add_gradient(const Point& x, double weight, VectorRef out) const {
  double v = 0.0;
  for (const Term& t : terms_)
    v += t.weight * t.energy->value_and_add_gradient(x, weight * t.weight, out);
  return v;
}

double SumEnergy::value_and_add_split_gradient(const Point& x, double weight, VectorRef out,
                                               VectorRef spectral) const {
  double v = 0.0;
  for (const Term& t : terms_)
    v += t.weight * t.energy->value_and_add_split_gradient(x, weight * t.weight, out, spectral);
  return v;
}

bool SumEnergy::has_hessian() const {
  for (const Term& t : terms_)
    if (!t.energy->has_hessian()) return false;
  return true;
}

void SumEnergy::add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                                   VectorRef out) const {
  require(has_hessian(), "{}: a term provides no Hessian-vector product", name());
  for (const Term& t : terms_) t.energy->add_hessian_vector(x, v, weight * t.weight, out);
}

namespace {

std::vector<SumEnergy::Term> as_terms(const EnergyPtr& e, double c) {
  require(e != nullptr, "energy composition: operand is a null energy");
  if (const auto* sum = dynamic_cast<const SumEnergy*>(e.get())) {
    std::vector<SumEnergy::Term> terms = sum->terms();
    for (auto& t : terms) t.weight *= c;
    return terms;
  }
  return {{c, e}};
}

EnergyPtr combine(const EnergyPtr& a, double ca, const EnergyPtr& b, double cb) {
  std::vector<SumEnergy::Term> terms = as_terms(a, ca);
  std::vector<SumEnergy::Term> more = as_terms(b, cb);
  terms.insert(terms.end(), more.begin(), more.end());
  return std::make_shared<SumEnergy>(std::move(terms));
}

}  // namespace

EnergyPtr operator+(const EnergyPtr& a, const EnergyPtr& b) { return combine(a, 1.0, b, 1.0); }
EnergyPtr operator-(const EnergyPtr& a, const EnergyPtr& b) { return combine(a, 1.0, b, -1.0); }
EnergyPtr operator*(double c, const EnergyPtr& a) {
  return std::make_shared<SumEnergy>(as_terms(a, c));
}

}  // namespace riemopt
