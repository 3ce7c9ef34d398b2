"""``viz.study_figures``: the basins, sweep, spread and cloud figures show what the analysis computed."""
from __future__ import annotations

import base64
import json

import numpy as np
import plotly.io as pio
import pytest

import landscapes
from optimizers import studies
from viz import study_figures as va
from viz.figures import PALETTE, contour_grid


def decoded(fig) -> dict:
    """The figure as plain JSON (typed arrays decoded), as plotly.js receives it."""
    return json.loads(pio.to_json(fig, engine="json"))


def values(trace: dict, key: str) -> np.ndarray:
    """A trace's array, whether sent as a list or a base64 typed array."""
    raw = trace[key]
    if isinstance(raw, dict):
        flat = np.frombuffer(base64.b64decode(raw["bdata"]), dtype=np.dtype(raw["dtype"]))
        return flat.reshape([int(n) for n in raw["shape"].split(",")]) if "shape" in raw else flat
    return np.array(raw, dtype=float)


def finite_json(fig) -> str:
    text = fig.to_json()
    assert "NaN" not in text and "Infinity" not in text
    return text


@pytest.fixture(scope="module")
def wells():
    return landscapes.get("two_wells")


def test_basins_figure_colours_each_start_by_its_outcome(wells):
    basin = studies.basins(wells, "gd", 300, resolution=20, lr=0.02)
    fig = va.basins_figure(wells, basin, "Gradient descent", contour_grid(wells, 40))
    finite_json(fig)
    heat = decoded(fig)["data"][0]
    assert heat["type"] == "heatmap"
    z = values(heat, "z")
    assert np.array_equal(z, basin.outcome + 2)
    # the colour a code is drawn in is the colour the legend gives for that outcome
    legend = va.outcome_legend(wells, basin.is_global)           # in code order: diverged, not converged, minima
    assert len(legend) == 4 and heat["zmin"] == -0.5 and heat["zmax"] == len(legend) - 0.5
    for code, (_, color) in enumerate(legend):
        where = (code + 0.5) / len(legend)                          # the code's position on the colour scale
        below = [c for edge, c in heat["colorscale"] if edge <= where]
        above = [c for edge, c in heat["colorscale"] if edge >= where]
        assert below[-1] == above[0] == color
    share = basin.global_share
    assert f"{100 * share:.0f}% reach the global minimum" in fig.layout.title.text
    stars = [t for t in fig.data if t.type == "scatter"]
    assert np.allclose(values(decoded(fig)["data"][-1], "x"), wells.minima[:, 0], atol=1e-6) and len(stars) == 1


def test_outcome_legend_marks_global_minima_only_when_some_are_not(wells):
    text = [t for t, _ in va.outcome_legend(wells, studies.global_minima(wells))]
    assert text[:2] == ["diverged", "not converged"]
    assert sum("(global)" in t for t in text) == 1
    himmelblau = landscapes.get("himmelblau")
    text = [t for t, _ in va.outcome_legend(himmelblau, studies.global_minima(himmelblau))]
    assert len(text) == 6 and not any("(global)" in t for t in text)


def test_sweep_figure_marks_best_divergence_stable_range_and_current():
    land = landscapes.get("ravine")
    lrs = studies.lr_grid(1e-2, 10.0, 21)
    sweeps = [studies.lr_sweep(land, name, land.start, 150, lrs, lr=lr)
              for name, lr in (("gd", 1.8), ("adam", 0.3))]
    fig = va.sweep_figure(sweeps, ["GD", "Adam"], list(PALETTE[:2]), [1.8, 0.3])
    finite_json(fig)
    data = decoded(fig)["data"]
    gd = sweeps[0]
    line = next(t for t in data if t.get("name") == "GD" and t["xaxis"] == "x" and t["mode"] == "lines+markers")
    assert np.allclose(values(line, "x"), gd.lrs[gd.diverged_at < 0], rtol=1e-6)
    star = next(t for t in data if t.get("legendgroup") == "best" and t["x"] != [None])
    assert np.isclose(values(star, "x")[0], gd.lrs[gd.best], rtol=1e-6)
    cross = next(t for t in data if t.get("legendgroup") == "diverge" and t.get("y") == ["GD"])
    assert np.isclose(values(cross, "x")[0], gd.diverge_lr, rtol=1e-6)
    bar = next(t for t in data if t.get("y") == ["GD", "GD"])
    assert np.allclose(values(bar, "x"), gd.stable_range, rtol=1e-6)
    current = [t for t in data if t.get("legendgroup") == "current" and t["x"] != [None]]
    assert [c["y"] for c in current] == [["GD"], ["Adam"]]
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"


def test_spread_figure_draws_the_median_inside_its_band():
    land = landscapes.get("ravine")
    s = studies.spread(land, "sgd", land.start, 60, mode="seeds", n=40, lr=0.5, noise=1.0)
    fig = va.spread_figure([s], ["SGD"], [PALETTE[0]], land.min_value)
    finite_json(fig)
    high, low, median = (values(t, "y") for t in decoded(fig)["data"])
    assert np.allclose(median, np.maximum(s.loss_quantiles[1], studies.GAP_FLOOR), rtol=1e-6)
    assert np.all(low <= median) and np.all(median <= high) and np.any(low < high)
    assert fig.data[1].fill == "tonexty" and fig.layout.yaxis.type == "log"
    assert va.spread_figure([s], ["SGD"], [PALETTE[0]], None).layout.yaxis.type == "linear"


def test_cloud_figure_shows_starts_ends_and_divergences():
    land = landscapes.get("ravine")
    s = studies.spread(land, "gd", land.start, 80, mode="starts", n=30, radius=0.1, lr=2.1)
    gone = int(np.sum(s.diverged_at >= 0))
    assert 0 < gone < 30                                   # lr just above 2: only the steep starts blow up in time
    fig = va.cloud_figure(land, contour_grid(land, 40), s, "GD", PALETTE[0])
    finite_json(fig)
    by_name = {t["name"]: t for t in decoded(fig)["data"] if t.get("name")}
    assert len(values(by_name["start"], "x")) == 30
    assert len(values(by_name["end"], "x")) == 30 - gone and len(values(by_name["diverged"], "x")) == gone
    assert f"{gone} of 30 diverged" in fig.layout.title.text
