#!/usr/bin/env python3
"""Would another explicit step rule need fewer right-hand sides on the flagship's factor flow?

An independent NumPy model of the flagship run (100x100, rank 5, 2000 observed, depth 3, the
balanced factors of Arora et al.'s start of scale 1e-3, stopped at train MSE <= 1e-6): the flow
W' = -grad E(W) of E = 1/2 sum_Omega ((W3 W2 W1)_ij - M_ij)^2, with the error norm of the
library's integrators (RMS of e_i / (atol + rtol max(|y0_i|, |y1_i|)), atol carried to the
factors' scale as `riemopt complete` carries it). It counts right-hand sides for:

  rkc           RKC2 with the library's rules (stages from h rho, the error estimate of
                Sommeijer, Shampine & Verwer, step factor 0.8 err^(-1/3)): the baseline, which
                should land near the library's own count;
  rkc-predict   the same with a predictive (Gustafsson) step factor,
                s (h_n / h_{n-1}) err_{n-1}^(1/3) / err_n^(2/3), at safety s = 0.8 and 0.9;
  rkc+bs3       RKC2 that hands over to Bogacki-Shampine 3(2) while a BS3 step of the size the
                error asks for is stable (h rho <= 2), and back when it is not;
  dp5 to t      Dormand-Prince 5(4) with the same RMS norm, up to the time the transient ends
                (t = 0.94 and 1.63), against RKC's count to the same time.

    PYTHONPATH=build/python OPENBLAS_NUM_THREADS=1 python3 bench/integrator_probe.py [rtol]

Nothing here is the library's code path; its point is the relative counts (docs/BENCHMARKS.md).
"""
import math
import sys

import numpy as np

import riemopt as ro

TARGET = 1e-6


class FactorFlow:
    def __init__(self, rtol):
        self.truth, self.i, self.j, self.v = ro.completion_instance(
            100, 100, rank=5, observations=2000, seed=1)
        x0 = ro.gaussian_product_start(100, 100, depth=3, scale=1e-3, seed=1)
        space = ro.ParameterSpace([100, 100, 100, 100])
        self.w0 = np.asarray(space.balanced_factorization(x0, seed=1))
        self.shapes = [f.shape for f in space.factors(self.w0)]
        self.rhs = 0
        self.residual = np.zeros((100, 100))
        w1, w2, w3 = self.unpack(self.w0)
        product = w3 @ w2 @ w1
        self.rtol = rtol
        self.atol = 1e-8 * math.sqrt(np.mean(self.w0 ** 2) / np.mean(product ** 2))

    def unpack(self, y):  # column-major factors W1, W2, W3, one after the other
        out, offset = [], 0
        for rows, cols in self.shapes:
            out.append(y[offset:offset + rows * cols].reshape((cols, rows)).T)
            offset += rows * cols
        return out

    def field(self, y):
        self.rhs += 1
        w1, w2, w3 = self.unpack(y)
        p2 = w2 @ w1
        self.residual[self.i, self.j] = (w3 @ p2)[self.i, self.j] - self.v
        u = w3.T @ self.residual
        grads = (w2.T @ u, u @ w1.T, self.residual @ p2.T)
        return -np.concatenate([g.T.ravel() for g in grads])

    def train_mse(self, y):
        w1, w2, w3 = self.unpack(y)
        r = (w3 @ w2 @ w1)[self.i, self.j] - self.v
        return float(r @ r) / len(self.v)

    def norm(self, e, y0, y1):
        scale = self.atol + self.rtol * np.maximum(np.abs(y0), np.abs(y1))
        return math.sqrt(np.mean((e / scale) ** 2))

    def spectral_radius(self, y, f, direction):
        delta = math.sqrt(np.finfo(float).eps) * max(1.0, np.linalg.norm(y))
        rho = 0.0
        for iteration in range(20):
            probe = y + delta / np.linalg.norm(direction) * direction
            direction = (self.field(probe) - f) / delta
            estimate = np.linalg.norm(direction)
            settled = iteration > 0 and abs(estimate - rho) <= 0.05 * estimate
            rho = estimate
            if settled:
                break
        return 1.2 * rho, direction


def rkc_coefficients(s):
    damping = 2 / 13
    w0 = 1 + damping / s ** 2
    t, dt, ddt = [1, w0], [0, 1], [0, 0]
    for k in range(2, s + 1):
        t.append(2 * w0 * t[k - 1] - t[k - 2])
        dt.append(2 * t[k - 1] + 2 * w0 * dt[k - 1] - dt[k - 2])
        ddt.append(4 * dt[k - 1] + 2 * w0 * ddt[k - 1] - ddt[k - 2])
    w1 = dt[s] / ddt[s]
    b = [0.0] * (s + 1)
    for k in range(2, s + 1):
        b[k] = ddt[k] / dt[k] ** 2
    b[0] = b[1] = b[2]
    mu, nu, mu_t, gamma_t = ([0.0] * (s + 1) for _ in range(4))
    mu_t[1] = b[1] * w1
    for k in range(2, s + 1):
        mu[k] = 2 * b[k] * w0 / b[k - 1]
        nu[k] = -b[k] / b[k - 2]
        mu_t[k] = 2 * b[k] * w1 / b[k - 1]
        gamma_t[k] = -(1 - b[k - 1] * t[k - 1]) * mu_t[k]
    return mu, nu, mu_t, gamma_t


