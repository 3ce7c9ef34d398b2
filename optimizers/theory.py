"""Convergence theory on a quadratic bowl, to set beside what ``simulate()`` measures.

Symbols (the page uses the same ones): curvatures are Hessian eigenvalues ``λ``, the largest ``L``
and the smallest ``m``, with condition number ``κ = L / m``; ``γ`` is the learning rate, ``μ`` the
momentum coefficient, and ``r`` the rate, the factor by which the distance to the minimum shrinks per
step.  (``ρ`` is kept for the decay of RMSprop's and AdaDelta's averages.)

On ``f(θ) = ½ (θ - θ*)ᵀ H (θ - θ*)`` every coordinate along an eigenvector evolves on its own, as a
linear recurrence whose characteristic roots ``z`` set the rate ``r = max |z|``:

* gradient descent multiplies each coordinate by ``1 - γλ``; the best fixed step ``γ = 2 / (L + m)``
  gives ``r = (κ - 1) / (κ + 1)``; it is stable for ``0 < γλ < 2``;
* the heavy ball as PyTorch writes it (``b ← μ b + g``, ``θ ← θ - γ b``, which is Polyak's
  ``θ ← θ - γ ∇f + μ (θ - θ_prev)``) obeys ``z² - (1 + μ - γλ) z + μ = 0``.  The Jury (Schur-Cohn)
  test for ``z² + a₁z + a₀`` (roots inside the unit circle iff ``|a₀| < 1`` and ``1 ± a₁ + a₀ > 0``)
  gives ``γλ > 0`` and ``γλ < 2 + 2μ``: momentum widens the stable range of steps.  With
  ``γ = 4 / (√L + √m)²`` and ``μ = ((√κ - 1) / (√κ + 1))²`` every root has modulus
  ``(√κ - 1) / (√κ + 1)`` (Polyak 1964);
* Nesterov in the look-ahead form the code uses (``v ← μ v + γ ∇f(θ - μ v)``, ``θ ← θ - v``) is,
  with ``y = θ + μ (θ - θ_prev)``, the iteration ``θ⁺ = y - γ ∇f(y)`` of Lessard, Recht & Packard
  (2016) with their ``α = γ`` and ``β = μ``; per curvature ``z² - (1 + μ)(1 - γλ) z + μ (1 - γλ) = 0``,
  stable for ``0 < γλ < (2 + 2μ) / (1 + 2μ)``.  Their best setting for quadratics is
  ``γ = 4 / (3L + m)``, ``μ = (√(3κ+1) - 2) / (√(3κ+1) + 2)`` with ``r = 1 - 2 / √(3κ+1)``: a double
  root at ``λ = m`` and a root ``-(1 - 2/√(3κ+1))`` at ``λ = L``.  That is slower than the tuned heavy
  ball; Nesterov's advantage is a guarantee on every smooth, strongly convex function, where the heavy
  ball can fail.

References: B. T. Polyak (1964), "Some methods of speeding up the convergence of iteration methods";
Yu. Nesterov, Lectures on Convex Optimization (2018), section 2.1; L. Lessard, B. Recht & A. Packard
(2016), "Analysis and design of optimization algorithms via integral quadratic constraints", SIAM J.
Optim. 26(1), section 2; G. Goh (2017), "Why momentum really works", Distill.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from landscapes.base import Landscape
from optimizers.trajectory import Trajectory

Array = np.ndarray
UNDERFLOW = 1e-200   # measured rates stop once the distance has shrunk by this factor


@dataclass(frozen=True)
class Curvature:
    """Extreme curvatures of a quadratic bowl."""

    L: float             # largest Hessian eigenvalue
    m: float             # smallest Hessian eigenvalue

    @property
    def kappa(self) -> float:
        """Condition number ``L / m``."""
        return self.L / self.m


@dataclass(frozen=True)
class Tuning:
    """A fixed setting of an optimizer and the contraction per step that theory predicts for it."""

    optimizer: str
    hyper: dict[str, float]
    rate: float


def curvature(landscape: Landscape) -> Curvature:
    """Hessian eigenvalues at the first listed minimum (exact everywhere for a quadratic such as the ravine)."""
    lam = np.linalg.eigvalsh(landscape.hessian(landscape.minima[:1])[0])
    return Curvature(L=float(lam[-1]), m=float(lam[0]))


def gd_tuning(c: Curvature) -> Tuning:
    """Gradient descent's best fixed step ``2 / (L + m)`` and its rate ``(κ - 1) / (κ + 1)``."""
    return Tuning("gd", {"lr": 2.0 / (c.L + c.m)}, (c.kappa - 1.0) / (c.kappa + 1.0))


