"""Convergence theory on quadratics against the rates ``simulate()`` measures."""
from __future__ import annotations

import math

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers import theory


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
    assert c.mu == pytest.approx(1.0 / condition, rel=1e-9)
    assert c.kappa == pytest.approx(condition, rel=1e-9)


def test_curvature_of_linear_regression_is_its_gram_matrix():
    land = landscapes.get("linear_regression")
    c = theory.curvature(land)
    p = np.array([[0.3, -0.7]])
    assert np.allclose(np.linalg.eigvalsh(land.hessian(p)[0]), [c.mu, c.L])


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
