#!/usr/bin/env python3
"""Weight decay on the depth-3 factors of the flagship completion: the factor flow of
E∘φ + λ·½Σ‖W_p‖² from Arora et al.'s (unbalanced) Gaussian factors, for a sweep of λ.

On balanced factors ½Σ‖W_p‖² = (3/2)Σσ_i^{2/3}, so weight decay is a Schatten-2/3 penalty on
X = W3 W2 W1 (docs/MATH.md §2); every critical point is balanced, so the imbalance ‖μ‖, conserved
without weight decay, must fall. Prints a Markdown table: λ, status, steps, time, test and train
MSE, effective rank, imbalance at the end.

    PYTHONPATH=build/python OPENBLAS_NUM_THREADS=1 python3 examples/python/weight_decay_sweep.py
"""
import math
import sys
import time

import numpy as np

import riemopt as ro


def effective_rank(x):
    s = np.linalg.svd(x, compute_uv=False)
    p = s / s.sum()
    p = p[p > 0]
    return math.exp(-np.sum(p * np.log(p)))


def main(lambdas=(0.0, 1e-4, 1e-3, 1e-2, 1e-1, 1.0), depth=3, seed=101):
    truth, i, j, v = ro.completion_instance(100, 100, rank=5, observations=2000, seed=1)
    loss = ro.matrix_completion((100, 100), i, j, v)
    space = ro.ParameterSpace([100] * (depth + 1))
    rng = np.random.default_rng(seed)
    std = 1e-3 ** (1 / depth) / math.sqrt(100)
    w0 = std * rng.standard_normal(space.size)
    print(f"truth: effective rank {effective_rank(truth):.3f}; start imbalance "
          f"{space.imbalance_norm(w0):.3e}\n")
    print("| λ | status | steps | time (s) | test MSE | train MSE | effective rank | ‖μ‖ at the end |")
    print("|---|---|---|---|---|---|---|---|")
    for lam in lambdas:
        energy = ro.pulled_back(loss, space)
        if lam > 0:
            energy = energy + lam * ro.balancing_regularizer(space)
        start = time.perf_counter()
        s = ro.gradient_flow(ro.Problem(space.geometry, energy), w0, integrator="rkc",
                             relative_tolerance=1e-4, absolute_tolerance=1e-8,
                             gradient_tolerance=1e-6, max_wall_seconds=120, record=False)
        x = space.end_to_end(s.x)
        print(f"| {lam:g} | {s.status} | {s.iterations} | {time.perf_counter() - start:.1f} | "
              f"{np.mean((x - truth) ** 2):.3e} | {np.mean((x[i, j] - v) ** 2):.3e} | "
              f"{effective_rank(x):.3f} | {space.imbalance_norm(s.x):.2e} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
