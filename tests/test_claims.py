"""Every claim in the "Claims, checked" panel: its verdict computed, one test per claim (``test_claim_<key>``)."""
from __future__ import annotations

import sys

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers import behaviour, metrics, rules, theory, validity
from state import claims, lessons, share
from tests.apptest_page import open_app, open_tab
from tests.test_lessons import fair


def steps_to(land: landscapes.Landscape, tr: optimizers.Trajectory, tol: float) -> int:
    return int(metrics.steps_to_tolerance(tr, land.min_value, tol)[0])


def lesson_runs(key: str) -> tuple[share.AppState, dict[str, optimizers.Trajectory]]:
    state, _ = share.decode(lessons.get(key).query)
    land = share.landscape_of(state)
    return state, {name: optimizers.simulate(land, name, share.start_of(state), state.steps, seed=state.seed,
                                             **state.hyper[name]) for name in state.optimizers}


# --- the panel's data ---------------------------------------------------------------------------------

def test_every_claim_is_complete_and_has_its_test():
    assert len(claims.CLAIMS) >= 11 and len(claims.BY_KEY) == len(claims.CLAIMS)
    here = sys.modules[__name__]
    for c in claims.CLAIMS:
        assert c.verdict in claims.VERDICTS, c.key
        assert c.why.endswith(".") and c.why.count(". ") == 0, f"{c.key}: one sentence"
        assert 8 <= len(c.why.split()) <= 45, c.key
        if c.lesson:
            lessons.get(c.lesson)                                       # raises for an unknown lesson
        assert callable(getattr(here, f"test_claim_{c.key}", None)), f"no test for claim {c.key}"
        assert bool(c.checks) == bool(c.lesson), f"{c.key}: a claim about behaviour declares its statements"


def test_the_issues_claims_are_all_listed():
    required = {"adam_beta2", "rmsprop_no_tuning", "adagrad_grows", "adadelta_window", "adam_stored_corrected",
                "momentum_adaptive", "adaptive_momentum", "minibatch_overfitting", "momentum_local_minima",
                "adam_beats_all", "adaptive_fix_conditioning"}
    assert required <= set(claims.BY_KEY)
    behavioural = required - {"adam_beta2"}
    assert all(claims.BY_KEY[k].lesson for k in behavioural)


# --- one test per claim ---------------------------------------------------------------------------------

def test_claim_adaptive_fix_conditioning():
    """False: with every rate tuned on the same grid, RMSprop's lead exists only along the axes, and turned, Adam
    falls behind heavy ball."""
    assert claims.BY_KEY["adaptive_fix_conditioning"].verdict == "false"
    steps = {}
    for key in ("aligned", "rotate_valley"):
        state = fair(share.decode(lessons.get(key).query)[0])
        land = share.landscape_of(state)
        steps[state.surface_params["angle"]] = {
            name: steps_to(land, optimizers.simulate(land, name, share.start_of(state), state.steps,
                                                     **state.hyper[name]), state.tol) for name in state.optimizers}
    assert 0 < steps[0.0]["rmsprop"] < steps[0.0]["gd"] / 5                       # looks like a cure along the axes
    assert steps[45.0]["rmsprop"] >= 0.6 * steps[45.0]["gd"] > 0                  # but it is not one
    assert 0 < steps[45.0]["momentum"] < steps[45.0]["adam"]


def test_claim_adam_beats_all():
    """False: on the turned ravine, tuned heavy ball and Newton arrive before a tuned Adam."""
    state = fair(share.decode(lessons.get("rotate_valley").query)[0])
    land = share.landscape_of(state)
    tr = {name: optimizers.simulate(land, name, share.start_of(state), state.steps, **state.hyper[name])
          for name in state.optimizers}
    adam = steps_to(land, tr["adam"], state.tol)
    assert all(0 < steps_to(land, tr[name], state.tol) < adam for name in ("momentum", "newton"))
    assert steps_to(land, tr["newton"], state.tol) == 1


