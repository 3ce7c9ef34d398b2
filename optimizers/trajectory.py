"""The records a run leaves: the whole :class:`Trajectory`, one :class:`StepRecord` per step, and where a run
ends (:class:`Final`), with the one place that says which of a run's indices are valid.

A run that diverges at step ``d`` (``diverged_at``) took that step from a valid point and landed on a bad one,
which is not kept: its point from index ``d`` on is a frozen copy of point ``d - 1``.  So index ``i`` of the
points (the point after step ``i``) is valid while ``i < d``, and so is index ``i`` of a per-step series (step
``i + 1``, whose inputs were valid up to and including the diverging step): :func:`valid`.  A run that never
diverged (``d = -1``) is valid everywhere; ``d = 0`` means the start itself was bad.  Nothing here imports
more than NumPy and the rules' ``Step`` record.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, overload

import numpy as np

from optimizers.rules import Step

Array = np.ndarray


def valid(diverged_at: Array, length: int) -> Array:
    """``(length, n)`` bool: index ``i`` of start ``j`` is valid while ``i < diverged_at[j]`` (always if -1).

    Index ``i`` of the points is the point after step ``i``; index ``i`` of a per-step series is step ``i + 1``.
    """
    d = np.asarray(diverged_at)
    return np.arange(length)[:, None] < np.where(d < 0, length, d)[None, :]


@overload
def last_step(diverged_at: int, steps: int) -> int: ...
@overload
def last_step(diverged_at: Array, steps: int) -> Array: ...
def last_step(diverged_at: int | Array, steps: int) -> int | Array:
    """The last step a run took from a valid point: ``steps``, or the step where it diverged (0: the start
    itself was bad, no step counts).  Per start for an array of ``diverged_at``."""
    last = np.where(np.asarray(diverged_at) < 0, steps, diverged_at)
    return int(last) if np.ndim(last) == 0 else last


@overload
def last_point(diverged_at: int, steps: int) -> int: ...
@overload
def last_point(diverged_at: Array, steps: int) -> Array: ...
def last_point(diverged_at: int | Array, steps: int) -> int | Array:
    """Index of a run's last valid point: ``steps``, or the point before the step where it diverged (0 at least:
    the start is drawn even when it was bad).  Per start for an array of ``diverged_at``."""
    d = np.asarray(diverged_at)
    last = np.where(d < 0, steps, np.maximum(d - 1, 0))
    return int(last) if np.ndim(last) == 0 else last


@dataclass(frozen=True)
class Trajectory:
    """The recorded run.  ``n`` starts, ``steps`` steps; index 0 of ``points``/``loss`` is the start.

    Per-step diagnostics (index ``t - 1`` holds step ``t``) are ``None`` when the run recorded none
    (``diagnostics=False``, or by default a run of more than ``simulation.DIAGNOSTIC_BUDGET`` starts × steps)
    or the optimizer has no such quantity.  On a surface ``points`` is stored coordinate-major (a
    transposed view).
    """

    optimizer: str
    hyperparams: dict[str, Any]
    seed: int
    points: Array                      # (steps + 1, n, d); d = 2 on a surface
    loss: Array                        # (steps + 1, n), full-data loss
    diverged_at: Array                 # (n,), first bad step or -1
    lr: Array                          # (steps,), the scheduled learning-rate factor times lr (start 0)
    grads: Array | None = None         # (steps, n, d), gradient each step used
    moments: Array | None = None       # (steps, n, d), momentum / first moment after the step
    eff_lr: Array | None = None        # (steps, n, d), per-coordinate effective learning rate
    fallback: Array | None = None      # (steps, n), Newton steps that fell back to gradient steps
    extra: dict[str, Array] = field(default_factory=dict)   # the entry's series (steps, n, ...) and markers

    @property
    def steps(self) -> int:
        return self.points.shape[0] - 1

    @property
    def updates(self) -> Array:
        """``(steps, n, d)``: the update actually applied at each step."""
        return np.diff(self.points, axis=0)

    @property
    def step_length(self) -> Array:
        """``(steps, n)``: length of each update."""
        return np.linalg.norm(self.updates, axis=-1)

    def recorded(self, name: str) -> Array:
        """Diagnostic ``name`` (``grads``, ``moments``, ``eff_lr`` or ``fallback``); ``ValueError`` when the run
        recorded none (``diagnostics=False``, or the rule has no such quantity)."""
        value: Array | None = getattr(self, name)
        if value is None:
            raise ValueError(f"The {self.optimizer} run recorded no {name} (run it with diagnostics=True)")
        return value

    @property
    def grad_norm(self) -> Array | None:
        """``(steps, n)``: norm of the gradient each step used."""
        return None if self.grads is None else np.linalg.norm(self.grads, axis=-1)


class StepRecord(NamedTuple):
    """One step as the rule saw it: its inputs, its output and what was recorded (all starts at once)."""

    t: int                             # step number, from 1
    hp: dict[str, Any]                 # hyperparameters in force at this step (schedules applied)
    theta: Array                       # (n, d) point before the step
    state: Any                         # the rule's state before the step
    step: Step                         # the rule's output: update, new state and diagnostics
    point: Array                       # (n, d) point after the step, frozen where a start has diverged
    loss: Array                        # (n,) full-data loss at ``point``
    diverged: Array                    # (n,) bool: the start diverged at this very step


class Final(NamedTuple):
    """Where a run ends, without its path: what a basins map keeps of each start."""

    point: Array                       # (n, d) last point (a diverged start keeps its last finite one)
    loss: Array                        # (n,) full-data loss there
    diverged_at: Array                 # (n,) first bad step or -1