def rkc_step(flow, y, f, h, s):
    mu, nu, mu_t, gamma_t = rkc_coefficients(s)
    previous, before = y + mu_t[1] * h * f, y
    for k in range(2, s + 1):
        stage = ((1 - mu[k] - nu[k]) * y + mu[k] * previous + nu[k] * before
                 + mu_t[k] * h * flow.field(previous) + gamma_t[k] * h * f)
        before, previous = previous, stage
    f1 = flow.field(previous)
    return previous, f1, flow.norm((12 * (y - previous) + 6 * h * (f + f1)) / 15, y, previous)


def bs3_step(flow, y, f, h):
    k2 = flow.field(y + h / 2 * f)
    k3 = flow.field(y + 3 * h / 4 * k2)
    y1 = y + h * (2 / 9 * f + 1 / 3 * k2 + 4 / 9 * k3)
    k4 = flow.field(y1)
    e = h * (-5 / 72 * f + 1 / 12 * k2 + 1 / 9 * k3 - 1 / 8 * k4)
    return y1, k4, flow.norm(e, y, y1)


DP5_A = [[], [1 / 5], [3 / 40, 9 / 40], [44 / 45, -56 / 15, 32 / 9],
         [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
         [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
         [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]]
DP5_E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40]


def dp5_step(flow, y, f, h):
    k = [f]
    for row in DP5_A[1:]:
        k.append(flow.field(y + h * sum(a * kk for a, kk in zip(row, k))))
    y1 = y + h * sum(a * kk for a, kk in zip(DP5_A[6], k))  # k[6] = f(y1): first same as last
    return y1, k[6], flow.norm(h * sum(c * kk for c, kk in zip(DP5_E, k)), y, y1)


def run_rkc(rtol, predictive=False, safety=0.8, bs3=False, until=math.inf):
    flow = FactorFlow(rtol)
    y = flow.w0.copy()
    f = flow.field(y)
    rho, direction = flow.spectral_radius(y, f, f)
    t, h, since, steps, rejected = 0.0, 1e-2, 0, 0, 0
    previous_error = previous_h = None
    method = "rkc"
    while t < until:
        if since >= 25:
            rho, direction = flow.spectral_radius(y, f, direction)
            since = 0
        if method == "bs3":
            h = min(h, 2.0 / rho, until - t)
            y1, f1, error = bs3_step(flow, y, f, h)
        else:
            h = min(h, 0.653 * 250 ** 2 / rho, until - t)
            stages = max(2, min(250, int(1 + math.floor(math.sqrt(1 + 1.54 * h * rho)))))
            y1, f1, error = rkc_step(flow, y, f, h, stages)
        if error > 1:
            h *= max(0.2, 0.8 * error ** (-1 / 3))
            rejected += 1
            rho, direction = flow.spectral_radius(y, f, direction)
            since = 0
            previous_error = None
            continue
        error = max(error, 1e-10)
        factor = safety * error ** (-1 / 3)
        if predictive and previous_error is not None:
            factor = safety * (h / previous_h) * previous_error ** (1 / 3) / error ** (2 / 3)
        previous_error, previous_h = error, h
        t += h
        y, f = y1, f1
        steps += 1
        since += 1
        h *= min(5.0, max(0.2, factor))
        if bs3:  # BS3 while its step is stable, RKC where stability would bind it
            method = "bs3" if (method == "rkc" and stages == 2 and h * rho <= 2.0) or (
                method == "bs3" and h * rho <= 2.0) else "rkc"
        if until == math.inf and flow.train_mse(y) <= TARGET:
            break
    return flow.rhs, steps, rejected, t


def run_dp5(rtol, until):
    flow = FactorFlow(rtol)
    y = flow.w0.copy()
    f = flow.field(y)
    t, h, steps, rejected = 0.0, 1e-2, 0, 0
    while t < until:
        h = min(h, until - t)
        y1, f1, error = dp5_step(flow, y, f, h)
        if error > 1:
            h *= max(0.2, 0.9 * error ** (-1 / 5))
            rejected += 1
            continue
        t += h
        y, f = y1, f1
        steps += 1
        h *= min(5.0, max(0.2, 0.9 * max(error, 1e-10) ** (-1 / 5)))
    return flow.rhs, steps, rejected, t


def main():
    rtol = float(sys.argv[1]) if len(sys.argv) > 1 else 1e-4
    print(f"rtol {rtol}, atol 1e-8 in the entries' units")
    print("| step rule | RHS | steps | rejected | flow time |")
    print("|---|---|---|---|---|")
    rows = [("rkc (the library's rules)", run_rkc(rtol)),
            ("rkc-predict, safety 0.8", run_rkc(rtol, predictive=True)),
            ("rkc-predict, safety 0.9", run_rkc(rtol, predictive=True, safety=0.9)),
            ("rkc, safety 0.9", run_rkc(rtol, safety=0.9)),
            ("rkc+bs3", run_rkc(rtol, bs3=True))]
    for until in (0.94, 1.63):
        rows.append((f"rkc to t = {until}", run_rkc(rtol, until=until)))
        rows.append((f"dp5 to t = {until}", run_dp5(rtol, until)))
    for name, (rhs, steps, rejected, t) in rows:
        print(f"| {name} | {rhs} | {steps} | {rejected} | {t:.3f} |", flush=True)


if __name__ == "__main__":
    main()
