"""Network mode's landscape: the training loss of a small MLP on a seeded 2-D data set.

``landscapes.networks.get(dataset="moons", width=8)`` validates the settings against their
:class:`~paramspec.Param` declarations (:data:`PARAMS`) and builds a :class:`NetworkLandscape`: a loss
over weight vectors ``θ ∈ ℝᵈ`` (``d`` = 17 … 337) with the same calling conventions as a 2-D surface, so
``optimizers.simulate`` and :func:`optimizers.network.train` run every update rule on it unchanged:

- ``value(theta)`` ``(..., d) → (...)``: full-data loss (any number of networks; large batches such as the
  6,400 points of an 80 × 80 plane grid are evaluated in chunks that bound memory);
- ``value_f32(theta)``: the same loss computed in float32 (faster, and within about 1e-6 relative of
  ``value``): for contour grids, never for training or for the numbers a page states;
- ``grad(theta)`` ``(n, d) → (n, d)``: full-data gradient (backpropagation; it reuses the forward pass of
  the last ``value`` call when asked about the very same weights, as a training step does);
- ``grad_batch(theta, idx)``: mean gradient over the examples ``idx`` ``(n, b)``, one mini-batch per run;
- ``hvp(theta, v)`` ``(n, d), (n, d) → (n, d)``: exact Hessian-vector products (Pearlmutter's R-operator);
- ``hessian(theta)`` ``(n, d) → (n, d, d)``: the full Hessian, from ``d`` Hessian-vector products (for the
  second-order rules, which are offered only for small ``d``);
- ``layout``: which slices of ``θ`` are which matrices (:class:`~landscapes.networks.mlp.Layout`);
- ``center`` and ``span``: the box the divergence guard scales, as for surfaces: ``θ`` has diverged once
  a weight leaves ``|w| ≤ (0.5 + FAR)·span`` (``FAR = 10`` in ``optimizers.simulation``: ``|w| ≤ 1050``)
  or the loss is not finite;
- ``x``, ``y``: the data (``(N, 2)``, ``(N,)``); ``initial_weights(init, seed)``; ``logits`` /
  ``probability`` at any points (decision boundaries) and ``accuracy``.

The model is in :mod:`landscapes.networks.mlp`, the data sets in :mod:`landscapes.networks.data`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from landscapes.networks import data, mlp
from landscapes.networks.mlp import ACTIVATIONS, INITS, Block, Layout
from paramspec import Param, validate_all

__all__ = ["ACTIVATIONS", "INITS", "NetworkLandscape", "PARAMS", "Block", "Layout", "get"]

Array = np.ndarray
MEMO_ROWS = 8                # value() keeps the forward pass of at most this many networks for grad()
WEIGHT_SPAN = 100.0          # the guard's span per weight: |w| > (0.5 + 10) · 100 = 1050 counts as diverged
CHUNK_ELEMENTS = 2_000_000   # largest hidden activation array (networks × examples × units) built at once

PARAMS: tuple[Param, ...] = (
    Param("dataset", "moons", kind="choice", choices=tuple(data.GENERATORS),
          help="The data: two moons, concentric circles, XOR (four quadrants) or two spirals."),
    Param("points", 200, 40, 500, kind="int", help="Number of training points (half of each class)."),
    Param("noise", 0.1, 0.0, 0.5, help="Standard deviation of the Gaussian jitter added to every point."),
    Param("x_scale", 1.0, 0.01, 100.0, log=True,
          help="Factor applied to the first input. Away from 1 the inputs are badly scaled, and the loss "
               "surface is stretched along the first layer's weights, as a ravine is."),
    Param("data_seed", 0, 0, 2**31 - 1, kind="int", help="Seed of the data set's points and jitter."),
    Param("layers", 1, 1, 2, kind="int", help="Number of hidden layers."),
    Param("width", 8, 4, 16, kind="int", help="Units in each hidden layer."),
    Param("activation", "tanh", kind="choice", choices=ACTIVATIONS,
          help="The hidden units' nonlinearity: tanh (smooth) or ReLU (piecewise linear)."),
)


@dataclass(frozen=True, eq=False)
class NetworkLandscape:
    """The mean binary cross-entropy of an MLP over its weight vector (see the module docstring)."""

    name: str
    title: str
    description: str
    layout: Layout
    activation: str
    x: Array                                            # (N, 2) inputs
    y: Array                                            # (N,) labels, 0.0 or 1.0
    value: Callable[[Array], Array]
    value_f32: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    grad_batch: Callable[[Array, Array], Array]
    hvp: Callable[[Array, Array], Array]
    hessian: Callable[[Array], Array]
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def dim(self) -> int:
        """Number of weights ``d``."""
        return self.layout.dim

    @property
    def n_examples(self) -> int:
        return int(self.y.shape[0])

    @property
    def center(self) -> Array:
        """Centre of the guard's box: the origin of weight space."""
        return np.zeros(self.dim)

    @property
    def span(self) -> Array:
        """The guard's box size per weight (see the module docstring)."""
        return np.full(self.dim, WEIGHT_SPAN)

    def initial_weights(self, init: str = "pytorch", seed: int = 0) -> Array:
        """Seeded initial weights ``(d,)`` (:func:`landscapes.networks.mlp.init_weights`)."""
        return mlp.init_weights(self.layout, init, seed)

    def logits(self, theta: Array, points: Array) -> Array:
        """Logits ``(R, M)`` of networks ``theta`` ``(R, d)`` at ``points`` ``(M, 2)``."""
        theta = np.atleast_2d(np.asarray(theta, dtype=np.float64))
        return mlp.logits(theta, self.layout, self.activation, np.asarray(points, dtype=np.float64))

    def probability(self, theta: Array, points: Array) -> Array:
        """``P(y = 1 | x)`` ``(R, M)``: the decision boundary is where it crosses ½."""
        return mlp.sigmoid(self.logits(theta, points))

    def accuracy(self, theta: Array) -> Array:
        """Fraction of training points classified correctly ``(...)`` for ``theta`` ``(..., d)``."""
        theta = np.asarray(theta, dtype=np.float64)
        flat = theta.reshape(-1, self.dim)
        rows = max(1, CHUNK_ELEMENTS // (self.n_examples * max(self.layout.sizes)))
        correct = mlp.chunked(lambda t: np.mean((self.logits(t, self.x) > 0) == (self.y > 0.5), axis=1),
                              flat, rows)
        return correct.reshape(theta.shape[:-1])


def _build(dataset: str, points: int, noise: float, x_scale: float, data_seed: int, layers: int, width: int,
           activation: str) -> NetworkLandscape:
    x, y = data.make(dataset, points, noise, data_seed)
    x[:, 0] *= x_scale
    lay = mlp.layout((width,) * layers)
    d = lay.dim
    rows = max(1, CHUNK_ELEMENTS // (points * width))

    def as_runs(theta: Array) -> Array:
        theta = np.asarray(theta, dtype=np.float64)
        if theta.ndim != 2 or theta.shape[1] != d:
            raise ValueError(f"Invalid weights: shape {theta.shape}; expected (n, {d})")
        return theta

    # A training step evaluates the loss at the new weights, and the next step the gradient at the same
    # weights: value() keeps that forward pass (for a few networks) and grad() reuses it when it is asked
    # about the very same array with the same contents.  One slot, replaced whole (safe across threads).
    memo: list[tuple[Array, Array, mlp.Forward] | None] = [None]

    def value(theta: Array) -> Array:
        theta = np.asarray(theta, dtype=np.float64)
        flat = theta.reshape(-1, d)
        if flat.shape[0] <= MEMO_ROWS:
            fwd = mlp.forward(flat, lay, activation, x)
            memo[0] = (theta, theta.copy(), fwd)
            return mlp.loss(fwd, y).reshape(theta.shape[:-1])
        loss = mlp.chunked(lambda t: mlp.value(t, lay, activation, x, y), flat, rows)
        return loss.reshape(theta.shape[:-1])

    x32, y32 = x.astype(np.float32), y.astype(np.float32)

    def value_f32(theta: Array) -> Array:
        theta = np.asarray(theta)
        flat = theta.reshape(-1, d).astype(np.float32)
        loss = mlp.chunked(lambda t: mlp.value(t, lay, activation, x32, y32), flat, rows)
        return loss.astype(np.float64).reshape(theta.shape[:-1])

    def grad(theta: Array) -> Array:
        theta = as_runs(theta)
        kept = memo[0]
        if kept is not None and kept[0] is theta and np.array_equal(kept[1], theta):
            return mlp.backward(kept[2], activation, y)
        return mlp.backward(mlp.forward(theta, lay, activation, x), activation, y)

    def grad_batch(theta: Array, idx: Array) -> Array:
        return mlp.value_and_grad(as_runs(theta), lay, activation, x[idx], y[idx])[1]

    def hvp(theta: Array, v: Array) -> Array:
        theta, v = np.broadcast_arrays(as_runs(theta), np.asarray(v, dtype=np.float64))
        return mlp.chunked(lambda tv: mlp.hvp(tv[:, :d], tv[:, d:], lay, activation, x, y),
                           np.concatenate([theta, v], axis=1), rows)

    def hessian(theta: Array) -> Array:
        theta = as_runs(theta)
        n = theta.shape[0]
        h = hvp(np.repeat(theta, d, axis=0), np.tile(np.eye(d), (n, 1))).reshape(n, d, d)
        return 0.5 * (h + h.transpose(0, 2, 1))         # symmetric up to rounding already; make it exact

    shape = " → ".join(map(str, lay.sizes))
    return NetworkLandscape(
        name="network",
        title=f"MLP {shape} ({activation}, {d} weights) on {dataset}",
        description=(
            f"The mean cross-entropy of a {shape} network with {activation} hidden units on {points} points of "
            f"the {dataset} data set, as a function of all {d} weights."
        ),
        layout=lay, activation=activation, x=x, y=y, value=value, value_f32=value_f32, grad=grad,
        grad_batch=grad_batch,
        hvp=hvp, hessian=hessian,
        params={"dataset": dataset, "points": points, "noise": noise, "x_scale": x_scale, "data_seed": data_seed,
                "layers": layers, "width": width, "activation": activation},
    )


def get(**params: object) -> NetworkLandscape:
    """Build the network landscape from validated settings (unknown or out-of-range ones raise ``ValueError``)."""
    v = validate_all(PARAMS, params, "network")                         # each value has its Param's type
    return _build(cast(str, v["dataset"]), cast(int, v["points"]), cast(float, v["noise"]),
                  cast(float, v["x_scale"]), cast(int, v["data_seed"]), cast(int, v["layers"]),
                  cast(int, v["width"]), cast(str, v["activation"]))

