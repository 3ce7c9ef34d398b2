"""Lessons: one-click presets that each reproduce a classic behaviour of an optimizer.

A lesson is a share-link query (the same parameters ``state.share.encode`` writes), so applying
it is ``share.decode(lesson.query)`` followed by ``ui.controls.load_state``, and every lesson is
also a link.  Settings a lesson leaves out come from the surface's suggestions and the optimizers'
defaults.  Where a lesson compares how fast methods get somewhere, its link turns the fair race on,
so each runs at the learning rate the fair-race tuner picks on the same grid
(:func:`optimizers.studies.tune_lr`), and its text quotes what those runs measure.

Each statement a lesson makes about behaviour is declared once (:class:`~optimizers.validity.Statement`,
in :mod:`optimizers.behaviour` or here) with the neighbourhood it is meant for; the page shows how much
of it holds (``tests/test_validity.py`` computes every fraction), and ``tests/test_lessons.py`` checks
the lesson's own run.  A text that quotes measured numbers is a function, run on first use and kept
for the process: importing this module runs no simulation.

The app shows an optimizer at most once per view, so where a lesson compares two settings of one
method it uses an exact stand-in and says so: heavy ball with momentum 0 is plain gradient descent
(PyTorch's SGD with ``momentum=0``), and AdamW with weight decay 0 is Adam (with bias correction).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

import landscapes
import optimizers
from optimizers import behaviour, metrics, studies, theory
from optimizers.once import once
from optimizers.trajectory import Trajectory
from optimizers.validity import Axis, Box, Cases, Domain, Statement, fair_lrs, percent, steps_to, study
from paramspec import Param
from state import surfaces

S = TypeVar("S")


@dataclass(frozen=True)
class Preset(Generic[S]):
    """A preset, what to watch in it, and the statements about behaviour its text makes (``S``: their kind)."""

    key: str                       # the value of ``lesson=`` in a share link
    title: str
    text: str | Callable[[], str]  # two or three sentences on what the figures show (a function if it measures)
    settings: dict[str, str]       # share-link parameters, without ``lesson``
    checks: tuple[S, ...] = ()

    @property
    def watch(self) -> str:
        """The lesson's words, with the numbers they quote measured (once per process)."""
        return self.text if isinstance(self.text, str) else _measured(self.text)

    @property
    def query(self) -> dict[str, str]:
        """The full share-link query of the lesson."""
        return {"lesson": self.key, **self.settings}


@once
def _measured(text: Callable[[], str]) -> str:
    return text()


@dataclass(frozen=True)
class Lesson(Preset[Statement]):
    """A lesson on a 2-D surface."""


def _g(x: float) -> str:
    """A float exactly as the share link writes it (shortest text that reads back bit for bit)."""
    return repr(float(x))


ANGLE = "30.0"     # ravine lessons not about alignment turn the valley off the axes, as on a real problem
FAIR = {"fair": "true"}   # the fair race: each optimizer at the learning rate tuned on the same grid


def _ravine(condition: float, angle: float = 30.0) -> landscapes.Landscape:
    return landscapes.get("ravine", condition=condition, angle=angle)


# --- a lesson's runs, as the page makes them ------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Race:
    """A lesson's runs as the app makes them: its link's settings over the surface's suggestions and the
    optimizers' defaults; with the fair race on, each at the learning rate the fair race tunes."""

    land: landscapes.Landscape
    start: tuple[float, float]
    steps: int
    seed: int
    tol: float
    hyper: dict[str, surfaces.Hyper]
    fair: bool

    def lr(self, name: str) -> float:
        """The learning rate ``name`` races with: the fair race's when it is on (its own if every rate diverged)."""
        if not self.fair:
            return float(self.hyper[name]["lr"])
        grid = studies.lr_grid(studies.SWEEP_MIN.default, studies.SWEEP_MAX.default, studies.SWEEP_POINTS.default)
        others = {k: v for k, v in self.hyper[name].items() if k != "lr"}
        tuned, _ = studies.tune_lr(self.land, name, self.start, self.steps, grid, seed=self.seed, tol=self.tol,
                                   **others)
        return float(self.hyper[name]["lr"]) if tuned is None else tuned

    def run(self, name: str, steps: int | None = None, **override: object) -> Trajectory:
        hyper = {**self.hyper[name], "lr": self.lr(name), **override}
        return optimizers.simulate(self.land, name, self.start, self.steps if steps is None else steps,
                                   seed=self.seed, **hyper)

    def steps_to(self, name: str) -> int:
        """First step of ``name``'s run within the lesson's tolerance of the minimum (-1 if none)."""
        return int(metrics.steps_to_tolerance(self.run(name), self.land.min_value, self.tol)[0])


