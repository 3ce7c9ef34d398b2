"""What the registry's texts say about how each optimizer behaves, each statement declared once with its domain.

Every sentence of an entry's ``intuition``, ``pros`` and ``cons`` (see :mod:`optimizers.registry`) that
says how the optimizer behaves is checked by one :class:`~optimizers.validity.Statement` here, whose
``entries`` name the texts it belongs to.  Lessons and claims (in :mod:`state`) reuse these statements where
they say the same thing, and declare their own for the rest.  Checks are vectorized over the sampled
cases: one :func:`~optimizers.simulate` call per optimizer (per learning rate of the grid when they tune).

Nothing runs at import; :func:`optimizers.validity.study` runs a statement's study on first use.
"""
from __future__ import annotations

from typing import Any

import numpy as np

import landscapes
from landscapes.analytic import RAVINE_START, ravine_point
from optimizers import metrics, theory
from optimizers.params import UNCORRECTED_FIRST_STEP
from optimizers.trajectory import Trajectory
from optimizers.validity import (
    Axis,
    Band,
    Box,
    Cases,
    Disc,
    Domain,
    Picture,
    Statement,
    fair_lrs,
    live,
    overshoot,
    scaled,
    steps_to,
)

Array = np.ndarray

VALLEY = Disc(RAVINE_START, 1.0, valley=True, label="the ravine's start")
ANY_ANGLE = Axis("angle", 0.0, 90.0)
TURNED = Axis("angle", 30.0, 60.0)
TOL_RACE = 1e-3            # the rotation lessons' tolerance on the loss gap
LONG = 96                  # cases of a study over thousands of steps: its cost grows with starts × steps
TWO_WELLS = {"tilt": 1.0}
RIGHT = ((0.3, 2.0), (-1.5, 1.5))   # the right-hand (shallow) side of two_wells (tilt 1), beyond the ridge


def _ratio_gap(cases: Cases, traj: Trajectory) -> Array:
    return cases.gap(traj)[-1] / np.maximum(cases.gap(traj)[0], 1e-300)


def _tuned_steps(cases: Cases, optimizer: str, tol: float, **hyper: Any) -> Array:
    """``(n,)``: steps to ``tol`` at each case's fair-race learning rate (``inf`` when it never gets there)."""
    lr = fair_lrs(cases, optimizer, tol=tol, **hyper)
    tr = cases.run(optimizer, lr=np.nan_to_num(lr, nan=1e-4), diagnostics=False, **hyper)
    reached = steps_to(cases, tr, tol).astype(float)
    return np.where((reached >= 0) & np.isfinite(lr), reached, np.inf)


# --- gradient descent -------------------------------------------------------------------------------------

def _gd_zigzag(c: Cases) -> Array:
    tr = c.run("gd", lr=c["lr"], diagnostics=False)
    across = c.across(tr)
    alive = np.abs(across[:-1]) > 1e-9 * np.abs(across[0])           # before the crossings reach rounding noise
    crossed = np.signbit(across[1:]) != np.signbit(across[:-1])
    return np.all(crossed | ~alive, axis=0) & (alive.sum(axis=0) >= 5)


GD_ZIGZAG = Statement(
    "gd.zigzag", "With a step between 1/L and 2/L, gradient descent crosses the valley's floor at every step: its "
                 "path bounces from wall to wall.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 10, 1000, log=True), Axis("lr", 1.05, 1.99)),
           steps=50),
    _gd_zigzag, entries=(("gd", "intuition"),))


def _bounce_grows(c: Cases) -> Array:
    tr = c.run("gd", lr=c["lr"], diagnostics=False)
    across = np.abs(c.across(tr))
    alive = (across[:-1] > 1e-9 * across[0]) & live(tr)              # above rounding noise, before a divergence
    longer = across[1:] > across[:-1]
    return np.where(c["lr"] > 2.0, (longer | ~alive).all(axis=0), ~(longer & alive).any(axis=0))


GD_EDGE = Statement(
    "gd.edge", "Below γ = 2/L each bounce across the valley is shorter than the one before; above 2/L each is "
               "longer, and gradient descent diverges.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 2, 1000, log=True), Axis("lr", 1.5, 2.5)),
           steps=100),
    _bounce_grows, entries=(("gd", "cons"),))


def _gd_best_rate(c: Cases) -> Array:
    tr = c.run("gd", lr=c["lr"], diagnostics=False)
    best = (c["condition"] - 1) / (c["condition"] + 1)
    return theory.measured_rates(tr, c.land.minima[0]) >= best * (1 - 1e-3)


GD_BEST_RATE = Statement(
    "gd.best_rate", "No fixed step makes gradient descent shrink the distance faster than (κ−1)/(κ+1) per step.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 2, 1000, log=True), Axis("lr", 0.05, 1.99)),
           steps=300),
    _gd_best_rate, entries=(("gd", "cons"),))


def _two_wells_end(c: Cases, optimizer: str, **hyper: Any) -> Array:
    """Index of the minimum each run ends on (-1: none)."""
    return metrics.reached_minimum(c.land, c.run(optimizer, diagnostics=False, **hyper))


def _shallow(land: landscapes.Landscape) -> int:
    return int(np.argmax(land.value(land.minima)))


GD_LOCAL_MIN = Statement(
    "gd.local_minimum", "Gradient descent started in the shallow valley of the two wells ends in its minimum, "
                        "although the other valley is deeper.",
    Domain("two_wells", TWO_WELLS, starts=Band(*RIGHT, 0.9, 3.0, label="the shallow valley's side"),
           axes=(Axis("lr", 0.005, 0.1, log=True),), steps=4000, shown=400, n=LONG),
    lambda c: _two_wells_end(c, "gd", lr=c["lr"]) == _shallow(c.land), entries=(("gd", "cons"),))


# --- SGD and mini-batches ---------------------------------------------------------------------------------

def _sgd_floor(c: Cases) -> Array:
    tr = c.run("sgd", lr=c["lr"], noise=c["noise"], diagnostics=False)
    lam_flat, lam_steep = 1.0 / c.condition, 1.0
    floor = sum(c["lr"] * c["noise"] ** 2 / (2.0 * (2.0 - c["lr"] * lam)) for lam in (lam_flat, lam_steep))
    late = c.gap(tr)[tr.steps // 2:].mean(axis=0)
    return (late > 0.6 * floor) & (late < 1.6 * floor)


SGD_FLOOR = Statement(
    "sgd.floor", "With a constant γ, SGD's loss does not keep falling: over the second half of a long run it "
                 "hovers within 40% below to 60% above the floor γσ²/(2(2−γm)) + γσ²/(2(2−γL)).",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 5, 20), Axis("lr", 0.2, 0.8),
                                          Axis("noise", 0.5, 2.0, label="σ")), steps=4000, shown=400, n=LONG),
    _sgd_floor, entries=(("sgd", "intuition"), ("sgd", "cons")))


