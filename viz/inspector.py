"""The step inspector's figure: one step of a run, magnified, with its vectors drawn to scale.

All arrows are displacements in θ's own units, drawn from the point where the step starts, so
their lengths compare directly: the plain gradient step ``-γ g`` (what gradient descent with this
step's γ would do), the momentum's contribution where the method keeps one, and the update the
optimizer actually made.  The view zooms onto the step (the surface is resampled there), because
late steps are often too small to see on the whole surface.  No Streamlit here.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import plotly.graph_objects as go

from landscapes.base import Landscape
from optimizers.explain import hp_value
from optimizers.registry import MomentArrow
from optimizers.simulate import StepRecord, resolve
from viz.figures import contour_grid, surface_traces, white

Array = np.ndarray
GRADIENT_COLOR, MOMENT_COLOR = "#ff1744", "#d946ef"      # red and fuchsia: visible on dark and pale contours
MIN_VIEW = 0.02          # the zoomed view is at least this share of the surface's span wide
MARGIN = 1.35            # the view is this much larger than the step's points and arrow tips
HEIGHT = 470


@dataclass(frozen=True)
class Mark:
    """A point drawn on the step: the look-ahead point, or one of the entry's markers (with its ρ-ball)."""

    point: Array         # (2,)
    name: str
    color: str
    symbol: str = "x"
    radius: float = 0.0  # > 0: a circle of this radius around the point before the step is drawn too


@dataclass(frozen=True)
class Shape:
    """A 2×2 positive definite matrix ``M`` drawn at θ_{t-1} as the ellipse ``{θ + c M^{1/2} u : ‖u‖ = 1}``.

    For an inverse Hessian that is the shape of the fitted quadratic's contour; all shapes of one step share
    the scale ``c``, so their sizes compare.
    """

    name: str
    matrix: Array        # (2, 2)
    color: str
    dash: str = "solid"


@dataclass(frozen=True)
class Arrow:
    """A displacement drawn from ``origin``."""

    label: str
    origin: Array        # (2,)
    vector: Array        # (2,)
    color: str


def step_arrows(optimizer: str, record: StepRecord, color: str, index: int = 0) -> list[Arrow]:
    """The gradient step, the momentum's share (as the entry's ``moment_arrow`` says) and the update taken.

    Heavy ball: ``Δθ = -γ μ b_{t-1} - γ g``, drawn as the two parts from θ.  Nesterov: ``Δθ = -μ v_{t-1} - γ g``,
    drawn head to tail through the look-ahead point where its gradient is measured.  Adam and relatives: the
    first moment as ``-γ m`` (before the per-coordinate scaling that turns it into the update).
    """
    kind = resolve(optimizer).moment_arrow
    theta, lr = record.theta[index], hp_value(record, "lr", index)
    g = record.step.grad[index]
    update = Arrow("Δθ: the update taken", theta, record.step.update[index], color)
    if kind is MomentArrow.LOOKAHEAD:
        shift = lookahead_shift(record, index)
        return [Arrow("−μ·v: momentum, to the look-ahead point", theta, -shift, MOMENT_COLOR),
                Arrow("−γ·g: gradient step at the look-ahead point", theta - shift, -lr * g, GRADIENT_COLOR), update]
    arrows = [Arrow("−γ·g: plain gradient step", theta, -lr * g, GRADIENT_COLOR)]
    if kind is MomentArrow.HEAVY_BALL:
        carried = 0.0 if record.t == 1 else hp_value(record, "momentum", index) * record.state.trace[index]
        arrows.append(Arrow("−γ·μ·b: momentum carried over", theta, -lr * carried, MOMENT_COLOR))
    elif kind is MomentArrow.FIRST_MOMENT and record.step.moment is not None:
        arrows.append(Arrow("−γ·m: first moment", theta, -lr * record.step.moment[index], MOMENT_COLOR))
    return [*arrows, update]


def step_marks(optimizer: str, record: StepRecord, index: int = 0) -> list[Mark]:
    """The points the entry asks to draw on this step: Nesterov's look-ahead point and each declared marker."""
    opt = resolve(optimizer)
    marks = []
    if opt.moment_arrow is MomentArrow.LOOKAHEAD:
        marks.append(Mark(record.theta[index] - lookahead_shift(record, index), "look-ahead θ − μv", GRADIENT_COLOR))
    for m in opt.markers:
        radius = hp_value(record, m.radius, index) if m.radius else 0.0
        marks.append(Mark(np.asarray(record.step.extra[m.name])[index], m.label, m.color, m.symbol, radius))
    return marks


