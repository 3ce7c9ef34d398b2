"""Run an optimizer from many starts at once and record everything the app shows.

``simulate()`` loops over steps only: every array operation covers all starts.
Runs are bit-reproducible for the same inputs and seed.  A start whose point
becomes non-finite, leaves the far box (ten widths of the bounds around them)
or whose loss becomes non-finite is marked in ``diverged_at`` and frozen at its
last good point, so every returned array is finite.  ``replay()`` walks the same
loop step by step and hands out each step's inputs and rule state (the app's
step inspector), so what it shows is exactly what ``simulate()`` computed.

The same loop runs in any dimension ``d``: on a 2-D surface (:class:`~landscapes.base.Landscape`) points
are ``(n, 2)``; on a network (:class:`~landscapes.networks.NetworkLandscape`) they are weight vectors
``(n, d)``, the far box is the network's weight box, and the rules see its layout
(``rules.Context.layout``).  :func:`optimizers.network.train` races several optimizers on one network
through :func:`simulate_batched`, this loop with a mini-batch size shared by every optimizer.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from landscapes.base import Landscape
from landscapes.networks import NetworkLandscape
from optimizers import rules, sampling
from optimizers.registry import resolve
from optimizers.schedules import lr_factor, warmed
from optimizers.spec import Optimizer
from optimizers.trajectory import Final, StepRecord, Trajectory, valid
from paramspec import validate_all

Array = np.ndarray
_min, _max = np.minimum.reduce, np.maximum.reduce
FAR = 10.0           # a point farther than FAR bound-widths outside the bounds has diverged
FEW = 4              # up to this many starts the divergence test runs on Python floats: no array call per step
MAX_STEPS = 20_000
DIAGNOSTIC_BUDGET = 250_000  # by default, diagnostics are recorded for runs of at most this many starts × steps
Surface = Landscape | NetworkLandscape   # anything simulate() runs on: value, grad, hessian, center, span, ...


class _GradientOracle:
    """Yields each step's gradient function: full, one example, or a mini-batch.

    Dataset surfaces draw examples without replacement from a per-start permutation that is
    reshuffled at every epoch (the last batch of an epoch may be smaller, like a DataLoader with
    ``drop_last=False``).  Analytic surfaces add Gaussian noise of scale ``noise / sqrt(batch)``.
    A batch that covers the whole dataset uses the exact full gradient, so it reproduces ``gd``.
    ``batch`` (network mode's shared setting) overrides the entry's sampling: 0 is the full gradient.
    """

    def __init__(self, landscape: Surface, opt: Optimizer, hp: dict[str, Any], n: int, rng: np.random.Generator,
                 batch: int | None = None):
        self.landscape, self.n, self.rng = landscape, n, rng
        self.batch = sampling.batch_of(opt.maths.sampling, hp) if batch is None else batch
        self.noise = sampling.noise_of(hp)
        self.dataset = landscape.n_examples
        if self.batch and self.dataset and self.batch < self.dataset:
            self.order = np.tile(np.arange(self.dataset), (n, 1))
            self.pos = self.dataset  # forces a shuffle before the first batch

    def next(self) -> Callable[[Array], Array]:
        ls = self.landscape
        if not self.batch or (self.dataset and self.batch >= self.dataset):
            return ls.grad
        if self.dataset:
            if self.pos >= self.dataset:
                self.order = self.rng.permuted(self.order, axis=1)
                self.pos = 0
            idx = self.order[:, self.pos:self.pos + self.batch]
            self.pos += self.batch
            grad_batch = ls.grad_batch
            assert grad_batch is not None                 # a surface with examples samples them
            return lambda p: grad_batch(p, idx)
        if np.all(self.noise == 0):
            return ls.grad
        kick = self.rng.standard_normal((self.n, 2)) * (np.asarray(self.noise) / np.sqrt(self.batch))
        kick = np.asfortranarray(kick)           # the same draws, stored coordinate-major like the points
        return lambda p: ls.grad(p) + kick


def _validate_start(start: object, dim: int) -> Array:
    arr = np.asarray(start, dtype=np.float64) if not isinstance(start, str) else None
    if arr is None or arr.ndim not in (1, 2) or arr.shape[-1] != dim or arr.size == 0:
        shape = getattr(arr, "shape", type(start).__name__)
        raise ValueError(f"Invalid start: shape {shape}; expected ({dim},) or (n, {dim}) with n >= 1")
    if not np.all(np.isfinite(arr)):
        raise ValueError("Invalid start: every coordinate must be a finite number")
    return arr.reshape(-1, dim)


def _prepare(landscape: Surface, optimizer: str | Optimizer, start: object, steps: int, seed: int,
             hyperparams: dict[str, object]) -> tuple[Optimizer, Array, dict]:
    """Validate the inputs of a run; per-start hyperparameter arrays become ``(n, 1)`` columns."""
    if not isinstance(landscape, Landscape | NetworkLandscape):
        raise ValueError(f"Invalid landscape: expected a Landscape, got {type(landscape).__name__}")
    opt = resolve(optimizer)
    too_large = opt.too_large(landscape.dim)
    if too_large:
        raise ValueError(too_large)
    theta = _validate_start(start, landscape.dim)
    n = theta.shape[0]
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"Invalid steps: {steps!r} (allowed: 0 <= steps <= {MAX_STEPS}, an integer)")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"Invalid seed: {seed!r} (allowed: 0 <= seed < 2**32, an integer)")
    hp = validate_all(opt.params_for(landscape.layout is not None), hyperparams, f"optimizer {opt.name!r}")
    for name, value in hp.items():
        if isinstance(value, np.ndarray):
            if value.shape[0] not in (1, n):
                raise ValueError(f"Invalid {name}: {value.shape[0]} values given for {n} starts")
            hp[name] = value.reshape(-1, 1)
    return opt, theta, hp


class _Guard:
    """The divergence test: a start is healthy while its loss is finite and its point lies in the far box.

    The far box is ``|p - center| <= (0.5 + FAR) * span`` per coordinate (NaN compares False, so a
    non-finite point fails).  :meth:`all_healthy` first asks a cheap question of the whole batch: are
    the smallest and largest loss finite, and the coordinate-wise extremes inside a box shrunk by a
    rounding margin?  Six reductions made of comparisons only (a sum would be slow on the subnormal
    losses near a minimum at zero).  Only when that fails does :meth:`healthy` test every start, so
    the answer is exactly the per-start test's.  On a 2-D surface the two coordinates are tested one
    by one (they are contiguous there); above ``d = 2`` the same tests run along the weight axis.
    """

    def __init__(self, landscape: Surface):
        center, half = landscape.center, (0.5 + FAR) * landscape.span
        self.planar = center.shape[0] == 2
        self.center_array, self.half_array = center, half
        self.center, self.half = center.tolist(), half.tolist()
        margin = 1e-6 * (np.abs(center) + half)           # far above the rounding of |p - center|
        self.inner_lo_array, self.inner_hi_array = center - half + margin, center + half - margin
        self.inner_lo = self.inner_lo_array.tolist()
        self.inner_hi = self.inner_hi_array.tolist()

    def healthy(self, p: Array, value: Array) -> Array:
        """``(n,)`` bool: finite loss and inside the far box, start by start."""
        ok = np.isfinite(value)
        if not self.planar:
            return ok & np.all(np.abs(p - self.center_array) <= self.half_array, axis=1)
        for k in (0, 1):
            ok &= np.abs(p[:, k] - self.center[k]) <= self.half[k]
        return ok

    def all_healthy(self, p: Array, value: Array) -> bool:
        """True only if every start is healthy; False when some may not be (then ask :meth:`healthy`)."""
        if not self.planar:
            return bool(np.isfinite(_min(value)) and np.isfinite(_max(value))
                        and np.all(self.inner_lo_array <= _min(p, axis=0))
                        and np.all(_max(p, axis=0) <= self.inner_hi_array))
        if value.shape[0] <= FEW:            # the per-start test itself, on Python floats (same IEEE arithmetic)
            (cx, cy), (hx, hy) = self.center, self.half
            return all(math.isfinite(v) and abs(x - cx) <= hx and abs(y - cy) <= hy
                       for x, y, v in zip(p[:, 0].tolist(), p[:, 1].tolist(), value.tolist(), strict=True))
        if not (np.isfinite(_min(value)) and np.isfinite(_max(value))):   # NaN propagates through both
            return False
        return all(self.inner_lo[k] <= _min(p[:, k]) and _max(p[:, k]) <= self.inner_hi[k] for k in (0, 1))


def _initial(landscape: Surface, theta: Array) -> tuple[Array, Array]:
    """Loss at the starts (non-finite ones outside the box become the largest float) and which starts are alive."""
    with np.errstate(all="ignore"):
        loss = landscape.value(theta)
    alive = _Guard(landscape).healthy(theta, loss)
    return np.where(alive | np.isfinite(loss), loss, np.finfo(np.float64).max), alive


def _run(landscape: Surface, opt: Optimizer, theta: Array, steps: int, seed: int, hp: dict,
         loss: Array, alive: Array, batch: int | None = None) -> Iterator[StepRecord]:
    """The loop shared by :func:`simulate`, :func:`replay`, :func:`final` and :func:`simulate_batched`: one
    :class:`~optimizers.trajectory.StepRecord` per step.

    ``loss`` and ``alive`` describe the starts, as :func:`_initial` computes them; ``batch`` overrides the
    entry's sampling (:class:`_GradientOracle`).  On a surface points are kept coordinate-major
    (``theta[:, 0]`` and ``theta[:, 1]`` are contiguous), which makes the surfaces' arithmetic on ``x``
    and ``y`` and per-start hyperparameter columns run at full speed; the values are the same in any
    layout.  A network's weight vectors stay row-major, so each run's matrices are views.
    """
    oracle = _GradientOracle(landscape, opt, hp, theta.shape[0], np.random.default_rng(seed), batch)
    guard = _Guard(landscape)
    if guard.planar:
        theta = np.asfortranarray(theta)
    maths = opt.maths
    update, warmup = maths.update, maths.warmup
    state = maths.init(theta)
    layout = landscape.layout
    scheduled = hp["schedule"] != "constant" or hp.get("warmup_steps", 0)
    none_diverged = np.zeros_like(alive)
    none_diverged.flags.writeable = False
    all_alive = bool(alive.all())
    for t in range(1, steps + 1):
        with np.errstate(all="ignore"):
            hp_t = hp
            if scheduled:
                factor = lr_factor(hp, t, steps)
                hp_t = dict(hp, **{name: hp[name] * factor for name in maths.scheduled if name in hp})
                if warmup:
                    hp_t[warmup] = warmed(hp, warmup, t)
            ctx = rules.Context(t, oracle.next(), landscape.hessian, landscape.value, layout)
            step = update(theta, state, ctx, hp_t)
            new = theta + step.update
            new_loss = landscape.value(new)
            diverged = none_diverged
            if not (all_alive and guard.all_healthy(new, new_loss)):
                ok = alive & guard.healthy(new, new_loss)
                diverged = alive & ~ok
                all_alive = bool(ok.all())
                if not all_alive:
                    alive = ok
                    new = np.where(alive[:, None], new, theta)
                    new_loss = np.where(alive, new_loss, loss)
        yield StepRecord(t, hp_t, theta, state, step, new, new_loss, diverged)
        theta, state, loss = new, step.state, new_loss


def simulate(landscape: Surface, optimizer: str | Optimizer, start: object, steps: int, *,
             seed: int = 0, diagnostics: bool | None = None, **hyperparams: object) -> Trajectory:
    """Run ``optimizer`` on ``landscape`` for ``steps`` steps from every start at once.

    ``start`` has shape ``(2,)`` or ``(n, 2)``.  Float hyperparameters may also be 1-D arrays of
    length ``n`` (one value per start), which runs many settings in one vectorized pass.  Unknown
    or out-of-range hyperparameters, a bad start or a bad step count raise ``ValueError``.

    ``diagnostics`` records the per-step gradients, moments, effective rates and Newton fallbacks:
    ``True`` always, ``False`` never, ``None`` (the default) when ``starts × steps`` is at most
    :data:`DIAGNOSTIC_BUDGET` (about 6 MB per recorded quantity): the app's single-start runs, whose
    diagnostics it shows, and not the many-start maps, which would spend as long recording them as
    running.  Points and losses are the same either way, bit for bit; ``replay()`` gives any run's
    diagnostics step by step.

    On a network (:class:`~landscapes.networks.NetworkLandscape`) ``start`` is ``(d,)`` or ``(n, d)``
    weights, the Muon entry also takes its ``layout_params``, and the rules that keep a ``d × d`` matrix
    raise ``ValueError`` above their ``max_dim`` (``Optimizer.too_large`` says why).  There the default
    ``diagnostics`` records a run only while ``starts × steps × d²`` stays within ``4 ×`` the budget (the
    surface's rule for ``d = 2``), so no recorded quantity, ``d × d`` matrices included, outgrows it.
    """
    opt, theta, hp = _prepare(landscape, optimizer, start, steps, seed, hyperparams)
    return _record(landscape, opt, theta, steps, seed, hp, diagnostics, None)


def simulate_batched(landscape: Surface, optimizer: str | Optimizer, start: object, steps: int, *, batch: int,
                     seed: int = 0, diagnostics: bool | None = None, **hyperparams: object) -> Trajectory:
    """:func:`simulate` with every step's gradient from ``batch`` examples, whatever the entry's sampling.

    Network mode trains every optimizer with one shared setting: ``batch = 0`` (or at least the data
    set's size) is the full gradient; otherwise each step takes the next ``batch`` examples of a
    permutation drawn from ``seed`` and reshuffled every epoch, so every optimizer run with the same
    ``seed`` and ``batch`` sees the same sequence of mini-batches.
    """
    if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 0:
        raise ValueError(f"Invalid batch: {batch!r} (allowed: 0 <= batch, an integer; 0 = the full data set)")
    opt, theta, hp = _prepare(landscape, optimizer, start, steps, seed, hyperparams)
    return _record(landscape, opt, theta, steps, seed, hp, diagnostics, int(batch))


def _record(landscape: Surface, opt: Optimizer, theta: Array, steps: int, seed: int, hp: dict,
            diagnostics: bool | None, batch: int | None) -> Trajectory:
    """Run the loop and record the :class:`Trajectory` (the body of :func:`simulate`)."""
    n, d = theta.shape
    if diagnostics is None:
        diagnostics = n * steps * d * d <= 4 * DIAGNOSTIC_BUDGET     # on a surface: n × steps <= the budget
    points = np.empty((steps + 1, d, n)).transpose(0, 2, 1) if d == 2 else np.empty((steps + 1, n, d))
    loss = np.empty((steps + 1, n))
    loss[0], alive = _initial(landscape, theta)
    points[0] = theta
    diverged_at = np.where(alive, -1, 0)
    record: dict[str, Array] = {}
    series: dict[str, Array] = {}
    markers = {m.name: np.repeat(theta[None], steps + 1, axis=0) for m in opt.view.markers} if diagnostics else {}
    lr_trace = np.empty(steps)
    lr_mean = float(np.mean(hp["lr"]))

    for rec in _run(landscape, opt, theta, steps, seed, hp, loss[0], alive, batch):
        t, step = rec.t, rec.step
        lr_trace[t - 1] = lr_mean if rec.hp is hp else np.mean(rec.hp["lr"])
        if rec.diverged.any():
            diverged_at[rec.diverged] = t
        if diagnostics:
            for name in ("grad", "moment", "eff_lr", "fallback"):
                value = getattr(step, name)
                if value is not None:
                    if name not in record:
                        record[name] = np.zeros((steps, n) + np.shape(value)[1:], dtype=np.asarray(value).dtype)
                    record[name][t - 1] = value
            for name in (s.name for s in opt.view.series):
                value = np.asarray(step.extra[name])
                if name not in series:
                    series[name] = np.zeros((steps,) + value.shape, dtype=value.dtype)
                series[name][t - 1] = value
            for name in markers:
                markers[name][t] = step.extra[name]
        points[t], loss[t] = rec.point, rec.loss

    _clean_diagnostics(record, diverged_at)
    _clean_diagnostics(series, diverged_at)
    _clean_markers(markers, points, diverged_at)
    return Trajectory(optimizer=opt.name, hyperparams={k: _plain(v) for k, v in hp.items()}, seed=int(seed),
                      points=points, loss=loss, diverged_at=diverged_at, lr=lr_trace,
                      grads=record.get("grad"), moments=record.get("moment"),
                      eff_lr=record.get("eff_lr"), fallback=record.get("fallback"), extra={**series, **markers})


def final(landscape: Surface, optimizer: str | Optimizer, start: object, steps: int, *,
          seed: int = 0, **hyperparams: object) -> Final:
    """The last point, loss and ``diverged_at`` of the run ``simulate()`` makes with the same arguments,
    bit for bit, in memory that does not grow with ``steps`` (no path is kept)."""
    opt, theta, hp = _prepare(landscape, optimizer, start, steps, seed, hyperparams)
    loss, alive = _initial(landscape, theta)
    diverged_at = np.where(alive, -1, 0)
    point = theta
    for rec in _run(landscape, opt, theta, steps, seed, hp, loss, alive):
        if rec.diverged.any():
            diverged_at[rec.diverged] = rec.t
        point, loss = rec.point, rec.loss
    return Final(np.ascontiguousarray(point), loss, diverged_at)


def replay(landscape: Surface, optimizer: str | Optimizer, start: object, steps: int, *,
           seed: int = 0, **hyperparams: object) -> Iterator[StepRecord]:
    """The steps of the run ``simulate()`` makes with the same arguments, one :class:`StepRecord` at a time.

    Inputs are validated at once; steps are computed lazily, so ``itertools.islice`` can stop early
    (schedules still see the full ``steps``).  Every record matches the simulated trajectory bit for bit.
    """
    opt, theta, hp = _prepare(landscape, optimizer, start, steps, seed, hyperparams)
    return _run(landscape, opt, theta, steps, seed, hp, *_initial(landscape, theta))


def _clean_diagnostics(record: dict[str, Array], diverged_at: Array) -> None:
    """Zero the diagnostics of steps after a start diverged, and any non-finite entry, in place."""
    for arr in record.values():
        after = ~valid(diverged_at, arr.shape[0])                 # index t - 1 is step t: kept up to the diverging one
        after = after.reshape(after.shape + (1,) * (arr.ndim - 2))
        if arr.dtype == bool:
            arr &= ~after
        else:
            arr[after | ~np.isfinite(arr)] = 0.0


def _clean_markers(markers: dict[str, Array], points: Array, diverged_at: Array) -> None:
    """Markers ``(steps + 1, n, 2)`` from a start's divergence on (or non-finite) sit on its frozen point, in place."""
    for arr in markers.values():
        bad = ~valid(diverged_at, arr.shape[0])[..., None]
        np.copyto(arr, points, where=bad | ~np.isfinite(arr))


def _plain(value: object) -> object:
    return value.ravel().tolist() if isinstance(value, np.ndarray) else value
