"""Convergence theory on quadratics against the rates ``simulate()`` measures."""
from __future__ import annotations

import math

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers import rules, studies, theory


def ravine(condition: float, angle: float = 0.0) -> landscapes.Landscape:
    return landscapes.get("ravine", condition=condition, angle=angle)


def measured(land: landscapes.Landscape, name: str, steps: int, **hyper) -> float:
    tr = optimizers.simulate(land, name, land.start, steps, **hyper)
    return theory.measured_rate(tr, land.minima[0])


@pytest.mark.parametrize("condition", [1.0, 10.0, 250.0])
@pytest.mark.parametrize("angle", [0.0, 35.0, -80.0])
def test_ravine_curvatures_are_one_and_one_over_condition(condition, angle):
    c = theory.curvature(ravine(condition, angle))
    assert abs(c.L - 1.0) < 1e-12
    assert c.m == pytest.approx(1.0 / condition, rel=1e-9)
    assert c.kappa == pytest.approx(condition, rel=1e-9)


def test_curvature_of_linear_regression_is_its_gram_matrix():
    land = landscapes.get("linear_regression")
    c = theory.curvature(land)
    p = np.array([[0.3, -0.7]])
    assert np.allclose(np.linalg.eigvalsh(land.hessian(p)[0]), [c.m, c.L])


@pytest.mark.parametrize("condition", [10.0, 50.0, 200.0])
def test_gd_at_its_best_step_contracts_exactly_at_the_predicted_rate(condition):
    land = ravine(condition, angle=20.0)
    tuning = theory.gd_tuning(theory.curvature(land))
    assert measured(land, "gd", 300, **tuning.hyper) == pytest.approx(tuning.rate, rel=1e-9)


@pytest.mark.parametrize("factor", [0.9, 0.97, 1.03])
def test_gd_best_step_is_best(factor):
    land = ravine(50.0)
    tuning = theory.gd_tuning(theory.curvature(land))
    assert measured(land, "gd", 300, lr=tuning.hyper["lr"] * factor) > tuning.rate * (1 + 1e-6)


def test_predicted_steps_match_the_simulated_ones_for_gd():
    land = ravine(30.0)
    tuning = theory.gd_tuning(theory.curvature(land))
    tr = optimizers.simulate(land, "gd", land.start, 400, **tuning.hyper)
    d = np.linalg.norm(tr.points[:, 0] - land.minima[0], axis=-1)
    first = theory.shrink_step(tr, land.minima[0], 1e-6)
    assert d[first] <= 1e-6 * d[0] < d[first - 1]
    assert first == math.ceil(theory.steps_to_shrink(tuning.rate, 1e-6) - 1e-9)
    assert theory.shrink_step(tr, land.minima[0], 1e-300) == -1


@pytest.mark.parametrize("condition", [10.0, 50.0, 200.0])
def test_heavy_ball_rate_is_approached_from_above_as_the_run_grows(condition):
    land = ravine(condition)
    tuning = theory.heavy_ball_tuning(theory.curvature(land))
    short, long = measured(land, "momentum", 150, **tuning.hyper), measured(land, "momentum", 1000, **tuning.hyper)
    assert tuning.rate < long < short
    assert long == pytest.approx(tuning.rate, rel=0.01)
    assert long < theory.gd_tuning(theory.curvature(land)).rate


def test_heavy_ball_in_pytorch_form_is_polyaks_iteration():
    land = ravine(40.0, angle=10.0)
    tuning = theory.heavy_ball_tuning(theory.curvature(land))
    lr, beta = tuning.hyper["lr"], tuning.hyper["momentum"]
    tr = optimizers.simulate(land, "momentum", land.start, 30, **tuning.hyper)
    prev, theta = land.start.copy(), land.start.copy()
    for t in range(1, 31):
        theta, prev = theta - lr * land.grad(theta) + beta * (theta - prev), theta
        assert np.allclose(tr.points[t, 0], theta, rtol=1e-10, atol=1e-12)


def test_general_rate_formula_agrees_with_the_tunings():
    c = theory.curvature(ravine(80.0))
    gd, hb = theory.gd_tuning(c), theory.heavy_ball_tuning(c)
    assert theory.heavy_ball_rate(c, gd.hyper["lr"]) == pytest.approx(gd.rate, rel=1e-12)
    assert theory.heavy_ball_rate(c, **hb.hyper) == pytest.approx(hb.rate, rel=1e-6)


@pytest.mark.parametrize(("lr", "momentum"), [(1.0, 0.5), (0.5, 0.9), (1.5, 0.3), (0.2, 0.0), (1.9, 0.0), (0.8, 0.7)])
def test_general_rate_formula_matches_long_runs(lr, momentum):
    land = ravine(20.0, angle=-30.0)
    predicted = theory.heavy_ball_rate(theory.curvature(land), lr, momentum)
    assert measured(land, "momentum", 2000, lr=lr, momentum=momentum) == pytest.approx(predicted, rel=0.01)