def _value(param: Param[Any], text: str) -> Any:
    return param.validate(text if param.kind in ("bool", "choice") else float(text))


@once
def race(key: str) -> Race:
    """The runs of lesson ``key`` (``tests/test_lessons.py`` checks they are what ``share.decode`` gives)."""
    settings = get(key).settings
    spec = landscapes.spec(settings["surface"])
    land = landscapes.get(settings["surface"], **{p.name: float(settings[p.name]) for p in spec.params
                                                  if p.name in settings})
    hyper = {}
    for name in settings["opt"].split(","):
        opt = optimizers.get(name)
        values = surfaces.default_hyper(name, land)
        values.update({p.name: _value(p, settings[f"{name}.{p.name}"]) for p in opt.all_params
                       if f"{name}.{p.name}" in settings})
        hyper[name] = values
    x, y = (float(v) for v in settings["start"].split(",")) if "start" in settings else land.start
    start = (float(x), float(y))
    return Race(land, start, int(settings["steps"]), int(settings.get("seed", "0")), float(settings["tol"]), hyper,
                settings.get("fair") == "true")


# --- statements the lessons make beyond the registry's ----------------------------------------------------

def _tuned_steps(c: Cases, name: str, tol: float, **hyper: Any) -> np.ndarray:
    lr = fair_lrs(c, name, tol=tol, **hyper)
    reached = steps_to(c, c.run(name, lr=np.nan_to_num(lr, nan=1e-4), diagnostics=False, **hyper), tol)
    return np.where((reached >= 0) & np.isfinite(lr), reached, np.inf)


def _momentum_sooner(c: Cases) -> np.ndarray:
    mom = _tuned_steps(c, "momentum", 1e-6, momentum=0.85)
    return np.isfinite(mom) & (_tuned_steps(c, "gd", 1e-6) >= 3 * mom)


ZIGZAG_SOONER = Statement(
    "zigzag.sooner", "With both learning rates tuned on the fair race's grid (μ = 0.85), momentum reaches the "
                     "tolerance at least 3 times sooner than gradient descent.",
    Domain("ravine", starts=behaviour.VALLEY, axes=(behaviour.ANY_ANGLE, Axis("condition", 80, 300, log=True)),
           steps=400, n=48),
    _momentum_sooner)


def _same_steps_turned(c: Cases) -> np.ndarray:
    same = np.ones(c.n, dtype=bool)
    flat = c.unturned()
    runs: tuple[tuple[str, dict[str, Any]], ...] = (("gd", {"lr": 1.8}), ("momentum", {"lr": 1.0, "momentum": 0.8}),
                                                    ("newton", {}))
    for name, hyper in runs:
        same &= steps_to(c, c.run(name, diagnostics=False, **hyper), 1e-3) == \
            steps_to(flat, flat.run(name, diagnostics=False, **hyper), 1e-3)
    return same


TURNING_CHANGES_NOTHING = Statement(
    "rotation.invariant", "Gradient descent, momentum and Newton's method take the same number of steps to the "
                          "tolerance at any angle of the valley.",
    Domain("ravine", starts=behaviour.VALLEY, axes=(Axis("angle", -90.0, 90.0), Axis("condition", 10, 300, log=True)),
           steps=300),
    _same_steps_turned)


def _looks_stalled(c: Cases) -> np.ndarray:
    tr = c.run("gd", lr=c["lr"], diagnostics=False)
    gap, along, d = c.gap(tr), np.abs(c.along(tr)), c.distance(tr)
    still = np.isclose(along[-1] / along[-2], 1 - c["lr"] / c["condition"], rtol=1e-9)
    return (tr.diverged_at < 0) & (d[-1] > 0.5 * d[0]) & (gap[-1] > 0.9 * gap[-101]) & still


TINY_LR = Statement(
    "tiny_lr.flat", "With γ far below 1/L (here γm under 4·10⁻⁴), gradient descent does not diverge, yet after 400 "
                    "steps it is still over half the start's distance from the minimum and its loss fell less than "
                    "10% in the last 100 steps, while it still shrinks the distance along the floor by exactly "
                    "1 − γm at every step.",
    Domain("ravine", starts=behaviour.VALLEY, axes=(behaviour.ANY_ANGLE, Axis("condition", 40, 100, log=True),
                                                    Axis("lr", 0.01, 0.015)), steps=400),
    _looks_stalled)


def _cosine_settles(c: Cases) -> np.ndarray:
    d = c.distance(c.run("rmsprop", lr=c["lr"], schedule="cosine", diagnostics=False))
    return d[-1] < 1e-4 * c["lr"]


RMSPROP_COSINE = Statement(
    "rmsprop.cosine", "With the cosine schedule RMSprop's steps shrink with γ, and it ends within γ/10,000 of the "
                      "minimum.",
    Domain("ravine", starts=behaviour.VALLEY, axes=(behaviour.ANY_ANGLE, Axis("condition", 10, 60, log=True),
                                                    Axis("lr", 0.08, 0.3, log=True)), steps=800),
    _cosine_settles)


