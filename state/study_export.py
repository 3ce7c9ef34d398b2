"""The analysis results as CSV files for download: the basins grid and the learning-rate sweep."""
from __future__ import annotations

import numpy as np
import pandas as pd

from landscapes.base import Landscape
from optimizers.studies import DIVERGED, BasinMap, Sweep

OUTCOMES = np.array(["diverged", "not converged", "minimum"])   # indexed by min(outcome code, 0) - DIVERGED


def basins_csv(landscape: Landscape, maps: list[BasinMap], names: list[str]) -> str:
    """One row per optimizer and start: start, outcome, the minimum reached, final point and loss.

    ``outcome`` is ``minimum``, ``not converged`` or ``diverged``; ``minimum_x``/``minimum_y`` are empty unless
    a minimum was reached; ``diverged_at`` is -1 for runs that never diverged.
    """
    frames = []
    for name, m in zip(names, maps, strict=True):
        code = m.outcome.ravel()
        sx, sy = (a.ravel() for a in np.meshgrid(m.x, m.y))
        minimum = landscape.minima[np.maximum(code, 0)] if len(landscape.minima) else np.zeros((len(code), 2))
        reached = code >= 0
        frames.append(pd.DataFrame({
            "optimizer": name, "start_x": sx, "start_y": sy,
            "outcome": OUTCOMES[np.minimum(code, 0) - DIVERGED],
            "minimum_x": np.where(reached, minimum[:, 0], np.nan),
            "minimum_y": np.where(reached, minimum[:, 1], np.nan),
            "final_x": m.finals[..., 0].ravel(), "final_y": m.finals[..., 1].ravel(),
            "final_loss": m.final_loss.ravel(), "diverged_at": m.diverged_at.ravel(),
        }))
    return pd.concat(frames).to_csv(index=False, lineterminator="\n")


def sweep_csv(sweeps: list[Sweep], names: list[str]) -> str:
    """One row per optimizer and learning rate: final loss, steps to tolerance, divergence and stability.

    ``steps_to_tol`` and ``diverged_at`` are -1 when never; ``best`` marks the rate the fair race would use.
    """
    frames = [pd.DataFrame({
        "optimizer": name, "lr": s.lrs, "final_loss": s.final_loss,
        "loss_gap": s.final_loss - s.f_star if s.f_star is not None else np.nan,
        "steps_to_tol": s.steps_to_tol, "diverged_at": s.diverged_at, "stable": s.stable,
        "best": np.arange(len(s.lrs)) == (-1 if s.best is None else s.best),
    }) for name, s in zip(names, sweeps, strict=True)]
    return pd.concat(frames).to_csv(index=False, lineterminator="\n")
