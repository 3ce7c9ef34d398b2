"""The :class:`Landscape` record every surface is built into."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray
Bounds = tuple[tuple[float, float], tuple[float, float]]
LEVEL_SPACINGS = ("linear", "sqrt", "log")   # how a surface's contour levels are spaced (Landscape.levels)


class Suggested(Mapping[str, Mapping[str, float]]):
    """A surface's suggested hyperparameters: one table keyed by optimizer family, read per optimizer.

    ``Suggested({"adam": {"lr": 0.3}, "nadam": {"lr": 0.5}})["amsgrad"]`` is ``{"lr": 0.3}``: a
    family's settings apply to every member (the registry entry names its ``family``), and a key
    naming one optimizer overrides its family's values.  Reading it looks the family up in
    :mod:`optimizers.registry` (imported on first use: the registry depends on surfaces, not the reverse).
    """

    def __init__(self, table: Mapping[str, Mapping[str, float]] | None = None):
        self.table = {key: dict(values) for key, values in (table or {}).items()}

    def __getitem__(self, name: str) -> Mapping[str, float]:
        from optimizers.registry import OPTIMIZERS, family_of

        if name not in OPTIMIZERS:
            raise KeyError(name)
        merged = {**self.table.get(family_of(name), {}), **self.table.get(name, {})}
        if not merged:
            raise KeyError(name)
        return merged

    def __iter__(self) -> Iterator[str]:
        from optimizers.registry import OPTIMIZERS, family_of

        return iter([name for name in OPTIMIZERS if family_of(name) in self.table or name in self.table])

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass(frozen=True, eq=False)
class Landscape:
    """A 2-D loss surface with analytic derivatives.

    ``value``, ``grad`` and ``hessian`` take points of shape ``(..., 2)`` and
    return shapes ``(...)``, ``(..., 2)`` and ``(..., 2, 2)``.  Dataset surfaces
    also set ``n_examples`` and ``grad_batch(p, idx)``: the mean gradient over
    the examples ``idx`` (shape ``(n, b)``) at points ``p`` (shape ``(n, 2)``).
    ``suggested`` maps optimizer names to hyperparameters that make this
    surface's default view converge visibly; the app starts from them.  It is
    declared as one table per surface grouped by optimizer family (:class:`Suggested`).
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
    suggested: Mapping[str, Mapping[str, float]] = field(default_factory=Suggested)
    levels: str = "log"
    n_examples: int | None = None
    grad_batch: Callable[[Array, Array], Array] | None = None

    def __post_init__(self) -> None:
        if self.levels not in LEVEL_SPACINGS:
            raise ValueError(f"Invalid level spacing: {self.levels!r} (allowed: {', '.join(LEVEL_SPACINGS)})")
        if not isinstance(self.suggested, Suggested):
            object.__setattr__(self, "suggested", Suggested(self.suggested))
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
