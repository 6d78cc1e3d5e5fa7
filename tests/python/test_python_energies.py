"""Energies written in Python: the gradient checker judges them, the solvers use them, the
library keeps them alive, and their exceptions (and Ctrl-C) stop a solve and are re-raised."""
import gc
import math
import signal
import weakref

import numpy as np
import pytest

import riemopt as ro


def rayleigh(a):
    return ro.energy(lambda x: float(x @ a @ x), lambda x: 2.0 * a @ x,
                     hessian_vector=lambda x, v: 2.0 * a @ v, size=a.shape[0], name="rayleigh")


@pytest.fixture
def symmetric():
    rng = np.random.default_rng(7)
    b = rng.standard_normal((20, 20))
    return b + b.T


def test_python_energy_passes_and_fails_the_gradient_checker(symmetric):
    x = np.ones(20) / np.sqrt(20)
    right = ro.Problem(ro.sphere(20), rayleigh(symmetric))
    check = right.check_gradient(x, seed=3)
    assert check.passed and abs(check.fitted_slope - 2.0) < 0.1
    assert right.check_hessian(x, seed=3).passed
    wrong = ro.Problem(ro.sphere(20), ro.energy(lambda x: float(x @ symmetric @ x),
                                                lambda x: 2.2 * symmetric @ x))
    assert not wrong.check_gradient(x, seed=3).passed


def test_python_energy_matches_the_library_energy(symmetric):
    x0 = np.arange(1.0, 21.0)
    x0 /= np.linalg.norm(x0)
    ours = ro.trust_region(ro.Problem(ro.sphere(20), rayleigh(symmetric)), x0,
                           hessian="exact", gradient_tolerance=1e-10)
    theirs = ro.trust_region(ro.Problem(ro.sphere(20), ro.rayleigh_quotient(symmetric)), x0,
                             hessian="exact", gradient_tolerance=1e-10)
    assert ours.success and theirs.success
    assert ours.final_value == pytest.approx(np.linalg.eigvalsh(symmetric)[0], abs=1e-12)
    assert np.allclose(ours.x, theirs.x, atol=1e-12)
    assert ours.iterations == theirs.iterations


def test_matrix_shaped_python_energy_on_the_dln_metric():
    # E(X) = ½‖X − T‖²: the DLN flow ends at T; the Python gradient arrives shaped (3, 4).
    target = np.arange(12.0).reshape(3, 4) / 10 + np.eye(3, 4)
    seen = []

    def gradient(x):
        seen.append(x.shape)
        return x - target

    e = ro.energy(lambda x: 0.5 * float(np.sum((x - target) ** 2)), gradient)
    s = ro.gradient_descent(ro.Problem(ro.dln_matrices(3, 4, 2), e), np.eye(3, 4),
                            gradient_tolerance=1e-9)
    assert s.success and np.allclose(s.x, target, atol=1e-8)
    assert set(seen) == {(3, 4)}


def test_sums_and_multiples_of_python_and_library_energies():
    x = np.diag([2.0, 1.0, 0.5])
    py_half_norm = ro.energy(lambda x: 0.5 * float(np.sum(x * x)), lambda x: x.copy())
    combined = 3.0 * py_half_norm - ro.schatten(2.0) / 2 + ro.entropy(2)
    expected = 3.0 * 0.5 * 5.25 - 0.5 * 0.5 * 5.25 + ro.entropy(2).value(x)
    assert combined.value(x) == pytest.approx(expected, rel=1e-14)
    assert np.allclose(combined.gradient(x),
                       2.5 * x + ro.entropy(2).gradient(x), atol=1e-14)


def test_energy_lives_as_long_as_the_problem():
    class Quadratic:
        def value(self, x):
            return 0.5 * float(x @ x)

        def gradient(self, x):
            return x.copy()

    q = Quadratic()
    watch = weakref.ref(q)
    e = ro.energy(q.value, q.gradient, size=5)
    problem = ro.Problem(ro.euclidean_matrices(5, 1), e)
    del q, e
    gc.collect()
    assert watch() is not None  # kept by the problem's energy
    s = ro.gradient_descent(problem, np.ones(5), gradient_tolerance=1e-12)
    assert s.success and np.allclose(s.x, 0.0, atol=1e-12)
    energy_again = problem.energy
    del problem
    gc.collect()
    assert watch() is not None  # still held through energy_again
    del energy_again
    gc.collect()
    assert watch() is None  # and released with the last holder


def test_exception_in_an_energy_is_re_raised_and_stops_the_solve():
    calls = {"n": 0}

    def value(x):
        calls["n"] += 1
        if calls["n"] == 5:
            raise ZeroDivisionError("boom at call 5")
        return float(np.sum(np.cosh(x)))

    e = ro.energy(value, np.sinh)
    with pytest.raises(ZeroDivisionError, match="boom at call 5"):
        ro.gradient_descent(ro.Problem(ro.euclidean_matrices(3, 1), e), np.full(3, 2.0),
                            gradient_tolerance=1e-14)
    assert calls["n"] == 5  # not called again after it raised


def test_gradient_of_the_wrong_shape_is_a_clear_error():
    e = ro.energy(lambda x: 0.0, lambda x: np.zeros(7))
    with pytest.raises(ValueError, match=r"gradient has 7 entries|expected \(3, 1\)"):
        ro.gradient_descent(ro.Problem(ro.euclidean_matrices(3, 1), e), np.ones(3))