def _sgd_deep_side(c: Cases) -> Array:
    tr = c.run("sgd", lr=c["lr"], noise=c["noise"], schedule="cosine", diagnostics=False)
    xs = np.linspace(c.land.minima[:, 0].min(), c.land.minima[:, 0].max(), 2001)
    ridge = xs[np.argmax(c.land.value(np.stack([xs, np.zeros_like(xs)], axis=-1)))]
    deep = c.land.minima[1 - _shallow(c.land)]
    return (tr.points[-1, :, 0] < ridge) == (deep[0] < ridge)


SGD_ESCAPE = Statement(
    "sgd.escape", "With enough noise, SGD's gradients kick it out of the shallow valley of the two wells, and a "
                  "cosine schedule then leaves it in the deep one.",
    Domain("two_wells", TWO_WELLS, starts=Band(*RIGHT, 0.9, 12.0, label="the shallow valley's side"),
           axes=(Axis("lr", 0.08, 0.12), Axis("noise", 2.5, 3.5, label="σ")), steps=400),
    _sgd_deep_side, entries=(("sgd", "intuition"), ("sgd", "pros")))


def _batch_variance(c: Cases) -> Array:
    """Per start: the measured variance of a batch's gradient, for b = 1, 4, 16, 64, against σ²/b·(N−b)/(N−1)
    with σ² the exact variance of the N single-example gradients there (each b within 20%)."""
    draws, n_ex, grad_batch = 2000, c.land.n_examples, c.land.grad_batch
    assert n_ex and grad_batch is not None                    # a dataset surface
    every = np.repeat(c.starts, n_ex, axis=0)
    single = grad_batch(every, np.tile(np.arange(n_ex), c.n)[:, None]) - c.land.grad(every)
    sigma2 = np.sum(single ** 2, axis=-1).reshape(c.n, n_ex).mean(axis=1)
    many = np.repeat(c.starts, draws, axis=0)
    ok = np.ones(c.n, dtype=bool)
    for b in (1, 4, 16, 64):
        g = c.run("minibatch", 1, starts=many, lr=0.01, batch_size=b, diagnostics=True).recorded("grads")[0]
        var = np.sum((g - c.land.grad(many)) ** 2, axis=-1).reshape(c.n, draws).mean(axis=1)
        ok &= np.abs(var / (sigma2 / b * (n_ex - b) / (n_ex - 1)) - 1) < 0.2
    return ok


MINIBATCH_NOISE = Statement(
    "minibatch.noise", "A batch of b examples (drawn without replacement from N) has gradient noise of variance "
                       "σ²/b·(N−b)/(N−1): its spread shrinks like 1/√b.",
    Domain("linear_regression", starts=Box((-2.0, 6.0), (-5.0, 3.0), label="starts anywhere on the plot"), steps=1,
           n=16),
    _batch_variance, entries=(("minibatch", "intuition"),))


def _decay_below_floor(c: Cases) -> Array:
    tr = c.run("sgd", lr=0.5, noise=1.0, schedule="inverse_time", decay=0.05, diagnostics=False)
    floor = theory.sgd_noise_floor(theory.Curvature(1.0, 1.0 / c.condition[0]), 0.5, 1.0)
    return c.gap(tr)[-50:].mean(axis=0) < floor / 2


SGD_DECAY = Statement(
    "sgd.decay", "With the step decaying as γ/(1 + 0.05(t − 1)), one SGD run's loss over its last 50 of 400 steps "
                 "averages below half the constant-step floor.",
    Domain("ravine", {"condition": 10.0}, starts=VALLEY, axes=(ANY_ANGLE,), steps=400),
    _decay_below_floor, entries=(("sgd", "cons"),))


def _minibatch_jitters(c: Cases) -> Array:
    d = c.distance(c.run("minibatch", lr=c["lr"], batch_size=16, diagnostics=False))
    return d[d.shape[0] // 2:].mean(axis=0) > 0.002 * d[0]


MINIBATCH_JITTER = Statement(
    "minibatch.jitter", "With a constant γ, mini-batches of 16 keep jittering around the least-squares fit: over the "
                        "second half of 2,000 steps their mean distance from it stays above 0.2% of the start's.",
    Domain("linear_regression", starts=Box((-2.0, 6.0), (-5.0, 3.0), label="starts anywhere on the plot"),
           axes=(Axis("lr", 0.02, 0.08),), steps=2000, n=LONG),
    _minibatch_jitters, entries=(("minibatch", "cons"),))


# --- momentum and Nesterov ------------------------------------------------------------------------------------

def _speedup(c: Cases) -> Array:
    tr = c.run("momentum", lr=c["lr"], momentum=c["momentum"], diagnostics=False)
    along = np.abs(c.along(tr))
    rate = (along[-1] / along[tr.steps // 2]) ** (1.0 / (tr.steps - tr.steps // 2))
    speedup = (1 - rate) / (c["lr"] / c["condition"])                 # against gradient descent's 1 − γm
    return np.abs(speedup * (1 - c["momentum"]) - 1) < 0.1


MOMENTUM_SPEEDUP = Statement(
    "momentum.speedup", "Where γ times the floor's curvature is small, momentum moves along the floor about "
                        "1/(1−μ) times as fast as gradient descent at the same γ (within 10%).",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 200, 1000, log=True), Axis("lr", 0.05, 0.5),
                                          Axis("momentum", 0.3, 0.8)), steps=400),
    _speedup, entries=(("momentum", "intuition"),))


def _slower_swings(c: Cases) -> Array:
    across = c.across(c.run("momentum", lr=c["lr"], momentum=c["momentum"], diagnostics=False))
    alive = np.abs(across[:-1]) > 1e-9 * np.abs(across[0])
    crossed = (np.signbit(across[1:]) != np.signbit(across[:-1])) & alive
    return crossed.sum(axis=0) <= 0.5 * alive.sum(axis=0)


MOMENTUM_SWINGS = Statement(
    "momentum.swings", "Momentum's path crosses the valley's floor on at most half of its steps (gradient descent "
                       "with a step above 1/L crosses it on every one): the zig-zag turns into slower swings.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 10, 1000, log=True), Axis("lr", 0.2, 1.5),
                                          Axis("momentum", 0.7, 0.95)), steps=50),
    _slower_swings, entries=(("momentum", "intuition"),))


def _converges(c: Cases, tr: Trajectory) -> Array:
    d = c.distance(tr)
    return (tr.diverged_at < 0) & (d[-1] < 1e-3 * d[0])


def _wider_stable(c: Cases) -> Array:
    lr = 2.0 + c["place"] * 2.0 * c["momentum"]                       # L = 1
    gd = c.run("gd", lr=lr, diagnostics=False)
    across = np.abs(c.across(gd))
    return (across[-1] > across[0]) & _converges(c, c.run("momentum", lr=lr, momentum=c["momentum"],
                                                          diagnostics=False))


