"""Sidebar widgets generated from :class:`~paramspec.Param` declarations.

Widget keys are the single source of truth while the page runs:
``mode`` (a surface, or network mode), ``surface``, ``surface.<param>``, ``opt``, ``hp.<optimizer>.<param>``,
``start_x``/``start_y``, one key per setting in :data:`state.share.SETTINGS` and one per analysis setting
(with ``tab``, the open tab, and ``analysis``, the analysis shown), one per teaching setting in
:data:`state.share.TEACHING` (``lesson``, ``inspect``, ``inspect_step``, ``view3d``).  The custom surface adds
``surface.formula`` and its bounds ``surface.xmin`` etc.  Network mode has ``net.<setting>`` for each of
:data:`state.share.NETWORK_SETTINGS` (the data, the model, the training, the plane, the target loss) and no start.
:func:`load_state` writes an :class:`~state.share.AppState` into those keys
(first visit, share link, lesson); :func:`current_state` reads them back.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import streamlit as st

import landscapes
import optimizers
from landscapes import formula
from landscapes.networks import NetworkLandscape
from optimizers import network
from optimizers.spec import Optimizer
from optimizers.trajectory import last_step
from paramspec import Param, fmt
from state import markdown, share, surfaces
from ui import runs
from viz.click import start_from_click

ANALYSIS_TAB = "Analysis"                              # the page's tab label, its value under the key "tab"
INSPECTOR_TAB = "Inspector"                            # the step inspector's tab label
RACE_KEY = "race"                                      # the race view's key (its clicks arrive under it)
ANALYSIS_VIEWS = share.ANALYSIS_VIEW.choices[1:]       # what the Analysis tab can show (the key "analysis")
SCHEDULE_DETAILS = {"step": ("gamma", "step_size"), "exponential": ("gamma",), "inverse_time": ("decay",)}
FRACTION_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9999)
MODE_LABELS = {share.SURFACE_MODE: "2-D surface", share.NETWORK_MODE: "Train a network"}
# Network mode's sidebar: its settings in groups, each a heading (every one of share.NETWORK_SETTINGS is in one).
NETWORK_GROUPS = {"Data": ("dataset", "points", "noise", "x_scale", "data_seed"),
                  "Model": ("layers", "width", "activation"),
                  "Training": ("batch_size", "init", "init_seed"),
                  "Picture": ("plane", "plane_at", "resolution", "target")}
CHOICE_LABELS: dict[str, dict[str, str]] = {        # how a choice setting's values read in its menu
    "dataset": {"moons": "Two moons", "circles": "Concentric circles", "xor": "XOR (four quadrants)",
                "spirals": "Two spirals"},
    "activation": {"tanh": "tanh", "relu": "ReLU"},
    "init": {"pytorch": "PyTorch's nn.Linear default", "glorot": "Glorot (for tanh)", "he": "He (for ReLU)"},
    "plane": {"pca": "PCA of the paths", "random": "Random, filter-normalised", "hessian": "Hessian's extreme "
              "eigenvectors"},
    "plane_at": {"end": "the first run's final weights", "start": "the common initial weights"},
}
LEFT = "left."             # session key prefix: the link of the mode last left (restored on coming back)


def hp_key(opt: str, param: str) -> str:
    return f"hp.{opt}.{param}"


def net_key(param: str) -> str:
    return f"net.{param}"


def is_network() -> bool:
    """Whether the widgets show network mode."""
    return st.session_state.get("mode") == share.NETWORK_MODE


def span(p: Param[Any]) -> tuple[float, float]:
    """The range a numeric widget of ``p`` covers: its declared bounds (a slider needs both)."""
    if p.low is None or p.high is None:
        raise ValueError(f"Invalid widget for {p.name}: it declares no range ({p.range_text()})")
    return p.low, p.high


def log_options(p: Param[Any], current: float) -> list[float]:
    """Nice values spread evenly in log scale over the declared range, plus ``current``."""
    lowest, high = span(p)
    if p.kind == "int":
        values = {2**k for k in range(0, int(math.log2(high)) + 1) if lowest <= 2**k <= high} | {int(high)}
        return sorted(values | {int(current)})
    low = lowest if lowest else high * 1e-6
    decades = math.log10(high / low)
    mantissas = (1, 2, 5) if decades > 6 else (1, 1.5, 2, 3, 5, 7)
    values = {float(f"{m * 10.0**e:.3g}") for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
              for m in mantissas}
    values = {v for v in values if low <= v <= high and not (p.low_open and v == p.low)}
    return sorted(values | {float(current)})


def param_widget(p: Param[Any], key: str, labels: Mapping[str, str] | None = None) -> None:
    """Draw the widget that ``p`` declares, bound to ``st.session_state[key]``; ``labels``: how a choice's values
    read in its menu (their own text by default)."""
    label = p.name
    if p.kind == "bool":
        st.toggle(label, key=key, help=p.help)
    elif p.kind == "choice":
        names = dict(labels or {})
        st.selectbox(label, p.choices, key=key, help=p.help, format_func=lambda v: names.get(str(v), str(v)))
    elif p.log:
        options = log_options(p, st.session_state[key])
        st.select_slider(label, options=options, key=key, format_func=fmt, help=p.help)
    elif p.kind == "float" and p.low == 0.0 and p.high == 1.0 and p.high_open:
        options = sorted(set(FRACTION_GRID) | {float(st.session_state[key])})
        st.select_slider(label, options=options, key=key, format_func=fmt, help=p.help)
    elif p.kind == "int":
        low, high = span(p)
        st.number_input(label, min_value=int(low), max_value=int(high), step=1, key=key, help=p.help)
    else:
        low, high = span(p)
        step = 10.0 ** math.floor(math.log10((high - low) / 100))
        st.slider(label, min_value=float(low), max_value=float(high), step=step, key=key, help=p.help,
                  format="%.0f" if step >= 1 else f"%.{-int(math.log10(step))}f")


def load_state(state: share.AppState) -> None:
    """Write ``state`` into the widget keys (before the widgets are drawn)."""
    ss = st.session_state
    ss["mode"] = state.mode
    if state.is_network:
        for p in share.NETWORK_SETTINGS:
            ss[net_key(p.name)] = state.network[p.name]
    ss["surface"] = state.surface
    for name, value in state.surface_params.items():
        ss[f"surface.{name}"] = value
    ss["opt"] = list(state.optimizers)
    for key in [k for k in ss if str(k).startswith("hp.")]:   # an optimizer chosen later gets this view's defaults
        del ss[key]
    for opt, values in state.hyper.items():
        for name, value in values.items():
            ss[hp_key(opt, name)] = value
    x, y = share.start_of(state)
    ss["start_x"], ss["start_y"] = x, y
    for p in share.SETTINGS:
        ss[p.name] = getattr(state, p.name)
    for p in share.VIEW:
        ss[p.name] = getattr(state, p.name)
    _load_analysis(state)
    _load_teaching(state)


def _load_teaching(state: share.AppState) -> None:
    """The teaching settings; a link that inspects a step opens the Inspector tab on it."""
    ss = st.session_state
    for p in share.TEACHING:
        ss[p.name] = getattr(state, p.name)
    if state.inspect:
        ss["tab"] = INSPECTOR_TAB


def teaching_settings() -> dict[str, Any]:
    """The teaching settings as AppState fields; ``inspect`` is empty while the Inspector tab is closed."""
    ss = st.session_state
    values = {p.name: ss.get(p.name, p.default) for p in share.TEACHING}
    if ss.get("tab") != INSPECTOR_TAB:
        values["inspect"] = ""
    return values


def _load_analysis(state: share.AppState) -> None:
    """The analysis settings; a link that shows an analysis opens the Analysis tab on it."""
    ss = st.session_state
    for p in share.ANALYSIS_SETTINGS:
        ss[p.name] = getattr(state, p.name)
    ss["analysis"] = state.analysis or ANALYSIS_VIEWS[0]
    if state.analysis:
        ss["tab"] = ANALYSIS_TAB


def analysis_settings() -> dict[str, Any]:
    """The analysis settings as AppState fields; ``analysis`` is empty while its tab is closed."""
    ss = st.session_state
    values = {p.name: ss.get(p.name, p.default) for p in share.ANALYSIS_SETTINGS}
    values["analysis"] = ss.get("analysis", ANALYSIS_VIEWS[0]) if ss.get("tab") == ANALYSIS_TAB else ""
    return values


def _on_surface_change() -> None:
    """A new surface brings its own parameters, start and suggested learning rates."""
    fresh = share.default_state(st.session_state["surface"])
    hyper = {name: surfaces.default_hyper(name, share.landscape_of(fresh)) for name in st.session_state["opt"]}
    settings = {p.name: st.session_state[p.name] for p in share.SETTINGS} | analysis_settings() | teaching_settings()
    load_state(replace(fresh, optimizers=tuple(st.session_state["opt"]), hyper=hyper, **settings))


def _on_mode_change() -> None:
    """Switching between a surface and network mode: the mode left is kept (as its link), and the mode entered
    comes back as it was left, or at its defaults the first time; presenter mode and trails stay as they are."""
    ss = st.session_state
    entered = ss["mode"]
    left = share.NETWORK_MODE if entered == share.SURFACE_MODE else share.SURFACE_MODE
    ss[LEFT + left] = share.encode(current_state(left))
    kept = ss.get(LEFT + entered)
    state = share.decode(kept)[0] if kept else (share.network_state() if entered == share.NETWORK_MODE
                                                else share.default_state())
    load_state(replace(state, lesson="", **{p.name: ss.get(p.name, p.default) for p in share.VIEW}))


def _on_reset_start() -> None:
    x, y = current_landscape().start
    st.session_state["start_x"], st.session_state["start_y"] = float(x), float(y)


def sidebar() -> None:
    """All controls, drawn in the sidebar: the mode, then a surface's or a network's."""
    with st.sidebar:
        st.segmented_control("Mode", list(MODE_LABELS), key="mode", format_func=MODE_LABELS.__getitem__,
                             required=True, on_change=_on_mode_change, help=share.MODE.help, width="stretch")
        if is_network():
            _network_sidebar()
        else:
            _surface_sidebar()


def _optimizer_settings(network_mode: bool, own: Callable[[Optimizer], tuple[Param[Any], ...]]) -> None:
    """One expander per chosen optimizer with its settings (``own(entry)``, then its schedule and warm-up), drawn
    only while open."""
    ss = st.session_state
    for name in ss["opt"]:
        opt = optimizers.get(name)
        box = st.expander(opt.title_in(network_mode), key=f"open.{name}", on_change="rerun")
        if box.open is False:          # drawn only while open; closed, keep_settings keeps their values
            continue
        with box:
            for p in own(opt):
                param_widget(p, hp_key(name, p.name))
            param_widget(opt.param("schedule"), hp_key(name, "schedule"))
            for detail in SCHEDULE_DETAILS.get(ss[hp_key(name, "schedule")], ()):
                param_widget(opt.param(detail), hp_key(name, detail))
            if opt.maths.warmup:
                param_widget(opt.param("warmup_steps"), hp_key(name, "warmup_steps"))
                if ss[hp_key(name, "warmup_steps")]:
                    param_widget(opt.param("momentum_start"), hp_key(name, "momentum_start"))


def _view_settings() -> None:
    """Layout, trails and presenter mode, in both modes."""
    st.radio("Layout", share.LAYOUT.choices, key="layout", horizontal=True, help=share.LAYOUT.help,
             format_func=lambda v: {"side": "Side by side", "overlay": "Overlay"}[v])
    st.number_input("Fading trails (steps, 0: full paths)", min_value=0, max_value=int(span(share.TRAILS)[1]),
                    step=5, key=share.TRAILS.name, help=share.TRAILS.help)
    st.toggle("Presenter mode", key=share.PRESENT.name, help=share.PRESENT.help)


def _network_sidebar() -> None:
    """Network mode's controls: the data, the model, the optimizers it offers, the training and the picture."""
    ss = st.session_state
    by_name = {p.name: p for p in share.NETWORK_SETTINGS}

    def group(title: str) -> None:
        st.header(title)
        for name in NETWORK_GROUPS[title]:
            if name == "plane_at" and ss[net_key("plane")] == "pca":
                continue                                   # a PCA plane always passes through the start
            param_widget(by_name[name], net_key(name), CHOICE_LABELS.get(name))

    group("Data")
    group("Model")
    net = current_network()
    st.caption(f"{' → '.join(map(str, net.layout.sizes))}: {net.dim} weights.")
    st.header("Optimizers")
    reasons = network.offered(net.dim)
    st.multiselect("Optimizers", [n for n, why in reasons.items() if why is None], key="opt",
                   max_selections=share.MAX_OPTIMIZERS, format_func=lambda n: optimizers.get(n).title_in(True),
                   label_visibility="collapsed", placeholder="Choose one or more optimizers")
    missing = {n: why for n, why in reasons.items() if why is not None}
    with st.expander(f"Not offered for this network ({len(missing)})"):
        for why in missing.values():
            st.caption(why)
    _optimizer_settings(True, lambda opt: opt.params + opt.maths.layout_params)
    group("Training")
    fewest, most = span(share.NETWORK_STEPS)
    st.slider("steps", int(fewest), int(most), key="steps", help=share.NETWORK_STEPS.help)
    st.number_input("seed", min_value=0, max_value=int(span(share.SEED)[1]), step=1, key="seed",
                    help=share.SEED.help)
    group("Picture")
    _view_settings()


