// Exceptions thrown by riemopt, and the checks that throw them.
//
// Every public entry point validates its input and throws `riemopt::InvalidArgument`
// (a `std::invalid_argument`) whose message names the argument, the value received and what
// was expected, e.g. "DlnMetric: depth must be >= 1 (got 0)". Failures that depend on the
// numerical state rather than on the arguments (a rank-deficient point where a formula needs
// full rank) throw `riemopt::NumericalError` (a `std::domain_error`).
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

#include "riemopt/types.hpp"

namespace riemopt {

class InvalidArgument : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class NumericalError : public std::domain_error {
 public:
  using std::domain_error::domain_error;
};

// Throws InvalidArgument with a formatted message when `condition` is false.
template <typename... Args>
void require(bool condition, fmt::format_string<Args...> format, Args&&... args) {
  if (!condition) throw InvalidArgument(fmt::format(format, std::forward<Args>(args)...));
}

// Throws InvalidArgument naming `what` if any entry of `v` is NaN or infinite.
void require_finite(const Eigen::Ref<const Eigen::MatrixXd>& v, const std::string& what);

// Throws InvalidArgument unless `v.size() == expected`.
void require_size(const Eigen::Ref<const Eigen::MatrixXd>& v, Eigen::Index expected,
                  const std::string& what);

}  // namespace riemopt
