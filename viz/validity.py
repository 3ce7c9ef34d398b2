"""A small map of where a statement about behaviour holds: one dot per sampled case.

Built from an :class:`optimizers.validity.Study` over a statement's picture domain (wider than the
statement's own), with the statement's own ranges outlined.  No Streamlit here; only finite float32
numbers go out.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

import landscapes
from optimizers.validity import Band, Domain, Study
from viz.figures import white

HOLDS, FAILS = "#15803d", "#dc2626"
HEIGHT = 350
AXIS_TITLES = {"x": "start x", "y": "start y", "along": "start along the floor", "across": "start across the valley"}


def _title(domain: Domain, name: str) -> str:
    if name in AXIS_TITLES:
        return AXIS_TITLES[name]
    axis = domain.axis(name)
    return "angle (°)" if name == "angle" else axis.title


def _log(domain: Domain, name: str) -> bool:
    return any(a.name == name and a.log for a in domain.axes)


def holds_map(result: Study, x: str, y: str, own: Domain, outline: tuple[tuple[float, float], ...] = ()) -> go.Figure:
    """Sampled cases of ``result`` over axes ``x`` and ``y``, green where the statement holds and red where it
    does not; dashed, the statement's own domain ``own``: ``outline`` when given, else its ranges where both are
    its axes, or the level line where its band of starts begins."""
    fig = go.Figure()
    for holds, color, label, symbol in ((True, HOLDS, "holds", "circle"), (False, FAILS, "fails", "x")):
        pick = result.holds == holds
        fig.add_trace(go.Scatter(
            x=np.asarray(result.values[x][pick], dtype=np.float32),
            y=np.asarray(result.values[y][pick], dtype=np.float32),
            mode="markers", name=label, marker={"color": color, "size": 5, "symbol": symbol, "opacity": 0.75},
            hovertemplate=f"{label}<br>%{{x:.3g}}, %{{y:.3g}}<extra></extra>"))
    names = {a.name: a for a in own.axes}
    if x in names and y in names and not outline:
        (x0, x1), (y0, y1) = (names[x].low, names[x].high), (names[y].low, names[y].high)
        outline = ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))
    if outline:                                       # a closed line, not a shape: it stays right on log axes
        fig.add_trace(go.Scatter(x=[p[0] for p in outline], y=[p[1] for p in outline], mode="lines",
                                 name="stated range", line={"color": "#111827", "width": 2, "dash": "dash"},
                                 hoverinfo="skip"))
    if (x, y) == ("x", "y") and isinstance(own.starts, Band):          # where the statement's starts begin
        land = landscapes.get(own.surface, **own.params)
        gx = np.linspace(result.values["x"].min(), result.values["x"].max(), 120)
        gy = np.linspace(result.values["y"].min(), result.values["y"].max(), 120)
        f = land.value(np.stack(np.meshgrid(gx, gy), axis=-1))
        level = own.starts.low
        fig.add_trace(go.Contour(x=gx.astype(np.float32), y=gy.astype(np.float32), z=f.astype(np.float32),
                                 contours={"start": level, "end": level, "size": 1.0, "coloring": "none"},
                                 line={"color": "#111827", "width": 2, "dash": "dash"}, showscale=False,
                                 name=f"f = {level:g}", showlegend=True, hoverinfo="skip"))
    fig.update_layout(
        height=HEIGHT, margin={"l": 10, "r": 10, "t": 20, "b": 10}, font={"size": 12},
        xaxis={"title": {"text": _title(result.domain, x)}, "type": "log" if _log(result.domain, x) else "linear"},
        yaxis={"title": {"text": _title(result.domain, y)}, "type": "log" if _log(result.domain, y) else "linear"},
        legend={"orientation": "h", "x": 0, "y": -0.3, "xanchor": "left", "yanchor": "top"},  # clear of the toolbar
    )
    return white(fig)
