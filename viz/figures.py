"""Plotly figures and the data behind them, built from NumPy arrays (no Streamlit here).

The race itself is drawn in the browser (``viz.race_view``); this module holds what it and the other
views share: the :class:`Run` record, the contour grid, the palette and colour scale, the frame steps of
the 3D view and the GIF, and the loss and distance figures.  Arrays go out as float32 and only finite
numbers are ever sent.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

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
MAX_FRAMES = 100  # frames of the server-drawn animations (3D view, GIF)
F32_MAX = float(np.finfo(np.float32).max)


@dataclass(frozen=True, eq=False)
class MarkerSeries:
    """Extra points a run carries, one per step, drawn as one marker at the step shown (e.g. a look-ahead point)."""

    name: str            # legend and hover name, e.g. "z (Schedule-Free)"
    points: Array        # (steps + 1, 2), like Run.points
    symbol: str = "circle"   # a plotly marker symbol name
    radius: float | None = None   # also draw a circle of this radius around the run's point of the step before
    link: bool = False       # join the marker to the run's point (and the linked markers before it) by a line


@dataclass(frozen=True, eq=False)
class Run:
    """One optimizer's single-start run, as the figures need it."""

    label: str           # e.g. "Adam (lr=0.3)"
    color: str           # hex colour
    points: Array        # (steps + 1, 2), finite
    loss: Array          # (steps + 1,), finite
    diverged_at: int     # -1, or the first bad step (points from there on are frozen copies)
    grads: Array | None = None   # (steps, 2): the gradient each step used; puts it and the update in the hover
    markers: tuple[MarkerSeries, ...] = ()   # extra points animated with the step (see viz.race_view)

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


WHITE_AXIS = {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "zerolinecolor": "#EBF0F8"}
WHITE_LAYOUT = {"paper_bgcolor": "white", "plot_bgcolor": "white", "font_color": "#2a3f5f"}   # and WHITE_AXIS


def white(fig: go.Figure) -> go.Figure:
    """plotly's ``plotly_white`` look, set directly on ``fig`` (returned): building the template object costs
    about 20 ms a figure on every rerun, and its JSON adds about 6 kB a figure."""
    fig.update_layout(template=None, **WHITE_LAYOUT)
    fig.update_xaxes(**WHITE_AXIS)
    fig.update_yaxes(**WHITE_AXIS)
    return fig


def _stops(runs: list[Run], curves: list[Array], title: str, y_title: str) -> go.Figure:
    """Log-scale curves against step, each stopping with an ✕ where its run diverged.

    Built as one figure spec and validated once: adding traces and updating the layout call by call took
    about ten times as long, and these figures are rebuilt on every change."""
    data: list[dict] = []
    for run, curve in zip(runs, curves, strict=True):
        y = _f32(np.maximum(curve, 1e-16))
        shown = run.end + 1 if run.diverged_at >= 0 else len(y)
        data.append({
            "type": "scatter", "x": np.arange(shown, dtype=np.int32), "y": y[:shown], "mode": "lines",
            "name": run.title, "legendgroup": run.label, "line": {"color": run.color, "width": 2},
            "hovertemplate": "step %{x}: %{y:.3g}<extra>%{fullData.name}</extra>",
        })
        if run.diverged_at >= 0:
            data.append({
                "type": "scatter", "x": np.array([run.diverged_at], dtype=np.int32), "y": y[run.end:run.end + 1],
                "mode": "markers", "name": "diverged", "legendgroup": run.label, "showlegend": False,
                "marker": {"symbol": "x", "size": 12, "color": run.color, "line": {"color": "black", "width": 1}},
                "hovertemplate": "diverged at step %{x}<extra>%{fullData.name}</extra>",
            })
    layout = {
        "title": {"text": title, "x": 0, "xanchor": "left"}, "height": 400,
        "margin": {"l": 60, "r": 10, "t": 40, "b": 40}, "font": {"size": 13}, **WHITE_LAYOUT,
        "hovermode": "x unified",
        "legend": {"orientation": "h", "x": 0, "y": -0.2, "xanchor": "left", "yanchor": "top"},
        "xaxis": WHITE_AXIS,                      # "over the steps" is in the title: an axis title below the
                                                  # plot collides with the legend rows on a phone
        "yaxis": {"title": {"text": y_title}, "type": "log", "exponentformat": "power", **WHITE_AXIS},
    }
    fig = go.Figure({"data": data, "layout": layout})
    fig.layout.template = None                     # not the default template: the look is set in full above
    return fig


def loss_figure(runs: list[Run], f_star: float) -> go.Figure:
    """Loss gap ``f(θ) − f*`` against step on a log axis, one line per run."""
    return _stops(runs, [run.loss - f_star for run in runs], "Loss gap f(θ) − f* over the steps (log scale)",
                  "f(θ) − f*")


def distance_figure(runs: list[Run], minima: Array) -> go.Figure:
    """Distance to the nearest listed minimum against step on a log axis; a note when none is known."""
    minima = np.asarray(minima, dtype=np.float64).reshape(-1, 2)
    title = "Distance to the nearest known minimum over the steps (log scale)"
    if not len(minima):
        fig = _stops([], [], title, "distance")
        fig.add_annotation(text="no known minima", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                           font={"size": 16, "color": "#64748b"})
        return fig
    curves = [np.linalg.norm(run.points[:, None, :] - minima, axis=-1).min(axis=1) for run in runs]
    return _stops(runs, curves, title, "‖θ − θ*‖")
