"""Update rules as pure functions on NumPy arrays, vectorized over starts.

Every rule is a pair ``init(theta) -> state`` and
``update(theta, state, ctx, hp) -> Step`` (optax's shape).  ``theta`` has
shape ``(n, 2)``; ``hp`` maps hyperparameter names to floats or ``(n, 1)``
arrays (one value per start); ``ctx`` carries the step number ``t`` (from 1),
this step's gradient oracle, the Hessian and the loss.  The returned ``Step.update`` is
added to ``theta``.  Each rule follows the torch.optim pseudocode named in its
docstring, with ε where PyTorch puts it.

Rules return fresh arrays every step (``replay()`` hands each step's state out) and never
write into their inputs.  Within a step they chain in-place ufuncs (``out=``, ``+=``) into
those fresh arrays, in the same order of operations as the equation, so a step allocates
little and computes exactly what the written-out formula does.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np

Array = np.ndarray
HP = Mapping[str, Any]

PD_THRESHOLD = 1e-8  # Newton: smallest Hessian eigenvalue that counts as positive definite


class Context(NamedTuple):
    """What a rule may ask of the surface at step ``t``."""

    t: int                                  # step number, starting at 1
    grad: Callable[[Array], Array]          # this step's (possibly sampled) gradient at any point
    hessian: Callable[[Array], Array]       # exact Hessian at any point
    value: Callable[[Array], Array]         # full-data loss at any point (line searches)


class Step(NamedTuple):
    """One step's result and the diagnostics the app shows."""

    update: Array                           # added to theta
    state: Any                              # the rule's new state
    grad: Array                             # gradient the rule used
    moment: Array | None = None             # momentum / first-moment vector, where the rule has one
    eff_lr: Array | None = None             # effective per-coordinate learning rate, where defined
    fallback: Array | None = None           # Newton: True where a gradient step replaced the Newton step


class NoState(NamedTuple):
    """Plain gradient descent keeps nothing between steps."""


class TraceState(NamedTuple):
    trace: Array                            # momentum buffer b (SGD) or velocity v (Nesterov)


class SumState(NamedTuple):
    sum_sq: Array                           # running sum of squared gradients


class SquareAvgState(NamedTuple):
    square_avg: Array                       # exponential average of squared gradients v


class AdaDeltaState(NamedTuple):
    square_avg: Array                       # v: average of squared gradients
    acc_delta: Array                        # u: average of squared updates


class AdamState(NamedTuple):
    mu: Array                               # first moment m
    nu: Array                               # second moment v
    nu_max: Array                           # running max of v (AMSGrad only)


class NAdamState(NamedTuple):
    mu: Array                               # first moment m
    nu: Array                               # second moment v
    mu_product: Array                       # product of the momentum schedule μ_1 … μ_t


class LionState(NamedTuple):
    mu: Array                               # momentum m


def _zeros(theta: Array) -> Array:
    return np.zeros_like(theta)


def _ema(avg: Array, x: Array, beta: Any) -> Array:
    """``β avg + (1-β) x`` as a fresh array."""
    out = beta * avg
    out += (1 - beta) * x
    return out


def _ema_sq(avg: Array, x: Array, beta: Any) -> Array:
    """``β avg + (1-β) x x`` as a fresh array (the product taken in that order)."""
    out = beta * avg
    sq = (1 - beta) * x
    sq *= x
    out += sq
    return out


def _rate(lr: Any, avg_sq: Array, eps: Any) -> Array:
    """``γ / (√avg_sq + ε)`` as a fresh array: the per-coordinate rate of AdaGrad and RMSprop."""
    out = np.sqrt(avg_sq)
    out += eps
    return np.divide(lr, out, out=out)


def _neg_mul(a: Array, b: Array) -> Array:
    """``-a * b`` (negation first, as written) as a fresh array."""
    out = np.negative(a)
    out *= b
    return out


# --- gradient descent and its stochastic forms --------------------------------------------------

def init_none(theta: Array) -> NoState:
    return NoState()


def gd(theta: Array, state: NoState, ctx: Context, hp: HP) -> Step:
    """Gradient descent, ``θ ← θ - γ g`` (torch.optim.SGD without momentum).

    ``sgd`` and ``minibatch`` use this same rule; only their gradient oracle samples.
    """
    g = ctx.grad(theta)
    return Step(-hp["lr"] * g, state, g)


# --- momentum ------------------------------------------------------------------------------------

def init_trace(theta: Array) -> TraceState:
    return TraceState(_zeros(theta))


def momentum(theta: Array, state: TraceState, ctx: Context, hp: HP) -> Step:
    """Heavy-ball momentum as torch.optim.SGD (dampening 0): ``b ← μ b + g`` (``b₁ = g₁``), ``θ ← θ - γ b``.

    Polyak (1964), "Some methods of speeding up the convergence of iteration methods".
    """
    g = ctx.grad(theta)
    b = g if ctx.t == 1 else hp["momentum"] * state.trace + g
    return Step(-hp["lr"] * b, TraceState(b), g, moment=b)


