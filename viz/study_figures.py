"""Plotly figures of the analysis mode: basins of attraction, learning-rate sweeps and spreads.

Built from the records of :mod:`optimizers.studies`; no Streamlit here.  Like the race figure, arrays
go out as float32 (compact base64) and only finite numbers are sent.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from landscapes.base import Landscape
from optimizers.studies import DIVERGED, GAP_FLOOR, NOT_CONVERGED, BasinMap, Spread, Sweep
from viz.figures import ContourGrid, f32, surface_traces, white

Array = np.ndarray

DIVERGED_COLOR, STALLED_COLOR = "#1f2937", "#d1d5db"
MINIMUM_COLORS = (  # Paul Tol's "muted" scheme: one hue per listed minimum, distinct from grey and near-black
    "#44AA99", "#88CCEE", "#DDCC77", "#CC6677", "#AA4499", "#117733", "#332288", "#999933", "#882255", "#6699CC",
)
PANEL_HEIGHT = 420
STAR = {"symbol": "star", "size": 13, "color": "#111827", "line": {"color": "white", "width": 1.2}}
TOP_LEGEND = {"orientation": "h", "x": 0, "y": 1.02, "xanchor": "left", "yanchor": "bottom"}


def outcome_colors(n_minima: int) -> list[str]:
    """Colour of each outcome code + 2: diverged, not converged, then one per minimum (cycling)."""
    return [DIVERGED_COLOR, STALLED_COLOR] + [MINIMUM_COLORS[k % len(MINIMUM_COLORS)] for k in range(n_minima)]


def _panel(landscape: Landscape, title: str) -> go.Figure:
    """An empty square panel over the surface's bounds, titled, at the analysis panels' size."""
    (x0, x1), (y0, y1) = landscape.bounds
    fig = go.Figure()
    fig.update_layout(
        title={"text": title, "x": 0.5, "xanchor": "center", "font": {"size": 15}}, height=PANEL_HEIGHT,
        margin={"l": 45, "r": 10, "t": 60, "b": 40}, font={"size": 13}, showlegend=False,
        hovermode="closest",
        xaxis={"range": [x0, x1], "constrain": "domain", "showgrid": False, "zeroline": False, "title": {"text": "x"}},
        yaxis={"range": [y0, y1], "constrain": "domain", "showgrid": False, "zeroline": False, "title": {"text": "y"},
               "scaleanchor": "x"},
    )
    return white(fig)


def _minima_stars(landscape: Landscape) -> list[go.Scatter]:
    if not len(landscape.minima):
        return []
    return [go.Scatter(x=f32(landscape.minima[:, 0]), y=f32(landscape.minima[:, 1]), mode="markers", marker=STAR,
                       hovertemplate="minimum (%{x:.4g}, %{y:.4g})<extra></extra>")]


def _percent(share: float | None) -> str:
    return "no known minimum" if share is None else f"{100 * share:.0f}% reach the global minimum"


def outcome_legend(landscape: Landscape, is_global: Array) -> list[tuple[str, str]]:
    """``(text, colour)`` of each basin colour: diverged, not converged, then every listed minimum.

    Minima are marked "global" only when some listed minimum is not.
    """
    colors = outcome_colors(len(landscape.minima))
    mark = not np.all(is_global)
    legend = [("diverged", colors[DIVERGED + 2]), ("not converged", colors[NOT_CONVERGED + 2])]
    for k, (x, y) in enumerate(landscape.minima):
        legend.append((f"minimum ({x:.3g}, {y:.3g})" + (" (global)" if mark and is_global[k] else ""), colors[k + 2]))
    return legend


def basins_figure(landscape: Landscape, basin: BasinMap, label: str, grid: ContourGrid | None = None) -> go.Figure:
    """One optimizer's basins: each start of the grid coloured by where its run ended.

    Colours (see :func:`outcome_legend`): one per listed minimum, pale grey for runs still short of every
    minimum when the step budget ran out, near-black for diverged runs.  Faint contour lines of ``grid``
    and the minima (stars) are drawn on top; the title gives the share of starts reaching a global minimum.
    """
    colors = outcome_colors(len(landscape.minima))
    n = len(colors)
    scale = [[edge / n, color] for i, color in enumerate(colors) for edge in (i, i + 1)]  # one flat step each
    fig = _panel(landscape, f"{label}<br><sup>{_percent(basin.global_share)}</sup>")
    fig.add_trace(go.Heatmap(
        x=f32(basin.x), y=f32(basin.y), z=(basin.outcome + 2).astype(np.int8), customdata=f32(basin.final_loss),
        colorscale=scale, zmin=-0.5, zmax=n - 0.5, showscale=False,
        hovertemplate="start (%{x:.3g}, %{y:.3g})<br>final loss %{customdata:.4g}<extra></extra>",
    ))
    if grid is not None:
        fig.add_traces(surface_traces(grid, "rgba(17,24,39,0.3)", colors=False))
    fig.add_traces(_minima_stars(landscape))
    return fig


def _gap(loss: Array, f_star: float | None) -> Array:
    """What a loss axis shows: ``f - f*`` floored for a log axis, or ``f`` itself when ``f*`` is unknown."""
    return np.maximum(loss - f_star, GAP_FLOOR) if f_star is not None else np.asarray(loss)


MARKS = {  # the sweep figure's markers: legend text and marker style (drawn in each optimizer's colour)
    "best": ("best learning rate (fair race)", {**STAR, "size": 15, "line": {"color": "black", "width": 1}}),
    "diverge": ("first divergence", {"symbol": "x", "size": 13, "line": {"color": "black", "width": 1}}),
    "current": ("learning rate in use", {"symbol": "diamond", "size": 11, "line": {"color": "black", "width": 1.5}}),
}


def _mark(kind: str, x: float, y: object, color: str, label: str, what: str) -> go.Scatter:
    text, marker = MARKS[kind]
    return go.Scatter(x=f32([x]), y=[y], mode="markers", name=text, legendgroup=kind, showlegend=False,
                      marker={**marker, "color": color}, hovertemplate=f"{what}<extra>{label}</extra>")


def sweep_figure(sweeps: list[Sweep], labels: list[str], colors: list[str], current: list[float]) -> go.Figure:
    """Final loss and steps to tolerance against the learning rate (log axis), and each stable range.

    Top: the final loss gap of every run that did not diverge, with a star at the learning rate the fair
    race would pick.  Middle: steps to reach the tolerance.  Bottom: one bar per optimizer over its
    longest run of stable learning rates, an ✕ at the first one that diverged, and a diamond at the
    learning rate it uses now (``current``).
    """
    if not sweeps:
        raise ValueError("Invalid sweeps: at least one sweep is needed")
    known = sweeps[0].f_star is not None
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, row_heights=[0.45, 0.3, 0.25], vertical_spacing=0.07)
    for s, label, color, lr in zip(sweeps, labels, colors, current, strict=True):
        ok, line = s.diverged_at < 0, {"color": color, "width": 2}
        fig.add_trace(go.Scatter(
            x=f32(s.lrs[ok]), y=f32(_gap(s.final_loss[ok], s.f_star)), mode="lines+markers", name=label,
            legendgroup=label, legendrank=1, line=line, marker={"size": 5, "color": color},
            hovertemplate="lr %{x:.3g}: final %{y:.4g}<extra>%{fullData.name}</extra>",
        ), row=1, col=1)
        if s.best is not None:
            best = float(_gap(s.final_loss[s.best], s.f_star))
            fig.add_trace(_mark("best", s.lrs[s.best], best, color, label, "best lr %{x:.3g}: final %{y:.4g}"),
                          row=1, col=1)
        hit = ok & (s.steps_to_tol >= 0)
        fig.add_trace(go.Scatter(
            x=f32(s.lrs[hit]), y=s.steps_to_tol[hit].astype(np.int32), mode="lines+markers", name=label,
            legendgroup=label, showlegend=False, line=line, marker={"size": 5, "color": color},
            hovertemplate="lr %{x:.3g}: %{y} steps<extra>%{fullData.name}</extra>",
        ), row=2, col=1)
        if s.stable_range is not None:
            fig.add_trace(go.Scatter(
                x=f32(s.stable_range), y=[label, label], mode="lines", name=label, legendgroup=label,
                showlegend=False, line={"color": color, "width": 10},
                hovertemplate="stable up to here: lr %{x:.3g}<extra>" + label + "</extra>",
            ), row=3, col=1)
        if s.diverge_lr is not None:
            fig.add_trace(_mark("diverge", s.diverge_lr, label, color, label, "diverges from lr %{x:.3g}"),
                          row=3, col=1)
        fig.add_trace(_mark("current", lr, label, "white", label, "in use: lr %{x:.3g}"), row=3, col=1)
    for kind, (text, marker) in MARKS.items():  # one neutral legend entry per kind of marker
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=text, legendgroup=kind, legendrank=2,
                                 marker={**marker, "color": "#9ca3af" if kind != "current" else "white"}))
    fig.update_xaxes(type="log", dtick=1, exponentformat="power", showgrid=True)
    fig.update_xaxes(title_text="learning rate γ", row=3, col=1)
    fig.update_yaxes(title_text="final f − f*" if known else "final f", type="log" if known else "linear",
                     exponentformat="power", row=1, col=1)
    fig.update_yaxes(title_text=f"steps to ≤ {sweeps[0].tol:g}", row=2, col=1)
    fig.update_yaxes(type="category", autorange="reversed", automargin=True, row=3, col=1)
    if not known:
        fig.add_annotation(text="no known minimum, so no tolerance to reach", showarrow=False, xref="x2 domain",
                           yref="y2 domain", x=0.5, y=0.5, font={"color": "#64748b"})
    fig.update_layout(height=660, font={"size": 13}, legend=TOP_LEGEND,
                      margin={"l": 60, "r": 10, "t": 60, "b": 50}, hovermode="closest")
    return white(fig)


def spread_figure(spreads: list[Spread], labels: list[str], colors: list[str], f_star: float | None) -> go.Figure:
    """Loss gap against step: each optimizer's median over its runs, in a shaded 10–90 % band."""
    if not spreads:
        raise ValueError("Invalid spreads: at least one spread is needed")
    fig = go.Figure()
    for s, label, color in zip(spreads, labels, colors, strict=True):
        low, median, high = (f32(_gap(q, f_star)) for q in s.loss_quantiles)
        steps = np.arange(len(median), dtype=np.int32)
        fill = "rgba({},{},{},0.22)".format(*(int(color[i:i + 2], 16) for i in (1, 3, 5)))
        fig.add_trace(go.Scatter(x=steps, y=high, mode="lines", line={"width": 0}, legendgroup=label,
                                 showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=steps, y=low, mode="lines", line={"width": 0}, fill="tonexty", fillcolor=fill,
                                 legendgroup=label, name=f"{label}: 10–90 %", showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(
            x=steps, y=median, mode="lines", name=label, legendgroup=label, line={"color": color, "width": 2},
            customdata=np.column_stack([low, high]),
            hovertemplate="step %{x}: median %{y:.3g} (10–90 %: %{customdata[0]:.3g} – %{customdata[1]:.3g})"
                          "<extra>%{fullData.name}</extra>",
        ))
    title = "Loss gap f(θ) − f*: median and 10–90 % band" if f_star is not None else "Loss f(θ): median and 10–90 %"
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"}, height=380, font={"size": 13},
        margin={"l": 60, "r": 10, "t": 80, "b": 45}, legend={**TOP_LEGEND, "y": 1.0}, hovermode="closest",
        xaxis={"title": {"text": "step"}},
        yaxis={"title": {"text": "f(θ) − f*" if f_star is not None else "f(θ)"},
               "type": "log" if f_star is not None else "linear", "exponentformat": "power"},
    )
    return white(fig)


