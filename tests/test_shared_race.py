"""What the race tab sends is built once per process and shared (ui.process.shared, ui.runs).

The shared results must be exactly what the page built per session before (the payload and figure builders
called directly on the state), computed once however many sessions ask at the same moment, and impossible to
change in place.
"""
from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np
import pytest

from state import share
from ui import process, runs
from viz import figures, series


def direct(state: share.AppState) -> tuple[dict, str, str, list[str], str]:
    """The runs payload, loss and distance JSON, series JSON and summary, built from ``state`` with no cache."""
    trajs = runs.trajectories(state, simulate=runs.run)
    fig_runs = runs.figure_runs(state, trajs, runs.colors(state))
    land = share.landscape_of(state)
    return (runs.runs_payload(state, fig_runs),
            figures.loss_figure(fig_runs, runs.reference_loss(land, fig_runs)).to_json(),
            figures.distance_figure(fig_runs, land.minima).to_json(),
            [fig.to_json() for fig in series.series_figures(trajs, runs.colors(state))],
            runs.summary_table(runs.summary_rows(state, trajs)))


STATES = {
    "default": share.default_state(),
    "overlay, presenter, trails, tolerance": replace(share.default_state(), layout="overlay", present=True,
                                                     trails=12, tol=1e-3, steps=80),
    "markers and series": share.decode({"surface": "rosenbrock", "opt": "sf_sgd,sam,prodigy", "steps": "60"})[0],
    "a diverging run": share.decode({"surface": "ravine", "opt": "gd,adam", "gd.lr": "3", "steps": "50"})[0],
}


@pytest.mark.parametrize("name", STATES)
def test_shared_race_is_what_the_state_builds(name):
    state = STATES[name]
    payload, loss, distance, series_json, summary = direct(state)
    charts = runs.charts(state)
    assert runs.page_runs_payload(state) == payload
    assert (charts.loss, charts.distance, [fig for _, fig in charts.series]) == (loss, distance, series_json)
    assert runs.summary(state) == summary
    assert runs.charts(state) is charts and runs.page_runs_payload(state) is runs.page_runs_payload(state)  # once


def test_the_diverging_case_diverges_and_the_series_case_has_series():
    assert any(run.diverged_at >= 0 for run in runs.figure_runs(STATES["a diverging run"],
               runs.trajectories(STATES["a diverging run"]), runs.colors(STATES["a diverging run"])))
    assert runs.charts(STATES["markers and series"]).series


def test_race_key_follows_what_the_race_draws():
    state = share.default_state()
    key = runs.race_key(state)
    assert runs.race_key(replace(state, layout="overlay", tol=1e-2, present=True, lesson="x")) == key
    hyper = {**state.hyper, "adam": {**state.hyper["adam"], "lr": 0.05}}
    for other in (replace(state, steps=201), replace(state, seed=1), replace(state, hyper=hyper),
                  replace(state, optimizers=state.optimizers[::-1]),             # the order gives the colours
                  replace(state, start=(1.0, 1.0)), replace(state, surface_params={"condition": 10.0, "angle": 30.0})):
        assert runs.race_key(other) != key
    assert runs.race_key(replace(state, start=share.start_of(state))) == key  # the default start, spelled out


def test_shared_arrays_cannot_be_changed():
    state = share.default_state()
    tr = runs.trajectories(state)["adam"]
    with pytest.raises(ValueError, match="read-only"):
        tr.points[0, 0, 0] = 1.0
    grid = runs.contour(state.surface, runs.surface_items(state))
    for values in (grid.g, grid.z, grid.lines):
        with pytest.raises(ValueError, match="read-only"):
            values[0, 0] = 0.0


def test_shared_computes_once_for_callers_at_the_same_moment():
    calls = []

    @process.shared(max_entries=4)
    def slow(x: int) -> list[int]:
        calls.append(x)
        time.sleep(0.2)
        return [x]

    results = []
    threads = [threading.Thread(target=lambda: results.append(slow(7))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [7] and len(results) == 8 and all(r is results[0] for r in results)


def test_shared_keeps_at_most_max_entries():
    calls = []

    @process.shared(max_entries=2)
    def square(x: int) -> int:
        calls.append(x)
        return x * x

    assert [square(x) for x in (1, 2, 2, 3, 1)] == [1, 4, 4, 9, 1]
    assert calls == [1, 2, 3, 1]                  # 2 was kept; 3 pushed 1 out


def test_read_only_skips_missing_arrays():
    a = np.zeros(3)
    process.read_only(a, None)
    assert not a.flags.writeable
