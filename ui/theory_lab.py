"""The theory lab on the ravine: best settings from theory beside measured rates, buttons that race them,
and the heavy ball's measured rate over a (γ, μ) grid.

The methods are those whose registry entry holds their theory on a quadratic bowl (``Maths.quadratic``:
gradient descent, the heavy ball and Nesterov); each brings its best setting, its rate and its formulas.
The buttons go through the same path as lessons and links: a share-link query is built, decoded by
``share.decode`` and loaded by ``controls.load_state``.  The math is in :mod:`optimizers.theory`, the
figure in :mod:`viz.theory`.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

import optimizers
from optimizers import studies, theory
from state import lessons, share, surfaces
from ui import controls, runs, teaching
from viz.theory import rate_map_figure

SHRINK = 1e-6            # the table counts steps until the distance to the minimum shrinks this much
MAP_SIZE = 60            # grid points per axis of the rate map: MAP_SIZE² runs in one simulate() call
MAP_STEPS = 200
MAP_MOMENTUM = (0.0, 0.98)
THEORY = {name: q for name in optimizers.names() if (q := optimizers.get(name).maths.quadratic) is not None}


def setup_state(state: share.AppState) -> share.AppState:
    """The ravine to analyse: the current one, else (another surface, or network mode) the theory lesson's."""
    return state if state.surface == "ravine" and not state.is_network else share.decode(lessons.get("theory").query)[0]


def tunings(c: theory.Curvature) -> dict[str, theory.Tuning]:
    """The best fixed setting of each method with a theory (gradient descent, the heavy ball, Nesterov) for
    curvatures ``c``."""
    return {name: q.tuning(c) for name, q in THEORY.items()}


def tuned_query(state: share.AppState, chosen: Sequence[theory.Tuning]) -> dict[str, str]:
    """The share-link query of ``state`` with each tuning's optimizer in the race at its best constant setting.

    Optimizers already racing keep their place; when the race would exceed ``share.MAX_OPTIMIZERS``,
    the untuned ones at the end make room.
    """
    query = {k: v for k, v in share.encode(state).items() if k != "lesson"}
    names = list(state.optimizers)
    names += [t.optimizer for t in chosen if t.optimizer not in names]
    tuned = {t.optimizer for t in chosen}
    while len(names) > share.MAX_OPTIMIZERS:
        names.remove([n for n in names if n not in tuned][-1])
    query = {k: v for k, v in query.items() if "." not in k or k.split(".")[0] in names}
    query["opt"] = ",".join(names)
    for t in chosen:
        for key, value in t.hyper.items():
            query[f"{t.optimizer}.{key}"] = share.format_value(float(value))
        query[f"{t.optimizer}.schedule"] = "constant"
        if optimizers.get(t.optimizer).maths.warmup:
            query[f"{t.optimizer}.warmup_steps"] = "0"
    return query


def _apply(query: dict[str, str]) -> None:
    state, _ = share.decode(query)
    ss = st.session_state
    controls.load_state(replace(state, view3d=bool(ss.get("view3d", False))))
    ss["link_warnings"] = []
    ss["tab"] = teaching.RACE_TAB


