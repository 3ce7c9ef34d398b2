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
from numpy.typing import ArrayLike

from landscapes.base import Landscape
from optimizers.trajectory import last_point

Array = np.ndarray

PALETTE: tuple[str, ...] = (
    # Okabe & Ito (2008) without black (it vanishes on the dark valley floors), then Paul Tol's extras.
    "#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00", "#F0E442", "#0072B2",
    "#44AA99", "#AA4499", "#DDCC77", "#999933", "#882255",
)
COLORSCALE: tuple[tuple[float, str], ...] = (  # calm slate ramp, dark valleys to pale peaks, bright fast at the low end
    (0.0, "#0f172a"), (0.1, "#1e293b"), (0.25, "#334155"), (0.45, "#475569"), (0.7, "#94a3b8"), (1.0, "#e2e8f0"),
)
N_LEVELS = 24             # at most this many level lines
LOG_DECADES = 8           # log levels reach at most this many decades below the 99th percentile of f − f*
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
        return last_point(self.diverged_at, self.steps)

    @property
    def title(self) -> str:
        """The label, plus where the run diverged if it did."""
        return self.label if self.diverged_at < 0 else f"{self.label} — diverged at step {self.diverged_at}"


@dataclass(frozen=True)
class LevelScale:
    """The maps from a height above the lowest minimum, ``g = f − f*``, to what the level lines and the colours follow.

    ``linear``: ``f`` itself.  ``log``: the mean, over the heights ``r`` of the distinct minima, of
    ``log₁₀(max(g − r, 0) + floor)``; with one minimum value that is ``log₁₀(g + floor)``: each level is the same
    factor higher than the one below, so the rings crowd towards the minimum, and a run that converges linearly
    crosses one every so many steps.  With several minimum values (a shallow well beside a deep one) each gets its
    own run of ever closer levels.  ``sqrt``: the same with ``√max(g − r, 0)``, rings evenly spaced around a
    quadratic minimum.  Every map increases with f, so the level lines are level sets of f.  The colours follow
    the map of the lowest minimum alone: the levels crowding just above a higher minimum's value would otherwise
    turn the whole contour at that value into a step of colour.
    """

    spacing: str                      # a landscape's ``levels``: "linear", "sqrt" or "log"
    f_star: float                     # the lowest value: the minima's, or the grid's if lower
    floor: float = 0.0                # log: heights below it share the lowest band
    refs: tuple[float, ...] = (0.0,)  # heights g of the distinct minima, lowest (0) first

    def lines(self, g: Array) -> Array:
        """What the level lines follow, for heights ``g`` (any shape)."""
        return self._map(g, self.refs)

    def colors(self, g: Array) -> Array:
        """What the colours follow, for heights ``g`` (any shape)."""
        return self._map(g, self.refs[:1])

    def _map(self, g: Array, refs: tuple[float, ...]) -> Array:
        g = np.asarray(g, dtype=np.float64)
        if self.spacing == "linear":
            return g + self.f_star
        if self.spacing == "sqrt":
            return np.mean([np.sqrt(np.maximum(g - r, 0.0)) for r in refs], axis=0)
        return np.mean([np.log10(np.maximum(g - r, 0.0) + self.floor) for r in refs], axis=0)

    def payload(self) -> dict:
        """The maps as plain data, for the browser to apply to the heights it receives (race.js ``levelScale``)."""
        return {"spacing": self.spacing, "f_star": self.f_star, "floor": self.floor, "refs": list(self.refs)}


