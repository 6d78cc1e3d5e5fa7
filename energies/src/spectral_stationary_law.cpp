#include "riemopt/energies/spectral_stationary_law.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "riemopt/energies/chamber_energies.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/manifolds/chamber_metric.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/svd.hpp"

namespace riemopt {

std::string to_string(SampleSpace space) {
  return space == SampleSpace::kMatrices ? "matrices" : "chamber";
}

namespace {

// The metric's depth as a number: 1 for the Euclidean metric, +∞ for infinite depth.
double metric_depth(const SpectralLawSpec& spec) {
  if (!spec.depth) return 1.0;
  return spec.depth->is_infinite() ? std::numeric_limits<double>::infinity()
                                   : spec.depth->as_double();
}

// The exponent e of the density's behaviour σ^e as one σ_k → 0 (the others fixed).
double exponent_at_zero(const SpectralLawSpec& spec) {
  const double n = metric_depth(spec);
  return spec.beta * spec.log_barrier - (1.0 - 1.0 / n);
}

}  // namespace

void validate_spectral_law_spec(const SpectralLawSpec& spec) {
  require(spec.width >= 1, "spectral law: the width d must be at least 1 (got {})", spec.width);
  require(std::isfinite(spec.beta) && spec.beta > 0.0,
          "spectral law: beta must be positive and finite (got {})", spec.beta);
  require(std::isfinite(spec.schatten_p) && spec.schatten_p > 0.0,
          "spectral law: the Schatten exponent p must be positive and finite (got {})",
          spec.schatten_p);
  require(std::isfinite(spec.log_barrier),
          "spectral law: the log-barrier weight must be finite (got {})", spec.log_barrier);
  const double n = metric_depth(spec);
  if (std::isinf(n))
    require(spec.beta * spec.log_barrier > 0.0,
            "the stationary law is not a probability law: at infinite depth the Riemannian "
            "volume has infinite mass near singular values 0 (density ~ 1/sigma), so the "
            "sampler drifts to 0 for ever; add a log barrier -a sum log sigma with beta*a > 0");
  else
    require(exponent_at_zero(spec) > -1.0,
            "the stationary law is not a probability law: near sigma = 0 its density behaves "
            "like sigma^{} (beta*a = {} must exceed -1/N = {})",
            exponent_at_zero(spec), spec.beta * spec.log_barrier, -1.0 / n);
}

double spectral_law_log_density(const SpectralLawSpec& spec, const ConstVectorRef& sigma) {
  const Eigen::Index d = sigma.size();
  const double beta = spec.beta, p = spec.schatten_p, a = spec.log_barrier;
  const double n = metric_depth(spec);
  double log_density = 0.0;
  for (Eigen::Index k = 0; k < d; ++k) {
    const double s = sigma[k];
    if (!(s > 0.0)) return -std::numeric_limits<double>::infinity();
    log_density -= beta * (std::pow(s, p) / p - a * std::log(s));
  }
  if (spec.entropy_depth) log_density += dln_entropy(sigma, *spec.entropy_depth);
  if (spec.space == SampleSpace::kChamber) {
    // Π w^{−1/2}, w = N σ^{2−2/N} (σ² at infinite depth, 1 for Euclidean); constants dropped.
    for (Eigen::Index k = 0; k < d; ++k) log_density -= (1.0 - 1.0 / n) * std::log(sigma[k]);
    return log_density;
  }
  for (Eigen::Index k = 0; k < d; ++k) log_density -= (1.0 - 1.0 / n) * std::log(sigma[k]);
  for (Eigen::Index i = 0; i < d; ++i)
    for (Eigen::Index j = i + 1; j < d; ++j) {
      const double gap = std::isinf(n)
                             ? std::abs(2.0 * (std::log(sigma[i]) - std::log(sigma[j])))
                             : std::abs(std::pow(sigma[i], 2.0 / n) - std::pow(sigma[j], 2.0 / n));
      log_density += std::log(gap);  // −∞ at a collision: the density vanishes there
    }
  return log_density;
}

namespace {

// The largest σ at which the one-dimensional profile −β(σ^p/p − a log σ) + D log σ (D bounds the
// polynomial growth of the other factors) is within 46 of its maximum.
double upper_end(const SpectralLawSpec& spec) {
  const double growth = static_cast<double>(spec.width * spec.width + 2);
  auto profile = [&](double s) {
    return -spec.beta *
               (std::pow(s, spec.schatten_p) / spec.schatten_p - spec.log_barrier * std::log(s)) +
           growth * std::log(s);
  };
  double best = -std::numeric_limits<double>::infinity();
  std::vector<double> values;
  std::vector<double> grid;
  for (int i = 0; i <= 4000; ++i) {
    const double s = std::exp(-30.0 + 60.0 * i / 4000.0);
    grid.push_back(s);
    values.push_back(profile(s));
    best = std::max(best, values.back());
  }
  double upper = grid.front();
  for (std::size_t i = 0; i < grid.size(); ++i)
    if (values[i] >= best - 46.0) upper = grid[i];
  return 1.1 * upper;
}

struct Accumulated {
  Vector mean, mean_square;
  Matrix bins;
};

Accumulated integrate(const SpectralLawSpec& spec, int nodes, double upper, double q, int bins,
                      double histogram_upper) {
  const Eigen::Index d = spec.width;
  const double t_upper = std::pow(upper, 1.0 / q);
  const double dt = t_upper / nodes;
  std::vector<double> t(static_cast<std::size_t>(nodes)), sigma_at(t.size()),
      log_jacobian(t.size());
  for (int i = 0; i < nodes; ++i) {
    t[i] = (i + 0.5) * dt;
    sigma_at[i] = std::pow(t[i], q);
    log_jacobian[i] = std::log(q) + (q - 1.0) * std::log(t[i]);  // dσ/dt
  }
  std::vector<double> cell_low(t.size()), cell_high(t.size());
  for (int i = 0; i < nodes; ++i) {
    cell_low[i] = std::pow(i * dt, q);
    cell_high[i] = std::pow((i + 1) * dt, q);
  }
  // Ordered cells i_1 >= i_2 >= … >= i_d (σ decreasing), weighted by d!/Π(multiplicities!).
  struct Cell {
    std::array<int, 3> index;
    double log_weight;
  };
  std::vector<Cell> cells;
  double best = -std::numeric_limits<double>::infinity();
  Vector sigma(d);
  std::array<int, 3> idx{0, 0, 0};
  auto visit = [&]() {
    double log_w = 0.0;
    for (Eigen::Index k = 0; k < d; ++k) {
      sigma[k] = sigma_at[idx[k]];
      log_w += log_jacobian[idx[k]];
    }
    int multiplicity = 1;
    if (d == 2) multiplicity = idx[0] == idx[1] ? 1 : 2;
    if (d == 3) {
      const bool a = idx[0] == idx[1], b = idx[1] == idx[2];
      multiplicity = a && b ? 1 : (a || b) ? 3 : 6;
    }
    log_w += std::log(static_cast<double>(multiplicity)) + spectral_law_log_density(spec, sigma);
    if (std::isfinite(log_w)) {
      cells.push_back({idx, log_w});
      best = std::max(best, log_w);
    }
  };
  for (idx[0] = 0; idx[0] < nodes; ++idx[0]) {
    if (d == 1) {
      visit();
      continue;
    }
    for (idx[1] = 0; idx[1] <= idx[0]; ++idx[1]) {
      if (d == 2) {
        visit();
        continue;
      }
      for (idx[2] = 0; idx[2] <= idx[1]; ++idx[2]) visit();
    }
  }
  Accumulated out{Vector::Zero(d), Vector::Zero(d), Matrix::Zero(bins, d)};
  double total = 0.0;
  for (const Cell& c : cells) {
    const double w = std::exp(c.log_weight - best);
    total += w;
    for (Eigen::Index k = 0; k < d; ++k) {
      const double s = sigma_at[c.index[k]];
      out.mean[k] += w * s;
      out.mean_square[k] += w * s * s;
      // The cell's σ-interval, its weight spread over the bins it overlaps (uniformly in σ):
      // assigning it whole to one bin would alias the grid against the bins.
      const double lo = cell_low[c.index[k]] / histogram_upper * bins;
      const double hi = cell_high[c.index[k]] / histogram_upper * bins;
      for (int b = static_cast<int>(lo); b < bins && b < hi; ++b) {
        const double overlap = std::min(hi, b + 1.0) - std::max(lo, static_cast<double>(b));
        if (overlap > 0.0) out.bins(b, k) += w * overlap / (hi - lo);
      }
    }
  }
  require(total > 0.0, "spectral_stationary_law: the density vanished on the whole grid");
  out.mean /= total;
  out.mean_square /= total;
  out.bins /= total;
  return out;
}

}  // namespace

Problem spectral_law_problem(const SpectralLawSpec& spec) {
  validate_spectral_law_spec(spec);
  const Eigen::Index d = spec.width;
  const double p = spec.schatten_p, a = spec.log_barrier;
  const std::string name = a == 0.0 ? fmt::format("schatten(p={})", p)
                                    : fmt::format("schatten(p={}) - {} log det", p, a);
  auto f = [p, a](double s) { return std::pow(s, p) / p - a * std::log(s); };
  auto df = [p, a](double s) { return std::pow(s, p - 1.0) - a / s; };
  auto d2f = [p, a](double s) { return (p - 1.0) * std::pow(s, p - 2.0) + a / (s * s); };
  const bool chamber = spec.space == SampleSpace::kChamber;
  EnergyPtr energy;
  if (chamber)
    energy = std::make_shared<SeparableChamberEnergy>(name, f, df, d2f);
  else
    energy = std::make_shared<SeparableSpectralEnergy>(name, f, df, d2f);
  if (spec.entropy_depth) {
    EnergyPtr entropy;
    if (chamber)
      entropy = std::make_shared<ChamberEntropy>(d, *spec.entropy_depth);
    else
      entropy = std::make_shared<MatrixEntropy>(*spec.entropy_depth);
    energy = free_energy(energy, entropy, spec.beta);
  }
  Geometry geometry;
  if (chamber)
    geometry = spec.depth ? dln_chamber(d, *spec.depth) : euclidean_chamber(d);
  else
    geometry = spec.depth ? dln_matrices(d, d, *spec.depth) : euclidean_matrices(d, d);
  return Problem(geometry, energy);
}

Vector spectral_law_observable(const SpectralLawSpec& spec, const Point& x) {
  if (spec.space == SampleSpace::kChamber) return x.coords();
  return svd_of(x).sigma;
}

SpectralLaw spectral_stationary_law(const SpectralLawSpec& spec, int nodes, int bins,
                                    double histogram_upper) {
  validate_spectral_law_spec(spec);
  require(spec.width <= 3,
          "spectral_stationary_law: the quadrature covers widths 1 to 3 (got {}): its cost grows "
          "like nodes^d",
          spec.width);
  require(nodes == 0 || nodes >= 20, "spectral_stationary_law: nodes must be 0 or >= 20 (got {})",
          nodes);
  require(bins >= 1, "spectral_stationary_law: bins must be >= 1 (got {})", bins);
  require(std::isfinite(histogram_upper) && histogram_upper >= 0.0,
          "spectral_stationary_law: histogram_upper must be finite and >= 0 (got {})",
          histogram_upper);
  if (nodes == 0) nodes = spec.width == 1 ? 4000 : spec.width == 2 ? 400 : 150;
  // σ = t^q with σ^e q t^{q−1} = q t^{q(e+1)−1} bounded at 0: q = 1/(e + 1) when e < 0.
  const double e =
      std::isinf(metric_depth(spec)) ? spec.beta * spec.log_barrier - 1.0 : exponent_at_zero(spec);
  const double q = e < 0.0 ? 1.0 / (e + 1.0) : 1.0;
  SpectralLaw law;
  law.nodes = nodes;
  law.upper = upper_end(spec);
  const double histogram_end = histogram_upper > 0.0 ? histogram_upper : law.upper;
  const Accumulated fine = integrate(spec, nodes, law.upper, q, bins, histogram_end);
  const Accumulated coarse = integrate(spec, nodes / 2, law.upper, q, bins, histogram_end);
  law.mean = fine.mean;
  law.mean_square = fine.mean_square;
  law.bin_probability = fine.bins;
  law.bin_edges = Vector::LinSpaced(bins + 1, 0.0, histogram_end);
  law.quadrature_error =
      std::max(((fine.mean - coarse.mean).array() / fine.mean.array()).abs().maxCoeff(),
               ((fine.mean_square - coarse.mean_square).array() / fine.mean_square.array())
                   .abs()
                   .maxCoeff());
  return law;
}

}  // namespace riemopt
