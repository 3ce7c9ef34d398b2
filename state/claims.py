"""Claims about optimizers that tutorials often repeat, each with a checked verdict.

One :class:`Claim` per statement: the verdict (``true``, ``false`` or ``depends``), one sentence of
why, the lesson that shows it (where the claim is about behaviour) and the statements that back the
why, each declared once with the neighbourhood it is meant for (:class:`~optimizers.validity.Statement`,
from :mod:`optimizers.behaviour`, :mod:`state.lessons` or here).  ``tests/test_claims.py`` holds one test
per claim, ``test_claim_<key>``, which computes the verdict; ``tests/test_validity.py`` computes the share
of each statement's neighbourhood where it holds, which the page shows beside it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from optimizers import behaviour, rules
from optimizers.validity import Axis, Band, Box, Cases, Domain, Statement, scaled
from state import lessons

VERDICTS = ("true", "false", "depends")


@dataclass(frozen=True)
class Claim:
    """A common statement about an optimizer and what the app measures about it."""

    key: str
    claim: str            # the statement as tutorials put it
    verdict: str          # one of VERDICTS
    why: str              # one sentence
    lesson: str = ""      # key of the lesson that shows it; empty for claims about papers or definitions
    checks: tuple[Statement, ...] = ()


# --- statements only the claims make ------------------------------------------------------------------

def _stored_biased(c: Cases) -> np.ndarray:
    tr = c.run("adam", 1, lr=c["lr"], diagnostics=True)
    g, m, eff = tr.recorded("grads")[0], tr.recorded("moments")[0], tr.recorded("eff_lr")[0]
    root_v = (c["lr"][:, None] / (1 - 0.9) / eff - 1e-8) * np.sqrt(1 - 0.999)     # √v from γ/(1−β₁)/(√v/√(1−β₂)+ε)
    return np.all(np.isclose(m, 0.1 * g, rtol=1e-12) & np.isclose(root_v, np.sqrt(0.001) * np.abs(g), rtol=1e-6),
                  axis=-1)


ADAM_STORED = Statement(
    "adam.stored_biased", "After Adam's first step its stored m is (1−β₁)g, a tenth of the gradient, and its v is "
                          "(1−β₂)g²: only the copies used in the step are divided by 1 − βᵗ.",
    Domain("ravine", starts=Box((-10.0, 10.0), (-10.0, 10.0), label="starts anywhere on the plot"),
           axes=(behaviour.ANY_ANGLE, Axis("lr", 0.01, 1.0, log=True)), steps=1),
    _stored_biased)


def _crawls(c: Cases) -> np.ndarray:
    d = c.distance(c.run("rmsprop", lr=c["lr"], diagnostics=False))
    return d[-1] > 0.8 * d[0]


RMSPROP_CRAWLS = Statement(
    "rmsprop.crawls", "With γ of 0.003 or less, RMSprop is still more than 80% of the start's distance from the "
                      "minimum after 200 steps.",
    Domain("ravine", starts=behaviour.VALLEY, axes=(behaviour.ANY_ANGLE, Axis("condition", 5, 200, log=True),
                                                    Axis("lr", 0.0003, 0.003, log=True)), steps=200),
    _crawls)


def _given(g: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The gradient ``g``, wherever it is asked for."""
    return g


def _no_surface(p: np.ndarray) -> np.ndarray:
    raise AssertionError("AdaDelta's rule asks for the gradient only")


def _impulse_weights(c: Cases) -> np.ndarray:
    """One gradient g₀, then zeros: AdaDelta's average of squared gradients keeps (1 − ρ)ρᵏ g₀² after k steps."""
    rho, g0, steps = c["rho"][:, None], 3.0, c.domain.steps
    hp = {"lr": 1.0, "rho": rho, "eps": 1e-6}
    theta = np.zeros((c.n, 2))
    state = rules.init_adadelta(theta)
    ok = np.ones(c.n, dtype=bool)
    for t in range(1, steps + 1):
        g = np.full((c.n, 2), g0 if t == 1 else 0.0)
        state = rules.adadelta(theta, state, rules.Context(t, partial(_given, g), _no_surface, _no_surface), hp).state
        weight = state.square_avg[:, 0] / g0**2
        ok &= np.isclose(weight, (1 - rho[:, 0]) * rho[:, 0] ** (t - 1), rtol=1e-12) & (weight > 0)
    return ok


ADADELTA_NO_WINDOW = Statement(
    "adadelta.no_window", "A gradient k steps old keeps the weight (1 − ρ)ρᵏ in AdaDelta's average: it fades but never "
                          "drops out (checked for k up to 60).",
    Domain("ravine", axes=(Axis("rho", 0.5, 0.99, label="ρ"),), steps=61, n=64),
    _impulse_weights)


