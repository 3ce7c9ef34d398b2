"""Figures of the teaching mode: the step inspector, the 3D view and the GIF for slides."""
from __future__ import annotations

import base64
import io
import itertools

import numpy as np
import pytest
from PIL import Image

import landscapes
import optimizers
from optimizers.explain import explain
from optimizers.registry import suggested
from optimizers.simulation import replay
from viz import figures, race_view
from viz.gif import race_gif
from viz.inspector import GRADIENT_COLOR, MOMENT_COLOR, inspector_figure, view_box
from viz.surface3d import lift, surface_figure


def make_runs(land: landscapes.Landscape, names: tuple[str, ...], steps: int, **extra) -> list[figures.Run]:
    out = []
    for i, name in enumerate(names):
        tr = optimizers.simulate(land, name, land.start, steps, **{**suggested(land.suggested, name), **extra})
        out.append(figures.Run(label=name, color=figures.PALETTE[i], points=tr.points[:, 0], loss=tr.loss[:, 0],
                               diverged_at=int(tr.diverged_at[0])))
    return out


# --- inspector ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", optimizers.names())
def test_inspector_arrows_are_the_steps_own_vectors(name):
    land = landscapes.get("rosenbrock")
    hyper = suggested(land.suggested, name)
    tr = optimizers.simulate(land, name, land.start, 6, **hyper)
    rec = list(itertools.islice(replay(land, name, land.start, 6, **hyper), 4))[-1]
    arrows = {a.label.split(":")[0]: a for a in explain(land, name, rec).arrows}
    update = arrows["Δθ"]
    assert np.array_equal(update.origin, tr.points[3, 0])
    assert np.allclose(update.origin + update.vector, tr.points[4, 0], rtol=1e-13, atol=1e-15)
    assert np.allclose(arrows["−γ·g"].vector, -rec.hp["lr"] * tr.grads[3, 0])
    assert (len(arrows) == 3) == (tr.moments is not None)
    if name in ("momentum", "nag"):          # momentum's share and the gradient step add up to the update
        parts = [a.vector for key, a in arrows.items() if key != "Δθ"]
        assert np.allclose(parts[0] + parts[1], update.vector, rtol=1e-12, atol=1e-15)


def test_nesterov_gradient_arrow_starts_at_the_look_ahead_point():
    land = landscapes.get("ravine")
    rec = list(itertools.islice(replay(land, "nag", land.start, 5, lr=0.5, momentum=0.9), 3))[-1]
    view = explain(land, "nag", rec)
    momentum, gradient, update = view.arrows
    ahead = rec.theta[0] - 0.9 * rec.state.trace[0]                     # θ − μ v_{t-1}
    assert np.allclose(momentum.origin + momentum.vector, ahead) and np.allclose(gradient.origin, ahead)
    assert np.allclose(view.marks[0].point, ahead) and view.marks[0].color is None   # drawn in the gradient's colour
    assert np.allclose(gradient.origin + gradient.vector, update.origin + update.vector)     # head to tail
    assert np.allclose(land.grad(ahead), rec.step.grad[0])


def test_inspector_figure_zooms_onto_the_step_and_draws_each_arrow():
    land = landscapes.get("ravine")
    steps = 60
    tr = optimizers.simulate(land, "momentum", land.start, steps, lr=0.5, momentum=0.8)
    rec = list(replay(land, "momentum", land.start, steps, lr=0.5, momentum=0.8))[-1]
    view = explain(land, "momentum", rec)
    arrows = view.arrows
    fig = inspector_figure(land, tr.points[:, 0], view, "#56B4E9")
    assert len(fig.layout.annotations) == 3
    assert [a.arrowcolor for a in fig.layout.annotations] == [GRADIENT_COLOR, MOMENT_COLOR, "#56B4E9"]
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    for p in (tr.points[-1, 0], tr.points[-2, 0], *[a.origin + a.vector for a in arrows]):
        assert x0 <= p[0] <= x1 and y0 <= p[1] <= y1
    assert x1 - x0 < 0.5 * land.span[0]                      # zoomed in: late steps are small
    assert x1 - x0 == pytest.approx(y1 - y0)                 # square, so arrows are to scale in both axes


def test_view_box_has_a_minimum_size():
    land = landscapes.get("rosenbrock")
    (x0, x1), (y0, y1) = view_box(np.array([[1.0, 1.0], [1.0, 1.0]]), land)
    assert x1 - x0 > 0 and x1 - x0 == pytest.approx(0.02 * land.span.max())


# --- 3D view ---------------------------------------------------------------------------------------------

def test_lift_reproduces_the_grid_and_interpolates_linearly():
    grid = figures.contour_grid(landscapes.get("himmelblau"))
    nodes = np.stack(np.meshgrid(grid.x.astype(float), grid.y.astype(float)), axis=-1)
    assert np.array_equal(lift(grid, nodes), grid.z.astype(float))
    mid = (nodes[3, 4] + nodes[3, 5]) / 2
    assert lift(grid, mid) == pytest.approx((float(grid.z[3, 4]) + float(grid.z[3, 5])) / 2, rel=1e-6)


