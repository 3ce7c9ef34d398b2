"""Checks of the non-formula inputs of a custom surface: its bounds and its start point."""
from __future__ import annotations

import numpy as np

from landscapes.base import Array, Bounds

MAX_BOUND = 1e6  # largest |bound|


def check_bounds(bounds: object) -> Bounds:
    """``((xmin, xmax), (ymin, ymax))`` as floats, or ``ValueError``."""
    try:
        box = np.asarray(bounds, dtype=np.float64)
    except (TypeError, ValueError):
        box = None
    if box is None or box.shape != (2, 2) or not np.all(np.isfinite(box)) or np.any(np.abs(box) > MAX_BOUND):
        raise ValueError(
            f"Invalid bounds {bounds!r}: give ((xmin, xmax), (ymin, ymax)) as finite numbers "
            f"within ±{MAX_BOUND:g}."
        )
    if not (box[0, 0] < box[0, 1] and box[1, 0] < box[1, 1]):
        raise ValueError(f"Invalid bounds {bounds!r}: each minimum must be smaller than its maximum.")
    return (float(box[0, 0]), float(box[0, 1])), (float(box[1, 0]), float(box[1, 1]))


def check_start(start: object) -> Array:
    """A finite start point of shape ``(2,)``, or ``ValueError``."""
    try:
        point = np.asarray(start, dtype=np.float64)
    except (TypeError, ValueError):
        point = None
    if point is None or point.shape != (2,) or not np.all(np.isfinite(point)):
        raise ValueError(f"Invalid start {start!r}: give two finite numbers (x, y).")
    return point
