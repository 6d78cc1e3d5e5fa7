#include "riemopt/energies/deep_factor_completion.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "dense_product.hpp"
#include "riemopt/energies/observed_entry_kernels.hpp"
#include "riemopt/errors.hpp"

namespace riemopt {

namespace {

// The buffers of one evaluation, kept in the point's cache so that a flow's right-hand side
// allocates nothing after its first call. Everything is held transposed, as d_1 × (·) blocks whose
// columns the passes over Ω read contiguously; that also lets every dense step be one dgemm
// straight into its destination, with no transposed copy on the way.
struct DeepFactorWorkspace : PointCacheOf<DeepFactorWorkspace> {
  std::uint64_t owner = 0;  // the energy whose residuals these are (new_cache_owner)
  // Q_p = (W_p ⋯ W_2)ᵀ for p = 3 … N (d_1 × d_p); at depth 2 the single entry W_2ᵀ. The last is
  // Lᵀ (d_1 × m): the rows of L = W_N⋯W_2 as contiguous columns.
  std::vector<Matrix> transposed_prefix;
  Vector residual;              // φ(W)_ij − M_ij on Ω, in the order of the observations
  double sum_of_squares = 0.0;  // Σ residual²
  Matrix v, next;  // V_p = (S W_1ᵀ)ᵀ (W_N⋯W_{p+1}), d_1 × d_p: the backward pass
};

// The dense part of the forward pass: the transposed prefixes Q_p, after checking the
// coordinates (a valid workspace was computed from these same coordinates, which passed then).
void prefix_products(const ParameterSpace& space, const ConstVectorRef& w,
                     DeepFactorWorkspace& ws) {
  space.check_coordinates(w, "DeepFactorCompletion");
  const int depth = space.depth();
  const Eigen::Index inner = space.width(1);
  std::vector<Matrix>& q = ws.transposed_prefix;
  q.resize(static_cast<std::size_t>(std::max(1, depth - 2)));
  if (depth == 2) {
    q[0] = space.factor(w, 2).transpose();
  } else {
    q[0].resize(inner, space.width(3));  // Q_3 = W_2ᵀ W_3ᵀ
    detail::dense_product(space.factor(w, 2), detail::Op::kTranspose, space.factor(w, 3),
                          detail::Op::kTranspose, q[0]);
    for (int p = 4; p <= depth; ++p) {  // Q_p = Q_{p−1} W_pᵀ
      Matrix& out = q[static_cast<std::size_t>(p) - 3];
      out.resize(inner, space.width(p));
      detail::dense_product(q[static_cast<std::size_t>(p) - 4], detail::Op::kNone,
                            space.factor(w, p), detail::Op::kTranspose, out);
    }
  }
}

// The gradient's two sparse products, factor·Lᵀ S added into ∇W_1 and factor·W_1 Sᵀ into V_N
// (both d_1 × ·, leading dimension d_1), which the passes over Ω accumulate as they go.
struct SparseGradientSink {
  double factor;
  double* first;
  double* v;
};

// Fills ws.transposed_prefix and the residuals, unless the point's workspace holds them already (a
// value before a gradient at one point, or a callback reading the train error after the step's
// evaluation); with a sink, also adds the sparse products: by two scatters over Ω when the
// residuals are known, or in the residuals' own pass at a new point (every right-hand side of a
// flow). Returns Σ r² (unscaled).
double forward(const ParameterSpace& space, const ConstVectorRef& w,
               const std::vector<Observation>& observations, std::uint64_t owner,
               DeepFactorWorkspace& ws, const SparseGradientSink* sink = nullptr) {
  const Eigen::Index inner = space.width(1);
  const ConstMatrixMap right = space.factor(w, 1);
  if (ws.valid && ws.owner == owner) {
    if (sink != nullptr) {
      detail::observed_accumulate({ws.transposed_prefix.back().data(), inner, inner},
                                  observations.data(), observations.size(), ws.residual.data(),
                                  sink->factor, {sink->first, inner, inner});
      detail::observed_accumulate_transposed({right.data(), inner, inner}, observations.data(),
                                             observations.size(), ws.residual.data(), sink->factor,
                                             {sink->v, inner, inner});
    }
    return ws.sum_of_squares;
  }
  prefix_products(space, w, ws);
  const Matrix& lt = ws.transposed_prefix.back();
  ws.residual.resize(static_cast<Eigen::Index>(observations.size()));
  ws.sum_of_squares =
      sink == nullptr
          ? detail::observed_residuals({lt.data(), inner, inner}, {right.data(), inner, inner},
                                       observations.data(), observations.size(), ws.residual.data())
          : detail::observed_residuals_and_accumulate(
                {lt.data(), inner, inner}, {right.data(), inner, inner}, observations.data(),
                observations.size(), sink->factor, ws.residual.data(), {sink->first, inner, inner},
                {sink->v, inner, inner});
  ws.owner = owner;
  ws.valid = true;
  return ws.sum_of_squares;
}

}  // namespace

DeepFactorCompletion::DeepFactorCompletion(std::shared_ptr<const ParameterSpace> space,
                                           std::vector<Observation> observations,
                                           MatrixCompletion::Normalization normalization)
    : space_(std::move(space)), observations_(std::move(observations)), id_(new_cache_owner()) {
  require(space_ != nullptr, "DeepFactorCompletion: null parameter space");
  require(space_->depth() >= 2,
          "DeepFactorCompletion: needs depth >= 2 (got {}); at depth 1 the factor is the matrix: "
          "use MatrixCompletion",
          space_->depth());
  check_observations(observations_, space_->output_rows(), space_->output_cols(),
                     "DeepFactorCompletion");
  // Column by column, rows in order: W_1's columns are read once each, and a repeated entry is
  // next to its twin.
  std::sort(observations_.begin(), observations_.end(),
            [](const Observation& a, const Observation& b) {
              return a.col != b.col ? a.col < b.col : a.row < b.row;
            });
  const auto twin = std::adjacent_find(
      observations_.begin(), observations_.end(),
      [](const Observation& a, const Observation& b) { return a.row == b.row && a.col == b.col; });
  require(twin == observations_.end(),
          "DeepFactorCompletion: entry ({}, {}) is observed more than once",
          twin == observations_.end() ? 0 : twin->row, twin == observations_.end() ? 0 : twin->col);
  scale_ = normalization == MatrixCompletion::Normalization::kHalfSum
               ? 0.5
               : 1.0 / static_cast<double>(observations_.size());
}

double DeepFactorCompletion::observed_mse(const Point& x) const {
  check_point_size(x);
  return forward(*space_, x.coords(), observations_, id_, x.cache<DeepFactorWorkspace>()) /
         static_cast<double>(observations_.size());
}

FactoredProduct DeepFactorCompletion::product(const Point& x) const {
  check_point_size(x);
  DeepFactorWorkspace& ws = x.cache<DeepFactorWorkspace>();
  forward(*space_, x.coords(), observations_, id_, ws);
  return FactoredProduct::from_transposed(ws.transposed_prefix.back(),
                                          space_->factor(x.coords(), 1));
}

double DeepFactorCompletion::product_norm(const Point& x) const {
  check_point_size(x);
  DeepFactorWorkspace& ws = x.cache<DeepFactorWorkspace>();
  forward(*space_, x.coords(), observations_, id_, ws);
  return factored_frobenius_norm(ws.transposed_prefix.back(), space_->factor(x.coords(), 1));
}

double DeepFactorCompletion::product_norm_unless_below(const Point& x, double threshold) const {
  check_point_size(x);
  DeepFactorWorkspace& ws = x.cache<DeepFactorWorkspace>();
  forward(*space_, x.coords(), observations_, id_, ws);
  const double bound = ws.transposed_prefix.back().norm() * space_->factor(x.coords(), 1).norm();
  if (bound <= threshold) return bound;
  return factored_frobenius_norm(ws.transposed_prefix.back(), space_->factor(x.coords(), 1));
}

std::string DeepFactorCompletion::name() const {
  return fmt::format("matrix completion ({} observed) on the {}", observations_.size(),
                     space_->name());
}

double DeepFactorCompletion::value(const Point& x) const {
  check_point_size(x);
  return scale_ * forward(*space_, x.coords(), observations_, id_, x.cache<DeepFactorWorkspace>());
}

void DeepFactorCompletion::add_gradient(const Point& x, double weight, VectorRef out) const {
  value_and_add_gradient(x, weight, out);
}

double DeepFactorCompletion::value_and_add_gradient(const Point& x, double weight,
                                                    VectorRef out) const {
  check_point_size(x);
  require_size(out, ambient_size(), "DeepFactorCompletion: gradient output");
  const ParameterSpace& s = *space_;
  const ConstVectorRef w = x.coords();
  DeepFactorWorkspace& ws = x.cache<DeepFactorWorkspace>();
  const Eigen::Index inner = s.width(1);
  const int depth = s.depth();
  // With S = 2c·weight × the sparse matrix of residuals (the derivative of c r², and the caller's
  // weight, folded into the passes over Ω):
  //   ∇W_1 += Lᵀ S, straight into the output;
  //   V_N = (S W_1ᵀ)ᵀ = W_1 Sᵀ, then V_{p−1} = V_p W_p, and ∇W_p += V_pᵀ Q_{p−1} (Q_2 = W_2ᵀ),
  //   except ∇W_2 += W_3ᵀ V_3ᵀ, which skips forming V_2.
  const double factor = 2.0 * scale_ * weight;
  MatrixMap first = s.mutable_factor(out, 1);
  ws.v.setZero(inner, s.output_rows());
  const SparseGradientSink sink{factor, first.data(), ws.v.data()};
  const double sum = forward(s, w, observations_, id_, ws, &sink);
  if (depth == 2) {
    s.mutable_factor(out, 2) += ws.v.transpose();
    return scale_ * sum;
  }
  for (int p = depth; p >= 3; --p) {
    if (p == 3)
      detail::dense_product(ws.v, detail::Op::kTranspose, s.factor(w, 2), detail::Op::kTranspose,
                            s.mutable_factor(out, 3), 1.0, 1.0);
    else
      detail::dense_product(ws.v, detail::Op::kTranspose,
                            ws.transposed_prefix[static_cast<std::size_t>(p) - 4],
                            detail::Op::kNone, s.mutable_factor(out, p), 1.0, 1.0);
    if (p > 3) {
      ws.next.resize(inner, s.width(p - 1));
      detail::dense_product(ws.v, detail::Op::kNone, s.factor(w, p), detail::Op::kNone, ws.next);
      ws.v.swap(ws.next);
    }
  }
  detail::dense_product(s.factor(w, 3), detail::Op::kTranspose, ws.v, detail::Op::kTranspose,
                        s.mutable_factor(out, 2), 1.0, 1.0);
  return scale_ * sum;
}

}  // namespace riemopt