@dataclass(frozen=True, eq=False)
class ContourGrid:
    """The sampled surface as drawn: ``g[i, j] = f(x[j], y[i]) − f*``; the level lines follow ``scale.lines(g)``
    and the colours ``z = scale.colors(g)`` (the same array unless the minima differ in value)."""

    x: Array             # (r,)
    y: Array             # (r,)
    g: Array             # (r, r) float32, f − f*, 4 significant digits
    z: Array             # (r, r) float32, scale.colors(g): the colours, the 3D view's heights
    lines: Array         # (r, r) float32, scale.lines(g): the level lines
    scale: LevelScale
    levels: tuple[float, float, float]     # the level lines: start, end, size in ``lines`` (plotly's contours)
    ticks: tuple[tuple[float, ...], tuple[str, ...]]   # colour-bar ticks: positions in z, labels (f − f*); empty: auto
    label: str           # colour-bar title: what the colours show and how they are spaced

    @property
    def f(self) -> Array:
        """The sampled values f (float32), for hover labels."""
        return f32(self.g.astype(np.float64) + self.scale.f_star)

    def contours(self) -> dict:
        """The level lines as plotly's ``contours`` settings (drawn exactly there, not where plotly would choose)."""
        start, end, size = self.levels
        return {"start": start, "end": end, "size": size}

    def colorbar(self) -> dict:
        """Title and ticks of a colour bar for ``z``."""
        bar: dict = {"title": {"text": self.label}}
        if self.ticks[0]:
            bar.update(tickmode="array", tickvals=list(self.ticks[0]), ticktext=list(self.ticks[1]))
        return bar


def f32(a: ArrayLike) -> Array:
    """``a`` as float32 for the browser, clipped into float32's finite range (finite float64 can overflow float32).

    Every figure sends its numbers through this one conversion."""
    return np.clip(np.asarray(a, dtype=np.float64), -F32_MAX, F32_MAX).astype(np.float32)


def _round_sig(a: Array, digits: int = 4) -> Array:
    """Finite ``a`` rounded to ``digits`` significant digits, as float32."""
    with np.errstate(divide="ignore"):
        exponent = np.floor(np.log10(np.abs(a)))
    scale = 10.0 ** (digits - 1 - np.where(np.isfinite(exponent), exponent, 0))
    return f32(np.round(a * scale) / scale)


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _number(v: float) -> str:
    """A tick label: ``0.05``, ``200``, or ``2×10⁻⁴`` / ``10⁵`` outside 0.001 … 10⁴."""
    if v == 0 or 1e-3 <= abs(v) < 1e4:
        return np.format_float_positional(v, precision=3, unique=True, fractional=False, trim="-")
    exponent = int(np.floor(np.log10(abs(v))))
    mantissa = round(v / 10.0**exponent, 2)
    power = "10" + str(exponent).translate(SUPERSCRIPT)
    return power if mantissa == 1 else f"{mantissa:g}×{power}"


