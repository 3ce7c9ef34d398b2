"""Convergence theory on a quadratic bowl, to set beside what ``simulate()`` measures.

On ``f(θ) = ½ (θ - θ*)ᵀ H (θ - θ*)`` with curvatures (Hessian eigenvalues) between ``μ`` and
``L`` and condition number ``κ = L / μ``, every coordinate along an eigenvector evolves on its own,
so the distance to ``θ*`` shrinks geometrically:

* gradient descent with step ``γ`` multiplies each coordinate by ``1 - γλ``; the best fixed step
  ``γ = 2 / (L + μ)`` balances the flattest and the steepest direction and gives the rate
  ``(κ - 1) / (κ + 1)``;
* the heavy ball, written as PyTorch writes it (``b ← μ_m b + g``, ``θ ← θ - γ b``, which is Polyak's
  ``θ ← θ - γ ∇f + μ_m (θ - θ_prev)``), obeys ``z² - (1 + μ_m - γλ) z + μ_m = 0`` per curvature ``λ``;
  with ``γ = 4 / (√L + √μ)²`` and ``μ_m = ((√κ - 1) / (√κ + 1))²`` every root has modulus
  ``(√κ - 1) / (√κ + 1)``: the square root of κ replaces κ.

References: B. T. Polyak (1964), "Some methods of speeding up the convergence of iteration methods";
Yu. Nesterov, Lectures on Convex Optimization (2018), section 2.1; G. Goh (2017), "Why momentum really
works", Distill.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from landscapes.base import Landscape
from optimizers.simulate import Trajectory

Array = np.ndarray
UNDERFLOW = 1e-200   # measured rates stop once the distance has shrunk by this factor


@dataclass(frozen=True)
class Curvature:
    """Extreme curvatures of a quadratic bowl."""

    L: float             # largest Hessian eigenvalue
    mu: float            # smallest Hessian eigenvalue

    @property
    def kappa(self) -> float:
        """Condition number ``L / μ``."""
        return self.L / self.mu


@dataclass(frozen=True)
class Tuning:
    """A fixed setting of an optimizer and the contraction per step that theory predicts for it."""

    optimizer: str
    hyper: dict[str, float]
    rate: float


def curvature(landscape: Landscape) -> Curvature:
    """Hessian eigenvalues at the first listed minimum (exact everywhere for a quadratic such as the ravine)."""
    lam = np.linalg.eigvalsh(landscape.hessian(landscape.minima[:1])[0])
    return Curvature(L=float(lam[-1]), mu=float(lam[0]))


def gd_tuning(c: Curvature) -> Tuning:
    """Gradient descent's best fixed step ``2 / (L + μ)`` and its rate ``(κ - 1) / (κ + 1)``."""
    return Tuning("gd", {"lr": 2.0 / (c.L + c.mu)}, (c.kappa - 1.0) / (c.kappa + 1.0))


def heavy_ball_tuning(c: Curvature) -> Tuning:
    """Polyak's best heavy-ball setting in PyTorch's convention and its rate ``(√κ - 1) / (√κ + 1)``."""
    root = math.sqrt(c.kappa)
    rate = (root - 1.0) / (root + 1.0)
    return Tuning("momentum", {"lr": 4.0 / (math.sqrt(c.L) + math.sqrt(c.mu)) ** 2, "momentum": rate**2}, rate)


def heavy_ball_rate(c: Curvature, lr: float, momentum: float = 0.0) -> float:
    """Asymptotic contraction per step of the heavy ball (gradient descent when ``momentum = 0``).

    The largest root modulus of ``z² - (1 + μ_m - γλ) z + μ_m`` over ``λ ∈ {μ, L}`` (the extremes
    decide it, because the modulus is largest at the ends of the curvature range).
    """
    lam = np.array([c.mu, c.L])
    a = 1.0 + momentum - lr * lam
    disc = a * a - 4.0 * momentum
    real = np.maximum(np.abs(a + np.sqrt(np.maximum(disc, 0.0))), np.abs(a - np.sqrt(np.maximum(disc, 0.0)))) / 2
    return float(np.max(np.where(disc < 0, math.sqrt(momentum), real)))


def measured_rate(traj: Trajectory, minimum: Array, index: int = 0) -> float:
    """Geometric mean of the per-step distance ratio ``‖θ_t - θ*‖ / ‖θ_{t-1} - θ*‖`` over the run.

    That is ``(d_T / d_0)^(1/T)``; the run is cut at the first step whose distance is below
    ``UNDERFLOW`` times the start's (before floating point underflows), which may be an exact hit
    (a rate of 0).  A diverged run gives ``inf``.
    """
    if traj.diverged_at[index] >= 0:
        return math.inf
    diff = traj.points[:, index] - np.asarray(minimum, dtype=np.float64)
    d = np.hypot(diff[:, 0], diff[:, 1])           # no squares, so no underflow down to the cut
    if d[0] == 0.0:
        raise ValueError("Invalid start: it is already the minimum, so no rate can be measured")
    tiny = np.flatnonzero(d <= UNDERFLOW * d[0])
    end = int(tiny[0]) if tiny.size else len(d) - 1
    if d[end] == 0.0:
        return 0.0
    return float((d[end] / d[0]) ** (1.0 / end))


def steps_to_shrink(rate: float, factor: float = 1e-6) -> float:
    """Steps a contraction ``rate`` needs to shrink the distance by ``factor``; ``inf`` if it never does."""
    if rate >= 1.0:
        return math.inf
    if rate <= 0.0:
        return 1.0
    return math.log(factor) / math.log(rate)


def shrink_step(traj: Trajectory, minimum: Array, factor: float = 1e-6, index: int = 0) -> int:
    """First step whose distance to ``minimum`` is at most ``factor`` times the start's, or -1 if none is."""
    diff = traj.points[:, index] - np.asarray(minimum, dtype=np.float64)
    d = np.hypot(diff[:, 0], diff[:, 1])
    hit = d <= factor * d[0]            # a diverged run is frozen at a point it reached before, so no false hit
    return int(np.argmax(hit)) if hit.any() else -1
