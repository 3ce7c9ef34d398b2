"""The :class:`Landscape` record every surface is built into."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray
Bounds = tuple[tuple[float, float], tuple[float, float]]
LEVEL_SPACINGS = ("linear", "sqrt", "log")   # how a surface's contour levels are spaced (Landscape.levels)


@dataclass(frozen=True, eq=False)
class Landscape:
    """A 2-D loss surface with analytic derivatives.

    ``value``, ``grad`` and ``hessian`` take points of shape ``(..., 2)`` and
    return shapes ``(...)``, ``(..., 2)`` and ``(..., 2, 2)``.  Dataset surfaces
    also set ``n_examples`` and ``grad_batch(p, idx)``: the mean gradient over
    the examples ``idx`` (shape ``(n, b)``) at points ``p`` (shape ``(n, 2)``).
    ``suggested`` holds hyperparameters that make this surface's default view converge visibly;
    the app starts from them.  It is plain data, one table per surface keyed by optimizer family
    or by optimizer: a family's settings apply to every member, and a key naming one optimizer
    overrides its family's values (the optimizer registry resolves a name: ``optimizers.registry.suggested``).
    ``levels`` says how its contour levels are spaced, chosen so that the paths of its default view
    cross several of them (see :func:`viz.figures.contour_grid`): ``"linear"`` (evenly in f),
    ``"sqrt"`` (evenly in √(f − f*)) or ``"log"`` (evenly in log₁₀ of the height above each minimum).
    """

    name: str
    title: str
    description: str
    latex: str
    value: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    hessian: Callable[[Array], Array]
    bounds: Bounds
    start: Array
    minima: Array
    params: Mapping[str, float] = field(default_factory=dict)
    suggested: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    levels: str = "log"
    n_examples: int | None = None
    grad_batch: Callable[[Array, Array], Array] | None = None

    def __post_init__(self) -> None:
        if self.levels not in LEVEL_SPACINGS:
            raise ValueError(f"Invalid level spacing: {self.levels!r} (allowed: {', '.join(LEVEL_SPACINGS)})")
        object.__setattr__(self, "start", np.asarray(self.start, dtype=np.float64).reshape(2))
        object.__setattr__(self, "minima", np.asarray(self.minima, dtype=np.float64).reshape(-1, 2))

    @property
    def dim(self) -> int:
        """Dimension of a point: 2 (network landscapes have more)."""
        return 2

    @property
    def layout(self) -> None:
        """A surface's point is not a weight vector with declared matrices (see ``rules.Context.layout``)."""
        return None

    @property
    def center(self) -> Array:
        """Centre of the bounds box."""
        return np.array([sum(self.bounds[0]) / 2, sum(self.bounds[1]) / 2])

    @property
    def span(self) -> Array:
        """Width and height of the bounds box."""
        return np.array([self.bounds[0][1] - self.bounds[0][0], self.bounds[1][1] - self.bounds[1][0]])

    def nearest_minimum(self, p: Array) -> tuple[Array, Array]:
        """Index of and distance to the nearest listed minimum, for points ``(..., 2)``."""
        p = np.asarray(p, dtype=np.float64)
        d = np.linalg.norm(p[..., None, :] - self.minima, axis=-1)
        return d.argmin(axis=-1), d.min(axis=-1)

    @property
    def min_value(self) -> float:
        """Lowest loss among the listed minima."""
        return float(np.min(self.value(self.minima)))


def stack_grad(gx: Array, gy: Array) -> Array:
    """Stack the two partial derivatives into ``(..., 2)``, each partial contiguous (coordinate-major)."""
    shape = np.broadcast_shapes(np.shape(gx), np.shape(gy))
    out = np.empty((2,) + shape)
    out[0], out[1] = gx, gy
    return np.moveaxis(out, 0, -1)


def stack_hessian(hxx: Array, hxy: Array, hyy: Array) -> Array:
    """Build symmetric ``(..., 2, 2)`` Hessians from their three entries."""
    hxx, hxy, hyy = np.broadcast_arrays(hxx, hxy, hyy)
    return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)
