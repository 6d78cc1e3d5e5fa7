// The classic benchmark problems of the Manopt and ROPTLIB documentation, on fixed-seed instances,
// solved by every library solver that applies (trust region, conjugate gradient, L-BFGS, gradient
// descent): iterations, cost and gradient evaluations, CPU and wall seconds, and the accuracy each
// reached. Prints one table; with --instances DIR it also writes every instance as Matrix Market
// arrays so that other libraries can be run on the very same data. docs/BENCHMARKS.md records the
// output next to the ROPTLIB and Pymanopt anchors of the issue that asked for it.
//
//   standard_problems [--instances DIR] [--seed 1]
//
// Problems (stop: Riemannian gradient norm ≤ 1e-6, 1e-8 for the Karcher mean):
//   rayleigh   min xᵀAx on S^{999}, A = B + Bᵀ, B standard Gaussian 1000×1000; accuracy: |f −
//   λ_min| brockett   min tr(XᵀAXD) on St(200, 10), A as above (200×200), D = diag(10, …, 1);
//   accuracy:
//              max_i |(XᵀAX)_ii − λ_i| over the 10 smallest eigenvalues λ_1 ≤ … ≤ λ_10
//   karcher    the Karcher mean of 50 SPD 10×10 matrices Q diag(e^z) Qᵀ (Q Haar, z Gaussian),
//              affine-invariant metric, started at the identity; accuracy: ‖Σ Log_X(A_i)‖/50
//   fixedrank  completion of a rank-10 1000×1000 matrix A Bᵀ (A, B Gaussian) from 5 % of its
//              entries on rank-10 factors (FixedRankFactors, Mishra et al.'s metric), from the
//              spectral start (top-10 subspace of the zero-filled observations / 0.05, by
//              subspace iteration); stop at ‖grad‖ ≤ 1e-8·max|M|; accuracy: test RMSE on 10 000
//              held-out entries relative to max|M| (target 1e-6)
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <Eigen/Eigenvalues>
#include <chrono>
#include <cmath>
#include <ctime>
#include <exception>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "riemopt/conjugate_gradient.hpp"
#include "riemopt/energies/brockett.hpp"
#include "riemopt/energies/completion_files.hpp"
#include "riemopt/energies/factored_completion.hpp"
#include "riemopt/energies/karcher_mean.hpp"
#include "riemopt/gradient_descent.hpp"
#include "riemopt/lbfgs.hpp"
#include "riemopt/manifolds/fixed_rank.hpp"
#include "riemopt/manifolds/spd.hpp"
#include "riemopt/manifolds/sphere.hpp"
#include "riemopt/manifolds/stiefel.hpp"
#include "riemopt/trust_region.hpp"

