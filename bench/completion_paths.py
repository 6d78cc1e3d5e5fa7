#!/usr/bin/env python3
"""The flagship completion (100x100, rank 5, 2000 observed, Arora et al.'s start of scale 1e-3),
stopped at train MSE <= 1e-6 as `riemopt complete` stops it, three ways, in one process:

  * `riemopt.complete` on the matrix path (one SVD per right-hand side) and on the factor path
    (the same flow on balanced factors, no SVD), RKC at the command line's tolerances,
    depths 2..8, with their steps, right-hand sides, wall time and test MSE against each depth's
    tight reference (the factor path at rtol 1e-8, atol 1e-12);
  * a tight reference (Dormand-Prince, rtol 1e-9) for the test MSE at depth 3;
  * plain NumPy gradient descent on the same balanced factors of the same start (6 GEMMs per
    iteration, the loop of the published experiments) on a doubling grid of steps; the step
    compared is the largest whose run still lands within 25 % of the reference's test MSE (a
    larger step can fit the observations but leaves the flow's low-rank path: see the table).

  * the headline, interleaved five times on a machine that other jobs share: the command line's
    default run (`riemopt complete`, factor path, RKC), the same at rtol 1e-3 (`--rtol 1e-3`:
    what a looser tolerance buys, beside its test MSE), the library's own gradient descent on the
    factors at its largest stable step (`riemopt complete --solver gd --step S`), and the NumPy
    loop at its best on-path step; medians and ranges of the wall time, with the RHS and
    iteration counts the factor of speed comes from.

    PYTHONPATH=build/python OPENBLAS_NUM_THREADS=1 python3 bench/completion_paths.py
"""
import json
import math
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np

import riemopt as ro

TARGET = 1e-6
LOOSE_RTOL = 1e-3


def numpy_descent(space, w0, i, j, v, step, max_iterations=40000):
    """GD on E(W3 W2 W1) = ½ Σ_Ω (X_ij - M_ij)²; (iterations, seconds, X) or None if unstable."""
    w1, w2, w3 = (f.copy() for f in space.factors(w0))
    r = np.zeros((w3.shape[0], w1.shape[1]))
    start = time.perf_counter()
    for k in range(1, max_iterations + 1):
        p2 = w2 @ w1
        x = w3 @ p2
        res = x[i, j] - v
        mse = float(res @ res) / len(v)
        if not math.isfinite(mse) or mse > 1e6:
            return None
        if mse <= TARGET:
            return k, time.perf_counter() - start, x
        r[i, j] = res
        g3 = r @ p2.T
        u = w3.T @ r
        g2 = u @ w1.T
        g1 = (u.T @ w2).T
        w3 -= step * g3
        w2 -= step * g2
        w1 -= step * g1
    return None


