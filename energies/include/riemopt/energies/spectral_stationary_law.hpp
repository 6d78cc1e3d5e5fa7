// The stationary law of Riemannian Langevin dynamics for a spectral potential, written in singular
// values (docs/MATH.md §13), and its moments by quadrature: the prediction a sampler is checked
// against.
//
// Potential F(σ) = Σ_k (σ_k^p/p − a log σ_k) − [entropy] S_M(σ)/β (reduced DLN entropy of depth M).
// The law of the ordered σ_1 >= … >= σ_d has the density, up to a constant,
//   chamber,  metric weight w:  e^{−βF(σ)} Π_k w(σ_k)^{−1/2},
//   d×d matrices, DLN depth N:  e^{−βF(σ)} Π_k σ_k^{−(1−1/N)} Π_{i<j} |σ_i^{2/N} − σ_j^{2/N}|,
//   infinite depth:             e^{−βF(σ)} Π_k σ_k^{−1} Π_{i<j} |log σ_i² − log σ_j²|,
//   Euclidean matrices:         e^{−βF(σ)} Π_{i<j} |σ_i² − σ_j²|.
// It is a probability law only when β·a > −1/N (Euclidean: N = 1) and, at infinite depth, β·a > 0:
// without a log barrier the infinite-depth volume has infinite mass near σ = 0, and a sampler
// drifts there for ever. spectral_stationary_law refuses improper laws with that message.
//
// The quadrature is the midpoint rule on a grid in t = σ^{1/q} (q chosen so the density is
// bounded at 0) over the ordered cells only, with their multiplicities; it is repeated on a grid
// half as fine, and the difference is reported as the quadrature error. d <= 3.
//
//   riemopt::SpectralLawSpec spec;
//   spec.width = 2;
//   spec.depth = riemopt::Depth::finite(3);
//   spec.space = riemopt::SampleSpace::kMatrices;
//   riemopt::SpectralLaw law = riemopt::spectral_stationary_law(spec);   // law.mean[k], ...
#pragma once

#include <optional>
#include <string>

#include "riemopt/depth.hpp"
#include "riemopt/problem.hpp"
#include "riemopt/types.hpp"

namespace riemopt {

enum class SampleSpace { kChamber, kMatrices };
std::string to_string(SampleSpace space);

struct SpectralLawSpec {
  Eigen::Index width = 2;      // d, 1..3
  std::optional<Depth> depth;  // the DLN metric's depth; empty: the Euclidean metric
  SampleSpace space = SampleSpace::kChamber;
  double beta = 1.0;                   // > 0
  double schatten_p = 2.0;             // p > 0
  double log_barrier = 0.0;            // a (finite)
  std::optional<Depth> entropy_depth;  // M: F gains −S_M/β; empty: no entropy
};

struct SpectralLaw {
  Vector mean;         // E[σ_k], k-th largest
  Vector mean_square;  // E[σ_k²]
  double upper = 0.0;  // the quadrature's upper end in σ (beyond it the density is < e^{−46} of
                       // its largest value)
  Vector bin_edges;    // bins + 1 edges on [0, histogram_upper]
  Matrix bin_probability;         // bins × d: the probability of σ_k in each bin
  double quadrature_error = 0.0;  // max over k of the change of mean and mean_square from the
                                  // half-fine grid, relative to the value
  int nodes = 0;                  // grid nodes per axis
};

// The unnormalized log density of the ordered singular values (σ sorted decreasingly, > 0).
// Throws InvalidArgument on a bad spec (validate_spectral_law_spec).
double spectral_law_log_density(const SpectralLawSpec& spec, const ConstVectorRef& sigma);

// Throws InvalidArgument with what is wrong: d < 1, β <= 0, p <= 0, non-finite a, or an improper
// law (see above; at infinite depth β·a > 0 is asked for every d, which is sufficient, and
// necessary except on the chamber with the entropy at d >= 4).
void validate_spectral_law_spec(const SpectralLawSpec& spec);

// The sampling problem the law belongs to: the potential F on the chamber of width d or on d×d
// matrices, with the spec's metric. Throws InvalidArgument on a bad spec.
Problem spectral_law_problem(const SpectralLawSpec& spec);
// The ordered singular values of a point of that problem (the chamber point itself, or σ(X)).
Vector spectral_law_observable(const SpectralLawSpec& spec, const Point& x);

// The moments by quadrature; d <= 3 (InvalidArgument otherwise). nodes = 0 picks 4000, 400 and
// 150 nodes per axis for d = 1, 2, 3.
// The marginal histograms cover [0, histogram_upper] (0: [0, upper]); mass beyond it is not binned.
SpectralLaw spectral_stationary_law(const SpectralLawSpec& spec, int nodes = 0, int bins = 40,
                                    double histogram_upper = 0.0);

}  // namespace riemopt
