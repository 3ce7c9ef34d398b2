"""The app's whole state as a record, and its share-link form.

The surfaces by name are :mod:`state.surfaces`; a link's full address is :mod:`state.links`.

``encode(state)`` gives the query-string parameters; ``decode(query)`` reads
them back, validating each value against the same :class:`~paramspec.Param`
declarations the widgets use.  Anything unknown or invalid falls back to its
default and produces a warning that names it, so a broken link never crashes
the page.  Every hyperparameter of each chosen optimizer is written out, so a
link reproduces its figures even if default settings change later.

Link format::

    ?surface=ravine&condition=50&angle=0&opt=gd,adam&gd.lr=1.8&adam.lr=0.3&...
     &start=-8,2.5&steps=200&seed=0&layout=side&tol=1e-06
     &lesson=zigzag&inspect=adam&inspect_step=12&view3d=true     (teaching settings, only when set)
     &analysis=sweep&fair=true&sweep_min=0.001&basins_res=150&...  (analysis settings, only when set)
     &present=true&trails=20                                      (presenter mode and trails, only when set)

The custom surface carries its formula and bounds as surface parameters::

    ?surface=custom&formula=x**2+%2B+3*y**2&xmin=-3.0&xmax=3.0&ymin=-3.0&ymax=3.0&...
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import landscapes
import optimizers
from optimizers import studies
from paramspec import Param
from state import lessons, surfaces
from state.markdown import code, plain

V = TypeVar("V", bool, int, float, str)

DEFAULT_OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")
MAX_OPTIMIZERS = 6

STEPS = Param("steps", 200, 1, 2000, kind="int", help="Number of update steps each optimizer takes.")
SEED = Param("seed", 0, 0, 2**31 - 1, kind="int",
             help="Seed of the random generator used for gradient noise and example sampling.")
LAYOUT = Param("layout", "side", kind="choice", choices=("side", "overlay"),
               help="Side by side: one panel per optimizer. Overlay: all paths on one panel.")
TOLERANCE = Param("tol", 1e-6, 0.0, 1e3, low_open=True, log=True,
                  help="An optimizer has converged once its loss is within this much of the minimum value.")
SETTINGS: tuple[Param[Any], ...] = (STEPS, SEED, LAYOUT, TOLERANCE)
LESSON = Param("lesson", "", kind="choice", choices=("",) + lessons.KEYS,
               help="The lesson this view was started from (empty: none).")
INSPECT = Param("inspect", "", kind="choice", choices=("", *optimizers.names()),
                help="Optimizer shown in the step inspector (empty: the first chosen one).")
INSPECT_STEP = Param("inspect_step", 1, 1, STEPS.high, kind="int", help="Step shown in the step inspector.")
VIEW3D = Param("view3d", False, kind="bool", help="Also draw the surface in 3D with the paths lifted onto it.")
TEACHING: tuple[Param[Any], ...] = (LESSON, INSPECT, INSPECT_STEP, VIEW3D)   # in the link only when not default
PRESENT = Param("present", False, kind="bool",
                help="Presenter mode: no sidebar or settings, large type and a step counter; the race starts playing.")
TRAILS = Param("trails", 0, 0, STEPS.high, kind="int",
               help="Fading trails: the last this many steps of each path are bright, older ones faint "
                    "(0: full paths).")
VIEW: tuple[Param[Any], ...] = (PRESENT, TRAILS)     # in the link only when not at their defaults
# The analysis settings: the studies declare what they take (range, default, help); the link names them here.
BASINS_RES = replace(studies.RESOLUTION, name="basins_res")
SWEEP_MIN = replace(studies.SWEEP_MIN, name="sweep_min")
SWEEP_MAX = replace(studies.SWEEP_MAX, name="sweep_max")
SWEEP_POINTS = replace(studies.SWEEP_POINTS, name="sweep_n")
FAIR = Param("fair", False, kind="bool",
             help="Before racing, give each optimizer the learning rate with the best final loss on the sweep's "
                  "grid (same start, steps and seed).")
SPREAD_MODE = replace(studies.SPREAD_MODE, name="spread")
CLOUD_SIZE = replace(studies.CLOUD_SIZE, name="cloud")
CLOUD_RADIUS = replace(studies.CLOUD_RADIUS, name="cloud_radius")
ANALYSIS_SETTINGS: tuple[Param[Any], ...] = (BASINS_RES, SWEEP_MIN, SWEEP_MAX, SWEEP_POINTS, FAIR, SPREAD_MODE,
                                             CLOUD_SIZE, CLOUD_RADIUS)
ANALYSIS_VIEW = Param("analysis", "", kind="choice", choices=("", "basins", "sweep", "spread"),
                      help="The analysis on show (empty: the Analysis tab is closed).")
ANALYSIS = ANALYSIS_SETTINGS + (ANALYSIS_VIEW,)     # written to the link only when not at their defaults


@dataclass(frozen=True)
class AppState:
    """Everything the page shows is a function of this record."""

    surface: str = surfaces.DEFAULT
    surface_params: dict[str, float | str] = field(default_factory=dict)   # the custom surface adds its formula
    optimizers: tuple[str, ...] = DEFAULT_OPTIMIZERS
    hyper: dict[str, surfaces.Hyper] = field(default_factory=dict)
    start: tuple[float, float] | None = None    # None: the surface's default start
    steps: int = STEPS.default
    seed: int = SEED.default
    layout: str = LAYOUT.default
    tol: float = TOLERANCE.default
    lesson: str = LESSON.default
    inspect: str = INSPECT.default
    inspect_step: int = INSPECT_STEP.default
    view3d: bool = VIEW3D.default
    basins_res: int = BASINS_RES.default
    sweep_min: float = SWEEP_MIN.default
    sweep_max: float = SWEEP_MAX.default
    sweep_n: int = SWEEP_POINTS.default
    fair: bool = FAIR.default
    spread: str = SPREAD_MODE.default
    cloud: int = CLOUD_SIZE.default
    cloud_radius: float = CLOUD_RADIUS.default
    analysis: str = ANALYSIS_VIEW.default
    present: bool = PRESENT.default
    trails: int = TRAILS.default


def landscape_of(state: AppState) -> landscapes.Landscape:
    """The surface ``state`` shows."""
    return surfaces.build(state.surface, state.surface_params)


def start_of(state: AppState) -> tuple[float, float]:
    """Where ``state``'s runs start: its own start, else its surface's default start."""
    if state.start is not None:
        return state.start
    x, y = landscape_of(state).start
    return float(x), float(y)


def default_state(surface: str = surfaces.DEFAULT) -> AppState:
    """The state of a first visit to ``surface``: its default parameters, the default optimizers at their settings
    for it."""
    params = surfaces.defaults(surface)
    land = surfaces.build(surface, params)
    return AppState(surface=surface, surface_params=params,
                    hyper={name: surfaces.default_hyper(name, land) for name in DEFAULT_OPTIMIZERS})


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
    for p in TEACHING + ANALYSIS + VIEW:
        if getattr(state, p.name) != p.default:
            query[p.name] = format_value(getattr(state, p.name))
    return query


def decode(query: Mapping[str, str | list[str]]) -> tuple[AppState, list[str]]:
    """Read a share link back into an :class:`AppState`, with a warning per ignored parameter."""
    last = {k: (v[-1] if isinstance(v, list) and v else v) for k, v in query.items()}
    q = {k: v for k, v in last.items() if isinstance(v, str)}
    warnings: list[str] = []
    used: set[str] = set()

    def take(key: str) -> str | None:
        used.add(key)
        return q.get(key)

    surface = take("surface") or surfaces.DEFAULT
    if surface not in surfaces.names():
        warnings.append(f"Unknown surface {surface!r} in the link; showing {surfaces.DEFAULT!r} instead.")
        surface = surfaces.DEFAULT
    state = default_state(surface)

    params = dict(state.surface_params)
    for p in surfaces.param_specs(surface):
        params[p.name] = _read(p, take(p.name), warnings, p.default)
    if surface == surfaces.CUSTOM:
        params[surfaces.FORMULA] = take(surfaces.FORMULA) or surfaces.DEFAULT_FORMULA
        try:
            surfaces.build(surface, params)
        except ValueError as err:
            warnings.append(f"The link's custom surface {code(str(params[surfaces.FORMULA]))} (x from "
                            f"{params['xmin']:g} to {params['xmax']:g}, y from {params['ymin']:g} to "
                            f"{params['ymax']:g}) was ignored: {plain(str(err))} Showing the default formula "
                            f"{code(surfaces.DEFAULT_FORMULA)} instead.")
            params = surfaces.defaults(surfaces.CUSTOM)
    state = replace(state, surface_params=params)
    land = landscape_of(state)

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
        values = surfaces.default_hyper(name, land)
        for p in optimizers.get(name).all_params:
            values[p.name] = _read(p, take(f"{name}.{p.name}"), warnings, values[p.name], prefix=f"{name}.")
        hyper[name] = values

    start = None
    raw_start = take("start")
    if raw_start is not None:
        start = _read_start(raw_start, warnings)

    settings: dict[str, Any] = {p.name: _read(p, take(p.name), warnings, p.default)   # each of its field's type
                                for p in SETTINGS + TEACHING + ANALYSIS + VIEW}
    if settings["inspect"] and settings["inspect"] not in chosen:
        warnings.append(f"Link parameter 'inspect={settings['inspect']}' was ignored (not one of the chosen "
                        f"optimizers); inspecting {chosen[0]!r}.")
        settings["inspect"] = chosen[0]
    if settings["inspect_step"] > settings["steps"]:
        warnings.append(f"Link parameter 'inspect_step={settings['inspect_step']}' was lowered to the run's last "
                        f"step, {settings['steps']}.")
        settings["inspect_step"] = settings["steps"]
    if not settings["sweep_min"] < settings["sweep_max"]:
        low, high = settings["sweep_min"], settings["sweep_max"]
        warnings.append(f"Link parameters 'sweep_min={low:g}' and 'sweep_max={high:g}' were ignored "
                        "(sweep_min must be smaller than sweep_max); using the default range.")
        settings["sweep_min"], settings["sweep_max"] = SWEEP_MIN.default, SWEEP_MAX.default
    for key in sorted(set(q) - used):
        warnings.append(f"Unknown link parameter {key!r} was ignored.")
    return replace(state, optimizers=chosen, hyper=hyper, start=start, **settings), warnings


def _read(p: Param[V], raw: str | None, warnings: list[str], fallback: V, prefix: str = "") -> V:
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