def test_claim_adam_beta2():
    """False: the paper (Kingma & Ba 2015, Algorithm 1) uses β₂ = 0.999, ε = 1e-8, as PyTorch and this app do."""
    defaults = {p.name: p.default for p in optimizers.get("adam").params}
    assert (defaults["beta1"], defaults["beta2"], defaults["eps"]) == (0.9, 0.999, 1e-8)


def test_claim_adam_stored_corrected():
    """False: after step 1 the stored m is (1 − β₁)g and v is (1 − β₂)g², not g and g²."""
    land = landscapes.get("ravine")
    theta = land.start[None, :]
    hp = {p.name: p.default for p in optimizers.get("adam").params} | {"lr": 0.3}
    step = rules.adam(theta, rules.init_adam(theta), rules.Context(1, land.grad, land.hessian, land.value), hp)
    g = land.grad(theta)
    assert np.array_equal(step.state.mu, (1 - 0.9) * g)
    assert np.allclose(step.state.nu, (1 - 0.999) * g * g, rtol=1e-15)
    # the step itself uses the corrected copies: m/(1−β₁) over √(v/(1−β₂)), i.e. sign(g) per coordinate
    assert np.allclose(step.update, -0.3 * np.sign(g), rtol=1e-6)


def test_claim_rmsprop_no_tuning():
    """False: γ still sets the outcome, crawling when small, bouncing out to about γ when large."""
    land = landscapes.get("ravine")
    lrs = np.array([0.01, 0.3, 1.0, 3.0])
    tr = optimizers.simulate(land, "rmsprop", np.tile(land.start, (4, 1)), 1000, lr=lrs)
    d = np.linalg.norm(tr.points - land.minima[0], axis=-1)
    assert d[200, 0] > 0.8 * d[0, 0]                                     # γ = 0.01: most of the way still ahead
    late = d[500:, 1:].max(axis=0) / lrs[1:]
    assert np.all((late > 1.0) & (late < 2.5))                           # thrown back out to about γ, forever


def test_claim_adagrad_grows():
    """False: the effective learning rate never grows, on any surface, from any start."""
    rng = np.random.default_rng(0)
    for name in ("ravine", "rosenbrock", "himmelblau", "rastrigin", "beale", "saddle"):
        land = landscapes.get(name)
        (x0, x1), (y0, y1) = land.bounds
        starts = rng.uniform([x0, y0], [x1, y1], size=(50, 2))
        eff = optimizers.simulate(land, "adagrad", starts, 200, lr=0.5).eff_lr
        alive = eff[1:] > 0                                              # diagnostics are zeroed after a divergence
        assert np.all(np.diff(eff, axis=0)[alive] <= 0), name


def test_claim_adadelta_window():
    """False: a single gradient stays in AdaDelta's average with weight (1 − ρ)ρᵏ for every k, no cut-off."""
    rho, g0 = 0.9, 3.0
    hp = {"lr": 1.0, "rho": rho, "eps": 1e-6}
    theta = np.zeros((1, 2))
    state = rules.init_adadelta(theta)
    impulse = [np.full((1, 2), g0)] + [np.zeros((1, 2))] * 60
    weights = []
    for t, g in enumerate(impulse, start=1):
        state = rules.adadelta(theta, state, rules.Context(t, lambda p, g=g: g, None, None), hp).state
        weights.append(state.square_avg[0, 0] / g0**2)
    k = np.arange(len(weights))
    assert np.allclose(weights, (1 - rho) * rho**k, rtol=1e-12)         # exponential, never exactly zero
    assert weights[-1] > 0