def _surface_sidebar() -> None:
    """A surface's controls: the surface, the optimizers, the start and the run."""
    ss = st.session_state
    st.header("Surface")
    st.selectbox("Surface", surfaces.names(), key="surface", on_change=_on_surface_change,
                 format_func=_surface_title, label_visibility="collapsed")
    if ss["surface"] == surfaces.CUSTOM:
        _custom_surface()
    else:
        for p in landscapes.spec(ss["surface"]).params:
            param_widget(p, f"surface.{p.name}")

    st.header("Optimizers")
    st.multiselect("Optimizers", optimizers.names(), key="opt", max_selections=share.MAX_OPTIMIZERS,
                   format_func=lambda n: optimizers.get(n).title, label_visibility="collapsed",
                   placeholder="Choose one or more optimizers")
    land = current_landscape()
    _optimizer_settings(False, lambda opt: opt.surface_params(land.n_examples))   # what its sampling means here

    st.header("Run")
    left, right = st.columns(2)
    (xmin, xmax), (ymin, ymax) = land.bounds
    left.number_input("start x", min_value=-1e6, max_value=1e6, key="start_x", format="%.4g",
                      help=f"The surface is drawn for {xmin:g} ≤ x ≤ {xmax:g}.")
    right.number_input("start y", min_value=-1e6, max_value=1e6, key="start_y", format="%.4g",
                       help=f"The surface is drawn for {ymin:g} ≤ y ≤ {ymax:g}.")
    st.button("Reset start", on_click=_on_reset_start, help="Back to the surface's default start point.")
    fewest, most = span(share.STEPS)
    st.slider("steps", int(fewest), int(most), key="steps", help=share.STEPS.help)
    st.number_input("seed", min_value=0, max_value=int(span(share.SEED)[1]), step=1, key="seed",
                    help=share.SEED.help)
    param_widget(share.TOLERANCE, "tol")
    st.toggle("Fair race (tune each learning rate)", key=share.FAIR.name, help=share.FAIR.help)
    _view_settings()


