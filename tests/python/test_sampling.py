"""Langevin sampling from Python: moments against the stationary law's quadrature, a Python
energy sampled with the finite-difference-free Euclidean chamber, determinism by seed, exceptions
re-raised, improper laws and bad options refused."""
import math

import numpy as np
import pytest

import riemopt as ro


def test_mala_moments_match_the_stationary_law():
    law = ro.spectral_stationary_law(2, depth=3, beta=2.0, entropy_depth=3)
    assert law["quadrature_error"] < 1e-3
    assert law["bin_probability"].shape == (40, 2)
    assert abs(law["bin_probability"].sum() - 2.0) < 1e-9  # each column sums to one
    problem = ro.spectral_law_problem(2, depth=3, beta=2.0, entropy_depth=3)
    run = ro.langevin_sample(problem, [1.2, 0.6], beta=2.0, step_size=0.025, samples=40000,
                             thinning=20, burn_in=800, scheme="mala", seed=5)
    assert run.success and run.status == "completed"
    assert run.samples.shape == (40000, 2)
    assert run.volume_terms == "closed-form"
    assert 0.3 < run.acceptance_rate < 0.8
    mean, se = run.moments()
    assert np.all(np.abs(mean - law["mean"]) <= 4 * se), (mean, se, law["mean"])
    assert np.all(se < 0.02 * law["mean"][0])


def test_matrix_samples_record_an_observable_and_cost_one_svd_per_step():
    problem = ro.spectral_law_problem(2, depth=2, space="matrices", beta=2.0)
    law = ro.spectral_stationary_law(2, depth=2, space="matrices", beta=2.0)
    x0 = np.diag([1.2, 0.6])
    run = ro.langevin_sample(problem, x0, beta=2.0, step_size=0.05, samples=20000, thinning=10,
                             burn_in=400, scheme="mala", seed=9,
                             observable=lambda x: np.linalg.svd(x, compute_uv=False))
    assert run.final_point.shape == (2, 2)
    assert run.steps == 20000 * 10 + 400
    assert run.steps <= run.svd_count <= run.steps + 2
    mean, se = run.moments()
    assert np.all(np.abs(mean - law["mean"]) <= 4 * se), (mean, se, law["mean"])


def test_a_python_energy_samples_the_half_normal():
    # Euclidean chamber, d = 1, F = x²/2: the law on σ > 0 is the half-normal, E[σ²] = 1/β.
    energy = ro.energy(lambda x: 0.5 * float(x @ x), lambda x: x, size=1, name="half-square")
    problem = ro.Problem(ro.chamber(1), energy)
    run = ro.langevin_sample(problem, [1.0], beta=2.0, step_size=0.2, samples=20000, thinning=3,
                             scheme="mala", seed=2, observable=lambda x: x ** 2)
    mean, se = run.moments()
    assert abs(mean[0] - 0.5) <= 4 * se[0]


def test_same_seed_same_chain_and_euler_maruyama_is_biased_but_close():
    problem = ro.spectral_law_problem(1, depth=3, beta=1.0)
    a = ro.langevin_sample(problem, [1.0], step_size=0.01, samples=500, seed=4)
    b = ro.langevin_sample(problem, [1.0], step_size=0.01, samples=500, seed=4)
    c = ro.langevin_sample(problem, [1.0], step_size=0.01, samples=500, seed=5)
    assert np.array_equal(a.samples, b.samples)
    assert not np.array_equal(a.samples, c.samples)
    assert a.accepted == a.steps  # Euler-Maruyama takes every step


def test_an_exception_in_the_observable_is_re_raised():
    problem = ro.spectral_law_problem(1, depth=3, beta=1.0)

    def broken(x):
        raise KeyError("observable failed")

    with pytest.raises(KeyError, match="observable failed"):
        ro.langevin_sample(problem, [1.0], step_size=0.01, samples=50, observable=broken)


def test_unstable_steps_are_a_status_not_samples():
    problem = ro.spectral_law_problem(1, depth=3, beta=1.0)
    run = ro.langevin_sample(problem, [1.0], step_size=0.3, samples=100000, seed=1)
    assert not run.success
    assert run.status == "numerical_failure"
    assert "step" in run.message
    assert run.samples.shape[0] < 100000


def test_bad_input_is_refused():
    problem = ro.spectral_law_problem(1, depth=3, beta=1.0)
    with pytest.raises(ValueError, match="beta"):
        ro.langevin_sample(problem, [1.0], beta=0.0)
    with pytest.raises(ValueError, match="step_size"):
        ro.langevin_sample(problem, [1.0], step_size=-1.0)
    with pytest.raises(ValueError, match="scheme"):
        ro.langevin_sample(problem, [1.0], scheme="leapfrog")
    with pytest.raises(TypeError, match="unexpected keyword argument .step."):
        ro.langevin_sample(problem, [1.0], step=0.1)
    with pytest.raises(ValueError, match="not a probability law"):
        ro.spectral_stationary_law(2, depth=math.inf)
    with pytest.raises(ValueError, match="open subsets"):
        ro.langevin_sample(ro.Problem(ro.sphere(3), ro.schatten(2.0)), [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="widths 1 to 3"):
        ro.spectral_stationary_law(4, depth=3)