def nag(theta: Array, state: TraceState, ctx: Context, hp: HP) -> Step:
    """Nesterov's accelerated gradient, look-ahead form: ``v ← μ v + γ ∇f(θ - μ v)``, ``θ ← θ - v``.

    Sutskever et al. (2013), "On the importance of initialization and momentum in deep learning".
    """
    mu_v = hp["momentum"] * state.trace
    g = ctx.grad(theta - mu_v)
    v = hp["lr"] * g
    v += mu_v
    return Step(np.negative(v), TraceState(v), g, moment=v)


# --- adaptive per-coordinate methods -------------------------------------------------------------

def init_sum(theta: Array) -> SumState:
    return SumState(_zeros(theta))


def adagrad(theta: Array, state: SumState, ctx: Context, hp: HP) -> Step:
    """AdaGrad as torch.optim.Adagrad: ``s ← s + g²``, ``θ ← θ - γ g / (√s + ε)``.

    Duchi, Hazan & Singer (2011), "Adaptive subgradient methods for online learning".
    """
    g = ctx.grad(theta)
    s = g * g
    s += state.sum_sq
    eff = _rate(hp["lr"], s, hp["eps"])
    return Step(_neg_mul(eff, g), SumState(s), g, eff_lr=eff)


def init_square_avg(theta: Array) -> SquareAvgState:
    return SquareAvgState(_zeros(theta))


def rmsprop(theta: Array, state: SquareAvgState, ctx: Context, hp: HP) -> Step:
    """RMSprop as torch.optim.RMSprop (``rho`` is PyTorch's ``alpha``).

    ``v ← ρ v + (1-ρ) g²``, ``θ ← θ - γ g / (√v + ε)``.

    Hinton, Srivastava & Swersky (2012), Neural Networks for Machine Learning, lecture 6e.
    """
    g = ctx.grad(theta)
    v = _ema_sq(state.square_avg, g, hp["rho"])
    eff = _rate(hp["lr"], v, hp["eps"])
    return Step(_neg_mul(eff, g), SquareAvgState(v), g, eff_lr=eff)


def init_adadelta(theta: Array) -> AdaDeltaState:
    return AdaDeltaState(_zeros(theta), _zeros(theta))


def adadelta(theta: Array, state: AdaDeltaState, ctx: Context, hp: HP) -> Step:
    """AdaDelta as torch.optim.Adadelta, with ``lr`` multiplying the step.

    ``v ← ρ v + (1-ρ) g²``; ``Δ = √(u + ε) / √(v + ε) · g``; ``u ← ρ u + (1-ρ) Δ²``; ``θ ← θ - γ Δ``.
    Zeiler (2012), "ADADELTA: an adaptive learning rate method".
    """
    g = ctx.grad(theta)
    rho, eps = hp["rho"], hp["eps"]
    v = _ema_sq(state.square_avg, g, rho)
    ratio = np.sqrt(np.add(state.acc_delta, eps))
    ratio /= np.sqrt(np.add(v, eps))
    delta = ratio * g
    u = _ema_sq(state.acc_delta, delta, rho)
    return Step(-hp["lr"] * delta, AdaDeltaState(v, u), g, eff_lr=hp["lr"] * ratio)


# --- Adam and relatives --------------------------------------------------------------------------

def init_adam(theta: Array) -> AdamState:
    return AdamState(_zeros(theta), _zeros(theta), _zeros(theta))


def _adam_family(theta: Array, state: AdamState, ctx: Context, hp: HP, *, amsgrad: bool, decoupled: bool) -> Step:
    """Shared body of Adam, AMSGrad and AdamW (torch.optim.Adam / AdamW, ``maximize=False``)."""
    g = ctx.grad(theta)
    b1, b2, lr, t = hp["beta1"], hp["beta2"], hp["lr"], ctx.t
    m = _ema(state.mu, g, b1)
    v = _ema_sq(state.nu, g, b2)
    v_max = np.maximum(state.nu_max, v) if amsgrad else state.nu_max
    eff = np.sqrt(v_max if amsgrad else v)               # becomes step_size / denom in place
    if hp.get("bias_correction", True):
        step_size = lr / (1 - b1**t)
        eff /= np.sqrt(1 - b2**t)
    else:
        step_size = lr
    eff += hp["eps"]
    np.divide(step_size, eff, out=eff)
    update = _neg_mul(eff, m)
    if decoupled:
        update -= lr * hp["weight_decay"] * theta
    return Step(update, AdamState(m, v, v_max), g, moment=m, eff_lr=eff)


