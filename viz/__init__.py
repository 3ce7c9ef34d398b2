"""Plotly figure builders for Optiscope: contour races, loss and distance curves, standalone HTML."""
from __future__ import annotations

from viz.figures import (
    PALETTE,
    ContourGrid,
    Run,
    contour_grid,
    distance_figure,
    frame_steps,
    loss_figure,
    race_figure,
    standalone_html,
)

__all__ = ["PALETTE", "ContourGrid", "Run", "contour_grid", "distance_figure", "frame_steps", "loss_figure",
           "race_figure", "standalone_html"]