def main():
    truth, i, j, v = ro.completion_instance(100, 100, rank=5, observations=2000, seed=1)

    def test_mse(x):
        return float(np.mean((x - truth) ** 2))

    # Each depth's own tight reference: the factor path at rtol 1e-8, atol 1e-12 (whose test MSE
    # at depths 4-6 agrees with the matrix path's at rtol 1e-6, atol 1e-14 to 0.6-6 %).
    print("| depth | path | status | steps | RHS | SVDs | wall (s) | ms/RHS | test MSE | "
          "vs tight |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    times = {}
    for depth in (2, 3, 4, 5, 6, 7, 8):
        tight = ro.complete((100, 100), i, j, v, truth=truth, depth=depth, path="factors",
                            rtol=1e-8, atol=1e-12, record=False, max_time=300)
        for path in ("matrix", "factors"):
            c = ro.complete((100, 100), i, j, v, truth=truth, depth=depth, path=path,
                            record=False, max_time=120)
            s = c.summary
            times[(depth, path)] = s.wall_seconds
            deviation = c.metrics["test_mse"] / tight.metrics["test_mse"] - 1
            print(f"| {depth} | {path} | {s.status} | {s.iterations} | {s.rhs_evaluations} | "
                  f"{s.svd_count} | {s.wall_seconds:.3f} | "
                  f"{1e3 * s.wall_seconds / s.rhs_evaluations:.3f} | "
                  f"{c.metrics['test_mse']:.4e} | {100 * deviation:+.1f} % |")
        print(f"| {depth} | tight (factors, rtol 1e-8, atol 1e-12) | {tight.summary.status} | "
              f"{tight.summary.iterations} | {tight.summary.rhs_evaluations} | | "
              f"{tight.summary.wall_seconds:.3f} | | {tight.metrics['test_mse']:.4e} | |")
    ref = ro.complete((100, 100), i, j, v, truth=truth, depth=3, path="factors",
                      integrator="dopri5", rtol=1e-9, record=False)
    print(f"\nDepth-3 reference (dopri5, rtol 1e-9, factors): {ref.summary.iterations} steps, "
          f"test MSE {ref.metrics['test_mse']:.4e}")

    x0 = ro.gaussian_product_start(100, 100, depth=3, scale=1e-3, seed=1)
    space = ro.ParameterSpace([100, 100, 100, 100])
    w0 = space.balanced_factorization(x0, seed=1)
    best = None
    print("\n| NumPy GD step | iterations | wall (s) | ms/iteration | test MSE |")
    print("|---|---|---|---|---|")
    step = 0.001  # = lr 1 on the mean loss (2/|Omega|); smaller steps need > 10k iterations
    while step < 10:
        out = numpy_descent(space, w0, i, j, v, step)
        if out is None:
            print(f"| {step:g} | unstable or > 40000 | | | |")
            break
        k, secs, x = out
        print(f"| {step:g} | {k} | {secs:.3f} | {1e3 * secs / k:.3f} | {test_mse(x):.4e} |")
        if test_mse(x) <= 1.25 * ref.metrics["test_mse"]:
            best = (step, k, secs, x)
        step *= 2
    if best:
        step, k, secs, x = best
        factors_time = times[(3, "factors")]
        print(f"\nDepth 3: factor-path flow {factors_time:.3f} s vs NumPy GD at step {step:g} "
              f"{secs:.3f} s ({k} iterations): NumPy/flow {secs / factors_time:.2f}; test MSE "
              f"{test_mse(x):.4e} vs reference {ref.metrics['test_mse']:.4e}")
        # The target asks for the test MSE within 5 % of the reference, not for a
        # trajectory accurate to rtol 1e-4: how loose can RKC be on the factors, and how fast?
        print("\n| RKC rtol (factors, depth 3) | RHS | wall (s) | test MSE | vs reference | "
              "NumPy GD / flow |")
        print("|---|---|---|---|---|---|")
        for rtol in (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2):
            c = ro.complete((100, 100), i, j, v, truth=truth, depth=3, path="factors",
                            rtol=rtol, record=False)
            s = c.summary
            deviation = c.metrics["test_mse"] / ref.metrics["test_mse"] - 1
            print(f"| {rtol:g} | {s.rhs_evaluations} | {s.wall_seconds:.3f} | "
                  f"{c.metrics['test_mse']:.4e} | {100 * deviation:+.1f} % | "
                  f"{secs / s.wall_seconds:.2f} |")
        headline(space, w0, truth, i, j, v, step, ref.metrics["test_mse"])


def cli_run(binary, folder, *extra):
    """`riemopt complete` on the flagship files; its JSON report (wall time includes the start).
    A run that does not converge exits non-zero but still reports its status."""
    out = subprocess.run([binary, "complete", "--observed", f"{folder}/observed.mtx", "--truth",
                          f"{folder}/truth.mtx", "--depth", "3", "--path", "factors", "--quiet",
                          *extra], check=False, capture_output=True, text=True).stdout
    return json.loads(out)


def headline(space, w0, truth, i, j, v, numpy_step, reference, repeats=5):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = os.environ.get("RIEMOPT_CLI", os.path.join(root, "build", "bin", "riemopt"))
    if not os.path.exists(binary):
        print(f"\n(no {binary}: headline skipped)")
        return
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([binary, "generate", "--rows", "100", "--cols", "100", "--rank", "5",
                        "--observations", "2000", "--seed", "1", "--truth",
                        f"{folder}/truth.mtx", "--observed", f"{folder}/observed.mtx"],
                       check=True, capture_output=True)
        # The library's gradient descent: the largest step of the doubling grid that converges
        # on the flow's path (within 25 % of the reference's test MSE, as the NumPy step).
        gd_step = None
        step = 0.001
        while step < 1:
            report = cli_run(binary, folder, "--solver", "gd", "--step", f"{step:g}")
            if report["status"] != "converged" or report["test_mse"] > 1.25 * reference:
                break
            gd_step = step
            step *= 2
        # The command line's wall time includes reading the two files; the NumPy loop's does not
        # (nor its start), so the flow is also shown without the reading.
        # The flow also at rtol LOOSE_RTOL: the speed a looser tolerance buys, and its accuracy.
        times = {"flow": [], "gd": [], "numpy": [], "solve": [], "loose": []}
        for _ in range(repeats):
            flow = cli_run(binary, folder)
            times["flow"].append(flow["wall_seconds"])
            times["solve"].append(flow["wall_seconds"] - flow["reading_seconds"])
            loose = cli_run(binary, folder, "--rtol", f"{LOOSE_RTOL:g}")
            times["loose"].append(loose["wall_seconds"])
            gd = cli_run(binary, folder, "--solver", "gd", "--step", f"{gd_step:g}")
            times["gd"].append(gd["wall_seconds"])
            iterations, secs, x = numpy_descent(space, w0, i, j, v, numpy_step)
            times["numpy"].append(secs)
    med = {k: statistics.median(t) for k, t in times.items()}
    print(f"\nHeadline, {repeats} interleaved runs each (median, [min, max] wall seconds):")
    print("| run | work | test MSE vs reference | wall (s) | / flow |")
    print("|---|---|---|---|---|")
    rows = [("`riemopt complete` (RKC, factors)", f"{flow['rhs_evaluations']} RHS", flow["test_mse"],
             "flow"),
            (f"`riemopt complete --rtol {LOOSE_RTOL:g}`", f"{loose['rhs_evaluations']} RHS",
             loose["test_mse"], "loose"),
            (f"`--solver gd --step {gd_step:g}`", f"{gd['steps']} iterations", gd["test_mse"], "gd"),
            (f"NumPy GD, step {numpy_step:g}", f"{iterations} iterations",
             float(((x - truth) ** 2).mean()), "numpy")]
    for name, work, mse, key in rows:
        t = times[key]
        print(f"| {name} | {work} | {100 * (mse / reference - 1):+.1f} % | {med[key]:.3f} "
              f"[{min(t):.3f}, {max(t):.3f}] | {med[key] / med['flow']:.2f} |")
    t = times["solve"]
    print(f"\nThe flow without reading the files: {med['solve']:.3f} [{min(t):.3f}, {max(t):.3f}] s; "
          f"NumPy / flow {med['numpy'] / med['solve']:.2f}, gd / flow {med['gd'] / med['solve']:.2f}")
    # On a shared VM the host's noise only ever adds time, and a 0.2 s process feels it more than
    # a loop inside a warm interpreter: the ratios of the fastest runs are the steadier reading.
    low = {k: min(t) for k, t in times.items()}
    print(f"Fastest runs: NumPy / flow {low['numpy'] / low['flow']:.2f} (without reading "
          f"{low['numpy'] / low['solve']:.2f}), gd / flow {low['gd'] / low['flow']:.2f}; "
          f"at rtol {LOOSE_RTOL:g}: NumPy / flow {med['numpy'] / med['loose']:.2f} (medians), "
          f"{low['numpy'] / low['loose']:.2f} (fastest)")



if __name__ == "__main__":
    main()
