"""NumPy arrays of any layout work; wrong shapes and dtypes, bad arguments and numerical
failures give clear Python exceptions."""
import math

import numpy as np
import pytest

import riemopt as ro


@pytest.fixture
def problem():
    return ro.Problem(ro.dln_matrices(3, 4, 3), ro.schatten(2.0))


def test_any_memory_order_and_real_dtype_gives_the_same_result(problem):
    x = np.arange(12.0).reshape(3, 4) + 3 * np.eye(3, 4)
    expected = problem.gradient(x)
    assert expected.shape == (3, 4)
    assert np.array_equal(problem.gradient(np.asfortranarray(x)), expected)
    big = np.zeros((6, 8))
    big[::2, ::2] = x
    assert np.array_equal(problem.gradient(big[::2, ::2]), expected)  # a strided view
    assert np.array_equal(problem.gradient(x.astype(np.int64)), expected)
    assert np.allclose(problem.gradient(x.astype(np.float32)), expected, rtol=1e-6)
    assert problem.gradient(x).flags.writeable


def test_wrong_shape_names_the_expected_one(problem):
    with pytest.raises(ValueError, match=r"x has shape \(4, 3\); expected \(3, 4\)"):
        problem.gradient(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"x0 has shape \(12,\); expected \(3, 4\)"):
        ro.gradient_descent(problem, np.ones(12))
    with pytest.raises(ValueError, match="1-D or 2-D"):
        ro.schatten(2.0).value(np.ones((2, 2, 2)))


def test_wrong_dtype_is_a_type_error(problem):
    with pytest.raises(TypeError, match="real numbers.*complex128"):
        problem.gradient(np.ones((3, 4), dtype=complex))
    with pytest.raises(TypeError, match="real numbers.*bool"):
        problem.value(np.ones((3, 4), dtype=bool))
    with pytest.raises(TypeError, match="real numbers"):
        problem.value([["a", "b", "c", "d"]] * 3)
    with pytest.raises(TypeError, match="integer indices"):
        ro.matrix_completion((3, 3), [0.5, 1.0], [0, 1], [1.0, 2.0])


def test_bad_arguments_are_value_errors_with_the_library_message():
    with pytest.raises(ValueError, match="depth"):
        ro.dln_matrices(3, 3, 0)
    with pytest.raises(TypeError, match="depth"):
        ro.dln_matrices(3, 3, True)
    with pytest.raises(ValueError, match="beta"):
        ro.free_energy(ro.schatten(2.0), ro.entropy(2), -1.0)
    with pytest.raises(ValueError, match="NaN|finite"):
        ro.gradient_descent(ro.Problem(ro.euclidean_matrices(2, 2), ro.schatten(2.0)),
                            np.array([[1.0, math.nan], [0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"index \(5, 1\) outside the 3x3 matrix"):
        ro.matrix_completion((3, 3), [0, 5], [0, 1], [1.0, 2.0])
    with pytest.raises(ValueError, match="gradient_tolerance"):
        ro.gradient_descent(ro.Problem(ro.euclidean_matrices(2, 1), ro.schatten(2.0)),
                            np.ones(2), gradient_tolerance=-1.0)
    with pytest.raises(ValueError, match="integrator must be one of 'dopri5', 'rk4'"):
        ro.gradient_flow(ro.Problem(ro.euclidean_matrices(2, 1), ro.schatten(2.0)), np.ones(2),
                         integrator="euler")
    with pytest.raises(ValueError, match="not a point|unit norm|norm"):
        ro.sphere(3).check_point(np.array([1.0, 1.0, 0.0]))


def test_unknown_or_mistyped_options_are_type_errors():
    problem = ro.Problem(ro.euclidean_matrices(2, 1), ro.schatten(2.0))
    with pytest.raises(TypeError, match="unexpected keyword argument 'max_iter'.*max_iterations"):
        ro.lbfgs(problem, np.ones(2), max_iter=10)
    with pytest.raises(TypeError, match="option 'max_iterations' cannot take a str"):
        ro.lbfgs(problem, np.ones(2), max_iterations="ten")
    truth, i, j, v = ro.completion_instance(10, 10, 1, 50, 1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'depht'"):
        ro.complete((10, 10), i, j, v, depht=3)


def test_numerical_failure_is_riemopt_numerical_error():
    g = ro.dln_matrices(3, 3, 2)
    with pytest.raises(ro.NumericalError, match="degenerate"):
        g.flat(np.zeros((3, 3)), np.eye(3))
    assert issubclass(ro.NumericalError, ArithmeticError)


def test_summary_reports_and_exports():
    s = ro.gradient_descent(ro.Problem(ro.euclidean_matrices(2, 1), ro.schatten(2.0)),
                            np.ones(2), gradient_tolerance=1e-12)
    assert s.success and s.status == "converged"
    assert "converged" in s.report() and "converged" in repr(s)
    import json
    doc = json.loads(s.to_json())
    assert doc["status"] == "converged"
    assert s.trajectory_csv().splitlines()[0].startswith("time,value,gradient_norm")
    assert len(s.times) == len(s.values) == len(s.gradient_norms) > 0


def test_help_explains_the_arguments():
    doc = ro.complete.__doc__
    for option in ("geometry", "depth", "beta", "loss", "init_scale", "seed", "tolerance",
                   "integrator", "rtol", "target_train_mse", "max_time", "solver", "truth"):
        assert option in doc, option
    for option in ("gradient_tolerance", "max_iterations", "integrator", "callback"):
        assert option in ro.gradient_flow.__doc__


def test_tolerances_hold_whatever_their_place_among_the_keywords():
    # `integrator` sets its default tolerances; given after rtol/atol it once replaced them.
    truth, i, j, v = ro.completion_instance(20, 20, rank=2, observations=200, seed=3)
    runs = [ro.complete((20, 20), i, j, v, truth=truth, depth=2, record=False, **kw).summary
            for kw in (dict(integrator="dopri5", rtol=1e-3, atol=1e-6),
                       dict(rtol=1e-3, atol=1e-6, integrator="dopri5"),
                       dict(integrator="dopri5"))]
    assert runs[0].rhs_evaluations == runs[1].rhs_evaluations
    assert runs[0].rhs_evaluations < runs[2].rhs_evaluations
    assert all(r.status == "converged" for r in runs)


def test_a_completion_flow_stops_where_the_train_target_is_reached():
    truth, i, j, v = ro.completion_instance(20, 20, rank=2, observations=200, seed=3)
    c = ro.complete((20, 20), i, j, v, truth=truth, depth=2, record=False)
    assert c.summary.status == "converged"
    assert "train MSE reached the target 1e-06 at t = " in c.summary.message
    assert 1e-6 * (1 - 1e-6) <= c.metrics["train_mse"] <= 1e-6
