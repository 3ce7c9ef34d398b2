"""Summary numbers of a run: steps to a loss tolerance and which minimum was reached."""
from __future__ import annotations

import numpy as np

from landscapes.base import Landscape
from optimizers.trajectory import Trajectory, valid

REACH_RADIUS = 0.01  # a listed minimum is "reached" within this fraction of the bounds' diagonal


def steps_to_tolerance(traj: Trajectory, f_star: float, tol: float) -> np.ndarray:
    """``(n,)``: first step whose loss is within ``tol`` of ``f_star`` and stays a finite run, or -1."""
    hit = (traj.loss - f_star) <= tol
    hit &= valid(traj.diverged_at, traj.loss.shape[0])
    return np.where(hit.any(axis=0), hit.argmax(axis=0), -1)


def reached_minimum(landscape: Landscape, traj: Trajectory) -> np.ndarray:
    """``(n,)``: index into ``landscape.minima`` of the minimum each final point sits on, or -1."""
    return reached_from(landscape, traj.points[-1], traj.diverged_at)


def reached_from(landscape: Landscape, finals: np.ndarray, diverged_at: np.ndarray) -> np.ndarray:
    """``(n,)``: index of the listed minimum each of ``finals`` sits on, or -1 (also for diverged runs)."""
    if len(landscape.minima) == 0:
        return np.full(len(finals), -1)
    index, dist = landscape.nearest_minimum(finals)
    radius = REACH_RADIUS * float(np.linalg.norm(landscape.span))
    return np.where((dist <= radius) & (diverged_at < 0), index, -1)
