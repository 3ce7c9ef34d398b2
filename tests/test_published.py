"""Published worked examples, reproduced through the app's own surfaces and ``simulate()``.

Each test names its source.  The numbers asserted are the ones the source prints (closed forms that
the source states for the setting reproduced here), evaluated at the stated parameters.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers import theory


def test_boyd_vandenberghe_gradient_descent_iterates_on_a_2d_quadratic():
    """Boyd & Vandenberghe, Convex Optimization (2004), section 9.3.2, eq. (9.20).

    For f(x) = ½(x₁² + γx₂²) from x⁽⁰⁾ = (γ, 1), gradient descent with exact line search gives
    x₁⁽ᵏ⁾ = γ((γ-1)/(γ+1))ᵏ and x₂⁽ᵏ⁾ = (-(γ-1)/(γ+1))ᵏ; figure 9.2 draws the case γ = 10.
    Along these iterates the exact line-search step is always t = 2/(1+γ), so gd with that learning
    rate walks the same points.
    """
    g = 10.0
    land = landscapes.from_formula("0.5*(x**2 + 10*y**2)", bounds=((-12.0, 12.0), (-3.0, 3.0)))
    tr = optimizers.simulate(land, "gd", [g, 1.0], 30, lr=2 / (1 + g))
    q = (g - 1) / (g + 1)
    k = np.arange(31)
    printed = np.stack([g * q**k, (-q) ** k], axis=-1)
    assert np.allclose(tr.points[:, 0], printed, rtol=1e-12, atol=1e-15)
    # the step is what an exact line search picks: t = gᵀg / gᵀHg at every iterate
    grads = land.grad(tr.points[:-1, 0])
    hess = land.hessian(tr.points[:-1, 0])
    exact = np.sum(grads * grads, -1) / np.einsum("ti,tij,tj->t", grads, hess, grads)
    assert np.allclose(exact, 2 / (1 + g), rtol=1e-12)
    # f(x⁽ᵏ⁾) = ((γ-1)/(γ+1))^(2k) f(x⁽⁰⁾), the text's geometric decrease
    assert np.allclose(tr.loss[:, 0], q ** (2 * k) * tr.loss[0, 0], rtol=1e-10)


def test_nesterov_book_gradient_descent_rate_at_its_best_step_kappa_100():
    """Nesterov, Lectures on Convex Optimization (2018), theorem 2.1.15: with h = 2/(L+μ),
    ‖x_k - x*‖ ≤ ((κ-1)/(κ+1))ᵏ ‖x_0 - x*‖; on a quadratic the bound is attained, 99/101 at κ = 100."""
    land = landscapes.get("ravine", condition=100.0, angle=30.0)
    c = theory.curvature(land)
    tuning = theory.gd_tuning(c)
    assert tuning.rate == pytest.approx(99 / 101, rel=1e-12)
    tr = optimizers.simulate(land, "gd", land.start, 400, **tuning.hyper)
    assert theory.measured_rate(tr, land.minima[0]) == pytest.approx(99 / 101, rel=1e-9)
    d = np.linalg.norm(tr.points[:, 0] - land.minima[0], axis=-1)
    assert np.all(d <= (99 / 101) ** np.arange(401) * d[0] * (1 + 1e-9))


def test_polyak_heavy_ball_rate_kappa_100_as_in_goh():
    """Polyak (1964); Goh, "Why momentum really works" (Distill 2017): with α = (2/(√λ₁+√λₙ))² and
    β = ((√κ-1)/(√κ+1))² the rate is (√κ-1)/(√κ+1), 9/11 at κ = 100, against 99/101 for GD."""
    land = landscapes.get("ravine", condition=100.0, angle=30.0)
    c = theory.curvature(land)
    tuning = theory.heavy_ball_tuning(c)
    assert tuning.hyper["lr"] == pytest.approx((2 / (1 + 0.1)) ** 2, rel=1e-12)
    assert tuning.hyper["momentum"] == pytest.approx((9 / 11) ** 2, rel=1e-12)
    assert tuning.rate == pytest.approx(9 / 11, rel=1e-12)
    tr = optimizers.simulate(land, "momentum", land.start, 1500, **tuning.hyper)
    assert theory.measured_rate(tr, land.minima[0]) == pytest.approx(9 / 11, rel=0.01)


def test_lessard_recht_packard_nesterov_rate_on_quadratics_kappa_100():
    """Lessard, Recht & Packard (2016), SIAM J. Optim. 26(1), section 2: Nesterov's method with
    α = 4/(3L+m), β = (√(3κ+1)-2)/(√(3κ+1)+2) converges on quadratics at ρ = 1 - 2/√(3κ+1)."""
    land = landscapes.get("ravine", condition=100.0, angle=30.0)
    tuning = theory.nesterov_tuning(theory.curvature(land))
    assert tuning.hyper["lr"] == pytest.approx(4 / (3 + 0.01), rel=1e-12)
    assert tuning.hyper["momentum"] == pytest.approx((math.sqrt(301) - 2) / (math.sqrt(301) + 2), rel=1e-12)
    assert tuning.rate == pytest.approx(1 - 2 / math.sqrt(301), rel=1e-12)
    tr = optimizers.simulate(land, "nag", land.start, 1500, **tuning.hyper)
    assert theory.measured_rate(tr, land.minima[0]) == pytest.approx(1 - 2 / math.sqrt(301), rel=0.01)


def test_boyd_vandenberghe_newton_step_is_the_exact_minimizer_of_a_quadratic():
    """Boyd & Vandenberghe (2004), section 9.5.1: if f is quadratic, x + Δx_nt is the exact minimizer of f."""
    land = landscapes.from_formula("2*x**2 + x*y + y**2 - 3*x + y")      # minimum at (1, -1)
    for start in ([2.5, 2.0], [-2.0, -2.9], [0.3, 1.7]):
        tr = optimizers.simulate(land, "newton", start, 1)
        assert np.allclose(tr.points[1, 0], [1.0, -1.0], atol=1e-12)
