#include "riemopt/manifolds/end_to_end_map.hpp"

#include "dense_product.hpp"
#include "riemopt/errors.hpp"

namespace riemopt {

namespace detail {

void end_to_end_prefixes(const ParameterSpace& space, const ConstVectorRef& w,
                         std::vector<Matrix>& prefix) {
  const int n = space.depth();
  prefix.resize(static_cast<std::size_t>(n));
  prefix[0] = space.factor(w, 1);
  for (int p = 2; p <= n; ++p) {  // P_p = W_p P_{p−1}
    Matrix& out = prefix[static_cast<std::size_t>(p) - 1];
    out.resize(space.width(p), space.width(0));
    dense_product(space.factor(w, p), Op::kNone, prefix[static_cast<std::size_t>(p) - 2], Op::kNone,
                  out);
  }
}

void end_to_end_add_adjoint(const ParameterSpace& space, const ConstVectorRef& w,
                            const std::vector<Matrix>& prefix, const Eigen::Ref<const Matrix>& z,
                            double weight, VectorRef out, Matrix& u, Matrix& next) {
  // U_N = Z, U_{p−1} = W_pᵀ U_p; the gradient of W_p is U_p P_{p−1}ᵀ.
  u = z;
  for (int p = space.depth(); p >= 1; --p) {
    MatrixMap out_p = space.mutable_factor(out, p);
    if (p == 1) {
      out_p += weight * u;
      break;
    }
    dense_product(u, Op::kNone, prefix[static_cast<std::size_t>(p) - 2], Op::kTranspose, out_p,
                  weight, 1.0);
    next.resize(space.width(p - 1), u.cols());
    dense_product(space.factor(w, p), Op::kTranspose, u, Op::kNone, next);
    u.swap(next);
  }
}

}  // namespace detail

EndToEndMap::EndToEndMap(const ParameterSpace& space, const ConstVectorRef& w)
    : space_(space), w_(w) {
  space.check_coordinates(w, "EndToEndMap");
  detail::end_to_end_prefixes(space, w_, prefix_);
}

const Matrix& EndToEndMap::prefix(int p) const {
  require(p >= 1 && p <= space_.depth(), "EndToEndMap: prefix index {} is outside 1..{}", p,
          space_.depth());
  return prefix_[static_cast<std::size_t>(p) - 1];
}

Matrix EndToEndMap::differential(const ConstVectorRef& v) const {
  return prefix_differentials(v).back();
}

std::vector<Matrix> EndToEndMap::prefix_differentials(const ConstVectorRef& v) const {
  require_size(v, space_.ambient_size(), "EndToEndMap::differential: tangent vector");
  std::vector<Matrix> d;
  d.reserve(prefix_.size());
  d.emplace_back(space_.factor(v, 1));
  for (int p = 2; p <= space_.depth(); ++p) {
    Matrix next = space_.factor(w_, p) * d.back();
    next.noalias() += space_.factor(v, p) * prefix_[static_cast<std::size_t>(p) - 2];
    d.push_back(std::move(next));
  }
  return d;
}

void EndToEndMap::add_adjoint(const Eigen::Ref<const Matrix>& z, double weight,
                              VectorRef out) const {
  require(z.rows() == space_.output_rows() && z.cols() == space_.output_cols(),
          "EndToEndMap::adjoint: Z must be {}x{} (got {}x{})", space_.output_rows(),
          space_.output_cols(), z.rows(), z.cols());
  require_size(out, space_.ambient_size(), "EndToEndMap::adjoint: output");
  Matrix u, next;
  detail::end_to_end_add_adjoint(space_, w_, prefix_, z, weight, out, u, next);
}

Vector EndToEndMap::adjoint(const Eigen::Ref<const Matrix>& z) const {
  Vector out = Vector::Zero(space_.ambient_size());
  add_adjoint(z, 1.0, out);
  return out;
}

Matrix EndToEndMap::gram(const Eigen::Ref<const Matrix>& z) const {
  return differential(adjoint(z));
}

}  // namespace riemopt