def _bigger_eps(c: Cases) -> np.ndarray:
    small = c.run("adadelta", eps=1e-6, diagnostics=False)
    big = c.run("adadelta", eps=1e-4, diagnostics=False)
    ratio = big.step_length[:10] / small.step_length[:10]
    across = np.abs(c.across(big))
    return np.all((ratio > 6) & (ratio <= 10), axis=0) & (across[-1] < 1e-3 * across[0])


ADADELTA_EPS = Statement(
    "adadelta.eps", "Raising AdaDelta's ε from 10⁻⁶ to 10⁻⁴ makes each of its first 10 steps 6 to 10 times longer, "
                    "and within 400 steps it reaches the valley's floor (its distance across the valley shrinks over "
                    "1,000-fold).",
    Domain("ravine", starts=behaviour.VALLEY, axes=(behaviour.ANY_ANGLE, Axis("condition", 20, 100, log=True)),
           steps=400),
    _bigger_eps)


def _gd_needs_hundreds(c: Cases) -> np.ndarray:
    return _tuned_steps(c, "gd", 1e-6) >= 100


GD_HUNDREDS = Statement(
    "newton.gd_hundreds", "Even at the learning rate the fair race tunes for it, gradient descent needs at least "
                          "100 steps to the tolerance.",
    Domain("ravine", starts=behaviour.VALLEY, axes=(behaviour.ANY_ANGLE, Axis("condition", 50, 200, log=True)),
           steps=200, n=48),
    _gd_needs_hundreds)


def _noise_spread(c: Cases) -> np.ndarray:
    noise = {}
    runs: tuple[tuple[str, dict[str, Any]], ...] = (("minibatch", {"batch_size": 16}), ("sgd", {}))
    for name, hyper in runs:
        tr = c.run(name, lr=c["lr"], diagnostics=True, **hyper)
        noise[name] = np.sum((tr.grads - c.land.grad(tr.points[:-1])) ** 2, axis=-1).mean(axis=0)
    return noise["minibatch"] < noise["sgd"] / 4


BATCH_SPREAD = Statement(
    "batch_noise.between", "Along a whole run, the gradient noise of mini-batches of 16 has less than a quarter of "
                           "SGD's variance.",
    Domain("linear_regression", starts=Box((-2.0, 6.0), (-5.0, 3.0), label="starts anywhere on the plot"),
           axes=(Axis("lr", 0.02, 0.08),), steps=200, n=64),
    _noise_spread)


# --- the lessons ----------------------------------------------------------------------------------------------

def _theory_lesson(condition: float = 50.0) -> Lesson:
    """Best fixed settings from theory on the ravine, their numbers computed by ``optimizers.theory``."""
    c = theory.curvature(_ravine(condition))
    gd, hb, nag = theory.gd_tuning(c), theory.heavy_ball_tuning(c), theory.nesterov_tuning(c)
    return Lesson(
        "theory", "Theory meets practice: the best fixed settings",
        f"On this ravine the curvatures are L = {c.L:g} and m = {c.m:g}, so κ = {c.kappa:g}. Gradient descent at its "
        f"best fixed step 2/(L+m) shrinks the distance to the minimum by r = (κ−1)/(κ+1) = {gd.rate:.4f} per step; "
        f"tuned heavy ball reaches r = (√κ−1)/(√κ+1) = {hb.rate:.4f}, about "
        f"{theory.steps_to_shrink(gd.rate) / theory.steps_to_shrink(hb.rate):.1f} times fewer steps; tuned Nesterov "
        f"reaches r = 1 − 2/√(3κ+1) = {nag.rate:.4f}, between the two. The Theory lab below measures them.",
        {"surface": "ravine", "condition": _g(condition), "angle": ANGLE, "opt": "gd,momentum,nag",
         "gd.lr": _g(gd.hyper["lr"]), "momentum.lr": _g(hb.hyper["lr"]),
         "momentum.momentum": _g(hb.hyper["momentum"]), "nag.lr": _g(nag.hyper["lr"]),
         "nag.momentum": _g(nag.hyper["momentum"]), "steps": "150", "layout": "side", "tol": "1e-10"},
        (behaviour.GD_BEST_RATE, behaviour.MOMENTUM_TUNED, behaviour.NAG_TUNED),
    )


