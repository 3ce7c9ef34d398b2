"""Per-step quantities that make an optimizer what it is, plotted over the steps beside the loss curves.

Each registry entry declares its ``series`` (:class:`optimizers.spec.Series`): Prodigy's and
D-Adaptation's learnt step scale d, BFGS's accepted step length, Muon's update length, Schedule-Free's
averaging weight.  :func:`series_figures` draws every scalar series of the chosen runs, one figure per
quantity, one line per optimizer that has it.  No Streamlit here.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from optimizers import Trajectory, get
from optimizers.spec import Series
from optimizers.trajectory import last_step
from viz.figures import white

HEIGHT = 300


def scalar_series(trajs: Mapping[str, Trajectory]) -> dict[str, tuple[Series, list[str]]]:
    """Each scalar series recorded by the runs (matrices are left out), with the optimizers that have it."""
    found: dict[str, tuple[Series, list[str]]] = {}
    for name, tr in trajs.items():
        for series in get(name).view.series:
            if series.name in tr.extra and tr.extra[series.name].ndim == 2:
                found.setdefault(series.name, (series, []))[1].append(name)
    return found


def series_figure(trajs: Mapping[str, Trajectory], series: Series, names: list[str], colors: Mapping[str, str],
                  index: int = 0) -> go.Figure:
    """``series`` of start ``index`` over the steps for each optimizer in ``names``, up to any divergence.

    On a log axis, values that are not positive (d̂ is 0 at the first step and may turn negative, α is 0 where
    BFGS's line search gave up) cannot be drawn: they are left out and a note under the title counts them.
    """
    fig = go.Figure()
    hidden: list[str] = []
    for name in names:
        tr = trajs[name]
        values = np.asarray(tr.extra[series.name][:, index], dtype=np.float64)
        end = last_step(int(tr.diverged_at[index]), tr.steps)
        steps = np.arange(1, end + 1)
        values = values[:end]
        if series.log:
            keep = values > 0
            if not keep.all():
                hidden.append(f"{get(name).title}: {int((~keep).sum())} of {len(keep)} steps ≤ 0")
            steps, values = steps[keep], values[keep]
        fig.add_trace(go.Scatter(x=steps, y=values, mode="lines", name=get(name).title,
                                 line={"color": colors.get(name), "width": 2},
                                 hovertemplate=f"step %{{x}}: %{{y:.4g}}<extra>{get(name).title}</extra>"))
    title = f"{series.label} over the steps"
    if hidden:
        title += "<br><sup>not drawn on the log axis: " + "; ".join(hidden) + "</sup>"
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 14}}, height=HEIGHT,
        margin={"l": 55, "r": 10, "t": 40, "b": 40}, showlegend=True,
        legend={"orientation": "h", "x": 0, "y": -0.25, "xanchor": "left", "yanchor": "top"},
        yaxis={"type": "log" if series.log else "linear", "exponentformat": "power"},   # steps: see the title
    )
    return white(fig)


def race_markers(name: str, tr: Trajectory, index: int = 0) -> list[dict]:
    """The entry's extra markers of start ``index`` as plain data for a race view, one dict per marker:
    ``name``, ``label``, ``color``, ``symbol``, ``points`` (``steps + 1`` pairs; frame ``t`` shows step ``t``'s
    marker, frame 0 the start), ``radius`` (a ball radius drawn around the previous point, or ``None``) and
    ``link`` (joined to the iterate by a line)."""
    out = []
    for marker in get(name).view.markers:
        if marker.name not in tr.extra:           # a run made without diagnostics
            continue
        radius = tr.hyperparams.get(marker.radius) if marker.radius else None
        out.append({"name": marker.name, "label": marker.label, "color": marker.color, "symbol": marker.symbol,
                    "points": tr.extra[marker.name][:, index].tolist(),
                    "radius": None if radius is None else float(np.ravel(radius)[min(index, np.size(radius) - 1)]),
                    "link": marker.link})
    return out


def series_figures(trajs: Mapping[str, Trajectory], colors: Mapping[str, str], index: int = 0) -> list[go.Figure]:
    """One :func:`series_figure` per scalar series the runs recorded (none for the classic optimizers)."""
    return [series_figure(trajs, series, names, colors, index) for series, names in scalar_series(trajs).values()]
