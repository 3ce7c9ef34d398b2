"""Network mode's lessons: each a link the page can read, each story checked on the lesson's own settings, each
statement measured over fresh data sets and initial weights.

The stories are checked against independent computations where there is one: the Hessian's eigenvalues with
``numpy.linalg.eigh`` of the full Hessian (the lessons use Lanczos), curvatures by central differences of the
gradient, a plane's distances by ``numpy.linalg.lstsq``, a quadratic model's gradient descent by hand.
"""
from __future__ import annotations

import importlib
from unittest import mock

import numpy as np
import pytest

import optimizers
from landscapes import networks
from optimizers import network, network_report, network_validity
from optimizers.validity import BAR
from state import lessons, network_lessons, share

LINK_PARAMS = {p.name: p for p in (*networks.PARAMS, *network.TRAIN_PARAMS, network_report.TARGET, share.STEPS,
                                   share.LAYOUT)}
STATEMENTS = [s for lesson in network_lessons.LESSONS for s in lesson.checks]


# --- the gallery as a whole ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("lesson", network_lessons.LESSONS, ids=lambda lesson: lesson.key)
def test_lesson_is_a_link_of_known_valid_settings(lesson):
    settings = lesson.settings
    assert settings["mode"] == "network"
    chosen = settings["opt"].split(",")
    dim = network_lessons.race(lesson.key).net.dim
    for name in chosen:
        assert network.offered(dim)[name] is None, name
    for key, value in settings.items():
        if key in ("mode", "opt"):
            continue
        if "." in key:
            name, param = key.split(".")
            assert name in chosen
            spec = next(p for p in optimizers.get(name).params_for(True) if p.name == param)
            network_lessons._value(spec, value)
        else:
            network_lessons._value(LINK_PARAMS[key], value)            # raises on an unknown value
    assert list(lesson.query) == ["lesson", *settings]


def test_lesson_keys_are_unique_and_apart_from_the_surface_lessons():
    assert len(network_lessons.KEYS) == len(network_lessons.LESSONS)
    assert not set(network_lessons.KEYS) & set(lessons.KEYS)
    with pytest.raises(ValueError, match="Unknown network lesson 'zigzag'"):
        network_lessons.get("zigzag")


def test_some_lessons_carry_the_2d_intuition_over_and_some_do_not():
    kinds = [lesson.carries_over for lesson in network_lessons.LESSONS if lesson.checks]
    assert kinds.count(True) >= 2 and kinds.count(False) >= 2
    assert all(callable(lesson.text) for lesson in network_lessons.LESSONS if lesson.checks)   # their numbers measured


def test_importing_the_lessons_trains_nothing():
    def refuse(*args, **kwargs):
        raise AssertionError("a lesson trained at import")
    with mock.patch.object(network, "train", refuse), mock.patch.object(network, "race", refuse), \
            mock.patch("optimizers.simulation.simulate_batched", refuse):
        module = importlib.reload(network_lessons)
    assert all(callable(lesson.text) or isinstance(lesson.text, str) for lesson in module.LESSONS)
    importlib.reload(network_lessons)                       # the module the other tests hold, with its caches


def test_a_lessons_race_is_its_link_over_the_defaults():
    r = network_lessons.race("net_ravine")
    assert r.net.params["x_scale"] == 10.0 and r.net.params["dataset"] == "moons" and r.steps == 500
    assert r.hyper["gd"]["lr"] == 0.464 and r.hyper["momentum"] == {
        **{p.name: p.default for p in optimizers.get("momentum").params_for(True)}, "lr": 0.1, "momentum": 0.9}
    assert r.train == {p.name: p.default for p in network.TRAIN_PARAMS} and r.target == 0.1
    gap = network_lessons.race("net_plane_gap")
    assert gap.hyper["adam"]["lr"] == network.suggested("adam")["lr"]           # left out: network mode's suggestion


@pytest.mark.parametrize("key", ["net_ravine", "net_adam_scale", "net_ravine_unscaled"])
def test_tuned_lessons_links_hold_the_learning_rates_the_grid_picks(key):
    r = network_lessons.race(key)
    for name, hyper in r.hyper.items():
        others = {k: v for k, v in hyper.items() if k != "lr"}
        lr, _ = network_report.tune_lr(r.net, name, r.steps, target=r.target, goal="speed", **others)
        assert hyper["lr"] == lr, name


# --- carries over ------------------------------------------------------------------------------------------------

