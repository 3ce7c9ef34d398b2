"""Update rules as pure functions on NumPy arrays, vectorized over starts.

Every rule is a pair ``init(theta) -> state`` and
``update(theta, state, ctx, hp) -> Step`` (optax's shape).  ``theta`` has
shape ``(n, d)``: ``n`` runs of a ``d``-dimensional problem, ``d = 2`` on a surface and the number of
weights in network mode; ``hp`` maps hyperparameter names to floats or ``(n, 1)``
arrays (one value per start); ``ctx`` carries the step number ``t`` (from 1),
this step's gradient oracle, the Hessian, the loss and, for a network, the weight vector's layout.
The returned ``Step.update`` is added to ``theta``.  Each rule follows the torch.optim pseudocode
named in its docstring, with ε where PyTorch puts it.

Element-wise rules are written once for every ``d``.  The rules that keep a ``d × d`` matrix (Newton,
BFGS, full-matrix AdaGrad) use closed-form 2 × 2 algebra on surfaces and ``numpy.linalg`` above
``d = 2``; the registry offers them only up to a declared dimension.  Muon orthogonalises the hidden
weight matrices that ``ctx.layout`` declares and steps the other weights with AdamW; on a surface
(no layout) the point is one 1 × 2 matrix.

Rules return fresh arrays every step (``replay()`` hands each step's state out) and never
write into their inputs.  Within a step they chain in-place ufuncs (``out=``, ``+=``) into
those fresh arrays, in the same order of operations as the equation, so a step allocates
little and computes exactly what the written-out formula does.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol

import numpy as np

Array = np.ndarray
HP = Mapping[str, Any]

PD_THRESHOLD = 1e-8  # Newton: smallest Hessian eigenvalue that counts as positive definite
SINGULAR = 1e-12     # Newton without fallback: |det H| (d = 2) or the smallest |eigenvalue| (d > 2) it must exceed


class MatrixBlock(Protocol):
    """A weight matrix stored in the flat vector: ``theta[:, start:start + rows·cols]``, row-major."""

    @property
    def start(self) -> int: ...
    @property
    def shape(self) -> tuple[int, ...]: ...                # (rows, cols) = (out, in), as torch.nn.Linear.weight


class WeightLayout(Protocol):
    """What a rule may know of how the weight vector is built (``landscapes.networks.mlp.Layout``)."""

    @property
    def hidden_matrices(self) -> tuple[MatrixBlock, ...]: ...


class Context(NamedTuple):
    """What a rule may ask of the surface at step ``t``."""

    t: int                                  # step number, starting at 1
    grad: Callable[[Array], Array]          # this step's (possibly sampled) gradient at any point
    hessian: Callable[[Array], Array]       # exact Hessian at any point
    value: Callable[[Array], Array]         # full-data loss at any point (line searches)
    layout: WeightLayout | None = None      # the network's weight layout; None on a 2-D surface


class Step(NamedTuple):
    """One step's result and the diagnostics the app shows."""

    update: Array                           # added to theta
    state: Any                              # the rule's new state
    grad: Array                             # gradient the rule used
    moment: Array | None = None             # momentum / first-moment vector, where the rule has one
    eff_lr: Array | None = None             # effective per-coordinate learning rate, where defined
    fallback: Array | None = None           # Newton: True where a gradient step replaced the Newton step
    extra: Mapping[str, Array] = {}         # per-start values the entry declares (shown, series, markers); read-only


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
    return _adam_step(theta, state, ctx.grad(theta), ctx.t, hp, amsgrad=amsgrad, decoupled=decoupled)


def _adam_step(theta: Array, state: AdamState, g: Array, t: int, hp: HP, *, amsgrad: bool, decoupled: bool) -> Step:
    """One Adam / AMSGrad / AdamW step from the gradient ``g`` at step ``t``."""
    b1, b2, lr = hp["beta1"], hp["beta2"], hp["lr"]
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