def _wider_stable_map(c: Cases) -> Array:
    across = np.abs(c.across(c.run("gd", lr=c["lr"], diagnostics=False)))
    return (across[-1] > across[0]) & _converges(c, c.run("momentum", lr=c["lr"], momentum=c["momentum"],
                                                          diagnostics=False))


WEDGE_MOMENTA = (0.1, 0.95)            # the μ range of the statement below; between γL = 2 and 2 + 2μ (L = 1)
STABLE_WEDGE = tuple((2.0 + p * 2.0 * m, m) for p, m in ((0, WEDGE_MOMENTA[0]), (0, WEDGE_MOMENTA[1]),
                                                         (1, WEDGE_MOMENTA[1]), (1, WEDGE_MOMENTA[0]),
                                                         (0, WEDGE_MOMENTA[0])))
MOMENTUM_STABLE = Statement(
    "momentum.stable", "Between γL = 2 and γL = 2 + 2μ, gradient descent diverges while the heavy ball converges.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 2, 200, log=True),
                                          Axis("momentum", *WEDGE_MOMENTA),
                                          Axis("place", 0.05, 0.95, label="γL's place from 2 to 2 + 2μ")),
           steps=2000, shown=200, n=128),
    _wider_stable, entries=(("momentum", "pros"),),
    picture=Picture("lr", "momentum", Domain("ravine", starts=VALLEY, axes=(
        ANY_ANGLE, Axis("condition", 2, 200, log=True), Axis("lr", 0.5, 4.5), Axis("momentum", 0.0, 0.95)),
        steps=2000, n=400), _wider_stable_map, outline=STABLE_WEDGE))


def _polyak_rate(c: Cases) -> Array:
    best = [theory.heavy_ball_tuning(theory.Curvature(1.0, 1.0 / k)) for k in c["condition"]]
    lr, mom = np.array([t.hyper["lr"] for t in best]), np.array([t.hyper["momentum"] for t in best])
    rate = np.array([t.rate for t in best])
    measured = theory.measured_rates(c.run("momentum", lr=lr, momentum=mom, diagnostics=False), c.land.minima[0])
    return (measured >= rate * (1 - 1e-9)) & (measured <= 1.05 * rate)


MOMENTUM_TUNED = Statement(
    "momentum.tuned_rate", "Tuned as Polyak prescribes, the heavy ball's measured rate is within 5% of "
                           "(√κ−1)/(√κ+1) per step.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 4, 1000, log=True)), steps=300),
    _polyak_rate, entries=(("momentum", "pros"),))


def _swings(c: Cases, optimizer: str) -> Array:
    """Whether the path crosses the minimum along the valley's floor and comes back (two sign changes)."""
    along = c.along(c.run(optimizer, lr=c["lr"], momentum=c["momentum"], diagnostics=False))
    alive = np.abs(along[:-1]) > 1e-9 * np.abs(along[0])
    crossed = (np.signbit(along[1:]) != np.signbit(along[:-1])) & alive
    return crossed.sum(axis=0) >= 2


MOMENTUM_OVERSHOOT = Statement(
    "momentum.overshoot", "With μ of 0.9 or more, the heavy ball rolls past the minimum along the valley's floor "
                          "and back before it settles.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True), Axis("lr", 0.1, 1.5),
                                          Axis("momentum", 0.9, 0.97)), steps=400),
    lambda c: _swings(c, "momentum"), entries=(("momentum", "cons"),))


def _escapes(c: Cases) -> Array:
    return _two_wells_end(c, "momentum", lr=c["lr"], momentum=c["momentum"]) == 1 - _shallow(c.land)


def _stays(c: Cases) -> Array:
    return _two_wells_end(c, "momentum", lr=c["lr"], momentum=c["momentum"]) == _shallow(c.land)


ESCAPE_SETTINGS = (Axis("lr", 0.015, 0.025), Axis("momentum", 0.85, 0.92))
MOMENTUM_ESCAPES_HIGH = Statement(
    "momentum.escapes_high", "Started high on the shallow valley's side (f ≥ 3), momentum arrives at the ridge "
                             "fast enough to roll over into the deep valley.",
    Domain("two_wells", TWO_WELLS, starts=Band(*RIGHT, 3.0, 20.0, label="the shallow valley's side"),
           axes=ESCAPE_SETTINGS, steps=4000, shown=400, n=LONG),
    _escapes, entries=(("momentum", "pros"), ("momentum", "cons")),
    picture=Picture("x", "y", Domain("two_wells", TWO_WELLS, starts=Band(*RIGHT, 0.9, 20.0, label="the right side"),
                                     axes=(Axis("lr", 0.02, 0.02), Axis("momentum", 0.9, 0.9)), steps=4000,
                                     n=400)))
MOMENTUM_STAYS_LOW = Statement(
    "momentum.stays_low", "Started low in the shallow valley (f ≤ 1.6), momentum never gathers the speed to cross "
                          "the ridge and stays there.",
    Domain("two_wells", TWO_WELLS, starts=Band(*RIGHT, 0.9, 1.6, label="the shallow valley's side"),
           axes=ESCAPE_SETTINGS, steps=4000, shown=400, n=LONG),
    _stays, entries=(("momentum", "pros"), ("momentum", "cons")))
MOMENTUM_ESCAPE_BETWEEN = Statement(
    "momentum.escape_between", "From starts between those heights (1.6 < f < 3) it escapes in {share} of cases: "
                               "it depends on exactly where it starts.",
    Domain("two_wells", TWO_WELLS, starts=Band(*RIGHT, 1.6, 3.0, label="the shallow valley's side"),
           axes=ESCAPE_SETTINGS, steps=4000, shown=400, n=LONG),
    _escapes, share=True)


def _nag_better(c: Cases) -> Array:
    hb = c.run("momentum", lr=c["lr"], momentum=c["momentum"], diagnostics=False)
    nag = c.run("nag", lr=c["lr"], momentum=c["momentum"], diagnostics=False)
    s_hb, s_nag = steps_to(c, hb, 1e-6), steps_to(c, nag, 1e-6)
    return (overshoot(c, nag) < 0.8 * overshoot(c, hb)) & (s_nag > 0) & ((s_hb < 0) | (s_nag < s_hb))


NAG_OVERSHOOT = Statement(
    "nag.overshoot", "At the same γ and a large μ (0.85 to 0.95), Nesterov overshoots less than the heavy ball "
                     "(by at least a fifth) and settles sooner, while γL stays below about 1.25.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 5, 50, log=True), Axis("lr", 0.4, 1.25),
                                          Axis("momentum", 0.85, 0.95)), steps=200),
    _nag_better, entries=(("nag", "intuition"), ("nag", "pros")),
    picture=Picture("lr", "momentum", Domain("ravine", starts=VALLEY, axes=(
        ANY_ANGLE, Axis("condition", 5, 50, log=True), Axis("lr", 0.05, 1.6), Axis("momentum", 0.3, 0.97)),
        steps=200, n=800)))


