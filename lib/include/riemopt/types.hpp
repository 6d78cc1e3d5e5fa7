// Common Eigen aliases used across the public API.
//
// Every point and tangent vector of every geometry is stored as a flat column vector of
// ambient coordinates (`Vector`). Matrix geometries use the column-major layout of an
// `rows × cols` matrix, so `Eigen::Map<Matrix>(v.data(), rows, cols)` views it as a matrix
// without copying. One state type for every geometry is what lets one solver run on all of
// them (and lets Boost.Odeint integrate any of them).
#pragma once

#include <Eigen/Core>

namespace riemopt {

using Vector = Eigen::VectorXd;
using Matrix = Eigen::MatrixXd;
using VectorRef = Eigen::Ref<Vector>;
using ConstVectorRef = Eigen::Ref<const Vector>;
using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;

}  // namespace riemopt