def _steeper_longer(c: Cases) -> np.ndarray:
    base = c.run("momentum", 1, lr=c["lr"], momentum=0.9, diagnostics=False).updates[0]
    big = c.on(scaled(c.land, c["scale"])).run("momentum", 1, lr=c["lr"], momentum=0.9, diagnostics=False).updates[0]
    return np.all(np.isclose(big, c["scale"][:, None] * base, rtol=1e-9), axis=-1)


MOMENTUM_SCALES = Statement(
    "momentum.scales", "Multiplying the loss by a factor multiplies momentum's first step by the same factor.",
    Domain("ravine", starts=behaviour.VALLEY, axes=(behaviour.ANY_ANGLE, Axis("condition", 5, 200, log=True),
                                                    Axis("lr", 0.001, 0.1, log=True),
                                                    Axis("scale", 0.01, 100, label="the factor", log=True)), steps=1),
    _steeper_longer)


def _fixed_beta1(c: Cases) -> np.ndarray:
    tr = c.run("adam", lr=c["lr"], diagnostics=True)
    m, g, eff = tr.recorded("moments"), tr.recorded("grads"), tr.recorded("eff_lr")
    recurrence = np.abs(m[1:] - (0.9 * m[:-1] + 0.1 * g[1:])) <= 1e-12 * (np.abs(0.9 * m[:-1]) + np.abs(0.1 * g[1:]))
    return np.all(recurrence, axis=(0, 2)) & (eff.max(axis=(0, 2)) > 3 * eff.min(axis=(0, 2)))


ADAM_FIXED_BETA1 = Statement(
    "adam.fixed_beta1", "Along a whole run Adam's m follows m = β₁m + (1−β₁)g with the same β₁, while its "
                        "per-coordinate step size changes more than 3-fold.",
    Domain("ravine", starts=behaviour.VALLEY, axes=(behaviour.ANY_ANGLE, Axis("condition", 5, 200, log=True),
                                                    Axis("lr", 0.05, 0.5)), steps=100),
    _fixed_beta1)


def _same_minimum(c: Cases) -> np.ndarray:
    tr = c.run("minibatch", lr=c["lr"], batch_size=16, schedule="cosine", diagnostics=False)
    d = c.distance(tr)
    return d[-1] < 0.01 * d[0]


MINIBATCH_SAME_MINIMUM = Statement(
    "minibatch.same_minimum", "With a cosine schedule, mini-batches of 16 end within 1% of the start's distance "
                              "from the least-squares minimum that full-batch descent reaches.",
    Domain("linear_regression", starts=Box((-2.0, 6.0), (-5.0, 3.0), label="starts anywhere on the plot"),
           axes=(Axis("lr", 0.02, 0.08),), steps=3000, n=64),
    _same_minimum)


def _band(statement: Statement) -> Band:
    """The band of heights ``statement``'s starts set off from (the escape statements sample a :class:`Band`)."""
    starts = statement.domain.starts
    if not isinstance(starts, Band):
        raise TypeError(f"{statement.key} samples its starts from {starts!r}, not from a band of heights")
    return starts


ESCAPE_HIGH = _band(behaviour.MOMENTUM_ESCAPES_HIGH)
ESCAPE_LOW = _band(behaviour.MOMENTUM_STAYS_LOW)


