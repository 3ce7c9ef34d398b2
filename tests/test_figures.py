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
from viz.figures import (
    PALETTE,
    Run,
    contour_grid,
    distance_figure,
    frame_steps,
    loss_figure,
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