def test_claim_momentum_adaptive():
    """False: scaling the loss by 100 scales momentum's steps by 100; Adam's and RMSprop's barely change."""
    small = landscapes.from_formula("x**2 + 3*y**2")
    large = landscapes.from_formula("100*(x**2 + 3*y**2)")
    start = [2.0, -1.5]
    for name, hp, ratio in (("momentum", {"lr": 1e-3, "momentum": 0.9}, 100.0), ("adam", {"lr": 0.1}, 1.0),
                            ("rmsprop", {"lr": 0.01}, 1.0)):
        a = optimizers.simulate(small, name, start, 5, **hp).updates[:, 0]
        b = optimizers.simulate(large, name, start, 5, **hp).updates[:, 0]
        assert np.allclose(b[0], ratio * a[0], rtol=1e-6), name


def test_claim_adaptive_momentum():
    """False: along a whole run Adam's m obeys m_t = β₁ m_{t−1} + (1 − β₁) g_t with the same β₁, while its
    per-coordinate step size changes from step to step and coordinate to coordinate."""
    land = landscapes.get("ravine")
    tr = optimizers.simulate(land, "adam", land.start, 100, lr=0.3)
    m, g = tr.moments[:, 0], tr.grads[:, 0]
    implied = (m[1:] - (1 - 0.9) * g[1:]) / m[:-1]
    assert np.allclose(implied[np.abs(m[:-1]) > 1e-12], 0.9, rtol=1e-9)
    eff = tr.eff_lr[:, 0]
    assert eff.max() / eff.min() > 5 and np.any(eff[:, 0] != eff[:, 1])


def test_claim_minibatch_overfitting():
    """False: mini-batches with a decaying step end at the same training-loss minimum as full-batch descent."""
    land = landscapes.get("linear_regression")
    gd = optimizers.simulate(land, "gd", land.start, 3000, lr=0.05)
    mb = optimizers.simulate(land, "minibatch", np.tile(land.start, (20, 1)), 3000, lr=0.05, batch_size=16,
                             schedule="cosine")
    assert np.allclose(gd.points[-1, 0], land.minima[0], atol=1e-9)
    span = np.linalg.norm(land.start - land.minima[0])
    assert np.abs(mb.points[-1] - land.minima[0]).max() < 0.002 * span


def test_claim_momentum_local_minima():
    """Depends: from high starts in the shallow valley momentum escapes, from low ones it stays, in between it is a
    toss-up; the heights the why names are the edges of the checked bands of starts."""
    land = landscapes.get("two_wells", tilt=1.0)
    deep = int(np.argmin(land.value(land.minima)))
    why = claims.BY_KEY["momentum_local_minima"].why
    ends = {}
    for statement in (behaviour.MOMENTUM_ESCAPES_HIGH, behaviour.MOMENTUM_STAYS_LOW,
                      behaviour.MOMENTUM_ESCAPE_BETWEEN):
        cases = validity.sample(statement.domain)
        tr = optimizers.simulate(land, "momentum", cases.starts, statement.domain.steps, lr=cases["lr"],
                                 momentum=cases["momentum"])
        ends[statement.key] = float(np.mean(metrics.reached_minimum(land, tr) == deep))
    assert ends["momentum.escapes_high"] >= 0.95 and ends["momentum.stays_low"] <= 0.05
    assert 0.1 < ends["momentum.escape_between"] < 0.9                           # it depends
    high, low = behaviour.MOMENTUM_ESCAPES_HIGH.domain.starts, behaviour.MOMENTUM_STAYS_LOW.domain.starts
    assert f"higher than f = {high.low:g}" in why and f"below f = {low.high:g}" in why
    assert claims.BY_KEY["momentum_local_minima"].verdict == "depends"


def test_claim_nesterov_faster():
    """False: tuned, the heavy ball is faster than Nesterov on quadratics, for every κ tried; measured too."""
    for kappa in (4.0, 10.0, 100.0, 1000.0):
        c = theory.Curvature(L=1.0, m=1.0 / kappa)
        assert theory.heavy_ball_tuning(c).rate < theory.nesterov_tuning(c).rate
    land = landscapes.get("ravine", condition=100.0)
    c = theory.curvature(land)
    rates = {t.optimizer: theory.measured_rate(optimizers.simulate(land, t.optimizer, land.start, 800, **t.hyper),
                                               land.minima[0])
             for t in (theory.heavy_ball_tuning(c), theory.nesterov_tuning(c))}
    assert rates["momentum"] < rates["nag"]


