"""Plotly figures for Optiscope, built from NumPy data (no Streamlit here).

The race figure is one animated figure: a contour panel per run ("side") or one shared panel
("overlay").  Static traces (contours, minima, starts) are sent once in ``fig.data``; every
``go.Frame`` carries only the trajectory traces, so one Play/Pause pair and one step slider drive
all panels in sync.  ``fig.data`` holds the last frame's state, so a static view shows full paths.

Arrays go out as float32, which plotly encodes as compact base64 typed arrays, and only finite
numbers are ever sent.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from landscapes.base import Landscape

Array = np.ndarray

PALETTE: tuple[str, ...] = (
    # Okabe & Ito (2008) without black (it vanishes on the dark valley floors), then Paul Tol's extras.
    "#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00", "#F0E442", "#0072B2",
    "#44AA99", "#AA4499", "#DDCC77", "#999933", "#882255",
)
COLORSCALE = [  # calm slate ramp, dark valleys to pale peaks, brightening fast at the low end
    [0.0, "#0f172a"], [0.1, "#1e293b"], [0.25, "#334155"], [0.45, "#475569"], [0.7, "#94a3b8"],
    [1.0, "#e2e8f0"],
]
N_LEVELS = 24
LOG_SHARE = 0.3           # log levels when linear ones leave this share of the grid below the first level
MAX_PATH_POINTS = 1000    # longer paths are drawn through a subsample (plus every frame's step)
MAX_FRAMES = 100  # frames of the animation: smooth enough, and keeps the default view's JSON under 1 MB
F32_MAX = float(np.finfo(np.float32).max)
ROW_HEIGHT, OVERLAY_HEIGHT = 420, 600
PLAY_ARGS = [None, {"frame": {"duration": 60, "redraw": False}, "fromcurrent": True,
                    "transition": {"duration": 0}, "mode": "immediate"}]
PAUSE_ARGS = [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}]
PATH_HOVER = ("step %{customdata[0]:d} · f %{customdata[1]:.4g}"
              "<br>(%{x:.4g}, %{y:.4g})<extra>%{fullData.name}</extra>")
STEP_HOVER = ("step %{customdata[0]:d} · f %{customdata[1]:.4g}<br>(%{x:.4g}, %{y:.4g})"
              "<br>gradient g = (%{customdata[2]:.3g}, %{customdata[3]:.3g})"
              "<br>update Δθ = (%{customdata[4]:.3g}, %{customdata[5]:.3g})<extra>%{fullData.name}</extra>")


@dataclass(frozen=True, eq=False)
class Run:
    """One optimizer's single-start run, as the figures need it."""

    label: str           # e.g. "Adam (lr=0.3)"
    color: str           # hex colour
    points: Array        # (steps + 1, 2), finite
    loss: Array          # (steps + 1,), finite
    diverged_at: int     # -1, or the first bad step (points from there on are frozen copies)
    grads: Array | None = None   # (steps, 2): the gradient each step used; puts it and the update in the hover

    @property
    def steps(self) -> int:
        """Number of steps recorded."""
        return len(self.points) - 1

    @property
    def end(self) -> int:
        """Last step whose point is drawn: the last finite point of a diverged run."""
        return self.steps if self.diverged_at < 0 else max(self.diverged_at - 1, 0)

    @property
    def title(self) -> str:
        """The label, plus where the run diverged if it did."""
        return self.label if self.diverged_at < 0 else f"{self.label} — diverged at step {self.diverged_at}"


@dataclass(frozen=True, eq=False)
class ContourGrid:
    """The sampled surface as drawn: ``z[i, j]`` is the value at ``(x[j], y[i])``."""

    x: Array             # (r,)
    y: Array             # (r,)
    z: Array             # (r, r) float32, maybe log10-transformed
    log: bool            # True when levels are log-spaced
    label: str           # colour-bar title


def _f32(a: Array) -> Array:
    """``a`` as float32, clipped into float32's finite range (finite float64 can overflow float32)."""
    return np.clip(np.asarray(a, dtype=np.float64), -F32_MAX, F32_MAX).astype(np.float32)


def _typed(a: Array) -> dict:
    """A float32 array in plotly.js's typed-array form (what plotly would emit, without its per-array checks)."""
    return {"dtype": "f4", "bdata": base64.b64encode(np.ascontiguousarray(a, dtype=np.float32).tobytes()).decode()}


def _round_sig(a: Array, digits: int = 4) -> Array:
    """Finite ``a`` rounded to ``digits`` significant digits, as float32."""
    with np.errstate(divide="ignore"):
        exponent = np.floor(np.log10(np.abs(a)))
    scale = 10.0 ** (digits - 1 - np.where(np.isfinite(exponent), exponent, 0))
    return _f32(np.round(a * scale) / scale)


