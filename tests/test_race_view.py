"""``viz.race_view``: the payloads the browser draws the race from, and the vendored plotly.js."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import plotly
import pytest

import landscapes
import optimizers
from viz import race_view
from viz.figures import PALETTE, MarkerSeries, Run, contour_grid
from viz.race_view import vendor_plotly


def f32(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype="<f4")


def run_of(surface: str, name: str, steps: int, color: int = 0, **hyper: float) -> Run:
    land = landscapes.get(surface)
    tr = optimizers.simulate(land, name, land.start, steps, **hyper)
    return Run(label=f"{name} (lr={hyper['lr']:g})", color=PALETTE[color], points=tr.points[:, 0],
               loss=tr.loss[:, 0], diverged_at=int(tr.diverged_at[0]))


@pytest.fixture(scope="module")
def rosen_runs() -> list[Run]:
    """A run that diverges (gd, lr=0.1) next to one that does not."""
    runs = [run_of("rosenbrock", "gd", 200, 0, lr=0.1), run_of("rosenbrock", "adam", 200, 1, lr=0.05)]
    assert runs[0].diverged_at > 0 and runs[1].diverged_at == -1
    return runs


def test_surface_payload_is_the_grid_bounds_and_minima():
    land = landscapes.get("himmelblau")
    grid = contour_grid(land, resolution=30)
    payload = race_view.surface_payload(land, grid)
    np.testing.assert_array_equal(f32(payload["x"]), grid.x)
    np.testing.assert_array_equal(f32(payload["g"]).reshape(30, 30), grid.g)     # row i is y[i]
    assert payload["scale"] == {"spacing": "log", "f_star": grid.scale.f_star, "floor": grid.scale.floor,
                                "refs": list(grid.scale.refs)}
    assert payload["levels"] == dict(zip(("start", "end", "size"), grid.levels, strict=True))
    assert payload["ticks"] == {"vals": list(grid.ticks[0]), "text": list(grid.ticks[1])}
    assert payload["bounds"] == [list(b) for b in land.bounds]
    np.testing.assert_allclose(payload["minima"], land.minima, rtol=1e-6)
    assert payload["label"] == grid.label
    json.dumps(payload, allow_nan=False)
    assert race_view.surface_payload(land, grid)["id"] == payload["id"]          # same surface, same id
    other = landscapes.get("ravine")
    assert race_view.surface_payload(other, contour_grid(other, resolution=30))["id"] != payload["id"]


def test_runs_payload_carries_every_point_and_loss_as_finite_float32(rosen_runs):
    payload = race_view.runs_payload(rosen_runs, "overlay", present=True, trails=12)
    assert (payload["layout"], payload["present"], payload["trails"]) == ("overlay", True, 12)
    for item, run in zip(payload["runs"], rosen_runs, strict=True):
        xy = np.column_stack([f32(item["x"]), f32(item["y"])])
        np.testing.assert_allclose(xy, run.points, rtol=1e-6)
        np.testing.assert_allclose(f32(item["f"]), np.clip(run.loss, None, np.finfo(np.float32).max), rtol=1e-6)
        assert np.all(np.isfinite(xy)) and np.all(np.isfinite(f32(item["f"])))
        assert (item["end"], item["diverged_at"], item["title"]) == (run.end, run.diverged_at, run.title)
        assert item["markers"] == [] and "g" not in item
    assert "diverged at step" in payload["runs"][0]["title"]


def test_revision_changes_exactly_when_something_drawn_changes(rosen_runs):
    base = race_view.runs_payload(rosen_runs)["revision"]
    assert race_view.runs_payload(rosen_runs)["revision"] == base
    assert race_view.runs_payload(rosen_runs, "overlay")["revision"] != base
    assert race_view.runs_payload(rosen_runs, trails=5)["revision"] != base
    assert race_view.runs_payload(rosen_runs[:1])["revision"] != base


def test_marker_series_go_out_per_step_with_non_finite_points_drawn_at_the_run(rosen_runs):
    run = rosen_runs[1]
    look = run.points + 0.5
    look[7] = np.nan
    with_markers = Run(run.label, run.color, run.points, run.loss, run.diverged_at,
                       markers=(MarkerSeries("look-ahead", look, "cross"),))
    (item,) = race_view.runs_payload([with_markers])["runs"]
    (marker,) = item["markers"]
    assert (marker["name"], marker["symbol"]) == ("look-ahead", "cross")
    xy = np.column_stack([f32(marker["x"]), f32(marker["y"])])
    np.testing.assert_allclose(np.delete(xy, 7, 0), np.delete(look, 7, 0), rtol=1e-6)
    np.testing.assert_allclose(xy[7], run.points[7], rtol=1e-6)
    short = Run(run.label, run.color, run.points, run.loss, -1, markers=(MarkerSeries("z", look[:5]),))
    with pytest.raises(ValueError, match="Invalid marker series 'z'"):
        race_view.runs_payload([short])


def test_marker_series_carry_their_link_and_ball(rosen_runs):
    run = rosen_runs[1]
    markers = (MarkerSeries("z", run.points + 0.1, "diamond", link=True),
               MarkerSeries("perturbed", run.points - 0.1, "x", radius=0.25),
               MarkerSeries("plain", run.points))
    items = race_view.runs_payload([Run(run.label, run.color, run.points, run.loss, -1, markers=markers)])
    z, perturbed, plain = items["runs"][0]["markers"]
    assert (z["link"], perturbed["link"], plain["link"]) == (True, False, False)
    assert perturbed["radius"] == 0.25 and "radius" not in z and "radius" not in plain
    unlinked = race_view.runs_payload([Run(run.label, run.color, run.points, run.loss, -1,
                                           markers=(MarkerSeries("z", run.points + 0.1, "diamond"),) + markers[1:])])
    assert unlinked["revision"] != items["revision"]          # drawn differently, so a new revision


def test_runs_payload_rejects_bad_input(rosen_runs):
    with pytest.raises(ValueError, match="Invalid layout"):
        race_view.runs_payload(rosen_runs, "grid")
    with pytest.raises(ValueError, match="Invalid runs"):
        race_view.runs_payload([])
    with pytest.raises(ValueError, match="Invalid trails"):
        race_view.runs_payload(rosen_runs, trails=-1)


def test_vendored_plotly_js_is_the_pinned_build_of_the_installed_plotly_version():
    """The committed bundle is byte for byte what vendor_plotly.py builds, and its plotly.js version is the one
    the installed ``plotly`` package serialises figures for."""
    data = race_view.PLOTLY_JS.read_bytes()
    assert hashlib.sha256(data).hexdigest() == vendor_plotly.SHA256
    header = re.compile(rb"plotly\.js[^\n]*? v(\d+\.\d+\.\d+)")
    package_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    installed = header.search(package_js.read_bytes()[:400]).group(1).decode()
    assert header.search(data[:400]).group(1).decode() == vendor_plotly.VERSION == installed