def _nag_narrower(c: Cases) -> Array:
    mom = c["momentum"]
    nag_edge, hb_edge = (2 + 2 * mom) / (1 + 2 * mom), 2 + 2 * mom
    lr = nag_edge + c["place"] * (hb_edge - nag_edge)
    nag = c.run("nag", lr=lr, momentum=mom, diagnostics=False)
    across = np.abs(c.across(nag))
    return ((nag.diverged_at >= 0) | (across[-1] > across[0])) & _converges(
        c, c.run("momentum", lr=lr, momentum=mom, diagnostics=False))


NAG_EDGE = Statement(
    "nag.edge", "Nesterov's stable range is narrower: between γL = (2+2μ)/(1+2μ) and 2+2μ it diverges where the "
                "heavy ball converges.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 2, 200, log=True), Axis("momentum", 0.1, 0.95),
                                          Axis("place", 0.05, 0.95, label="γL's place between the two limits")),
           steps=2000, shown=200, n=128),
    _nag_narrower, entries=(("nag", "cons"),))


def _hb_beats_nag(c: Cases) -> Array:
    curv = [theory.Curvature(1.0, 1.0 / k) for k in c["condition"]]
    rates = {}
    for tune in (theory.heavy_ball_tuning, theory.nesterov_tuning):
        best = [tune(cv) for cv in curv]
        tr = c.run(best[0].optimizer, lr=np.array([t.hyper["lr"] for t in best]),
                   momentum=np.array([t.hyper["momentum"] for t in best]), diagnostics=False)
        rates[best[0].optimizer] = theory.measured_rates(tr, c.land.minima[0])
    return rates["momentum"] < rates["nag"]


NAG_TUNED = Statement(
    "nag.tuned_slower", "Each tuned at its best setting for the quadratic, the heavy ball's measured rate beats "
                        "Nesterov's.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 4, 1000, log=True)), steps=300),
    _hb_beats_nag, entries=(("nag", "cons"),))

NAG_OSCILLATES = Statement(
    "nag.oscillates", "With μ of 0.9 or more, Nesterov too rolls past the minimum along the valley's floor and "
                      "back before it settles.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True), Axis("lr", 0.1, 1.2),
                                          Axis("momentum", 0.9, 0.97)), steps=400),
    lambda c: _swings(c, "nag"), entries=(("nag", "cons"),))


# --- AdaGrad, RMSprop, AdaDelta ----------------------------------------------------------------------------------

def _never_grows(c: Cases, optimizer: str) -> Array:
    eff = c.run(optimizer, lr=c["lr"], diagnostics=True).recorded("eff_lr")
    alive = eff[1:] > 0                                       # diagnostics are zeroed after a divergence
    return np.all((np.diff(eff, axis=0) <= 0) | ~alive, axis=(0, 2))


ADAGRAD_NEVER_GROWS = Statement(
    "adagrad.never_grows", "AdaGrad's effective learning rate γ/(√s + ε) does not grow from one step to the "
                           "next, in either coordinate: s is a running sum.",
    Domain("rosenbrock", starts=Box((-2.0, 2.0), (-1.0, 3.0), label="starts anywhere on the plot"),
           axes=(Axis("lr", 0.01, 2.0, log=True),), steps=1000),
    lambda c: _never_grows(c, "adagrad"), entries=(("adagrad", "intuition"), ("adagrad", "cons")))

ROSENBROCK_START = Disc((-1.5, 2.5), 0.3)


def _adagrad_behind(c: Cases) -> Array:
    ada = c.run("adagrad", lr=c["adagrad_lr"], diagnostics=False)
    rms = c.run("rmsprop", lr=c["rmsprop_lr"], diagnostics=False)
    return c.distance(ada)[-1] > c.distance(rms)[-1]


ADAGRAD_BEHIND = Statement(
    "adagrad.behind", "On Rosenbrock, after 1,000 steps AdaGrad is still farther from the minimum (1, 1) than "
                      "RMSprop.",
    Domain("rosenbrock", starts=ROSENBROCK_START, axes=(Axis("adagrad_lr", 0.1, 1.0, label="AdaGrad's γ", log=True),
                                                       Axis("rmsprop_lr", 0.005, 0.02, label="RMSprop's γ")),
           steps=1000),
    _adagrad_behind, entries=(("adagrad", "intuition"), ("rmsprop", "pros")))


def _adagrad_creeps(c: Cases) -> Array:
    d = c.distance(c.run("adagrad", lr=c["adagrad_lr"], diagnostics=False))
    return d[-1] < 0.5 * d[c.domain.shown]


ADAGRAD_CREEPS = Statement(
    "adagrad.creeps", "AdaGrad slows down but does not stop: run ten times longer, it ends at less than half the "
                      "distance it had reached.",
    Domain("rosenbrock", starts=ROSENBROCK_START, axes=(Axis("adagrad_lr", 0.1, 1.0, label="AdaGrad's γ", log=True),),
           steps=10_000, shown=1000, n=LONG),
    _adagrad_creeps, entries=(("adagrad", "cons"),))


def _diag_adagrad_axes(c: Cases) -> Array:
    turned = c.run("adagrad", lr=c["lr"], diagnostics=False).loss[-1]
    aligned = c.unturned().run("adagrad", lr=c["lr"], diagnostics=False).loss[-1]
    return turned > 100 * aligned


ADAGRAD_AXES = Statement(
    "adagrad.axes", "Diagonal AdaGrad's help with bad conditioning is tied to the axes: on a valley turned by 30° "
                    "to 60° its loss after 100 steps is over 100 times what it reaches along the axes.",
    Domain("ravine", starts=VALLEY, axes=(TURNED, Axis("condition", 20, 200, log=True),
                                          Axis("lr", 1.0, 10.0, log=True)), steps=100),
    _diag_adagrad_axes, entries=(("adagrad", "cons"),))


def _scale_free(c: Cases, optimizer: str) -> Array:
    base = c.run(optimizer, lr=c["lr"], diagnostics=False)
    big = c.on(scaled(c.land, c["scale"])).run(optimizer, lr=c["lr"], diagnostics=False)
    span = np.max(np.abs(base.points - base.points[0]), axis=(0, 2))
    return np.max(np.abs(big.points - base.points), axis=(0, 2)) < 1e-3 * span


RMSPROP_SCALE = Statement(
    "rmsprop.scale_free", "Multiplying the loss by any factor from 1/100 to 100 leaves RMSprop's path the same "
                          "(to 0.1% of its length): its steps do not depend on how steep the surface is.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True),
                                          Axis("lr", 0.01, 0.3, log=True),
                                          Axis("scale", 0.01, 100, label="the factor", log=True)), steps=100),
    lambda c: _scale_free(c, "rmsprop"), entries=(("rmsprop", "intuition"),))


