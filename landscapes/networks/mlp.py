"""A small multilayer perceptron, evaluated for many weight vectors at once.

The network maps a point ``x ∈ ℝ²`` through one or two hidden layers (``tanh`` or ReLU) to one logit
``z``; the loss is the mean binary cross-entropy with logits (``torch.nn.BCEWithLogitsLoss``),
``ℓ(z, y) = log(1 + eᶻ) - y z``, computed as ``logaddexp(0, z) - y z`` so that no logit overflows.

**Weights.**  All weights of one network are one flat vector ``θ ∈ ℝᵈ``, laid out as
``torch.nn.utils.parameters_to_vector`` lays out ``nn.Sequential(Linear, act, ..., Linear)``: for each
layer its weight matrix ``W`` (``out × in``, row-major: row ``i`` holds the weights into unit ``i``),
then its bias ``b``.  :class:`Layout` declares the slices (what Muon, filter normalisation and the page
read).  Every function takes ``theta`` of shape ``(R, d)``: ``R`` networks (runs, or the points of a
grid on a plane) are evaluated together with batched matrix products; only the layers are looped over.

**Data.**  ``x`` is either shared, shape ``(N, 2)`` (the full data set), or per network, shape
``(R, B, 2)`` (each run's mini-batch); ``y`` is ``(N,)`` or ``(R, B)`` to match.  Inside, activations are
unit-major, ``(R, units, N)``: element-wise work then runs along the examples (long, contiguous rows)
rather than along 4 to 16 units, which NumPy does several times faster.

**Derivatives.**  :func:`value_and_grad` is reverse mode (backpropagation).  :func:`hvp` is the exact
Hessian-vector product by Pearlmutter's R-operator, forward-over-reverse: the forward and backward
passes are differentiated along ``v``.  Pearlmutter (1994), "Fast exact multiplication by the Hessian".
For ReLU the second derivative of the activation is taken as 0 (it is, except on the kinks).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

Array = np.ndarray
ACTIVATIONS = ("tanh", "relu")
INITS = ("pytorch", "glorot", "he")


class Block(NamedTuple):
    """One named slice of the weight vector: ``theta[..., start:stop].reshape(shape)``."""

    name: str                   # "W1", "b1", ..., "W_out", "b_out"
    start: int                  # first index in the flat vector
    shape: tuple[int, ...]      # (out, in) for a weight matrix, (out,) for a bias
    role: str                   # "hidden": a hidden layer's weight matrix; "output": the output weights; "bias"

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def stop(self) -> int:
        return self.start + self.size


class Layout(NamedTuple):
    """The weight vector's declared structure: blocks in vector order, ``W`` then ``b`` per layer."""

    sizes: tuple[int, ...]      # units per layer, input first: (2, h₁[, h₂], 1)
    blocks: tuple[Block, ...]
    cuts: tuple[tuple[slice, tuple[int, int], slice], ...]   # per layer: W's slice, W's shape, b's slice

    @property
    def dim(self) -> int:
        """Number of weights ``d``."""
        return self.blocks[-1].stop

    @property
    def hidden_matrices(self) -> tuple[Block, ...]:
        """The hidden layers' weight matrices (what Muon orthogonalises; Keller Jordan's "hidden layers")."""
        return tuple(b for b in self.blocks if b.role == "hidden")

    @property
    def layers(self) -> tuple[tuple[Block, Block], ...]:
        """``(W, b)`` block pairs, input layer first."""
        return tuple(zip(self.blocks[0::2], self.blocks[1::2], strict=True))


def layout(widths: tuple[int, ...]) -> Layout:
    """The layout of the MLP ``2 → widths[0] → … → 1``."""
    sizes = (2, *widths, 1)
    blocks, start = [], 0
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        last = k == len(sizes) - 1
        tag = "_out" if last else str(k)
        w = Block(f"W{tag}", start, (fan_out, fan_in), "output" if last else "hidden")
        b = Block(f"b{tag}", w.stop, (fan_out,), "bias")
        blocks += [w, b]
        start = b.stop
    pairs = zip(blocks[0::2], blocks[1::2], strict=True)
    cuts = tuple((slice(w.start, w.stop), (w.shape[0], w.shape[1]), slice(b.start, b.stop)) for w, b in pairs)
    return Layout(sizes, tuple(blocks), cuts)


