"""The app's whole state as a record, and its share-link form.

``encode(state)`` gives the query-string parameters; ``decode(query)`` reads
them back, validating each value against the same :class:`~paramspec.Param`
declarations the widgets use.  Anything unknown or invalid falls back to its
default and produces a warning that names it, so a broken link never crashes
the page.  Every hyperparameter of each chosen optimizer is written out, so a
link reproduces its figures even if default settings change later.

Link format::

    ?surface=ravine&condition=50&angle=0&opt=gd,adam&gd.lr=1.8&adam.lr=0.3&...
     &start=-8,2.5&steps=200&seed=0&layout=side&tol=1e-06
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import landscapes
import optimizers
from paramspec import Param

DEFAULT_SURFACE = "ravine"
DEFAULT_OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")
MAX_OPTIMIZERS = 6

STEPS = Param("steps", 200, 1, 2000, kind="int", help="Number of update steps each optimizer takes.")
SEED = Param("seed", 0, 0, 2**31 - 1, kind="int",
             help="Seed of the random generator used for gradient noise and example sampling.")
LAYOUT = Param("layout", "side", kind="choice", choices=("side", "overlay"),
               help="Side by side: one panel per optimizer. Overlay: all paths on one panel.")
TOLERANCE = Param("tol", 1e-6, 0.0, 1e3, low_open=True, log=True,
                  help="An optimizer has converged once its loss is within this much of the minimum value.")
SETTINGS = (STEPS, SEED, LAYOUT, TOLERANCE)


@dataclass(frozen=True)
class AppState:
    """Everything the page shows is a function of this record."""

    surface: str = DEFAULT_SURFACE
    surface_params: dict[str, float] = field(default_factory=dict)
    optimizers: tuple[str, ...] = DEFAULT_OPTIMIZERS
    hyper: dict[str, dict[str, object]] = field(default_factory=dict)
    start: tuple[float, float] | None = None    # None: the surface's default start
    steps: int = STEPS.default                  # type: ignore[assignment]
    seed: int = SEED.default                    # type: ignore[assignment]
    layout: str = LAYOUT.default                # type: ignore[assignment]
    tol: float = TOLERANCE.default              # type: ignore[assignment]

    def landscape(self) -> landscapes.Landscape:
        return landscapes.get(self.surface, **self.surface_params)

    def start_point(self) -> tuple[float, float]:
        if self.start is not None:
            return self.start
        x, y = self.landscape().start
        return float(x), float(y)


def surface_defaults(surface: str) -> dict[str, float]:
    """Default parameters of ``surface``."""
    return {p.name: p.default for p in landscapes.spec(surface).params}  # type: ignore[misc]


def default_hyper(name: str, landscape: landscapes.Landscape) -> dict[str, object]:
    """An optimizer's hyperparameters: its own defaults overlaid with the surface's suggestions."""
    opt = optimizers.get(name)
    values = {p.name: p.default for p in opt.all_params}
    values.update({k: v for k, v in landscape.suggested.get(name, {}).items() if k in values})
    return values


def default_state(surface: str = DEFAULT_SURFACE) -> AppState:
    params = surface_defaults(surface)
    land = landscapes.get(surface, **params)
    return AppState(surface=surface, surface_params=params,
                    hyper={name: default_hyper(name, land) for name in DEFAULT_OPTIMIZERS})


def format_value(value: object) -> str:
    """Shortest text that reads back to exactly the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def encode(state: AppState) -> dict[str, str]:
    """Query-string parameters for ``state`` (schedule settings only where they differ from defaults)."""
    query = {"surface": state.surface}
    query.update({k: format_value(v) for k, v in state.surface_params.items()})
    query["opt"] = ",".join(state.optimizers)
    for name in state.optimizers:
        opt = optimizers.get(name)
        own = {p.name for p in opt.params}
        for p in opt.all_params:
            value = state.hyper[name][p.name]
            if p.name in own or value != p.default:
                query[f"{name}.{p.name}"] = format_value(value)
    if state.start is not None:
        query["start"] = f"{format_value(float(state.start[0]))},{format_value(float(state.start[1]))}"
    for p in SETTINGS:
        query[p.name] = format_value(getattr(state, p.name))
    return query


def decode(query: Mapping[str, str | list[str]]) -> tuple[AppState, list[str]]:
    """Read a share link back into an :class:`AppState`, with a warning per ignored parameter."""
    q = {k: (v[-1] if isinstance(v, list) and v else v) for k, v in query.items()}
    q = {k: v for k, v in q.items() if isinstance(v, str)}
    warnings: list[str] = []
    used: set[str] = set()

    def take(key: str) -> str | None:
        used.add(key)
        return q.get(key)

    surface = take("surface") or DEFAULT_SURFACE
    if surface not in landscapes.names():
        warnings.append(f"Unknown surface {surface!r} in the link; showing {DEFAULT_SURFACE!r} instead.")
        surface = DEFAULT_SURFACE
    state = default_state(surface)

    params = dict(state.surface_params)
    for p in landscapes.spec(surface).params:
        params[p.name] = _read(p, take(p.name), warnings, p.default)
    state = replace(state, surface_params=params)
    land = state.landscape()

    chosen = state.optimizers
    raw_opts = take("opt")
    if raw_opts is not None:
        names = [n.strip() for n in raw_opts.split(",") if n.strip()]
        unknown = [n for n in names if n not in optimizers.names()]
        if unknown:
            warnings.append(f"Unknown optimizer(s) {', '.join(map(repr, unknown))} in the link were left out.")
        names = list(dict.fromkeys(n for n in names if n in optimizers.names()))
        if len(names) > MAX_OPTIMIZERS:
            warnings.append(f"At most {MAX_OPTIMIZERS} optimizers at once; the rest of the link's list was dropped.")
            names = names[:MAX_OPTIMIZERS]
        chosen = tuple(names) if names else DEFAULT_OPTIMIZERS

    hyper = {}
    for name in chosen:
        values = default_hyper(name, land)
        for p in optimizers.get(name).all_params:
            values[p.name] = _read(p, take(f"{name}.{p.name}"), warnings, values[p.name], prefix=f"{name}.")
        hyper[name] = values

    start = None
    raw_start = take("start")
    if raw_start is not None:
        start = _read_start(raw_start, warnings)

    settings = {p.name: _read(p, take(p.name), warnings, p.default) for p in SETTINGS}
    for key in sorted(set(q) - used):
        warnings.append(f"Unknown link parameter {key!r} was ignored.")
    return replace(state, optimizers=chosen, hyper=hyper, start=start, **settings), warnings


def _read(p: Param, raw: str | None, warnings: list[str], fallback: object, prefix: str = "") -> object:
    if raw is None:
        return fallback
    try:
        return p.validate(raw if p.kind in ("bool", "choice") else _number(raw))
    except ValueError as err:
        warnings.append(f"Link parameter '{prefix}{p.name}={raw}' was ignored ({err}); "
                        f"using {format_value(fallback)}.")
        return fallback


def _number(raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"Invalid value: {raw!r} is not a number") from None


def _read_start(raw: str, warnings: list[str]) -> tuple[float, float] | None:
    parts = raw.split(",")
    try:
        x, y = (float(v) for v in parts)
        if not all(abs(v) <= 1e6 for v in (x, y)):
            raise ValueError
    except ValueError:
        warnings.append(f"Link parameter 'start={raw}' was ignored (expected two finite numbers 'x,y' "
                        "within ±1e6); using the surface's default start.")
        return None
    return x, y
