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

Network mode (``mode=network``) carries the data set, the model, the training, the plane and the target loss
(:data:`NETWORK_SETTINGS`) instead of a surface, a start and a tolerance; its optimizers are those network mode
offers for the network's size (:func:`optimizers.network.offered`), with network mode's settings::

    ?mode=network&dataset=moons&points=200&...&layers=1&width=8&activation=tanh&batch_size=0&init=pytorch
     &init_seed=0&plane=pca&plane_at=end&resolution=80&target=0.1&opt=gd,adam&gd.lr=0.5&...&steps=300&seed=0
     &layout=overlay&lesson=net_ravine                                   (lesson, present and trails only when set)
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, TypeVar

import landscapes
import optimizers
from landscapes import networks
from landscapes.networks import NetworkLandscape
from optimizers import network, network_report, studies
from optimizers.sampling import SEED
from paramspec import Param
from state import lessons, network_lessons, surfaces
from state.markdown import code, plain

V = TypeVar("V", bool, int, float, str)

DEFAULT_OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")
MAX_OPTIMIZERS = 6

STEPS = Param("steps", 200, 1, 2000, kind="int", help="Number of update steps each optimizer takes.")
LAYOUT = Param("layout", "side", kind="choice", choices=("side", "overlay"),
               help="Side by side: one panel per optimizer. Overlay: all paths on one panel.")
TOLERANCE = Param("tol", 1e-6, 0.0, 1e3, low_open=True, log=True,
                  help="An optimizer has converged once its loss is within this much of the minimum value.")
