"""Throughput of ``simulate()``: all starts at once versus a plain Python loop over starts.

For each optimizer, 10,000 starts × 500 steps on Rosenbrock, vectorized (one call), against
the same work done one start at a time (measured on a subset and scaled: throughput is
steps × starts per second either way).  Run: ``python benchmarks/bench_simulate.py``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import landscapes  # noqa: E402
import optimizers  # noqa: E402

LR = {"adagrad": 0.1, "rmsprop": 1e-3, "adam": 1e-2, "amsgrad": 1e-2, "adamw": 1e-2, "nadam": 1e-2,
      "lion": 1e-3, "adadelta": 1.0, "newton": 1.0}


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--starts", type=int, default=10_000)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--loop-starts", type=int, default=100, help="starts timed in the per-start loop")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    land = landscapes.get("rosenbrock")
    starts = np.random.default_rng(0).uniform([-2, -1], [2, 3], (args.starts, 2))
    work = args.starts * args.steps
    print(f"rosenbrock, {args.starts} starts x {args.steps} steps; loop timed on {args.loop_starts} starts")
    print(f"{'optimizer':10s} {'vectorized s':>12s} {'no-diag s':>10s} {'steps*starts/s':>15s} "
          f"{'loop steps*starts/s':>20s} {'speed-up':>9s}")
    for name in optimizers.names():
        hp = {"lr": LR.get(name, 1e-3)}
        def vectorized(diagnostics: bool, name: str = name, hp: dict = hp) -> None:
            optimizers.simulate(land, name, starts, args.steps, diagnostics=diagnostics, **hp)

        def loop(name: str = name, hp: dict = hp) -> None:
            for start in starts[:args.loop_starts]:
                optimizers.simulate(land, name, start, args.steps, **hp)

        full = best_of(lambda: vectorized(True), args.repeats)
        lean = best_of(lambda: vectorized(False), args.repeats)
        looped = best_of(loop, 1)
        rate, loop_rate = work / full, args.loop_starts * args.steps / looped
        print(f"{name:10s} {full:12.3f} {lean:10.3f} {rate:15.3e} {loop_rate:20.3e} {rate / loop_rate:8.0f}x")


if __name__ == "__main__":
    main()
