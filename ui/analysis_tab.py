"""The Analysis tab (basins of attraction, learning-rate sweep, many starts and seeds) and the fair race.

Settings live in session-state keys named after their :class:`~paramspec.Param` (the share link's names),
loaded and read by :mod:`ui.controls` with the rest of the state.  The computations are cached with
``st.cache_data`` (bounded) and run only while the tab is open.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import optimizers
from landscapes.base import Landscape
from optimizers import studies
from optimizers.studies import BasinMap, BasinPart, Spread, Sweep
from state import share, study_export
from ui import controls, runs
from viz import study_figures as figures

VIEWS = dict(zip(controls.ANALYSIS_VIEWS, ("Basins of attraction", "Learning-rate sweep", "Many starts & seeds"),
                 strict=True))
RESOLUTIONS = (10, 25, 50, 75, 100, 150, 200, 250, 300)
Items = runs.Items


# --- cached computations ----------------------------------------------------------------------------

@st.cache_data(max_entries=256, show_spinner=False)
def basin_part(surface: str, params: Items, optimizer: str, hyper: Items, steps: int, seed: int, resolution: int,
               k: int) -> BasinPart:
    """Chunk ``k`` of a basins map (at most ~5,000 starts: a few hundred kB, so 256 entries stay small)."""
    return studies.basin_part(runs.landscape(surface, params), optimizer, steps, k, resolution=resolution,
                               seed=seed, **dict(hyper))


def basin_maps(state: share.AppState, land: Landscape, names: list[str]) -> list[BasinMap]:
    """Every optimizer's basins map, chunk by chunk, with a progress bar that says how long is left.

    Chunks are cached one by one, and the bar is redrawn after each: a widget change reruns the script at
    that point, which cancels the rest of a long map (the chunks already run stay cached).
    """
    r, items = state.basins_res, runs.surface_items(state)
    per_map = studies.basin_chunks(r, state.steps)
    total, done, t0 = per_map * len(names), 0, time.perf_counter()
    bar = st.progress(0.0, text="Running every start of the grid…")
    maps = []
    for name in names:
        parts = []
        for k in range(per_map):
            parts.append(basin_part(state.surface, items, name, _hyper(state, name), state.steps, state.seed, r, k))
            done += 1
            left = (time.perf_counter() - t0) / done * (total - done)
            bar.progress(done / total, text=f"Running every start of the grid: {done} of {total} chunks, "
                                            f"about {left:.0f} s left (change any setting to cancel)")
        maps.append(studies.assemble_basins(land, name, r, parts))
    bar.empty()
    return maps


def tune(surface: str, params: Items, optimizer: str, hyper: Items, start: tuple[float, float], steps: int,
         seed: int, tol: float, grid: tuple[float, float, int]) -> tuple[float | None, Sweep]:
    """One optimizer's fair-race learning rate and sweep, computed afresh (:func:`tuned` is the page's cached form;
    a published page, built with no server, uses this one)."""
    return studies.tune_lr(runs.landscape(surface, params), optimizer, start, steps, studies.lr_grid(*grid),
                           seed=seed, tol=tol, **dict(hyper))


tuned = st.cache_data(max_entries=128, show_spinner=False)(tune)


@st.cache_data(max_entries=64, show_spinner=False)
def spread(surface: str, params: Items, optimizer: str, hyper: Items, start: tuple[float, float], steps: int,
           seed: int, mode: str, n: int, radius: float) -> Spread:
    return studies.spread(runs.landscape(surface, params), optimizer, start, steps, mode=mode, n=n, radius=radius,
                           seed=seed, **dict(hyper))


def _hyper(state: share.AppState, name: str) -> Items:
    return tuple(sorted(state.hyper[name].items()))


def _tune(state: share.AppState, name: str, tune: Callable[..., tuple[float | None, Sweep]] = tuned
          ) -> tuple[float | None, Sweep]:
    """The sweep does not depend on the learning rate in use, so it is left out of the cache key."""
    others = tuple((k, v) for k, v in _hyper(state, name) if k != "lr")
    return tune(state.surface, runs.surface_items(state), name, others, share.start_of(state), state.steps,
                state.seed, state.tol, (state.sweep_min, state.sweep_max, state.sweep_n))


# --- fair race ------------------------------------------------------------------------------------

def fair_race(state: share.AppState, tune: Callable[..., tuple[float | None, Sweep]] = tuned
              ) -> tuple[share.AppState, dict[str, float | None]]:
    """``state`` with each optimizer's learning rate tuned (when the fair race is on), and the tuned values; from
    the cache where possible (``tune=tune``: all computed afresh).

    An optimizer whose every learning rate diverged keeps its own (its value in the dict is ``None``); with
    no valid learning-rate range every optimizer keeps its own and the dict is empty.
    """
    if not state.fair or not state.sweep_min < state.sweep_max:
        return state, {}
    lrs = {name: _tune(state, name, tune)[0] for name in state.optimizers}
    hyper = {name: {**values, "lr": lrs[name]} if lrs.get(name) is not None else values
             for name, values in state.hyper.items()}
    return replace(state, hyper=hyper), lrs


def fair_note(state: share.AppState, lrs: dict[str, float | None]) -> None:
    """Say which learning rate each optimizer got in the fair race."""
    if state.fair and not lrs:
        st.warning("The fair race needs a learning-rate range whose smallest value is below its largest (set it "
                   "under Analysis → Learning-rate sweep); until then each optimizer races with its own rate.")
    if not lrs:
        return
    got = ", ".join(f"{optimizers.get(n).title} {lr:.3g}" if lr is not None else
                    f"{optimizers.get(n).title} kept its own (every rate diverged)" for n, lr in lrs.items())
    st.info(f"**Fair race:** each optimizer runs with the learning rate that gave it the lowest final loss among "
            f"{state.sweep_n} values from {state.sweep_min:g} to {state.sweep_max:g} (same start, steps and seed): "
            f"{got}.", icon="⚖️")


# --- the tab ------------------------------------------------------------------------------------

def render(state: share.AppState, land: Landscape, colors: dict[str, str]) -> None:
    """Draw the Analysis tab (only while it is open): the chosen view's settings and results.  The settings of
    the views not on show keep their values through ``controls.keep_settings``."""
    ss = st.session_state
    st.segmented_control("Analysis", list(VIEWS), key="analysis", format_func=VIEWS.__getitem__, required=True,
                         label_visibility="collapsed")
    view = ss["analysis"]
    names = list(state.optimizers)
    labels = [runs.label(name, state.hyper[name]) for name in names]
    palette = [colors[name] for name in names]
    if view == "basins":
        _basins(state, land, names, labels)
    elif view == "sweep":
        _sweep(state, names, palette)
    else:
        _spread(state, land, names, labels, palette)


def _basins(state: share.AppState, land: Landscape, names: list[str], labels: list[str]) -> None:
    st.markdown("Every start on a grid over the plot runs for the chosen number of steps; its square takes the "
                "colour of the minimum it ends on. Sharp, ragged borders mean small changes of the start change "
                "the outcome.")
    p, r = share.BASINS_RES, state.basins_res
    left, right = st.columns([2, 3], vertical_alignment="bottom")
    left.select_slider("Starts per side", options=sorted(set(RESOLUTIONS) | {st.session_state[p.name]}),
                       key=p.name, help=p.help)
    right.caption(f"{r} × {r} = {r * r:,} runs of {state.steps} steps per optimizer.")
    items = runs.surface_items(state)
    maps = basin_maps(state, land, names)
    legend = figures.outcome_legend(land, maps[0].is_global)
    st.markdown(" ".join(f'<span style="white-space:nowrap;margin-right:1em"><span style="color:{color};'
                         f'font-size:1.3em">■</span> {text}</span>' for text, color in legend),
                unsafe_allow_html=True)
    grid = runs.contour(state.surface, items)
    _in_pairs([figures.basins_figure(land, m, label, grid) for m, label in zip(maps, labels, strict=True)],
              "basins_chart")
    shares = [{"optimizer": label, "global minimum": m.global_share,
               "another minimum": 1 - m.share(studies.DIVERGED) - m.share(studies.NOT_CONVERGED)
               - (m.global_share or 0.0),
               "not converged": m.share(studies.NOT_CONVERGED), "diverged": m.share(studies.DIVERGED)}
              for label, m in zip(labels, maps, strict=True)]
    if maps[0].is_global.all():           # every listed minimum is a global one
        for row in shares:
            del row["another minimum"]
    percent = st.column_config.NumberColumn(format="percent")
    st.dataframe(pd.DataFrame(shares), hide_index=True, width="stretch",
                 column_config={k: percent for k in shares[0] if k != "optimizer"})
    st.download_button("Basins grid (CSV)", lambda: study_export.basins_csv(land, maps, names),
                       "optiscope_basins.csv", "text/csv")


def _sweep(state: share.AppState, names: list[str], palette: list[str]) -> None:
    st.markdown("Each optimizer runs once per learning rate (all in one vectorized pass) from the same start, for "
                "the same steps and seed. Too small and it crawls; too large and it oscillates, then diverges.")
    left, middle, right = st.columns(3)
    for column, p, label in ((left, share.SWEEP_MIN, "Smallest lr"), (middle, share.SWEEP_MAX, "Largest lr")):
        with column:
            st.select_slider(label, options=controls.log_options(p, st.session_state[p.name]), key=p.name,
                             format_func=controls.fmt, help=p.help)
    fewest, most = controls.span(share.SWEEP_POINTS)
    right.number_input("Learning rates", min_value=int(fewest), max_value=int(most), step=1,
                       key=share.SWEEP_POINTS.name, help=share.SWEEP_POINTS.help)
    if not state.sweep_min < state.sweep_max:
        st.error("The smallest learning rate must be below the largest one.")
        return
    results = [_tune(state, n)[1] for n in names]
    titles = [optimizers.get(n).title for n in names]
    current = [float(state.hyper[n]["lr"]) for n in names]
    st.plotly_chart(figures.sweep_figure(results, titles, palette, current), width="stretch", key="sweep_chart")
    rows = []
    for title, s, lr in zip(titles, results, current, strict=True):
        band = s.stable_range
        rows.append({"optimizer": title, "stable from": band[0] if band else None,
                     "stable to": band[1] if band else None, "first divergence": s.diverge_lr,
                     "best lr": None if s.best is None else float(s.lrs[s.best]),
                     "its final loss": None if s.best is None else float(s.final_loss[s.best]), "lr in use": lr,
                     "converging lrs": f"{s.n_converged} of {len(s.lrs)}",
                     "lr is": "a multiplier of d" if s.lr_is_multiplier else "the step size"})
    number = st.column_config.NumberColumn(format="%.3g")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={k: number for k in rows[0] if k not in ("optimizer", "converging lrs", "lr is")})
    st.caption("Stable: the run neither diverged nor ended above its starting loss; the bar covers the longest "
               "unbroken stretch of stable rates. The best rate has the lowest final loss (ties, at rounding "
               "level, go to the fastest to reach the tolerance); the fair race uses it. Converging lrs, a "
               "robustness count: how many of the swept rates bring the loss within the tolerance of the minimum "
               "without diverging. For learning-rate-free methods (Prodigy, D-Adaptation) lr only multiplies the "
               "step scale d they estimate themselves, so 1 is their designed setting and the sweep shows how "
               "far that multiplier can be off.")
    st.download_button("Sweep (CSV)", lambda: study_export.sweep_csv(results, names), "optiscope_sweep.csv",
                       "text/csv")


def _spread(state: share.AppState, land: Landscape, names: list[str], labels: list[str],
            palette: list[str]) -> None:
    st.markdown("Many runs at once: a cloud of starts around the start point shows how sensitive the outcome is "
                "to where you begin; copies of the start point that differ only in their random draws show the "
                "spread that gradient noise or example sampling causes.")
    left, middle, right = st.columns(3)
    mode, size, radius = share.SPREAD_MODE, share.CLOUD_SIZE, share.CLOUD_RADIUS
    left.radio("Runs differ in", mode.choices, key=mode.name, help=mode.help, horizontal=True,
               format_func={"starts": "start point", "seeds": "random draws"}.__getitem__)
    with middle:
        st.select_slider("Runs per optimizer", options=controls.log_options(size, st.session_state[size.name]),
                         key=size.name, help=size.help)
    if state.spread == "starts":
        low, high = controls.span(radius)
        right.slider("Cloud radius", min_value=float(low), max_value=float(high), step=0.01, key=radius.name,
                     help=radius.help)
    items, start = runs.surface_items(state), share.start_of(state)
    results = [spread(state.surface, items, n, _hyper(state, n), start, state.steps, state.seed, state.spread,
                      state.cloud, state.cloud_radius) for n in names]
    fixed = [label for label, s in zip(labels, results, strict=True) if not s.stochastic]
    if state.spread == "seeds" and fixed:
        st.info(f"{', '.join(fixed)}: no randomness on this surface with these settings, so every copy follows "
                "the same path and the band is a single line. Try SGD or mini-batch, or a cloud of starts.")
    st.plotly_chart(figures.spread_figure(results, labels, palette, studies.f_star(land)), width="stretch",
                    key="spread_chart")
    grid = runs.contour(state.surface, items)
    _in_pairs([figures.cloud_figure(land, grid, s, label, color)
               for s, label, color in zip(results, labels, palette, strict=True)], "cloud_chart")


def _in_pairs(figs: list[go.Figure], key: str) -> None:
    """Figures two per row; on a phone the columns stack, so they read in order."""
    for i in range(0, len(figs), 2):
        for k, column in enumerate(st.columns(2)[:len(figs) - i]):
            column.plotly_chart(figs[i + k], width="stretch", key=f"{key}_{i + k}")