def _nesterov_lesson(condition: float = 10.0, lr: float = 0.5, momentum: float = 0.9) -> Lesson:
    """Same settings: Nesterov overshoots less, within a range of γ.  Tuned: the heavy ball is faster on a quadratic."""
    c = theory.curvature(_ravine(condition))
    hb, nag = theory.heavy_ball_tuning(c), theory.nesterov_tuning(c)
    return Lesson(
        "nesterov", "Nesterov: less overshoot, but not faster on a quadratic",
        f"Both run with the same γ = {lr:g} and μ = {momentum:g}, not tuned. Classical momentum measures the slope "
        "where it stands and swings wide past the minimum; Nesterov measures it where its velocity is taking it, "
        "brakes a step earlier and settles sooner. That needs a moderate γ: Nesterov is stable only for γL < "
        f"(2+2μ)/(1+2μ) = {theory.nesterov_max_lr(c.L, momentum):.2f}, against the heavy ball's 2+2μ = "
        f"{theory.heavy_ball_max_lr(c.L, momentum):.1f}. Tuned for this bowl, the heavy ball wins: its best "
        f"rate is r = {hb.rate:.3f} against Nesterov's {nag.rate:.3f} per step.",
        {"surface": "ravine", "condition": _g(condition), "angle": ANGLE, "opt": "momentum,nag",
         "momentum.lr": _g(lr), "momentum.momentum": _g(momentum), "nag.lr": _g(lr), "nag.momentum": _g(momentum),
         "steps": "200", "layout": "overlay", "tol": "1e-06"},
        (behaviour.NAG_OVERSHOOT, behaviour.NAG_EDGE, behaviour.NAG_TUNED),
    )


def _tiny_lr_lesson(condition: float = 50.0, lr: float = 0.01) -> Lesson:
    """A tiny learning rate: the loss curve flattens far above the minimum, though nothing has stopped."""
    c = theory.curvature(_ravine(condition))
    rate = theory.heavy_ball_rate(c, lr)
    return Lesson(
        "tiny_lr", "A learning rate that is too small looks like a stall",
        f"The right panel is gradient descent with γ = {lr:g} (heavy ball with momentum 0). Its loss curve soon "
        "goes flat, far above the minimum, which looks like being stuck; but the gradient is not zero, it is "
        f"just tiny steps. Along the floor the distance shrinks by 1 − γm = {rate:.4f} per step, so a million-fold "
        f"shrink would take about {theory.steps_to_shrink(rate):,.0f} steps. The left panel, at γ = 1.8, arrives.",
        {"surface": "ravine", "condition": _g(condition), "angle": ANGLE, "opt": "gd,momentum", "gd.lr": "1.8",
         "momentum.lr": _g(lr), "momentum.momentum": "0.0", "steps": "400", "layout": "side", "tol": "1e-06"},
        (TINY_LR,),
    )


def _adadelta_lesson(eps: float = 1e-6, rho: float = 0.9) -> Lesson:
    """AdaDelta has no real learning rate: its first steps are √(ε/(1−ρ)) per coordinate."""
    first = math.sqrt(eps / (1 - rho))
    return Lesson(
        "adadelta_eps", "AdaDelta without a learning rate: ε sets its slow start",
        "AdaDelta's step is the root of the average past step over the root of the average squared gradient. "
        f"Before it has moved, the past steps are zero, so ε = {eps:g} alone sets the first step: "
        f"√(ε/(1−ρ)) = {first:.2g} per coordinate, and it grows only slowly from there. Set AdaDelta's eps to "
        "1e-4 in the sidebar: every early step becomes several times longer (up to √(10⁻⁴/10⁻⁶) = 10 times) and it "
        "reaches the valley's floor.",
        {"surface": "ravine", "condition": "50.0", "angle": ANGLE, "opt": "adadelta,gd", "adadelta.lr": "1.0",
         "adadelta.eps": _g(eps), "adadelta.rho": _g(rho), "gd.lr": "1.8", "steps": "400", "layout": "side",
         "tol": "1e-06"},
        (behaviour.ADADELTA_FIRST, behaviour.ADADELTA_SLOW, ADADELTA_EPS),
    )


def _noise_floor_lesson(lr: float = 0.5, noise: float = 1.0, condition: float = 10.0) -> Lesson:
    """SGD with a constant step: a fast transient, then a floor set by the noise; a decaying step goes below."""
    floor = theory.sgd_noise_floor(theory.curvature(_ravine(condition)), lr, noise)
    return Lesson(
        "noise_floor", "Noisy gradients: a transient, then a noise floor",
        f"SGD with constant γ = {lr:g} first drops fast, then hovers: each noisy kick pushes it out as much as "
        "the slope pulls it back. Theory puts that floor at γσ²/(2(2−γm)) + γσ²/(2(2−γL)) for curvatures m and L, "
        f"{floor:.2f} here. The mini-batch panel has the same noise (batch of 1) but steps of "
        "γ/(1 + 0.05(t − 1)): its kicks shrink too and its loss keeps falling through the floor.",
        {"surface": "ravine", "condition": _g(condition), "angle": ANGLE, "opt": "sgd,minibatch,gd",
         "sgd.lr": _g(lr), "sgd.noise": _g(noise), "minibatch.lr": _g(lr), "minibatch.noise": _g(noise),
         "minibatch.batch_size": "1", "minibatch.schedule": "inverse_time", "minibatch.decay": "0.05",
         "gd.lr": _g(lr), "steps": "400", "seed": "0", "layout": "side", "tol": "1e-06"},
        (behaviour.SGD_FLOOR, behaviour.SGD_DECAY),
    )


