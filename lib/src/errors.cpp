#include "riemopt/errors.hpp"

namespace riemopt {

bool all_finite(const Eigen::Ref<const Eigen::VectorXd>& v) {
  // Eight independent partial sums: one running sum makes every add wait for the previous one
  // (about one entry per cycle), while eight let the compiler keep four vector adds in flight.
  constexpr Eigen::Index kLanes = 8;
  const double* x = v.data();
  const Eigen::Index n = v.size();
  double partial[kLanes] = {};
  Eigen::Index i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (Eigen::Index k = 0; k < kLanes; ++k) partial[k] += x[i + k] * 0.0;
  double total = 0.0;
  for (; i < n; ++i) total += x[i] * 0.0;
  for (const double p : partial) total += p;
  return !std::isnan(total);
}

void require_finite(const Eigen::Ref<const Eigen::MatrixXd>& v, const std::string& what) {
  for (Eigen::Index j = 0; j < v.cols(); ++j)
    for (Eigen::Index i = 0; i < v.rows(); ++i)
      if (!std::isfinite(v(i, j)))
        throw InvalidArgument(fmt::format("{}: entry ({}, {}) is {}; all entries must be finite",
                                          what, i, j, v(i, j)));
}

void throw_size_mismatch(const Eigen::Ref<const Eigen::MatrixXd>& v, Eigen::Index expected,
                         const std::string& what) {
  throw InvalidArgument(fmt::format("{}: has {} entries ({}x{}), expected {}", what, v.size(),
                                    v.rows(), v.cols(), expected));
}

}  // namespace riemopt
