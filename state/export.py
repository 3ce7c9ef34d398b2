"""Trajectories as CSV and JSON files for download."""
from __future__ import annotations

import csv
import io
import json

from optimizers import Trajectory
from state.share import AppState, encode


def to_csv(trajs: dict[str, Trajectory]) -> str:
    """One row per optimizer and step: position, full-data loss and whether the run had diverged."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["optimizer", "step", "x", "y", "loss", "diverged"])
    for name, tr in trajs.items():
        diverged_at = int(tr.diverged_at[0])
        for step, ((x, y), loss) in enumerate(zip(tr.points[:, 0], tr.loss[:, 0], strict=True)):
            writer.writerow([name, step, repr(float(x)), repr(float(y)), repr(float(loss)),
                             int(0 <= diverged_at <= step)])
    return out.getvalue()


def to_json(state: AppState, trajs: dict[str, Trajectory]) -> str:
    """The settings (as share-link parameters) and every run's path, loss and divergence step."""
    runs = [{
        "optimizer": name,
        "hyperparams": state.hyper[name],
        "diverged_at": int(tr.diverged_at[0]),
        "points": tr.points[:, 0].tolist(),
        "loss": tr.loss[:, 0].tolist(),
    } for name, tr in trajs.items()]
    return json.dumps({"settings": encode(state), "runs": runs}, indent=1)
