"""Click-to-start: a click on a race panel, reported by the browser as data coordinates, becomes a start point.

The race view (``viz/race_view/static/race.js``) converts the clicked pixel into the panel's ``x`` and ``y``
and sends them back.  Here they are checked (finite, inside the surface's bounds) and rounded to three
significant digits of the plotted span, so a clicked start reads as a short number (3.9, not 3.8971).
"""
from __future__ import annotations

import math

from landscapes.base import Landscape

DIGITS = 3          # significant digits of the span kept: a click resolution of 0.1 % of a side


def snap(value: float) -> float:
    """A coordinate as the short decimal it reads as (3.9, not 3.9000001 after a float32 round trip)."""
    return float(f"{value:.6g}")


def start_from_click(landscape: Landscape, x: object, y: object) -> tuple[float, float] | None:
    """The start point for a click at ``(x, y)``, or ``None`` if the values are not finite numbers inside
    ``landscape.bounds`` (a click outside the panel, or a tampered message)."""
    point = []
    for value, (lo, hi) in zip((x, y), landscape.bounds, strict=True):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return None
        digits = DIGITS - 1 - math.floor(math.log10(hi - lo))
        value = snap(round(float(value), digits))
        if not lo <= value <= hi:
            return None
        point.append(value)
    return point[0], point[1]