def current_network() -> NetworkLandscape:
    """Network mode: the data set and model the widgets show."""
    ss = st.session_state
    return surfaces.build_network({name: ss[net_key(name)] for name in share.NETWORK_MODEL})


def current_landscape() -> landscapes.Landscape:
    ss = st.session_state
    return runs.landscape(ss["surface"], tuple(sorted(surface_params()[0].items())))


def surface_params() -> tuple[dict[str, float | str], str | None]:
    """The surface parameters the widgets hold, and ``None``; for a custom surface that cannot be built, its
    default parameters and the reason."""
    ss = st.session_state
    params = {k: ss.get(f"surface.{k}", v) for k, v in surfaces.defaults(ss["surface"]).items()}
    try:
        runs.landscape(ss["surface"], tuple(sorted(params.items())))
    except ValueError as err:
        return surfaces.defaults(ss["surface"]), str(err)
    return params, None


@functools.cache
def _surface_title(name: str) -> str:
    """The surface's name in the menu (building each surface to ask it costs more than the rest of the menu)."""
    if name == surfaces.CUSTOM:
        return "Custom formula"
    return landscapes.get(name).title if name != "ravine" else "Ravine (ill-conditioned)"


def _custom_surface() -> None:
    """Formula, bounds and the formula as typeset, or what is wrong with it."""
    st.text_input("f(x, y) =", key=f"surface.{surfaces.FORMULA}", max_chars=formula.MAX_LENGTH,
                  help=surfaces.FORMULA_HELP)
    columns = st.columns(2)
    for k, p in enumerate(surfaces.CUSTOM_BOUNDS):
        columns[k % 2].number_input(p.name, min_value=p.low, max_value=p.high, key=f"surface.{p.name}", help=p.help,
                                    format="%.4g")
    _, error = surface_params()
    if error:
        st.error(f"{markdown.plain(error)} The page shows the default formula until this is fixed.")
    else:
        st.markdown(f"${current_landscape().latex}$")     # inline math wraps in the narrow sidebar