def _keeps_jumping(c: Cases) -> Array:
    d = c.distance(c.run("rmsprop", lr=c["lr"], diagnostics=False))
    late = d[d.shape[0] // 2:].max(axis=0) / c["lr"]
    return (late > 0.6) & (late < 0.8)


RMSPROP_JITTER = Statement(
    "rmsprop.jitter", "With a constant γ, RMSprop never settles: to the end of a long run it keeps being thrown "
                      "back out to a distance of about 0.7γ from the minimum (between 0.6γ and 0.8γ).",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 10, 200, log=True),
                                          Axis("lr", 0.02, 0.5, log=True)),
           steps=8000, shown=800, n=LONG),
    _keeps_jumping, entries=(("rmsprop", "cons"),))


def _rms_as_slow_as_gd(c: Cases) -> Array:
    return _tuned_steps(c, "rmsprop", TOL_RACE) >= 0.6 * _tuned_steps(c, "gd", TOL_RACE)


RMSPROP_TURNED = Statement(
    "rmsprop.turned", "On a valley turned by 30° to 60°, RMSprop with its learning rate tuned on the fair race's grid "
                      "needs at least 60% of the steps tuned gradient descent needs: its per-coordinate scaling no "
                      "longer helps.",
    Domain("ravine", starts=VALLEY, axes=(TURNED, Axis("condition", 30, 150, log=True)), steps=300, n=64),
    _rms_as_slow_as_gd, entries=(("rmsprop", "pros"), ("rmsprop", "cons")))


def _rms_aligned(c: Cases) -> Array:
    return _tuned_steps(c, "rmsprop", TOL_RACE) <= 0.2 * _tuned_steps(c, "gd", TOL_RACE)


RMSPROP_ALIGNED = Statement(
    "rmsprop.aligned", "On a valley lying exactly along the axes, tuned RMSprop needs at most a fifth of the steps of "
                       "tuned gradient descent.",
    Domain("ravine", {"angle": 0.0}, starts=VALLEY, axes=(Axis("condition", 50, 300, log=True),), steps=300, n=64),
    _rms_aligned, entries=(("rmsprop", "pros"),))


def _adadelta_first(c: Cases) -> Array:
    tr = c.run("adadelta", eps=c["eps"], rho=c["rho"], diagnostics=False)
    first = np.sqrt(c["eps"] / (1 - c["rho"]))
    return np.all(np.abs(np.abs(tr.updates[0]) / first[:, None] - 1) < 0.01, axis=-1)


ADADELTA_FIRST = Statement(
    "adadelta.first_step", "AdaDelta's first step moves each coordinate by √(ε/(1−ρ)) (within 1%), whatever the "
                           "gradient.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True),
                                          Axis("eps", 1e-8, 1e-4, label="ε", log=True),
                                          Axis("rho", 0.8, 0.99, label="ρ")),
           steps=1),
    _adadelta_first, entries=(("adadelta", "intuition"), ("adadelta", "cons")))


def _adadelta_slow(c: Cases) -> Array:
    tr = c.run("adadelta", eps=c["eps"], diagnostics=False)
    lengths = tr.step_length
    return np.all(lengths < 1.5 * lengths[0], axis=0)


ADADELTA_SLOW = Statement(
    "adadelta.slow_growth", "Over its first 100 steps on the ravine, no step of AdaDelta is even 1.5 times its first.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 20, 200, log=True),
                                          Axis("eps", 1e-7, 1e-5, label="ε", log=True)), steps=100),
    _adadelta_slow, entries=(("adadelta", "intuition"),))


# --- Adam and its relatives --------------------------------------------------------------------------------------

def _adam_step_size(c: Cases) -> Array:
    tr = c.run("adam", lr=c["lr"], diagnostics=False)
    per = np.abs(tr.updates) / c["lr"][None, :, None]
    return (np.abs(per[0] - 1) < 1e-3).all(axis=-1) & (per.max(axis=(0, 2)) < 3.2)


ADAM_STEP = Statement(
    "adam.step_size", "With the correction, Adam's first step moves each coordinate by γ, and no later step moves a "
                      "coordinate by more than about 3γ.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True), Axis("lr", 0.05, 0.5)),
           steps=300),
    _adam_step_size, entries=(("adam", "intuition"),))

ADAM_SCALE = Statement(
    "adam.scale_free", "Multiplying the loss by any factor from 1/100 to 100 leaves Adam's path the same (to 0.1% "
                       "of its length).",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True), Axis("lr", 0.05, 0.5),
                                          Axis("scale", 0.01, 100, label="the factor", log=True)), steps=100),
    lambda c: _scale_free(c, "adam"), entries=(("adam", "pros"),))


def _momentum_beats_adam(c: Cases) -> Array:
    return _tuned_steps(c, "momentum", TOL_RACE, momentum=0.8) < _tuned_steps(c, "adam", TOL_RACE)


ADAM_TURNED = Statement(
    "adam.turned", "On a valley turned by 30° to 60°, heavy ball (μ = 0.8) reaches the tolerance before Adam when "
                   "each has its learning rate tuned on the fair race's grid.",
    Domain("ravine", starts=VALLEY, axes=(TURNED, Axis("condition", 30, 300, log=True)), steps=300, n=64),
    _momentum_beats_adam, entries=(("adam", "cons"),))


def _adam_settles(c: Cases) -> Array:
    d = c.distance(c.run("adam", lr=c["lr"], diagnostics=False))
    return d[-1] < 1e-8 * d[0]


ADAM_SETTLES = Statement(
    "adam.settles_shown", "Within 800 steps Adam gets within 10⁻⁸ of the start's distance to the minimum.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 20, 100, log=True), Axis("lr", 0.2, 0.6)),
           steps=800),
    _adam_settles)


def _adam_thrown_out(c: Cases) -> Array:
    d = c.distance(c.run("adam", lr=c["lr"], diagnostics=False))
    return d[c.domain.shown:].max(axis=0) > 1e-3


ADAM_THROWN = Statement(
    "adam.thrown_out", "With a constant γ Adam does not stay settled: as its average v of squared gradients decays, "
                       "it is thrown out again (beyond 10⁻³ of the minimum) within ten times the 800 steps.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 20, 100, log=True), Axis("lr", 0.2, 0.6)),
           steps=8000, shown=800, n=LONG),
    _adam_thrown_out, entries=(("adam", "cons"),))


def _bias_ratio(c: Cases) -> Array:
    raw = c.run("adam", lr=c["lr"], bias_correction=False, diagnostics=False).step_length
    fixed = c.run("adam", lr=c["lr"], diagnostics=False).step_length
    ratio = raw / fixed
    return (np.abs(ratio[0] / np.sqrt(10) - 1) < 1e-3) & (ratio[1] > 2)


ADAM_BIAS = Statement(
    "adam.bias_first", "Without bias correction (default betas), Adam's first step is √10 ≈ "
                       f"{UNCORRECTED_FIRST_STEP:.1f} times as long as with it, and its second more than twice.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 10, 200, log=True), Axis("lr", 0.1, 0.5)),
           steps=2),
    _bias_ratio, entries=(("adam", "intuition"),))


