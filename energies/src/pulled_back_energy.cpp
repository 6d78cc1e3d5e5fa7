#include "riemopt/energies/pulled_back_energy.hpp"

#include <fmt/format.h>

#include <vector>

#include "riemopt/errors.hpp"
#include "riemopt/manifolds/end_to_end_map.hpp"

namespace riemopt {

namespace {

// φ(W) as a matrix Point that E can read (shape d_N × d_0).
Point end_to_end_point(const ParameterSpace& space, const EndToEndMap& phi) {
  const Matrix& x = phi.product();
  return Point(Eigen::Map<const Vector>(x.data(), x.size()), space.output_rows(),
               space.output_cols());
}

ConstMatrixMap as_matrix(const Vector& v, const ParameterSpace& space) {
  return {v.data(), space.output_rows(), space.output_cols()};
}

// The buffers of one evaluation, kept in the factor point's cache so that the flow's right-hand
// side allocates nothing after its first call: the prefix products P_p = W_p⋯W_1, φ(W) as a
// point for E (with E's own caches), ∇E(φ(W)), and the backward pass's U_p.
struct PullbackWorkspace : PointCacheOf<PullbackWorkspace> {
  std::vector<Matrix> prefix;
  Point end_to_end;
  Vector gradient;
  Matrix u, next;
};

// Fills ws.prefix and ws.end_to_end = φ(W).
void forward(const ParameterSpace& s, const Point& w, PullbackWorkspace& ws) {
  detail::end_to_end_prefixes(s, w.coords(), ws.prefix);
  const Matrix& x = ws.prefix.back();
  if (ws.end_to_end.size() != x.size())
    ws.end_to_end = Point(Vector(x.size()), s.output_rows(), s.output_cols());
  ws.end_to_end.assign(x.reshaped());
}

}  // namespace

PulledBackEnergy::PulledBackEnergy(EnergyPtr matrix_energy,
                                   std::shared_ptr<const ParameterSpace> space)
    : energy_(std::move(matrix_energy)), space_(std::move(space)) {
  require(energy_ != nullptr, "PulledBackEnergy: null matrix energy");
  require(space_ != nullptr, "PulledBackEnergy: null parameter space");
  const Eigen::Index size = space_->output_rows() * space_->output_cols();
  require(energy_->ambient_size() < 0 || energy_->ambient_size() == size,
          "PulledBackEnergy: the energy '{}' takes {} coordinates but phi(W) on the {} is {}x{}",
          energy_->name(), energy_->ambient_size(), space_->name(), space_->output_rows(),
          space_->output_cols());
}

std::string PulledBackEnergy::name() const {
  return fmt::format("({})∘phi on the {}", energy_->name(), space_->name());
}

double PulledBackEnergy::value(const Point& x) const {
  check_point_size(x);
  space_->check_coordinates(x.coords(), "PulledBackEnergy");
  PullbackWorkspace& ws = x.cache<PullbackWorkspace>();
  forward(*space_, x, ws);
  return energy_->value(ws.end_to_end);
}

void PulledBackEnergy::add_gradient(const Point& x, double weight, VectorRef out) const {
  value_and_add_gradient(x, weight, out);
}

double PulledBackEnergy::value_and_add_gradient(const Point& x, double weight,
                                                VectorRef out) const {
  check_point_size(x);
  const ParameterSpace& s = *space_;
  s.check_coordinates(x.coords(), "PulledBackEnergy");
  PullbackWorkspace& ws = x.cache<PullbackWorkspace>();
  forward(s, x, ws);
  ws.gradient.setZero(ws.end_to_end.size());
  const double value = energy_->value_and_add_gradient(ws.end_to_end, 1.0, ws.gradient);
  detail::end_to_end_add_adjoint(s, x.coords(), ws.prefix, as_matrix(ws.gradient, s), weight, out,
                                 ws.u, ws.next);
  return value;
}

void PulledBackEnergy::add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                                          VectorRef out) const {
  require(has_hessian(), "PulledBackEnergy: the energy '{}' has no Hessian", energy_->name());
  check_point_size(x);
  require_size(v, ambient_size(), "PulledBackEnergy: Hessian direction");
  const ParameterSpace& s = *space_;
  const int n = s.depth();
  const EndToEndMap phi(s, x.coords());
  const Point xp = end_to_end_point(s, phi);
  Vector g = Vector::Zero(xp.size());
  energy_->add_gradient(xp, 1.0, g);
  const std::vector<Matrix> d = phi.prefix_differentials(v);  // d[p − 1] = D_p = dP_p[V]
  const Matrix& dx = d.back();
  Vector h = Vector::Zero(xp.size());
  energy_->add_hessian_vector(xp, Eigen::Map<const Vector>(dx.data(), dx.size()), 1.0, h);
  // Gauss–Newton part dφᵀ ∇²E[dφ V].
  phi.add_adjoint(as_matrix(h, s), weight, out);
  // Curvature of φ: d/dt of (S_pᵀ G P_{p−1}ᵀ) with G fixed is F_p P_{p−1}ᵀ + U_p D_{p−1}ᵀ, where
  //   U_p = S_pᵀ G (U_N = G, U_{p−1} = W_pᵀ U_p),
  //   F_p = (dS_p)ᵀ G (F_N = 0, F_{p−1} = W_pᵀ F_p + V_pᵀ U_p),
  //   D_p = dP_p[V] as above.
  Matrix u = as_matrix(g, s);
  Matrix f = Matrix::Zero(u.rows(), u.cols());
  for (int p = n; p >= 1; --p) {
    if (p > 1) {
      MatrixMap out_p = s.mutable_factor(out, p);
      out_p.noalias() += weight * (f * phi.prefix(p - 1).transpose());
      out_p.noalias() += weight * (u * d[static_cast<std::size_t>(p) - 2].transpose());
      const ConstMatrixMap wp = s.factor(x.coords(), p);
      Matrix f_next = wp.transpose() * f;
      f_next.noalias() += s.factor(v, p).transpose() * u;
      Matrix u_next = wp.transpose() * u;
      f.swap(f_next);
      u.swap(u_next);
    } else {
      s.mutable_factor(out, 1) += weight * f;
    }
  }
}

}  // namespace riemopt