def _stability_lesson(lr: float = 2.2, momentum: float = 0.5) -> Lesson:
    """The heavy ball is stable for γL < 2 + 2μ, plain gradient descent only for γL < 2."""
    return Lesson(
        "momentum_stability", "Momentum tolerates a larger learning rate",
        "On a quadratic with largest curvature L, gradient descent is stable only while γL < 2; the heavy ball "
        "(PyTorch's form) is stable while γL < 2 + 2μ, because the roots of its characteristic equation "
        f"z² − (1 + μ − γL)z + μ = 0 stay inside the unit circle up to there. Here L = 1 and γ = {lr:g}: "
        f"gradient descent diverges, while momentum with μ = {momentum:g} (limit {2 + 2 * momentum:g}) converges.",
        {"surface": "ravine", "condition": "20.0", "angle": ANGLE, "opt": "gd,momentum", "gd.lr": _g(lr),
         "momentum.lr": _g(lr), "momentum.momentum": _g(momentum), "steps": "200", "layout": "side",
         "tol": "1e-06"},
        (behaviour.MOMENTUM_STABLE,),
    )


ROTATION_RACE = ("gd", "momentum", "newton", "rmsprop", "adam")


def _rotation_settings(angle: float) -> dict[str, str]:
    return {"surface": "ravine", "condition": "100.0", "angle": _g(angle), "opt": ",".join(ROTATION_RACE),
            "gd.lr": "1.8", "momentum.lr": "0.5", "momentum.momentum": "0.8", "newton.lr": "1.0",
            "rmsprop.lr": "0.05", "adam.lr": "0.3", "steps": "300", "layout": "side", "tol": "0.001", **FAIR}


def _aligned_text() -> str:
    r = race("aligned")
    return ("Here the valley's floor runs exactly along x and its walls along y. RMSprop and Adam divide each "
            "coordinate's step by that coordinate's own gradient size, which on this grid happens to be one scale "
            "per curvature, so they look like a cure for the bad conditioning: with every learning rate tuned on "
            f"the same grid (the fair race), RMSprop reaches the tolerance in {r.steps_to('rmsprop')} steps, "
            f"gradient descent in {r.steps_to('gd')}. The next lesson turns the valley by 45°.")


def _rotated_text() -> str:
    aligned, turned = race("aligned"), race("rotate_valley")
    steps = {name: (aligned.steps_to(name), turned.steps_to(name)) for name in ROTATION_RACE}
    return ("The same race, every learning rate tuned on the same grid, with the valley turned by 45°. Gradient "
            f"descent, momentum and Newton take exactly as many steps as along the axes ({steps['gd'][1]}, "
            f"{steps['momentum'][1]} and {steps['newton'][1]}): they only use the gradient and Hessian, which turn "
            "with the valley. RMSprop and Adam scale x and y separately, and now each coordinate mixes the steep "
            f"and the flat direction: RMSprop needs {steps['rmsprop'][1]} steps instead of {steps['rmsprop'][0]}, "
            f"about as many as gradient descent, and Adam {steps['adam'][1]} instead of {steps['adam'][0]}, behind "
            "momentum.")


def _adagrad_text() -> str:
    r = race("adagrad_stall")
    far = {name: float(np.hypot(*(r.run(name).points[-1, 0] - r.land.minima[0]))) for name in ("adagrad", "rmsprop")}
    longer = r.run("adagrad", 10 * r.steps).points[-1, 0]
    return ("AdaGrad divides each step by the root of the sum of every squared gradient so far. The huge gradients on "
            "Rosenbrock's steep walls inflate that sum at once and it never shrinks, so its effective learning rate "
            "only gets smaller: "
            f"with both rates tuned on the same grid, after {r.steps:,} steps AdaGrad is still {far['adagrad']:.2f} "
            f"from the minimum at (1, 1), while RMSprop, which averages recent squared gradients and forgets the steep "
            f"ones, is {far['rmsprop']:.2f} away. AdaGrad slows down but does not stop: in {10 * r.steps:,} steps it "
            f"gets to {np.hypot(*(longer - r.land.minima[0])):.3f}.")


