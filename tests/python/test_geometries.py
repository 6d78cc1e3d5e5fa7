"""The geometries through Python: points, tangent projections, retractions and metrics agree with
formulas computed here in NumPy."""
import math

import numpy as np
import pytest

import riemopt as ro


@pytest.mark.parametrize("make", [
    lambda: ro.sphere(6), lambda: ro.stiefel(6, 2), lambda: ro.stiefel(6, 2, retraction="qr"),
    lambda: ro.grassmann(6, 2), lambda: ro.oblique(4, 3), lambda: ro.spd(3),
    lambda: ro.spd(3, metric="bures-wasserstein"), lambda: ro.special_orthogonal(3),
    lambda: ro.fixed_rank(5, 4, 2), lambda: ro.chamber(3), lambda: ro.chamber(3, depth=2),
    lambda: ro.product([ro.sphere(3), ro.spd(2)]), lambda: ro.dln_matrices(3, 3, math.inf),
])
def test_retraction_is_first_order_and_projection_idempotent(make):
    g = make()
    x = g.random_point(seed=1)
    assert x.shape == (g.shape if g.shape[1] > 1 else (g.shape[0],))
    v = g.random_tangent(x, seed=2)
    assert np.allclose(g.project(x, g.project(x, v)), g.project(x, v), atol=1e-12)
    g.check_point(g.retract(x, 1e-3 * v))
    # R_x(tv) = x + tv + O(t²)
    t = 1e-4
    assert np.max(np.abs(g.retract(x, t * v) - x - t * v)) < 100 * t * t * (1 + np.abs(x).max())


def test_stiefel_points_are_orthonormal_and_sphere_exp_log_invert():
    g = ro.stiefel(7, 3)
    x = g.random_point(seed=4)
    assert np.allclose(x.T @ x, np.eye(3), atol=1e-12)
    s = ro.sphere(5)
    x = s.random_point(seed=5)
    y = s.random_point(seed=6)
    assert np.allclose(s.exponential(x, s.logarithm(x, y)), y, atol=1e-12)
    assert np.linalg.norm(s.logarithm(x, y)) == pytest.approx(math.acos(x @ y), rel=1e-12)


def test_dln_metric_against_its_formula():
    # Depth 1 is the Euclidean metric; depth N: sharp(ξ) = Σ_k (XXᵀ)^{(N-k)/N} ξ (XᵀX)^{(k-1)/N}.
    x = np.array([[2.0, 0.3, 0.0], [0.1, 1.0, 0.2], [0.0, 0.4, 0.7]])
    xi = np.arange(9.0).reshape(3, 3) / 9
    assert np.allclose(ro.dln_matrices(3, 3, 1).sharp(x, xi), xi, atol=1e-14)
    n = 3

    def power(m, p):
        w, q = np.linalg.eigh(m)
        return q @ np.diag(w ** p) @ q.T

    expected = sum(power(x @ x.T, (n - k) / n) @ xi @ power(x.T @ x, (k - 1) / n)
                   for k in range(1, n + 1))
    g = ro.dln_matrices(3, 3, n)
    assert np.allclose(g.sharp(x, xi), expected, atol=1e-12)
    assert np.allclose(g.flat(x, g.sharp(x, xi)), xi, atol=1e-12)
    assert g.inner(x, g.sharp(x, xi), g.sharp(x, xi)) == pytest.approx(
        float(np.sum(xi * expected)), rel=1e-12)


def test_parameter_space_and_end_to_end_map():
    space = ro.ParameterSpace([3, 4, 2])
    assert space.depth == 2 and space.size == 4 * 3 + 2 * 4
    w1 = np.arange(12.0).reshape(4, 3) / 12
    w2 = np.arange(8.0).reshape(2, 4) / 8 - 0.3
    w = space.pack([w1, w2])
    assert np.allclose(space.end_to_end(w), w2 @ w1, atol=1e-14)
    back = space.factors(w)
    assert np.array_equal(back[0], w1) and np.array_equal(back[1], w2)
    x = np.array([[1.0, 0.2, 0.0], [0.0, 0.5, 0.1]])
    b = space.balanced_factorization(x, seed=3)
    assert space.is_balanced(b) and np.allclose(space.end_to_end(b), x, atol=1e-12)
    assert not space.is_balanced(w)
