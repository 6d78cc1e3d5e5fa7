// Riemannian Langevin sampling (docs/MATH.md §13): the metrics' volume terms against finite
// differences, the stationary-law quadrature against closed forms, the samplers' moments against
// the quadrature (within 4 batch-means standard errors), Euler–Maruyama's weak order, MALA's
// exactness at any step, one SVD per step, and refusals.
#include <gtest/gtest.h>

#include <cmath>

#include "riemopt/energies/chamber_energies.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/energies/spectral_stationary_law.hpp"
#include "riemopt/errors.hpp"
#include "riemopt/langevin.hpp"
#include "riemopt/manifolds/chamber_metric.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/manifolds/sphere.hpp"
#include "riemopt/sample_statistics.hpp"
#include "riemopt/volume_terms.hpp"
#include "test_helpers.hpp"

namespace riemopt {
namespace {

using testing::matrix_with_singular_values;

// ---- volume terms: closed forms against finite differences of the cometric ----

void expect_terms_match(const Geometry& geometry, const Point& x, double tolerance) {
  const VolumeTerms closed = closed_form_volume_terms(geometry, x);
  const VolumeTerms numeric = finite_difference_volume_terms(geometry, x);
  // log √|g| is defined up to nothing: both are log √det G exactly, constants included.
  EXPECT_NEAR(closed.log_volume_density, numeric.log_volume_density,
              tolerance * std::max(1.0, std::abs(numeric.log_volume_density)))
      << geometry.name();
  EXPECT_LE((closed.drift - numeric.drift).norm(), tolerance * std::max(1.0, numeric.drift.norm()))
      << geometry.name() << "\nclosed  " << closed.drift.transpose() << "\nnumeric "
      << numeric.drift.transpose();
}

TEST(LangevinVolumeTerms, ChamberClosedFormsMatchFiniteDifferences) {
  const Point sigma(Vector((Vector(3) << 2.5, 1.1, 0.3).finished()));
  expect_terms_match(euclidean_chamber(3), sigma, 2e-6);
  for (Depth depth : {Depth::finite(2), Depth::finite(3), Depth::finite(5), Depth::infinite()})
    expect_terms_match(dln_chamber(3, depth), sigma, 2e-6);
}

TEST(LangevinVolumeTerms, DlnMatrixClosedFormsMatchFiniteDifferences) {
  Rng rng(11);
  for (Eigen::Index d : {2, 3}) {
    const Vector sigma = Vector::LinSpaced(d, 2.0, 0.4);
    const Matrix x = matrix_with_singular_values(d, d, sigma, rng);
    const Point point(x.reshaped(), d, d);
    for (Depth depth : {Depth::finite(1), Depth::finite(2), Depth::finite(3), Depth::finite(4),
                        Depth::infinite()})
      expect_terms_match(dln_matrices(d, d, depth), point, 1e-6);
    expect_terms_match(euclidean_matrices(d, d), point, 1e-9);
  }
}

TEST(LangevinVolumeTerms, DlnDriftIsTheChamberCorrectionInTheSingularBasis) {
  // c(X) = U diag(½ w'(σ)) Vᵀ: at a diagonal matrix, the chamber's drift on its diagonal.
  const Vector sigma = (Vector(3) << 3.0, 1.0, 0.2).finished();
  const Matrix x = sigma.asDiagonal();
  for (Depth depth : {Depth::finite(3), Depth::infinite()}) {
    const Geometry g = dln_matrices(3, 3, depth);
    const Point point(x.reshaped(), 3, 3);
    Vector drift(9);
    g.metric->volume_drift(point, drift);
    const Matrix c = drift.reshaped(3, 3);
    Vector chamber(3);
    ChamberMetric(depth).volume_drift(Point(sigma), chamber);
    EXPECT_LT((c.diagonal() - chamber).norm(), 1e-14);
    EXPECT_LT((c - Matrix(c.diagonal().asDiagonal())).norm(), 1e-14);
  }
}

TEST(LangevinVolumeTerms, RectangularDlnHasNoClosedFormButFiniteDifferencesWork) {
  Rng rng(3);
  const Matrix x = matrix_with_singular_values(3, 2, Vector::LinSpaced(2, 1.5, 0.5), rng);
  const Geometry g = dln_matrices(3, 2, Depth::finite(3));
  const Point point(x.reshaped(), 3, 2);
  EXPECT_THROW(closed_form_volume_terms(g, point), InvalidArgument);
  const VolumeTerms numeric = finite_difference_volume_terms(g, point);
  EXPECT_TRUE(numeric.drift.allFinite());
  EXPECT_TRUE(std::isfinite(numeric.log_volume_density));
}

// ---- the quadrature of the stationary law against closed forms ----

TEST(SpectralStationaryLaw, QuadratureMatchesClosedFormsAtWidthOne) {
  // Chamber d = 1, DLN-N, F = σ²/2: density σ^{−(1−1/N)} e^{−βσ²/2}, so
  // E[σ²] = 1/(Nβ) and E[σ] = √(2/β) Γ((1 + 1/N)/2)/Γ(1/(2N)).
  for (int n : {1, 2, 3, 5}) {
    SpectralLawSpec spec;
    spec.width = 1;
    spec.depth = Depth::finite(n);
    spec.beta = 1.7;
    const SpectralLaw law = spectral_stationary_law(spec);
    EXPECT_NEAR(law.mean_square[0], 1.0 / (n * spec.beta), 1e-6) << n;
    const double mean = std::sqrt(2.0 / spec.beta) * std::tgamma((1.0 + 1.0 / n) / 2.0) /
                        std::tgamma(1.0 / (2.0 * n));
    EXPECT_NEAR(law.mean[0], mean, 1e-6) << n;
    EXPECT_LT(law.quadrature_error, 1e-4);
    EXPECT_NEAR(law.bin_probability.sum(), 1.0, 1e-12);
  }
}

TEST(SpectralStationaryLaw, QuadratureMatchesGaussianMatrices) {
  // Euclidean d×d matrices with F = ‖X‖²/2: the entries are N(0, 1/β), E[Σσ_k²] = d²/β; the
  // Euclidean chamber: half-normal coordinates, E[Σσ_k²] = d/β.
  for (Eigen::Index d : {2, 3}) {
    SpectralLawSpec spec;
    spec.width = d;
    spec.beta = 0.8;
    spec.space = SampleSpace::kMatrices;
    EXPECT_NEAR(spectral_stationary_law(spec).mean_square.sum(), d * d / spec.beta, 2e-3 * d * d);
    spec.space = SampleSpace::kChamber;
    EXPECT_NEAR(spectral_stationary_law(spec).mean_square.sum(), d / spec.beta, 2e-3 * d);
  }
}

TEST(SpectralStationaryLaw, RefusesImproperLaws) {
  SpectralLawSpec spec;
  spec.depth = Depth::infinite();
  EXPECT_THROW(spectral_stationary_law(spec), InvalidArgument);  // no barrier at ∞
  spec.entropy_depth = Depth::infinite();
  EXPECT_THROW(spectral_stationary_law(spec), InvalidArgument);
  spec.log_barrier = 0.5;
  EXPECT_NO_THROW(validate_spectral_law_spec(spec));
  spec.depth = Depth::finite(3);
  spec.log_barrier = -0.5;  // β·a = −0.5 < −1/3
  EXPECT_THROW(validate_spectral_law_spec(spec), InvalidArgument);
  spec.log_barrier = -0.3;
  EXPECT_NO_THROW(validate_spectral_law_spec(spec));
  spec.width = 4;  // a law, but past the quadrature's reach
  EXPECT_NO_THROW(validate_spectral_law_spec(spec));
  EXPECT_THROW(spectral_stationary_law(spec), InvalidArgument);
  spec.width = 0;
  EXPECT_THROW(validate_spectral_law_spec(spec), InvalidArgument);
}

// ---- the samplers against the quadrature ----

struct SamplerCase {
  const char* label;
  SpectralLawSpec spec;
  double step;
  std::int64_t samples;
  std::int64_t thinning;
};

SpectralLawSpec make_spec(Eigen::Index d, std::optional<Depth> depth, SampleSpace space,
                          double beta, bool entropy, double barrier = 0.0) {
  SpectralLawSpec spec;
  spec.width = d;
  spec.depth = depth;
  spec.space = space;
  spec.beta = beta;
  spec.log_barrier = barrier;
  if (entropy) spec.entropy_depth = depth ? *depth : Depth::finite(3);
  return spec;
}

Vector start_point(const SpectralLawSpec& spec, Rng& rng) {
  const Vector sigma = Vector::LinSpaced(spec.width, 1.2, 0.6);
  if (spec.space == SampleSpace::kChamber) return sigma;
  return matrix_with_singular_values(spec.width, spec.width, sigma, rng).reshaped();
}

struct Measured {
  SampleMoments first, second;
  LangevinResult run;
};

Measured sample(const SpectralLawSpec& spec, LangevinScheme scheme, double step,
                std::int64_t samples, std::int64_t thinning, std::uint64_t seed) {
  const Problem problem = spectral_law_problem(spec);
  Rng rng(seed);
  LangevinOptions options;
  options.beta = spec.beta;
  options.step_size = step;
  options.samples = samples;
  options.thinning = thinning;
  options.burn_in = 40 * thinning;
  options.scheme = scheme;
  options.seed = seed;
  options.observable = [&spec](const Point& x) { return spectral_law_observable(spec, x); };
  Measured m;
  m.run = langevin_sample(problem, start_point(spec, rng), options);
  EXPECT_TRUE(m.run.is_success()) << m.run.message;
  if (spec.space == SampleSpace::kMatrices && spec.depth && !spec.depth->is_infinite() &&
      spec.depth->value() >= 2) {
    // One SVD per step: the proposal's, shared by F, its gradient, the metric and the volume
    // terms (and by the next step's whitening when it is accepted); one more at x0.
    EXPECT_LE(m.run.svd_count, static_cast<std::uint64_t>(m.run.steps) + 2);
    EXPECT_GE(m.run.svd_count, static_cast<std::uint64_t>(m.run.steps));
  }
  m.first = batch_means(m.run.samples);
  m.second = batch_means(m.run.samples.array().square().matrix());
  return m;
}

void expect_moments_match(const char* label, const SpectralLawSpec& spec, const Measured& m) {
  const SpectralLaw law = spectral_stationary_law(spec);
  for (Eigen::Index k = 0; k < spec.width; ++k) {
    EXPECT_LE(std::abs(m.first.mean[k] - law.mean[k]), 4.0 * m.first.standard_error[k])
        << label << " E[sigma_" << k + 1 << "] sampled " << m.first.mean[k] << " ± "
        << m.first.standard_error[k] << ", law " << law.mean[k];
    EXPECT_LE(std::abs(m.second.mean[k] - law.mean_square[k]), 4.0 * m.second.standard_error[k])
        << label << " E[sigma_" << k + 1 << "^2] sampled " << m.second.mean[k] << " ± "
        << m.second.standard_error[k] << ", law " << law.mean_square[k];
    // The test has power: the standard errors are a small fraction of the law's scale.
    EXPECT_LT(m.first.standard_error[k], 0.02 * law.mean[0]) << label;
  }
  std::printf("%-40s acceptance %.3f  svd/step %.3f  %.2f s\n", label, m.run.acceptance_rate(),
              static_cast<double>(m.run.svd_count) / static_cast<double>(m.run.steps),
              m.run.wall_seconds);
}

class ChamberLangevin : public ::testing::TestWithParam<SamplerCase> {};

TEST_P(ChamberLangevin, MalaMatchesTheStationaryLaw) {
  const SamplerCase& c = GetParam();
  expect_moments_match(c.label, c.spec,
                       sample(c.spec, LangevinScheme::kMala, c.step, c.samples, c.thinning, 5));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ChamberLangevin,
    // Steps and thinning: MALA's acceptance between 0.3 and 0.9, a kept sample every half time
    // unit, 40 batches of 1000.
    ::testing::Values(
        SamplerCase{"chamber d=1 euclidean", make_spec(1, {}, SampleSpace::kChamber, 2.0, false),
                    0.2, 40000, 3},
        SamplerCase{"chamber d=1 dln-3",
                    make_spec(1, Depth::finite(3), SampleSpace::kChamber, 2.0, false), 0.05, 40000,
                    10},
        SamplerCase{"chamber d=1 inf (barrier)",
                    make_spec(1, Depth::infinite(), SampleSpace::kChamber, 2.0, false, 1.0), 0.1,
                    40000, 5},
        SamplerCase{"chamber d=2 euclidean entropy",
                    make_spec(2, {}, SampleSpace::kChamber, 2.0, true), 0.1, 40000, 5},
        SamplerCase{"chamber d=2 dln-3 entropy",
                    make_spec(2, Depth::finite(3), SampleSpace::kChamber, 2.0, true), 0.025, 40000,
                    20},
        SamplerCase{"chamber d=3 dln-3 entropy",
                    make_spec(3, Depth::finite(3), SampleSpace::kChamber, 2.0, true), 0.025, 40000,
                    20},
        SamplerCase{"chamber d=3 inf entropy (barrier)",
                    make_spec(3, Depth::infinite(), SampleSpace::kChamber, 2.0, true, 1.0), 0.05,
                    40000, 10}),
    [](const auto& param_info) { return std::to_string(param_info.index); });

class MatrixLangevin : public ::testing::TestWithParam<SamplerCase> {};

TEST_P(MatrixLangevin, MalaMatchesTheStationaryLaw) {
  const SamplerCase& c = GetParam();
  expect_moments_match(c.label, c.spec,
                       sample(c.spec, LangevinScheme::kMala, c.step, c.samples, c.thinning, 9));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MatrixLangevin,
    ::testing::Values(
        SamplerCase{"matrices d=2 depth 1",
                    make_spec(2, Depth::finite(1), SampleSpace::kMatrices, 2.0, false), 0.2, 40000,
                    3},
        SamplerCase{"matrices d=2 dln-2",
                    make_spec(2, Depth::finite(2), SampleSpace::kMatrices, 2.0, false), 0.05, 40000,
                    10},
        SamplerCase{"matrices d=2 dln-3",
                    make_spec(2, Depth::finite(3), SampleSpace::kMatrices, 2.0, false), 0.025,
                    40000, 20},
        SamplerCase{"matrices d=2 inf (barrier)",
                    make_spec(2, Depth::infinite(), SampleSpace::kMatrices, 2.0, false, 1.0), 0.1,
                    40000, 5},
        SamplerCase{"matrices d=2 dln-2 entropy",
                    make_spec(2, Depth::finite(2), SampleSpace::kMatrices, 2.0, true), 0.05, 40000,
                    10},
        SamplerCase{"matrices d=3 dln-2",
                    make_spec(3, Depth::finite(2), SampleSpace::kMatrices, 2.0, false), 0.05, 40000,
                    10},
        SamplerCase{"matrices d=3 dln-3 entropy",
                    make_spec(3, Depth::finite(3), SampleSpace::kMatrices, 2.0, true), 0.05, 40000,
                    10}),
    [](const auto& param_info) { return std::to_string(param_info.index); });

// ---- weak order: Euler–Maruyama's bias is O(h), MALA's is zero ----

TEST(LangevinWeakOrder, EulerMaruyamaBiasHalvesWithTheStepAndMalaHasNone) {
  // Infinite-depth chamber, d = 1, F = σ²/2 − log σ, β = 1: the law is σ^{βa−1} e^{−σ²/2} with
  // βa = 1, the half-normal: E[σ²] = 1. Its coefficients (drift −σ³ + 2σ, diffusion √2 σ) are
  // smooth, so the explicit scheme has weak order one.
  const SpectralLawSpec spec =
      make_spec(1, Depth::infinite(), SampleSpace::kChamber, 1.0, false, 1.0);
  const double exact = 1.0;
  EXPECT_NEAR(spectral_stationary_law(spec).mean_square[0], exact, 1e-6);
  // 10⁵ time units at each step (standard error about 0.005), a kept sample every quarter unit.
  double bias[2];
  int i = 0;
  for (double h : {0.04, 0.02}) {
    const auto thinning = static_cast<std::int64_t>(std::lround(0.25 / h));
    const Measured em = sample(spec, LangevinScheme::kEulerMaruyama, h, 400000, thinning, 21);
    bias[i] = em.second.mean[0] - exact;
    std::printf("h %.4f  Euler-Maruyama E[s^2] - 1 = %+.5f ± %.5f\n", h, bias[i],
                em.second.standard_error[0]);
    EXPECT_GT(std::abs(bias[i]), 6.0 * em.second.standard_error[0]) << "h = " << h;
    ++i;
  }
  // MALA at the larger step: no bias.
  const Measured mala = sample(spec, LangevinScheme::kMala, 0.04, 100000, 12, 22);
  std::printf("h 0.0400  MALA E[s^2] - 1 = %+.5f ± %.5f (acceptance %.3f)\n",
              mala.second.mean[0] - exact, mala.second.standard_error[0],
              mala.run.acceptance_rate());
  EXPECT_LE(std::abs(mala.second.mean[0] - exact), 4.0 * mala.second.standard_error[0]);
  // Halving the step halves the bias, up to the O(h²) term (measured ratio about 2.4).
  EXPECT_GT(bias[0] / bias[1], 1.7);
  EXPECT_LT(bias[0] / bias[1], 3.0);
}

TEST(LangevinWeakOrder, UnstableEulerMaruyamaStepsAreReportedNotSampled) {
  // DLN-3 chamber: the drift −3σ^{7/3} makes explicit steps of h = 0.2 diverge once σ ≳ 2.
  const SpectralLawSpec spec = make_spec(1, Depth::finite(3), SampleSpace::kChamber, 1.0, false);
  const Problem problem = spectral_law_problem(spec);
  LangevinOptions options;
  options.step_size = 0.2;
  options.samples = 100000;
  options.seed = 3;
  const LangevinResult run = langevin_sample(problem, Vector::Constant(1, 1.0), options);
  EXPECT_EQ(run.status, LangevinStatus::kNumericalFailure);
  EXPECT_FALSE(run.is_success());
  EXPECT_LT(run.samples.rows(), options.samples);
  EXPECT_TRUE(run.samples.allFinite());
  EXPECT_NE(run.message.find("step"), std::string::npos) << run.message;
  // MALA at the same step is exact.
  options.scheme = LangevinScheme::kMala;
  options.thinning = 5;
  options.samples = 40000;
  const LangevinResult mala = langevin_sample(problem, Vector::Constant(1, 1.0), options);
  ASSERT_TRUE(mala.is_success()) << mala.message;
  const SampleMoments m = batch_means(mala.samples.array().square().matrix());
  EXPECT_LE(std::abs(m.mean[0] - 1.0 / 3.0), 4.0 * m.standard_error[0]);
}

// ---- the finite-difference fallback drives the same chain ----

TEST(LangevinFallback, FiniteDifferenceTermsReproduceTheClosedFormChain) {
  Rng rng(4);
  const Matrix x0 = matrix_with_singular_values(2, 2, Vector::LinSpaced(2, 1.3, 0.7), rng);
  const SpectralLawSpec spec = make_spec(2, Depth::finite(3), SampleSpace::kMatrices, 1.0, true);
  const Problem problem = spectral_law_problem(spec);
  LangevinOptions options;
  options.step_size = 0.01;
  options.samples = 30;
  options.seed = 8;
  options.observable = [&spec](const Point& x) { return spectral_law_observable(spec, x); };
  const LangevinResult closed = langevin_sample(problem, x0.reshaped(), options);
  options.volume_terms = VolumeTermsSource::kFiniteDifference;
  const LangevinResult numeric = langevin_sample(problem, x0.reshaped(), options);
  ASSERT_TRUE(closed.is_success() && numeric.is_success());
  EXPECT_EQ(numeric.volume_terms, VolumeTermsSource::kFiniteDifference);
  // Sample by sample: the chains share their noise, and differ by the finite differences' error.
  // (Over longer runs they part where σ_2 comes near 0, within the differences' step.)
  const double gap = (closed.samples - numeric.samples).cwiseAbs().maxCoeff();
  std::printf("largest difference of the two chains over %d steps: %.3g\n", 30, gap);
  EXPECT_LT(gap, 1e-6);
  EXPECT_GT((closed.final_point - x0.reshaped()).norm(), 0.05);  // the chain did move
}

TEST(LangevinFallback, RectangularDlnSamplesWithFiniteDifferencesOnly) {
  Rng rng(6);
  const Matrix x0 = matrix_with_singular_values(3, 2, Vector::LinSpaced(2, 1.2, 0.8), rng);
  const Problem problem(dln_matrices(3, 2, Depth::finite(2)),
                        std::make_shared<SchattenEnergy>(2.0));
  LangevinOptions options;
  options.step_size = 0.01;
  options.samples = 50;
  options.volume_terms = VolumeTermsSource::kClosedForm;
  EXPECT_THROW(langevin_sample(problem, x0.reshaped(), options), InvalidArgument);
  options.volume_terms = VolumeTermsSource::kFiniteDifference;
  EXPECT_TRUE(langevin_sample(problem, x0.reshaped(), options).is_success());
  options.max_finite_difference_dimension = 4;
  EXPECT_THROW(langevin_sample(problem, x0.reshaped(), options), InvalidArgument);
}

// ---- refusals ----

TEST(LangevinInput, BadOptionsAndGeometriesAreRefused) {
  const Problem chamber(dln_chamber(2, Depth::finite(2)), SeparableChamberEnergy::schatten(2.0));
  const Vector x0 = (Vector(2) << 1.0, 0.5).finished();
  auto run = [&](auto edit) {
    LangevinOptions options;
    options.samples = 10;
    edit(options);
    return langevin_sample(chamber, x0, options);
  };
  EXPECT_THROW(run([](LangevinOptions& o) { o.beta = 0.0; }), InvalidArgument);
  EXPECT_THROW(run([](LangevinOptions& o) { o.beta = std::nan(""); }), InvalidArgument);
  EXPECT_THROW(run([](LangevinOptions& o) { o.step_size = -1.0; }), InvalidArgument);
  EXPECT_THROW(run([](LangevinOptions& o) { o.step_size = INFINITY; }), InvalidArgument);
  EXPECT_THROW(run([](LangevinOptions& o) { o.samples = 0; }), InvalidArgument);
  EXPECT_THROW(run([](LangevinOptions& o) { o.thinning = 0; }), InvalidArgument);
  EXPECT_THROW(run([](LangevinOptions& o) { o.burn_in = -1; }), InvalidArgument);
  EXPECT_NO_THROW(run([](LangevinOptions&) {}));
  // A start outside the chamber, and one with a NaN.
  LangevinOptions options;
  EXPECT_THROW(langevin_sample(chamber, (Vector(2) << 0.5, 1.0).finished(), options),
               InvalidArgument);
  EXPECT_THROW(langevin_sample(chamber, (Vector(2) << 1.0, std::nan("")).finished(), options),
               InvalidArgument);
  EXPECT_THROW(langevin_sample(chamber, Vector::Ones(3), options), InvalidArgument);
  // Embedded manifolds are refused on entry, with the reason.
  const Problem sphere({std::make_shared<Sphere>(3), std::make_shared<EuclideanMetric>()},
                       std::make_shared<SchattenEnergy>(2.0));
  try {
    langevin_sample(sphere, Vector::Unit(3, 0), options);
    ADD_FAILURE() << "the sphere was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("open subsets"), std::string::npos) << e.what();
  }
  // Batch means need enough rows.
  EXPECT_THROW(batch_means(Matrix::Zero(10, 1), 40), InvalidArgument);
  EXPECT_THROW(batch_means(Matrix::Zero(100, 1), 1), InvalidArgument);
}

TEST(LangevinInput, AChainThatHardlyMovesIsNotASuccess) {
  // MALA with a step far too long for the DLN-3 drift: nearly every proposal is rejected.
  const Problem chamber(dln_chamber(1, Depth::finite(3)), SeparableChamberEnergy::schatten(2.0));
  LangevinOptions options;
  options.scheme = LangevinScheme::kMala;
  options.step_size = 100.0;
  options.samples = 2000;
  const LangevinResult run = langevin_sample(chamber, Vector::Constant(1, 3.0), options);
  EXPECT_EQ(run.status, LangevinStatus::kLowAcceptance) << run.report();
  EXPECT_FALSE(run.is_success());
  EXPECT_LT(run.acceptance_rate(), 1e-3);
  EXPECT_NE(run.message.find("reduce step_size"), std::string::npos) << run.message;
  options.min_acceptance_rate = 1.0;
  EXPECT_THROW(langevin_sample(chamber, Vector::Constant(1, 3.0), options), InvalidArgument);
}

TEST(LangevinInput, CallbackStopsTheRunAndSaysSo) {
  const Problem chamber(euclidean_chamber(1), SeparableChamberEnergy::schatten(2.0));
  LangevinOptions options;
  options.samples = 1000;
  options.progress_interval = 100;
  options.callback = [](const LangevinProgress& p) { return p.step < 300; };
  const LangevinResult run = langevin_sample(chamber, Vector::Ones(1), options);
  EXPECT_EQ(run.status, LangevinStatus::kStoppedByCallback);
  EXPECT_EQ(run.steps, 300);
  EXPECT_EQ(run.samples.rows(), 300);
}

}  // namespace
}  // namespace riemopt
