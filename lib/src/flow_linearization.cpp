#include "riemopt/flow_linearization.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "riemopt/errors.hpp"

namespace riemopt {

FlowLinearization linearize_flow(const Problem& problem, const Point& x, double relative_step) {
  require(std::isfinite(relative_step) && relative_step > 0.0,
          "linearize_flow: relative_step must be finite and > 0 (got {})", relative_step);
  require(problem.manifold().is_open_subset(),
          "linearize_flow: manifold '{}' is embedded; only open subsets are supported",
          problem.manifold().name());
  const Eigen::Index n = problem.ambient_size();
  require(x.size() == n, "linearize_flow: point has {} coordinates, expected {}", x.size(), n);
  FlowLinearization out;
  out.jacobian.resize(n, n);
  Point probe(x.coords(), x.rows(), x.cols());
  Problem::Evaluation plus, minus;
  Vector shifted = x.coords();
  const double largest = x.coords().cwiseAbs().maxCoeff();
  for (Eigen::Index j = 0; j < n; ++j) {
    double scale = std::max(std::abs(x.coords()[j]), 1e-3 * largest);
    if (scale == 0.0) scale = 1.0;
    const double h = relative_step * scale;
    shifted[j] = x.coords()[j] + h;
    probe.assign(shifted);
    problem.evaluate_field(probe, plus);
    shifted[j] = x.coords()[j] - h;
    probe.assign(shifted);
    problem.evaluate_field(probe, minus);
    shifted[j] = x.coords()[j];
    out.jacobian.col(j) = -(plus.gradient - minus.gradient) / (2.0 * h);
  }
  Eigen::EigenSolver<Matrix> solver(out.jacobian);
  if (solver.info() != Eigen::Success)
    throw NumericalError("linearize_flow: the eigenvalue iteration did not converge");
  const Eigen::VectorXcd values = solver.eigenvalues();
  const Eigen::MatrixXcd vectors = solver.eigenvectors();
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::sort(order.begin(), order.end(),
            [&](Eigen::Index a, Eigen::Index b) { return values[a].real() < values[b].real(); });
  out.eigenvalues.resize(n);
  out.eigenvectors.resize(n, n);
  for (Eigen::Index k = 0; k < n; ++k) {
    const Eigen::Index i = order[static_cast<std::size_t>(k)];
    out.eigenvalues[k] = values[i].real();
    out.max_imaginary = std::max(out.max_imaginary, std::abs(values[i].imag()));
    Vector v = vectors.col(i).real();
    if (v.norm() == 0.0) v = vectors.col(i).imag();
    out.eigenvectors.col(k) = v.normalized();
  }
  return out;
}

ModeSplit split_modes(const FlowLinearization& linearization, const Vector& direction) {
  const Eigen::Index n = linearization.eigenvalues.size();
  require(direction.size() == n && direction.norm() > 0.0,
          "split_modes: direction must be nonzero with {} entries (got {})", n, direction.size());
  const Vector unit = direction.normalized();
  ModeSplit split;
  double best = -1.0;
  for (Eigen::Index k = 0; k < n; ++k) {
    const double alignment = std::abs(linearization.eigenvectors.col(k).dot(unit));
    if (alignment > best) {
      best = alignment;
      split.along_index = k;
    }
  }
  split.along = linearization.eigenvalues[split.along_index];
  double sum = 0.0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (Eigen::Index k = 0; k < n; ++k) {
    if (k == split.along_index) continue;
    sum += linearization.eigenvalues[k];
    lo = std::min(lo, linearization.eigenvalues[k]);
    hi = std::max(hi, linearization.eigenvalues[k]);
  }
  split.across_mean =
      n > 1 ? sum / static_cast<double>(n - 1) : std::numeric_limits<double>::quiet_NaN();
  split.across_spread = n > 1 ? hi - lo : 0.0;
  return split;
}

}  // namespace riemopt
