#include "riemopt/errors.hpp"

namespace riemopt {

bool all_finite(const Eigen::Ref<const Eigen::VectorXd>& v) {
  return !std::isnan((v.array() * 0.0).sum());
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