def on_race_click() -> None:
    """A click on a race panel (``[x, y]`` from the race view) becomes every optimizer's start."""
    clicked = (st.session_state.get(RACE_KEY) or {}).get("start")
    if isinstance(clicked, list) and len(clicked) == 2 and not is_network():   # weights start from their init
        start = start_from_click(current_landscape(), *clicked)
        if start is not None:
            st.session_state["start_x"], st.session_state["start_y"] = start


def leave_presenter() -> None:
    st.session_state[share.PRESENT.name] = False


def fill_defaults() -> None:
    """Give an optimizer just chosen its settings on this surface (its defaults, the surface's suggestions over
    them), before the state is read from the widget keys, so the state, the link and the widgets agree."""
    ss = st.session_state
    network_mode = is_network()
    for name in ss["opt"]:
        if any(hp_key(name, p.name) not in ss for p in optimizers.get(name).params_for(network_mode)):
            values = surfaces.network_hyper(name) if network_mode else surfaces.default_hyper(name, current_landscape())
            for key, value in values.items():
                ss.setdefault(hp_key(name, key), value)


def settle_network() -> tuple[str, ...]:
    """Network mode: take out of the race the optimizers network mode does not offer for the network the widgets
    now show (a wider or deeper one: a dense rule's matrix grows with it), before the state is read; one sentence
    each saying why.  With none left, the race gets network mode's default optimizers."""
    ss = st.session_state
    if not is_network():
        return ()
    dropped = share.not_offered(tuple(ss["opt"]), current_network().dim)
    if not dropped:
        return ()
    ss["opt"] = [name for name in ss["opt"] if name not in dropped] or list(share.DEFAULT_NETWORK_OPTIMIZERS)
    return tuple(f"{optimizers.get(name).title} was taken out of the race: {why}" for name, why in dropped.items())