NADAM_MU_BASE = 0.96    # torch.optim.NAdam's momentum schedule μ_t = β₁ (1 − ½ · 0.96^{tψ})


def init_nadam(theta: Array) -> NAdamState:
    return NAdamState(_zeros(theta), _zeros(theta), np.ones((theta.shape[0], 1)))


def nadam(theta: Array, state: NAdamState, ctx: Context, hp: HP) -> Step:
    """NAdam as torch.optim.NAdam, with the momentum schedule ``μ_t = β₁ (1 - ½·0.96^{tψ})``.

    Dozat (2016), "Incorporating Nesterov momentum into Adam".
    """
    g = ctx.grad(theta)
    b1, b2, lr, t, psi = hp["beta1"], hp["beta2"], hp["lr"], ctx.t, hp["momentum_decay"]
    mu_t = b1 * (1 - 0.5 * NADAM_MU_BASE ** (t * psi))
    mu_next = b1 * (1 - 0.5 * NADAM_MU_BASE ** ((t + 1) * psi))
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
    heads for the saddle.  The 2×2 inverse and eigenvalues are written in closed form; above d = 2,
    ``H = Q Λ Qᵀ`` by ``numpy.linalg.eigh`` and ``H⁻¹ g = Q Λ⁻¹ Qᵀ g``.
    """
    g = ctx.grad(theta)
    h = ctx.hessian(theta)
    if theta.shape[1] != 2:
        return _newton_dense(theta, state, g, h, hp)
    a, b, c = h[:, 0, 0], h[:, 0, 1], h[:, 1, 1]
    det = a * c - b * b
    lam_min = 0.5 * (a + c) - np.sqrt(0.25 * (a - c) ** 2 + b * b)
    use_newton = lam_min > PD_THRESHOLD if hp["fallback"] else np.abs(det) > SINGULAR
    safe_det = np.where(use_newton, det, 1.0)
    newton_dir = np.stack([c * g[:, 0] - b * g[:, 1], a * g[:, 1] - b * g[:, 0]], axis=-1) / safe_det[:, None]
    update = np.where(use_newton[:, None], -hp["lr"] * newton_dir, -hp["fallback_lr"] * g)
    return Step(update, state, g, fallback=~use_newton)


def _eigh(m: Array) -> tuple[Array, Array]:
    """``numpy.linalg.eigh`` of symmetric matrices ``(n, d, d)``; a matrix with a non-finite entry gets NaN
    eigenvalues (its run then takes no finite step and is frozen as diverged) instead of stopping the batch."""
    bad = ~np.isfinite(m).all(axis=(-2, -1))
    if bad.any():
        m = np.where(bad[:, None, None], np.eye(m.shape[-1]), m)
    lam, q = np.linalg.eigh(m)
    lam[bad] = np.nan
    return lam, q


def _newton_dense(theta: Array, state: NoState, g: Array, h: Array, hp: HP) -> Step:
    """:func:`newton` for ``d > 2`` through the eigen-decomposition of ``H`` ``(n, d, d)``."""
    lam, q = _eigh(h)
    use_newton = lam[:, 0] > PD_THRESHOLD if hp["fallback"] else np.abs(lam).min(axis=1) > SINGULAR
    safe_lam = np.where(use_newton[:, None], lam, 1.0)
    newton_dir = np.einsum("nij,nj->ni", q, np.einsum("nji,nj->ni", q, g) / safe_lam)
    update = np.where(use_newton[:, None], -hp["lr"] * newton_dir, -hp["fallback_lr"] * g)
    return Step(update, state, g, fallback=~use_newton)


# --- quasi-Newton ----------------------------------------------------------------------------------

ARMIJO_C1 = 1e-4        # sufficient-decrease constant c₁ of the backtracking line search
BACKTRACK = 0.5         # the trial step is halved until the Armijo condition holds
MAX_BACKTRACKS = 40     # after this many halvings without success the step is 0
EAGER_TRIALS = 4        # trial steps tested one at a time before the rest are tested in one batch
CURVATURE_FLOOR = 1e-10  # BFGS skips its update unless sᵀy > CURVATURE_FLOOR · ‖s‖ ‖y‖


class BFGSState(NamedTuple):
    inv_hessian: Array                      # H: inverse-Hessian estimate (n, d, d), H_0 = I
    step: Array                             # s: the previous step θ_{t-1} - θ_{t-2}
    grad: Array                             # the previous gradient g_{t-1}


def init_bfgs(theta: Array) -> BFGSState:
    n, d = theta.shape
    return BFGSState(np.broadcast_to(np.eye(d), (n, d, d)).copy(), _zeros(theta), _zeros(theta))


def bfgs(theta: Array, state: BFGSState, ctx: Context, hp: HP) -> Step:
    """BFGS with a backtracking Armijo line search (Nocedal & Wright 2006, Algorithms 6.1 and 3.1).

    ``y = g_t - g_{t-1}``, ``ρ = 1/(yᵀs)``; ``H ← (I - ρ s yᵀ) H (I - ρ y sᵀ) + ρ s sᵀ`` (their eq. 6.17),
    skipped unless ``sᵀy > 10⁻¹⁰ ‖s‖‖y‖`` so that ``H`` stays positive definite (an Armijo search alone
    does not guarantee the curvature condition).  ``p = -H g``; ``α = γ · ½^j`` for the smallest ``j ≤ 40``
    with ``f(θ + α p) ≤ f(θ) + c₁ α gᵀp`` (``α = 0`` if none); ``θ ← θ + α p``.  ``H_0 = I``.
    """
    g = ctx.grad(theta)
    h = state.inv_hessian
    if ctx.t > 1:
        s, y = state.step, g - state.grad
        sy = np.sum(s * y, axis=-1)
        curved = sy > CURVATURE_FLOOR * np.linalg.norm(s, axis=-1) * np.linalg.norm(y, axis=-1)
        safe = np.where(curved, sy, 1.0)[:, None, None]
        hy = np.einsum("nij,nj->ni", h, y)
        yhy = np.sum(y * hy, axis=-1)[:, None, None]
        ss, s_hy = s[:, :, None] * s[:, None, :], s[:, :, None] * hy[:, None, :]
        # eq. 6.17 multiplied out, with ρ = 1/(sᵀy) applied as divisions so tiny steps do not overflow
        h_new = h - (s_hy + np.swapaxes(s_hy, 1, 2)) / safe + (1.0 + yhy / safe) * ss / safe
        h = np.where((curved & np.isfinite(h_new).all(axis=(1, 2)))[:, None, None], h_new, h)
    p = -np.einsum("nij,nj->ni", h, g)
    f0, decrease = ctx.value(theta), ARMIJO_C1 * np.sum(g * p, axis=-1)
    alpha = np.broadcast_to(np.asarray(hp["lr"], dtype=np.float64), (theta.shape[0], 1)).reshape(-1).copy()
    pending = np.arange(theta.shape[0])               # starts still searching: only these are evaluated
    for _ in range(EAGER_TRIALS):
        a = alpha[pending]
        ok = ctx.value(theta[pending] + a[:, None] * p[pending]) <= f0[pending] + a * decrease[pending]
        pending = pending[~ok]
        if not pending.size:
            break
        alpha[pending] *= BACKTRACK
    if pending.size:                                  # the few left try all remaining halvings in one evaluation
        trials = alpha[pending, None] * BACKTRACK ** np.arange(MAX_BACKTRACKS + 1 - EAGER_TRIALS)
        points = theta[pending, None, :] + trials[..., None] * p[pending, None, :]
        ok = ctx.value(points) <= f0[pending, None] + trials * decrease[pending, None]
        first = ok.argmax(axis=1)                     # the first (largest) step that passes, as one by one
        alpha[pending] = np.where(ok.any(axis=1), trials[np.arange(pending.size), first], 0.0)
    update = alpha[:, None] * p
    extra = {"inv_hessian": h, "direction": p, "alpha": alpha}
    return Step(update, BFGSState(h, update, g), g, extra=extra)


# --- full-matrix AdaGrad ---------------------------------------------------------------------------

class OuterSumState(NamedTuple):
    outer_sum: Array                        # G: running sum of outer products g gᵀ (n, d, d)


def init_outer_sum(theta: Array) -> OuterSumState:
    return OuterSumState(np.zeros(theta.shape + theta.shape[-1:]))


def sym_eig(m: Array) -> tuple[Array, Array, Array, Array]:
    """Eigen-decomposition of symmetric 2×2 matrices ``(n, 2, 2)`` in closed form.

    Returns the eigenvalues ``small`` and ``big`` with the cosine and sine of the angle ``φ = ½ atan2(2b, a - c)``:
    ``big`` belongs to the eigenvector ``(cos φ, sin φ)``, ``small`` to ``(-sin φ, cos φ)``.
    """
    a, b, c = m[:, 0, 0], m[:, 0, 1], m[:, 1, 1]
    phi = 0.5 * np.arctan2(2 * b, a - c)
    cos, sin = np.cos(phi), np.sin(phi)
    big = a * cos * cos + 2 * b * sin * cos + c * sin * sin
    small = a * sin * sin - 2 * b * sin * cos + c * cos * cos
    return small, big, cos, sin


def adagrad_full(theta: Array, state: OuterSumState, ctx: Context, hp: HP) -> Step:
    """Full-matrix AdaGrad: ``G ← G + g gᵀ``, ``θ ← θ - γ (δI + G^{1/2})⁻¹ g``.

    Duchi, Hazan & Singer (2011), "Adaptive subgradient methods for online learning and stochastic
    optimization", the full-matrix update (their eq. 2 / Figure 1 with ``δI + G_t^{1/2}``).  The square root
    and the inverse use the closed-form eigen-decomposition of the 2×2 matrix ``G`` (:func:`sym_eig`);
    above d = 2, ``G = Q Λ Qᵀ`` by ``numpy.linalg.eigh`` and ``P = Q γ (δ + Λ^{1/2})⁻¹ Qᵀ``.
    """
    g = ctx.grad(theta)
    big_g = state.outer_sum + g[:, :, None] * g[:, None, :]
    if theta.shape[1] != 2:
        lam, q = _eigh(big_g)
        scale = hp["lr"] / (hp["eps"] + np.sqrt(np.maximum(lam, 0.0)))          # (n, d) eigenvalues of P
        precond = (q * scale[:, None, :]) @ np.swapaxes(q, 1, 2)
        update = -np.einsum("nij,nj->ni", precond, g)
        return Step(update, OuterSumState(big_g), g, extra={"outer_sum": big_g, "preconditioner": precond})
    small, big, cos, sin = sym_eig(big_g)
    lr, delta = (np.reshape(hp[k], -1) if np.ndim(hp[k]) else hp[k] for k in ("lr", "eps"))   # (n,) per start
    s_small = lr / (delta + np.sqrt(np.maximum(small, 0.0)))          # eigenvalues of P = γ (δI + G^{1/2})⁻¹
    s_big = lr / (delta + np.sqrt(np.maximum(big, 0.0)))
    p00 = s_small * sin * sin + s_big * cos * cos
    p01 = (s_big - s_small) * sin * cos
    p11 = s_small * cos * cos + s_big * sin * sin
    update = -np.stack([p00 * g[:, 0] + p01 * g[:, 1], p01 * g[:, 0] + p11 * g[:, 1]], axis=-1)
    precond = np.stack([np.stack([p00, p01], -1), np.stack([p01, p11], -1)], -2)
    return Step(update, OuterSumState(big_g), g, extra={"outer_sum": big_g, "preconditioner": precond})


# --- sharpness-aware minimization ------------------------------------------------------------------

def sam(theta: Array, state: NoState, ctx: Context, hp: HP) -> Step:
    """SAM with plain SGD as its base: ``ε = ρ g/‖g‖``, ``θ ← θ - γ ∇f(θ + ε)`` (ρ is ``radius``).

    Foret, Kleiner, Mobahi & Neyshabur (2021), "Sharpness-aware minimization for efficiently improving
    generalization", Algorithm 1 with p = 2.  Both gradients come from this step's oracle (the same
    mini-batch).  Where ``g = 0`` the perturbation is 0.
    """
    g = ctx.grad(theta)
    norm = np.linalg.norm(g, axis=-1, keepdims=True)
    eps = np.where(norm > 0, hp["radius"] * g / np.where(norm > 0, norm, 1.0), 0.0)
    perturbed = theta + eps
    g_sam = ctx.grad(perturbed)
    return Step(-hp["lr"] * g_sam, state, g_sam,
                extra={"grad_at_theta": g, "perturbation": eps, "perturbed": perturbed})


# --- schedule-free ---------------------------------------------------------------------------------

class ScheduleFreeState(NamedTuple):
    z: Array                                # base sequence z (the SGD / Adam iterate)
    nu: Array                               # second moment v (AdamW form only)
    weight_sum: Array                       # Σ w_i of the averaging weights w_i = γ_max²  (n, 1)
    lr_max: Array                           # largest learning rate so far (n, 1)


def init_schedule_free(theta: Array) -> ScheduleFreeState:
    n = theta.shape[0]
    return ScheduleFreeState(theta.copy(), _zeros(theta), np.zeros((n, 1)), np.full((n, 1), -1.0))


def _schedule_free(theta: Array, state: ScheduleFreeState, ctx: Context, hp: HP, beta: Any, adam: bool) -> Step:
    """Shared body of Schedule-Free SGD and AdamW (schedulefree 1.4.1 with r = 0, weight_lr_power = 2).

    ``x = θ`` is the averaged iterate (the reported point); ``y = (1-β) z + β x`` is where the gradient is
    taken; ``z ← z - γ_t ĝ``; ``c = γ_max² / Σ γ_max²``; ``x ← (1-c) x + c z``.  ``γ_t`` rises linearly over
    ``lr_warmup`` steps (the package's ``warmup_steps``).
    """
    warm = hp["lr_warmup"]
    lr = hp["lr"] * (min(1.0, ctx.t / warm) if warm else 1.0)
    lr_max = np.maximum(lr, state.lr_max)
    weight = lr_max * lr_max
    weight_sum = state.weight_sum + weight
    c = weight / weight_sum
    y = (1 - beta) * state.z + beta * theta
    g = ctx.grad(y)
    nu = state.nu
    if adam:
        b2 = hp["beta2"]
        nu = b2 * nu + (1 - b2) * g * g
        direction = g / (np.sqrt(nu / (1 - b2**ctx.t)) + hp["eps"])
    else:
        direction = g
    direction = direction + hp["weight_decay"] * y
    z = state.z - lr * direction
    x = (1 - c) * theta + c * z
    extra = {"y": y, "z": z, "average_weight": np.broadcast_to(c, (theta.shape[0], 1))[:, 0]}
    return Step(x - theta, ScheduleFreeState(z, nu, weight_sum, lr_max), g, extra=extra)


def schedule_free_sgd(theta: Array, state: ScheduleFreeState, ctx: Context, hp: HP) -> Step:
    """Schedule-Free SGD as ``schedulefree.SGDScheduleFree`` (β is its ``momentum``).

    Defazio et al. (2024), "The road less scheduled", Algorithm 1 with the SGD base step.
    """
    return _schedule_free(theta, state, ctx, hp, hp["momentum"], adam=False)


def schedule_free_adamw(theta: Array, state: ScheduleFreeState, ctx: Context, hp: HP) -> Step:
    """Schedule-Free AdamW as ``schedulefree.AdamWScheduleFree`` (β is its ``betas[0]``): the base step
    divides by ``√(v / (1-β₂ᵗ)) + ε`` and adds ``λ y``.  Defazio et al. (2024), Algorithm 1."""
    return _schedule_free(theta, state, ctx, hp, hp["beta1"], adam=True)


# --- learning-rate-free Adam variants ----------------------------------------------------------------

class ProdigyState(NamedTuple):
    x0: Array                               # the start point
    mu: Array                               # m: first moment, scaled by d
    nu: Array                               # v: second moment, scaled by d²
    s: Array                                # s: weighted sum of gradients
    numerator: Array                        # r: weighted sum of d·γ·gᵀ(x₀ - x)  (n, 1)
    d: Array                                # d: current estimate of the distance to the solution (n, 1)
    d_max: Array                            # largest d̂ so far (n, 1); d and d_max are d₀ at step 1


def init_prodigy(theta: Array) -> ProdigyState:
    column = np.zeros((theta.shape[0], 1))
    return ProdigyState(theta.copy(), _zeros(theta), _zeros(theta), _zeros(theta), column, column, column)


def _first_d(theta: Array, ctx: Context, hp: HP, current: Array) -> Array:
    """``(n, 1)``: d₀ at the first step (one value per start if d0 is), else the running value."""
    return np.broadcast_to(hp["d0"], (theta.shape[0], 1)) if ctx.t == 1 else current


def prodigy(theta: Array, state: ProdigyState, ctx: Context, hp: HP) -> Step:
    """Prodigy as ``prodigyopt.Prodigy`` 1.1.2 (defaults: no bias correction, no safeguard warm-up,
    unbounded growth, β₃ = √β₂, no weight decay).

    ``r ← β₃ r + (d/d₀) dγ gᵀ(x₀ - x)``, ``m ← β₁ m + d (1-β₁) g``, ``v ← β₂ v + d² (1-β₂) g²``,
    ``s ← β₃ s + (d/d₀) dγ g``; ``d̂ = d_coef · r / ‖s‖₁``, ``d ← max(d, d̂)``;
    ``x ← x - dγ m / (√v + d' ε)`` with ``dγ`` from before this step and ``d'`` the new d.
    Per-start numbers are ``(n, 1)`` columns, so every hyperparameter may be one value per start.
    Mishchenko & Defazio (2024), "Prodigy: an expeditiously adaptive parameter-free learner", Algorithm 3.
    """
    g = ctx.grad(theta)
    b1, b2, d0 = hp["beta1"], hp["beta2"], hp["d0"]
    b3 = np.sqrt(b2)
    d, d_max = _first_d(theta, ctx, hp, state.d), _first_d(theta, ctx, hp, state.d_max)
    dlr = d * hp["lr"]
    numerator = b3 * state.numerator + (d / d0) * dlr * np.sum(g * (state.x0 - theta), axis=-1, keepdims=True)
    m = b1 * state.mu + d * (1 - b1) * g
    v = b2 * state.nu + d * d * (1 - b2) * g * g
    s = b3 * state.s + (d / d0) * dlr * g
    denom_l1 = np.sum(np.abs(s), axis=-1, keepdims=True)
    moved = denom_l1 > 0                                # prodigyopt skips a step whose ‖s‖₁ is 0
    d_hat = hp["d_coef"] * numerator / np.where(moved, denom_l1, 1.0)
    d_new = np.where(moved, np.maximum(d_max, d_hat), d_max)
    update = np.where(moved, -dlr * m / (np.sqrt(v) + d_new * hp["eps"]), 0.0)
    new = ProdigyState(state.x0, np.where(moved, m, state.mu), np.where(moved, v, state.nu),
                       np.where(moved, s, state.s), np.where(moved, numerator, state.numerator), d_new, d_new)
    extra = {"d": d[:, 0], "d_hat": np.where(moved, d_hat, d)[:, 0], "step_scale": dlr[:, 0]}
    return Step(update, new, g, extra=extra)


class DAdaptAdamState(NamedTuple):
    mu: Array                               # m: first moment, scaled by dγ
    nu: Array                               # v: second moment
    s: Array                                # s: weighted sum of dγ g
    numerator: Array                        # r: weighted sum of dγ gᵀ s/(√v + ε)  (n, 1)
    d: Array                                # d: the step-scale estimate (n, 1); d₀ at step 1


def init_dadapt_adam(theta: Array) -> DAdaptAdamState:
    column = np.zeros((theta.shape[0], 1))
    return DAdaptAdamState(_zeros(theta), _zeros(theta), _zeros(theta), column, column)


def dadapt_adam(theta: Array, state: DAdaptAdamState, ctx: Context, hp: HP) -> Step:
    """D-Adaptation Adam as ``dadaptation.DAdaptAdam`` 3.2 (defaults: no bias correction, unbounded growth,
    no weight decay).

    ``r ← √β₂ r + (1-√β₂) dγ gᵀ s/(√v + ε)`` (with the old ``s`` and ``v``), ``m ← β₁ m + dγ (1-β₁) g``,
    ``v ← β₂ v + (1-β₂) g²``, ``s ← √β₂ s + dγ (1-√β₂) g``; ``d̂ = r / ((1-√β₂) ‖s‖₁)``, ``d ← max(d, d̂)``;
    ``x ← x - m / (√v + ε)``.  Defazio & Mishchenko (2023), "Learning-rate-free learning by D-Adaptation".
    """
    g = ctx.grad(theta)
    b1, b2, eps = hp["beta1"], hp["beta2"], hp["eps"]
    sb2 = np.sqrt(b2)
    d = _first_d(theta, ctx, hp, state.d)
    dlr = d * hp["lr"]
    acc = dlr * np.sum(g * state.s / (np.sqrt(state.nu) + eps), axis=-1, keepdims=True)
    m = b1 * state.mu + dlr * (1 - b1) * g
    v = b2 * state.nu + (1 - b2) * g * g
    s = sb2 * state.s + dlr * (1 - sb2) * g
    numerator = sb2 * state.numerator + (1 - sb2) * acc
    l1 = np.sum(np.abs(s), axis=-1, keepdims=True)
    moved = l1 > 0                                      # dadaptation skips a step whose ‖s‖₁ is 0
    d_hat = numerator / ((1 - sb2) * np.where(moved, l1, 1.0))
    d_new = np.where(moved, np.maximum(d, d_hat), d)
    update = np.where(moved, -m / (np.sqrt(v) + eps), 0.0)
    new = DAdaptAdamState(m, v, s, np.where(moved, numerator, state.numerator), d_new)
    extra = {"d": d[:, 0], "d_hat": np.where(moved, d_hat, d)[:, 0], "step_scale": dlr[:, 0]}
    return Step(update, new, g, extra=extra)


# --- Muon ------------------------------------------------------------------------------------------

NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)   # torch.optim.Muon's quintic Newton–Schulz coefficients
NS_EPS = 1e-7                                 # torch.optim.Muon's eps: the norm is clamped from below by it


def newton_schulz_row(v: Array, steps: int) -> Array:
    """Newton–Schulz orthogonalisation of each row ``v`` (a 1×2 matrix), as torch.optim.Muon but in float64.

    ``X ← v / max(‖v‖, ε)``; ``steps`` times ``A = X Xᵀ``, ``X ← a X + (b A + c A²) X``.  For one row
    ``A = ‖X‖²`` is a number, so X keeps its direction and only its length changes.
    """
    a, b, c = NS_COEFFICIENTS
    x = v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), NS_EPS)
    for _ in range(int(steps)):
        gram = np.sum(x * x, axis=-1, keepdims=True)
        x = a * x + (b * gram + c * gram * gram) * x
    return x


def newton_schulz(m: Array, steps: int) -> Array:
    """Newton–Schulz orthogonalisation of matrices ``m`` ``(n, rows, cols)``, as torch.optim.Muon in float64.

    A tall matrix is transposed first (torch's order: the Gram matrix is the smaller one);
    ``X ← m / max(‖m‖_F, ε)``; ``steps`` times ``A = X Xᵀ``, ``X ← a X + (b A + c A²) X``.
    """
    a, b, c = NS_COEFFICIENTS
    tall = m.shape[-2] > m.shape[-1]
    x = np.swapaxes(m, -1, -2) if tall else m
    x = x / np.maximum(np.linalg.norm(x, axis=(-2, -1), keepdims=True), NS_EPS)
    for _ in range(int(steps)):
        gram = x @ np.swapaxes(x, -1, -2)
        x = a * x + (b * gram + c * gram @ gram) @ x
    return np.swapaxes(x, -1, -2) if tall else x


class MuonState(NamedTuple):
    trace: Array                            # B: Muon's momentum buffer (used on the hidden matrices)
    mu: Array                               # m: AdamW's first moment (the other weights; network mode only)
    nu: Array                               # v: AdamW's second moment (the other weights; network mode only)


def init_muon(theta: Array) -> MuonState:
    return MuonState(_zeros(theta), _zeros(theta), _zeros(theta))


ADAMW_PREFIX = "adamw_"                       # Muon's hyperparameters for the AdamW part: adamw_lr, adamw_beta1, ...


def muon(theta: Array, state: MuonState, ctx: Context, hp: HP) -> Step:
    """Muon as torch.optim.Muon (``adjust_lr_fn=None``).

    ``B ← μ B + (1-μ) g``; ``U = (1-μ) g + μ B`` (Nesterov) or ``B``; ``O = NS₅(U)``;
    ``θ ← θ (1 - γλ) - γ √max(1, rows/cols) · O``.  Jordan et al. (2024), "Muon: an optimizer for hidden
    layers".  torch runs the Newton–Schulz iteration in bfloat16; this rule runs the same iteration in float64.

    On a surface (``ctx.layout`` is None) ``θ`` is one 1×2 matrix and the factor is 1.  On a network, as
    practitioners use it (and torch's docs advise), Muon steps each hidden weight matrix the layout declares
    and AdamW (torch.optim.AdamW, hyperparameters ``adamw_lr``, ``adamw_beta1``, ``adamw_beta2``,
    ``adamw_eps``, ``adamw_weight_decay``) steps the biases and the output layer.
    """
    g = ctx.grad(theta)
    mu = hp["momentum"]
    buf = state.trace + (1 - mu) * (g - state.trace)              # torch's buf.lerp_(g, 1 - μ)
    u = g + mu * (buf - g) if hp["nesterov"] else buf             # torch's g.lerp(buf, μ)
    if ctx.layout is None:
        o = newton_schulz_row(u, hp["ns_steps"])
        update = -hp["lr"] * hp["weight_decay"] * theta - hp["lr"] * o
        return Step(update, MuonState(buf, state.mu, state.nu), g,
                    extra={"ns_input": u, "orthogonalised": o, "update_length": np.linalg.norm(o, axis=-1)})
    adamw_hp = {key[len(ADAMW_PREFIX):]: value for key, value in hp.items() if key.startswith(ADAMW_PREFIX)}
    adamw = _adam_step(theta, AdamState(state.mu, state.nu, state.nu), g, ctx.t, adamw_hp,
                       amsgrad=False, decoupled=True)
    update, o = adamw.update, np.zeros_like(theta)
    n = theta.shape[0]
    for block in ctx.layout.hidden_matrices:                     # a loop over layers
        rows, cols = block.shape
        cut = slice(block.start, block.start + rows * cols)
        o[:, cut] = newton_schulz(u[:, cut].reshape(n, rows, cols), hp["ns_steps"]).reshape(n, -1)
        scale = np.sqrt(max(1.0, rows / cols))                  # torch's adjust_lr_fn=None ("original")
        update[:, cut] = -hp["lr"] * hp["weight_decay"] * theta[:, cut] - hp["lr"] * scale * o[:, cut]
    return Step(update, MuonState(buf, adamw.state.mu, adamw.state.nu), g,
                extra={"ns_input": u, "orthogonalised": o, "update_length": np.linalg.norm(o, axis=-1)})
