#include "riemopt/svd.hpp"

#include <Eigen/SVD>
#include <vector>

#include "riemopt/errors.hpp"
#include "riemopt/work_counter.hpp"

#ifdef RIEMOPT_HAVE_LAPACKE
#include <lapacke.h>
#endif

namespace riemopt {
namespace {

void eigen_svd(const Eigen::Ref<const Matrix>& X, Svd& out) {
  Eigen::BDCSVD<Matrix> svd(X, Eigen::ComputeThinU | Eigen::ComputeThinV);
  if (svd.info() != Eigen::Success) throw NumericalError("compute_svd: Eigen BDCSVD failed");
  out.U = svd.matrixU();
  out.sigma = svd.singularValues();
  out.V = svd.matrixV();
}

#ifdef RIEMOPT_HAVE_LAPACKE
void lapack_svd(const Eigen::Ref<const Matrix>& X, Svd& out) {
  const lapack_int m = static_cast<lapack_int>(X.rows());
  const lapack_int n = static_cast<lapack_int>(X.cols());
  const lapack_int k = std::min(m, n);
  // dgesdd overwrites its input; the copy and LAPACK's workspaces are buffers of this thread,
  // sized by a workspace query when the shape changes, so a flow step allocates nothing here.
  thread_local Matrix work;
  thread_local Matrix vt;
  thread_local std::vector<double> scratch;
  thread_local std::vector<lapack_int> iwork;
  thread_local lapack_int queried_m = -1, queried_n = -1;
  work = X;
  out.U.resize(m, k);
  out.sigma.resize(k);
  vt.resize(k, n);
  if (m != queried_m || n != queried_n) {
    double optimal = 0.0;
    const lapack_int query =
        LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, 'S', m, n, work.data(), m, out.sigma.data(),
                            out.U.data(), m, vt.data(), k, &optimal, -1, nullptr);
    if (query != 0)
      throw NumericalError("compute_svd: LAPACK dgesdd workspace query failed (info = " +
                           std::to_string(query) + ")");
    scratch.resize(static_cast<std::size_t>(optimal) + 1);
    iwork.resize(8 * static_cast<std::size_t>(k));
    queried_m = m;
    queried_n = n;
  }
  const lapack_int info = LAPACKE_dgesdd_work(
      LAPACK_COL_MAJOR, 'S', m, n, work.data(), m, out.sigma.data(), out.U.data(), m, vt.data(), k,
      scratch.data(), static_cast<lapack_int>(scratch.size()), iwork.data());
  if (info != 0)
    throw NumericalError("compute_svd: LAPACK dgesdd failed (info = " + std::to_string(info) + ")");
  out.V = vt.transpose();
}
#endif

}  // namespace

bool lapack_available() {
#ifdef RIEMOPT_HAVE_LAPACKE
  return true;
#else
  return false;
#endif
}

std::string to_string(SvdBackend backend) {
  switch (backend) {
    case SvdBackend::kDefault:
      return lapack_available() ? "lapack" : "eigen";
    case SvdBackend::kLapack:
      return "lapack";
    case SvdBackend::kEigen:
      return "eigen";
  }
  return "unknown";
}

void compute_svd(const Eigen::Ref<const Matrix>& X, Svd& out, SvdBackend backend) {
  require(X.size() > 0, "compute_svd: matrix is empty ({}x{})", X.rows(), X.cols());
  require(X.allFinite(), "compute_svd: matrix has NaN or infinite entries");
  count_decomposition();
  if (backend == SvdBackend::kDefault)
    backend = lapack_available() ? SvdBackend::kLapack : SvdBackend::kEigen;
  if (backend == SvdBackend::kLapack) {
#ifdef RIEMOPT_HAVE_LAPACKE
    lapack_svd(X, out);
    return;
#else
    throw InvalidArgument(
        "compute_svd: the LAPACK backend was not compiled in "
        "(configure with RIEMOPT_USE_LAPACK=ON and liblapacke-dev installed)");
#endif
  }
  eigen_svd(X, out);
}

std::uint64_t svd_count() { return decomposition_count(); }

const Svd& svd_of(const Point& x) {
  SvdCache& cache = x.cache<SvdCache>();
  if (!cache.valid) {
    compute_svd(x.matrix(), cache.svd);
    cache.valid = true;
  }
  return cache.svd;
}

}  // namespace riemopt
