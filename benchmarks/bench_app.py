"""Size of the default view's race figure, and server time of a rerun after a hyperparameter change.

Targets: figure JSON under 1 MB; a rerun under 300 ms.  The rerun is timed through
streamlit.testing.v1.AppTest (the server-side script run, without the browser), alternating
Adam's learning rate between two values already in the cache and a fresh one each time.
Run: ``python benchmarks/bench_app.py``.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from state import share  # noqa: E402
from ui import runs  # noqa: E402
from viz import figures  # noqa: E402


def figure_bytes() -> dict[str, int]:
    """JSON size of the race figure as the page sends it (click targets included)."""
    state = share.default_state()
    fig_runs = runs.figure_runs(state, runs.trajectories(state), runs.colors(state))
    grid = figures.contour_grid(state.landscape())
    return {layout: len(runs.race(state.landscape(), grid, fig_runs, layout).to_json())
            for layout in ("side", "overlay")}


def rerun_times(repeats: int = 12) -> tuple[list[float], list[float]]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    options = at.select_slider(key="hp.adam.lr").options
    fresh, cached = [], []
    values = [float(v) for v in options if 0.01 <= float(v) <= 1.0]
    for i in range(repeats):
        value = values[i % len(values)]
        t0 = time.perf_counter()
        at.select_slider(key="hp.adam.lr").set_value(value).run()
        (fresh if i < len(values) else cached).append(time.perf_counter() - t0)
        assert not at.exception
    return fresh, cached


def main() -> None:
    for layout, size in figure_bytes().items():
        print(f"race figure JSON, default view, {layout:7s}: {size:,} bytes ({size / 1e6:.2f} MB; target < 1 MB)")
    fresh, cached = rerun_times(24)
    print(f"rerun after changing Adam's lr, new value:    median {statistics.median(fresh) * 1e3:.0f} ms "
          f"over {len(fresh)} (target < 300 ms)")
    if cached:
        print(f"rerun after changing Adam's lr, cached value: median {statistics.median(cached) * 1e3:.0f} ms "
              f"over {len(cached)}")


if __name__ == "__main__":
    main()