def step_shapes(landscape: Landscape, optimizer: str, record: StepRecord, index: int = 0) -> list[Shape]:
    """The matrix the entry names in ``ellipse`` (BFGS's H_t, full-matrix AdaGrad's preconditioner), and the
    true inverse Hessian at θ_{t-1} beside it where that is positive definite."""
    opt = resolve(optimizer)
    if not opt.ellipse:
        return []
    label = f"{opt.title.split(' (')[0]}: {opt.ellipse.replace('_', ' ')} (this step)"
    shapes = [Shape(label, np.asarray(record.step.extra[opt.ellipse])[index], MOMENT_COLOR)]
    h = landscape.hessian(record.theta[index][None, :])[0]
    if np.linalg.eigvalsh(h)[0] > 0:
        shapes.append(Shape("true inverse Hessian", np.linalg.inv(h), "white", "dash"))
    return shapes


def _ellipse(matrix: Array, center: Array, scale: float) -> Array:
    """``(73, 2)`` points of ``center + scale · M^{1/2} u`` around the unit circle (M symmetric)."""
    lam, vec = np.linalg.eigh(0.5 * (matrix + matrix.T))
    root = vec @ np.diag(np.sqrt(np.maximum(lam, 0.0))) @ vec.T
    angle = np.linspace(0, 2 * np.pi, 73)
    return center + scale * np.stack([np.cos(angle), np.sin(angle)], axis=-1) @ root.T


def lookahead_shift(record: StepRecord, index: int = 0) -> Array:
    """Nesterov's ``μ v_{t-1}``: how far ahead of θ the gradient was measured."""
    return hp_value(record, "momentum", index) * np.asarray(record.state.trace)[index]


def view_box(points: Array, landscape: Landscape) -> tuple[tuple[float, float], tuple[float, float]]:
    """A square box around ``points`` (k, 2) with a margin, never smaller than ``MIN_VIEW`` of the span."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    center = (lo + hi) / 2
    half = max(MARGIN * float(np.max(hi - lo)) / 2, MIN_VIEW * float(np.max(landscape.span)) / 2)
    return (center[0] - half, center[0] + half), (center[1] - half, center[1] + half)


def inspector_figure(landscape: Landscape, path: Array, t: int, arrows: list[Arrow], color: str,
                     marks: list[Mark] = (), shapes: list[Shape] = (), resolution: int = 70) -> go.Figure:
    """Step ``t`` of a run whose points are ``path`` (steps + 1, 2): zoomed contour, path so far, arrows,
    the entry's marks (:func:`step_marks`) and matrices (:func:`step_shapes`, scaled to fit the view)."""
    before, after = path[t - 1], path[t]
    circle = np.linspace(0, 2 * np.pi, 73)
    ring = np.stack([np.cos(circle), np.sin(circle)], axis=-1)
    balls = [(mark, before + mark.radius * ring) for mark in marks if mark.radius > 0]
    tips = np.array([a.origin + a.vector for a in arrows] + [a.origin for a in arrows] + [before, after]
                    + [mark.point for mark in marks] + [p for _, ball in balls for p in ball[::18]])
    box = view_box(tips, landscape)
    widest = max((float(np.sqrt(np.max(np.linalg.eigvalsh(shape.matrix)))) for shape in shapes), default=0.0)
    scale = 0.4 * 0.5 * (box[0][1] - box[0][0]) / widest if widest > 0 else 0.0
    rings = [(shape, _ellipse(shape.matrix, before, scale)) for shape in shapes]
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
        fig.add_trace(go.Scatter(
            x=[arrow.origin[0], tip[0]], y=[arrow.origin[1], tip[1]], mode="lines", name=arrow.label,
            line={"color": arrow.color, "width": 3},
            hovertemplate=f"{arrow.label}<br>(%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
        ))
        if np.any(arrow.vector != 0):
            fig.add_annotation(x=tip[0], y=tip[1], ax=arrow.origin[0], ay=arrow.origin[1], xref="x", yref="y",
                               axref="x", ayref="y", showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=3,
                               arrowcolor=arrow.color, text="")
    for shape, ring_points in rings:
        fig.add_trace(go.Scatter(
            x=ring_points[:, 0], y=ring_points[:, 1], mode="lines", name=shape.name, hoverinfo="skip",
            line={"color": shape.color, "width": 2, "dash": shape.dash},
        ))
    for mark, ball in balls:
        fig.add_trace(go.Scatter(
            x=ball[:, 0], y=ball[:, 1], mode="lines", name=f"radius {mark.radius:.4g} around θₜ₋₁",
            line={"color": mark.color, "width": 1.5, "dash": "dot"}, hoverinfo="skip",
        ))
    points = [Mark(before, "θₜ₋₁", "white", "circle"), Mark(after, "θₜ", color, "circle"), *marks]
    for mark in points:
        fig.add_trace(go.Scatter(
            x=[mark.point[0]], y=[mark.point[1]], mode="markers", name=mark.name,
            marker={"size": 12, "color": mark.color, "line": {"color": "black", "width": 1.5}, "symbol": mark.symbol},
            hovertemplate=f"{mark.name} (%{{x:.6g}}, %{{y:.6g}})<extra></extra>",
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
