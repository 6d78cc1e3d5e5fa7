"""The Python module gives the C++ API's results on the same problems, to 1e-12."""
import math

import numpy as np
import pytest

import riemopt as ro
from conftest import column_major

TOL = 1e-12


def close(a, b, tol=TOL):
    a, b = np.asarray(a, float).ravel(order="F"), np.asarray(b, float).ravel(order="F")
    return np.max(np.abs(a - b)) <= tol * max(1.0, np.max(np.abs(b)))


def test_free_energy_trust_region(cpp_reference):
    case = cpp_reference["free_energy_trust_region"]
    x0 = column_major(case["x0"], 4, 4)
    problem = ro.Problem(ro.dln_matrices(4, 4, 3),
                         ro.free_energy(ro.schatten(2.0), ro.entropy(3), 2.0))
    s = ro.trust_region(problem, x0, gradient_tolerance=1e-10)
    ref = case["result"]
    assert s.status == ref["status"] == "converged"
    assert s.iterations == ref["iterations"]
    assert close(s.x, column_major(ref["x"], 4, 4))
    assert abs(s.final_value - ref["final_value"]) <= TOL * abs(ref["final_value"])
    # And against the entropic paper's closed form: every singular value at s*.
    s_star = ro.SpectralEquilibrium(4, 3, 2.0, 2.0).s_star
    assert np.allclose(np.linalg.svd(s.x, compute_uv=False), s_star, rtol=1e-9)


def test_rayleigh_lbfgs(cpp_reference):
    case = cpp_reference["rayleigh_lbfgs"]
    a = column_major(case["a"], 30, 30)
    s = ro.lbfgs(ro.Problem(ro.sphere(30), ro.rayleigh_quotient(a)), np.array(case["x0"]),
                 gradient_tolerance=1e-9)
    ref = case["result"]
    assert s.status == ref["status"] and s.iterations == ref["iterations"]
    assert close(s.x, ref["x"])
    assert abs(s.final_value - np.linalg.eigvalsh(a)[0]) < 1e-10


def test_brockett_conjugate_gradient(cpp_reference):
    case = cpp_reference["brockett_cg"]
    a = column_major(case["a"], 12, 12)
    problem = ro.Problem(ro.stiefel(12, 3), ro.brockett(a, case["weights"]))
    s = ro.conjugate_gradient(problem, column_major(case["x0"], 12, 3), beta="hestenes-stiefel",
                              gradient_tolerance=1e-9)
    ref = case["result"]
    assert s.status == ref["status"] and s.iterations == ref["iterations"]
    assert close(s.x, column_major(ref["x"], 12, 3))


def test_factor_flow(cpp_reference):
    case = cpp_reference["factor_flow"]
    space = ro.ParameterSpace([8, 8, 8])
    loss = ro.matrix_completion((8, 8), case["rows"], case["cols"], case["values"])
    problem = ro.Problem(space.geometry, ro.pulled_back(loss, space))
    s = ro.gradient_flow(problem, np.array(case["w0"]), final_time=5.0)
    ref = case["result"]
    assert s.status == ref["status"] == "final_time_reached"
    assert s.iterations == ref["iterations"]
    assert close(s.x, ref["x"])


def test_complete_matches_cpp_and_command_line_defaults(cpp_reference):
    ref = cpp_reference["complete"]
    truth, i, j, v = ro.completion_instance(30, 30, 2, 300, 3)
    c = ro.complete((30, 30), i, j, v, truth=truth, depth=2)
    assert c.summary.iterations == ref["iterations"]
    assert close(c.x, column_major(ref["x"], 30, 30))
    assert math.isclose(c.metrics["test_mse"], ref["test_mse"], rel_tol=1e-9)
    assert c.summary.success and c.metrics["train_mse"] <= 1e-6


def test_entropy_closed_forms():
    # The entropy's gradient against central differences; the diagonal solution of the entropic
    # paper against its own time function.
    sigma = np.array([3.0, 2.0, 0.5])
    for depth in (1, 2, 3, math.inf):
        g = ro.dln_entropy_gradient(sigma, depth)
        for k in range(3):
            e = np.zeros(3)
            e[k] = 1e-6
            fd = (ro.dln_entropy(sigma + e, depth) - ro.dln_entropy(sigma - e, depth)) / 2e-6
            assert abs(fd - g[k]) < 1e-6 * max(1.0, abs(g[k]))
    eq = ro.SpectralEquilibrium(3, 2, 4.0, 2.0)
    assert eq.diagonal_solution(eq.s_star, 1.0) == pytest.approx(eq.s_star, rel=1e-12)
    t = eq.diagonal_time(0.5, 0.9 * eq.s_star + 0.05)
    assert eq.diagonal_solution(0.5, t) == pytest.approx(0.9 * eq.s_star + 0.05, rel=1e-8)


def test_narrow_network_with_held_out_entries():
    # A width-4 network on a rank-2 instance; every fourth entry is held out, and the test error
    # is recomputed here from the estimate.
    truth, i, j, v = ro.completion_instance(40, 30, 2, 600, 5)
    held = np.arange(len(v)) % 4 == 0
    c = ro.complete((40, 30), i[~held], j[~held], v[~held], held_out=(i[held], j[held], v[held]),
                    width=4, init_scale=1e-2)
    assert c.summary.success and c.path == "factors"
    assert list(c.factor_widths) == [30, 4, 4, 40]
    assert c.summary.svd_count < c.summary.iterations  # none per right-hand side
    test = np.mean((c.x[i[held], j[held]] - v[held]) ** 2)
    assert math.isclose(c.metrics["test_mse"], test, rel_tol=1e-10)
    assert test < 1e-3
    assert np.linalg.svd(c.x, compute_uv=False)[4] < 1e-12 * np.linalg.norm(c.x)  # rank <= 4
    with pytest.raises(ValueError, match="only the factor path"):
        ro.complete((40, 30), i, j, v, width=4, path="matrix")
    with pytest.raises(ValueError, match="not both"):
        ro.complete((40, 30), i, j, v, truth=truth, held_out=(i, j, v), width=4)
