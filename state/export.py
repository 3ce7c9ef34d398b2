"""Trajectories as CSV and JSON files for download."""
from __future__ import annotations

import csv
import io
import json

from optimizers import Trajectory
from state.share import AppState, encode


def to_csv(trajs: dict[str, Trajectory]) -> str:
    """One row per optimizer and step: position (``x``, ``y`` on a surface; a network's weights ``w1`` … ``wd`` in
    torch's ``parameters_to_vector`` order), full-data loss and whether the run had diverged."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    dim = next(iter(trajs.values())).points.shape[-1] if trajs else 2
    coords = ["x", "y"] if dim == 2 else [f"w{k}" for k in range(1, dim + 1)]
    writer.writerow(["optimizer", "step", *coords, "loss", "diverged"])
    for name, tr in trajs.items():
        diverged_at = int(tr.diverged_at[0])
        for step, (point, loss) in enumerate(zip(tr.points[:, 0], tr.loss[:, 0], strict=True)):
            writer.writerow([name, step, *(repr(float(v)) for v in point), repr(float(loss)),
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