@st.cache_data(max_entries=16, show_spinner="Measuring rates over the (γ, μ) grid…")
def rate_grid(condition: float, angle: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Learning rates, momenta and measured heavy-ball rates on the ravine: one vectorized ``simulate()``."""
    land = surfaces.build("ravine", {"condition": condition, "angle": angle})
    L = theory.curvature(land).L
    lrs = np.linspace(4.0 / L / MAP_SIZE, 4.0 / L, MAP_SIZE)
    momenta = np.linspace(*MAP_MOMENTUM, MAP_SIZE)
    return lrs, momenta, studies.rate_map(land, lrs, momenta, MAP_STEPS)


def _run(setup: share.AppState, name: str, hyper: dict[str, float]) -> optimizers.Trajectory:
    return runs.simulate(setup.surface, runs.surface_items(setup), name, tuple(sorted(hyper.items())),
                         share.start_of(setup), setup.steps, setup.seed)


def render(state: share.AppState) -> None:
    """The lab: symbols and formulas, the table of predicted and measured rates, the buttons and the map (a few
    thousand runs, cached).  Drawn only while the Lessons tab is open."""
    setup = setup_state(state)
    land = share.landscape_of(setup)
    c = theory.curvature(land)
    best = tunings(c)
    st.markdown("### Theory lab on the ravine")
    st.markdown(f"On a quadratic bowl each direction along an eigenvector of the Hessian evolves on its own, so the "
                f"distance to the minimum shrinks by a fixed factor per step, the rate r. This ravine's curvatures "
                f"(Hessian eigenvalues) run from m = {c.m:.4g} to L = {c.L:.4g}: condition number "
                f"κ = L/m = {c.kappa:.4g}. γ is the learning rate and μ the momentum.")
    for q in THEORY.values():
        st.latex(rf"\text{{{q.label}: }} {q.latex}")
    st.caption("Nesterov's optimum on quadratics is from Lessard, Recht & Packard (2016); it is slower than the "
               "tuned heavy ball here, and its advantage is a guarantee on every smooth, strongly convex function. "
               "Momentum is written as in PyTorch (b ← μb + g, θ ← θ − γb); Nesterov in the look-ahead form "
               "(v ← μv + γ∇f(θ − μv), θ ← θ − v).")

    rows = []

    def row(label: str, name: str, hyper: dict[str, float], predicted: float) -> None:
        tr = _run(setup, name, hyper)
        hit = theory.shrink_step(tr, land.minima[0], SHRINK)
        rows.append({"method": label, "γ (lr)": hyper["lr"], "μ (momentum)": hyper.get("momentum", 0.0),
                     "predicted rate r": predicted, "measured rate": theory.measured_rate(tr, land.minima[0]),
                     "predicted steps": math.ceil(theory.steps_to_shrink(predicted, SHRINK)) if predicted < 1 else None,
                     "measured steps": hit if hit >= 0 else None})

    for name, tuning in best.items():
        row(f"{THEORY[name].label.capitalize()}, best setting", name, tuning.hyper, tuning.rate)
    if setup is state:
        for name, q in THEORY.items():
            hp = state.hyper.get(name)
            if (name in state.optimizers and hp is not None and hp["schedule"] == "constant"
                    and not hp.get("warmup_steps", 0)):
                hyper = {k: float(v) for k, v in hp.items() if k in ("lr", "momentum") and isinstance(v, float)}
                row(f"Your {optimizers.get(name).title.lower()}", name, hyper,
                    q.rate(c, hyper["lr"], hyper.get("momentum", 0.0)))
    numbers = st.column_config.NumberColumn(format="%.4g")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={k: numbers for k in ("γ (lr)", "μ (momentum)", "predicted rate r", "measured rate")})
    where = "the current ravine" if setup is state else f"the theory lesson's ravine (κ = {c.kappa:g})"
    st.caption(f"Runs on {where} from its start, {setup.steps} steps. Measured rate: the geometric mean of "
               "‖θ_t − θ*‖ / ‖θ_{t−1} − θ*‖ over the run; steps: until the distance has shrunk a million-fold "
               "(empty: not within the run). A rate of 1 or more means no convergence. At their best settings the "
               "heavy ball's and Nesterov's two modes coincide, which adds a factor growing like t, so a short "
               "run measures a slightly slower rate than the limit.")

    st.markdown("**Race at the best settings** (adds the method to the race if needed, constant learning rate):")
    with st.container(horizontal=True):
        for name, q in THEORY.items():
            st.button(f"Best {q.label}", key=f"lab_{name}", on_click=_apply,
                      args=(tuned_query(setup, [best[name]]),))
        st.button("All three", key="lab_all", type="primary", on_click=_apply,
                  args=(tuned_query(setup, list(best.values())),))

    condition, angle = (float(setup.surface_params[k]) for k in ("condition", "angle"))
    lrs, momenta, rates = rate_grid(condition, angle)
    st.plotly_chart(rate_map_figure(lrs, momenta, rates, c, best["momentum"]), width="stretch",
                    key="rate_map_chart")
    st.caption(f"Each cell is one heavy-ball run of {MAP_STEPS} steps from the ravine's start ({MAP_SIZE}×{MAP_SIZE} "
               "runs in one vectorized simulation), coloured by its measured rate: the darker the faster. Grey "
               "cells diverged. Right of the dashed edge γL = 2 + 2μ a root of z² − (1 + μ − γL)z + μ leaves the "
               "unit circle, so runs diverge there; the star is the theoretical optimum, in the narrow fastest "
               "valley of the map.")