def _vhat(c: Cases, tr: Trajectory) -> Array:
    """AMSGrad's √v̂ from its recorded effective rate ``γ/(1−β₁ᵗ) / (√v̂/√(1−β₂ᵗ) + ε)`` (default betas)."""
    t = np.arange(1, tr.steps + 1)[:, None, None]
    lr = c["lr"][None, :, None]
    return (lr / (1 - 0.9**t) / tr.eff_lr - 1e-8) * np.sqrt(1 - 0.999**t)


def _vhat_never_shrinks(c: Cases) -> Array:
    root = _vhat(c, c.run("amsgrad", lr=c["lr"], diagnostics=True))
    return np.all(np.diff(root, axis=0) >= -1e-9 * root[1:], axis=(0, 2))


AMSGRAD_VHAT = Statement(
    "amsgrad.vhat", "AMSGrad's scale √v̂ does not shrink from one step to the next, in either coordinate: v̂ is a "
                    "running maximum.",
    Domain("rosenbrock", starts=Box((-2.0, 2.0), (-1.0, 3.0), label="starts anywhere on the plot"),
           axes=(Axis("lr", 0.001, 0.1, log=True),), steps=1000),
    _vhat_never_shrinks, entries=(("amsgrad", "intuition"),))


def _amsgrad_grows(c: Cases) -> Array:
    eff = c.run("amsgrad", lr=c["lr"], diagnostics=True).recorded("eff_lr")
    return np.all(eff[-1] > eff[9], axis=-1)


AMSGRAD_GROWS = Statement(
    "amsgrad.effective_grows", "With PyTorch's bias correction, AMSGrad's effective step size in each coordinate is "
                               "larger at step 1,000 than at step 10.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True), Axis("lr", 0.05, 0.5)),
           steps=1000),
    _amsgrad_grows, entries=(("amsgrad", "intuition"),))


def _amsgrad_smaller(c: Cases) -> Array:
    ams = c.run("amsgrad", lr=c["lr"], diagnostics=True).recorded("eff_lr")
    adam = c.run("adam", lr=c["lr"], diagnostics=True).recorded("eff_lr")
    late = slice(-100, None)
    return np.all(ams[late].mean(axis=0) < adam[late].mean(axis=0), axis=-1)


AMSGRAD_SMALL = Statement(
    "amsgrad.small_steps", "After the steep walls of Rosenbrock, AMSGrad's effective step sizes over the last 100 of "
                           "1,000 steps are smaller than Adam's, in both coordinates.",
    Domain("rosenbrock", starts=ROSENBROCK_START, axes=(Axis("lr", 0.005, 0.05, log=True),), steps=1000),
    _amsgrad_smaller, entries=(("amsgrad", "cons"),))


def _adamw_short(c: Cases) -> Array:
    tr = c.run("adamw", lr=c["lr"], weight_decay=c["weight_decay"], schedule="cosine", diagnostics=False)
    end = tr.points[-1]
    minimum = c.land.minima[0]
    return (np.hypot(*end.T) < np.hypot(*minimum)) & (np.hypot(*(end - minimum).T) > 1e-4)


ADAMW_SHORT = Statement(
    "adamw.short", "With weight decay, AdamW stops short of Rosenbrock's minimum (1, 1), on the side of the origin.",
    Domain("rosenbrock", starts=ROSENBROCK_START, axes=(Axis("lr", 0.01, 0.05, log=True),
                                                       Axis("weight_decay", 0.01, 0.1, label="λ", log=True)),
           steps=3000),
    _adamw_short, entries=(("adamw", "intuition"), ("adamw", "cons")))


def _nadam_ahead(c: Cases) -> Array:
    nadam, adam = (c.run(name, lr=c["lr"], diagnostics=False).loss[-1] for name in ("nadam", "adam"))
    return nadam < adam


NADAM_AHEAD = Statement(
    "nadam.ahead", "At the same γ, NAdam's loss after 50 steps is below Adam's in {share} of cases: the difference "
                   "goes either way.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True), Axis("lr", 0.05, 0.5)),
           steps=50),
    _nadam_ahead, entries=(("nadam", "pros"), ("nadam", "cons")), share=True)


# --- Lion, Newton, BFGS, full-matrix AdaGrad, SAM, Schedule-Free, Prodigy, D-Adaptation, Muon ------------------

def _lion_exact(c: Cases) -> Array:
    tr = c.run("lion", lr=c["lr"], diagnostics=False)
    per = np.abs(tr.updates) / c["lr"][None, :, None]
    return np.all(np.abs(per - 1) < 1e-9, axis=(0, 2))


LION_STEP = Statement(
    "lion.exact_step", "Every step of Lion (weight decay 0) moves each coordinate by exactly γ.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True),
                                          Axis("lr", 0.01, 0.3, log=True)),
           steps=300),
    _lion_exact, entries=(("lion", "intuition"),))


def _lion_hops(c: Cases) -> Array:
    d = c.distance(c.run("lion", lr=c["lr"], diagnostics=False))
    return d[d.shape[0] // 2:].min(axis=0) > 0.1 * c["lr"]


LION_HOPS = Statement(
    "lion.hops", "With a constant γ, Lion keeps hopping around the minimum: to the end of a long run its distance "
                 "stays above γ/10.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True),
                                          Axis("lr", 0.01, 0.3, log=True)),
           steps=4000, shown=400, n=LONG),
    _lion_hops, entries=(("lion", "intuition"), ("lion", "cons")))


def _newton_one(c: Cases) -> Array:
    tr = c.run("newton", diagnostics=False)
    return np.hypot(*tr.points[1].T) < 1e-9 * np.hypot(*tr.points[0].T)


NEWTON_ONE = Statement(
    "newton.one_step", "On a quadratic, one Newton step (γ = 1) lands on the minimum, however stretched or turned "
                       "the valley.",
    Domain("ravine", starts=Box((-10.0, 10.0), (-10.0, 10.0), label="starts anywhere on the plot"),
           axes=(Axis("angle", -90.0, 90.0), Axis("condition", 1, 1000, log=True)), steps=1),
    _newton_one, entries=(("newton", "intuition"), ("newton", "pros")))


def _newton_fast(c: Cases) -> Array:
    tr = c.run("newton", diagnostics=False)
    _, d = c.land.nearest_minimum(tr.points)
    return d[5] < 1e-10


NEWTON_QUADRATIC = Statement(
    "newton.quadratic", "Started near Himmelblau's minimum, Newton's method is within 10⁻¹⁰ of it after 5 steps: "
                        "the error roughly squares each step.",
    Domain("himmelblau", starts=Disc((3.0, 2.0), 0.3, label="the minimum"), steps=5),
    _newton_fast, entries=(("newton", "pros"),))


SADDLE_START = Disc((-1.8, 0.01), 0.3)


def _newton_saddle(c: Cases) -> Array:
    tr = c.run("newton", fallback=False, diagnostics=False)
    end = tr.points[-1]
    return np.hypot(*end.T) < 1e-9


