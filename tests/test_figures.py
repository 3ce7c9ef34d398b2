"""``viz.figures``: frame selection, contour levels, loss and distance curves, the palette."""
from __future__ import annotations

import base64
import dataclasses
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from landscapes import get
from optimizers import simulate
from state import share, surfaces
from viz.figures import (
    N_LEVELS,
    PALETTE,
    Run,
    contour_grid,
    distance_figure,
    f32,
    frame_steps,
    loss_figure,
    surface_traces,
)


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

PIXEL = 1 / 500   # of the larger side of a surface's bounds: about one pixel of a race panel


def moving_part(points: np.ndarray, span: float) -> np.ndarray:
    """A drawn path up to the last step farther than a pixel from where it ends: a run at rest adds no points."""
    far = np.nonzero(np.linalg.norm(points - points[-1], axis=1) > PIXEL * span)[0]
    return points[:far[-1] + 2] if far.size else points[:1]


def levels_below(grid, land, points: np.ndarray) -> np.ndarray:
    """For each point, the drawn level lines strictly between it and its nearest listed minimum (or the grid's
    lowest value): the lines any way from the point to that minimum crosses."""
    start, end, size = grid.levels
    levels = np.arange(start, end + 1e-9 * size, size)
    here = grid.scale.lines(land.value(points) - grid.scale.f_star)
    if len(land.minima):
        there = grid.scale.lines(land.value(land.minima[land.nearest_minimum(points)[0]]) - grid.scale.f_star)
    else:
        there = np.full(len(points), grid.lines.min())
    return np.sum((levels > there[:, None]) & (levels < here[:, None]), axis=1)


def default_view_levels(surface: str, levels: str | None = None) -> np.ndarray:
    """``levels_below`` at every moving point of ``surface``'s default view (the default optimizers with the
    surface's suggested settings, its start, the default steps), optionally with another level spacing."""
    state = share.default_state(surface)
    land = share.landscape_of(state)
    if levels is not None:
        land = dataclasses.replace(land, levels=levels)
    grid = contour_grid(land)
    points = []
    for name in state.optimizers:
        tr = simulate(land, name, np.array(share.start_of(state)), state.steps, seed=state.seed, **state.hyper[name])
        end = tr.steps if tr.diverged_at[0] < 0 else max(int(tr.diverged_at[0]) - 1, 0)
        points.append(moving_part(tr.points[:end + 1, 0], float(np.max(land.span))))
    return levels_below(grid, land, np.concatenate(points))


@pytest.mark.parametrize("surface", surfaces.names())
def test_the_median_moving_path_point_of_every_default_view_has_three_levels_below_it(surface):
    counts = default_view_levels(surface)
    assert counts.size > 10 and np.median(counts) >= 3, (surface, np.median(counts))


def test_evenly_spaced_levels_leave_the_ravines_paths_in_the_lowest_band():
    """The picture issue 17 started from: linear levels put the ravine's moving paths inside the lowest band."""
    assert np.median(default_view_levels("ravine", "linear")) == 0
    assert np.median(default_view_levels("ravine", "sqrt")) < 3


@pytest.mark.parametrize("spacing", ["linear", "sqrt", "log"])
@pytest.mark.parametrize("name", ["ravine", "rosenbrock", "two_wells", "beale"])
def test_contour_grid_levels_are_level_sets_of_f_at_most_n_levels_inside_the_picture(name, spacing):
    land = dataclasses.replace(get(name), levels=spacing)
    grid = contour_grid(land, resolution=60)
    assert grid.z.shape == grid.lines.shape == (60, 60) and grid.x.shape == grid.y.shape == (60,)
    assert grid.z.dtype == np.float32 and np.all(np.isfinite(grid.z)) and np.all(np.isfinite(grid.lines))
    g = np.linspace(0.0, float(grid.g.max()), 2001)
    assert np.all(np.diff(grid.scale.lines(g)) >= 0) and np.all(np.diff(grid.scale.colors(g)) >= 0)  # increasing
    start, end, size = grid.levels
    n = int(np.floor((end - start) / size + 1e-9)) + 1
    assert 8 <= n <= N_LEVELS
    assert grid.lines.min() < start <= grid.lines.min() + size and start + (n - 1) * size <= end == grid.lines.max()
    p = np.stack(np.meshgrid(grid.x.astype(float), grid.y.astype(float)), axis=-1)
    np.testing.assert_allclose(grid.g, land.value(p) - grid.scale.f_star, rtol=1e-3)
    if spacing == "log":
        assert round(1 / size) in (1, 2, 3, 4, 5, 10)            # a line on every decade


def test_log_levels_above_one_minimum_are_log10_of_the_height():
    grid = contour_grid(get("rosenbrock"), resolution=61)
    scale = grid.scale
    assert scale.refs == (0.0,) and scale.f_star == 0.0 and grid.lines is grid.z
    g = grid.g.astype(float)
    np.testing.assert_allclose(grid.z, np.log10(g + scale.floor), rtol=1e-6, atol=1e-6)
    assert scale.floor == pytest.approx(g[g > 0].min())                   # the innermost ring the grid can draw
    assert grid.label == "f (log scale)"


