"""Studies that run one optimizer many times at once: basins of attraction, learning-rate sweeps,
tuned learning rates, and the spread over a cloud of starts or over seeds.

Each analysis is one vectorized :func:`~optimizers.simulate` call (the basins map a few, in chunks),
never a Python loop over starts.  The settings they take are declared here once as
:class:`~paramspec.Param` records named after the arguments they check; the app's state gives each its name in
the share link (``state.share.ANALYSIS``) and draws its widget from it.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from landscapes.base import Landscape
from optimizers import metrics, sampling, theory
from optimizers.registry import resolve
from optimizers.simulation import final, simulate
from optimizers.trajectory import Trajectory
from paramspec import Param

Array = np.ndarray

NOT_CONVERGED = -1   # basin outcome: still away from every listed minimum when the step budget ran out
DIVERGED = -2        # basin outcome: left the far box or became non-finite
CHUNK_BUDGET = 10_000_000  # starts × (steps + 1) per chunk of basins(): ~0.3 s of work, one progress step
QUANTILES = (0.1, 0.5, 0.9)
GAP_FLOOR = 1e-16    # loss gaps below this (times max(1, |f*|)) are rounding noise: they count as equal

RESOLUTION = Param("resolution", 100, 10, 300, kind="int",
                   help="Starts per side of the basins grid (100 means 100 × 100 runs per optimizer).")
SWEEP_MIN = Param("low", 1e-4, 0.0, 10.0, low_open=True, log=True,
                  help="Smallest learning rate of the sweep and of the fair-race tuning grid.")
SWEEP_MAX = Param("high", 10.0, 0.0, 10.0, low_open=True, log=True,
                  help="Largest learning rate of the sweep and of the fair-race tuning grid.")
SWEEP_POINTS = Param("n", 41, 5, 201, kind="int",
                     help="Learning rates in the sweep, evenly spaced on a log scale.")
SPREAD_MODE = Param("mode", "starts", kind="choice", choices=("starts", "seeds"),
                    help="A Gaussian cloud of starts around the start point, or many copies of the start point "
                         "that differ only in their gradient noise.")
CLOUD_SIZE = Param("n", 64, 2, 1000, kind="int", log=True, help="Runs per optimizer in the cloud.")
CLOUD_RADIUS = Param("radius", 0.05, 0.0, 0.5,
                     help="Spread of the cloud of starts: its standard deviation as a fraction of the plot's "
                          "width and height.")


# --- shared helpers ---------------------------------------------------------------------------------

def f_star(landscape: Landscape) -> float | None:
    """Lowest loss among the listed minima, or ``None`` when the surface lists none."""
    return landscape.min_value if len(landscape.minima) else None


def global_minima(landscape: Landscape) -> Array:
    """``(k,)`` bool: which listed minima share the lowest loss (several may, like Himmelblau's four)."""
    if not len(landscape.minima):
        return np.zeros(0, dtype=bool)
    values = landscape.value(landscape.minima)
    return np.isclose(values, values.min(), rtol=1e-9, atol=1e-12)


def global_share(reached: Array, is_global: Array) -> float | None:
    """Fraction of ``reached`` (minimum indices, negative for none) on a global minimum; ``None`` without minima."""
    if not len(is_global):
        return None
    return float(np.mean(np.isin(reached, np.flatnonzero(is_global))))


def lr_grid(low: float, high: float, n: int) -> Array:
    """``n`` learning rates evenly spaced on a log scale from ``low`` to ``high`` (inclusive).

    Each is rounded to three significant digits, so a tuned rate reads as a short number; rates that
    the rounding makes equal (a very narrow range) are kept once.
    """
    low, high, n = SWEEP_MIN.validate(low), SWEEP_MAX.validate(high), SWEEP_POINTS.validate(n)
    if not low < high:
        raise ValueError(f"Invalid sweep range: {SWEEP_MIN.name} ({low:g}) must be smaller than {SWEEP_MAX.name} "
                         f"({high:g})")
    return np.unique([float(f"{lr:.3g}") for lr in np.geomspace(low, high, n)])


# --- basins of attraction ---------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class BasinMap:
    """Where each start of a grid ends up.  ``outcome[i, j]`` belongs to the start ``(x[j], y[i])``.

    ``outcome`` holds an index into ``minima``, :data:`NOT_CONVERGED` or :data:`DIVERGED`.
    """

    optimizer: str
    x: Array                 # (r,) cell centres
    y: Array                 # (r,)
    outcome: Array           # (r, r) int
    finals: Array            # (r, r, 2) final points (a diverged run keeps its last finite point)
    final_loss: Array        # (r, r)
    diverged_at: Array       # (r, r) int, -1 if never
    minima: Array            # (k, 2) the surface's listed minima
    is_global: Array         # (k,) bool, minima with the lowest loss

    def share(self, outcome: int) -> float:
        """Fraction of starts with this outcome."""
        return float(np.mean(self.outcome == outcome))

    @property
    def global_share(self) -> float | None:
        """Fraction of starts that reach a global minimum; ``None`` when the surface lists no minima."""
        return global_share(self.outcome, self.is_global)


def basin_starts(landscape: Landscape, resolution: int) -> tuple[Array, Array, Array]:
    """Cell centres of a ``resolution``² grid tiling the bounds: ``x (r,)``, ``y (r,)``, starts ``(r*r, 2)``.

    Row-major: start ``i * r + j`` is ``(x[j], y[i])``.
    """
    r = RESOLUTION.validate(resolution)
    (x0, x1), (y0, y1) = landscape.bounds
    x = x0 + (np.arange(r) + 0.5) * (x1 - x0) / r
    y = y0 + (np.arange(r) + 0.5) * (y1 - y0) / r
    return x, y, np.stack(np.meshgrid(x, y), axis=-1).reshape(-1, 2)


def chunk_size(steps: int) -> int:
    """Starts per run in :func:`basins`: :data:`CHUNK_BUDGET` start-steps (19,960 starts at 500 steps).

    Large enough that the per-step cost of a NumPy call is shared by many starts, small enough that the
    page's progress bar moves (and a setting change cancels) every fraction of a second.
    """
    return max(1, CHUNK_BUDGET // (steps + 1))


def basin_chunks(resolution: int, steps: int, chunk: int | None = None) -> int:
    """How many chunks :func:`basins` runs for a ``resolution``² grid."""
    r = RESOLUTION.validate(resolution)
    return -(-r * r // (chunk or chunk_size(steps)))


@dataclass(frozen=True, eq=False)
class BasinPart:
    """Outcomes of one chunk of a basins grid (starts ``k * chunk`` onwards, row-major)."""

    outcome: Array           # (m,) int
    finals: Array            # (m, 2)
    final_loss: Array        # (m,)
    diverged_at: Array       # (m,) int


def basin_part(landscape: Landscape, optimizer: str, steps: int, k: int, *, resolution: int = RESOLUTION.default,
               seed: int = 0, chunk: int | None = None, **hyperparams: object) -> BasinPart:
    """Chunk ``k`` of :func:`basins`: its starts run at once, only their ends kept
    (:func:`~optimizers.simulation.final`).

    Its noise comes from the seed ``SeedSequence([seed, k])``, so stochastic runs in different chunks are
    independent.
    """
    chunk = chunk or chunk_size(steps)
    starts = basin_starts(landscape, resolution)[2][k * chunk:(k + 1) * chunk]
    chunk_seed = int(np.random.SeedSequence([seed, k]).generate_state(1)[0])
    end = final(landscape, optimizer, starts, steps, seed=chunk_seed, **hyperparams)
    reached = metrics.reached_from(landscape, end.point, end.diverged_at)
    outcome = np.where(end.diverged_at >= 0, DIVERGED, np.where(reached >= 0, reached, NOT_CONVERGED))
    return BasinPart(outcome=outcome, finals=end.point, final_loss=end.loss, diverged_at=end.diverged_at)


def assemble_basins(landscape: Landscape, optimizer: str, resolution: int, parts: list[BasinPart]) -> BasinMap:
    """The :class:`BasinMap` made of every chunk of a grid, in order."""
    x, y, _ = basin_starts(landscape, resolution)
    r = len(x)
    return BasinMap(optimizer=resolve(optimizer).name, x=x, y=y,
                    outcome=np.concatenate([p.outcome for p in parts]).reshape(r, r),
                    finals=np.concatenate([p.finals for p in parts]).reshape(r, r, 2),
                    final_loss=np.concatenate([p.final_loss for p in parts]).reshape(r, r),
                    diverged_at=np.concatenate([p.diverged_at for p in parts]).reshape(r, r),
                    minima=landscape.minima, is_global=global_minima(landscape))


def basins(landscape: Landscape, optimizer: str, steps: int, *, resolution: int = RESOLUTION.default,
           seed: int = 0, chunk: int | None = None, progress: Callable[[int, int], None] | None = None,
           **hyperparams: object) -> BasinMap:
    """Run ``optimizer`` from every start of a ``resolution``² grid and classify where each one ends
    (its basin of attraction, in the language of dynamical systems).

    Starts run ``chunk`` (default :func:`chunk_size`) at a time (:func:`basin_part`) and only their ends
    are kept, so a 300 × 300 map needs the memory of one chunk's current points, not of its paths.
    ``progress(done, total)`` is called after every chunk.  The outcome of a start is the listed minimum
    it sits on at the end (:func:`optimizers.metrics.reached_from`), :data:`DIVERGED`, or
    :data:`NOT_CONVERGED`.
    """
    total = basin_chunks(resolution, steps, chunk)
    parts = []
    for k in range(total):
        parts.append(basin_part(landscape, optimizer, steps, k, resolution=resolution, seed=seed, chunk=chunk,
                                **hyperparams))
        if progress is not None:
            progress(k + 1, total)
    return assemble_basins(landscape, optimizer, resolution, parts)


# --- learning-rate sweep and tuning -----------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Sweep:
    """Final loss and speed of one optimizer against its learning rate (ascending ``lrs``).

    A learning rate is *stable* when its run did not diverge and ended below its starting loss.
    """

    optimizer: str
    lrs: Array               # (m,) ascending
    final_loss: Array        # (m,)
    start_loss: float
    steps_to_tol: Array      # (m,) first step within tol of f_star, -1 if never (always -1 without f_star)
    diverged_at: Array       # (m,) -1 if never
    f_star: float | None
    tol: float

    @property
    def stable(self) -> Array:
        """``(m,)`` bool: no divergence and a final loss below the starting loss."""
        return (self.diverged_at < 0) & (self.final_loss < self.start_loss)

    @property
    def n_converged(self) -> int:
        """The robustness count: how many of the learning rates reached ``tol`` of ``f_star`` without diverging."""
        return int(np.sum((self.steps_to_tol >= 0) & (self.diverged_at < 0)))

    @property
    def lr_is_multiplier(self) -> bool:
        """True for learning-rate-free methods, whose ``lr`` multiplies a step size they estimate themselves."""
        return resolve(self.optimizer).maths.lr_is_multiplier

    @property
    def diverge_lr(self) -> float | None:
        """The smallest learning rate whose run diverged, or ``None``."""
        bad = self.diverged_at >= 0
        return float(self.lrs[bad.argmax()]) if bad.any() else None

    @property
    def stable_range(self) -> tuple[float, float] | None:
        """Smallest and largest learning rate of the longest unbroken run of stable ones, or ``None``."""
        stable = np.concatenate([[False], self.stable, [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(stable))
        if not len(edges):
            return None
        begins, ends = edges[::2], edges[1::2]          # half-open runs [begin, end)
        k = int(np.argmax(ends - begins))
        return float(self.lrs[begins[k]]), float(self.lrs[ends[k] - 1])

    @property
    def best(self) -> int | None:
        """Index of the learning rate with the lowest final loss, or ``None`` when every run diverged.

        Loss gaps to ``f_star`` below :data:`GAP_FLOOR` (rounding noise) count as equal; ties go to the run
        that reached ``tol`` in the fewest steps, then to the smaller learning rate.
        """
        ok = np.flatnonzero(self.diverged_at < 0)
        if not len(ok):
            return None
        if self.f_star is None:
            primary = self.final_loss[ok]
        else:
            primary = np.maximum(self.final_loss[ok] - self.f_star, GAP_FLOOR * max(1.0, abs(self.f_star)))
        speed = np.where(self.steps_to_tol[ok] >= 0, self.steps_to_tol[ok], np.iinfo(np.int64).max)
        return int(ok[np.lexsort((self.lrs[ok], speed, primary))[0]])


def lr_sweep(landscape: Landscape, optimizer: str, start: object, steps: int, lrs: Array, *, seed: int = 0,
             tol: float = 1e-6, **hyperparams: object) -> Sweep:
    """Run ``optimizer`` from ``start`` once per learning rate, all in one vectorized call.

    The start is copied once per learning rate and ``lr`` passed as an array; stochastic optimizers
    draw independent noise for each copy.  ``hyperparams`` may include ``lr``, which is replaced.
    The idea is the learning-rate range test of Smith (2017), "Cyclical learning rates for training
    neural networks", with a separate run per rate instead of one run with a growing rate.
    """
    lrs = np.sort(np.asarray(lrs, dtype=np.float64).ravel())
    point = np.asarray(start, dtype=np.float64).reshape(2)
    settings = {k: v for k, v in hyperparams.items() if k != "lr"}
    traj = simulate(landscape, optimizer, np.tile(point, (len(lrs), 1)), steps, seed=seed, diagnostics=False,
                    lr=lrs, **settings)
    best = f_star(landscape)
    reached = (metrics.steps_to_tolerance(traj, best, tol) if best is not None
               else np.full(len(lrs), -1))
    return Sweep(optimizer=traj.optimizer, lrs=lrs, final_loss=traj.loss[-1], start_loss=float(traj.loss[0, 0]),
                 steps_to_tol=reached, diverged_at=traj.diverged_at, f_star=best, tol=float(tol))


def tune_lr(landscape: Landscape, optimizer: str, start: object, steps: int, lrs: Array, *, seed: int = 0,
            tol: float = 1e-6, **hyperparams: object) -> tuple[float | None, Sweep]:
    """The learning rate of ``lrs`` with the best final loss (see :attr:`Sweep.best`), and the sweep.

    The learning rate is ``None`` when every one diverged.  Comparing optimizers only after tuning each
    one's learning rate is what Choi et al. (2019), "On empirical comparisons of optimizers for deep
    learning", show to be necessary for a fair ranking.
    """
    sweep = lr_sweep(landscape, optimizer, start, steps, lrs, seed=seed, tol=tol, **hyperparams)
    return (None if sweep.best is None else float(sweep.lrs[sweep.best])), sweep


# --- the heavy ball's measured rate over a grid of settings ------------------------------------------------

def rate_map(landscape: Landscape, lrs: Array, momenta: Array, steps: int, start: Array | None = None) -> Array:
    """Measured heavy-ball rate (:func:`optimizers.theory.measured_rates`) for every pair of ``momenta × lrs``:
    shape ``(len(momenta), len(lrs))``.

    One vectorized ``simulate()`` call: every grid cell is one start (all at the same point) with its
    own ``lr`` and ``momentum``.  Diverged cells are ``inf``.
    """
    lr_grid, mom_grid = np.meshgrid(np.asarray(lrs, dtype=np.float64), np.asarray(momenta, dtype=np.float64))
    point = landscape.start if start is None else np.asarray(start, dtype=np.float64)
    starts = np.broadcast_to(point, (lr_grid.size, 2))
    traj = simulate(landscape, "momentum", starts, steps, diagnostics=False,
                    lr=lr_grid.ravel(), momentum=mom_grid.ravel())
    return theory.measured_rates(traj, landscape.minima[0]).reshape(lr_grid.shape)



# --- many starts or many seeds ----------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Spread:
    """Many runs of one optimizer: where they start and end, and quantiles of their loss per step."""

    optimizer: str
    starts: Array            # (n, 2)
    finals: Array            # (n, 2) last finite points
    diverged_at: Array       # (n,)
    reached: Array           # (n,) index of the minimum reached, -1 if none
    is_global: Array         # (k,) bool, minima with the lowest loss
    loss_quantiles: Array    # (3, steps + 1): the QUANTILES (10 %, median, 90 %) of the loss at each step
    stochastic: bool         # True when the runs drew gradient noise or sampled examples

    @property
    def global_share(self) -> float | None:
        """Fraction of runs that end on a global minimum; ``None`` when the surface lists no minima."""
        return global_share(self.reached, self.is_global)


def cloud_starts(landscape: Landscape, start: object, n: int, radius: float, seed: int = 0) -> Array:
    """``(n, 2)``: Gaussian starts around ``start`` with standard deviation ``radius`` times the bounds'
    width and height, clipped to the bounds."""
    n, radius = CLOUD_SIZE.validate(n), CLOUD_RADIUS.validate(radius)
    point = np.asarray(start, dtype=np.float64).reshape(2)
    draws = np.random.default_rng(seed).standard_normal((n, 2))
    (x0, x1), (y0, y1) = landscape.bounds
    return np.clip(point + radius * landscape.span * draws, [x0, y0], [x1, y1])


def is_stochastic(landscape: Landscape, optimizer: str, hyperparams: Mapping[str, object]) -> bool:
    """Whether the optimizer's gradients are random here: it samples examples of a dataset surface,
    or adds non-zero noise on an analytic one."""
    return sampling.stochastic(resolve(optimizer).maths.sampling, hyperparams, landscape.n_examples)


def spread(landscape: Landscape, optimizer: str, start: object, steps: int, *, mode: str = SPREAD_MODE.default,
           n: int = CLOUD_SIZE.default, radius: float = CLOUD_RADIUS.default, seed: int = 0,
           **hyperparams: object) -> Spread:
    """Run ``n`` copies of ``optimizer`` at once and summarize them.

    ``mode="starts"``: a Gaussian cloud of starts around ``start`` (:func:`cloud_starts`).
    ``mode="seeds"``: ``n`` copies of ``start``; stochastic optimizers draw independent noise per copy, so
    the copies differ as runs with different seeds would.
    """
    mode = SPREAD_MODE.validate(mode)
    if mode == "starts":
        starts = cloud_starts(landscape, start, n, radius, seed)
    else:
        starts = np.tile(np.asarray(start, dtype=np.float64).reshape(2), (CLOUD_SIZE.validate(n), 1))
    traj: Trajectory = simulate(landscape, optimizer, starts, steps, seed=seed, diagnostics=False, **hyperparams)
    return Spread(optimizer=traj.optimizer, starts=starts, finals=traj.points[-1], diverged_at=traj.diverged_at,
                  reached=metrics.reached_minimum(landscape, traj), is_global=global_minima(landscape),
                  loss_quantiles=np.quantile(traj.loss, QUANTILES, axis=1),
                  stochastic=is_stochastic(landscape, optimizer, traj.hyperparams))