def test_callback_sees_steps_and_can_stop_or_raise():
    problem = ro.Problem(ro.euclidean_matrices(4, 1), ro.energy(
        lambda x: float(np.sum(np.cosh(x))), lambda x: np.sinh(x)))
    infos = []
    s = ro.gradient_descent(problem, np.full(4, 2.0),
                            callback=lambda info: infos.append(info) or info.iteration >= 3)
    assert s.status == "user_abort" and not s.success
    assert [i.iteration for i in infos][-1] == 3 and infos[-1].x.shape == (4,)
    assert infos[-1].value == pytest.approx(float(np.sum(np.cosh(infos[-1].x))), rel=1e-14)

    def raising(info):
        if info.iteration == 2:
            raise KeyError("stop here")

    with pytest.raises(KeyError, match="stop here"):
        ro.gradient_descent(problem, np.full(4, 2.0), callback=raising)


def test_observables_become_trajectory_columns():
    problem = ro.Problem(ro.euclidean_matrices(2, 1), ro.schatten(2.0))
    s = ro.gradient_flow(problem, np.array([1.0, 0.0]), final_time=1.0,
                         observables={"x0": lambda x: x[0]}, record_times=[0.25, 0.5, 1.0])
    # ½‖x‖² flows as x(t) = e^{-t} x0.
    assert np.allclose(s.times, [0.25, 0.5, 1.0])
    assert np.allclose(s.observables["x0"], np.exp(-s.times), rtol=1e-8)
    assert np.allclose(s.values, 0.5 * np.exp(-2 * s.times), rtol=1e-8)


def test_record_every_spaces_records_evenly_and_rejects_bad_spacing():
    problem = ro.Problem(ro.euclidean_matrices(2, 1), ro.schatten(2.0))
    s = ro.gradient_flow(problem, np.array([1.0, 0.0]), final_time=1.0, record_every=0.25,
                         gradient_tolerance=0.0)
    assert list(s.times) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert np.allclose(s.values, 0.5 * np.exp(-2 * s.times), rtol=1e-8)
    truth, i, j, v = ro.completion_instance(20, 20, 2, 200, 3)
    c = ro.complete((20, 20), i, j, v, truth=truth, target_train_mse=0.0, final_time=2.0,
                    record_every=0.5)
    assert list(c.summary.times) == [0.0, 0.5, 1.0, 1.5, 2.0]
    with pytest.raises(ValueError, match="every"):
        ro.gradient_flow(problem, np.array([1.0, 0.0]), final_time=1.0, record_every=-1.0)


def test_ctrl_c_stops_a_long_solve_cleanly():
    # A SIGALRM whose handler raises KeyboardInterrupt stands in for Ctrl-C: the solve is pure
    # C++ (no Python runs during it), so only the check between steps can notice it.
    truth, i, j, v = ro.completion_instance(60, 60, 3, 1200, 2)
    problem = ro.Problem(ro.dln_matrices(60, 60, 3), ro.matrix_completion((60, 60), i, j, v))
    x0 = 1e-3 * np.eye(60)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(KeyboardInterrupt):
            # Dormand-Prince at a tight tolerance on this stiff flow would take minutes.
            ro.gradient_flow(problem, x0, gradient_tolerance=1e-14, relative_tolerance=1e-12,
                             absolute_tolerance=1e-14, max_wall_seconds=120)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_an_event_ends_the_flow_where_it_reaches_zero():
    # ½‖x‖² flows as x(t) = e^{-t} x0, so x0(t) = 0.3 at t = ln(1/0.3), inside some step.
    problem = ro.Problem(ro.euclidean_matrices(2, 1), ro.schatten(2.0))
    s = ro.gradient_flow(problem, np.array([1.0, 0.0]), final_time=10.0, gradient_tolerance=0.0,
                         relative_tolerance=1e-10, absolute_tolerance=1e-12,
                         event=lambda x, energy: x[0] - 0.3)
    assert s.status == "converged"
    assert "the event reached 0 at t = " in s.message
    assert s.stopping_event == 0
    assert math.isclose(s.final_time, math.log(1 / 0.3), rel_tol=1e-8)
    assert 0.3 * (1 - 1e-8) <= s.x[0] <= 0.3
    # Two events: the earlier crossing (the energy's, at ½ e^{-2t} = 0.1) ends the run.
    s = ro.gradient_flow(problem, np.array([1.0, 0.0]), final_time=10.0, gradient_tolerance=0.0,
                         event=[lambda x, energy: x[0] - 0.3, lambda x, energy: energy - 0.1])
    assert "event 1 reached 0" in s.message
    assert s.stopping_event == 1
    assert ro.gradient_flow(problem, np.array([1.0, 0.0]), final_time=0.1,
                            event=lambda x, energy: x[0] - 0.3).stopping_event is None
    assert math.isclose(s.final_time, 0.5 * math.log(5.0), rel_tol=1e-6)
    with pytest.raises(TypeError, match="'event' must be a callable or a list"):
        ro.gradient_flow(problem, np.array([1.0, 0.0]), final_time=1.0, event=[1.0])

    def raising(x, energy):
        raise KeyError("from the event")

    with pytest.raises(KeyError, match="from the event"):
        ro.gradient_flow(problem, np.array([1.0, 0.0]), final_time=1.0, event=raising)
