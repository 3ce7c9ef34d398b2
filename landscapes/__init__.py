"""Test surfaces for Optiscope: a registry of builders, each with declared parameters.

``landscapes.get("ravine", condition=100)`` validates the parameters against
their :class:`~paramspec.Param` declarations and builds a :class:`Landscape`.
Adding a surface means one builder function plus one entry in ``SURFACES``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from landscapes import analytic, datasets
from landscapes.base import Landscape
from landscapes.formula import from_formula
from paramspec import Param, validate_all

__all__ = ["Landscape", "SurfaceSpec", "SURFACES", "names", "get", "spec", "from_formula"]


@dataclass(frozen=True)
class SurfaceSpec:
    """A registered surface: its builder and the parameters the builder takes."""

    name: str
    build: Callable[..., Landscape]
    params: tuple[Param, ...] = ()


SURFACES: dict[str, SurfaceSpec] = {
    s.name: s
    for s in (
        SurfaceSpec("ravine", analytic.ravine, (
            Param("condition", 50.0, 1.0, 1000.0, log=True,
                  help="Ratio of the steepest to the flattest curvature (1 = round bowl)."),
            Param("angle", 30.0, -90.0, 90.0,
                  help="Rotation of the valley in degrees; 0 lines the flat floor up with the x axis, where "
                       "per-coordinate methods (RMSprop, Adam) get an unfair advantage."),
        )),
        SurfaceSpec("rosenbrock", analytic.rosenbrock),
        SurfaceSpec("himmelblau", analytic.himmelblau),
        SurfaceSpec("rastrigin", analytic.rastrigin),
        SurfaceSpec("saddle", analytic.saddle),
        SurfaceSpec("beale", analytic.beale),
        SurfaceSpec("two_wells", analytic.two_wells, (
            Param("tilt", 0.5, 0.0, 1.5,
                  help="How much deeper the left valley is than the right one (0 = equally deep)."),
        )),
        SurfaceSpec("linear_regression", datasets.linear_regression),
        SurfaceSpec("logistic_regression", datasets.logistic_regression),
    )
}


def names() -> list[str]:
    """Names of the built-in surfaces, in display order."""
    return list(SURFACES)


def spec(name: str) -> SurfaceSpec:
    """The registry entry of ``name``; ``ValueError`` if there is none."""
    if name not in SURFACES:
        raise ValueError(f"Unknown surface {name!r}; choose one of: {', '.join(SURFACES)}")
    return SURFACES[name]


def get(name: str, **params: float) -> Landscape:
    """Build surface ``name`` with validated ``params`` (unknown or out-of-range ones raise ``ValueError``)."""
    entry = spec(name)
    return entry.build(**validate_all(entry.params, params, f"surface {name!r}"))
