"""Click-to-start: invisible, selectable points laid over every contour panel of a figure.

Streamlit's ``st.plotly_chart(..., on_select=..., selection_mode="points")`` reports clicks only on points
of scatter traces, not on a contour.  A grid of fully transparent markers over each panel turns a click
anywhere on the surface into a selected point whose ``x``/``y`` the page reads back.  The grid is added
after the animated traces, so the frames' trace indices are untouched.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from landscapes.base import Landscape

PER_SIDE = 40      # 1,600 targets per panel: about 17 kB of the figure each, a click resolution of 2.5 % of a side
TARGET_NAME = "click target"


def click_grid(landscape: Landscape, per_side: int = PER_SIDE) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` of a ``per_side``² grid over the bounds, rounded to three significant digits of the span
    so a clicked start reads as a short number, as float32 (compact in the figure; read them back with
    :func:`snap`)."""
    (x0, x1), (y0, y1) = landscape.bounds
    axes = []
    for lo, hi in ((x0, x1), (y0, y1)):
        digits = 2 - math.floor(math.log10(hi - lo))
        axes.append(np.round(np.linspace(lo, hi, per_side), digits))
    gx, gy = np.meshgrid(*axes)
    return gx.ravel().astype(np.float32), gy.ravel().astype(np.float32)


def snap(value: float) -> float:
    """A clicked coordinate as the short decimal it was before its float32 round trip (3.9, not 3.9000001)."""
    return float(f"{value:.6g}")


def add_click_targets(fig: go.Figure, landscape: Landscape, per_side: int = PER_SIDE) -> None:
    """Add the transparent grid to every panel (every contour trace's axes) of ``fig``, in place."""
    x, y = click_grid(landscape, per_side)
    panels = dict.fromkeys((t.xaxis or "x", t.yaxis or "y") for t in fig.data if t.type == "contour")
    for xaxis, yaxis in panels:
        fig.add_trace(go.Scatter(
            x=x, y=y, xaxis=xaxis, yaxis=yaxis, mode="markers", name=TARGET_NAME, showlegend=False,
            marker={"size": 2, "opacity": 0}, selected={"marker": {"opacity": 0}},
            unselected={"marker": {"opacity": 0}}, hoverinfo="none",
        ))
