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

from dataclasses import dataclass

import landscapes
from optimizers import theory


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


def _theory_lesson(condition: float = 50.0) -> Lesson:
    """Best fixed learning rates from theory on the ravine, their numbers computed by ``optimizers.theory``."""
    c = theory.curvature(landscapes.get("ravine", condition=condition))
    gd, hb = theory.gd_tuning(c), theory.heavy_ball_tuning(c)
    return Lesson(
        "theory", "Theory meets practice: the best fixed learning rates",
        f"On this ravine the curvatures are L = {c.L:g} and μ = {c.mu:g}, so κ = {c.kappa:g}. Gradient descent "
        f"with its best fixed step 2/(L+μ) = {gd.hyper['lr']:.4g} shrinks the distance to the minimum by a factor "
        f"(κ−1)/(κ+1) = {gd.rate:.4f} per step; tuned heavy-ball momentum (lr {hb.hyper['lr']:.4g}, momentum "
        f"{hb.hyper['momentum']:.4g}) achieves (√κ−1)/(√κ+1) = {hb.rate:.4f}, so it needs about "
        f"{theory.steps_to_shrink(gd.rate) / theory.steps_to_shrink(hb.rate):.1f} times fewer steps. "
        "The table under the lesson list puts these predictions next to the rates measured from the runs.",
        {"surface": "ravine", "condition": _g(condition), "angle": "0.0", "opt": "gd,momentum",
         "gd.lr": _g(gd.hyper["lr"]), "momentum.lr": _g(hb.hyper["lr"]),
         "momentum.momentum": _g(hb.hyper["momentum"]), "steps": "150", "layout": "side", "tol": "1e-10"},
    )


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "zigzag", "Gradient descent zig-zags; momentum glides",
        "Across the ravine the walls curve 100 times more sharply than the floor along it, so gradient descent's "
        "steps point mostly across the valley: its path bounces from wall to wall and creeps along the floor. Momentum "
        "adds up the small, consistent pull along the floor while the back-and-forth pushes cancel, so its "
        "bounces die out and it arrives several times sooner (compare the loss curves and the summary table).",
        {"surface": "ravine", "condition": "100.0", "angle": "0.0", "opt": "gd,momentum", "gd.lr": "1.8",
         "momentum.lr": "0.7", "momentum.momentum": "0.85", "steps": "400", "layout": "side", "tol": "1e-06"},
    ),
    Lesson(
        "lr_edge", "The edge of stability: learning rate 2/L",
        "The steepest curvature of this ravine is L = 1, and gradient descent is stable only for learning rates "
        "below 2/L = 2. At 1.95 each bounce across the valley is a little shorter than the one before and the "
        "run converges; at 2.05 each bounce is a little longer and the run diverges. The right panel is the "
        "heavy-ball rule with momentum 0, which is exactly gradient descent (PyTorch's SGD with momentum=0).",
        {"surface": "ravine", "condition": "20.0", "angle": "0.0", "opt": "gd,momentum", "gd.lr": "1.95",
         "momentum.lr": "2.05", "momentum.momentum": "0.0", "steps": "200", "layout": "side", "tol": "1e-06"},
    ),
    Lesson(
        "nesterov", "Nesterov overshoots less than classical momentum",
        "Both methods use the same learning rate and momentum. Classical momentum measures the slope where it "
        "stands, so it notices the far side of the valley only after crossing it and swings wide past the "
        "minimum. Nesterov measures the slope where its velocity is about to take it, brakes a step earlier, "
        "overshoots less and settles sooner.",
        {"surface": "ravine", "condition": "10.0", "angle": "0.0", "opt": "momentum,nag", "momentum.lr": "0.5",
         "momentum.momentum": "0.9", "nag.lr": "0.5", "nag.momentum": "0.9", "steps": "200", "layout": "overlay",
         "tol": "1e-06"},
    ),
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
        "adam_bias", "Adam's bias correction and its first steps",
        "Adam's averages m and v both start at zero. In the first step m holds (1−β₁)·g and v holds (1−β₂)·g², "
        "so without correction the step m/√v is (1−β₁)/√(1−β₂) = 0.1/√0.001 = √10 ≈ 3.2 times longer than "
        "intended, and the next few steps stay several times too long; watch the uncorrected "
        "path leap across the valley. The other panel is AdamW with weight decay 0, which is exactly Adam with "
        "the correction.",
        {"surface": "ravine", "condition": "50.0", "angle": "0.0", "opt": "adam,adamw", "adam.lr": "0.3",
         "adam.bias_correction": "false", "adamw.lr": "0.3", "adamw.weight_decay": "0.0", "steps": "150",
         "layout": "overlay", "tol": "1e-06"},
    ),
    Lesson(
        "newton_quadratic", "Newton's method: one step on a quadratic",
        "Newton's method fits a quadratic bowl to the surface from its slope and curvature and jumps to the "
        "bowl's bottom. The ravine is a quadratic, so the fit is exact and one step lands on the minimum, "
        "however stretched the valley, while gradient descent needs hundreds.",
        {"surface": "ravine", "condition": "50.0", "angle": "30.0", "opt": "newton,gd", "newton.lr": "1.0",
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
    Lesson(
        "escape", "Noise and momentum escape a shallow valley",
        "Started on the right, gradient descent rolls into the nearest valley and stops there, although the "
        "valley on the left is much deeper. Momentum arrives with enough speed to roll over the ridge. SGD's "
        "noisy gradients kick it around until it hops over, and its cosine schedule then shrinks the steps and "
        "with them the kicks, so it stays in the deep valley; other seeds mostly end there too.",
        {"surface": "two_wells", "tilt": "1.0", "opt": "gd,momentum,sgd", "gd.lr": "0.02", "momentum.lr": "0.02",
         "momentum.momentum": "0.9", "sgd.lr": "0.1", "sgd.noise": "3.0", "sgd.schedule": "cosine",
         "steps": "400", "seed": "0", "layout": "side", "tol": "1e-06"},
    ),
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
    _theory_lesson(),
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

