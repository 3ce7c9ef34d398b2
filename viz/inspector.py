"""The step inspector's figure: one step of a run, magnified, with its vectors drawn to scale.

It draws a :class:`~optimizers.explain.StepView`, the step as :func:`optimizers.explain.explain` prepared it.
All arrows are displacements in θ's own units, drawn from the point where the step starts, so
their lengths compare directly: the plain gradient step ``-γ g`` (what gradient descent with this
step's γ would do), the momentum's contribution where the method keeps one, and the update the
optimizer actually made.  The view zooms onto the step (the surface is resampled there), because
late steps are often too small to see on the whole surface.  No Streamlit here.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import plotly.graph_objects as go

from landscapes.base import Landscape
from optimizers.explain import Mark, StepView
from viz.figures import contour_grid, surface_traces, white

Array = np.ndarray
GRADIENT_COLOR, MOMENT_COLOR = "#ff1744", "#d946ef"      # red and fuchsia: visible on dark and pale contours
MIN_VIEW = 0.02          # the zoomed view is at least this share of the surface's span wide
MARGIN = 1.35            # the view is this much larger than the step's points and arrow tips
HEIGHT = 470


def _ellipse(matrix: Array, center: Array, scale: float) -> Array:
    """``(73, 2)`` points of ``center + scale · M^{1/2} u`` around the unit circle (M symmetric)."""
    lam, vec = np.linalg.eigh(0.5 * (matrix + matrix.T))
    root = vec @ np.diag(np.sqrt(np.maximum(lam, 0.0))) @ vec.T
    angle = np.linspace(0, 2 * np.pi, 73)
    return center + scale * np.stack([np.cos(angle), np.sin(angle)], axis=-1) @ root.T


def view_box(points: Array, landscape: Landscape) -> tuple[tuple[float, float], tuple[float, float]]:
    """A square box around ``points`` (k, 2) with a margin, never smaller than ``MIN_VIEW`` of the span."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    center = (lo + hi) / 2
    half = max(MARGIN * float(np.max(hi - lo)) / 2, MIN_VIEW * float(np.max(landscape.span)) / 2)
    return (center[0] - half, center[0] + half), (center[1] - half, center[1] + half)


def inspector_figure(landscape: Landscape, path: Array, view: StepView, color: str, resolution: int = 70) -> go.Figure:
    """Step ``view.t`` of a run whose points are ``path`` (steps + 1, 2), drawn in the run's ``color``: zoomed
    contour, path so far, the step's arrows, the entry's marks and matrices (scaled to fit the view)."""
    t = view.t
    role_colors = {"gradient": GRADIENT_COLOR, "moment": MOMENT_COLOR, "update": color}
    marks = [mark._replace(color=mark.color or GRADIENT_COLOR) for mark in view.marks]
    before, after = path[t - 1], path[t]
    circle = np.linspace(0, 2 * np.pi, 73)
    ring = np.stack([np.cos(circle), np.sin(circle)], axis=-1)
    balls = [(mark, before + mark.radius * ring) for mark in marks if mark.radius > 0]
    arrows = view.arrows
    tips = np.array([a.origin + a.vector for a in arrows] + [a.origin for a in arrows] + [before, after]
                    + [mark.point for mark in marks] + [p for _, ball in balls for p in ball[::18]])
    box = view_box(tips, landscape)
    widest = max((float(np.sqrt(np.max(np.linalg.eigvalsh(shape.matrix)))) for shape in view.shapes), default=0.0)
    scale = 0.4 * 0.5 * (box[0][1] - box[0][0]) / widest if widest > 0 else 0.0
    rings = [(shape, _ellipse(shape.matrix, before, scale)) for shape in view.shapes]
    if rings:
        box = view_box(np.concatenate([tips] + [points for _, points in rings]), landscape)
    grid = contour_grid(replace(landscape, bounds=box), resolution=resolution)
    fig = go.Figure(surface_traces(grid))
    fig.add_trace(go.Scatter(
        x=path[:t + 1, 0], y=path[:t + 1, 1], mode="lines+markers", name="path so far", hoverinfo="skip",
        line={"color": color, "width": 1.5}, marker={"color": color, "size": 5}, opacity=0.7,
    ))
    for arrow in arrows:
        tip = arrow.origin + arrow.vector
        arrow_color = role_colors[arrow.role]
        fig.add_trace(go.Scatter(
            x=[arrow.origin[0], tip[0]], y=[arrow.origin[1], tip[1]], mode="lines", name=arrow.label,
            line={"color": arrow_color, "width": 3},
            hovertemplate=f"{arrow.label}<br>(%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
        ))
        if np.any(arrow.vector != 0):
            fig.add_annotation(x=tip[0], y=tip[1], ax=arrow.origin[0], ay=arrow.origin[1], xref="x", yref="y",
                               axref="x", ayref="y", showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=3,
                               arrowcolor=arrow_color, text="")
    for shape, ring_points in rings:
        fig.add_trace(go.Scatter(
            x=ring_points[:, 0], y=ring_points[:, 1], mode="lines", name=shape.label, hoverinfo="skip",
            line={"color": MOMENT_COLOR if shape.estimate else "white", "width": 2,
                  "dash": "solid" if shape.estimate else "dash"},
        ))
    for mark, ball in balls:
        fig.add_trace(go.Scatter(
            x=ball[:, 0], y=ball[:, 1], mode="lines", name=f"radius {mark.radius:.4g} around θₜ₋₁",
            line={"color": mark.color, "width": 1.5, "dash": "dot"}, hoverinfo="skip",
        ))
    points = [Mark(before, "θₜ₋₁", "white", "circle"), Mark(after, "θₜ", color, "circle"), *marks]
    for mark in points:
        fig.add_trace(go.Scatter(
            x=[mark.point[0]], y=[mark.point[1]], mode="markers", name=mark.label,
            marker={"size": 12, "color": mark.color, "line": {"color": "black", "width": 1.5}, "symbol": mark.symbol},
            hovertemplate=f"{mark.label} (%{{x:.6g}}, %{{y:.6g}})<extra></extra>",
        ))
    fig.update_xaxes(range=list(box[0]), constrain="domain", showgrid=False, zeroline=False, title_text="x")
    fig.update_yaxes(range=list(box[1]), scaleanchor="x", constrain="domain", showgrid=False, zeroline=False,
                     title_text="y")
    fig.update_layout(
        height=HEIGHT, margin={"l": 50, "r": 10, "t": 10, "b": 40}, font={"size": 12},
        legend={"orientation": "h", "x": 0, "y": -0.14, "xanchor": "left", "yanchor": "top"},
        uirevision=f"inspect:{t}",
    )
    return white(fig)
