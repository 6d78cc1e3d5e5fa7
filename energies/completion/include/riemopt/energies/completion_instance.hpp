// Random matrix-completion instances in the setting of Arora et al. (2019) (docs/MATH.md §8), and
// their initializations.
//
//   auto inst = riemopt::make_completion_instance({.rows = 100, .cols = 100, .rank = 5,
//                                                  .observations = 2000, .seed = 1});
//   riemopt::MatrixCompletion loss(100, 100, inst.observed);
//   riemopt::Vector x0 = riemopt::gaussian_product_init(100, 100, riemopt::Depth::finite(3), 1e-3,
//   7);
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "riemopt/depth.hpp"
#include "riemopt/energies/matrix_completion.hpp"

namespace riemopt {

struct CompletionInstanceOptions {
  Eigen::Index rows = 100;
  Eigen::Index cols = 100;
  Eigen::Index rank = 5;
  Eigen::Index observations = 2000;  // drawn uniformly without replacement
  std::uint64_t seed = 1;
};

struct CompletionInstance {
  Matrix truth;  // X* = UVᵀ with Gaussian U, V, rescaled to ‖X*‖_F = √(mn)
  std::vector<Observation> observed;  // sorted column-major
};

// Throws InvalidArgument unless 1 <= rank <= min(rows, cols) and 1 <= observations <= rows·cols.
CompletionInstance make_completion_instance(const CompletionInstanceOptions& options);

// The Arora et al. start: the product W_N⋯W_1 of N Gaussian factors with entries of std
// scale^{1/N}/√(fan-in), so ‖X₀‖_F ≈ scale·√rows. The inner widths are k = min(rows, cols): W_1
// is k×cols, W_2..W_{N−1} are k×k, W_N is rows×k (N = 1: one rows×cols factor), so the memory is
// O((rows + cols)·k), never rows². (For rows <= cols these are the shapes of Arora et al.'s
// square networks: W_1 rows×cols, the others rows×rows.)
// Infinite depth is not a factorization: throws InvalidArgument (use a finite N for the start).
Vector gaussian_product_init(Eigen::Index rows, Eigen::Index cols, Depth depth, double scale,
                             std::uint64_t seed);

// The same start, asking `keep_going()` before each factor: when it returns false the build
// stops and the result is empty (for callers with a wall-clock budget; the first factors of a
// stopped build are the same draws as those of a finished one).
Vector gaussian_product_init(Eigen::Index rows, Eigen::Index cols, Depth depth, double scale,
                             std::uint64_t seed, const std::function<bool()>& keep_going);

}  // namespace riemopt
