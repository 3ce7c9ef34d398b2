"""Lessons: one-click presets that each reproduce a classic behaviour of an optimizer.

A lesson is a share-link query (the same parameters ``state.share.encode`` writes), so applying
it is ``share.decode(lesson.query)`` followed by ``ui.controls.load_state``, and every lesson is
also a link.  Settings a lesson leaves out come from the surface's suggestions and the optimizers'
defaults.  Each claim in a lesson's text is checked numerically in ``tests/test_lessons.py``
through ``simulate()`` with the lesson's own settings.

The app shows an optimizer at most once per view, so where a lesson compares two settings of one
method it uses an exact stand-in and says so: heavy ball with momentum 0 is plain gradient descent
(PyTorch's SGD with ``momentum=0``), and AdamW with weight decay 0 is Adam (with bias correction).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import landscapes
from optimizers import studies, theory


@dataclass(frozen=True)
class Lesson:
    """A preset and what to watch in it."""

    key: str                       # the value of ``lesson=`` in a share link
    title: str
    watch: str                     # two or three sentences on what the figures show
    settings: dict[str, str]       # share-link parameters, without ``lesson``

    @property
    def query(self) -> dict[str, str]:
        """The full share-link query of the lesson."""
        return {"lesson": self.key, **self.settings}


def _g(x: float) -> str:
    """A float exactly as the share link writes it (shortest text that reads back bit for bit)."""
    return repr(float(x))


ANGLE = "30.0"     # ravine lessons not about alignment turn the valley off the axes, as on a real problem


def _ravine(condition: float, angle: float = 30.0) -> landscapes.Landscape:
    return landscapes.get("ravine", condition=condition, angle=angle)


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
    )


def _nesterov_lesson(condition: float = 10.0) -> Lesson:
    """Same settings: Nesterov overshoots less.  Tuned settings: the heavy ball is faster on a quadratic."""
    c = theory.curvature(_ravine(condition))
    hb, nag = theory.heavy_ball_tuning(c), theory.nesterov_tuning(c)
    return Lesson(
        "nesterov", "Nesterov: less overshoot, but not faster on a quadratic",
        "With the same learning rate and momentum, classical momentum measures the slope where it stands and "
        "swings wide past the minimum; Nesterov measures it where its velocity is taking it, brakes a step earlier "
        "and settles sooner. Tuned for this bowl, though, the heavy ball wins: its best rate is "
        f"r = {hb.rate:.3f} against Nesterov's {nag.rate:.3f} per step. Nesterov's real strength is a guarantee on "
        "every smooth, strongly convex function, where the heavy ball can fail.",
        {"surface": "ravine", "condition": _g(condition), "angle": ANGLE, "opt": "momentum,nag",
         "momentum.lr": "0.5", "momentum.momentum": "0.9", "nag.lr": "0.5", "nag.momentum": "0.9", "steps": "200",
         "layout": "overlay", "tol": "1e-06"},
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
    )


def _adadelta_lesson(eps: float = 1e-6, rho: float = 0.9) -> Lesson:
    """AdaDelta has no real learning rate: its first steps are √(ε/(1−ρ)) per coordinate."""
    first = math.sqrt(eps / (1 - rho))
    return Lesson(
        "adadelta_eps", "AdaDelta without a learning rate: ε sets its slow start",
        "AdaDelta's step is the root of the average past step over the root of the average squared gradient. "
        f"Before it has moved, the past steps are zero, so ε = {eps:g} alone sets the first step: "
        f"√(ε/(1−ρ)) = {first:.2g} per coordinate, and it grows only slowly from there. Set AdaDelta's eps to "
        "1e-4 in the sidebar: every early step becomes 10 times longer and it reaches the valley's floor.",
        {"surface": "ravine", "condition": "50.0", "angle": ANGLE, "opt": "adadelta,gd", "adadelta.lr": "1.0",
         "adadelta.eps": _g(eps), "adadelta.rho": _g(rho), "gd.lr": "1.8", "steps": "400", "layout": "side",
         "tol": "1e-06"},
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
    )


def _rotation_lesson(key: str, angle: float) -> Lesson:
    """The same race on the ravine lined up with the axes (0°) or turned by 45°."""
    race = {"surface": "ravine", "condition": "100.0", "angle": _g(angle), "opt": "gd,momentum,newton,rmsprop,adam",
            "gd.lr": "1.8", "momentum.lr": "0.5", "momentum.momentum": "0.8", "newton.lr": "1.0",
            "rmsprop.lr": "0.05", "adam.lr": "0.3", "steps": "300", "layout": "side", "tol": "0.001"}
    if angle == 0:
        return Lesson(
            key, "A valley along the axes flatters adaptive methods",
            "Here the valley's floor runs exactly along x and its walls along y. RMSprop and Adam divide each "
            "coordinate's step by that coordinate's own gradient size, which on this grid happens to be one "
            "scale per curvature, so they look like a cure for the bad conditioning. Compare the summary table "
            "with the next lesson, the same race with the valley turned by 45°.",
            race,
        )
    return Lesson(
        key, "Rotate the valley: per-coordinate methods lose their advantage",
        "The same race with the valley turned by 45°. Gradient descent, momentum and Newton take exactly the same "
        "number of steps as along the axes: they only use the gradient and Hessian, which turn with the valley. "
        "RMSprop and Adam scale x and y separately; now each coordinate mixes the steep and the flat direction, so "
        "the scaling no longer matches the curvatures and they fall far behind (RMSprop never reaches the tolerance).",
        race,
    )


ESCAPE_CLOUD = {"n": 400, "radius": 0.1}      # the Analysis tab's cloud of starts, as the escape lessons quote it
LOW_START = (1.2, 0.5)                          # low in the shallow valley of two_wells (tilt 1)


@functools.cache
def escape_share(start: tuple[float, float] | None) -> float:
    """Share of momentum runs from a cloud of starts around ``start`` that end in the deep valley.

    The same computation as the Analysis tab's spread of starts (seed 0) with the escape lessons' settings.
    """
    land = landscapes.get("two_wells", tilt=1.0)
    spread = studies.spread(land, "momentum", land.start if start is None else start, 400, mode="starts",
                             n=ESCAPE_CLOUD["n"], radius=ESCAPE_CLOUD["radius"], lr=0.02, momentum=0.9)
    return float(spread.global_share)


def _escape_lesson(key: str, start: tuple[float, float] | None) -> Lesson:
    """Momentum's escape over the ridge depends on the energy it arrives with."""
    high, low = escape_share(None), escape_share(LOW_START)
    settings = {"surface": "two_wells", "tilt": "1.0", "opt": "gd,momentum,sgd", "gd.lr": "0.02",
                "momentum.lr": "0.02", "momentum.momentum": "0.9", "sgd.lr": "0.1", "sgd.noise": "3.0",
                "sgd.schedule": "cosine", "steps": "400", "seed": "0", "layout": "side", "tol": "1e-06"}
    if start is None:
        return Lesson(
            key, "Noise and momentum escape a shallow valley",
            "Started high on the right wall, gradient descent rolls into the nearest valley and stops there, "
            "although the valley on the left is much deeper. Momentum arrives with enough speed to roll over the "
            "ridge. SGD's noisy gradients kick it around until it hops over, and its cosine schedule then shrinks "
            "the kicks, so it stays in the deep valley. Of 400 starts scattered around this one (Analysis tab, "
            f"cloud spread 10%), momentum takes {high:.0%} to the deep valley.",
            settings,
        )
    return Lesson(
        key, "Momentum stays trapped when it starts low",
        "The same surface and settings, started low in the shallow valley. Momentum now arrives at the ridge too "
        "slowly and rolls back: inertia only helps with the energy it has gathered. SGD's noise still hops "
        "over. Of 400 starts scattered around this one (Analysis tab, cloud spread 10%), momentum takes only "
        f"{low:.0%} to the deep valley, against {high:.0%} around the high start.",
        {**settings, "start": f"{_g(start[0])},{_g(start[1])}"},
    )


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "zigzag", "Gradient descent zig-zags; momentum glides",
        "Across the ravine the walls curve 100 times more sharply than the floor along it, so gradient descent's "
        "steps point mostly across the valley: its path bounces from wall to wall and creeps along the floor. Momentum "
        "adds up the small, consistent pull along the floor while the back-and-forth pushes cancel, so its "
        "bounces die out and it arrives several times sooner (compare the loss curves and the summary table).",
        {"surface": "ravine", "condition": "100.0", "angle": ANGLE, "opt": "gd,momentum", "gd.lr": "1.8",
         "momentum.lr": "0.7", "momentum.momentum": "0.85", "steps": "400", "layout": "side", "tol": "1e-06"},
    ),
    Lesson(
        "lr_edge", "The edge of stability: learning rate 2/L",
        "The steepest curvature of this ravine is L = 1, and gradient descent is stable only for learning rates "
        "below 2/L = 2. At 1.95 each bounce across the valley is a little shorter than the one before and the "
        "run converges; at 2.05 each bounce is a little longer and the run diverges. The right panel is the "
        "heavy-ball rule with momentum 0, which is exactly gradient descent (PyTorch's SGD with momentum=0).",
        {"surface": "ravine", "condition": "20.0", "angle": ANGLE, "opt": "gd,momentum", "gd.lr": "1.95",
         "momentum.lr": "2.05", "momentum.momentum": "0.0", "steps": "200", "layout": "side", "tol": "1e-06"},
    ),
    _stability_lesson(),
    _tiny_lr_lesson(),
    _nesterov_lesson(),
    _theory_lesson(),
    _rotation_lesson("aligned", 0.0),
    _rotation_lesson("rotate_valley", 45.0),
    Lesson(
        "adagrad_stall", "AdaGrad runs out of steam; RMSprop keeps going",
        "AdaGrad divides each step by the root of the sum of every squared gradient so far. The huge gradients "
        "on Rosenbrock's steep walls inflate that sum at once and it never shrinks, so the effective step only "
        "gets smaller and the path freezes far from the minimum at (1, 1). RMSprop averages recent squared "
        "gradients instead, forgets the early steep ones, and keeps moving along the curved valley.",
        {"surface": "rosenbrock", "opt": "adagrad,rmsprop", "adagrad.lr": "0.5", "rmsprop.lr": "0.01",
         "steps": "1000", "layout": "overlay", "tol": "1e-06"},
    ),
    Lesson(
        "adaptive_jitter", "RMSprop never settles with a constant learning rate",
        "Near the minimum RMSprop's gradient g and its running average v shrink together, so its step γ·g/√v "
        "stays of the order of γ: whenever the path gets close, a step about γ long throws it back out (watch its "
        "distance curve spike). Adam's momentum averages the flipping gradients and its v remembers larger past "
        "ones (β₂ = 0.999), so on this smooth bowl it settles. Choose the cosine schedule for RMSprop in the "
        "sidebar: its steps shrink with γ and it settles too.",
        {"surface": "ravine", "condition": "50.0", "angle": ANGLE, "opt": "rmsprop,adam", "rmsprop.lr": "0.1",
         "adam.lr": "0.3", "steps": "800", "layout": "side", "tol": "1e-06"},
    ),
    _adadelta_lesson(),
    Lesson(
        "adam_bias", "Adam's bias correction and its first steps",
        "Adam's averages m and v both start at zero. In the first step m holds (1−β₁)·g and v holds (1−β₂)·g², "
        "so without correction the step m/√v is (1−β₁)/√(1−β₂) = 0.1/√0.001 = √10 ≈ 3.2 times longer than "
        "intended, and the next two steps are also more than three times too long; watch the uncorrected "
        "path leap across the valley. The other panel is AdamW with weight decay 0, which is exactly Adam with "
        "the correction.",
        {"surface": "ravine", "condition": "50.0", "angle": ANGLE, "opt": "adam,adamw", "adam.lr": "0.3",
         "adam.bias_correction": "false", "adamw.lr": "0.3", "adamw.weight_decay": "0.0", "steps": "150",
         "layout": "overlay", "tol": "1e-06"},
    ),
    Lesson(
        "newton_quadratic", "Newton's method: one step on a quadratic",
        "Newton's method fits a quadratic bowl to the surface from its slope and curvature and jumps to the "
        "bowl's bottom. The ravine is a quadratic, so the fit is exact and one step lands on the minimum, "
        "however stretched the valley, while gradient descent needs hundreds.",
        {"surface": "ravine", "condition": "50.0", "angle": ANGLE, "opt": "newton,gd", "newton.lr": "1.0",
         "gd.lr": "1.8", "steps": "200", "layout": "side", "tol": "1e-06"},
    ),
    Lesson(
        "newton_saddle", "Newton's method is drawn to a saddle",
        "Near the start the surface curves down along y, so the fitted quadratic is a saddle, and the unguarded "
        "Newton step jumps straight onto the saddle point at (0, 0), where the gradient vanishes, and stays. "
        "Switch Newton's fallback on in the sidebar: where the curvature is not positive it takes gradient steps "
        "like the GD panel, slides off the ridge and then lands in a minimum.",
        {"surface": "saddle", "opt": "newton,gd", "newton.fallback": "false", "newton.fallback_lr": "0.1",
         "gd.lr": "0.1", "steps": "100", "layout": "side", "tol": "1e-06"},
    ),
    _escape_lesson("escape", None),
    _escape_lesson("escape_trapped", LOW_START),
    Lesson(
        "batch_noise", "Batch size and gradient noise",
        "All three fit the same line with the same learning rate. Gradient descent uses all 200 points and "
        "moves smoothly; SGD uses one point per step and jitters around the minimum; mini-batches of 16 sit in "
        "between. The variance of a batch's gradient shrinks like 1/b (exactly σ²/b·(N−b)/(N−1) when sampling "
        "without replacement), so 16 examples cut the noise's spread by about 4.",
        {"surface": "linear_regression", "opt": "gd,minibatch,sgd", "gd.lr": "0.05", "minibatch.lr": "0.05",
         "minibatch.batch_size": "16", "sgd.lr": "0.05", "steps": "200", "seed": "0", "layout": "side",
         "tol": "1e-06"},
    ),
    _noise_floor_lesson(),
    Lesson(
        "rotation_full_0", "Full-matrix AdaGrad vs diagonal AdaGrad: valley along the axes",
        "The valley lies along the x axis, so diagonal AdaGrad's per-coordinate scaling fits it: after 100 steps "
        "its loss is about 2×10⁻⁵. Full-matrix AdaGrad, which scales by the square root of the summed outer "
        "products g gᵀ, gets within 10⁻⁶ of the minimum at step 83. Now open the 45° lesson.",
        {"surface": "ravine", "condition": "50.0", "angle": "0.0", "opt": "adagrad,adagrad_full",
         "adagrad.lr": "1.0", "adagrad_full.lr": "1.0", "steps": "100", "layout": "side", "tol": "1e-06"},
    ),
    Lesson(
        "rotation_full_45", "Full-matrix AdaGrad vs diagonal AdaGrad: the valley turned by 45°",
        "The same valley turned by 45°. Diagonal AdaGrad's scaling is tied to the axes, which no longer follow "
        "the valley: after 100 steps its loss is about 0.09, more than 4000 times higher than at 0°. "
        "Full-matrix AdaGrad is rotation invariant: its path is the 0° path turned by 45°, with the same loss "
        "at every step, again within 10⁻⁶ at step 83.",
        {"surface": "ravine", "condition": "50.0", "angle": "45.0", "opt": "adagrad,adagrad_full",
         "adagrad.lr": "1.0", "adagrad_full.lr": "1.0", "steps": "100", "layout": "side", "tol": "1e-06"},
    ),
)

BY_KEY: dict[str, Lesson] = {lesson.key: lesson for lesson in LESSONS}
KEYS: tuple[str, ...] = tuple(BY_KEY)


def get(key: str) -> Lesson:
    """The lesson called ``key``; ``ValueError`` names the known ones otherwise."""
    if key not in BY_KEY:
        raise ValueError(f"Unknown lesson {key!r}; choose one of: {', '.join(KEYS)}")
    return BY_KEY[key]