def _diverged_note(s: Spread) -> str:
    gone = int(np.sum(s.diverged_at >= 0))
    return f" · {gone} of {len(s.diverged_at)} diverged" if gone else ""


def cloud_figure(landscape: Landscape, grid: ContourGrid, spread: Spread, label: str, color: str) -> go.Figure:
    """One optimizer's runs on the contour: starts as small white dots, ends in ``color``.

    A diverged run ends in an ✕ at its last finite point.  The title gives the share of runs that reached
    a global minimum.
    """
    fig = _panel(landscape, f"{label}<br><sup>{_percent(spread.global_share)}{_diverged_note(spread)}</sup>")
    fig.add_traces(surface_traces(grid, "rgba(255,255,255,0.25)"))
    fig.add_traces(_minima_stars(landscape))
    fig.add_trace(go.Scatter(
        x=f32(spread.starts[:, 0]), y=f32(spread.starts[:, 1]), mode="markers", name="start",
        marker={"size": 5, "color": "white", "line": {"color": "black", "width": 0.5}},
        hovertemplate="start (%{x:.3g}, %{y:.3g})<extra></extra>",
    ))
    gone = spread.diverged_at >= 0
    for mask, symbol, name in ((~gone, "circle", "end"), (gone, "x", "diverged")):
        if mask.any():
            fig.add_trace(go.Scatter(
                x=f32(spread.finals[mask, 0]), y=f32(spread.finals[mask, 1]), mode="markers", name=name,
                marker={"size": 9, "color": color, "symbol": symbol, "opacity": 0.85,
                        "line": {"color": "black", "width": 1}},
                hovertemplate="end (%{x:.4g}, %{y:.4g})<extra>%{fullData.name}</extra>",
            ))
    return fig
