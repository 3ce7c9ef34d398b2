"""``viz.figures``: frame selection, contour levels, the animated race, loss curves and the HTML export."""
from __future__ import annotations

import base64
import dataclasses
import json
import re
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from landscapes import get
from optimizers import simulate
from viz import figures
from viz.figures import (
    PALETTE,
    Run,
    contour_grid,
    distance_figure,
    frame_steps,
    loss_figure,
    race_figure,
    standalone_html,
)


def frames_of(fig) -> list[SimpleNamespace]:
    """The figure's frames as sent to the browser (frames are attached unvalidated), typed arrays decoded."""
    def decode(value):
        if isinstance(value, dict) and "bdata" in value:
            return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        return value

    class Trace(SimpleNamespace):
        def __getitem__(self, key):
            return getattr(self, key)

    return [SimpleNamespace(name=f["name"], traces=f["traces"],
                            data=[Trace(**{k: decode(v) for k, v in t.items()}) for t in f["data"]])
            for f in fig.to_dict()["frames"]]

def make_run(surface: str, optimizer: str, steps: int, color: int = 0, **hp: float) -> Run:
    ls = get(surface)
    tr = simulate(ls, optimizer, ls.start, steps, **hp)
    return Run(label=f"{optimizer} {hp}", color=PALETTE[color], points=tr.points[:, 0], loss=tr.loss[:, 0],
               diverged_at=int(tr.diverged_at[0]))


@pytest.fixture(scope="module")
def ravine_runs() -> list[Run]:
    settings = [("gd", {"lr": 1.8}), ("momentum", {"lr": 0.5, "momentum": 0.8}), ("adam", {"lr": 0.3}),
                ("rmsprop", {"lr": 0.05})]
    return [make_run("ravine", opt, 200, i, **hp) for i, (opt, hp) in enumerate(settings)]


@pytest.fixture(scope="module")
def rosen_runs() -> list[Run]:
    """A run that diverges at step 2 (gd, lr=0.1) next to one that does not."""
    runs = [make_run("rosenbrock", "gd", 200, 0, lr=0.1), make_run("rosenbrock", "adam", 200, 1, lr=0.05)]
    assert runs[0].diverged_at > 0 and runs[1].diverged_at == -1
    return runs


@pytest.fixture(scope="module")
def rosen_fig(rosen_runs):
    ls = get("rosenbrock")
    return race_figure(ls, contour_grid(ls), rosen_runs)


def arrays(obj):
    """Every numeric leaf (as an array) of a nested plotly dict."""
    if isinstance(obj, dict) and "bdata" in obj:  # plotly.js typed array
        yield np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from arrays(value)
    elif isinstance(obj, (list, tuple)):
        if obj and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in obj):
            yield np.asarray(obj, dtype=float)
        else:
            for value in obj:
                yield from arrays(value)
    elif isinstance(obj, np.ndarray) and obj.dtype.kind in "fiu":
        yield obj
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        yield np.asarray(obj, dtype=float)


def assert_all_finite(fig) -> None:
    d = fig.to_dict()
    for part in (d["data"], d.get("frames", [])):
        for arr in arrays(part):
            assert np.all(np.isfinite(arr)), arr


def animated_indices(fig) -> list[int]:
    return [i for i, t in enumerate(fig.data) if t.type == "scatter" and t.name not in ("minimum", "start")]


def xy(trace) -> np.ndarray:
    return np.column_stack([trace["x"], trace["y"]])


# --- frame_steps ----------------------------------------------------------------------------------

@pytest.mark.parametrize("max_frames", [1, 10, 120])
@pytest.mark.parametrize("steps", [0, 1, 5, 120, 121, 500, 10_000])
def test_frame_steps_table(steps, max_frames):
    f = frame_steps(steps, max_frames)
    assert f[0] == 0 and f[-1] == steps
    assert np.all(np.diff(f) > 0)
    assert len(f) <= max_frames + 1
    assert f.dtype.kind == "i"
    if steps <= max_frames:
        assert list(f) == list(range(steps + 1))
    else:
        assert len(f) == max_frames + 1


@given(st.integers(0, 20_000), st.integers(1, 500))
def test_frame_steps_properties(steps, max_frames):
    f = frame_steps(steps, max_frames)
    assert f[0] == 0 and f[-1] == steps and np.all(np.diff(f) > 0) and len(f) <= max_frames + 1
    gaps = np.diff(f)
    assert len(gaps) == 0 or gaps.max() - gaps.min() <= 1  # evenly spaced