@pytest.mark.parametrize("surface", ["rosenbrock", "ravine"])
def test_surface_figure_uses_the_race_frames_and_lifts_paths_onto_the_surface(surface):
    land = landscapes.get(surface)
    grid = figures.contour_grid(land)
    runs = make_runs(land, ("gd", "adam"), 250)
    fig = surface_figure(land, grid, runs)
    assert [f.name for f in fig.frames] == [str(s) for s in figures.frame_steps(250, figures.MAX_FRAMES)]
    surface_trace = fig.data[0]
    assert surface_trace.type == "surface"
    assert np.array_equal(np.asarray(surface_trace.z), grid.z)
    lines = [t for t in fig.data if t.type == "scatter3d" and t.mode == "lines"]
    assert len(lines) == 2
    for trace, run in zip(lines, runs, strict=True):
        xy = np.column_stack([trace.x, trace.y]).astype(float)
        above = np.asarray(trace.z, dtype=float) - lift(grid, xy)
        assert np.all(above > 0) and np.ptp(above) < 1e-3 * np.ptp(grid.z) + 1e-5   # a constant small lift
        assert np.allclose(xy[-1], run.points[-1], atol=1e-5)
    last = fig.frames[-1].data
    assert np.allclose([last[1].x[0], last[1].y[0]], runs[0].points[-1], atol=1e-5)


def test_surface_figure_heights_are_the_contour_colours_ticked_in_f():
    land = landscapes.get("rosenbrock")
    grid = figures.contour_grid(land)
    fig = surface_figure(land, grid, make_runs(land, ("adam",), 20))
    np.testing.assert_array_equal(fig.data[0].z, grid.z)
    np.testing.assert_allclose(fig.data[0].customdata, land.value(np.stack(np.meshgrid(grid.x, grid.y), -1)),
                               rtol=1e-3, atol=1e-6)                          # the hover gives f
    zaxis = fig.layout.scene.zaxis
    assert zaxis.title.text == grid.label == "f (log scale)"
    assert list(zaxis.tickvals) == list(grid.ticks[0]) and list(zaxis.ticktext) == list(grid.ticks[1])


# --- GIF ---------------------------------------------------------------------------------------------------

def test_gif_is_a_slide_sized_animation_of_the_race_frames():
    land = landscapes.get("ravine")
    runs = make_runs(land, ("gd", "momentum"), 200)
    data = race_gif(land, figures.contour_grid(land), runs, max_frames=40)
    image = Image.open(io.BytesIO(data))
    assert image.format == "GIF"
    assert image.size == (960, 540)
    assert image.n_frames == len(figures.frame_steps(200, 40))
    assert image.info["loop"] == 0


def test_gif_draws_each_run_where_the_run_is():
    land = landscapes.get("ravine")
    runs = make_runs(land, ("momentum",), 120)
    grid = figures.contour_grid(land)
    size = (800, 450)
    image = Image.open(io.BytesIO(race_gif(land, grid, runs, size=size, max_frames=10)))
    # The panel is placed as race_gif places it: height-filling, aspect kept, left margin 24.
    (x0, x1), (y0, y1) = land.bounds
    scale = min((size[1] - 48) / (y1 - y0), 0.62 * size[0] / (x1 - x0))
    top = (size[1] - int((y1 - y0) * scale)) // 2

    def colour_at(frame: int, p: np.ndarray) -> np.ndarray:
        image.seek(frame)
        rgb = np.asarray(image.convert("RGB"), dtype=int)
        col, row = int(24 + (p[0] - x0) * scale), int(top + (y1 - p[1]) * scale)
        return rgb[row - 2:row + 3, col - 2:col + 3].reshape(-1, 3)

    want = np.array([int(runs[0].color[i:i + 2], 16) for i in (1, 3, 5)])
    end = runs[0].points[-1]
    assert np.min(np.abs(colour_at(image.n_frames - 1, end) - want).sum(axis=1)) < 30    # the marker is there
    assert np.min(np.abs(colour_at(0, end) - want).sum(axis=1)) > 60                     # and not at the start


def test_gif_needs_a_run():
    land = landscapes.get("ravine")
    with pytest.raises(ValueError, match="at least one run"):
        race_gif(land, figures.contour_grid(land), [])


# --- hover in the race view ----------------------------------------------------------------------------------

def test_race_payload_carries_each_steps_gradient_for_the_hover():
    land = landscapes.get("rosenbrock")
    tr = optimizers.simulate(land, "adam", land.start, 50, lr=0.05)
    run = figures.Run(label="adam", color=figures.PALETTE[0], points=tr.points[:, 0], loss=tr.loss[:, 0],
                      diverged_at=-1, grads=tr.grads[:, 0])
    (item,) = race_view.runs_payload([run])["runs"]
    grads = np.frombuffer(base64.b64decode(item["g"]), dtype="<f4").reshape(-1, 2)
    np.testing.assert_allclose(grads, tr.grads[:, 0], rtol=1e-6, atol=1e-30)
    points = np.column_stack([np.frombuffer(base64.b64decode(item[k]), dtype="<f4") for k in "xy"])
    np.testing.assert_allclose(np.diff(points, axis=0), tr.updates[:, 0], rtol=1e-4, atol=1e-6)   # the update shown