def adam(theta: Array, state: AdamState, ctx: Context, hp: HP) -> Step:
    """Adam as torch.optim.Adam: ``m̂ = m/(1-β₁ᵗ)``, ``θ ← θ - γ m̂ / (√v / √(1-β₂ᵗ) + ε)``.

    With ``bias_correction`` off (a teaching switch): ``θ ← θ - γ m / (√v + ε)``.
    Kingma & Ba (2015), "Adam: a method for stochastic optimization".
    """
    return _adam_family(theta, state, ctx, hp, amsgrad=False, decoupled=False)


def amsgrad(theta: Array, state: AdamState, ctx: Context, hp: HP) -> Step:
    """AMSGrad as torch.optim.Adam(amsgrad=True): Adam with ``v_max ← max(v_max, v)`` in the denominator.

    Reddi, Kale & Kumar (2018), "On the convergence of Adam and beyond".
    """
    return _adam_family(theta, state, ctx, hp, amsgrad=True, decoupled=False)


def adamw(theta: Array, state: AdamState, ctx: Context, hp: HP) -> Step:
    """AdamW as torch.optim.AdamW: ``θ ← θ - γ λ θ`` (decoupled weight decay), then the Adam step.

    Loshchilov & Hutter (2019), "Decoupled weight decay regularization".
    """
    return _adam_family(theta, state, ctx, hp, amsgrad=False, decoupled=True)


def init_nadam(theta: Array) -> NAdamState:
    return NAdamState(_zeros(theta), _zeros(theta), np.ones((theta.shape[0], 1)))


def nadam(theta: Array, state: NAdamState, ctx: Context, hp: HP) -> Step:
    """NAdam as torch.optim.NAdam, with the momentum schedule ``μ_t = β₁ (1 - ½·0.96^{tψ})``.

    Dozat (2016), "Incorporating Nesterov momentum into Adam".
    """
    g = ctx.grad(theta)
    b1, b2, lr, t, psi = hp["beta1"], hp["beta2"], hp["lr"], ctx.t, hp["momentum_decay"]
    mu_t = b1 * (1 - 0.5 * 0.96 ** (t * psi))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
    mu_product = state.mu_product * mu_t
    m = _ema(state.mu, g, b1)
    v = _ema_sq(state.nu, g, b2)
    denom = v / (1 - b2**t)
    np.sqrt(denom, out=denom)
    denom += hp["eps"]
    update = -(lr * (1 - mu_t) / (1 - mu_product)) * g
    update /= denom
    nesterov = (lr * mu_next / (1 - mu_product * mu_next)) * m
    nesterov /= denom
    update -= nesterov
    return Step(update, NAdamState(m, v, mu_product), g, moment=m, eff_lr=lr / denom)


def init_lion(theta: Array) -> LionState:
    return LionState(_zeros(theta))


def lion(theta: Array, state: LionState, ctx: Context, hp: HP) -> Step:
    """Lion: ``c = β₁ m + (1-β₁) g``; ``θ ← θ - γ (sign(c) + λ θ)``; ``m ← β₂ m + (1-β₂) g``.

    Chen et al. (2023), "Symbolic discovery of optimization algorithms", Algorithm 2.
    """
    g = ctx.grad(theta)
    b1, b2 = hp["beta1"], hp["beta2"]
    update = np.sign(_ema(state.mu, g, b1))             # sign(c), then γ (sign(c) + λ θ) in place
    update += hp["weight_decay"] * theta
    np.multiply(-hp["lr"], update, out=update)
    m = _ema(state.mu, g, b2)
    return Step(update, LionState(m), g, moment=m)


# --- second order --------------------------------------------------------------------------------

def newton(theta: Array, state: NoState, ctx: Context, hp: HP) -> Step:
    """Damped Newton: ``θ ← θ - γ H⁻¹ g`` where ``H`` is positive definite, else ``θ ← θ - γ_fb g``.

    With ``fallback`` off the Newton step is taken wherever ``H`` is invertible, which on a saddle
    heads for the saddle.  The 2×2 inverse and eigenvalues are written in closed form.
    """
    g = ctx.grad(theta)
    h = ctx.hessian(theta)
    a, b, c = h[:, 0, 0], h[:, 0, 1], h[:, 1, 1]
    det = a * c - b * b
    lam_min = 0.5 * (a + c) - np.sqrt(0.25 * (a - c) ** 2 + b * b)
    use_newton = lam_min > PD_THRESHOLD if hp["fallback"] else np.abs(det) > 1e-12
    safe_det = np.where(use_newton, det, 1.0)
    newton_dir = np.stack([c * g[:, 0] - b * g[:, 1], a * g[:, 1] - b * g[:, 0]], axis=-1) / safe_det[:, None]
    update = np.where(use_newton[:, None], -hp["lr"] * newton_dir, -hp["fallback_lr"] * g)
    return Step(update, state, g, fallback=~use_newton)