def test_claim_momentum_larger_lr():
    """True: at γ between 2/L and (2 + 2μ)/L gradient descent diverges and the heavy ball converges."""
    land = landscapes.get("ravine", condition=20.0)
    for mom in (0.3, 0.6, 0.9):
        lr = (2.0 + (2 + 2 * mom)) / 2                                    # halfway between the two edges (L = 1)
        assert optimizers.simulate(land, "gd", land.start, 500, lr=lr).diverged_at[0] > 0
        heavy = optimizers.simulate(land, "momentum", land.start, 3000, lr=lr, momentum=mom)
        assert heavy.diverged_at[0] == -1
        assert np.linalg.norm(heavy.points[-1, 0]) < 1e-6 * np.linalg.norm(land.start)


def test_claim_sgd_constant_converges():
    """False: averaged over noise draws, constant-γ SGD levels off at the predicted floor; 1/t decay goes below."""
    land = landscapes.get("ravine", condition=10.0)
    starts = np.tile(land.start, (500, 1))
    floor = theory.sgd_noise_floor(theory.curvature(land), 0.5, 1.0)
    flat = optimizers.simulate(land, "sgd", starts, 400, lr=0.5, noise=1.0).loss.mean(axis=1)
    assert flat[200:].mean() == pytest.approx(floor, rel=0.1)
    assert flat[300:].mean() == pytest.approx(flat[200:300].mean(), rel=0.1)        # no further progress
    half = optimizers.simulate(land, "sgd", starts, 400, lr=0.25, noise=1.0).loss.mean(axis=1)
    assert half[200:].mean() < 0.7 * flat[200:].mean()                               # the floor grows with γ
    decayed = optimizers.simulate(land, "sgd", starts, 400, lr=0.5, noise=1.0, schedule="inverse_time",
                                  decay=0.05).loss.mean(axis=1)
    assert decayed[-1] < floor / 5


def test_claim_small_lr_safe():
    """Depends: a tiny γ never diverges, yet after 400 steps it is far from the minimum with a flat loss curve."""
    state, tr = lesson_runs("tiny_lr")
    land = share.landscape_of(state)
    tiny = tr["momentum"]
    assert tiny.diverged_at[0] == -1
    gap = tiny.loss[:, 0] - land.min_value
    assert gap[-1] > 0.1 * gap[0] and gap[-1] > 0.9 * gap[-101]
    assert steps_to(land, tr["gd"], state.tol) > 0


def test_claim_newton_one_step():
    """True: one Newton step from anywhere lands on the minimum of a quadratic, however ill-conditioned."""
    rng = np.random.default_rng(1)
    for kappa, angle in ((10.0, 30.0), (1000.0, -70.0)):
        land = landscapes.get("ravine", condition=kappa, angle=angle)
        starts = rng.uniform(-9, 9, size=(20, 2))
        tr = optimizers.simulate(land, "newton", starts, 1)
        assert np.allclose(tr.points[1], land.minima[0], atol=1e-9)


@pytest.mark.app
def test_claims_panel_lists_every_claim_and_a_click_applies_its_lesson():
    at = open_tab(open_app(), "Explanations")
    text = "\n".join(m.value for m in at.markdown)
    assert all(c.claim in text and c.why in text for c in claims.CLAIMS)
    at.button(key="claim_adaptive_fix_conditioning").click().run()
    assert not at.exception
    assert at.session_state["lesson"] == "rotate_valley" and at.session_state["tab"] == "Race"
    assert at.session_state["surface.angle"] == 45.0