def test_ravine_curvature_ratio_matches_central_differences():
    r = network_lessons.race("net_ravine")
    w1, h = r.net.layout.blocks[0], 1e-5
    eye = np.eye(r.net.dim)[w1.start:w1.stop]
    diag = np.einsum("ij,ij->i", r.net.grad(r.start + h * eye) - r.net.grad(r.start - h * eye), eye) / (2 * h)
    diag = diag.reshape(w1.shape)
    np.testing.assert_allclose(network_lessons._curvature_ratio(r.net, r.start),
                               diag[:, 0].mean() / diag[:, 1].mean(), rtol=1e-5)


def test_ravine_momentum_arrives_sooner_and_lower():
    r, plain = network_lessons.race("net_ravine"), network_lessons.race("net_ravine_unscaled")
    assert 0 < 1.5 * r.steps_to("momentum") <= r.steps_to("gd")
    assert r.runs["momentum"].loss[-1, 0] * 2 < r.runs["gd"].loss[-1, 0]
    assert plain.hyper["gd"]["lr"] > 10 * r.hyper["gd"]["lr"]                     # the walls cap the rate
    text = network_lessons.get("net_ravine").watch
    for quoted in (f"in {r.steps_to('momentum')} steps", f"gradient descent in {r.steps_to('gd')}",
                   f"{r.runs['gd'].loss[-1, 0] / r.runs['momentum'].loss[-1, 0]:.1f} times lower"):
        assert quoted in text


def test_adam_keeps_its_pace_when_gradient_descent_loses_it():
    r, plain = network_lessons.race("net_adam_scale"), network_lessons.race("net_ravine_unscaled")
    assert 0 <= r.steps_to("adam") <= 1.5 * plain.steps_to("adam") + 5
    assert r.steps_to("gd") >= 4 * plain.steps_to("gd") > 0
    text = network_lessons.get("net_adam_scale").watch
    assert f"in {r.steps_to('adam')} steps" in text and f"against {plain.steps_to('adam')} on unscaled" in text


# --- does not carry over -----------------------------------------------------------------------------------------

def test_catapult_runs_above_2_over_l_and_ends_flatter():
    r = network_lessons.race("net_catapult")
    eig = np.linalg.eigvalsh(r.net.hessian(r.start[None])[0])
    L = eig[-1]
    np.testing.assert_allclose(network_lessons.lmax(r.net, r.start), L, rtol=1e-8)
    lr = network_lessons.CATAPULT_LR
    assert lr * L > 2 and network_lessons.BELOW_LR * L < 2
    # On the quadratic model at the start, gradient descent multiplies the top direction by |1 − γL| every step.
    top = np.linalg.eigh(r.net.hessian(r.start[None])[0])[1][:, -1]
    delta = top.copy()
    h = r.net.hessian(r.start[None])[0]
    for _ in range(20):
        delta = delta - lr * h @ delta
    np.testing.assert_allclose(np.linalg.norm(delta), abs(1 - lr * L) ** 20, rtol=1e-6)
    big, small = r.runs["gd"], r.runs["momentum"]
    assert big.diverged_at[0] < 0 and big.loss[:, 0].max() > big.loss[0, 0]          # it climbs, and comes back
    assert big.loss[-1, 0] < small.loss[-1, 0] < 0.01
    end = np.linalg.eigvalsh(r.net.hessian(big.points[-1, 0][None])[0])[-1]
    assert end < 2 / lr and end < L
    text = network_lessons.get("net_catapult").watch
    assert f"L = {L:.3f}" in text and f"|1 − γL| = {abs(1 - lr * L):.2f}" in text and f"{end:.3f} at the end" in text


def test_random_plane_leaves_the_paths_off_and_pca_keeps_them_on():
    r = network_lessons.race("net_random_plane")
    plane = r.view.plane
    assert plane.kind == "random"
    for name, tr in r.runs.items():
        points = tr.points[:, 0]
        coef = np.linalg.lstsq(plane.basis.T, (points - plane.origin).T, rcond=None)[0]
        distance = np.linalg.norm(points - plane.origin - coef.T @ plane.basis, axis=1)
        travelled = np.linalg.norm(points - points[0], axis=1).max()
        assert distance.max() / travelled >= 0.5
        assert float(r.fidelity(name, r.on("pca")).off_plane[0]) <= 0.3
    held = network_report.captured(plane, r.runs)
    assert held < 0.25
    assert f"holds {network_report.held_percent(held)}" in network_lessons.get("net_random_plane").watch