def heavy_ball_tuning(c: Curvature) -> Tuning:
    """Polyak's best heavy-ball setting in PyTorch's convention and its rate ``(√κ - 1) / (√κ + 1)``."""
    root = math.sqrt(c.kappa)
    rate = (root - 1.0) / (root + 1.0)
    return Tuning("momentum", {"lr": 4.0 / (math.sqrt(c.L) + math.sqrt(c.m)) ** 2, "momentum": rate**2}, rate)


def nesterov_tuning(c: Curvature) -> Tuning:
    """Best constant Nesterov setting on a quadratic (Lessard, Recht & Packard 2016) and its rate.

    ``γ = 4 / (3L + m)``, ``μ = (√(3κ+1) - 2) / (√(3κ+1) + 2)``, ``r = 1 - 2 / √(3κ+1)``.
    """
    s = math.sqrt(3.0 * c.kappa + 1.0)
    return Tuning("nag", {"lr": 4.0 / (3.0 * c.L + c.m), "momentum": (s - 2.0) / (s + 2.0)}, 1.0 - 2.0 / s)


def root_modulus(a1: Array | float, a0: Array | float) -> Array:
    """Largest modulus of the roots of ``z² - a₁ z + a₀`` (elementwise over arrays)."""
    a1, a0 = np.asarray(a1, dtype=np.float64), np.asarray(a0, dtype=np.float64)
    disc = a1 * a1 - 4.0 * a0
    root = np.sqrt(np.abs(disc))
    real = np.maximum(np.abs(a1 + root), np.abs(a1 - root)) / 2.0
    return np.where(disc < 0, np.sqrt(np.abs(a0)), real)


def heavy_ball_modulus(lam: Array | float, lr: Array | float, momentum: Array | float = 0.0) -> Array:
    """Contraction per step of the heavy ball along one curvature ``λ``: roots of ``z² - (1 + μ - γλ) z + μ``."""
    lam, lr, momentum = (np.asarray(v, dtype=np.float64) for v in (lam, lr, momentum))
    return root_modulus(1.0 + momentum - lr * lam, momentum)


def nesterov_modulus(lam: Array | float, lr: Array | float, momentum: Array | float) -> Array:
    """Contraction per step of look-ahead Nesterov along ``λ``: roots of ``z² - (1+μ)(1-γλ) z + μ(1-γλ)``."""
    lam, lr, momentum = (np.asarray(v, dtype=np.float64) for v in (lam, lr, momentum))
    a = 1.0 - lr * lam
    return root_modulus((1.0 + momentum) * a, momentum * a)


def heavy_ball_rate(c: Curvature, lr: float, momentum: float = 0.0) -> float:
    """Asymptotic rate of the heavy ball (gradient descent when ``momentum = 0``) on curvatures in ``[m, L]``.

    The largest root modulus over ``λ ∈ {m, L}``: the modulus falls and then rises along ``λ``, so the
    ends of the curvature range decide it (``tests/test_theory.py`` checks this against a dense grid).
    """
    return float(np.max(heavy_ball_modulus(np.array([c.m, c.L]), lr, momentum)))


def nesterov_rate(c: Curvature, lr: float, momentum: float) -> float:
    """Asymptotic rate of look-ahead Nesterov on curvatures in ``[m, L]`` (decided at the two ends)."""
    return float(np.max(nesterov_modulus(np.array([c.m, c.L]), lr, momentum)))


def gd_max_lr(L: float, momentum: float = 0.0) -> float:
    """Largest stable learning rate of gradient descent for curvature ``L``: ``2/L`` (it has no momentum)."""
    return 2.0 / L


def heavy_ball_max_lr(L: float, momentum: float = 0.0) -> float:
    """Largest stable learning rate of the heavy ball for curvature ``L``: ``(2+2μ)/L``."""
    return (2.0 + 2.0 * momentum) / L


def nesterov_max_lr(L: float, momentum: float = 0.0) -> float:
    """Largest stable learning rate of look-ahead Nesterov for curvature ``L``: ``(2+2μ)/((1+2μ) L)``."""
    return (2.0 + 2.0 * momentum) / ((1.0 + 2.0 * momentum) * L)


