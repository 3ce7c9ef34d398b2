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
     &lesson=zigzag&inspect=adam&inspect_step=12&view3d=true     (teaching settings, only when set)
     &analysis=sweep&fair=true&sweep_min=0.001&basins_res=150&...  (analysis settings, only when set)
     &present=true&trails=20                                      (presenter mode and trails, only when set)

The custom surface carries its formula and bounds as surface parameters::

    ?surface=custom&formula=x**2+%2B+3*y**2&xmin=-3.0&xmax=3.0&ymin=-3.0&ymax=3.0&...
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

import landscapes
import optimizers
from landscapes import formula
from optimizers import studies
from optimizers.registry import suggested
from paramspec import Param
from state import lessons

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
LESSON = Param("lesson", "", kind="choice", choices=("",) + lessons.KEYS,
               help="The lesson this view was started from (empty: none).")
INSPECT = Param("inspect", "", kind="choice", choices=("", *optimizers.names()),
                help="Optimizer shown in the step inspector (empty: the first chosen one).")
INSPECT_STEP = Param("inspect_step", 1, 1, STEPS.high, kind="int", help="Step shown in the step inspector.")
VIEW3D = Param("view3d", False, kind="bool", help="Also draw the surface in 3D with the paths lifted onto it.")
TEACHING = (LESSON, INSPECT, INSPECT_STEP, VIEW3D)   # written to the link only when not at their defaults
PRESENT = Param("present", False, kind="bool",
                help="Presenter mode: no sidebar or settings, large type and a step counter; the race starts playing.")
TRAILS = Param("trails", 0, 0, STEPS.high, kind="int",
               help="Fading trails: the last this many steps of each path are bright, older ones faint "
                    "(0: full paths).")
VIEW = (PRESENT, TRAILS)                              # written to the link only when not at their defaults
ANALYSIS_VIEW = Param("analysis", "", kind="choice", choices=("", "basins", "sweep", "spread"),
                      help="The analysis on show (empty: the Analysis tab is closed).")
ANALYSIS = studies.SETTINGS + (ANALYSIS_VIEW,)     # written to the link only when not at their defaults

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


@dataclass(frozen=True)
class AppState:
    """Everything the page shows is a function of this record."""

    surface: str = DEFAULT_SURFACE
    surface_params: dict[str, float | str] = field(default_factory=dict)   # the custom surface adds its formula
    optimizers: tuple[str, ...] = DEFAULT_OPTIMIZERS
    hyper: dict[str, dict[str, object]] = field(default_factory=dict)
    start: tuple[float, float] | None = None    # None: the surface's default start
    steps: int = STEPS.default                  # type: ignore[assignment]
    seed: int = SEED.default                    # type: ignore[assignment]
    layout: str = LAYOUT.default                # type: ignore[assignment]
    tol: float = TOLERANCE.default              # type: ignore[assignment]
    lesson: str = LESSON.default                # type: ignore[assignment]
    inspect: str = INSPECT.default              # type: ignore[assignment]
    inspect_step: int = INSPECT_STEP.default    # type: ignore[assignment]
    view3d: bool = VIEW3D.default               # type: ignore[assignment]
    basins_res: int = studies.RESOLUTION.default          # type: ignore[assignment]
    sweep_min: float = studies.SWEEP_MIN.default          # type: ignore[assignment]
    sweep_max: float = studies.SWEEP_MAX.default          # type: ignore[assignment]
    sweep_n: int = studies.SWEEP_POINTS.default           # type: ignore[assignment]
    fair: bool = studies.FAIR.default                     # type: ignore[assignment]
    spread: str = studies.SPREAD_MODE.default             # type: ignore[assignment]
    cloud: int = studies.CLOUD_SIZE.default               # type: ignore[assignment]
    cloud_radius: float = studies.CLOUD_RADIUS.default    # type: ignore[assignment]
    analysis: str = ANALYSIS_VIEW.default                  # type: ignore[assignment]
    present: bool = PRESENT.default                        # type: ignore[assignment]
    trails: int = TRAILS.default                           # type: ignore[assignment]


def surface_names() -> list[str]:
    """Every surface the app offers: the built-in ones, then the custom formula."""
    return [*landscapes.names(), CUSTOM]


def surface_param_specs(surface: str) -> tuple[Param, ...]:
    """The numeric parameters of ``surface`` (the custom surface's bounds; its formula is text)."""
    return CUSTOM_BOUNDS if surface == CUSTOM else landscapes.spec(surface).params


def surface_defaults(surface: str) -> dict[str, float | str]:
    """Default parameters of ``surface``."""
    defaults: dict[str, float | str] = {FORMULA: DEFAULT_FORMULA} if surface == CUSTOM else {}
    return defaults | {p.name: p.default for p in surface_param_specs(surface)}  # type: ignore[misc]


