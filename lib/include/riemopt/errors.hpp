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
#include <type_traits>

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

// Whether every entry of `v` is finite, as one vectorized pass with no branch per entry (0·x is 0
// for finite x and NaN otherwise, and a NaN survives the sum), for checks on hot paths: the
// factored completion RHS's finiteness check went from 4.7 % to 2.0 % of its profile against
// allFinite(), and to a fraction of that with independent partial sums (docs/BENCHMARKS.md, "The
// flow's own work per right-hand side").
bool all_finite(const Eigen::Ref<const Eigen::VectorXd>& v);

[[noreturn]] void throw_size_mismatch(const Eigen::Ref<const Eigen::MatrixXd>& v,
                                      Eigen::Index expected, const std::string& what);

// Throws InvalidArgument unless `v.size() == expected`. `what` names v: a string, or a callable
// returning one, which is called only on failure (so checks on hot paths build no message and
// allocate nothing).
template <typename What>
void require_size(const Eigen::Ref<const Eigen::MatrixXd>& v, Eigen::Index expected,
                  const What& what) {
  if (v.size() == expected) return;
  if constexpr (std::is_invocable_v<const What&>)
    throw_size_mismatch(v, expected, what());
  else
    throw_size_mismatch(v, expected, std::string(what));
}

}  // namespace riemopt
