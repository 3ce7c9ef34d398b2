"""What a network race measured, in numbers and in plain words.

The race view draws network mode's runs on a plane through weight space (:mod:`optimizers.planes`).
This module measures what the page states beside it:

- :func:`accuracy_series` and :func:`steps_to_loss`: each run's training accuracy over the steps and the
  first step its training loss reaches a target (:data:`TARGET`, the summary table's setting);
- :func:`captured`: how much of the paths' movement the plane holds, for any plane (a PCA plane's
  ``explained`` fractions split it between its two directions), and :func:`movement_spectrum`: how the
  movement spreads over the paths' principal directions (what a plane of two cannot show);
- :func:`trust`: how far each path leaves the plane and how far the contour under it misstates its
  true loss (:func:`optimizers.planes.fidelity`), summed up as a level and a sentence saying when the
  picture can be trusted and when it cannot;
- :func:`tune_lr`: a learning rate tuned on a grid, every rate trained at once from the same weights, for the
  lowest final loss (the fair race's rule, :attr:`optimizers.studies.Sweep.best`) or the fewest steps to a
  target loss;
- :func:`equivalent_weights`: how many weight vectors compute exactly the same function as one network
  (its hidden units relabelled and, for tanh, their signs flipped).

Nothing here draws; ``viz.network`` turns these numbers into figures and a table.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from landscapes.networks import NetworkLandscape
from optimizers import studies
from optimizers.network import NetworkView, one_blas_thread, valid_points
from optimizers.planes import Plane, fidelity
from optimizers.simulation import simulate_batched
from optimizers.trajectory import Trajectory
from optimizers.validity import percent
from paramspec import Param

Array = np.ndarray

TARGET = Param("target", 0.1, 0.0, 10.0, low_open=True, log=True,
               help="Target training loss: the summary table counts the steps each optimizer takes to reach it.")
REPORT_PARAMS: tuple[Param, ...] = (TARGET,)

# How faithful a picture is, from planes.fidelity's two ratios (the larger decides): up to FAITHFUL the paths and
# the loss under them are within a tenth of the truth; up to ROUGH the shapes can be read but not the numbers.
FAITHFUL = 0.1
ROUGH = 0.35
LEVELS = ("faithful", "approximate", "misleading")
LR_GRID = studies.lr_grid(1e-3, 10.0, 13)      # three rates a decade: the lessons' tuning grid
SPECTRUM = 10                                   # movement_spectrum(): this many principal directions


@one_blas_thread
def accuracy_series(net: NetworkLandscape, trajectory: Trajectory) -> Array:
    """``(steps + 1,)``: the fraction of training points a one-start run classifies correctly after every step."""
    return np.asarray(net.accuracy(trajectory.points[:, 0]), dtype=np.float64)


def steps_to_loss(trajectory: Trajectory, target: float) -> int:
    """First step at which a one-start run's training loss is at most ``target``, before any divergence; -1 if
    none."""
    loss = trajectory.loss[:, 0]
    stop = int(trajectory.diverged_at[0])
    hit = np.flatnonzero(loss[:stop if stop >= 0 else None] <= target)
    return int(hit[0]) if hit.size else -1


@one_blas_thread
def captured(plane: Plane, runs: Mapping[str, Trajectory], names: tuple[str, ...] = ()) -> float:
    """The share of the paths' movement that lies in the plane: ``1 - Σ dist² / Σ ‖θ - o‖²`` over the valid points
    of the runs ``names`` (all runs if empty), ``o`` the plane's origin.  For a PCA plane through the common start
    this is ``plane.explained.sum()``; for another plane the same measure, about that plane's origin."""
    points = np.concatenate([valid_points(runs[name]) for name in (names or tuple(runs))])
    _, distance = plane.project(points)
    spread = float(np.sum((points - plane.origin) ** 2))
    return float(np.clip(1.0 - np.sum(distance ** 2) / spread, 0.0, 1.0)) if spread > 0 else 0.0


