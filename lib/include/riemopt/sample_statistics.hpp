// Means of correlated samples (a Markov chain's) with standard errors by batch means.
//
// The rows are split into B consecutive batches of equal length (the remainder at the start is
// dropped); the standard error of the mean is the standard deviation of the batch means over √B.
// It is consistent when a batch is much longer than the chain's autocorrelation time.
//
//   riemopt::SampleMoments m = riemopt::batch_means(run.samples, 40);
//   // m.mean[k] ± m.standard_error[k]
#pragma once

#include "riemopt/types.hpp"

namespace riemopt {

struct SampleMoments {
  Vector mean;            // per column, over the rows used
  Vector standard_error;  // per column, by batch means
  Eigen::Index batches = 0;
  Eigen::Index rows_used = 0;
};

// Throws InvalidArgument unless batches >= 2 and samples has at least `batches` rows and only
// finite entries.
SampleMoments batch_means(const Matrix& samples, Eigen::Index batches = 40);

}  // namespace riemopt