def _jitter_text() -> str:
    r = race("adaptive_jitter")
    d = np.hypot(*(r.run("adam", 10 * r.steps).points[:, 0] - r.land.minima[0]).T)
    kicked = int(np.argmax(d[r.steps:] > 1e-3)) + r.steps
    return ("Near the minimum RMSprop's gradient g and its running average v shrink together, so its step γ·g/√v "
            "stays of the order of γ: whenever the path gets close, a step about γ long throws it back out (watch its "
            "distance curve spike). Adam's momentum averages the flipping gradients and its v remembers larger past "
            f"ones, so within these {r.steps} steps it settles; but v decays too, and run for {10 * r.steps:,} steps "
            f"Adam is thrown out as well, here at step {kicked:,}. The rates are not tuned: any constant γ does this. "
            "Choose the cosine schedule for RMSprop in the sidebar: its steps shrink with γ and it settles.")


def _adam_bias_text() -> str:
    t = np.arange(1, 2001)
    ratio = (1 - 0.9**t) / np.sqrt(1 - 0.999**t)
    peak = int(np.argmax(ratio))
    return ("Adam's averages m and v both start at zero. In the first step m holds (1−β₁)·g and v holds (1−β₂)·g², "
            "so without correction the step m/√v is (1−β₁)/√(1−β₂) = √10 ≈ 3.2 times longer than intended, whatever g "
            f"is. For steady gradients the factor (1−β₁ᵗ)/√(1−β₂ᵗ) rises to {ratio[peak]:.1f} at step {t[peak]} and "
            f"is still {ratio[99]:.1f} at step 100; along a real path the two runs part ways after a step or two. "
            "The other panel is AdamW with weight decay 0, which is exactly Adam with the correction.")


def _newton_text() -> str:
    r = race("newton_quadratic")
    return ("Newton's method fits a quadratic bowl to the surface from its slope and curvature and jumps to the bowl's "
            "bottom. The ravine is a quadratic, so the fit is exact and one step lands on the minimum, however "
            f"stretched the valley, while gradient descent, even at the learning rate the fair race tunes for it "
            f"(γ = {r.lr('gd'):g}), needs {r.steps_to('gd')} steps.")


def _saddle_text() -> str:
    share = study(behaviour.NEWTON_GUARDED).fraction
    return ("Near the start the surface curves down along y, so the fitted quadratic is a saddle, and the unguarded "
            "Newton step jumps straight onto the saddle point at (0, 0), where the gradient vanishes, and stays. "
            "Switch Newton's fallback on in the sidebar: where the curvature is not positive it takes gradient steps "
            "like the GD panel, slides off the ridge and then lands in a minimum, as it does from "
            f"{percent(share)}% of starts nearby; from the others, its first Newton step, taken where the "
            "curvature has only just turned positive, is huge and throws it off the plot.")


LOW_START = (1.2, 0.5)                          # low in the shallow valley of two_wells (tilt 1)
ESCAPE_SETTINGS = {"surface": "two_wells", "tilt": "1.0", "opt": "gd,momentum,sgd", "gd.lr": "0.02",
                   "momentum.lr": "0.02", "momentum.momentum": "0.9", "sgd.lr": "0.1", "sgd.noise": "3.0",
                   "sgd.schedule": "cosine", "steps": "400", "seed": "0", "layout": "side", "tol": "1e-06"}


def _valley(land: landscapes.Landscape, traj: Trajectory) -> str:
    """Which valley a momentum run ends in: ``deep``, ``shallow`` or ``neither``."""
    reached = int(metrics.reached_minimum(land, traj)[0])
    shallow = int(np.argmax(land.value(land.minima)))
    return "neither" if reached < 0 else ("shallow" if reached == shallow else "deep")


def _escape_text() -> str:
    r = race("escape")
    ends = {"shallow": "stays in the shallow valley", "deep": "still escapes", "neither": "reaches neither minimum"}
    return ("Started high on the right wall, gradient descent rolls into the nearest valley and stops there, although "
            "the valley on the left is much deeper. Momentum arrives at the ridge fast enough to roll over it. SGD's "
            "noisy gradients kick it around until it hops over, and its cosine schedule then shrinks the kicks, so "
            "it stays in the deep valley. The rates are not tuned, and single runs are fragile: at γ = 0.03 the same "
            f"momentum run {ends[_valley(r.land, r.run('momentum', lr=0.03))]}.")


def _trapped_text() -> str:
    r = race("escape_trapped")
    ends = {"shallow": "it still stays", "deep": "it escapes", "neither": "it reaches neither minimum"}
    return ("The same surface and settings, started low in the shallow valley (f = "
            f"{float(r.land.value(np.array(r.start))):.2f}). Momentum now arrives at the ridge too slowly and rolls "
            "back: inertia only helps with the energy it has gathered. SGD's noise still hops over. Whether momentum "
            f"escapes hangs on a thread, though: with μ = 0.95 instead of 0.9 "
            f"{ends[_valley(r.land, r.run('momentum', momentum=0.95))]}.")


