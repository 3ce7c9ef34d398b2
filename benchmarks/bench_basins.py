"""Time of the basins-of-attraction map: a grid of starts per optimizer, final points only.

Default view: the ravine and Rosenbrock, each with gd, momentum, rmsprop and adam at the surface's
suggested hyperparameters (``state.share.default_hyper``), a 100 × 100 grid and 500 steps.  The app's
target is under 2 s per surface for these four optimizers.  Also prints the memory one chunk takes.
Run: ``python benchmarks/bench_basins.py [--resolution 300] [--steps 500]``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import landscapes  # noqa: E402
from optimizers import analysis  # noqa: E402
from state.share import default_hyper  # noqa: E402

OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--surfaces", nargs="+", default=["ravine", "rosenbrock"])
    ap.add_argument("--resolution", type=int, default=100)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3, help="best of this many timings")
    args = ap.parse_args()

    chunk = analysis.chunk_size(args.steps)
    chunk_mb = chunk * (args.steps + 1) * 3 * 8 / 1e6      # points (2 floats) + loss, float64
    print(f"{args.resolution} x {args.resolution} starts x {args.steps} steps, chunks of {chunk} "
          f"starts (~{chunk_mb:.0f} MB each); best of {args.repeats}")
    print(f"{'surface':12s} {'optimizer':10s} {'seconds':>8s} {'global %':>9s} {'diverged %':>11s}")
    for surface in args.surfaces:
        land = landscapes.get(surface)
        total = 0.0
        for name in OPTIMIZERS:
            hp = default_hyper(name, land)
            best = float("inf")
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                result = analysis.basins(land, name, args.steps, resolution=args.resolution, **hp)
                best = min(best, time.perf_counter() - t0)
            total += best
            print(f"{surface:12s} {name:10s} {best:8.3f} {100 * result.global_share:9.1f} "
                  f"{100 * result.share(analysis.DIVERGED):11.1f}")
        print(f"{surface:12s} {'total':10s} {total:8.3f}  (target: under 2 s at 100 x 100 x 500 steps)")


if __name__ == "__main__":
    main()