def contour_grid(landscape: Landscape, resolution: int = 90) -> ContourGrid:
    """Sample ``landscape`` on a ``resolution``² grid over its bounds and choose linear or log levels.

    Non-finite values become the largest finite one.  With ``g = f - f_min``, levels are log-spaced
    when evenly spaced ones (``N_LEVELS`` up to the 99th percentile of ``g``) would leave more than
    ``LOG_SHARE`` of the grid below the first level, i.e. when most of the picture would be one flat
    colour (Rosenbrock, Beale); then ``z = log10(g + floor)`` with ``floor`` a thousandth of the median.
    """
    (x0, x1), (y0, y1) = landscape.bounds
    x, y = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    with np.errstate(all="ignore"):
        f = np.asarray(landscape.value(np.stack(np.meshgrid(x, y), axis=-1)), dtype=np.float64)
        known = landscape.value(landscape.minima) if len(landscape.minima) else np.empty(0)
    finite = np.isfinite(f)
    f = np.where(finite, f, f[finite].max() if finite.any() else 0.0)
    known = known[np.isfinite(known)]
    f_min = min(f.min(), known.min()) if known.size else f.min()
    g = f - f_min
    p50, p99 = np.percentile(g, [50, 99])
    log = bool(np.mean(g < p99 / N_LEVELS) > LOG_SHARE)
    if log:
        z, label = np.log10(g + 1e-3 * (p50 if p50 > 0 else p99)), "log10(f − f*)"
    else:
        z, label = f, "f"
    return ContourGrid(x=_f32(x), y=_f32(y), z=_round_sig(z), log=log, label=label)


def frame_steps(steps: int, max_frames: int) -> Array:
    """Steps that become animation frames: at most ``max_frames + 1``, evenly spaced, from 0 to ``steps``."""
    if steps < 0 or max_frames < 1:
        raise ValueError(f"Invalid frame request: steps={steps}, max_frames={max_frames} "
                         "(allowed: steps >= 0, max_frames >= 1)")
    if steps <= max_frames:
        return np.arange(steps + 1)
    return np.round(np.linspace(0, steps, max_frames + 1)).astype(int)


def _path_steps(run: Run, frames: Array) -> Array:
    """Steps the path is drawn through: all of them, or an odd-stride subsample plus every frame's step.

    An odd stride keeps a period-2 zigzag (gradient descent bouncing between walls) visible.
    """
    end = run.end
    stride = -(-(end + 1) // MAX_PATH_POINTS) | 1
    return np.union1d(np.arange(0, end + 1, stride), np.append(np.minimum(frames, end), end))


def _panel_traces(grid: ContourGrid, minima: Array, starts: Array, legend: bool) -> list:
    """The static traces of one panel: contour, minima stars and start markers."""
    traces = [go.Contour(
        x=grid.x, y=grid.y, z=grid.z, coloraxis="coloraxis", ncontours=N_LEVELS,
        contours={"coloring": "heatmap"}, line={"width": 0.5, "color": "rgba(255,255,255,0.35)"},
        hovertemplate=f"(%{{x:.3g}}, %{{y:.3g}})<br>{grid.label} = %{{z:.4g}}<extra></extra>",
    )]
    if len(minima):
        traces.append(go.Scatter(
            x=_f32(minima[:, 0]), y=_f32(minima[:, 1]), mode="markers", name="minimum", showlegend=legend,
            marker={"symbol": "star", "size": 15, "color": "#111827",
                    "line": {"color": "white", "width": 1.5}},
            hovertemplate="minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
        ))
    traces.append(go.Scatter(
        x=_f32(starts[:, 0]), y=_f32(starts[:, 1]), mode="markers", name="start", showlegend=legend,
        marker={"symbol": "diamond", "size": 10, "color": "white", "line": {"color": "black", "width": 1.5}},
        hovertemplate="start (%{x:.4g}, %{y:.4g})<extra></extra>",
    ))
    return traces


def _run_state(run: Run, path: Array, step: int) -> tuple[dict, dict]:
    """Path and current-position data of ``run`` at ``step`` (never past its last finite point)."""
    now = min(step, run.end)
    shown = path[path <= now]
    return ({"x": _f32(run.points[shown, 0]), "y": _f32(run.points[shown, 1])},
            {"x": _f32(run.points[now:now + 1, 0]), "y": _f32(run.points[now:now + 1, 1])})


def _hover(run: Run, shown: Array) -> dict:
    """Hover data of the path points ``shown``: step and loss, and with ``run.grads`` the gradient step s used
    and the update it made (zeros at the start)."""
    if run.grads is None:
        return {"customdata": _f32(np.column_stack([shown, run.loss[shown]])), "hovertemplate": PATH_HOVER}
    before = np.maximum(shown - 1, 0)
    grads = np.where((shown > 0)[:, None], run.grads[before], 0.0)
    updates = run.points[shown] - run.points[before]
    return {"customdata": _f32(np.column_stack([shown, run.loss[shown], grads, updates])), "hovertemplate": STEP_HOVER}


def _controls(frames: Array) -> dict:
    """One Play/Pause pair and one step slider, starting at the last frame."""
    return {
        "updatemenus": [{
            "type": "buttons", "direction": "left", "showactive": False, "x": 0, "y": 0,
            "xanchor": "left", "yanchor": "top", "pad": {"t": 48, "r": 8},
            "buttons": [{"label": "▶ Play", "method": "animate", "args": PLAY_ARGS},
                        {"label": "❚❚ Pause", "method": "animate", "args": PAUSE_ARGS}],
        }],
        "sliders": [{
            "active": len(frames) - 1, "x": 0.22, "len": 0.78, "y": 0, "yanchor": "top", "pad": {"t": 36},
            "currentvalue": {"prefix": "step ", "xanchor": "right"}, "transition": {"duration": 0},
            "steps": [{"label": str(s), "method": "animate",
                       "args": [[str(s)], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                                           "transition": {"duration": 0}}]} for s in frames],
        }],
    }


