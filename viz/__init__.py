"""Figures for Optiscope: the race view's payloads (``viz.race_view``), loss and distance curves, 3D view, GIF."""
from __future__ import annotations

from viz.figures import (
    PALETTE,
    ContourGrid,
    MarkerSeries,
    Run,
    contour_grid,
    distance_figure,
    frame_steps,
    loss_figure,
)

__all__ = ["PALETTE", "ContourGrid", "MarkerSeries", "Run", "contour_grid", "distance_figure", "frame_steps",
           "loss_figure"]
