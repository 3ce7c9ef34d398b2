"""Size of the default view's race payloads, and server time of a rerun after a hyperparameter change.

Target: a rerun under 300 ms (the bytes a change sends over the websocket: ``bench_browser.py``).
The rerun is timed through streamlit.testing.v1.AppTest (the server-side script run, without the browser), alternating
Adam's learning rate between two values already in the cache and a fresh one each time.
Run: ``python benchmarks/bench_app.py``.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from state import share  # noqa: E402
from ui import runs  # noqa: E402
from viz import figures, race_view  # noqa: E402


def figure_bytes() -> dict[str, int]:
    """JSON size of what the race view receives for the default view: the surface payload (once per surface)
    and the runs payload (on every change), each layout."""
    state = share.default_state()
    fig_runs = runs.figure_runs(state, runs.trajectories(state), runs.colors(state))
    land = share.landscape_of(state)
    sizes = {"surface": len(json.dumps(race_view.surface_payload(land, figures.contour_grid(land))))}
    for layout in ("side", "overlay"):
        sizes[f"runs, {layout}"] = len(json.dumps(race_view.runs_payload(fig_runs, layout)))
    return sizes


def rerun_times(repeats: int = 12) -> tuple[list[float], list[float]]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.session_state["open.adam"] = True                  # Adam's settings open: its widgets are drawn
    options = at.run().select_slider(key="hp.adam.lr").options
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
    for part, size in figure_bytes().items():
        print(f"race view payload, default view, {part:13s}: {size:,} bytes")
    fresh, cached = rerun_times(24)
    print(f"rerun after changing Adam's lr, new value:    median {statistics.median(fresh) * 1e3:.0f} ms "
          f"over {len(fresh)} (target < 300 ms)")
    if cached:
        print(f"rerun after changing Adam's lr, cached value: median {statistics.median(cached) * 1e3:.0f} ms "
              f"over {len(cached)}")


if __name__ == "__main__":
    main()
