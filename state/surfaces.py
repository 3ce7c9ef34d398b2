"""The surfaces the app offers, by name: the built-in ones (:mod:`landscapes`) and the custom formula.

:func:`build` is the one route to a surface for the page, its state, its lessons and its tests; it keeps recent
surfaces, so building the same one again costs a dictionary look-up.  The custom surface is a formula in ``x`` and
``y`` (checked by :func:`landscapes.from_formula`) and four bounds, declared here as :class:`~paramspec.Param`
records like every other surface parameter.  :func:`default_hyper` gives an optimizer's settings on a surface: its
own defaults with the surface's suggestions over them.  Network mode's model is built the same way
(:func:`build_network`), and :func:`network_hyper` gives an optimizer's settings there.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, cast

import landscapes
import optimizers
from landscapes import formula, networks
from landscapes.networks import NetworkLandscape
from optimizers import network
from optimizers.registry import suggested
from paramspec import Param

Hyper = dict[str, Any]   # one optimizer's hyperparameters by name, each value of its Param's type (Param[Any])

DEFAULT = "ravine"
CUSTOM = "custom"        # the surface built from a formula the user types
FORMULA = "formula"      # its text parameter, checked by landscapes.from_formula (the bounds are Params below)
DEFAULT_FORMULA = "x**2 + 3*y**2 + 2*sin(3*x)"
FORMULA_HELP = ("A function of x and y, e.g. (1 - x)**2 + 100*(y - x**2)**2. Allowed: numbers, x, y, pi, e, "
                "+ - * / ** (or ^) and sin, cos, tan, exp, log, sqrt, abs, tanh, sinh, cosh, arctan.")
CUSTOM_BOUNDS = tuple(
    Param(name, default, -formula.MAX_BOUND, formula.MAX_BOUND, help=f"{text} of the plotted region.")
    for name, default, text in (("xmin", -3.0, "Left edge"), ("xmax", 3.0, "Right edge"),
                                ("ymin", -3.0, "Bottom edge"), ("ymax", 3.0, "Top edge"))
)


def names() -> list[str]:
    """Every surface the app offers: the built-in ones, then the custom formula."""
    return [*landscapes.names(), CUSTOM]


def param_specs(surface: str) -> tuple[Param, ...]:
    """The numeric parameters of ``surface`` (the custom surface's bounds; its formula is text)."""
    return CUSTOM_BOUNDS if surface == CUSTOM else landscapes.spec(surface).params


def defaults(surface: str) -> dict[str, float | str]:
    """Default parameters of ``surface``."""
    values: dict[str, float | str] = {FORMULA: DEFAULT_FORMULA} if surface == CUSTOM else {}
    return values | {p.name: p.default for p in param_specs(surface)}


def build(surface: str, params: Mapping[str, float | str]) -> landscapes.Landscape:
    """Surface ``surface`` with ``params``; ``ValueError`` (a message a person can act on) if they are invalid."""
    return _landscape(surface, tuple(sorted(params.items())))


@lru_cache(maxsize=32)
def _landscape(surface: str, items: tuple[tuple[str, float | str], ...]) -> landscapes.Landscape:
    if surface != CUSTOM:
        return landscapes.get(surface, **cast(dict[str, float], dict(items)))   # only the custom surface has text
    values = dict(items)
    text = values.pop(FORMULA, DEFAULT_FORMULA)
    box = {p.name: p.validate(values.pop(p.name, p.default)) for p in CUSTOM_BOUNDS}
    if values:
        raise ValueError(f"Unknown parameter {', '.join(map(repr, values))} for the custom surface")
    return landscapes.from_formula(str(text), bounds=((box["xmin"], box["xmax"]), (box["ymin"], box["ymax"])))


def default_hyper(name: str, landscape: landscapes.Landscape) -> Hyper:
    """Optimizer ``name``'s hyperparameters on ``landscape``: its own defaults overlaid with the surface's
    suggestions."""
    opt = optimizers.get(name)
    values = {p.name: p.default for p in opt.all_params}
    values.update({k: v for k, v in suggested(landscape.suggested, name).items() if k in values})
    return values


def build_network(params: Mapping[str, object]) -> NetworkLandscape:
    """Network mode's data set and model for ``params`` (:data:`landscapes.networks.PARAMS` by name; ``ValueError``
    names an invalid one), kept like the surfaces, so building the same one again costs a dictionary look-up."""
    return _network(tuple(sorted(params.items())))


@lru_cache(maxsize=16)
def _network(items: tuple[tuple[str, object], ...]) -> NetworkLandscape:
    return networks.get(**dict(items))


def network_hyper(name: str) -> Hyper:
    """Optimizer ``name``'s hyperparameters in network mode: its own defaults, with the settings only a network has
    (Muon's AdamW part), overlaid with network mode's suggestions (:func:`optimizers.network.suggested`)."""
    opt = optimizers.get(name)
    values = {p.name: p.default for p in opt.params_for(True)}
    values.update({k: v for k, v in network.suggested(name).items() if k in values})
    return values