@one_blas_thread
def movement_spectrum(runs: Mapping[str, Trajectory], names: tuple[str, ...] = (), k: int = SPECTRUM) -> Array:
    """``(k,)``: the share of the paths' movement ``Σ ‖θ - θ₀‖²`` (``θ₀`` the common start) along each of their
    ``k`` principal directions, largest first: the first two are a PCA plane's ``explained`` fractions, the rest
    what that plane cannot show.  Over the valid points of the runs ``names`` (all runs if empty)."""
    points = np.concatenate([valid_points(runs[name]) for name in (names or tuple(runs))])
    offsets = points - next(iter(runs.values())).points[0, 0]
    spread = np.maximum(np.linalg.eigvalsh(offsets.T @ offsets)[::-1], 0.0)
    total = float(spread.sum())
    shares = spread / total if total > 0 else np.zeros_like(spread)
    return np.pad(shares[:k], (0, max(0, k - shares.size)))


class Trust(NamedTuple):
    """How far a plane's picture of the runs can be trusted (see :func:`trust`)."""

    level: str                  # "faithful", "approximate" or "misleading" (LEVELS)
    captured: float             # share of the paths' movement in the plane (captured())
    off_plane: dict[str, float]  # per run: largest distance from the plane over the largest distance travelled
    loss_gap: dict[str, float]   # per run: largest |plane loss - true loss| over the range of its true loss
    sentence: str               # the page's plain sentence


def _level(ratio: float) -> str:
    return LEVELS[0] if ratio <= FAITHFUL else LEVELS[1] if ratio <= ROUGH else LEVELS[2]


def held_percent(share: float) -> str:
    """A share the plane holds, as the page writes it: whole percent rounded down (never overstated)."""
    return f"{percent(share)}%"


def error_percent(ratio: float) -> str:
    """A fidelity ratio as the page writes it: whole percent rounded up (an error is never understated), ``0%``
    only for none, ``over 100%`` from 100% on."""
    if not ratio < 1.0:
        return "over 100%"
    return f"{max(math.ceil(100 * ratio - 1e-9), 1)}%" if ratio > 0 else "0%"


def _up_to(ratio: float, whole: str) -> str:
    """``up to 23% of {whole}``, or ``more than {whole}`` from 100% on."""
    return f"more than {whole}" if not ratio < 1.0 else f"up to {error_percent(ratio)} of {whole}"


def trust(view: NetworkView, runs: Mapping[str, Trajectory], titles: Mapping[str, str]) -> Trust:
    """The picture's fidelity per run (:func:`~optimizers.planes.fidelity`) and one sentence for the page.

    The level is decided by the worst of both ratios over the runs that did not diverge (``view.fitted``; all
    runs if every one diverged): ``faithful`` up to :data:`FAITHFUL`, ``approximate`` up to :data:`ROUGH`,
    ``misleading`` above.  ``titles`` names each run as the page does.
    """
    names = tuple(view.fitted) or tuple(runs)
    fid = {name: fidelity(view.projections[name], runs[name].points) for name in runs}
    off = {name: float(f.off_plane[0]) for name, f in fid.items()}
    gap = {name: float(f.loss_gap[0]) for name, f in fid.items()}
    share = captured(view.plane, runs, names)
    worst_off = max(names, key=lambda n: off[n])
    worst_gap = max(names, key=lambda n: gap[n])
    level = _level(max(off[worst_off], gap[worst_gap]))
    held = f"The plane holds {held_percent(share)} of the paths' movement"
    if view.plane.kind == "pca" and view.plane.explained is not None:
        first, second = view.plane.explained
        held += (f" ({held_percent(float(first))} along its first direction, {held_percent(float(second))} along "
                 "the second)")
    facts = (f"{held}. The paths leave it by {_up_to(off[worst_off], 'the distance they travel')} "
             f"({titles[worst_off]}), and the contour under a path differs from its true training loss by "
             f"{_up_to(gap[worst_gap], 'the fall of that loss')} ({titles[worst_gap]}).")
    verdict = {
        "faithful": "The picture can be trusted: the paths and the loss drawn under them are within a tenth of "
                    "the truth.",
        "approximate": "Trust the picture's shapes (where each path heads, which goes farther), not its numbers: "
                       "the loss the contour shows under a path is only roughly the loss the network has; the "
                       "charts below give the true one.",
        "misleading": "Do not read the paths off this picture: they move mostly in directions it does not show, "
                      "so the contour under them is not the loss they see. The charts below are the truth.",
    }[level]
    return Trust(level, share, off, gap, f"{facts} {verdict}")