NEWTON_SADDLE = Statement(
    "newton.saddle", "Without its fallback, Newton's method started with |y| < 1/√3 jumps onto the saddle point "
                     "at (0, 0) and stays there.",
    Domain("saddle", starts=SADDLE_START, steps=1000, shown=100),
    _newton_saddle, entries=(("newton", "cons"),))


def _newton_guarded(c: Cases) -> Array:
    tr = c.run("newton", fallback=True, fallback_lr=0.1, diagnostics=False)
    return metrics.reached_minimum(c.land, tr) >= 0


NEWTON_GUARDED = Statement(
    "newton.guarded", "With the fallback, Newton's method takes gradient steps where the curvature is not positive, "
                      "slides off the ridge and ends in one of the two minima in {share} of cases.",
    Domain("saddle", starts=SADDLE_START, steps=100), _newton_guarded, entries=(("newton", "intuition"),), share=True)


def _guard_fails_on_first_newton_step(c: Cases) -> Array:
    tr = c.run("newton", fallback=True, fallback_lr=0.1, diagnostics=True)
    first_newton = np.argmax(~tr.recorded("fallback"), axis=0) + 1      # the step number of the first Newton step
    return (metrics.reached_minimum(c.land, tr) >= 0) | (tr.diverged_at == first_newton)


NEWTON_GUARDED_FAILS = Statement(
    "newton.guard_fails", "A guarded run that misses the minima diverges on its first Newton step, taken where the "
                          "curvature has only just turned positive.",
    Domain("saddle", starts=SADDLE_START, steps=100), _guard_fails_on_first_newton_step, entries=(("newton", "cons"),))


def _bfgs_downhill(c: Cases) -> Array:
    loss = c.run("bfgs", diagnostics=False).loss
    return np.all(np.diff(loss, axis=0) <= 1e-12 * np.maximum(np.abs(loss[:-1]), 1.0), axis=0)


BFGS_DOWNHILL = Statement(
    "bfgs.downhill", "Each step of BFGS with its line search lowers the loss or leaves it unchanged.",
    Domain("rosenbrock", starts=Box((-2.0, 2.0), (-1.0, 3.0), label="starts anywhere on the plot"), steps=200),
    _bfgs_downhill, entries=(("bfgs", "intuition"),))


def _bfgs_learns(c: Cases) -> Array:
    tr = c.run("bfgs", diagnostics=True)
    estimate = tr.extra["inv_hessian"][-1]
    true = np.linalg.inv(c.land.hessian(tr.points[-1]))
    return np.linalg.norm(estimate - true, axis=(-2, -1)) < 0.01 * np.linalg.norm(true, axis=(-2, -1))


BFGS_LEARNS = Statement(
    "bfgs.learns", "Within 10 steps on the ravine, BFGS's estimate H is within 1% of the true inverse Hessian: it "
                   "has taken the shape of the valley.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 2, 1000, log=True)), steps=10),
    _bfgs_learns, entries=(("bfgs", "intuition"),))


def _bfgs_conditioning(c: Cases) -> Array:
    d = c.distance(c.run("bfgs", diagnostics=False))
    return np.any(d <= 1e-8 * d[0], axis=0)


BFGS_CONDITIONING = Statement(
    "bfgs.conditioning", "On a quadratic, BFGS shrinks the distance to the minimum 10⁸-fold within 20 steps for any "
                         "condition number up to 1,000.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 2, 1000, log=True)), steps=20),
    _bfgs_conditioning, entries=(("bfgs", "pros"),))


def _full_rotation(c: Cases) -> Array:
    tr = c.run("adagrad_full", lr=c["lr"], diagnostics=False)
    flat = c.unturned().run("adagrad_full", lr=c["lr"], diagnostics=False)
    turned = ravine_point(flat.points, c.angle)
    return np.max(np.abs(turned - tr.points), axis=(0, 2)) < 1e-6 * np.hypot(*tr.points[0].T)


FULL_ROTATION = Statement(
    "adagrad_full.rotation", "Full-matrix AdaGrad's path on a turned ravine is its path on the unturned one, turned "
                             "(to 10⁻⁶ of the start's distance).",
    Domain("ravine", starts=VALLEY, axes=(Axis("angle", -90.0, 90.0), Axis("condition", 2, 500, log=True),
                                          Axis("lr", 0.1, 10.0, log=True)), steps=100),
    _full_rotation, entries=(("adagrad_full", "intuition"), ("adagrad_full", "pros")))


def _full_shrinks(c: Cases) -> Array:
    p = c.run("adagrad_full", lr=c["lr"], diagnostics=True).extra["preconditioner"]
    change = np.linalg.eigvalsh(p[:-1] - p[1:])                  # P_{t} − P_{t+1} is positive semidefinite
    return np.all(change >= -1e-12 * np.abs(p[1:]).max(axis=(-1, -2))[..., None], axis=(0, 2))


FULL_SHRINKS = Statement(
    "adagrad_full.shrinks", "Full-matrix AdaGrad's preconditioner does not grow in any direction from one step to "
                            "the next.",
    Domain("rosenbrock", starts=Box((-2.0, 2.0), (-1.0, 3.0), label="starts anywhere on the plot"),
           axes=(Axis("lr", 0.01, 1.0, log=True),), steps=300),
    _full_shrinks, entries=(("adagrad_full", "cons"),))


def _sam_hovers(c: Cases) -> Array:
    d = c.distance(c.run("sam", lr=c["lr"], radius=c["radius"], diagnostics=False))
    return d[d.shape[0] // 2:].max(axis=0) > 0.05 * c["radius"]


SAM_HOVERS = Statement(
    "sam.hovers", "With a constant γ, SAM keeps moving around the ravine's minimum: in the second half of a long "
                  "run it still strays more than ρ/20 from it.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 5, 100, log=True), Axis("lr", 0.2, 1.5),
                                          Axis("radius", 0.02, 0.2, label="ρ", log=True)),
           steps=4000, shown=400, n=LONG),
    _sam_hovers, entries=(("sam", "cons"),))


def _average_lags(c: Cases, optimizer: str) -> Array:
    tr = c.run(optimizer, lr=c["lr"], diagnostics=True)
    z = tr.extra["z"][-1]
    _, dx = c.land.nearest_minimum(tr.points[-1])
    _, dz = c.land.nearest_minimum(z)
    return dx > dz


SF_SGD_LAGS = Statement(
    "sf_sgd.lags", "On Rosenbrock's curved valley, Schedule-Free SGD's reported average x ends farther from the "
                   "minimum than its base sequence z after 200 steps.",
    Domain("rosenbrock", starts=ROSENBROCK_START, axes=(Axis("lr", 0.0005, 0.002, log=True),), steps=200),
    lambda c: _average_lags(c, "sf_sgd"), entries=(("sf_sgd", "cons"),))
