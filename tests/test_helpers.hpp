// Helpers shared by the test suites: random matrices with chosen singular values and an
// independent (eigendecomposition-based) fractional matrix power.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <filesystem>
#include <initializer_list>
#include <random>
#include <string>

#include "riemopt/errors.hpp"
#include "riemopt/manifold.hpp"
#include "riemopt/types.hpp"

namespace riemopt::testing {

inline Matrix random_matrix(Eigen::Index m, Eigen::Index n, Rng& rng) {
  return gaussian_vector(m * n, rng).reshaped(m, n);
}

inline Matrix random_orthogonal(Eigen::Index n, Rng& rng) {
  Eigen::HouseholderQR<Matrix> qr(random_matrix(n, n, rng));
  Matrix Q = qr.householderQ();
  return Q;
}

// Q diag(sigma) Rᵀ with random orthonormal Q (m×k), R (n×k), k = sigma.size() <= min(m, n).
inline Matrix matrix_with_singular_values(Eigen::Index m, Eigen::Index n, const Vector& sigma,
                                          Rng& rng, Matrix* Q_out = nullptr,
                                          Matrix* R_out = nullptr) {
  const Matrix Q = random_orthogonal(m, rng).leftCols(sigma.size());
  const Matrix R = random_orthogonal(n, rng).leftCols(sigma.size());
  if (Q_out) *Q_out = Q;
  if (R_out) *R_out = R;
  return Q * sigma.asDiagonal() * R.transpose();
}

// S^a for a symmetric positive semidefinite S, by eigendecomposition (0^0 = 1).
inline Matrix psd_power(const Matrix& S, double a) {
  Eigen::SelfAdjointEigenSolver<Matrix> eig(S);
  // Eigenvalues at rounding level are exact zeros of a rank-deficient S (else 1e-16^{1/N} ≠ 0).
  const double floor = 1e-13 * std::max(eig.eigenvalues().cwiseAbs().maxCoeff(), 1e-300);
  Vector lam = eig.eigenvalues().unaryExpr([a, floor](double l) {
    const double c = l < floor ? 0.0 : l;
    return a == 0.0 ? 1.0 : std::pow(c, a);
  });
  return eig.eigenvectors() * lam.asDiagonal() * eig.eigenvectors().transpose();
}

// The affine-invariant geodesic midpoint A^{1/2}(A^{−1/2} B A^{−1/2})^{1/2} A^{1/2} of two SPD
// matrices: the Karcher mean of the two, computed by eigendecompositions.
inline Matrix spd_geodesic_midpoint(const Matrix& a, const Matrix& b) {
  const Eigen::SelfAdjointEigenSolver<Matrix> ea(a);
  const Matrix root = ea.operatorSqrt(), inverse_root = ea.operatorInverseSqrt();
  const Eigen::SelfAdjointEigenSolver<Matrix> inner(inverse_root * b * inverse_root);
  return root * inner.operatorSqrt() * root;
}

// Relative error ‖a − b‖/‖b‖ (absolute when b = 0).
inline double relative_error(const Eigen::Ref<const Matrix>& a, const Eigen::Ref<const Matrix>& b) {
  const double nb = b.norm();
  return nb > 0 ? (a - b).norm() / nb : (a - b).norm();
}

// A scratch directory of its own for the running test: CTest runs tests as parallel processes
// (and CI may run beside a developer's build), so shared file names would race.
inline std::filesystem::path scratch_directory() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = "riemopt-test-" + std::to_string(::getpid());
  if (info) name += std::string("-") + info->test_suite_name() + "-" + info->name();
  for (char& c : name)
    if (c == '/') c = '_';  // parameterized test names contain '/'
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::create_directories(dir);
  return dir;
}

// Expects f() to throw InvalidArgument whose message contains every fragment.
template <typename F>
void expect_invalid(F&& f, std::initializer_list<const char*> fragments) {
  try {
    f();
    ADD_FAILURE() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    for (const char* fragment : fragments)
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
          << "message '" << e.what() << "' lacks '" << fragment << "'";
  }
}
template <typename F>
void expect_invalid(F&& f, const std::string& fragment) {
  expect_invalid(std::forward<F>(f), {fragment.c_str()});
}

}  // namespace riemopt::testing
