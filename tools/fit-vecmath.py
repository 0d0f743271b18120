#!/usr/bin/env python3
"""Fits the polynomial coefficients of org.synesthesia.kernel.VecMath (needs numpy and mpmath).

Each fit minimises the relative error on Chebyshev-distributed points by least squares, then reweights the points
by their error (30-40 rounds), which pushes the solution towards the minimax one. Prints float32 coefficients,
lowest degree first, and the maximum relative error before float rounding:
  exp(r) on |r| <= ln2/2, degree 6;
  erf(z)/z as a polynomial in u = z^2 on |z| < 1, degree 6;
  erfc(a) exp(a^2) / t as a polynomial in t = 1/(1 + a/2) on 0.5 <= a <= 10, degree 9.
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 40


def fit(x, y, deg, rounds=40):
    w = np.ones(len(x))
    for _ in range(rounds):
        a = np.vander(x, deg + 1, increasing=True) / y[:, None]
        c, *_ = np.linalg.lstsq(a * w[:, None], w, rcond=None)
        err = a @ c - 1
        w = w * (1 + 50 * np.abs(err) / np.abs(err).max())
    return c, np.abs(err).max()


def cheb(lo, hi, n=4000):
    return lo + (1 - np.cos(np.pi * (np.arange(n) + 0.5) / n)) / 2 * (hi - lo)


def show(name, c, err):
    print(f"{name}: max relative error {err:.2e}")
    print("  " + ", ".join(repr(float(np.float32(v))) + "f" for v in c))


h = float(mp.log(2)) / 2
r = cheb(-h, h)
show("exp(r), degree 6", *fit(r, np.exp(r), 6))

u = cheb(0, 1.0)
y = np.array([float(mp.erf(mp.sqrt(v)) / mp.sqrt(v)) if v > 0 else float(2 / mp.sqrt(mp.pi)) for v in u])
show("erf(z) = z P(z^2), |z| < 1", *fit(u, y, 6, 30))

p, a0, a1 = 0.5, 0.5, 10.0
t = cheb(1 / (1 + p * a1), 1 / (1 + p * a0), 3000)
a = (1 / t - 1) / p
y = np.array([float(mp.erfc(v) * mp.exp(v * v)) / tv for v, tv in zip(a, t)])
show("erfc(a) = exp(-a^2) t Q(t), t = 1/(1 + a/2), a >= 0.5", *fit(t, y, 9))