@dataclass(frozen=True)
class Quadratic:
    """What theory predicts for one method on a quadratic bowl; the method's registry entry holds it.

    A run with a larger learning rate than ``max_lr`` diverges along the curvature ``L``; ``tuning`` gives the
    best constant setting with its rate and ``rate`` the rate of any setting (``γ``, ``μ``).  ``label`` and
    ``latex`` are how the theory lab writes the method and those formulas.
    """

    label: str
    latex: str
    tuning: Callable[[Curvature], Tuning]
    rate: Callable[[Curvature, float, float], float]
    max_lr: Callable[[float, float], float]


GRADIENT_DESCENT = Quadratic(
    "gradient descent",
    r"\gamma^\star = \frac{2}{L+m},\quad r = \frac{\kappa-1}{\kappa+1}\qquad\text{stable for } \gamma L < 2",
    gd_tuning, heavy_ball_rate, gd_max_lr)
HEAVY_BALL = Quadratic(
    "heavy ball",
    r"\gamma^\star = \frac{4}{(\sqrt L+\sqrt m)^2},\ \mu^\star = \Bigl(\frac{\sqrt\kappa-1}{\sqrt\kappa+1}\Bigr)^2,\ "
    r"r = \frac{\sqrt\kappa-1}{\sqrt\kappa+1}\qquad\text{stable for } \gamma L < 2 + 2\mu",
    heavy_ball_tuning, heavy_ball_rate, heavy_ball_max_lr)
NESTEROV = Quadratic(
    "Nesterov",
    r"\gamma^\star = \frac{4}{3L+m},\ \mu^\star = \frac{\sqrt{3\kappa+1}-2}{\sqrt{3\kappa+1}+2},\ "
    r"r = 1 - \frac{2}{\sqrt{3\kappa+1}}",
    nesterov_tuning, nesterov_rate, nesterov_max_lr)


def sgd_noise_floor(c: Curvature, lr: float, noise: float) -> float:
    """Expected loss gap of gradient descent with isotropic gradient noise ``σ`` at stationarity.

    Per curvature ``λ``: ``x ← (1 - γλ) x - γσξ`` has variance ``γσ² / (λ (2 - γλ))``, so the loss
    ``½λx²`` averages ``γσ² / (2 (2 - γλ))``; summed over the two curvatures ``m`` and ``L``
    (``inf`` outside the stable range).
    """
    lam = np.array([c.m, c.L])
    if not np.all((lr * lam > 0) & (lr * lam < 2)):
        return math.inf
    return float(np.sum(lr * noise**2 / (2.0 * (2.0 - lr * lam))))


def measured_rates(traj: Trajectory, minimum: Array) -> Array:
    """:func:`measured_rate` for every start of ``traj`` at once, shape ``(n,)``."""
    diff = traj.points - np.asarray(minimum, dtype=np.float64)
    d = np.hypot(diff[..., 0], diff[..., 1])                        # (steps + 1, n)
    if np.any(d[0] == 0.0):
        raise ValueError("Invalid start: it is already the minimum, so no rate can be measured")
    tiny = d <= UNDERFLOW * d[0]
    end = np.where(tiny.any(axis=0), tiny.argmax(axis=0), d.shape[0] - 1)
    last = d[end, np.arange(d.shape[1])]
    with np.errstate(divide="ignore"):
        rate = np.where(last == 0.0, 0.0, (last / d[0]) ** (1.0 / np.maximum(end, 1)))
    return np.where(traj.diverged_at >= 0, np.inf, rate)


def measured_rate(traj: Trajectory, minimum: Array, index: int = 0) -> float:
    """Geometric mean of the per-step distance ratio ``‖θ_t - θ*‖ / ‖θ_{t-1} - θ*‖`` over the run.

    That is ``(d_T / d_0)^(1/T)``; the run is cut at the first step whose distance is below
    ``UNDERFLOW`` times the start's (before floating point underflows), which may be an exact hit
    (a rate of 0).  A diverged run gives ``inf``.
    """
    diff = traj.points[:, index] - np.asarray(minimum, dtype=np.float64)
    if not np.any(diff[0]):
        raise ValueError("Invalid start: it is already the minimum, so no rate can be measured")
    sub = replace(traj, points=traj.points[:, index:index + 1], diverged_at=traj.diverged_at[index:index + 1])
    return float(measured_rates(sub, minimum)[0])


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