def test_plane_gap_is_the_loss_of_the_nearest_plane_point():
    r = network_lessons.race("net_plane_gap")
    plane = r.view.plane
    assert plane.explained.sum() >= 0.9
    gaps = {name: float(r.fidelity(name).loss_gap[0]) for name in r.runs}
    worst = max(gaps, key=gaps.get)
    assert gaps[worst] >= 0.1
    points = r.runs[worst].points[:, 0]
    coef = np.linalg.lstsq(plane.basis.T, (points - plane.origin).T, rcond=None)[0].T
    shown = r.net.value(plane.origin + coef @ plane.basis)                          # the contour under the path
    true = r.runs[worst].loss[:, 0]
    at = int(np.argmax(np.abs(shown - true)))
    np.testing.assert_allclose(np.abs(shown - true).max() / np.ptp(true), gaps[worst], rtol=1e-6)
    text = network_lessons.get("net_plane_gap").watch
    assert f"At step {at}" in text and f"{true[at]:.3f}" in text and f"{shown[at]:.3f}" in text


def test_many_minima_are_far_apart_and_equally_good():
    r = network_lessons.race("net_many_minima")
    mom, adam = r.runs["momentum"].points[-1, 0], r.runs["adam"].points[-1, 0]
    assert r.net.accuracy(mom) >= 0.98 and r.net.accuracy(adam) >= 0.98
    apart = np.linalg.norm(mom - adam)
    moved = [np.linalg.norm(p - r.start) for p in (mom, adam)]
    assert 0.5 * min(moved) <= apart <= 1.5 * max(moved)                          # "about as far as each moved"
    probability = r.net.probability(np.stack([mom, adam]), r.net.x)
    assert np.mean((probability[0] > 0.5) == (probability[1] > 0.5)) >= 0.98
    assert network_lessons.agreement(r.net, mom, adam) >= 0.95
    assert abs(r.runs["momentum"].loss[-1, 0] - r.runs["adam"].loss[-1, 0]) > 1e-3    # not copies of one another
    assert "10,321,920 exact copies" in network_lessons.get("net_many_minima").watch


# --- the statements, over their domains ---------------------------------------------------------------------------

@pytest.mark.parametrize("statement", STATEMENTS, ids=lambda s: s.key)
def test_statement_holds_over_its_domain(statement):
    result = network_validity.study(statement)
    assert result.n == statement.domain.n >= 8
    assert result.fraction >= BAR, network_validity.describe(result)
    assert len(set(result.values["data_seed"])) == result.n                       # a fresh data set each
    for axis in statement.domain.axes:
        assert axis.low <= result.values[axis.name].min() and result.values[axis.name].max() <= axis.high


# --- the domains themselves ---------------------------------------------------------------------------------------

def test_a_domain_draws_the_same_fresh_cases_every_time_and_says_so_in_words():
    domain = network_validity.NetDomain({"width": 4}, (network_validity.Axis("x_scale", 2.0, 3.0),), steps=20, n=3,
                                        seed=7)
    first, again = network_validity.sample(domain), network_validity.sample(domain)
    assert [c.values for c in first] == [c.values for c in again]
    assert len({c.values["data_seed"] for c in first}) == 3 and len({c.init_seed for c in first}) == 3
    for case in first:
        assert case.net.params["width"] == 4 and case.net.params["x_scale"] == case["x_scale"]
        assert case.net.params["data_seed"] == case["data_seed"]
        tr = case.train({"gd": {"lr": 0.5}})["gd"]
        np.testing.assert_array_equal(tr.points[0, 0], case.net.initial_weights("pytorch", case.init_seed))
        assert tr.steps == 20
    assert domain.words() == "3 fresh moons data sets and initial weights (2 → 4 → 1, tanh), x_scale 2–3, 20 steps"


def test_a_domain_refuses_a_fixed_data_seed_and_unknown_settings():
    with pytest.raises(ValueError, match="data_seed is drawn per case"):
        network_validity.NetDomain({"data_seed": 3})
    with pytest.raises(ValueError, match="unknown network settings lr"):
        network_validity.NetDomain({"lr": 0.1})


def test_describe_names_a_miss_by_its_seeds():
    domain = network_validity.NetDomain(steps=1, n=4, seed=1)
    statement = network_validity.NetStatement("test.width", "never", domain, lambda case: case["init_seed"] % 2 == 0)
    result = network_validity.measure(statement)
    miss = int(np.flatnonzero(~result.holds)[0])
    words = network_validity.describe(result)
    assert words.startswith(f"holds for {int(100 * result.fraction)}% of 4 sampled cases")
    assert f"data_seed={int(result.values['data_seed'][miss])}, init_seed={int(result.values['init_seed'][miss])}" \
        in words
