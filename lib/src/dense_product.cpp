#include "dense_product.hpp"

#include <algorithm>

#ifdef RIEMOPT_HAVE_LAPACKE
#include <cblas.h>
#endif

namespace riemopt::detail {

void dense_product(const Eigen::Ref<const Matrix>& a, Op op_a, const Eigen::Ref<const Matrix>& b,
                   Op op_b, Eigen::Ref<Matrix> c, double alpha, double beta) {
  const bool ta = op_a == Op::kTranspose, tb = op_b == Op::kTranspose;
  const Eigen::Index m = ta ? a.cols() : a.rows();
  const Eigen::Index k = ta ? a.rows() : a.cols();
  const Eigen::Index n = tb ? b.rows() : b.cols();
  eigen_assert((tb ? b.cols() : b.rows()) == k && c.rows() == m && c.cols() == n);
#ifdef RIEMOPT_HAVE_LAPACKE
  if (m == 0 || n == 0) return;
  // dgemm checks lda >= 1 even for empty operands; keep the leading dimensions >= 1.
  cblas_dgemm(CblasColMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a.data(),
              static_cast<int>(std::max<Eigen::Index>(1, a.outerStride())), b.data(),
              static_cast<int>(std::max<Eigen::Index>(1, b.outerStride())), beta, c.data(),
              static_cast<int>(std::max<Eigen::Index>(1, c.outerStride())));
#else
  if (beta == 0.0)
    c.setZero();
  else if (beta != 1.0)
    c *= beta;
  if (ta && tb)
    c.noalias() += alpha * a.transpose() * b.transpose();
  else if (ta)
    c.noalias() += alpha * a.transpose() * b;
  else if (tb)
    c.noalias() += alpha * a * b.transpose();
  else
    c.noalias() += alpha * a * b;
#endif
}

}  // namespace riemopt::detail
