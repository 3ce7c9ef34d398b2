"""The race view's payloads (no Streamlit here).

The race is drawn and animated in the browser by ``static/race.js`` with plotly.js.  Python sends it two
JSON payloads, with every array as base64 of little-endian float32 values (finite numbers only):

``surface_payload(landscape, grid)`` - sent once per surface::

    {"id": str,                      # changes with the surface (its grid, bounds and minima)
     "x": f32[r], "y": f32[r],       # grid axes
     "g": f32[r * r],                # row-major: g[i * r + j] = f(x[j], y[i]) − f*
     "scale": {"spacing": "linear" | "sqrt" | "log", "f_star": float, "floor": float, "refs": [float, ...]},
                                     # z = scale(g), what the colours and level lines follow (LevelScale)
     "levels": {"start": float, "end": float, "size": float},       # the level lines, in z
     "ticks": {"vals": [float, ...], "text": [str, ...]},           # colour-bar ticks (empty: plotly's own)
     "label": str, "colorscale": [[pos, colour], ...],
     "bounds": [[xmin, xmax], [ymin, ymax]], "minima": [[x, y], ...]}

``runs_payload(runs, layout, present=False, trails=0)`` - sent on every change::

    {"revision": str,                # changes whenever anything drawn changes
     "layout": "side" | "overlay", "present": bool, "trails": int,    # trails = 0: full paths
     "runs": [{"label": str, "title": str, "color": "#rrggbb",
               "x": f32[steps + 1], "y": f32[steps + 1], "f": f32[steps + 1],   # points and loss per step
               "g": f32[steps * 2] (optional),     # the gradient step t used, at 2 * (t - 1)
               "end": int, "diverged_at": int,     # last finite step drawn; first bad step or -1
               "markers": [{"name": str, "symbol": str, "x": f32[steps + 1], "y": f32[steps + 1],
                            "link": bool, "radius": float (optional)}]}]}

``markers`` are extra points a run carries and the view animates with the step: one marker per series, at
the series' point of the step drawn (for example Schedule-Free's three sequences, or SAM's perturbed
point).  Give a :class:`~viz.figures.Run` ``markers=(MarkerSeries(...), ...)``; ``symbol`` is any plotly
marker symbol name.  ``link`` joins the marker to the run's point (and to the linked markers before it) by a
thin line; ``radius`` draws a circle of that radius (in the surface's units) around the run's point of the step
before (SAM's ρ-ball, whose perturbed point lies on it).
"""
from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import numpy as np

from landscapes.base import Landscape
from viz.figures import COLORSCALE, ContourGrid, Run, f32

STATIC = Path(__file__).parent / "static"        # race.js, race.css, plotly.js, the two Streamlit mount scripts
                                                 # and the published pages' script and styles
PLOTLY_JS = STATIC / "plotly-race.min.js"        # plotly.js core + heatmap + contour, built by vendor_plotly.py
LAYOUTS = ("side", "overlay")


def _b64(a: np.ndarray) -> str:
    """Finite ``a`` as base64 of little-endian float32."""
    return base64.b64encode(f32(a).astype("<f4").tobytes()).decode()


def _digest(payload: object) -> str:
    return hashlib.blake2b(json.dumps(payload, sort_keys=True).encode(), digest_size=8).hexdigest()


def surface_payload(landscape: Landscape, grid: ContourGrid) -> dict:
    """What the view needs of a surface: its sampled heights and their level scale, bounds, minima and colours.

    The heights go out once, not the drawn ``z`` as well: the browser maps them with the scale (a few numbers)
    and keeps the heights for the hover, which shows f."""
    (x0, x1), (y0, y1) = landscape.bounds
    minima = np.asarray(landscape.minima, dtype=np.float64).reshape(-1, 2)
    payload = {"x": _b64(grid.x), "y": _b64(grid.y), "g": _b64(grid.g), "scale": grid.scale.payload(),
               "levels": grid.contours(), "ticks": {"vals": list(grid.ticks[0]), "text": list(grid.ticks[1])},
               "label": grid.label,
               "colorscale": [list(stop) for stop in COLORSCALE],
               "bounds": [[float(x0), float(x1)], [float(y0), float(y1)]],
               "minima": [[float(v) for v in f32(m)] for m in minima if np.all(np.isfinite(m))]}
    return {"id": _digest(payload), **payload}


def _markers(run: Run) -> list[dict]:
    """The run's extra marker series; a non-finite point is drawn at the run's own point of that step."""
    out = []
    for series in run.markers:
        points = np.asarray(series.points, dtype=np.float64)
        if points.shape != run.points.shape:
            raise ValueError(f"Invalid marker series {series.name!r}: points have shape {points.shape}, "
                             f"expected {run.points.shape} (one point per step of the run)")
        points = np.where(np.isfinite(points), points, run.points)
        item = {"name": series.name, "symbol": series.symbol, "x": _b64(points[:, 0]), "y": _b64(points[:, 1]),
                "link": bool(series.link)}
        if series.radius is not None and np.isfinite(series.radius) and series.radius > 0:
            item["radius"] = float(series.radius)
        out.append(item)
    return out


def runs_payload(runs: list[Run], layout: str = "side", present: bool = False, trails: int = 0) -> dict:
    """Every run's path, loss and markers, with the layout and presenter options; ``revision`` names it."""
    if layout not in LAYOUTS:
        raise ValueError(f"Invalid layout: {layout!r} (allowed: 'side', 'overlay')")
    if not runs:
        raise ValueError("Invalid runs: at least one run is needed")
    if trails < 0:
        raise ValueError(f"Invalid trails: {trails} (allowed: trails >= 0)")
    items = []
    for run in runs:
        item = {"label": run.label, "title": run.title, "color": run.color, "x": _b64(run.points[:, 0]),
                "y": _b64(run.points[:, 1]), "f": _b64(run.loss), "end": run.end, "diverged_at": run.diverged_at,
                "markers": _markers(run)}
        if run.grads is not None:
            item["g"] = _b64(np.asarray(run.grads).reshape(-1))
        items.append(item)
    payload = {"layout": layout, "present": bool(present), "trails": int(trails), "runs": items}
    return {"revision": _digest(payload), **payload}