def test_log_levels_crowd_towards_each_minimum_of_the_two_wells():
    land = get("two_wells")
    grid = contour_grid(land)
    values = land.value(land.minima)
    assert grid.scale.f_star == pytest.approx(values.min())
    np.testing.assert_allclose(grid.scale.refs, np.sort(values - values.min()), atol=1e-9)
    # Heights just above the shallow minimum: its own log term moves the lines, the colours (lowest minimum only)
    # barely change.
    shallow = values.max() - values.min()
    near = shallow + np.array([1e-3, 1e-2, 1e-1])
    assert np.all(np.diff(grid.scale.lines(near)) > 0.4) and np.all(np.diff(grid.scale.colors(near)) < 0.05)
    assert grid.label == "f − f* (log scale)"


@pytest.mark.parametrize("spacing", ["sqrt", "log"])
def test_colour_bar_ticks_are_heights_placed_where_the_colours_show_them(spacing):
    land = dataclasses.replace(get("beale"), levels=spacing)
    grid = contour_grid(land)
    at, text = grid.ticks
    assert len(at) >= 3 and len(at) == len(text)

    def number(label: str) -> float:                # "0.01", "200", "10⁵", "2×10⁻⁴"
        plain = label.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))
        if plain == label:
            return float(label)
        mantissa, _, power = plain.rpartition("×")
        return (float(mantissa) if mantissa else 1.0) * 10.0 ** int(power[2:])

    values = np.array([number(t) for t in text])
    np.testing.assert_allclose(at, grid.scale.colors(values), rtol=1e-9)
    assert np.all(np.diff(at) > 0) and grid.z.min() <= at[0] and at[-1] <= grid.z.max()
    bar = grid.colorbar()
    assert bar["tickvals"] == list(at) and bar["ticktext"] == list(text) and bar["title"]["text"] == grid.label


def test_linear_levels_are_f_with_plotlys_own_ticks():
    grid = contour_grid(dataclasses.replace(get("saddle"), levels="linear"), resolution=41)
    np.testing.assert_allclose(grid.z, grid.f, rtol=1e-6, atol=1e-7)
    assert grid.ticks == ((), ()) and "tickvals" not in grid.colorbar() and grid.label == "f"


def test_surface_traces_draw_the_grids_colours_and_its_level_lines_outside_the_legend():
    grid = contour_grid(get("two_wells"), resolution=40)
    heat, lines = surface_traces(grid)
    np.testing.assert_array_equal(heat.z, grid.z)
    np.testing.assert_array_equal(heat.customdata, grid.f)
    np.testing.assert_array_equal(lines.z, grid.lines)
    start, end, size = grid.levels
    assert (lines.contours.start, lines.contours.end, lines.contours.size) == (start, end, size)
    assert lines.autocontour is False and lines.contours.coloring == "none"
    assert heat.showlegend is False and lines.showlegend is False
    (only,) = surface_traces(grid, "black", colors=False)
    assert only.type == "contour" and only.line.color == "black"


def test_a_landscape_rejects_an_unknown_level_spacing():
    with pytest.raises(ValueError, match="Invalid level spacing: 'cubic'"):
        dataclasses.replace(get("ravine"), levels="cubic")


def test_contour_grid_heights_and_rounding():
    ls = get("ravine")
    grid = contour_grid(ls, resolution=31)
    p = np.stack(np.meshgrid(grid.x.astype(float), grid.y.astype(float)), axis=-1)
    np.testing.assert_allclose(grid.g, ls.value(p) - ls.min_value, rtol=1e-3, atol=1e-6)
    nonzero = grid.g[grid.g != 0].astype(float)
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


def test_run_bad_from_the_start_gives_finite_curves():
    big = np.finfo(np.float64).max  # what simulate() records for a start whose loss is not finite
    run = Run("bad start", PALETTE[0], np.full((11, 2), 3.0), np.full(11, big), diverged_at=0)
    assert run.end == 0 and run.title == "bad start — diverged at step 0"
    assert_all_finite(loss_figure([run], 0.0))
    assert_all_finite(distance_figure([run], get("ravine").minima))


# --- loss and distance ----------------------------------------------------------------------------

def test_loss_figure(rosen_runs):
    fig = loss_figure(rosen_runs, 0.0)
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.title.text == "Loss gap f(θ) − f* over the steps (log scale)"
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


def test_f32_is_the_one_float32_conversion_and_never_overflows():
    """Finite float64 beyond float32's range is clipped to its largest finite value, not turned into inf."""
    out = f32([1e300, -1e300, 1.5, 0.0])
    assert out.dtype == np.float32 and np.all(np.isfinite(out))
    assert out.tolist() == [float(np.finfo(np.float32).max), -float(np.finfo(np.float32).max), 1.5, 0.0]
