"""Time and memory of the basins-of-attraction map, against torch.optim's Adam on the same machine.

Default view: the ravine and Rosenbrock, each with gd, momentum, rmsprop and adam at the surface's
suggested hyperparameters (``state.surfaces.default_hyper``), a 100 × 100 grid and 500 steps; then the
largest map the page offers, 300 × 300, and the peak memory (tracemalloc) of one 300 × 300 map.
The yardstick is ``torch.optim.Adam`` stepping 10,000 Rosenbrock starts for 500 steps, recording
every point (as in ``bench_simulate.py``); the issue's targets are 100 × 100 × 4 optimizers within
3.5 × that time and a 300 × 300 page (4 optimizers) within 4 s.  Times are the best of ``--repeats``.
Run: ``python benchmarks/bench_basins.py [--resolution 100] [--large 300] [--steps 500]``.
"""
from __future__ import annotations

import argparse
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_simulate import best_of, torch_run  # noqa: E402

import landscapes  # noqa: E402
from optimizers import studies  # noqa: E402
from state.surfaces import default_hyper  # noqa: E402

OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")


def torch_adam_seconds(steps: int, repeats: int) -> float:
    """``torch.optim.Adam`` on 10,000 Rosenbrock starts for ``steps`` steps (the bench_simulate setup)."""
    starts = np.random.default_rng(0).uniform([-2, -1], [2, 3], (10_000, 2))
    return best_of(lambda: torch_run(lambda p: torch.optim.Adam(p, lr=1e-2), starts, steps), repeats)


def map_seconds(land: landscapes.Landscape, resolution: int, steps: int, repeats: int) -> dict[str, float]:
    """Best time of each optimizer's basins map."""
    return {name: best_of(lambda name=name: studies.basins(land, name, steps, resolution=resolution,
                                                            **default_hyper(name, land)), repeats)
            for name in OPTIMIZERS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--surfaces", nargs="+", default=["ravine", "rosenbrock"])
    ap.add_argument("--resolution", type=int, default=100)
    ap.add_argument("--large", type=int, default=300, help="resolution of the large map (0 to skip)")
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=5, help="best of this many timings")
    ap.add_argument("--torch-threads", type=int, default=1, help="torch's intra-op threads (as bench_simulate)")
    args = ap.parse_args()
    torch.set_num_threads(args.torch_threads)

    ref = torch_adam_seconds(args.steps, args.repeats)
    print(f"torch.optim.Adam, 10000 Rosenbrock starts x {args.steps} steps, every point recorded: {ref:.3f} s "
          f"(best of {args.repeats})")
    chunk = studies.chunk_size(args.steps)
    for resolution in [args.resolution] + ([args.large] if args.large else []):
        repeats = args.repeats if resolution <= 100 else max(1, args.repeats // 2)
        print(f"\n{resolution} x {resolution} starts x {args.steps} steps, chunks of {chunk} starts; "
              f"best of {repeats}")
        print(f"{'surface':12s} {'optimizer':10s} {'seconds':>8s}")
        for surface in args.surfaces:
            land = landscapes.get(surface)
            times = map_seconds(land, resolution, args.steps, repeats)
            for name, seconds in times.items():
                print(f"{surface:12s} {name:10s} {seconds:8.3f}")
            total = sum(times.values())
            target = (f"{total / ref:.2f} x torch Adam (target <= 3.5 x)" if resolution == args.resolution
                      else "(target <= 4 s)")
            print(f"{surface:12s} {'total':10s} {total:8.3f}  {target}")

    if args.large:
        land = landscapes.get(args.surfaces[0])
        tracemalloc.start()
        studies.basins(land, "adam", args.steps, resolution=args.large, **default_hyper("adam", land))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        n = args.large**2
        paths = n * (args.steps + 1) * 3 * 8 + n * args.steps * 3 * 2 * 8   # points, loss; grads, moments, rates
        print(f"\npeak memory of one {args.large} x {args.large} x {args.steps}-step adam map "
              f"({args.surfaces[0]}): {peak / 1e6:.1f} MB (tracemalloc); keeping every start's path and "
              f"diagnostics would take {paths / 1e9:.1f} GB")


if __name__ == "__main__":
    main()