GOALS = ("loss", "speed")


def fastest(sweep: studies.Sweep) -> int | None:
    """Index of the learning rate that reached the target (``sweep.steps_to_tol``) in the fewest steps without
    diverging (ties: the lower final loss, then the smaller rate); ``None`` when none reached it."""
    ok = np.flatnonzero((sweep.steps_to_tol >= 0) & (sweep.diverged_at < 0))
    if not len(ok):
        return None
    return int(ok[np.lexsort((sweep.lrs[ok], sweep.final_loss[ok], sweep.steps_to_tol[ok]))[0]])


@one_blas_thread
def tune_lr(net: NetworkLandscape, optimizer: str, steps: int, lrs: Array = LR_GRID, *, target: float,
            goal: str = "loss", init: str = "pytorch", init_seed: int = 0,
            **hyper: object) -> tuple[float | None, studies.Sweep]:
    """A learning rate of ``lrs`` tuned over ``steps`` full-batch steps from ``net.initial_weights(init, init_seed)``,
    and the sweep (its ``steps_to_tol`` counts the steps to ``loss <= target``).

    ``goal="loss"``: the rate with the lowest final training loss (the fair race's rule,
    :attr:`optimizers.studies.Sweep.best`; ``None`` when every rate diverged).  ``goal="speed"``: the rate that
    reaches ``target`` in the fewest steps (:func:`fastest`), else the lowest final loss.  Every rate runs at once
    (one :func:`~optimizers.simulation.simulate_batched` call, ``lr`` as an array).  Choi et al. (2019), "On empirical
    comparisons of optimizers for deep learning": rank optimizers only once each one's learning rate is tuned.
    """
    if goal not in GOALS:
        raise ValueError(f"Invalid goal: {goal!r} (allowed: goal is one of {', '.join(GOALS)})")
    lrs = np.asarray(lrs, dtype=np.float64)
    start = np.tile(net.initial_weights(init, init_seed), (len(lrs), 1))
    tr = simulate_batched(net, optimizer, start, steps, batch=0, seed=0, diagnostics=False, **{**hyper, "lr": lrs})
    reached = tr.loss <= target
    first = np.where(reached.any(axis=0), reached.argmax(axis=0), -1)
    first = np.where((tr.diverged_at >= 0) & (first >= tr.diverged_at), -1, first)
    sweep = studies.Sweep(optimizer, lrs, tr.loss[-1], float(tr.loss[0, 0]), first, tr.diverged_at, 0.0, target)
    best = fastest(sweep) if goal == "speed" else None
    best = sweep.best if best is None else best
    return (None if best is None else float(lrs[best])), sweep


def equivalent_weights(widths: tuple[int, ...], activation: str) -> int:
    """How many weight vectors compute the same function as a generic network with hidden ``widths``: each layer's
    units relabelled (``width!`` orders) and, for tanh (an odd function), each unit's sign flipped with its
    outgoing weights (``2^width``).  ReLU networks have a continuum besides (a unit's incoming weights times
    ``c > 0``, its outgoing ones over ``c``), not counted.  Chen, Lu & Hecht-Nielsen (1993), "On the geometry of
    feedforward neural network error surfaces"."""
    flips = 2 if activation == "tanh" else 1
    return math.prod(math.factorial(w) * flips ** w for w in widths)