def _rotation_full_text(angle: float) -> Callable[[], str]:
    def text() -> str:
        r0, r45 = race("rotation_full_0"), race("rotation_full_45")
        full = r0.steps_to("adagrad_full")
        if angle == 0:
            return ("The valley lies along the x axis, so diagonal AdaGrad's per-coordinate scaling fits it. With both "
                    f"learning rates tuned on the same grid, diagonal AdaGrad gets within 10⁻⁶ of the minimum in "
                    f"{r0.steps_to('adagrad')} steps and full-matrix AdaGrad, which scales by the square root of the "
                    f"summed outer products g gᵀ, in {full}. Now open the 45° lesson.")
        loss = float(r45.run("adagrad").loss[-1, 0])
        return ("The same valley turned by 45°, both rates tuned again. Diagonal AdaGrad's scaling is tied to the "
                f"axes, which no longer follow the valley: after {r45.steps} steps its loss is still {loss:.1e}. "
                "Full-matrix AdaGrad is rotation invariant: its path is the 0° path turned by 45°, again within 10⁻⁶ "
                f"at step {r45.steps_to('adagrad_full')}.")
    return text


def _zigzag_text() -> str:
    r = race("zigzag")
    gd, mom = r.steps_to("gd"), r.steps_to("momentum")
    return (f"Across the ravine the walls curve {r.land.params['condition']:g} times more sharply than the floor along "
            "it, so gradient descent's steps point mostly across the valley: its path bounces from wall to wall and "
            "creeps along the floor. Momentum adds up the small, consistent pull along the floor while the "
            "back-and-forth pushes cancel, so its bounces die out. With both learning rates tuned on the same grid "
            f"(the fair race: γ = {r.lr('gd'):g} and {r.lr('momentum'):g}), momentum reaches the tolerance in {mom} "
            f"steps, gradient descent in {gd}, {gd / mom:.1f} times as many.")


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "zigzag", "Gradient descent zig-zags; momentum glides",
        _zigzag_text,
        {"surface": "ravine", "condition": "100.0", "angle": ANGLE, "opt": "gd,momentum", "gd.lr": "1.8",
         "momentum.lr": "0.7", "momentum.momentum": "0.85", "steps": "400", "layout": "side", "tol": "1e-06", **FAIR},
        (behaviour.GD_ZIGZAG, ZIGZAG_SOONER),
    ),
    Lesson(
        "lr_edge", "The edge of stability: learning rate 2/L",
        "The steepest curvature of this ravine is L = 1, and gradient descent is stable only for learning rates "
        "below 2/L = 2. At 1.95 each bounce across the valley is a little shorter than the one before and the "
        "run converges; at 2.05 each bounce is a little longer and the run diverges. The right panel is the "
        "heavy-ball rule with momentum 0, which is exactly gradient descent (PyTorch's SGD with momentum=0).",
        {"surface": "ravine", "condition": "20.0", "angle": ANGLE, "opt": "gd,momentum", "gd.lr": "1.95",
         "momentum.lr": "2.05", "momentum.momentum": "0.0", "steps": "200", "layout": "side", "tol": "1e-06"},
        (behaviour.GD_EDGE,),
    ),
    _stability_lesson(),
    _tiny_lr_lesson(),
    _nesterov_lesson(),
    _theory_lesson(),
    Lesson("aligned", "A valley along the axes flatters adaptive methods", _aligned_text, _rotation_settings(0.0),
           (behaviour.RMSPROP_ALIGNED,)),
    Lesson("rotate_valley", "Rotate the valley: per-coordinate methods lose their advantage", _rotated_text,
           _rotation_settings(45.0), (TURNING_CHANGES_NOTHING, behaviour.RMSPROP_TURNED, behaviour.ADAM_TURNED)),
    Lesson(
        "adagrad_stall", "AdaGrad runs out of steam; RMSprop keeps going", _adagrad_text,
        {"surface": "rosenbrock", "opt": "adagrad,rmsprop", "adagrad.lr": "0.5", "rmsprop.lr": "0.01",
         "steps": "1000", "layout": "overlay", "tol": "1e-06", **FAIR},
        (behaviour.ADAGRAD_NEVER_GROWS, behaviour.ADAGRAD_BEHIND, behaviour.ADAGRAD_CREEPS),
    ),
    Lesson(
        "adaptive_jitter", "RMSprop never settles with a constant learning rate", _jitter_text,
        {"surface": "ravine", "condition": "50.0", "angle": ANGLE, "opt": "rmsprop,adam", "rmsprop.lr": "0.1",
         "adam.lr": "0.3", "steps": "800", "layout": "side", "tol": "1e-06"},
        (behaviour.RMSPROP_JITTER, behaviour.ADAM_SETTLES, behaviour.ADAM_THROWN, RMSPROP_COSINE),
    ),
    _adadelta_lesson(),
    Lesson(
        "adam_bias", "Adam's bias correction and its first steps", _adam_bias_text,
        {"surface": "ravine", "condition": "50.0", "angle": ANGLE, "opt": "adam,adamw", "adam.lr": "0.3",
         "adam.bias_correction": "false", "adamw.lr": "0.3", "adamw.weight_decay": "0.0", "steps": "150",
         "layout": "overlay", "tol": "1e-06"},
        (behaviour.ADAM_BIAS,),
    ),
    Lesson(
        "newton_quadratic", "Newton's method: one step on a quadratic", _newton_text,
        {"surface": "ravine", "condition": "50.0", "angle": ANGLE, "opt": "newton,gd", "newton.lr": "1.0",
         "gd.lr": "1.8", "steps": "200", "layout": "side", "tol": "1e-06", **FAIR},
        (behaviour.NEWTON_ONE, GD_HUNDREDS),
    ),
    Lesson(
        "newton_saddle", "Newton's method is drawn to a saddle", _saddle_text,
        {"surface": "saddle", "opt": "newton,gd", "newton.fallback": "false", "newton.fallback_lr": "0.1",
         "gd.lr": "0.1", "steps": "100", "layout": "side", "tol": "1e-06"},
        (behaviour.NEWTON_SADDLE, behaviour.NEWTON_GUARDED, behaviour.NEWTON_GUARDED_FAILS),
    ),
    Lesson("escape", "Noise and momentum escape a shallow valley", _escape_text, ESCAPE_SETTINGS,
           (behaviour.GD_LOCAL_MIN, behaviour.MOMENTUM_ESCAPES_HIGH, behaviour.SGD_ESCAPE)),
    Lesson("escape_trapped", "Momentum stays trapped when it starts low", _trapped_text,
           {**ESCAPE_SETTINGS, "start": f"{_g(LOW_START[0])},{_g(LOW_START[1])}"},
           (behaviour.MOMENTUM_STAYS_LOW, behaviour.MOMENTUM_ESCAPE_BETWEEN, behaviour.SGD_ESCAPE)),
    Lesson(
        "batch_noise", "Batch size and gradient noise",
        "All three fit the same line with the same learning rate (not tuned: the point is the noise, not the "
        "speed). Gradient descent uses all 200 points and moves smoothly; SGD uses one point per step and jitters "
        "around the minimum; mini-batches of 16 sit in between. The variance of a batch's gradient shrinks like 1/b "
        "(exactly σ²/b·(N−b)/(N−1) when sampling without replacement), so 16 examples cut the noise's spread by "
        "about 4.",
        {"surface": "linear_regression", "opt": "gd,minibatch,sgd", "gd.lr": "0.05", "minibatch.lr": "0.05",
         "minibatch.batch_size": "16", "sgd.lr": "0.05", "steps": "200", "seed": "0", "layout": "side",
         "tol": "1e-06"},
        (behaviour.MINIBATCH_NOISE, BATCH_SPREAD),
    ),
    _noise_floor_lesson(),
    Lesson("rotation_full_0", "Full-matrix AdaGrad vs diagonal AdaGrad: valley along the axes",
           _rotation_full_text(0.0),
           {"surface": "ravine", "condition": "50.0", "angle": "0.0", "opt": "adagrad,adagrad_full",
            "adagrad.lr": "1.0", "adagrad_full.lr": "1.0", "steps": "100", "layout": "side", "tol": "1e-06", **FAIR},
           (behaviour.FULL_ROTATION,)),
    Lesson("rotation_full_45", "Full-matrix AdaGrad vs diagonal AdaGrad: the valley turned by 45°",
           _rotation_full_text(45.0),
           {"surface": "ravine", "condition": "50.0", "angle": "45.0", "opt": "adagrad,adagrad_full",
            "adagrad.lr": "1.0", "adagrad_full.lr": "1.0", "steps": "100", "layout": "side", "tol": "1e-06", **FAIR},
           (behaviour.FULL_ROTATION, behaviour.ADAGRAD_AXES)),
)


BY_KEY: dict[str, Lesson] = {lesson.key: lesson for lesson in LESSONS}
KEYS: tuple[str, ...] = tuple(BY_KEY)


def get(key: str) -> Lesson:
    """The lesson called ``key``; ``ValueError`` names the known ones otherwise."""
    if key not in BY_KEY:
        raise ValueError(f"Unknown lesson {key!r}; choose one of: {', '.join(KEYS)}")
    return BY_KEY[key]
