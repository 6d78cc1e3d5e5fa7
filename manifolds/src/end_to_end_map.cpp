#include "riemopt/manifolds/end_to_end_map.hpp"

#include "dense_product.hpp"
#include "riemopt/errors.hpp"

namespace riemopt {

EndToEndMap::EndToEndMap(const ParameterSpace& space, const ConstVectorRef& w)
    : space_(space), w_(w) {
  space.check_coordinates(w, "EndToEndMap");
  const int n = space.depth();
  prefix_.reserve(static_cast<std::size_t>(n));
  prefix_.emplace_back(space.factor(w_, 1));
  for (int p = 2; p <= n; ++p) {  // P_p = W_p P_{p−1}, through BLAS (the factor flow's hot path)
    prefix_.emplace_back(space.width(p), space.width(0));
    detail::dense_product(space.factor(w_, p), detail::Op::kNone, prefix_[prefix_.size() - 2],
                          detail::Op::kNone, prefix_.back());
  }
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
  // U_p = (W_N ⋯ W_{p+1})ᵀ Z; the gradient of W_p is U_p P_{p−1}ᵀ. Products through BLAS.
  Matrix u = z, next;
  for (int p = space_.depth(); p >= 1; --p) {
    MatrixMap out_p = space_.mutable_factor(out, p);
    if (p == 1) {
      out_p += weight * u;
    } else {
      detail::dense_product(u, detail::Op::kNone, prefix_[static_cast<std::size_t>(p) - 2],
                            detail::Op::kTranspose, out_p, weight, 1.0);
      next.resize(space_.width(p - 1), u.cols());
      detail::dense_product(space_.factor(w_, p), detail::Op::kTranspose, u, detail::Op::kNone,
                            next);
      u.swap(next);
    }
  }
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