def init_weights(lay: Layout, scheme: str, seed: int) -> Array:
    """Initial weights ``(d,)`` drawn from ``numpy.random.default_rng(seed)``, layer by layer.

    - ``pytorch``: ``torch.nn.Linear.reset_parameters``: ``W`` and ``b`` uniform in ``±1/√fan_in``
      (Kaiming-uniform with ``a = √5``).
    - ``glorot``: ``W`` uniform in ``±√(6/(fan_in + fan_out))``, ``b = 0``
      (Glorot & Bengio 2010; ``torch.nn.init.xavier_uniform_``), suited to ``tanh``.
    - ``he``: ``W`` normal with standard deviation ``√(2/fan_in)``, ``b = 0``
      (He et al. 2015; ``torch.nn.init.kaiming_normal_``), suited to ReLU.
    """
    if scheme not in INITS:
        raise ValueError(f"Unknown init {scheme!r}; choose one of: {', '.join(INITS)}")
    rng = np.random.default_rng(seed)
    parts = []
    for w, b in lay.layers:
        fan_out, fan_in = w.shape
        if scheme == "pytorch":
            bound = 1.0 / math.sqrt(fan_in)
            parts += [rng.uniform(-bound, bound, w.size), rng.uniform(-bound, bound, b.size)]
        elif scheme == "glorot":
            bound = math.sqrt(6.0 / (fan_in + fan_out))
            parts += [rng.uniform(-bound, bound, w.size), np.zeros(b.size)]
        else:
            parts += [rng.normal(0.0, math.sqrt(2.0 / fan_in), w.size), np.zeros(b.size)]
    return np.concatenate(parts)


def unpack(theta: Array, lay: Layout) -> list[tuple[Array, Array]]:
    """``(W, b)`` per layer as views ``(R, out, in)`` and ``(R, out)`` of ``theta`` ``(R, d)``."""
    r = theta.shape[0]
    return [(theta[:, w].reshape(r, *shape), theta[:, b]) for w, shape, b in lay.cuts]


def _pack(parts: list[Array], r: int) -> Array:
    """The flat ``(R, d)`` vector of per-layer ``(gW, gb)`` arrays, in layout order."""
    return np.concatenate([p.reshape(r, -1) for p in parts], axis=1)


def _affine(a: Array, w: Array, b: Array) -> Array:
    """``W a + b`` for every network: ``a`` ``(in, N)`` or ``(R, in, N)`` → ``(R, out, N)``."""
    z = np.matmul(w, a)
    z += b[:, :, None]
    return z


def _act(z: Array, activation: str) -> Array:
    """The activation, in place.  ``tanh z = 2 / (1 + e^{-2z}) - 1`` (with ``z`` clipped below at -20, where
    both sides are -1 in float64): the same function as ``np.tanh`` to 4e-16, in half its time."""
    if activation == "tanh":
        np.maximum(z, -20.0, out=z)
        z *= -2.0
        np.exp(z, out=z)
        z += 1.0
        np.divide(2.0, z, out=z)
        z -= 1.0
        return z
    return np.maximum(z, 0.0, out=z)


def _act_slope(a: Array, activation: str) -> Array:
    """σ'(z) from the activation's output ``a = σ(z)``: ``1 - a²`` (tanh) or ``[a > 0]`` (ReLU)."""
    if activation == "tanh":
        slope = a * a
        np.subtract(1.0, slope, out=slope)
        return slope
    return (a > 0).astype(np.float64)


def _forward(layers: list[tuple[Array, Array]], xt: Array, activation: str) -> tuple[list[Array], Array]:
    """Every layer's input ``[xᵀ, a₁, …]`` (unit-major) and the logits ``(R, N)``."""
    acts = [xt]
    for w, b in layers[:-1]:
        acts.append(_act(_affine(acts[-1], w, b), activation))
    w, b = layers[-1]
    return acts, _affine(acts[-1], w, b)[:, 0, :]


def sigmoid(z: Array) -> Array:
    """The logistic function ``1/(1 + e⁻ᶻ)``, written as ``½ + ½ tanh(z/2)`` (no overflow)."""
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def _bce(z: Array, y: Array) -> Array:
    """Mean binary cross-entropy with logits over the last axis (torch's BCEWithLogitsLoss, mean)."""
    loss = np.logaddexp(0.0, z)
    loss -= y * z
    return np.add.reduce(loss, axis=-1) / z.shape[-1]


def unit_major(x: Array) -> Array:
    """Inputs ``(N, 2)`` or ``(R, B, 2)`` as the unit-major view ``(2, N)`` or ``(R, 2, B)`` the passes use."""
    return np.swapaxes(x, -1, -2)


def value(theta: Array, lay: Layout, activation: str, x: Array, y: Array) -> Array:
    """Loss ``(R,)`` of each network on its data."""
    _, z = _forward(unpack(theta, lay), unit_major(x), activation)
    return _bce(z, y)


def logits(theta: Array, lay: Layout, activation: str, x: Array) -> Array:
    """Logits ``(R, N)`` of each network at the points ``x``."""
    return _forward(unpack(theta, lay), unit_major(x), activation)[1]


class Forward(NamedTuple):
    """A forward pass kept for the backward pass: the layers' weights, activations and the logits."""

    layers: list[tuple[Array, Array]]       # (W, b) per layer, views of theta
    acts: list[Array]                       # [xᵀ, a₁, …]: the input of every layer, (…, units, N)
    logits: Array                           # (R, N)


def forward(theta: Array, lay: Layout, activation: str, x: Array) -> Forward:
    """The forward pass of networks ``theta`` ``(R, d)`` on inputs ``x``."""
    layers = unpack(theta, lay)
    acts, z = _forward(layers, unit_major(x), activation)
    return Forward(layers, acts, z)


