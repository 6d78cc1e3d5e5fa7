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
  // Form the dense truth (rows·cols doubles). Without it the observed values are computed from
  // the factors, entry by entry, and memory is O((rows + cols)·rank + observations): how
  // MovieLens-size instances are made. The entries drawn are the same either way; the values
  // agree to rounding.
  bool form_truth = true;
};

struct CompletionInstance {
  // X* = UVᵀ with Gaussian U, V, rescaled to ‖X*‖_F = √(mn); 0 × 0 without form_truth.
  Matrix truth;
  Matrix left;                        // the rescaled U (rows × rank): X* = left · rightᵀ
  Matrix right;                       // V (cols × rank)
  std::vector<Observation> observed;  // sorted column-major
};

// Throws InvalidArgument unless 1 <= rank <= min(rows, cols) and 1 <= observations <= rows·cols.
CompletionInstance make_completion_instance(const CompletionInstanceOptions& options);

// A random split of `entries` into a training set and a held-out set of round(fraction·|entries|)
// entries (0 ≤ fraction < 1), both in the original order. Throws InvalidArgument on a fraction
// outside [0, 1) or one that leaves no training entry.
struct ObservationSplit {
  std::vector<Observation> train;
  std::vector<Observation> held_out;
};
ObservationSplit split_observations(const std::vector<Observation>& entries, double fraction,
                                    std::uint64_t seed);

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

// The Gaussian factors of gaussian_product_init with inner width `width` (1 ≤ width ≤
// min(rows, cols)), kept apart as L = G_K⋯G_2 (rows × width) and R = G_1 (width × cols): the
// start of a narrow network, O((rows + cols)·width) memory. With width = min(rows, cols) the
// draws are gaussian_product_init's, so L R is its matrix (up to rounding). Needs K ≥ 2 factors
// (one factor is a full rows × cols matrix); throws InvalidArgument otherwise.
struct FactoredStart {
  Matrix left;   // rows × width
  Matrix right;  // width × cols
};
FactoredStart gaussian_product_factors(Eigen::Index rows, Eigen::Index cols, Eigen::Index width,
                                       int factors, double scale, std::uint64_t seed);
// The same, asking `keep_going()` before each factor: when it returns false the build stops and
// both parts are empty (0 × 0).
FactoredStart gaussian_product_factors(Eigen::Index rows, Eigen::Index cols, Eigen::Index width,
                                       int factors, double scale, std::uint64_t seed,
                                       const std::function<bool()>& keep_going);

}  // namespace riemopt