namespace {

using namespace riemopt;

struct Row {
  std::string problem, solver, status;
  std::int64_t iterations = 0, values = 0, gradients = 0;
  double cpu = 0.0, wall = 0.0, gradient_norm = 0.0, accuracy = 0.0;
};

template <typename Solve>
Row run(const std::string& problem, const std::string& solver, Solve solve,
        const std::function<double(const Summary&)>& accuracy) {
  Row r;
  r.problem = problem;
  r.solver = solver;
  const std::clock_t cpu_start = std::clock();
  try {
    const Summary s = solve();
    r.cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    r.status = to_string(s.status);
    r.iterations = s.iterations;
    r.values = s.evaluations.values;
    r.gradients = s.evaluations.gradients;
    r.wall = s.wall_seconds;
    r.gradient_norm = s.final_gradient_norm;
    r.accuracy = accuracy(s);
  } catch (const std::exception& e) {
    r.status = std::string("refused: ") + e.what();
  }
  return r;
}

template <typename Options>
Options quiet(double tolerance) {
  Options o;
  o.gradient_tolerance = tolerance;
  o.trajectory.enabled = false;
  return o;
}

// Runs TR, CG, L-BFGS and GD on one problem.
void run_all(std::vector<Row>& rows, const std::string& name, const Problem& problem,
             const Vector& x0, double tolerance,
             const std::function<double(const Summary&)>& accuracy) {
  rows.push_back(run(
      name, "trust region",
      [&] { return trust_region(problem, x0, quiet<TrustRegionOptions>(tolerance)); }, accuracy));
  rows.push_back(run(
      name, "conjugate gradient (PR+)",
      [&] { return conjugate_gradient(problem, x0, quiet<ConjugateGradientOptions>(tolerance)); },
      accuracy));
  rows.push_back(run(
      name, "l-bfgs (m = 10)", [&] { return lbfgs(problem, x0, quiet<LbfgsOptions>(tolerance)); },
      accuracy));
  rows.push_back(run(
      name, "gradient descent",
      [&] { return gradient_descent(problem, x0, quiet<GradientDescentOptions>(tolerance)); },
      accuracy));
}

Matrix gaussian_matrix(Eigen::Index m, Eigen::Index n, Rng& rng) {
  const Vector g = gaussian_vector(m * n, rng);
  return Eigen::Map<const Matrix>(g.data(), m, n);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("The Manopt/ROPTLIB benchmark problems, every applicable solver, one table");
  std::string instances;
  unsigned seed = 1;
  app.add_option("--instances", instances, "folder to write the instances to (Matrix Market)");
  app.add_option("--seed", seed, "random seed of the instances");
  CLI11_PARSE(app, argc, argv);
  try {
    if (!instances.empty()) std::filesystem::create_directories(instances);
    const auto save = [&](const std::string& file, const Matrix& m, const std::string& what) {
      if (!instances.empty())
        write_matrix_market_array((std::filesystem::path(instances) / file).string(), m, what);
    };
    std::vector<Row> rows;
    Rng rng(seed);

    {  // Rayleigh quotient on S^{999}
      const Eigen::Index n = 1000;
      const Matrix b = gaussian_matrix(n, n, rng);
      const Matrix a = b + b.transpose();
      const double lambda_min = Eigen::SelfAdjointEigenSolver<Matrix>(a).eigenvalues()(0);
      const Vector x0 = Sphere(n).random_point(rng);
      save("rayleigh_A.mtx", a, "A = B + B^T, B standard Gaussian");
      save("rayleigh_x0.mtx", x0, "start on the unit sphere");
      const Problem problem(sphere_geometry(n), rayleigh_quotient(a));
      run_all(rows, "rayleigh S^999", problem, x0, 1e-6,
              [&](const Summary& s) { return std::abs(s.final_value - lambda_min); });
    }
    {  // Brockett on St(200, 10)
      const Eigen::Index n = 200, p = 10;
      const Matrix b = gaussian_matrix(n, n, rng);
      const Matrix a = b + b.transpose();
      const Vector lambda = Eigen::SelfAdjointEigenSolver<Matrix>(a).eigenvalues();
      const Vector d = Vector::LinSpaced(p, static_cast<double>(p), 1.0);
      const Vector x0 = Stiefel(n, p).random_point(rng);
      save("brockett_A.mtx", a, "A = B + B^T, B standard Gaussian");
      save("brockett_D.mtx", d, "diagonal of D");
      save("brockett_x0.mtx", Eigen::Map<const Matrix>(x0.data(), n, p), "start on St(200, 10)");
      const Problem problem(stiefel_geometry(n, p), std::make_shared<BrockettCost>(a, d));
      run_all(rows, "brockett St(200,10)", problem, x0, 1e-6, [&](const Summary& s) {
        const ConstMatrixMap x(s.x.data(), n, p);
        return ((x.transpose() * a * x).diagonal() - lambda.head(p)).cwiseAbs().maxCoeff();
      });
    }
    {  // Karcher mean of 50 SPD 10×10
      const Eigen::Index n = 10, m = 50;
      std::vector<Matrix> as;
      const SymmetricPositiveDefinite spd(n);
      for (Eigen::Index i = 0; i < m; ++i) {
        const Vector v = spd.random_point(rng);
        as.emplace_back(Eigen::Map<const Matrix>(v.data(), n, n));
        save(fmt::format("karcher_A{:02d}.mtx", i + 1), as.back(), "an SPD matrix");
      }
      const Vector x0 = Eigen::Map<const Vector>(Matrix(Matrix::Identity(n, n)).data(), n * n);
      const auto mean = std::make_shared<KarcherMean>(as);
      const Problem problem(spd_geometry(n), mean);
      run_all(rows, "karcher 50 SPD(10)", problem, x0, 1e-8, [&](const Summary& s) {
        Problem::Evaluation e;
        problem.evaluate(problem.make_point(s.x), e);
        return e.gradient_norm;  // ‖(1/m) Σ Log_X(A_i)‖ in the metric
      });
    }

    {  // Fixed-rank completion 1000×1000, rank 10, 5 % observed
      const Eigen::Index m = 1000, n = 1000, r = 10;
      const Matrix a = gaussian_matrix(m, r, rng), b = gaussian_matrix(n, r, rng);
      std::vector<Observation> train, test;
      std::uniform_real_distribution<double> coin(0.0, 1.0);
      Matrix filled = Matrix::Zero(m, n);
      for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < m; ++i) {
          const double u = coin(rng);
          if (u < 0.05) {
            train.push_back({i, j, a.row(i).dot(b.row(j))});
            filled(i, j) = train.back().value / 0.05;
          } else if (u < 0.06 && test.size() < 10000) {
            test.push_back({i, j, a.row(i).dot(b.row(j))});
          }
        }
      double scale = 0.0;
      for (const Observation& o : train) scale = std::max(scale, std::abs(o.value));
      // Spectral start: the top-r subspaces by subspace iteration (8 rounds), then U√Σ, V√Σ.
      Matrix v = gaussian_matrix(n, r, rng);
      Matrix u;
      for (int round = 0; round < 8; ++round) {
        u = (filled * v).householderQr().householderQ() * Matrix::Identity(m, r);
        v = (filled.transpose() * u).householderQr().householderQ() * Matrix::Identity(n, r);
      }
      const Eigen::JacobiSVD<Matrix> small(u.transpose() * filled * v,
                                           Eigen::ComputeFullU | Eigen::ComputeFullV);
      const Vector root = small.singularValues().cwiseSqrt();
      const FixedRankFactors factors(m, n, r);
      const Vector x0 = factors.pack(u * small.matrixU() * root.asDiagonal(),
                                     v * small.matrixV() * root.asDiagonal());
      if (!instances.empty()) {
        ObservedEntries observed;
        observed.rows = m;
        observed.cols = n;
        observed.entries = train;
        write_matrix_market_coordinate(
            (std::filesystem::path(instances) / "fixedrank_train.mtx").string(), observed,
            "5 % of the entries of A B^T, A and B 1000x10 standard Gaussian");
      }
      const auto energy = std::make_shared<FactoredCompletion>(m, n, r, train);
      const Problem problem(fixed_rank_geometry(m, n, r), energy);
      const double tolerance = 1e-8 * scale;
      const auto accuracy = [&](const Summary& s) {
        return energy->rmse(problem.make_point(s.x), test) / scale;
      };
      rows.push_back(run(
          "fixedrank 1000^2 r10", "conjugate gradient (PR+)",
          [&] {
            return conjugate_gradient(problem, x0, quiet<ConjugateGradientOptions>(tolerance));
          },
          accuracy));
      rows.push_back(run(
          "fixedrank 1000^2 r10", "l-bfgs (m = 10)",
          [&] { return lbfgs(problem, x0, quiet<LbfgsOptions>(tolerance)); }, accuracy));
      rows.push_back(run(
          "fixedrank 1000^2 r10", "trust region (FD Hessian)",
          [&] { return trust_region(problem, x0, quiet<TrustRegionOptions>(tolerance)); },
          accuracy));
    }

    fmt::print("{:<22} {:<24} {:>6} {:>7} {:>7} {:>9} {:>9} {:>10} {:>10}  {}\n", "problem",
               "solver", "iter", "values", "grads", "cpu s", "wall s", "|grad|", "accuracy",
               "status");
    for (const Row& r : rows)
      fmt::print("{:<22} {:<24} {:>6} {:>7} {:>7} {:>9.4f} {:>9.4f} {:>10.2e} {:>10.2e}  {}\n",
                 r.problem, r.solver, r.iterations, r.values, r.gradients, r.cpu, r.wall,
                 r.gradient_norm, r.accuracy, r.status);
  } catch (const std::exception& e) {
    fmt::print(stderr, "standard_problems: {}\n", e.what());
    return 1;
  }
  return 0;
}
