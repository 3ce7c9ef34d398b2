"""Plotly figures of the analysis mode: basins of attraction, learning-rate sweeps and spreads.

Built from the records of :mod:`optimizers.analysis`; no Streamlit here.  Like the race figure, arrays
go out as float32 (compact base64) and only finite numbers are sent.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from landscapes.base import Landscape
from optimizers.analysis import DIVERGED, NOT_CONVERGED, BasinMap, Spread, Sweep
from viz.figures import COLORSCALE, N_LEVELS, ContourGrid

Array = np.ndarray

DIVERGED_COLOR, STALLED_COLOR = "#1f2937", "#d1d5db"
MINIMUM_COLORS = (  # Paul Tol's "muted" scheme: one hue per listed minimum, distinct from grey and near-black
    "#44AA99", "#88CCEE", "#DDCC77", "#CC6677", "#AA4499", "#117733", "#332288", "#999933", "#882255", "#6699CC",
)
PANEL_HEIGHT = 380
FLOOR = 1e-16            # loss gaps are drawn at least this large on log axes
STAR = {"symbol": "star", "size": 13, "color": "#111827", "line": {"color": "white", "width": 1.2}}
TOP_LEGEND = {"orientation": "h", "x": 0, "y": 1.02, "xanchor": "left", "yanchor": "bottom"}


def _f32(a: object) -> Array:
    return np.asarray(a, dtype=np.float32)


def minimum_label(landscape: Landscape, k: int, is_global: bool) -> str:
    """Legend text of listed minimum ``k``: its position, and whether it is a global one."""
    x, y = landscape.minima[k]
    return f"minimum ({x:.3g}, {y:.3g})" + (" · global" if is_global else "")


def outcome_colors(n_minima: int) -> list[str]:
    """Colour of each outcome code + 2: diverged, not converged, then one per minimum (cycling)."""
    return [DIVERGED_COLOR, STALLED_COLOR] + [MINIMUM_COLORS[k % len(MINIMUM_COLORS)] for k in range(n_minima)]


def _grid_shape(n: int) -> tuple[int, int]:
    cols = 1 if n == 1 else 2
    return -(-n // cols), cols


def _square_axes(fig: go.Figure, landscape: Landscape, n_panels: int, rows: int) -> None:
    """Axes clipped to the bounds, equal scale in x and y, titles on the left column."""
    (x0, x1), (y0, y1) = landscape.bounds
    fig.update_xaxes(range=[x0, x1], constrain="domain", showgrid=False, zeroline=False)
    fig.update_yaxes(range=[y0, y1], constrain="domain", showgrid=False, zeroline=False)
    for i in range(1, n_panels + 1):
        suffix = "" if i == 1 else str(i)
        fig.layout[f"yaxis{suffix}"].scaleanchor = f"x{suffix}"
    for r in range(1, rows + 1):
        fig.update_xaxes(title_text="x", row=r, col=1)
        fig.update_yaxes(title_text="y", row=r, col=1)


def _percent(share: float | None) -> str:
    return "no known minimum" if share is None else f"{100 * share:.0f}% to the global minimum"


def basins_figure(landscape: Landscape, maps: list[BasinMap], labels: list[str],
                  grid: ContourGrid | None = None) -> go.Figure:
    """One panel per optimizer: each start of the grid coloured by where its run ended.

    Colours: one per listed minimum, pale grey for runs still short of every minimum when the step budget
    ran out, near-black for diverged runs.  Faint contour lines of ``grid`` and the minima (stars) are drawn
    on top.  Panel titles give the share of starts that reach a global minimum.
    """
    if not maps:
        raise ValueError("Invalid maps: at least one basin map is needed")
    n_min = len(landscape.minima)
    colors = outcome_colors(n_min)
    n_codes = len(colors)
    scale = [[edge / n_codes, color] for i, color in enumerate(colors) for edge in (i, i + 1)]  # one step each
    rows, cols = _grid_shape(len(maps))
    titles = [f"{label}<br><sup>{_percent(m.global_share)}</sup>" for label, m in zip(labels, maps, strict=True)]
    fig = make_subplots(rows=rows, cols=cols, shared_xaxes="all", shared_yaxes="all", subplot_titles=titles,
                        horizontal_spacing=0.05, vertical_spacing=0.12 if rows > 1 else 0.0)
    for i, (label, m) in enumerate(zip(labels, maps, strict=True)):
        row, col = i // cols + 1, i % cols + 1
        fig.add_trace(go.Heatmap(
            x=_f32(m.x), y=_f32(m.y), z=(m.outcome + 2).astype(np.int8), customdata=_f32(m.final_loss),
            coloraxis="coloraxis", name=label,
            hovertemplate="start (%{x:.3g}, %{y:.3g})<br>final loss %{customdata:.4g}<extra></extra>",
        ), row=row, col=col)
        if grid is not None:
            fig.add_trace(go.Contour(
                x=grid.x, y=grid.y, z=grid.z, ncontours=N_LEVELS, showscale=False, hoverinfo="skip",
                contours={"coloring": "lines"}, colorscale=[[0, "rgba(17,24,39,0.3)"], [1, "rgba(17,24,39,0.3)"]],
                line={"width": 0.6},
            ), row=row, col=col)
        if n_min:
            fig.add_trace(go.Scatter(
                x=_f32(landscape.minima[:, 0]), y=_f32(landscape.minima[:, 1]), mode="markers", marker=STAR,
                showlegend=False, hovertemplate="minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
            ), row=row, col=col)
    legend = [("diverged", DIVERGED), ("not converged", NOT_CONVERGED)]
    is_global = maps[0].is_global
    legend += [(minimum_label(landscape, k, bool(is_global[k])), k) for k in range(n_min)]
    for text, code in legend:  # legend swatches: one invisible point per outcome
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=text, hoverinfo="skip",
            marker={"symbol": "square", "size": 12, "color": colors[code + 2],
                    "line": {"color": "#6b7280", "width": 1}},
        ))
    _square_axes(fig, landscape, len(maps), rows)
    fig.update_layout(
        height=PANEL_HEIGHT * rows + 60, margin={"l": 50, "r": 10, "t": 110, "b": 40}, font={"size": 13},
        template="plotly_white", legend=TOP_LEGEND, hovermode="closest",
        coloraxis={"colorscale": scale, "cmin": -0.5, "cmax": n_codes - 0.5, "showscale": False},
    )
    fig.update_annotations(yshift=4)
    return fig


def _gap(loss: Array, f_star: float | None) -> Array:
    """What a loss axis shows: ``f - f*`` floored for a log axis, or ``f`` itself when ``f*`` is unknown."""
    return np.maximum(loss - f_star, FLOOR) if f_star is not None else np.asarray(loss)


def sweep_figure(sweeps: list[Sweep], labels: list[str], colors: list[str],
                 current: list[float] | None = None) -> go.Figure:
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
    hover = "lr %{x:.3g}: %{y:.4g}<extra>%{fullData.name}</extra>"
    for k, (s, label, color) in enumerate(zip(sweeps, labels, colors, strict=True)):
        ok = s.diverged_at < 0
        fig.add_trace(go.Scatter(
            x=_f32(s.lrs[ok]), y=_f32(_gap(s.final_loss[ok], s.f_star)), mode="lines+markers", name=label,
            legendgroup=label, line={"color": color, "width": 2}, marker={"size": 5, "color": color},
            hovertemplate=hover,
        ), row=1, col=1)
        if s.best is not None:
            fig.add_trace(go.Scatter(
                x=_f32([s.lrs[s.best]]), y=_f32(_gap(s.final_loss[s.best:s.best + 1], s.f_star)), mode="markers",
                name="best learning rate", legendgroup="best", showlegend=k == 0,
                marker={**STAR, "size": 15, "color": color, "line": {"color": "black", "width": 1}},
                hovertemplate="best lr %{x:.3g}: %{y:.4g}<extra>" + label + "</extra>",
            ), row=1, col=1)
        hit = ok & (s.steps_to_tol >= 0)
        fig.add_trace(go.Scatter(
            x=_f32(s.lrs[hit]), y=s.steps_to_tol[hit].astype(np.int32), mode="lines+markers", name=label,
            legendgroup=label, showlegend=False, line={"color": color, "width": 2}, marker={"size": 5, "color": color},
            hovertemplate="lr %{x:.3g}: %{y} steps<extra>%{fullData.name}</extra>",
        ), row=2, col=1)
        band = s.stable_range
        if band is not None:
            fig.add_trace(go.Scatter(
                x=_f32(band), y=[label, label], mode="lines", name=label, legendgroup=label, showlegend=False,
                line={"color": color, "width": 10}, hovertemplate="stable from %{x:.3g}<extra>" + label + "</extra>",
            ), row=3, col=1)
        if s.diverge_lr is not None:
            fig.add_trace(go.Scatter(
                x=_f32([s.diverge_lr]), y=[label], mode="markers", name="first divergence", legendgroup="diverged",
                showlegend=k == 0, marker={"symbol": "x", "size": 13, "color": color, "line": {"color": "black",
                                                                                            "width": 1}},
                hovertemplate="diverges at lr %{x:.3g}<extra>" + label + "</extra>",
            ), row=3, col=1)
        if current is not None:
            fig.add_trace(go.Scatter(
                x=_f32([current[k]]), y=[label], mode="markers", name="learning rate in use", legendgroup="current",
                showlegend=k == 0, marker={"symbol": "diamond", "size": 11, "color": "white",
                                           "line": {"color": "black", "width": 1.5}},
                hovertemplate="in use: lr %{x:.3g}<extra>" + label + "</extra>",
            ), row=3, col=1)
    fig.update_xaxes(type="log", exponentformat="power", showgrid=True)
    fig.update_xaxes(title_text="learning rate γ", row=3, col=1)
    fig.update_yaxes(title_text="final f − f*" if known else "final f", type="log" if known else "linear",
                     exponentformat="power", row=1, col=1)
    fig.update_yaxes(title_text=f"steps to f − f* ≤ {sweeps[0].tol:g}", row=2, col=1)
    fig.update_yaxes(title_text="stable range", type="category", autorange="reversed", showticklabels=False,
                     row=3, col=1)
    if not known:
        fig.add_annotation(text="no known minimum, so no tolerance to reach", showarrow=False, row=2, col=1,
                           xref="x2 domain", yref="y2 domain", x=0.5, y=0.5, font={"color": "#64748b"})
    fig.update_layout(height=640, template="plotly_white", font={"size": 13}, legend=TOP_LEGEND,
                      margin={"l": 60, "r": 10, "t": 60, "b": 50}, hovermode="closest")
    return fig


def spread_figure(spreads: list[Spread], labels: list[str], colors: list[str], f_star: float | None) -> go.Figure:
    """Loss gap against step: each optimizer's median over its runs, in a shaded 10–90 % band."""
    if not spreads:
        raise ValueError("Invalid spreads: at least one spread is needed")
    fig = go.Figure()
    for s, label, color in zip(spreads, labels, colors, strict=True):
        low, median, high = (_f32(_gap(q, f_star)) for q in s.loss_quantiles)
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
        title={"text": title, "x": 0, "xanchor": "left"}, height=380, template="plotly_white", font={"size": 13},
        margin={"l": 60, "r": 10, "t": 80, "b": 45}, legend={**TOP_LEGEND, "y": 1.0}, hovermode="closest",
        xaxis={"title": {"text": "step"}},
        yaxis={"title": {"text": "f(θ) − f*" if f_star is not None else "f(θ)"},
               "type": "log" if f_star is not None else "linear", "exponentformat": "power"},
    )
    return fig