CLAIMS: tuple[Claim, ...] = (
    Claim("adaptive_fix_conditioning", "Adaptive methods fix ill-conditioning.", "false",
          "Dividing each coordinate by its own gradient scale fits the curvatures only when the valley lies along "
          "the axes: turned by 30° to 60°, tuned RMSprop needs about as many steps as tuned gradient descent, and "
          "tuned heavy ball beats Adam.",
          "rotate_valley", (behaviour.RMSPROP_ALIGNED, behaviour.RMSPROP_TURNED, behaviour.ADAM_TURNED)),
    Claim("adam_beats_all", "Adam beats every other optimizer.", "false",
          "On a turned ravine, heavy ball with its learning rate tuned arrives before a tuned Adam and Newton's method "
          "needs one step; which method wins depends on the problem and on tuning.", "rotate_valley",
          (behaviour.ADAM_TURNED, behaviour.NEWTON_ONE)),
    Claim("adam_beta2", "The Adam paper recommends β₂ = 0.99.", "false",
          "Kingma & Ba recommend β₁ = 0.9, β₂ = 0.999 and ε = 10⁻⁸, which are also PyTorch's defaults and this "
          "app's."),
    Claim("adam_stored_corrected", "Adam's stored averages m and v are bias-corrected.", "false",
          "The stored m and v stay biased toward their zero start; only the copies used in the step are divided "
          "by 1 − βᵗ.", "adam_bias", (ADAM_STORED,)),
    Claim("rmsprop_no_tuning", "RMSprop removes the need to tune the learning rate.", "false",
          "It rescales each coordinate by its recent gradient size, but γ still sets the step: a tiny γ crawls, "
          "and with a constant γ the path keeps being thrown back out to a distance of about 0.7γ.",
          "adaptive_jitter", (RMSPROP_CRAWLS, behaviour.RMSPROP_JITTER)),
    Claim("adagrad_grows", "AdaGrad's effective learning rate can grow.", "false",
          "Each coordinate's rate is γ/(√s + ε) with s a sum of squared gradients that only grows, so the rate "
          "can only shrink.", "adagrad_stall", (behaviour.ADAGRAD_NEVER_GROWS,)),
    Claim("adadelta_window", "AdaDelta averages the squared gradients over a fixed window.", "false",
          "Zeiler motivates it with a window, but the algorithm keeps an exponential average in which a "
          "gradient k steps old keeps the weight (1 − ρ)ρᵏ and never drops out.", "adadelta_eps",
          (ADADELTA_NO_WINDOW,)),
    Claim("momentum_adaptive", "Momentum is an adaptive method.", "false",
          "It applies the same fixed γ and μ to every coordinate, so a loss 100 times steeper gives steps 100 times "
          "longer, while adaptive methods rescale each coordinate from its own gradient history.", "rotate_valley",
          (MOMENTUM_SCALES, behaviour.RMSPROP_SCALE, behaviour.ADAM_SCALE)),
    Claim("adaptive_momentum", "Adaptive methods adapt the momentum coefficient.", "false",
          "Adam's β₁ stays constant; what adapts is each coordinate's step size, through the average v of squared "
          "gradients.", "adam_bias", (ADAM_FIXED_BETA1,)),
    Claim("minibatch_overfitting", "Mini-batches prevent overfitting.", "false",
          "On a convex least-squares fit, mini-batches with a decaying step end at the same training minimum as "
          "full-batch descent; in deep networks batch size changes which minimum is found (Keskar et al., 2017), "
          "not whether the training data are fitted.",
          "batch_noise", (MINIBATCH_SAME_MINIMUM,)),
    Claim("momentum_local_minima", "Momentum overcomes local minima in most cases.", "depends",
          f"It rolls over a ridge only if it arrives fast enough: in the two wells it escapes the shallow valley "
          f"from starts higher than f = {ESCAPE_HIGH.low:g}, not from below f = {ESCAPE_LOW.high:g}, and in between "
          "it depends on where it starts.", "escape_trapped",
          (behaviour.MOMENTUM_ESCAPES_HIGH, behaviour.MOMENTUM_STAYS_LOW, behaviour.MOMENTUM_ESCAPE_BETWEEN)),
    Claim("nesterov_faster", "Nesterov's method is always faster than heavy-ball momentum.", "false",
          "Both tuned for a quadratic, the heavy ball's rate (√κ−1)/(√κ+1) beats Nesterov's 1 − 2/√(3κ+1), and at "
          "the same γ and μ Nesterov's stable range of γ is the narrower one.", "nesterov",
          (behaviour.NAG_TUNED, behaviour.NAG_EDGE)),
    Claim("momentum_larger_lr", "Momentum tolerates a larger learning rate than gradient descent.", "true",
          "On a quadratic with largest curvature L the heavy ball is stable while γL < 2 + 2μ, gradient descent "
          "only while γL < 2.", "momentum_stability", (behaviour.MOMENTUM_STABLE,)),
    Claim("sgd_constant_converges", "SGD with a constant learning rate converges to the minimum.", "false",
          "It drops quickly and then hovers at a noise floor that grows with γ; a decaying learning rate gets "
          "below it.", "noise_floor", (behaviour.SGD_FLOOR, behaviour.SGD_DECAY)),
    Claim("small_lr_safe", "A smaller learning rate is always the safe choice.", "depends",
          "It avoids divergence, but a rate far too small moves so slowly that the run looks converged while it "
          "is still far from the minimum.", "tiny_lr", (lessons.TINY_LR,)),
    Claim("newton_one_step", "Newton's method solves a quadratic in one step.", "true",
          "Its step jumps to the bottom of the quadratic fitted from slope and curvature, which on a quadratic is "
          "the surface itself.", "newton_quadratic", (behaviour.NEWTON_ONE,)),
)


BY_KEY: dict[str, Claim] = {c.key: c for c in CLAIMS}