def keep_settings() -> None:
    """Keep the settings of widgets not drawn in this run (tabs and optimizer settings closed, presenter mode):
    Streamlit forgets a widget's value when the widget is not drawn, unless the value is written back to its
    key first."""
    ss = st.session_state
    network_mode = is_network()
    keys = [p.name for p in share.TEACHING + share.ANALYSIS_SETTINGS] + ["analysis"]
    keys += [hp_key(name, p.name) for name in ss.get("opt", ()) for p in optimizers.get(name).params_for(network_mode)]
    if network_mode:                       # a network's plane_at is drawn only for the planes it moves
        keys += [net_key(p.name) for p in share.NETWORK_SETTINGS]
    for key in keys:
        if key in ss:
            ss[key] = ss[key]


def settle_inspector(state: share.AppState, trajs: dict[str, optimizers.Trajectory]) -> share.AppState:
    """The Inspector's optimizer is a chosen one, and its step one its run has (1 to its last finite step).

    Part of building the state, before the share link is written: the values go into the widget keys before
    the Inspector draws them, so the link and the widgets agree and no render code changes them later.
    """
    ss = st.session_state
    if not state.optimizers:
        return state
    name: str = ss["inspect"] if ss.get("inspect") in state.optimizers else state.optimizers[0]
    tr = trajs[name]
    last = last_step(int(tr.diverged_at[0]), tr.steps)
    step = int(min(max(ss.get("inspect_step", 1), 1), max(last, 1)))
    ss["inspect"], ss["inspect_step"] = name, step
    return replace(state, inspect=name if ss.get("tab") == INSPECTOR_TAB else "", inspect_step=step)


def current_state(mode: str | None = None) -> share.AppState:
    """The :class:`AppState` the widgets currently show (after :func:`fill_defaults`); ``mode``: read the widgets
    of that mode (default: the mode they show)."""
    ss = st.session_state
    if (mode or ss.get("mode", share.MODE.default)) == share.NETWORK_MODE:
        return _network_state()
    surface = ss["surface"]
    params = surface_params()[0]
    land = current_landscape()
    hyper = {name: {p.name: ss[hp_key(name, p.name)] for p in optimizers.get(name).all_params} for name in ss["opt"]}
    default_start = tuple(float(v) for v in land.start)
    start = (float(ss["start_x"]), float(ss["start_y"]))
    return share.AppState(surface=surface, surface_params=params, optimizers=tuple(ss["opt"]), hyper=hyper,
                          start=None if start == default_start else start,
                          **{p.name: ss[p.name] for p in share.SETTINGS}, **analysis_settings(), **teaching_settings(),
                          **{p.name: ss.get(p.name, p.default) for p in share.VIEW})


def _network_state() -> share.AppState:
    """Network mode's :class:`AppState` from the widgets: the settings a network has, the others at their defaults."""
    ss = st.session_state
    chosen = tuple(ss["opt"])
    return share.AppState(
        mode=share.NETWORK_MODE, network={p.name: ss[net_key(p.name)] for p in share.NETWORK_SETTINGS},
        optimizers=chosen,
        hyper={name: {p.name: ss[hp_key(name, p.name)] for p in optimizers.get(name).params_for(True)}
               for name in chosen},
        steps=ss["steps"], seed=ss["seed"], layout=ss["layout"], lesson=ss.get("lesson", share.LESSON.default),
        **{p.name: ss.get(p.name, p.default) for p in share.VIEW})
