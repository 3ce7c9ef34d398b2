"""The surface in 3D with every run's path lifted onto it, animated on the race figure's frames.

Heights are the contour grid's own colour values (``ContourGrid.z``, for instance log10 of ``f − f*``
where the surface's levels are log-spaced), so the 3D view and the contour agree.  A path point is lifted by
bilinear interpolation of that grid, which puts it on the drawn surface (Plotly draws the surface
between grid points the same way), plus a small lift so the line stays visible.  Plotly redraws
3D scenes on every frame, so paths go out subsampled.  No Streamlit here.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from landscapes.base import Landscape
from viz.figures import COLORSCALE, MAX_FRAMES, ContourGrid, Run, frame_steps

Array = np.ndarray
MAX_PATH_POINTS_3D = 300   # per run; the path is drawn through a subsample plus every frame's step
LIFT = 0.015               # paths float this share of the height range above the surface
HEIGHT = 560
FRAME_MS = 80


def lift(grid: ContourGrid, points: Array, values: Array | None = None) -> Array:
    """Bilinear interpolation of ``values`` (default ``grid.z``) at ``points`` (..., 2), clamped to the grid's edges."""
    x, y = np.asarray(grid.x, np.float64), np.asarray(grid.y, np.float64)
    z = np.asarray(grid.z if values is None else values, np.float64)
    px = np.clip(points[..., 0], x[0], x[-1])
    py = np.clip(points[..., 1], y[0], y[-1])
    j = np.clip(np.searchsorted(x, px) - 1, 0, len(x) - 2)
    i = np.clip(np.searchsorted(y, py) - 1, 0, len(y) - 2)
    u = (px - x[j]) / (x[j + 1] - x[j])
    v = (py - y[i]) / (y[i + 1] - y[i])
    return ((1 - u) * (1 - v) * z[i, j] + u * (1 - v) * z[i, j + 1]
            + (1 - u) * v * z[i + 1, j] + u * v * z[i + 1, j + 1])


def _ticks(grid: ContourGrid) -> dict:
    """The height axis ticked like the colour bar: positions in z, labels in f − f*."""
    vals, text = grid.ticks
    return {"tickmode": "array", "tickvals": list(vals), "ticktext": list(text)} if vals else {}


def _path_steps(run: Run, frames: Array) -> Array:
    """An odd-stride subsample of the steps (keeps a period-2 zigzag visible) plus every frame's step."""
    end = run.end
    stride = -(-(end + 1) // MAX_PATH_POINTS_3D) | 1
    return np.union1d(np.arange(0, end + 1, stride), np.append(np.minimum(frames, end), end))


def _state(run: Run, heights: Array, path: Array, step: int) -> tuple[dict, dict]:
    now = min(step, run.end)
    shown = path[path <= now]
    path, here = np.column_stack([run.points[shown], heights[shown]]), np.append(run.points[now], heights[now])
    path, here = path.astype(np.float32), here[None, :].astype(np.float32)      # compact base64 arrays
    return ({"x": path[:, 0], "y": path[:, 1], "z": path[:, 2]}, {"x": here[:, 0], "y": here[:, 1], "z": here[:, 2]})


def _controls(frames: Array) -> dict:
    """Play/Pause and a step slider; 3D traces need ``redraw`` on every frame."""
    def animate(duration: int) -> dict:
        return {"frame": {"duration": duration, "redraw": True}, "mode": "immediate", "transition": {"duration": 0}}

    return {
        "updatemenus": [{"type": "buttons", "direction": "left", "showactive": False, "x": 0, "y": 0,
                         "xanchor": "left", "yanchor": "top", "pad": {"t": 30, "r": 8},
                         "buttons": [{"label": "▶ Play", "method": "animate",
                                      "args": [None, {**animate(FRAME_MS), "fromcurrent": True}]},
                                     {"label": "❚❚ Pause", "method": "animate", "args": [[None], animate(0)]}]}],
        "sliders": [{"active": len(frames) - 1, "x": 0.22, "len": 0.78, "y": 0, "yanchor": "top", "pad": {"t": 20},
                     "currentvalue": {"prefix": "step ", "xanchor": "right"}, "transition": {"duration": 0},
                     "steps": [{"label": str(s), "method": "animate", "args": [[str(s)], animate(0)]}
                               for s in frames]}],
    }


def surface_figure(landscape: Landscape, grid: ContourGrid, runs: list[Run], max_frames: int = MAX_FRAMES) -> go.Figure:
    """The 3D surface with all runs, one Play/Pause and one step slider over ``frame_steps(steps, max_frames)``."""
    if not runs:
        raise ValueError("Invalid runs: at least one run is needed")
    z = np.asarray(grid.z, np.float64)
    offset = LIFT * float(np.ptp(z) or 1.0)
    fig = go.Figure(go.Surface(
        x=grid.x, y=grid.y, z=grid.z, customdata=grid.f, colorscale=COLORSCALE, showscale=False, opacity=0.92,
        name="surface", hovertemplate="(%{x:.3g}, %{y:.3g})<br>f = %{customdata:.4g}<extra></extra>",
        contours={"z": {"show": True, "usecolormap": False, "color": "rgba(255,255,255,0.25)", "width": 1}},
    ))
    if len(landscape.minima):
        fig.add_trace(go.Scatter3d(
            x=landscape.minima[:, 0], y=landscape.minima[:, 1], z=lift(grid, landscape.minima) + offset,
            mode="markers", name="minimum", marker={"symbol": "diamond", "size": 5, "color": "#111827"},
            hovertemplate="minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
        ))
    frames = frame_steps(max(run.steps for run in runs), max_frames)
    heights = [lift(grid, run.points) + offset for run in runs]
    paths = [_path_steps(run, frames) for run in runs]
    animated = []
    for k, run in enumerate(runs):
        path, marker = _state(run, heights[k], paths[k], run.steps)
        fig.add_trace(go.Scatter3d(**path, mode="lines", name=run.title, legendgroup=str(k),
                                   line={"color": run.color, "width": 5}, hoverinfo="skip"))
        fig.add_trace(go.Scatter3d(**marker, mode="markers", name=run.title, legendgroup=str(k), showlegend=False,
                                   marker={"color": run.color, "size": 6, "line": {"color": "black", "width": 1}},
                                   hovertemplate="(%{x:.4g}, %{y:.4g})<extra>%{fullData.name}</extra>"))
        animated += [len(fig.data) - 2, len(fig.data) - 1]
    fig.frames = [go.Frame(name=str(s), traces=animated,
                           data=[go.Scatter3d(**part) for k, run in enumerate(runs)
                                 for part in _state(run, heights[k], paths[k], s)])
                  for s in frames]
    (x0, x1), (y0, y1) = landscape.bounds
    ratio = (y1 - y0) / (x1 - x0)
    fig.update_layout(
        height=HEIGHT, margin={"l": 0, "r": 0, "t": 10, "b": 70}, template="plotly_white", font={"size": 12},
        uirevision=f"3d:{landscape.name}:{landscape.bounds}",
        legend={"orientation": "h", "x": 0, "y": 1.0, "xanchor": "left", "yanchor": "top"},
        scene={"xaxis": {"title": {"text": "x"}, "range": [x0, x1]},
               "yaxis": {"title": {"text": "y"}, "range": [y0, y1]},
               "zaxis": {"title": {"text": grid.label}, **_ticks(grid)},
               "aspectmode": "manual", "aspectratio": {"x": 1.0, "y": ratio, "z": 0.6},
               "camera": {"eye": {"x": -1.15, "y": -1.25, "z": 0.85}}},
        **_controls(frames),
    )
    return fig