def _nice(rough: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ᵏ at least ``rough`` (> 0)."""
    base = 10.0 ** np.floor(np.log10(rough))
    return float(base * next(m for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * base >= rough * (1 - 1e-9)))


def _level_step(scale: LevelScale, span: float) -> float:
    """Spacing of at most ``N_LEVELS`` level lines over ``span`` of z: a round step, and for log levels a
    whole fraction of a decade (1/k, k = 1, 2, 3, 4, 5, 10), so that a line falls on every decade."""
    if span <= 0:
        return 1.0
    if scale.spacing == "log":
        return 1.0 / max((k for k in (1, 2, 3, 4, 5, 10) if span * k <= N_LEVELS), default=1)
    return _nice(span / N_LEVELS)


def _ticks(scale: LevelScale, g_max: float, lo: float, hi: float) -> tuple[tuple[float, ...], tuple[str, ...]]:
    """Colour-bar ticks labelled with heights f − f*: decades (and 2, 5 × 10ᵏ when few) on a log scale, round
    heights spread evenly in √ on a square-root one; none (plotly's own) on a linear one."""
    if scale.spacing == "linear" or g_max <= 0:
        return (), ()
    if scale.spacing == "log":
        decades = 10.0 ** np.arange(np.floor(np.log10(scale.floor)), np.ceil(np.log10(g_max)) + 1)
        values = decades if np.sum((decades >= scale.floor) & (decades <= g_max)) >= 3 else \
            np.sort(np.concatenate([decades, 2 * decades, 5 * decades]))
    else:
        step = _nice(np.sqrt(g_max) / 5)
        values = np.unique([float(f"{v:.2g}") for v in (np.arange(1, np.sqrt(g_max) / step + 1) * step) ** 2])
    at = scale.colors(values)
    keep = (at >= lo) & (at <= hi)
    return tuple(float(v) for v in at[keep]), tuple(_number(v) for v in values[keep])


def contour_grid(landscape: Landscape, resolution: int = 90) -> ContourGrid:
    """Sample ``landscape`` on a ``resolution``² grid over its bounds, spaced as its ``levels`` say.

    Non-finite values become the largest finite one.  ``f*`` is the lowest listed minimum (or grid value).
    Log levels start at the grid's lowest positive height (the innermost ring it can draw), and reach at most
    ``LOG_DECADES`` decades below the 99th percentile of the heights.
    """
    (x0, x1), (y0, y1) = landscape.bounds
    x, y = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    with np.errstate(all="ignore"):
        f = np.asarray(landscape.value(np.stack(np.meshgrid(x, y), axis=-1)), dtype=np.float64)
        known = landscape.value(landscape.minima) if len(landscape.minima) else np.empty(0)
    finite = np.isfinite(f)
    f = np.where(finite, f, f[finite].max() if finite.any() else 0.0)
    known = known[np.isfinite(known)]
    f_star = float(min(f.min(), known.min()) if known.size else f.min())
    g = _round_sig(f - f_star).astype(np.float64)
    g_max = float(g.max())
    if landscape.levels == "linear":
        scale = LevelScale("linear", f_star)
    else:
        positive = g[g > 0]
        floor = max(float(positive.min()) if positive.size else 1.0,
                    float(np.percentile(g, 99)) * 10.0**-LOG_DECADES, 1e-300)
        heights = np.sort(known - f_star) if known.size else np.zeros(1)
        refs = tuple(float(r) for r in heights[np.r_[True, np.diff(heights) > floor]])   # distinct values
        scale = LevelScale(landscape.levels, f_star, floor, refs)
    z = f32(scale.colors(g))
    lines = z if len(scale.refs) == 1 else f32(scale.lines(g))
    lo, hi = float(lines.min()), float(lines.max())
    size = _level_step(scale, hi - lo)
    start = (np.floor(lo / size + 1e-9) + 1) * size
    name = "f" if scale.spacing == "linear" or f_star == 0 else "f − f*"
    label = {"linear": name, "sqrt": f"{name} (√ scale)", "log": f"{name} (log scale)"}[scale.spacing]
    return ContourGrid(x=f32(x), y=f32(y), g=f32(g), z=z, lines=lines, scale=scale,
                       levels=(float(start), hi, size), ticks=_ticks(scale, g_max, float(z.min()), float(z.max())),
                       label=label)


def surface_traces(grid: ContourGrid, line_color: str = "rgba(255,255,255,0.35)", colors: bool = True) -> list:
    """The surface as the contour views draw it: ``grid.z`` in ``COLORSCALE`` (its hover gives f) under the level
    lines at ``grid.levels``; ``colors=False``: the lines alone."""
    lines = go.Contour(x=grid.x, y=grid.y, z=grid.lines, autocontour=False, showscale=False, showlegend=False,
                       hoverinfo="skip", name="level lines",
                       contours={**grid.contours(), "coloring": "none"}, line={"width": 0.5, "color": line_color})
    if not colors:
        return [lines]
    return [go.Heatmap(x=grid.x, y=grid.y, z=grid.z, customdata=grid.f, colorscale=COLORSCALE, showscale=False,
                       showlegend=False, name="surface", zsmooth="fast",
                       hovertemplate="(%{x:.4g}, %{y:.4g})<br>f = %{customdata:.4g}<extra></extra>"),
            lines]


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
        y = f32(np.maximum(curve, 1e-16))
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