def build_landscape(surface: str, params: Mapping[str, float | str]) -> landscapes.Landscape:
    """Surface ``surface`` with ``params``; ``ValueError`` (a message a person can act on) if they are invalid.

    The one route to a surface for the page, its state and its tests: recent surfaces are kept, so
    building the same one again costs a dictionary look-up.
    """
    return _landscape(surface, tuple(sorted(params.items())))


@lru_cache(maxsize=32)
def _landscape(surface: str, items: tuple[tuple[str, float | str], ...]) -> landscapes.Landscape:
    if surface != CUSTOM:
        return landscapes.get(surface, **dict(items))
    values = dict(items)
    text = values.pop(FORMULA, DEFAULT_FORMULA)
    box = {p.name: p.validate(values.pop(p.name, p.default)) for p in CUSTOM_BOUNDS}
    if values:
        raise ValueError(f"Unknown parameter {', '.join(map(repr, values))} for the custom surface")
    return landscapes.from_formula(str(text), bounds=((box["xmin"], box["xmax"]), (box["ymin"], box["ymax"])))


def landscape_of(state: AppState) -> landscapes.Landscape:
    """The surface ``state`` shows."""
    return build_landscape(state.surface, state.surface_params)


def start_of(state: AppState) -> tuple[float, float]:
    """Where ``state``'s runs start: its own start, else its surface's default start."""
    if state.start is not None:
        return state.start
    x, y = landscape_of(state).start
    return float(x), float(y)


def default_hyper(name: str, landscape: landscapes.Landscape) -> dict[str, object]:
    """An optimizer's hyperparameters: its own defaults overlaid with the surface's suggestions."""
    opt = optimizers.get(name)
    values = {p.name: p.default for p in opt.all_params}
    values.update({k: v for k, v in suggested(landscape.suggested, name).items() if k in values})
    return values


def default_state(surface: str = DEFAULT_SURFACE) -> AppState:
    params = surface_defaults(surface)
    land = build_landscape(surface, params)
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
    for p in TEACHING + ANALYSIS + VIEW:
        if getattr(state, p.name) != p.default:
            query[p.name] = format_value(getattr(state, p.name))
    return query


def live_link(base_url: str, state: AppState) -> str:
    """The share link of ``state`` on the live app at ``base_url``: an http(s) address with a host and no query or
    fragment (where the app opens).  ``ValueError`` with a message a person can act on otherwise."""
    base = base_url.strip()
    example = "(e.g. https://optiscope.example.org/)."
    try:
        parts = urlsplit(base)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:                   # a port that is not a number
        valid = False
    if not valid or re.search(r"[\s<>\"'`\\]", base):
        raise ValueError(f"Invalid app address {base!r}: give the address the app opens at, which starts with "
                         f"http:// or https:// {example}")
    if "?" in base or "#" in base:
        raise ValueError(f"Invalid app address {base!r}: leave out the part from '?' or '#' on, since the link adds "
                         f"the view's own {example}")
    return f"{base}{'' if parts.path else '/'}?{urlencode(encode(state), safe=',')}"


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
    if surface not in surface_names():
        warnings.append(f"Unknown surface {surface!r} in the link; showing {DEFAULT_SURFACE!r} instead.")
        surface = DEFAULT_SURFACE
    state = default_state(surface)

    params = dict(state.surface_params)
    for p in surface_param_specs(surface):
        params[p.name] = _read(p, take(p.name), warnings, p.default)
    if surface == CUSTOM:
        params[FORMULA] = take(FORMULA) or DEFAULT_FORMULA
        try:
            build_landscape(surface, params)
        except ValueError as err:
            warnings.append(f"The link's custom surface {code(str(params[FORMULA]))} (x from {params['xmin']:g} to "
                            f"{params['xmax']:g}, y from {params['ymin']:g} to {params['ymax']:g}) was ignored: "
                            f"{plain(str(err))} Showing the default formula {code(DEFAULT_FORMULA)} instead.")
            params = surface_defaults(CUSTOM)
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
        values = default_hyper(name, land)
        for p in optimizers.get(name).all_params:
            values[p.name] = _read(p, take(f"{name}.{p.name}"), warnings, values[p.name], prefix=f"{name}.")
        hyper[name] = values

    start = None
    raw_start = take("start")
    if raw_start is not None:
        start = _read_start(raw_start, warnings)

    settings = {p.name: _read(p, take(p.name), warnings, p.default) for p in SETTINGS + TEACHING + ANALYSIS + VIEW}
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
        settings["sweep_min"], settings["sweep_max"] = studies.SWEEP_MIN.default, studies.SWEEP_MAX.default
    for key in sorted(set(q) - used):
        warnings.append(f"Unknown link parameter {key!r} was ignored.")
    return replace(state, optimizers=chosen, hyper=hyper, start=start, **settings), warnings


def plain(text: str) -> str:
    """``text`` with every ASCII punctuation mark backslash-escaped, so Markdown shows it literally
    (a formula's ``*`` and ``$`` would otherwise turn into emphasis and math)."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def code(text: str) -> str:
    """``text`` as an inline code span (backticks inside it become quotes)."""
    return "`" + text.replace("`", "'") + "`"


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