def test_rate_above_one_means_divergence():
    land = ravine(20.0)
    c = theory.curvature(land)
    assert theory.heavy_ball_rate(c, 2.05 / c.L) > 1
    assert measured(land, "gd", 300, lr=2.05 / c.L) == math.inf
    assert theory.steps_to_shrink(1.01) == math.inf


def test_measured_rate_of_an_exact_hit_is_zero_and_a_start_at_the_minimum_is_refused():
    land = ravine(50.0)
    tr = optimizers.simulate(land, "newton", land.start, 5)
    assert theory.measured_rate(tr, land.minima[0]) == 0.0
    at_min = optimizers.simulate(land, "gd", land.minima[0], 5, lr=1.0)
    with pytest.raises(ValueError, match="already the minimum"):
        theory.measured_rate(at_min, land.minima[0])


# --- Nesterov on a quadratic -------------------------------------------------------------------------

def test_look_ahead_nesterov_is_the_y_form_of_lessard_recht_packard():
    """The code's v-form equals θ⁺ = y - γ∇f(y), y = θ + μ(θ - θ_prev): their α = γ, β = μ."""
    land = ravine(30.0, angle=25.0)
    lr, mom = 0.7, 0.6
    tr = optimizers.simulate(land, "nag", land.start, 25, lr=lr, momentum=mom)
    prev, theta = land.start.copy(), land.start.copy()
    for t in range(1, 26):
        y = theta + mom * (theta - prev)
        theta, prev = y - lr * land.grad(y), theta
        assert np.allclose(tr.points[t, 0], theta, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("condition", [10.0, 50.0, 100.0, 400.0])
def test_nesterov_tuning_is_the_best_grid_setting_and_its_rate_is_one_minus_two_over_root_3k_plus_1(condition):
    c = theory.curvature(ravine(condition))
    tuning = theory.nesterov_tuning(c)
    s = math.sqrt(3 * condition + 1)
    assert tuning.rate == pytest.approx(1 - 2 / s, rel=1e-12)
    assert theory.nesterov_rate(c, **tuning.hyper) == pytest.approx(tuning.rate, rel=1e-6)
    # A fine grid around it finds nothing better (the optimum is a kink, so allow rounding only).
    lrs = tuning.hyper["lr"] * np.linspace(0.8, 1.2, 161)
    moms = np.clip(tuning.hyper["momentum"] + np.linspace(-0.05, 0.05, 161), 0, 0.9999)
    lr_g, mom_g = np.meshgrid(lrs, moms)
    grid = np.maximum(theory.nesterov_modulus(c.m, lr_g, mom_g), theory.nesterov_modulus(c.L, lr_g, mom_g))
    assert grid.min() >= tuning.rate - 1e-6
    # And it is slower than the tuned heavy ball, for every κ > 1.
    assert tuning.rate > theory.heavy_ball_tuning(c).rate


def test_nesterov_tuning_is_measured_on_the_ravine():
    land = ravine(50.0, angle=30.0)
    c = theory.curvature(land)
    tuning = theory.nesterov_tuning(c)
    assert tuning.rate == pytest.approx(0.837, abs=5e-4)                      # the 1 - 2/√151
    assert theory.heavy_ball_tuning(c).rate == pytest.approx(0.752, abs=5e-4)
    long = measured(land, "nag", 1500, **tuning.hyper)
    assert long == pytest.approx(tuning.rate, rel=0.01)
    assert long > measured(land, "momentum", 1500, **theory.heavy_ball_tuning(c).hyper)


@pytest.mark.parametrize(("lr", "momentum"), [(1.0, 0.5), (0.5, 0.9), (0.3, 0.3), (1.2, 0.2)])
def test_nesterov_rate_formula_matches_long_runs(lr, momentum):
    land = ravine(20.0, angle=-30.0)
    predicted = theory.nesterov_rate(theory.curvature(land), lr, momentum)
    assert measured(land, "nag", 2000, lr=lr, momentum=momentum) == pytest.approx(predicted, rel=0.01)


@pytest.mark.parametrize("kind", ["momentum", "nag"])
def test_rate_is_decided_at_the_ends_of_the_curvature_range(kind):
    c = theory.Curvature(L=1.0, m=0.02)
    lam = np.linspace(c.m, c.L, 2001)
    modulus = theory.heavy_ball_modulus if kind == "momentum" else theory.nesterov_modulus
    rate = theory.heavy_ball_rate if kind == "momentum" else theory.nesterov_rate
    for lr in (0.1, 0.9, 1.7, 2.5):
        for mom in (0.0, 0.3, 0.8, 0.95):
            assert rate(c, lr, mom) == pytest.approx(float(modulus(lam, lr, mom).max()), rel=1e-9)


# --- stability regions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("momentum", [0.0, 0.3, 0.6, 0.9])
def test_heavy_ball_is_stable_exactly_below_two_plus_two_mu(momentum):
    """Derived from the Jury test: 0 < γλ < 2 + 2μ; checked on the characteristic roots and on runs."""
    edge = optimizers.get("momentum").maths.quadratic.max_lr(1.0, momentum)
    assert edge == pytest.approx(2 + 2 * momentum)
    assert theory.heavy_ball_modulus(1.0, 0.99 * edge, momentum) < 1 < theory.heavy_ball_modulus(1.0, 1.01 * edge,
                                                                                                momentum)
    land = ravine(4.0, angle=30.0)                                          # L = 1
    inside = optimizers.simulate(land, "momentum", land.start, 3000, lr=0.99 * edge, momentum=momentum)
    outside = optimizers.simulate(land, "momentum", land.start, 3000, lr=1.01 * edge, momentum=momentum)
    assert inside.diverged_at[0] == -1 and outside.diverged_at[0] > 0


def test_nesterov_stability_edge():
    for mom in (0.0, 0.5, 0.9):
        edge = optimizers.get("nag").maths.quadratic.max_lr(1.0, mom)
        assert edge == pytest.approx((2 + 2 * mom) / (1 + 2 * mom))
        assert theory.nesterov_modulus(1.0, 0.99 * edge, mom) < 1 < theory.nesterov_modulus(1.0, 1.01 * edge, mom)
    assert optimizers.get("gd").maths.quadratic.max_lr(2.0, 0.0) == 1.0


def test_the_entries_that_hold_a_quadratic_theory_hold_their_own():
    """Gradient descent, the heavy ball and Nesterov carry their theory in their entries; each tuning names the
    entry it belongs to, and its rate is the entry's rate formula at that setting."""
    c = theory.Curvature(L=1.0, m=0.02)
    held = {name: optimizers.get(name).maths.quadratic for name in optimizers.names()}
    assert {name for name, q in held.items() if q is not None} == {"gd", "momentum", "nag"}
    for name in ("gd", "momentum", "nag"):
        q = held[name]
        best = q.tuning(c)
        assert best.optimizer == name
        assert q.rate(c, best.hyper["lr"], best.hyper.get("momentum", 0.0)) == pytest.approx(best.rate, rel=1e-9)
        assert best.hyper["lr"] < q.max_lr(c.L, best.hyper.get("momentum", 0.0))


# --- the rate map ---------------------------------------------------------------------------------------

def test_rate_map_is_one_vectorized_run_matching_single_runs():
    land = ravine(25.0, angle=30.0)
    lrs, moms = np.array([0.2, 1.0, 1.9, 3.5]), np.array([0.0, 0.5, 0.9])
    grid = studies.rate_map(land, lrs, moms, 200)
    assert grid.shape == (3, 4)
    for i, mom in enumerate(moms):
        for j, lr in enumerate(lrs):
            assert grid[i, j] == measured(land, "momentum", 200, lr=lr, momentum=mom)
    assert grid[0, 3] == math.inf                                            # 3.5 > 2/L with μ = 0
    assert np.isfinite(grid[2, 3])                                           # ... but < (2 + 2·0.9)/L


def test_measured_rates_agree_with_the_single_start_version():
    land = ravine(40.0, angle=30.0)
    starts = np.array([land.start, [1.0, 2.0], [-3.0, 0.5]])
    tr = optimizers.simulate(land, "gd", starts, 100, lr=1.5)
    rates = theory.measured_rates(tr, land.minima[0])
    assert [theory.measured_rate(tr, land.minima[0], k) for k in range(3)] == list(rates)


def test_momentum_speeds_progress_on_a_steady_slope_by_one_over_one_minus_mu():
    """The registry's intuition: with a gradient that keeps its direction, b_t → g / (1 − μ)."""
    g = np.array([[0.3, -0.2]])
    maths = optimizers.get("momentum").maths
    state = maths.init(np.zeros((1, 2)))
    for t in range(1, 400):
        ctx = rules.Context(t, lambda p: g, None, None)
        state = maths.update(np.zeros((1, 2)), state, ctx, {"lr": 0.1, "momentum": 0.9}).state
    assert np.allclose(state.trace, g / (1 - 0.9), rtol=1e-12)


@pytest.mark.parametrize("condition", [3.0, 50.0, 1000.0])
def test_nesterov_optimum_has_a_double_root_at_m_and_a_negative_root_at_l(condition):
    """The derivation in optimizers/theory.py: at the optimum, z² − (1+μ)(1−γλ)z + μ(1−γλ) has the double root
    1 − 2/√(3κ+1) at λ = m and the roots (s−2)/(3s) and −(1 − 2/s) at λ = L, s = √(3κ+1)."""
    c = theory.Curvature(L=1.0, m=1.0 / condition)
    t = theory.nesterov_tuning(c)
    lr, mu, s = t.hyper["lr"], t.hyper["momentum"], math.sqrt(3 * condition + 1)
    for lam, expected in ((c.m, [1 - 2 / s, 1 - 2 / s]), (c.L, [-(1 - 2 / s), (s - 2) / (3 * s)])):
        a = 1 - lr * lam
        roots = np.sort(np.roots([1.0, -(1 + mu) * a, mu * a]).real)
        assert np.allclose(roots, sorted(expected), atol=1e-6)