def _diverged_note(s: Spread) -> str:
    gone = int(np.sum(s.diverged_at >= 0))
    return f" · {gone} of {len(s.diverged_at)} diverged" if gone else ""


def cloud_figure(landscape: Landscape, grid: ContourGrid, spreads: list[Spread], labels: list[str],
                 colors: list[str]) -> go.Figure:
    """One contour panel per optimizer: the runs' starts (small white dots) and where they ended.

    A diverged run is drawn as an ✕ at its last finite point.  Titles give the share that reached a
    global minimum.
    """
    if not spreads:
        raise ValueError("Invalid spreads: at least one spread is needed")
    rows, cols = _grid_shape(len(spreads))
    titles = [f"{label}<br><sup>{_percent(s.global_share)}{_diverged_note(s)}</sup>"
              for label, s in zip(labels, spreads, strict=True)]
    fig = make_subplots(rows=rows, cols=cols, shared_xaxes="all", shared_yaxes="all", subplot_titles=titles,
                        horizontal_spacing=0.05, vertical_spacing=0.12 if rows > 1 else 0.0)
    for i, (s, label, color) in enumerate(zip(spreads, labels, colors, strict=True)):
        row, col = i // cols + 1, i % cols + 1
        fig.add_trace(go.Contour(
            x=grid.x, y=grid.y, z=grid.z, coloraxis="coloraxis", ncontours=N_LEVELS, contours={"coloring": "heatmap"},
            line={"width": 0.5, "color": "rgba(255,255,255,0.25)"}, hoverinfo="skip",
        ), row=row, col=col)
        fig.add_trace(go.Scatter(
            x=_f32(s.starts[:, 0]), y=_f32(s.starts[:, 1]), mode="markers", name="starts", showlegend=i == 0,
            legendgroup="starts", marker={"size": 4, "color": "white", "line": {"color": "black", "width": 0.5}},
            hovertemplate="start (%{x:.3g}, %{y:.3g})<extra></extra>",
        ), row=row, col=col)
        gone = s.diverged_at >= 0
        for mask, symbol, name in ((~gone, "circle", label), (gone, "x", f"{label}: diverged")):
            if mask.any():
                fig.add_trace(go.Scatter(
                    x=_f32(s.finals[mask, 0]), y=_f32(s.finals[mask, 1]), mode="markers", name=name,
                    showlegend=False, marker={"size": 8, "color": color, "symbol": symbol,
                                              "line": {"color": "black", "width": 1}},
                    hovertemplate="end (%{x:.4g}, %{y:.4g})<extra>%{fullData.name}</extra>",
                ), row=row, col=col)
        if len(landscape.minima):
            fig.add_trace(go.Scatter(
                x=_f32(landscape.minima[:, 0]), y=_f32(landscape.minima[:, 1]), mode="markers", marker=STAR,
                showlegend=False, hovertemplate="minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
            ), row=row, col=col)
    _square_axes(fig, landscape, len(spreads), rows)
    fig.update_layout(
        height=PANEL_HEIGHT * rows + 40, margin={"l": 50, "r": 10, "t": 90, "b": 40}, font={"size": 13},
        template="plotly_white", legend=TOP_LEGEND, hovermode="closest",
        coloraxis={"colorscale": COLORSCALE, "showscale": False},
    )
    fig.update_annotations(yshift=4)
    return fig
