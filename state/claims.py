"""Claims about optimizers that tutorials often repeat, each with a checked verdict.

One :class:`Claim` per statement: the verdict (``true``, ``false`` or ``depends``), one sentence of
why, and, where the claim is about behaviour, the lesson that shows it.  ``tests/test_claims.py``
holds one test per claim, ``test_claim_<key>``, which computes the verdict through ``simulate()``
or the update rules; numbers quoted here come from ``state.lessons`` and ``optimizers.theory``.
"""
from __future__ import annotations

from dataclasses import dataclass

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


def _escape_why() -> str:
    high, low = lessons.escape_share(None), lessons.escape_share(lessons.LOW_START)
    return (f"It rolls over a ridge only if it arrives fast enough: of 400 starts high on a wall {high:.0%} reach the "
            f"deeper valley, of 400 starts low in the shallow valley only {low:.0%}.")


CLAIMS: tuple[Claim, ...] = (
    Claim("adaptive_fix_conditioning", "Adaptive methods fix ill-conditioning.", "false",
          "Dividing each coordinate by its own gradient scale matches the curvatures only when the valley lies "
          "along the axes; turn it by 45° and RMSprop and Adam fall behind plain gradient descent.",
          "rotate_valley"),
    Claim("adam_beats_all", "Adam beats every other optimizer.", "false",
          "On a turned ravine gradient descent and momentum arrive long before Adam and Newton's method needs one "
          "step; which method wins depends on the problem and on tuning.", "rotate_valley"),
    Claim("adam_beta2", "The Adam paper recommends β₂ = 0.99.", "false",
          "Kingma & Ba recommend β₁ = 0.9, β₂ = 0.999 and ε = 10⁻⁸, which are also PyTorch's defaults and this "
          "app's."),
    Claim("adam_stored_corrected", "Adam's stored averages m and v are bias-corrected.", "false",
          "The stored m and v stay biased toward their zero start; only the copies used in the step are divided "
          "by 1 − βᵗ.", "adam_bias"),
    Claim("rmsprop_no_tuning", "RMSprop removes the need to tune the learning rate.", "false",
          "It rescales each coordinate by its recent gradient size, but γ still sets the step: a tiny γ crawls, "
          "and with a constant γ the path keeps being thrown back out to a distance of about γ.",
          "adaptive_jitter"),
    Claim("adagrad_grows", "AdaGrad's effective learning rate can grow.", "false",
          "Each coordinate's rate is γ/(√s + ε) with s a sum of squared gradients that only grows, so the rate "
          "can only shrink.", "adagrad_stall"),
    Claim("adadelta_window", "AdaDelta averages the squared gradients over a fixed window.", "false",
          "Zeiler motivates it with a window, but the algorithm keeps an exponential average in which a "
          "gradient k steps old keeps the weight (1 − ρ)ρᵏ and never drops out.", "adadelta_eps"),
    Claim("momentum_adaptive", "Momentum is an adaptive method.", "false",
          "It applies the same fixed γ and μ to every coordinate, so a loss 100 times steeper gives steps 100 times "
          "longer, while adaptive methods rescale each coordinate from its own gradient history.", "rotate_valley"),
    Claim("adaptive_momentum", "Adaptive methods adapt the momentum coefficient.", "false",
          "Adam's β₁ stays constant; what adapts is each coordinate's step size, through the average v of squared "
          "gradients.", "adam_bias"),
    Claim("minibatch_overfitting", "Mini-batches prevent overfitting.", "false",
          "Batch noise changes the path, not the training loss being minimized: with a decaying step a "
          "mini-batch run reaches the same minimum as full-batch descent, fitting the training data as closely.",
          "batch_noise"),
    Claim("momentum_local_minima", "Momentum overcomes local minima in most cases.", "depends", _escape_why(),
          "escape_trapped"),
    Claim("nesterov_faster", "Nesterov's method is always faster than heavy-ball momentum.", "false",
          "Both tuned for a quadratic, the heavy ball's rate (√κ−1)/(√κ+1) beats Nesterov's 1 − 2/√(3κ+1); "
          "Nesterov's edge is a guarantee on every smooth, strongly convex function.", "nesterov"),
    Claim("momentum_larger_lr", "Momentum tolerates a larger learning rate than gradient descent.", "true",
          "On a quadratic with largest curvature L the heavy ball is stable while γL < 2 + 2μ, gradient descent "
          "only while γL < 2.", "momentum_stability"),
    Claim("sgd_constant_converges", "SGD with a constant learning rate converges to the minimum.", "false",
          "It drops quickly and then hovers at a noise floor that grows with γ; a decaying learning rate gets "
          "below it.", "noise_floor"),
    Claim("small_lr_safe", "A smaller learning rate is always the safe choice.", "depends",
          "It avoids divergence, but a rate far too small moves so slowly that the run looks converged while it "
          "is still far from the minimum.", "tiny_lr"),
    Claim("newton_one_step", "Newton's method solves a quadratic in one step.", "true",
          "Its step jumps to the bottom of the quadratic fitted from slope and curvature, which on a quadratic is "
          "the surface itself.", "newton_quadratic"),
)


BY_KEY: dict[str, Claim] = {c.key: c for c in CLAIMS}
