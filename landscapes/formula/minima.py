"""A numerical search for the minima of a custom surface: grid minima polished by damped Newton steps."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from landscapes.base import Array

GRID = 61  # grid points per axis for the finiteness check and the minima search
NEWTON_STEPS = 50
MAX_CANDIDATES = 100  # lowest grid minima polished by Newton's method
MAX_MINIMA = 10


def _positive_definite(h: Array) -> Array:
    """Whether each symmetric 2x2 matrix in ``h`` (..., 2, 2) is positive definite."""
    det = h[..., 0, 0] * h[..., 1, 1] - h[..., 0, 1] * h[..., 1, 0]
    return (h[..., 0, 0] > 0) & (det > 0) & np.isfinite(det)


@np.errstate(all="ignore")
def find_minima(
    value: Callable[[Array], Array],
    grad: Callable[[Array], Array],
    hessian: Callable[[Array], Array],
    grid: Array,
    grid_values: Array,
    lo: Array,
    hi: Array,
) -> Array:
    """Local minima of the grid, polished by damped Newton steps, checked, deduplicated, lowest first."""
    v = np.where(np.isfinite(grid_values), grid_values, np.inf)
    centre = v[1:-1, 1:-1]
    is_min = np.isfinite(centre)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            is_min &= centre <= v[1 + dy:v.shape[0] - 1 + dy, 1 + dx:v.shape[1] - 1 + dx]
    candidates = grid[1:-1, 1:-1][is_min]
    candidates = candidates[np.argsort(centre[is_min], kind="stable")[:MAX_CANDIDATES]]
    p = _polish(value, grad, hessian, candidates, float(np.linalg.norm(hi - lo)))
    g, h, f = grad(p), hessian(p), value(p)
    keep = (
        np.all((p >= lo) & (p <= hi), axis=-1) & np.isfinite(f)
        & (np.linalg.norm(g, axis=-1) < 1e-6) & _positive_definite(h)
    )
    p, f = p[keep], f[keep]
    p = p[np.argsort(f, kind="stable")]
    scaled = p / (hi - lo)
    near = np.linalg.norm(scaled[:, None] - scaled[None], axis=-1) < 1e-4
    duplicate = np.triu(near, k=1).any(axis=0)  # a lower point lies within the tolerance
    return p[~duplicate][:MAX_MINIMA].reshape(-1, 2)


def _polish(
    value: Callable[[Array], Array],
    grad: Callable[[Array], Array],
    hessian: Callable[[Array], Array],
    p: Array,
    diagonal: float,
) -> Array:
    """Up to ``NEWTON_STEPS`` damped Newton steps for all points ``(n, 2)`` at once (call under errstate).

    Where the Hessian is not positive definite the direction is the negative
    gradient, scaled to a tenth of the box diagonal.  Each step is halved up to
    eleven times until the value does not increase; points that cannot descend stay.
    """
    fractions = 0.5 ** np.arange(12)
    for _ in range(NEWTON_STEPS):
        g, h, f = grad(p), hessian(p), value(p)
        a, b, c = h[..., 0, 0], h[..., 0, 1], h[..., 1, 1]
        newton = -np.stack([c * g[..., 0] - b * g[..., 1], a * g[..., 1] - b * g[..., 0]], -1)
        newton /= (a * c - b * b)[..., None]
        downhill = -g * (0.1 * diagonal / np.linalg.norm(g, axis=-1, keepdims=True))
        step = np.where(_positive_definite(h)[..., None], newton, downhill)
        step = np.where(np.isfinite(step), step, 0.0)
        trial = p[:, None, :] + fractions[None, :, None] * step[:, None, :]
        ok = value(trial) <= f[:, None]
        first = np.argmax(ok, axis=1)
        moved = ok.any(axis=1) & np.any(step != 0, axis=-1)
        if not moved.any():
            break
        p = np.where(moved[:, None], trial[np.arange(len(p)), first], p)
    return p
