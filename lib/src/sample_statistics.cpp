#include "riemopt/sample_statistics.hpp"

#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

SampleMoments batch_means(const Matrix& samples, Eigen::Index batches) {
  require(batches >= 2, "batch_means: at least 2 batches are needed (got {})", batches);
  require(samples.rows() >= batches, "batch_means: {} samples cannot be split into {} batches",
          samples.rows(), batches);
  require_finite(samples, "batch_means: samples");
  const Eigen::Index length = samples.rows() / batches;
  const Eigen::Index first = samples.rows() - length * batches;
  Matrix means(batches, samples.cols());
  for (Eigen::Index b = 0; b < batches; ++b)
    means.row(b) = samples.middleRows(first + b * length, length).colwise().mean();
  SampleMoments out;
  out.batches = batches;
  out.rows_used = length * batches;
  out.mean = means.colwise().mean().transpose();
  const Matrix centered = means.rowwise() - out.mean.transpose();
  out.standard_error =
      (centered.colwise().squaredNorm().transpose() / static_cast<double>(batches * (batches - 1)))
          .cwiseSqrt();
  return out;
}

}  // namespace riemopt
