"""Time of the studies behind "is that always true?": what a tab computes the first time it opens in a process.

The Lessons tab runs every lesson's statements (and their maps), the Explanations tab the chosen optimizers'
statements and every claim's; each study runs once per process (``optimizers.validity.study``), so these are
the costs of the first visitor after a restart.  Each study is timed cold (cache cleared) as the best of
``--repeats``, beside a yardstick measured in the same run: one 256-start, 800-step Adam run on the ravine, so
the ratio stays meaningful on a busy machine.
First it opens the Lessons tab from ``--sessions`` threads at once on the fresh process, as a class would: each study
must be computed once, not once per session.
Run: ``python benchmarks/bench_validity.py [--repeats 3] [--sessions 8]``.
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import landscapes  # noqa: E402
import optimizers  # noqa: E402
from optimizers import behaviour, validity  # noqa: E402
from state import claims, lessons  # noqa: E402
from state.share import DEFAULT_OPTIMIZERS  # noqa: E402


def best_of(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def cold(statement: validity.Statement, repeats: int) -> float:
    """Seconds of a statement's study and its map, cache cleared before each try."""
    def once() -> None:
        validity.STUDIES.clear()
        validity.study(statement)
        validity.picture_study(statement)
    return best_of(once, repeats)


def together(statements: list[validity.Statement], sessions: int) -> tuple[float, float]:
    """Wall and CPU seconds of ``sessions`` threads (a server's sessions) opening the Lessons tab at the same moment
    on a fresh process: each asks for every statement's study and map, as ``ui.checks.fill`` does."""
    barrier = threading.Barrier(sessions + 1)

    def session() -> None:
        barrier.wait()
        for statement in statements:
            validity.study(statement)
            validity.picture_study(statement)

    threads = [threading.Thread(target=session) for _ in range(sessions)]
    for t in threads:
        t.start()
    cpu, wall = time.process_time(), time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sessions", type=int, default=8, help="sessions opening the Lessons tab at once (first)")
    args = ap.parse_args()
    lesson_statements = list({s.key: s for le in lessons.LESSONS for s in le.checks}.values())
    wall, cpu = together(lesson_statements, args.sessions)    # first, while every cache is empty
    print(f"{args.sessions} sessions opening the Lessons tab at once, fresh process: {wall:.2f} s to the last one's "
          f"results, {cpu:.2f} s of CPU")
    land = landscapes.get("ravine")
    starts = np.tile(land.start, (256, 1))
    yardstick = best_of(lambda: optimizers.simulate(land, "adam", starts, 800, diagnostics=False, lr=0.3),
                        args.repeats)
    print(f"yardstick (Adam, 256 starts x 800 steps): {yardstick:.3f} s")
    tabs = {
        "Lessons tab": {s.key: s for le in lessons.LESSONS for s in le.checks},
        "Explanations, default optimizers": {s.key: s for name in DEFAULT_OPTIMIZERS for s in behaviour.about(name)},
        "Explanations, claims panel": {s.key: s for c in claims.CLAIMS for s in c.checks},
        "every statement": {s.key: s for s in (*behaviour.STATEMENTS,
                                                *(s for le in lessons.LESSONS for s in le.checks),
                                                *(s for c in claims.CLAIMS for s in c.checks))},
    }
    times = {key: cold(s, args.repeats) for key, s in tabs["every statement"].items()}
    for tab, statements in tabs.items():
        total = sum(times[key] for key in statements)
        print(f"{tab}: {len(statements)} statements, {total:.2f} s cold ({total / yardstick:.0f} yardsticks)")
    print("slowest:", ", ".join(f"{k} {t:.2f} s" for k, t in sorted(times.items(), key=lambda kv: -kv[1])[:6]))


if __name__ == "__main__":
    main()
