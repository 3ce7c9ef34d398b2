"""Speed of network mode's core: six optimizers train one MLP, then the race is drawn on a plane.

For each network (the default 2 → 8 → 1 and the largest the page offers, 2 → 16 → 16 → 1), it times
``optimizers.network.train`` of gd, momentum, nag, adam, adamw and muon for 500 steps each from the
same initial weights (full batch, and mini-batches of 32), then ``choose_plane`` and ``on_plane`` for each
kind of plane: the PCA of all six paths, a filter-normalised random plane, the Hessian's extreme
eigenvectors (Lanczos on Hessian-vector products), each with its six projected paths and an 80 × 80 loss
grid.  The target (issue 19): training plus the PCA plane with its grid under 2 s on a 2-core machine.
Times are the best of ``--repeats`` runs (the machine is shared, so the minimum is the least disturbed).

Then, for the PCA plane, what the page sends: ``viz.network.build`` (accuracy over the steps, the race's two payloads
with the decision-boundary keyframes, five charts, the table and the trust sentence), its time, and the bytes of the
surface and runs payloads and of the charts: together one change's budget (150 kB, less what the page's texts and
scripts take: ``ui.network_runs``), which the boundaries' keyframes are fitted to.
The whole page's time, from training to the payloads, is held to the same 2 s.

Run: ``python benchmarks/bench_network.py [--steps 500] [--repeats 3] [--resolution 80]``.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import optimizers  # noqa: E402
from landscapes import networks  # noqa: E402
from optimizers import network, planes  # noqa: E402
from ui.network_runs import CHANGE_BYTES, REST_BYTES  # noqa: E402
from viz import network as network_view  # noqa: E402
from viz.figures import PALETTE  # noqa: E402

OPTIMIZERS = ("gd", "momentum", "nag", "adam", "adamw", "muon")
NETWORKS = {"default (2-8-1)": {}, "largest (2-16-16-1)": {"layers": 2, "width": 16}}
TARGET = 2.0
BUDGET = CHANGE_BYTES - REST_BYTES     # bytes of the race's payloads and charts per change, as the page builds them


def best_of(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--resolution", type=int, default=80)
    args = ap.parse_args()
    runs = {name: network.suggested(name) for name in OPTIMIZERS}
    print(f"{len(OPTIMIZERS)} optimizers ({', '.join(OPTIMIZERS)}) x {args.steps} steps, moons (200 points), "
          f"{args.resolution}x{args.resolution} grid, best of {args.repeats}; numpy {np.__version__}")
    print(f"{'network':22s} {'d':>4s} {'batch':>5s} {'train':>7s} {'plane':>8s} {'fit':>7s} {'view':>7s} "
          f"{'total':>7s}  target")
    for label, settings in NETWORKS.items():
        net = networks.get(**settings)
        for batch in (0, 32):
            train_time, trajectories = best_of(lambda net=net, batch=batch: network.train(
                net, runs, args.steps, batch_size=batch), args.repeats)
            for kind in planes.PLANES:
                fit_time, (plane, fitted) = best_of(
                    lambda net=net, tr=trajectories, kind=kind: network.choose_plane(net, tr, kind), args.repeats)
                view_time, _ = best_of(lambda net=net, tr=trajectories, plane=plane, fitted=fitted: network.on_plane(
                    net, plane, tr, args.resolution, fitted), args.repeats)
                total = train_time + fit_time + view_time
                verdict = ("met" if total < TARGET else "MISSED") if kind == "pca" else ""
                print(f"{label:22s} {net.dim:4d} {batch or 'full':>5} {train_time:7.3f} {kind:>8s} {fit_time:7.3f} "
                      f"{view_time:7.3f} {total:7.3f}  {verdict}")
    print("train: all six runs; fit: choosing the plane (PCA / random / Lanczos); view: six projections and the grid")
    print()
    print(f"{'network':22s} {'batch':>5s} {'build':>7s} {'page':>7s}  target {'surface':>8s} {'runs':>8s} "
          f"{'keys':>5s} {'charts':>8s}  payload budget")
    labels = {name: f"{optimizers.get(name).title} (lr={hp['lr']:g})" for name, hp in runs.items()}
    colors = {name: PALETTE[i] for i, name in enumerate(runs)}
    for label, settings in NETWORKS.items():
        net = networks.get(**settings)
        for batch in (0, 32):
            def page(net=net, batch=batch):
                trajectories, view = network.race(net, runs, args.steps, batch_size=batch, resolution=args.resolution)
                return network_view.build(net, trajectories, view, labels, colors, budget=BUDGET)
            whole, built = best_of(page, args.repeats)
            trajectories, view = network.race(net, runs, args.steps, batch_size=batch, resolution=args.resolution)
            build_time, _ = best_of(lambda net=net, tr=trajectories, view=view: network_view.build(
                net, tr, view, labels, colors, budget=BUDGET), args.repeats)
            sizes = network_view.payload_bytes(built)
            sent = sizes["total"]
            keys = len(built.runs["network"]["steps"])
            verdict = "met" if whole < TARGET else "MISSED"
            print(f"{label:22s} {batch or 'full':>5} {build_time:7.3f} {whole:7.3f}  {verdict:6s} "
                  f"{sizes['surface'] / 1e3:7.1f}k {sizes['runs'] / 1e3:7.1f}k {keys:5d} "
                  f"{sizes['charts'] / 1e3:7.1f}k  {sent / 1e3:.1f}k {'met' if sent <= BUDGET else 'MISSED'}")
    print(f"build: viz.network.build alone; page: network.race (PCA plane) + build; surface + runs + charts: one "
          f"change's payloads (budget {BUDGET / 1e3:.0f} kB: {CHANGE_BYTES / 1e3:.0f} kB less "
          f"{REST_BYTES / 1e3:.0f} kB for the texts and scripts); keys: decision-boundary keyframes")


if __name__ == "__main__":
    main()