SF_ADAMW_LAGS = Statement(
    "sf_adamw.lags", "On Rosenbrock's curved valley, Schedule-Free AdamW's reported average x ends farther from the "
                     "minimum than its base sequence z after 200 steps.",
    Domain("rosenbrock", starts=ROSENBROCK_START, axes=(Axis("lr", 0.005, 0.025, log=True),), steps=200),
    lambda c: _average_lags(c, "sf_adamw"), entries=(("sf_adamw", "cons"),))


def _d_series(c: Cases, optimizer: str) -> Array:
    return c.run(optimizer, lr=c["lr"], diagnostics=True).extra["d"]


def _prodigy_grows(c: Cases) -> Array:
    d = _d_series(c, "prodigy")
    return (d[49] >= 1000 * d[0]) & (d[-1] < 2 * d[d.shape[0] // 2])


LEARNT_STARTS = Box((-10.0, 10.0), (-10.0, 10.0), label="starts anywhere on the plot")
PRODIGY_GROWS = Statement(
    "prodigy.grows", "Prodigy's d grows at least 1,000-fold in its first 50 steps, then settles: it grows by less "
                     "than 2 times over the second half of 400 steps.",
    Domain("ravine", starts=LEARNT_STARTS, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True),
                                                 Axis("lr", 0.5, 2.0, label="the multiplier")), steps=400),
    _prodigy_grows, entries=(("prodigy", "intuition"),))


def _dadapt_sooner(c: Cases) -> Array:
    early = 9
    return _d_series(c, "dadapt_adam")[early] > _d_series(c, "prodigy")[early]


DADAPT_SOONER = Statement(
    "dadapt_adam.sooner", "D-Adaptation's step scale d grows faster in the first steps than Prodigy's: at step 10 "
                          "it is the larger one.",
    Domain("ravine", starts=LEARNT_STARTS, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True),
                                                 Axis("lr", 0.5, 2.0, label="the multiplier")), steps=10),
    _dadapt_sooner, entries=(("dadapt_adam", "intuition"), ("prodigy", "pros")))


def _first_steps_tiny(c: Cases, optimizer: str) -> Array:
    return np.all(c.run(optimizer, lr=c["lr"], diagnostics=False).step_length < 1e-4, axis=0)


PRODIGY_TINY = Statement(
    "prodigy.first_steps", "Prodigy's first 3 steps are each shorter than 10⁻⁴: they are spent near the tiny d₀.",
    Domain("ravine", starts=LEARNT_STARTS, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True),
                                                 Axis("lr", 0.5, 2.0, label="the multiplier")), steps=3),
    lambda c: _first_steps_tiny(c, "prodigy"), entries=(("prodigy", "cons"),))
DADAPT_TINY = Statement(
    "dadapt_adam.first_steps", "D-Adaptation's first 2 steps are each shorter than 10⁻⁴: they are spent near the "
                               "tiny d₀.",
    Domain("ravine", starts=LEARNT_STARTS, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True),
                                                 Axis("lr", 0.5, 2.0, label="the multiplier")), steps=2),
    lambda c: _first_steps_tiny(c, "dadapt_adam"), entries=(("dadapt_adam", "cons"),))


def _muon_length(c: Cases) -> Array:
    lengths = c.run("muon", lr=c["lr"], weight_decay=0.0, diagnostics=True).extra["update_length"]
    return np.all(np.abs(lengths - lengths[0, 0]) < 1e-12, axis=0)


MUON_LENGTH = Statement(
    "muon.length", "On a 1×2 matrix, every Muon update (5 Newton–Schulz steps) has the same length, whatever the "
                   "gradient.",
    Domain("himmelblau", starts=Box((-5.0, 5.0), (-5.0, 5.0), label="starts anywhere on the plot"),
           axes=(Axis("lr", 0.01, 0.1, log=True),), steps=100),
    _muon_length, entries=(("muon", "intuition"),))


def _muon_hops(c: Cases) -> Array:
    d = c.distance(c.run("muon", lr=c["lr"], weight_decay=0.0, diagnostics=False))
    return d[d.shape[0] // 2:].max(axis=0) > 0.1 * c["lr"]


MUON_HOPS = Statement(
    "muon.hops", "With a constant γ, Muon keeps hopping around the ravine's minimum: in the second half of a long run "
                 "it still strays more than γ/10 from it.",
    Domain("ravine", starts=VALLEY, axes=(ANY_ANGLE, Axis("condition", 5, 200, log=True),
                                          Axis("lr", 0.01, 0.3, log=True)),
           steps=4000, shown=400, n=LONG),
    _muon_hops, entries=(("muon", "cons"),))


STATEMENTS: tuple[Statement, ...] = (
    GD_ZIGZAG, GD_EDGE, GD_BEST_RATE, GD_LOCAL_MIN,
    SGD_FLOOR, SGD_DECAY, SGD_ESCAPE, MINIBATCH_NOISE, MINIBATCH_JITTER,
    MOMENTUM_SPEEDUP, MOMENTUM_SWINGS, MOMENTUM_STABLE, MOMENTUM_TUNED, MOMENTUM_OVERSHOOT,
    MOMENTUM_ESCAPES_HIGH, MOMENTUM_STAYS_LOW, MOMENTUM_ESCAPE_BETWEEN,
    NAG_OVERSHOOT, NAG_EDGE, NAG_TUNED, NAG_OSCILLATES,
    ADAGRAD_NEVER_GROWS, ADAGRAD_BEHIND, ADAGRAD_CREEPS, ADAGRAD_AXES,
    RMSPROP_SCALE, RMSPROP_JITTER, RMSPROP_TURNED, RMSPROP_ALIGNED, ADADELTA_FIRST, ADADELTA_SLOW,
    ADAM_STEP, ADAM_SCALE, ADAM_TURNED, ADAM_SETTLES, ADAM_THROWN, ADAM_BIAS,
    AMSGRAD_VHAT, AMSGRAD_GROWS, AMSGRAD_SMALL, ADAMW_SHORT, NADAM_AHEAD, LION_STEP, LION_HOPS,
    NEWTON_ONE, NEWTON_QUADRATIC, NEWTON_SADDLE, NEWTON_GUARDED, NEWTON_GUARDED_FAILS,
    BFGS_DOWNHILL, BFGS_LEARNS, BFGS_CONDITIONING, FULL_ROTATION, FULL_SHRINKS, SAM_HOVERS,
    SF_SGD_LAGS, SF_ADAMW_LAGS, PRODIGY_GROWS, DADAPT_SOONER, PRODIGY_TINY, DADAPT_TINY, MUON_LENGTH, MUON_HOPS,
)
BY_KEY: dict[str, Statement] = {s.key: s for s in STATEMENTS}


def about(optimizer: str) -> tuple[Statement, ...]:
    """The statements that check the registry texts of ``optimizer``, in declaration order."""
    return tuple(s for s in STATEMENTS if any(name == optimizer for name, _ in s.entries))