SETTINGS: tuple[Param[Any], ...] = (STEPS, SEED, LAYOUT, TOLERANCE)
LESSON = Param("lesson", "", kind="choice", choices=("",) + lessons.KEYS + network_lessons.KEYS,
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

MODE = Param("mode", "surface", kind="choice", choices=("surface", "network"),
             help="What the optimizers race on: a 2-D loss surface, or the weights of a small network they train.")
SURFACE_MODE, NETWORK_MODE = MODE.choices
# Network mode sends every step of every path, and each network's decision boundaries, in one change.  Up to these
# caps its race payloads stay within viz.network.PAYLOAD_BUDGET (150 kB; benchmarks/bench_network.py prints them at
# the caps): more steps or a finer grid leave the boundaries no room, and then pass it.
NETWORK_STEPS = replace(STEPS, default=300, high=500)
NETWORK_RESOLUTION = replace(network.RESOLUTION, high=100)
# Network mode's settings: the data and the model (landscapes.networks), the training and the plane (its seed is SEED,
# above, shared with the surfaces), and the target loss of the summary table.
NETWORK_SETTINGS: tuple[Param[Any], ...] = (
    networks.PARAMS
    + tuple(NETWORK_RESOLUTION if p is network.RESOLUTION else p for p in network.TRAIN_PARAMS if p is not SEED)
    + (network_report.TARGET,))
NETWORK_MODEL = tuple(p.name for p in networks.PARAMS)        # the settings that make the network itself
DEFAULT_NETWORK_OPTIMIZERS = ("gd", "momentum", "adam", "muon")
# What only a surface has: in a network link these are ignored with a warning that says so (and the other way round).
SURFACE_ONLY = frozenset({"surface", "start", TOLERANCE.name, surfaces.FORMULA,
                          *(p.name for surface in surfaces.names() for p in surfaces.param_specs(surface)),
                          *(p.name for p in TEACHING if p is not LESSON), *(p.name for p in ANALYSIS)})


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
    mode: str = MODE.default
    network: dict[str, Any] = field(default_factory=dict)   # network mode: NETWORK_SETTINGS' values by name

    @property
    def is_network(self) -> bool:
        return self.mode == NETWORK_MODE


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


def network_state(chosen: tuple[str, ...] = DEFAULT_NETWORK_OPTIMIZERS) -> AppState:
    """The state of a first visit to network mode: every setting at its default, ``chosen`` (each one network mode
    offers for the default network) at network mode's settings, all paths on one panel (they share one plane)."""
    return AppState(mode=NETWORK_MODE, network={p.name: p.default for p in NETWORK_SETTINGS}, optimizers=chosen,
                    hyper={name: surfaces.network_hyper(name) for name in chosen}, steps=NETWORK_STEPS.default,
                    layout="overlay")


def network_of(state: AppState) -> NetworkLandscape:
    """The network ``state`` trains (network mode): its data set and model."""
    return surfaces.build_network({name: state.network[name] for name in NETWORK_MODEL})


def not_offered(names: tuple[str, ...], dim: int) -> dict[str, str]:
    """Those of ``names`` network mode does not offer for a network of ``dim`` weights, each with why
    (:func:`optimizers.network.offered`)."""
    reasons = network.offered(dim)
    return {name: why for name in names if (why := reasons[name]) is not None}


def format_value(value: object) -> str:
    """Shortest text that reads back to exactly the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def encode(state: AppState) -> dict[str, str]:
    """Query-string parameters for ``state`` (schedule settings only where they differ from defaults)."""
    if state.is_network:
        return _encode_network(state)
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


def _encode_network(state: AppState) -> dict[str, str]:
    """Network mode's link: its settings, then the optimizers and theirs (own and network-only ones always)."""
    query = {MODE.name: state.mode}
    query.update({p.name: format_value(state.network[p.name]) for p in NETWORK_SETTINGS})
    query["opt"] = ",".join(state.optimizers)
    for name in state.optimizers:
        opt = optimizers.get(name)
        own = {p.name for p in opt.params + opt.maths.layout_params}
        for p in opt.params_for(True):
            value = state.hyper[name][p.name]
            if p.name in own or value != p.default:
                query[f"{name}.{p.name}"] = format_value(value)
    for p in (STEPS, SEED, LAYOUT):
        query[p.name] = format_value(getattr(state, p.name))
    for p in (LESSON, *VIEW):
        if getattr(state, p.name) != p.default:
            query[p.name] = format_value(getattr(state, p.name))
    return query


def _last_values(query: Mapping[str, str | list[str]]) -> dict[str, str]:
    """The query's text values, the last of a repeated key (as a browser's address holds them)."""
    last = {k: (v[-1] if isinstance(v, list) and v else v) for k, v in query.items()}
    return {k: v for k, v in last.items() if isinstance(v, str)}


def decode(query: Mapping[str, str | list[str]]) -> tuple[AppState, list[str]]:
    """Read a share link back into an :class:`AppState`, with a warning per ignored parameter."""
    q = _last_values(query)
    warnings: list[str] = []
    mode = _read(MODE, q.get(MODE.name), warnings, MODE.default)
    if mode == NETWORK_MODE:
        return _decode_network(q, warnings)
    used: set[str] = {MODE.name}

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

    chosen = _chosen(take("opt"), warnings, DEFAULT_OPTIMIZERS)

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
    if settings["lesson"] in network_lessons.KEYS:
        warnings.append(f"Link parameter 'lesson={settings['lesson']}' was ignored (a network lesson: its link has "
                        "mode=network).")
        settings["lesson"] = LESSON.default
    network_names = {p.name for p in NETWORK_SETTINGS}
    for key in sorted(set(q) - used):
        if key in network_names:
            warnings.append(f"Link parameter {key!r} was ignored: it applies only in network mode (mode=network).")
        else:
            warnings.append(f"Unknown link parameter {key!r} was ignored.")
    return replace(state, optimizers=chosen, hyper=hyper, start=start, **settings), warnings


def _chosen(raw: str | None, warnings: list[str], fallback: tuple[str, ...],
            unavailable: Mapping[str, str] = MappingProxyType({})) -> tuple[str, ...]:
    """The link's list of optimizers: known ones, each once, at most :data:`MAX_OPTIMIZERS`, without those
    ``unavailable`` names (each left out with its reason); ``fallback`` when none is left."""
    if raw is None:
        return fallback
    names = [n.strip() for n in raw.split(",") if n.strip()]
    unknown = [n for n in names if n not in optimizers.names()]
    if unknown:
        warnings.append(f"Unknown optimizer(s) {', '.join(map(repr, unknown))} in the link were left out.")
    names = list(dict.fromkeys(n for n in names if n in optimizers.names()))
    for name in [n for n in names if n in unavailable]:
        warnings.append(f"Optimizer {name!r} in the link was left out: {unavailable[name]}")
        names.remove(name)
    if len(names) > MAX_OPTIMIZERS:
        warnings.append(f"At most {MAX_OPTIMIZERS} optimizers at once; the rest of the link's list was dropped.")
        names = names[:MAX_OPTIMIZERS]
    return tuple(names) if names else fallback


def _decode_network(q: Mapping[str, str], warnings: list[str]) -> tuple[AppState, list[str]]:
    """:func:`decode` of a network-mode link (``mode=network``)."""
    used: set[str] = {MODE.name}

    def take(key: str) -> str | None:
        used.add(key)
        return q.get(key)

    state = network_state()
    values = {p.name: _read(p, take(p.name), warnings, p.default) for p in NETWORK_SETTINGS}
    state = replace(state, network=values)
    dim = network_of(state).dim
    chosen = _chosen(take("opt"), warnings, state.optimizers, not_offered(tuple(optimizers.names()), dim))
    hyper = {}
    for name in chosen:
        hp = surfaces.network_hyper(name)
        for p in optimizers.get(name).params_for(True):
            hp[p.name] = _read(p, take(f"{name}.{p.name}"), warnings, hp[p.name], prefix=f"{name}.")
        hyper[name] = hp
    read: tuple[Param[Any], ...] = (NETWORK_STEPS, SEED, LAYOUT, LESSON, *VIEW)
    settings: dict[str, Any] = {p.name: _read(p, take(p.name), warnings, getattr(state, p.name)) for p in read}
    if settings["lesson"] and settings["lesson"] not in network_lessons.KEYS:
        warnings.append(f"Link parameter 'lesson={settings['lesson']}' was ignored (a lesson on a surface, not in "
                        "network mode).")
        settings["lesson"] = LESSON.default
    for key in sorted(set(q) - used):
        if key in SURFACE_ONLY:
            warnings.append(f"Link parameter {key!r} was ignored: it does not apply in network mode.")
        else:
            warnings.append(f"Unknown link parameter {key!r} was ignored.")
    return replace(state, optimizers=chosen, hyper=hyper, **settings), warnings


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