@pytest.mark.parametrize("steps, max_frames", [(-1, 10), (5, 0)])
def test_frame_steps_rejects_bad_input(steps, max_frames):
    with pytest.raises(ValueError, match="Invalid frame request"):
        frame_steps(steps, max_frames)


# --- contour_grid ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name, log", [
    ("rosenbrock", True), ("beale", True),
    ("ravine", False), ("saddle", False), ("rastrigin", False), ("two_wells", False),
    ("linear_regression", False), ("logistic_regression", False),
])
def test_contour_grid_level_choice(name, log):
    grid = contour_grid(get(name), resolution=60)
    assert grid.log is log
    assert grid.label == ("log10(f − f*)" if log else "f")
    assert grid.z.shape == (60, 60) and grid.x.shape == grid.y.shape == (60,)
    assert grid.z.dtype == np.float32 and np.all(np.isfinite(grid.z))


def test_contour_grid_linear_values_and_rounding():
    ls = get("ravine")
    grid = contour_grid(ls, resolution=31)
    p = np.stack(np.meshgrid(grid.x.astype(float), grid.y.astype(float)), axis=-1)
    np.testing.assert_allclose(grid.z, ls.value(p), rtol=1e-3, atol=1e-6)
    nonzero = grid.z[grid.z != 0].astype(float)
    mantissa = nonzero / 10.0 ** (np.floor(np.log10(np.abs(nonzero))) - 3)
    np.testing.assert_allclose(mantissa, np.round(mantissa), atol=1e-2)  # 4 significant digits


def test_contour_grid_replaces_non_finite_values():
    ls = get("ravine")

    def value(p):
        f = ls.value(p)
        return np.where(p[..., 0] > 5, np.inf, np.where(p[..., 1] > 5, np.nan, f))

    grid = contour_grid(dataclasses.replace(ls, value=value), resolution=41)
    assert np.all(np.isfinite(grid.z))
    assert grid.z[-1, -1] == grid.z.max()


# --- race_figure ----------------------------------------------------------------------------------