def race_figure(landscape: Landscape, grid: ContourGrid, runs: list[Run], layout: str = "side",
                max_frames: int = MAX_FRAMES, height: int | None = None) -> go.Figure:
    """The animated race: contour panels with every run's path and current position.

    ``layout="side"``: one panel per run (2 columns, shared axes); ``"overlay"``: all runs in one panel.
    """
    if layout not in ("side", "overlay"):
        raise ValueError(f"Invalid layout: {layout!r} (allowed: 'side', 'overlay')")
    if not runs:
        raise ValueError("Invalid runs: at least one run is needed")
    side = layout == "side"
    n_panels = len(runs) if side else 1
    cols = 1 if n_panels == 1 else 2
    rows = -(-n_panels // cols)
    specs = [[{} if r * cols + c < n_panels else None for c in range(cols)] for r in range(rows)]
    fig = make_subplots(rows=rows, cols=cols, shared_xaxes="all", shared_yaxes="all", specs=specs,
                        subplot_titles=[_wrap(run.title) for run in runs] if side else None,
                        horizontal_spacing=0.04, vertical_spacing=0.08 if rows > 1 else 0.0)
    cell = [(i // cols + 1, i % cols + 1) for i in range(n_panels)]

    starts = np.array([run.points[0] for run in runs])
    for i, (row, col) in enumerate(cell):
        panel_starts = starts[i:i + 1] if side else np.unique(starts, axis=0)
        for trace in _panel_traces(grid, landscape.minima, panel_starts, legend=not side and i == 0):
            fig.add_trace(trace, row=row, col=col)

    frames = frame_steps(max(run.steps for run in runs), max_frames)
    paths = [_path_steps(run, frames) for run in runs]
    animated = []
    for k, (run, shown) in enumerate(zip(runs, paths, strict=True)):
        row, col = cell[k if side else 0]
        path, marker = _run_state(run, shown, run.steps)
        fig.add_trace(go.Scatter(  # hover data are indexed like the points, so frames need not resend them
            **path, **_hover(run, shown), mode="lines+markers", name=run.title, legendgroup=str(k),
            showlegend=not side, line={"color": run.color, "width": 2}, marker={"color": run.color, "size": 4},
        ), row=row, col=col)
        fig.add_trace(go.Scatter(
            **marker, mode="markers", name=run.title, legendgroup=str(k), showlegend=False,
            hoverinfo="skip",  # the path's last point underneath answers the hover
            marker={"color": run.color, "size": 14, "line": {"color": "black", "width": 1.5}},
        ), row=row, col=col)
        animated += [len(fig.data) - 2, len(fig.data) - 1]

    # Frames hold only x/y arrays of traces validated above. Plotly would validate all ~1000 frame traces
    # again (about 0.35 s per rerun), so they are attached unvalidated; `fig.frames` reads them as usual.
    fig._frame_objs = tuple(
        go.Frame(name=str(s), traces=animated, _validate=False,
                 data=[{"type": "scatter", **{k: _typed(v) for k, v in part.items()}}
                       for run, path in zip(runs, paths, strict=True) for part in _run_state(run, path, s)])
        for s in frames
    )
    (x0, x1), (y0, y1) = landscape.bounds
    fig.update_xaxes(range=[x0, x1], constrain="domain", showgrid=False, zeroline=False)
    fig.update_yaxes(range=[y0, y1], constrain="domain", showgrid=False, zeroline=False)
    for i in range(1, n_panels + 1):
        suffix = "" if i == 1 else str(i)
        fig.layout[f"yaxis{suffix}"].scaleanchor = f"x{suffix}"
    for i, (row, col) in enumerate(cell):
        if i + cols >= n_panels:  # lowest panel of its column
            fig.update_xaxes(title_text="x", showticklabels=True, row=row, col=col)
        if col == 1:
            fig.update_yaxes(title_text="y", row=row, col=col)
    fig.update_layout(
        height=height or (ROW_HEIGHT * rows if side else OVERLAY_HEIGHT),
        margin={"l": 50, "r": 10, "t": 60 if side else 60, "b": 110},
        font={"size": 13}, template="plotly_white", hovermode="closest",
        uirevision=f"{landscape.name}:{landscape.bounds}", showlegend=not side,
        legend={"orientation": "h", "x": 0, "y": 1.01, "xanchor": "left", "yanchor": "bottom"},
        coloraxis={"colorscale": COLORSCALE,
                   "colorbar": {"title": {"text": grid.label, "side": "right"}, "thickness": 10, "len": 0.9}},
        **_controls(frames),
    )
    fig.update_annotations(font_size=12)  # subplot titles
    return fig


def _wrap(text: str, width: int = 26) -> str:
    """Break a panel title into lines of about ``width`` characters, so narrow screens keep it readable."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _stops(runs: list[Run], curves: list[Array], title: str, y_title: str) -> go.Figure:
    """Log-scale curves against step, each stopping with an ✕ where its run diverged."""
    fig = go.Figure()
    for run, curve in zip(runs, curves, strict=True):
        y = _f32(np.maximum(curve, 1e-16))
        shown = run.end + 1 if run.diverged_at >= 0 else len(y)
        fig.add_trace(go.Scatter(
            x=np.arange(shown, dtype=np.int32), y=y[:shown], mode="lines", name=run.title,
            legendgroup=run.label, line={"color": run.color, "width": 2},
            hovertemplate="step %{x}: %{y:.3g}<extra>%{fullData.name}</extra>",
        ))
        if run.diverged_at >= 0:
            fig.add_trace(go.Scatter(
                x=np.array([run.diverged_at], dtype=np.int32), y=y[run.end:run.end + 1], mode="markers",
                name="diverged", legendgroup=run.label, showlegend=False,
                marker={"symbol": "x", "size": 12, "color": run.color,
                        "line": {"color": "black", "width": 1}},
                hovertemplate="diverged at step %{x}<extra>%{fullData.name}</extra>",
            ))
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"}, height=400, template="plotly_white",
        margin={"l": 60, "r": 10, "t": 40, "b": 40}, font={"size": 13}, hovermode="x unified",
        legend={"orientation": "h", "x": 0, "y": -0.2, "xanchor": "left", "yanchor": "top"},
        xaxis={"title": {"text": "step"}},
        yaxis={"title": {"text": y_title}, "type": "log", "exponentformat": "power"},
    )
    return fig


def loss_figure(runs: list[Run], f_star: float) -> go.Figure:
    """Loss gap ``f(θ) − f*`` against step on a log axis, one line per run."""
    return _stops(runs, [run.loss - f_star for run in runs], "Loss gap f(θ) − f* (log scale)", "f(θ) − f*")


def distance_figure(runs: list[Run], minima: Array) -> go.Figure:
    """Distance to the nearest listed minimum against step on a log axis; a note when none is known."""
    minima = np.asarray(minima, dtype=np.float64).reshape(-1, 2)
    title = "Distance to the nearest known minimum (log scale)"
    if not len(minima):
        fig = _stops([], [], title, "distance")
        fig.add_annotation(text="no known minima", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                           font={"size": 16, "color": "#64748b"})
        return fig
    curves = [np.linalg.norm(run.points[:, None, :] - minima, axis=-1).min(axis=1) for run in runs]
    return _stops(runs, curves, title, "‖θ − θ*‖")


def standalone_html(fig: go.Figure) -> str:
    """A self-contained HTML page (plotly.js inlined, no CDN) that plays offline."""
    return fig.to_html(include_plotlyjs=True, full_html=True, auto_play=False)
