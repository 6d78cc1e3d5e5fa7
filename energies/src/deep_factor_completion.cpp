#include "riemopt/energies/deep_factor_completion.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "riemopt/errors.hpp"
#include "riemopt/manifolds/end_to_end_map.hpp"

namespace riemopt {

namespace {

// The buffers of one evaluation, kept in the point's cache so that a flow's right-hand side
// allocates nothing after its first call.
struct DeepFactorWorkspace : PointCacheOf<DeepFactorWorkspace> {
  std::uint64_t owner = 0;          // the energy whose residuals these are (new_cache_owner)
  std::vector<Matrix> tail_prefix;  // W_2, W_3W_2, …, L = W_N⋯W_2 (m × d_1)
  Matrix left_transposed;           // Lᵀ, d_1 × m: the rows of L as contiguous columns
  Vector residual;                  // φ(W)_ij − M_ij on Ω, in the order of the observations
  double sum_of_squares = 0.0;      // Σ residual²
  Matrix first_gradient;            // Lᵀ S, d_1 × n
  Matrix product_transposed;        // (S W_1ᵀ)ᵀ, d_1 × m
  Matrix product;                   // S W_1ᵀ, m × d_1
  Matrix u, next;                   // the backward pass's scratch
};

// Fills ws.tail_prefix, ws.left_transposed and the residuals, unless the point's workspace holds
// them already (a value before a gradient at one point, or a callback reading the train error
// after the step's evaluation); returns Σ r² (unscaled).
double forward(const ParameterSpace& space, const ParameterSpace& tail, const ConstVectorRef& w,
               const std::vector<Observation>& observations, std::uint64_t owner,
               DeepFactorWorkspace& ws) {
  if (ws.valid && ws.owner == owner) return ws.sum_of_squares;
  detail::end_to_end_prefixes(tail, w.segment(space.offset(2), tail.ambient_size()),
                              ws.tail_prefix);
  ws.left_transposed = ws.tail_prefix.back().transpose();
  const ConstMatrixMap right = space.factor(w, 1);
  const Matrix& lt = ws.left_transposed;
  ws.residual.resize(static_cast<Eigen::Index>(observations.size()));
  double sum = 0.0;
  for (std::size_t k = 0; k < observations.size(); ++k) {
    const Observation& o = observations[k];
    const double r = lt.col(o.row).dot(right.col(o.col)) - o.value;
    ws.residual(static_cast<Eigen::Index>(k)) = r;
    sum += r * r;
  }
  ws.sum_of_squares = sum;
  ws.owner = owner;
  ws.valid = true;
  return sum;
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
  const std::vector<Eigen::Index>& widths = space_->widths();
  tail_ = std::make_shared<const ParameterSpace>(
      std::vector<Eigen::Index>(widths.begin() + 1, widths.end()));
  scale_ = normalization == MatrixCompletion::Normalization::kHalfSum
               ? 0.5
               : 1.0 / static_cast<double>(observations_.size());
}

double DeepFactorCompletion::observed_mse(const Point& x) const {
  check_point_size(x);
  space_->check_coordinates(x.coords(), "DeepFactorCompletion");
  return forward(*space_, *tail_, x.coords(), observations_, id_, x.cache<DeepFactorWorkspace>()) /
         static_cast<double>(observations_.size());
}

FactoredProduct DeepFactorCompletion::product(const Point& x) const {
  check_point_size(x);
  space_->check_coordinates(x.coords(), "DeepFactorCompletion");
  DeepFactorWorkspace& ws = x.cache<DeepFactorWorkspace>();
  forward(*space_, *tail_, x.coords(), observations_, id_, ws);
  return FactoredProduct::from_transposed(ws.left_transposed, space_->factor(x.coords(), 1));
}

std::string DeepFactorCompletion::name() const {
  return fmt::format("matrix completion ({} observed) on the {}", observations_.size(),
                     space_->name());
}

double DeepFactorCompletion::value(const Point& x) const {
  check_point_size(x);
  space_->check_coordinates(x.coords(), "DeepFactorCompletion");
  return scale_ *
         forward(*space_, *tail_, x.coords(), observations_, id_, x.cache<DeepFactorWorkspace>());
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
  s.check_coordinates(w, "DeepFactorCompletion");
  DeepFactorWorkspace& ws = x.cache<DeepFactorWorkspace>();
  const double sum = forward(s, *tail_, w, observations_, id_, ws);
  const ConstMatrixMap right = s.factor(w, 1);
  const Eigen::Index inner = s.width(1);
  // The two sparse products Lᵀ S (d_1 × n) and (S W_1ᵀ)ᵀ (d_1 × m), one pass over Ω, with the
  // factor 2c of the derivative of c r².
  ws.first_gradient.setZero(inner, s.output_cols());
  ws.product_transposed.setZero(inner, s.output_rows());
  const double factor = 2.0 * scale_;
  for (std::size_t k = 0; k < observations_.size(); ++k) {
    const Observation& o = observations_[k];
    const double r = factor * ws.residual(static_cast<Eigen::Index>(k));
    ws.first_gradient.col(o.col).noalias() += r * ws.left_transposed.col(o.row);
    ws.product_transposed.col(o.row).noalias() += r * right.col(o.col);
  }
  s.mutable_factor(out, 1) += weight * ws.first_gradient;
  // W_2 … W_N: the adjoint of the tail's end-to-end map applied to S W_1ᵀ.
  ws.product = ws.product_transposed.transpose();
  const Eigen::Index offset = s.offset(2), size = tail_->ambient_size();
  detail::end_to_end_add_adjoint(*tail_, w.segment(offset, size), ws.tail_prefix, ws.product,
                                 weight, out.segment(offset, size), ws.u, ws.next);
  return scale_ * sum;
}

}  // namespace riemopt