def loss(fwd: Forward, y: Array) -> Array:
    """Loss ``(R,)`` from a :func:`forward` pass."""
    return _bce(fwd.logits, y)


def value_and_grad(theta: Array, lay: Layout, activation: str, x: Array, y: Array) -> tuple[Array, Array]:
    """Loss ``(R,)`` and its gradient ``(R, d)`` by backpropagation."""
    fwd = forward(theta, lay, activation, x)
    return _bce(fwd.logits, y), backward(fwd, activation, y)


def backward(fwd: Forward, activation: str, y: Array) -> Array:
    """The gradient ``(R, d)`` of the mean cross-entropy from a :func:`forward` pass, by backpropagation:
    ``δ_out = (σ(z) - y)/N``; per layer ``∇W = δ aᵀ``, ``∇b = Σ_n δ``, ``δ ← (Wᵀ δ) ⊙ σ'(z)``."""
    layers, acts, z = fwd
    delta = ((sigmoid(z) - y) / z.shape[-1])[:, None, :]     # ∂loss/∂z of the output layer, (R, 1, N)
    parts: list[Array] = []
    for k in range(len(layers) - 1, -1, -1):
        w, _ = layers[k]
        a = acts[k]
        parts += [np.add.reduce(delta, axis=-1), np.matmul(delta, np.swapaxes(a, -1, -2))]   # ∇b, ∇W
        if k:
            delta = np.matmul(w.transpose(0, 2, 1), delta)
            delta *= _act_slope(a, activation)
    return _pack(parts[::-1], z.shape[0])


def hvp(theta: Array, v: Array, lay: Layout, activation: str, x: Array, y: Array) -> Array:
    """Exact Hessian-vector products ``H(θ) v`` ``(R, d)`` for ``theta`` and ``v`` of shape ``(R, d)``.

    Pearlmutter's R-operator: ``R{·} = d/dr (·)(θ + r v)`` at ``r = 0``, carried through the forward pass
    (``R{z} = W R{a} + V a + v_b``, ``R{a} = σ'(z) R{z}``) and the backward pass (``R{δ}`` from the
    product rule, with ``σ''(z) = -2 a (1 - a²)`` for tanh and 0 for ReLU); ``R{∇θ}`` is ``H v``.
    """
    layers, dirs = unpack(theta, lay), unpack(v, lay)
    acts, slopes, rzs = [unit_major(x)], [], []
    racts: list[Array | None] = [None]                     # R{input} of every layer: the data's is 0
    for (w, b), (vw, vb) in zip(layers[:-1], dirs[:-1], strict=True):
        a_prev, ra_prev = acts[-1], racts[-1]
        rz = _affine(a_prev, vw, vb)
        if ra_prev is not None:
            rz += np.matmul(w, ra_prev)
        a = _act(_affine(a_prev, w, b), activation)
        slope = _act_slope(a, activation)
        acts.append(a)
        racts.append(slope * rz)
        slopes.append(slope)
        rzs.append(rz)
    (w, b), (vw, vb) = layers[-1], dirs[-1]
    ra_last = racts[-1]
    assert ra_last is not None                             # every network here has a hidden layer
    z = _affine(acts[-1], w, b)[:, 0, :]
    rz_out = (_affine(acts[-1], vw, vb) + np.matmul(w, ra_last))[:, 0, :]
    s = sigmoid(z)
    n = z.shape[-1]
    delta = ((s - y) / n)[:, None, :]                      # ∂loss/∂z, (R, 1, N)
    rdelta = (s * (1.0 - s) * rz_out / n)[:, None, :]      # R{∂loss/∂z}
    parts: list[Array] = []
    for k in range(len(layers) - 1, -1, -1):
        (w, _), (vw, _) = layers[k], dirs[k]
        a, ra = acts[k], racts[k]
        r_gw = np.matmul(rdelta, np.swapaxes(a, -1, -2))
        if ra is not None:
            r_gw += np.matmul(delta, np.swapaxes(ra, -1, -2))
        parts += [np.add.reduce(rdelta, axis=-1), r_gw]
        if k:
            wt = w.transpose(0, 2, 1)
            da = np.matmul(wt, delta)
            rda = np.matmul(wt, rdelta) + np.matmul(vw.transpose(0, 2, 1), delta)
            slope = slopes[k - 1]
            rdelta = rda * slope
            if activation == "tanh":                       # σ''(z) R{z} = -2 a σ'(z) R{z}
                rdelta -= 2.0 * da * a * slope * rzs[k - 1]
            delta = da * slope
    return _pack(parts[::-1], theta.shape[0])


def chunked(fn: Callable[[Array], Array], theta: Array, rows: int) -> Array:
    """``fn`` applied to ``theta`` ``(M, d)`` in chunks of at most ``rows`` networks, concatenated."""
    if theta.shape[0] <= rows:
        return fn(theta)
    return np.concatenate([fn(theta[i:i + rows]) for i in range(0, theta.shape[0], rows)])
