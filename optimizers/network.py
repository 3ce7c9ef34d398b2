"""Network mode's compute core: several optimizers train one MLP, seen on a plane through its weights.

The page builds on four calls:

1. ``net = landscapes.networks.get(dataset="moons", width=8, ...)``: the data and the model.
2. ``runs = train(net, {"gd": {...}, "adam": {...}}, steps, batch_size=..., init_seed=...)``: one
   :class:`~optimizers.trajectory.Trajectory` per optimizer (``points`` ``(steps + 1, 1, d)``: the weights
   after every step; ``loss`` the full-data training loss; ``diverged_at``).  Every optimizer starts from
   the same initial weights and sees the same sequence of mini-batches; a diverging run is marked and
   frozen as on a surface, so no array holds NaN or inf.
3. ``plane = choose_plane(net, runs, kind)``: the PCA plane of all runs together (the default), a
   filter-normalised random plane, or the Hessian's extreme eigenvectors (see :mod:`optimizers.planes`).
4. ``view = on_plane(net, plane, runs)``: each run's :class:`~optimizers.planes.Projection` (plane
   coordinates, distance from the plane, plane loss beside the true loss) and the :class:`~optimizers.planes.Grid`
   of the loss over a range that holds the paths; ``planes.fidelity(view.projections[name], runs[name].points)``
   sums up how faithful each path's picture is (with ``plane.explained`` for a PCA plane).

:func:`race` does 2 to 4 in one call.  :func:`offered` says which optimizers a network of ``d``
weights can run and why the others are not offered; :func:`suggested` gives settings that train the
default network visibly within a few hundred steps (each entry's own defaults follow PyTorch, which
are tuned for far larger networks).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple, cast

import numpy as np
from threadpoolctl import threadpool_limits

from landscapes.networks import INITS, NetworkLandscape
from optimizers import planes
from optimizers.planes import Grid, Plane, Projection
from optimizers.registry import OPTIMIZERS
from optimizers.registry import suggested as resolve_suggested
from optimizers.sampling import SEED, Sampling
from optimizers.simulation import simulate_batched
from optimizers.trajectory import Trajectory, last_point
from paramspec import Param, validate_all

Array = np.ndarray

# Network mode multiplies and factorises many small matrices (a layer of 16 units, a 33 × 33 Hessian), where
# BLAS's worker threads only wait on each other: on this project's busy 2-core machine one 33 × 33 eigh took
# 65 ms on OpenBLAS's threads and 0.9 ms on one.  train(), choose_plane() and on_plane() run with BLAS on one
# thread (threadpoolctl restores the setting on return; other threads of the process are not affected).
one_blas_thread = threadpool_limits.wrap(limits=1, user_api="blas")

RESOLUTION = Param("resolution", 80, 20, 200, kind="int", help="Grid points along each axis of the contour.")
PLANE_CENTRES = ("end", "start")     # choose_plane's centre for a random or Hessian plane: a run's end, the start

TRAIN_PARAMS: tuple[Param, ...] = (
    Param("batch_size", 0, 0, 500, kind="int",
          help="Examples per step, the same for every optimizer; 0 = the full data set (full-batch training)."),
    Param("init", "pytorch", kind="choice", choices=INITS,
          help="How the initial weights are drawn: PyTorch's nn.Linear default, Glorot (for tanh) or He (for ReLU)."),
    Param("init_seed", 0, 0, 2**31 - 1, kind="int", help="Seed of the initial weights, shared by every optimizer."),
    SEED,            # the mini-batch order, shared by every optimizer, and a random plane's directions
    Param("plane", "pca", kind="choice", choices=planes.PLANES,
          help="The plane the race is drawn on: the principal directions of all paths, two filter-normalised "
               "random directions, or the Hessian's extreme eigenvectors."),
    Param("plane_at", "end", kind="choice", choices=PLANE_CENTRES,
          help="Where a random or Hessian plane passes through: the final weights of the first run that did not "
               "diverge (where Li et al. centre their pictures), or the common initial weights. A PCA plane always "
               "passes through the initial weights."),
    RESOLUTION,
)

# Settings that train the default network (moons, 2 → 8 → 1, tanh, full batch) visibly in 300 steps.
# Keys are optimizers or families (as a surface's Suggested table); values override the entry's defaults.
SUGGESTED: dict[str, dict[str, float]] = {
    "gd": {"lr": 0.5}, "momentum": {"lr": 0.1, "momentum": 0.9}, "adagrad": {"lr": 0.1},
    "rmsprop": {"lr": 0.01}, "adadelta": {"lr": 1.0}, "adam": {"lr": 0.02}, "lion": {"lr": 0.002},
    "newton": {"lr": 1.0, "fallback_lr": 0.5}, "bfgs": {"lr": 1.0}, "adagrad_full": {"lr": 0.1},
    "sam": {"lr": 0.5, "radius": 0.05}, "sf_sgd": {"lr": 1.0}, "sf_adamw": {"lr": 0.02},
    "prodigy": {"lr": 1.0}, "muon": {"lr": 0.02, "adamw_lr": 0.02},
}


class NetworkView(NamedTuple):
    """Everything the race draws for one plane."""

    plane: Plane
    projections: dict[str, Projection]      # per optimizer, in the order of the runs
    grid: Grid
    fitted: tuple[str, ...]                 # the runs that did not diverge: the PCA's points, the grid's frame


def offered(dim: int) -> dict[str, str | None]:
    """Every optimizer with ``None`` if network mode offers it for ``d = dim`` weights, else why not.

    ``sgd`` and ``minibatch`` differ from ``gd`` only in how they sample, and network mode samples every
    optimizer alike (the shared ``batch_size``); the rules that keep a ``d × d`` matrix stop at their
    ``max_dim`` (:meth:`~optimizers.spec.Optimizer.too_large`).
    """
    reasons: dict[str, str | None] = {}
    for name, opt in OPTIMIZERS.items():
        if opt.maths.sampling is not Sampling.FULL:
            reasons[name] = (f"{opt.title} is gradient descent with its own sampling; here every optimizer "
                             "samples the same mini-batches (the batch size setting), so it is gradient descent.")
        else:
            reasons[name] = opt.too_large(dim)
    return reasons


def suggested(name: str) -> dict[str, float]:
    """Network mode's starting settings for optimizer ``name``: its family's, overridden by its own key."""
    return resolve_suggested(SUGGESTED, name)


@one_blas_thread
def train(net: NetworkLandscape, runs: Mapping[str, Mapping[str, object]], steps: int, *, batch_size: int = 0,
          seed: int = 0, init: str = "pytorch", init_seed: int = 0,
          diagnostics: bool = False) -> dict[str, Trajectory]:
    """Train ``net`` with every optimizer in ``runs`` (name → hyperparameters) for ``steps`` steps.

    All start from ``net.initial_weights(init, init_seed)``; each step's gradient comes from ``batch_size``
    examples (0: all of them) in an order drawn from ``seed``, the same for every optimizer
    (:func:`~optimizers.simulation.simulate_batched`).  ``diagnostics`` records the per-step gradients and
    moments (``(steps, 1, d)`` each; off by default: the race does not draw them).  Bad settings raise
    ``ValueError`` naming the setting, as :func:`~optimizers.simulation.simulate` does.
    """
    if init not in INITS:
        raise ValueError(f"Invalid init: {init!r} (allowed: init is one of {', '.join(INITS)})")
    start = net.initial_weights(init, init_seed)
    return {name: simulate_batched(net, name, start, steps, batch=batch_size, seed=seed, diagnostics=diagnostics,
                                   **hp)
            for name, hp in runs.items()}


def valid_points(trajectory: Trajectory) -> Array:
    """``(k, d)``: the points of a one-start run up to its last valid one (a diverged run's frozen copies
    left out, so they do not weigh on a fit)."""
    return trajectory.points[:last_point(int(trajectory.diverged_at[0]), trajectory.steps) + 1, 0]


@one_blas_thread
def choose_plane(net: NetworkLandscape, runs: Mapping[str, Trajectory], kind: str = "pca", *, at: str = "end",
                 center: Array | None = None, seed: int = 0) -> tuple[Plane, tuple[str, ...]]:
    """The plane of ``kind`` for these runs, and the runs that did not diverge (all if every one did).

    ``pca``: through the common start (every path begins on the plane), fitted to the valid points of
    the runs that did not diverge (all runs if every one did), so one run escaping to huge weights does
    not flatten the others into a dot.  ``random`` and
    ``hessian``: through ``center`` if given, else as ``at`` says (:data:`PLANE_CENTRES`): ``"end"``, the final
    weights of the first run that did not diverge (where Li et al. centre their pictures), or ``"start"``, the
    common initial weights; directions drawn from ``seed``.
    """
    if kind not in planes.PLANES:
        raise ValueError(f"Invalid plane: {kind!r} (allowed: plane is one of {', '.join(planes.PLANES)})")
    if at not in PLANE_CENTRES:
        raise ValueError(f"Invalid plane_at: {at!r} (allowed: plane_at is one of {', '.join(PLANE_CENTRES)})")
    healthy = tuple(name for name, tr in runs.items() if tr.diverged_at[0] < 0) or tuple(runs)
    start = next(iter(runs.values())).points[0, 0]
    if kind == "pca":
        return planes.pca_plane(np.concatenate([valid_points(runs[name]) for name in healthy]), start), healthy
    if center is None:
        center = start if at == "start" else valid_points(runs[healthy[0]])[-1]
    origin = np.asarray(center, dtype=np.float64)
    if kind == "random":
        return planes.random_plane(net, origin, seed), healthy
    return planes.hessian_plane(net, origin, seed), healthy


@one_blas_thread
def on_plane(net: NetworkLandscape, plane: Plane, runs: Mapping[str, Trajectory], resolution: int = 80,
             fitted: tuple[str, ...] = ()) -> NetworkView:
    """Every run projected on ``plane`` and the loss grid over a range that holds the paths (the paths of
    ``fitted`` runs, if given, so a diverged run far away does not shrink the others)."""
    projections = {name: planes.project(net, plane, tr.points, tr.loss) for name, tr in runs.items()}
    framed = [projections[name] for name in fitted] or list(projections.values())
    alpha_range, beta_range = planes.extent(plane, framed)
    return NetworkView(plane, projections, planes.loss_grid(net, plane, alpha_range, beta_range, resolution), fitted)


def race(net: NetworkLandscape, runs: Mapping[str, Mapping[str, object]], steps: int,
         **settings: object) -> tuple[dict[str, Trajectory], NetworkView]:
    """Train (:func:`train`), choose the plane (:func:`choose_plane`) and draw on it (:func:`on_plane`).

    ``settings`` are :data:`TRAIN_PARAMS` (validated; unknown or out-of-range ones raise ``ValueError``).
    """
    s = validate_all(TRAIN_PARAMS, settings, "network training")       # each value has its Param's type
    seed = cast(int, s["seed"])
    trajectories = train(net, runs, steps, batch_size=cast(int, s["batch_size"]), seed=seed,
                         init=cast(str, s["init"]), init_seed=cast(int, s["init_seed"]))
    plane, fitted = choose_plane(net, trajectories, cast(str, s["plane"]), at=cast(str, s["plane_at"]), seed=seed)
    return trajectories, on_plane(net, plane, trajectories, cast(int, s["resolution"]), fitted)