@pytest.mark.parametrize("n_runs", [1, 2, 3, 4])
def test_side_layout_has_one_panel_per_run(ravine_runs, n_runs):
    ls = get("ravine")
    fig = race_figure(ls, contour_grid(ls), ravine_runs[:n_runs], layout="side")
    contours = [t for t in fig.data if t.type == "contour"]
    assert len(contours) == n_runs
    assert len({(t.xaxis, t.yaxis) for t in contours}) == n_runs
    assert {t.coloraxis for t in contours} == {"coloraxis"}  # one shared colour bar
    assert fig.layout.coloraxis.colorbar.title.text == "f"
    assert [a.text.replace("<br>", " ") for a in fig.layout.annotations] == [r.label for r in ravine_runs[:n_runs]]
    assert fig.layout.height == 420 * -(-n_runs // 2)  # two columns


def test_overlay_layout_has_one_panel_and_a_legend(ravine_runs):
    ls = get("ravine")
    fig = race_figure(ls, contour_grid(ls), ravine_runs, layout="overlay")
    assert sum(t.type == "contour" for t in fig.data) == 1
    assert {(t.xaxis, t.yaxis) for t in fig.data} == {("x", "y")}
    assert fig.layout.showlegend and fig.layout.legend.orientation == "h"
    legend = [t.name for t in fig.data if t.type == "scatter" and t.showlegend is not False]
    assert [r.label for r in ravine_runs] == [n for n in legend if n not in ("minimum", "start")]
    paths = [t for t in fig.data if t.type == "scatter" and t.mode == "lines+markers"]
    assert [t.line.color for t in paths] == [r.color for r in ravine_runs]
    assert fig.layout.height == 600


def test_frames_carry_only_trajectory_traces(ravine_runs):
    ls = get("ravine")
    fig = race_figure(ls, contour_grid(ls), ravine_runs)
    animated = animated_indices(fig)
    assert len(animated) == 2 * len(ravine_runs)
    assert len(frames_of(fig)) == figures.MAX_FRAMES + 1
    for frame in frames_of(fig):
        assert list(frame.traces) == animated
        assert len(frame.data) == len(animated)
        assert all(t.type == "scatter" for t in frame.data)
        assert all(t.type == "scatter" for t in (fig.data[i] for i in frame.traces))


def test_every_number_is_finite_float32(rosen_fig, ravine_runs):
    assert_all_finite(rosen_fig)
    ls = get("ravine")
    assert_all_finite(race_figure(ls, contour_grid(ls), ravine_runs, layout="overlay"))
    for frame in frames_of(rosen_fig):
        for t in frame.data:
            assert t.x.dtype == t.y.dtype == np.float32


def test_animation_controls(rosen_fig):
    steps = frame_steps(200, figures.MAX_FRAMES)
    assert [f.name for f in frames_of(rosen_fig)] == [str(s) for s in steps]
    (slider,) = rosen_fig.layout.sliders
    assert slider.active == len(steps) - 1
    assert [s.label for s in slider.steps] == [str(s) for s in steps]
    assert [list(s.args[0]) for s in slider.steps] == [[str(s)] for s in steps]
    assert slider.currentvalue.prefix == "step "
    (menu,) = rosen_fig.layout.updatemenus
    play, pause = (json.loads(json.dumps(b.args)) for b in menu.buttons)
    assert play == figures.PLAY_ARGS and pause == figures.PAUSE_ARGS
    assert play[1]["frame"] == {"duration": 60, "redraw": False} and pause[0] == [None]
    assert rosen_fig.layout.uirevision


def test_initial_state_is_the_last_frame(rosen_fig, rosen_runs):
    animated = animated_indices(rosen_fig)
    last = frames_of(rosen_fig)[-1]
    for i, trace in zip(animated, last.data, strict=True):
        np.testing.assert_array_equal(xy(rosen_fig.data[i]), xy(trace))
    full = rosen_runs[1]
    np.testing.assert_allclose(xy(last.data[2]), full.points, rtol=1e-6)
    np.testing.assert_allclose(xy(last.data[3]), full.points[-1:], rtol=1e-6)
    first = frames_of(rosen_fig)[0]
    for run, path in zip(rosen_runs, first.data[::2], strict=True):
        np.testing.assert_allclose(xy(path), run.points[:1], rtol=1e-6)


def test_paths_grow_frame_by_frame(ravine_runs):
    ls = get("ravine")
    fig = race_figure(ls, contour_grid(ls), ravine_runs[:1], max_frames=20)
    for frame, step in zip(frames_of(fig), frame_steps(200, 20), strict=True):
        path, marker = frame.data
        np.testing.assert_allclose(xy(path), ravine_runs[0].points[:step + 1], rtol=1e-6, atol=1e-30)
        np.testing.assert_allclose(xy(marker), ravine_runs[0].points[step:step + 1], rtol=1e-6, atol=1e-30)


def test_diverged_run_stops_at_its_last_finite_point(rosen_fig, rosen_runs):
    run = rosen_runs[0]
    n = run.diverged_at
    assert rosen_fig.layout.annotations[0].text.replace("<br>", " ") == f"{run.label} — diverged at step {n}"
    path_index, marker_index = animated_indices(rosen_fig)[:2]
    path, marker = rosen_fig.data[path_index], rosen_fig.data[marker_index]
    assert len(path.x) == n
    np.testing.assert_allclose(xy(path), run.points[:n], rtol=1e-6)
    np.testing.assert_allclose(xy(marker), run.points[n - 1:n], rtol=1e-6)
    for frame in frames_of(rosen_fig):
        assert len(frame.data[0].x) <= n
        np.testing.assert_allclose(xy(frame.data[1])[0], run.points[min(int(frame.name), n - 1)], rtol=1e-6)


def test_run_bad_from_the_start_shows_only_its_start():
    big = np.finfo(np.float64).max  # what simulate() records for a start whose loss is not finite
    run = Run("bad start", PALETTE[0], np.full((11, 2), 3.0), np.full(11, big), diverged_at=0)
    ls = get("ravine")
    fig = race_figure(ls, contour_grid(ls, resolution=20), [run])
    assert_all_finite(fig)
    assert fig.layout.annotations[0].text.replace("<br>", " ") == "bad start — diverged at step 0"
    for frame in frames_of(fig):
        assert len(frame.data[0].x) == 1 and list(frame.data[1].x) == [3.0]
    assert_all_finite(loss_figure([run], 0.0))
    assert_all_finite(distance_figure([run], ls.minima))


def test_hover_data_match_the_points(rosen_fig, rosen_runs):
    path = rosen_fig.data[animated_indices(rosen_fig)[2]]
    steps, loss = np.asarray(path.customdata).T
    np.testing.assert_array_equal(steps, np.arange(201))
    np.testing.assert_allclose(loss, rosen_runs[1].loss, rtol=1e-6)
    assert "customdata[0]" in path.hovertemplate and path.text is None


def test_figure_json_is_small(ravine_runs):
    ls = get("ravine")
    grid = contour_grid(ls, resolution=90)
    for layout in ("side", "overlay"):
        size = len(race_figure(ls, grid, ravine_runs, layout=layout).to_json())
        print(f"race_figure {layout}, 4 runs x 200 steps, 90x90 grid: {size:,} bytes")
        assert size < 1_000_000


def test_long_paths_are_thinned_but_keep_every_frame_step():
    run = make_run("ravine", "gd", 3000, lr=1.8)
    ls = get("ravine")
    fig = race_figure(ls, contour_grid(ls, resolution=40), [run])
    path = fig.data[animated_indices(fig)[0]]
    steps = np.asarray(path.customdata)[:, 0].astype(int)
    assert len(steps) <= figures.MAX_PATH_POINTS + figures.MAX_FRAMES + 1
    assert set(frame_steps(3000, figures.MAX_FRAMES)) <= set(steps)
    assert np.all(np.diff(steps) > 0) and (np.diff(steps) % 2 == 1).any()  # odd stride shows zigzags
    np.testing.assert_allclose(xy(path), run.points[steps], rtol=1e-6, atol=1e-30)
    for frame in frames_of(fig):
        assert len(frame.data[0].x) == np.sum(steps <= int(frame.name))


def test_race_figure_rejects_bad_input(ravine_runs):
    ls = get("ravine")
    grid = contour_grid(ls, resolution=20)
    with pytest.raises(ValueError, match="Invalid layout"):
        race_figure(ls, grid, ravine_runs, layout="grid")
    with pytest.raises(ValueError, match="Invalid runs"):
        race_figure(ls, grid, [])


def test_custom_height_and_minima_markers(ravine_runs):
    ls = get("himmelblau")
    fig = race_figure(ls, contour_grid(ls, resolution=30), ravine_runs[:2], height=500)
    assert fig.layout.height == 500
    stars = [t for t in fig.data if t.name == "minimum"]
    assert len(stars) == 2 and all(len(t.x) == 4 and t.marker.symbol == "star" for t in stars)


# --- loss and distance ----------------------------------------------------------------------------

def test_loss_figure(rosen_runs):
    fig = loss_figure(rosen_runs, 0.0)
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.title.text == "Loss gap f(θ) − f* (log scale)"
    assert_all_finite(fig)
    diverged, cross, fine = fig.data
    n = rosen_runs[0].diverged_at
    assert len(diverged.x) == n and cross.mode == "markers" and cross.marker.symbol == "x"
    assert list(cross.x) == [n] and cross.y[0] == diverged.y[-1]
    assert len(fine.x) == 201 and np.all(np.asarray(fine.y) >= 1e-16)
    assert fine.line.color == rosen_runs[1].color


def test_loss_figure_clips_at_or_below_the_optimum():
    run = Run("flat", PALETTE[0], np.zeros((3, 2)), np.array([1.0, 0.0, -1e-3]), -1)
    (trace,) = loss_figure([run], 0.0).data
    np.testing.assert_allclose(trace.y, [1.0, 1e-16, 1e-16], rtol=1e-6)


def test_distance_figure(rosen_runs):
    minima = get("rosenbrock").minima
    fig = distance_figure(rosen_runs, minima)
    assert fig.layout.yaxis.type == "log"
    assert_all_finite(fig)
    expected = np.maximum(np.linalg.norm(rosen_runs[1].points - minima[0], axis=1), 1e-16)
    np.testing.assert_allclose(fig.data[-1].y, expected, rtol=1e-6)


def test_distance_figure_without_minima(rosen_runs):
    fig = distance_figure(rosen_runs, np.empty((0, 2)))
    assert len(fig.data) == 0
    assert [a.text for a in fig.layout.annotations] == ["no known minima"]


# --- palette and export ---------------------------------------------------------------------------

def test_palette_is_distinct_hex_colours():
    assert len(PALETTE) >= 10 and len(set(PALETTE)) == len(PALETTE)
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in PALETTE)


def test_standalone_html_is_offline(rosen_fig):
    html = standalone_html(rosen_fig)
    assert html.lstrip().lower().startswith("<!doctype html>") and "Plotly.newPlot" in html
    assert "plotly.js v" in html  # the library itself is inlined
    assert not re.search(r"<script[^>]*\bsrc=", html)  # nothing loaded from a CDN
    assert 'src="https://cdn.plot.ly' not in html
    assert '"frames"' in html or "addFrames" in html
