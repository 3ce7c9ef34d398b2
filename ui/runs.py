"""Cached computations behind the page: surfaces, contour grids and simulations.

``st.cache_data`` returns copies and is bounded with ``max_entries`` so a public
app's memory stays small.  Arguments are plain hashable values (sorted item
tuples), so a hyperparameter change recomputes only the optimizer it touched.
"""
from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np
import streamlit as st

import landscapes
import optimizers
from optimizers import metrics, studies
from state import share
from state.share import AppState
from viz import race_view, series
from viz.figures import PALETTE, ContourGrid, MarkerSeries, Run, contour_grid

Items = tuple[tuple[str, object], ...]


def landscape(surface: str, params: Items) -> landscapes.Landscape:
    """The surface, through the state's own cached route (:func:`state.share.build_landscape`)."""
    return share.build_landscape(surface, dict(params))


@st.cache_data(max_entries=32, show_spinner=False)
def contour(surface: str, params: Items) -> ContourGrid:
    return contour_grid(landscape(surface, params))


def run(surface: str, params: Items, optimizer: str, hyper: Items, start: tuple[float, float], steps: int,
        seed: int) -> optimizers.Trajectory:
    """One optimizer's single-start run, computed afresh (:func:`simulate` is the page's cached form; a published
    page, built with no server, uses this one)."""
    return optimizers.simulate(landscape(surface, params), optimizer, np.array(start), steps, seed=seed,
                               **dict(hyper))


simulate = st.cache_data(max_entries=256, show_spinner=False)(run)


def colors(state: AppState) -> dict[str, str]:
    """One palette colour per chosen optimizer, in the order they were chosen."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(state.optimizers)}


@st.cache_data(max_entries=32, show_spinner=False)
def surface_payload(surface: str, params: Items) -> dict:
    """The race view's surface payload (contour, bounds, minima), built once per surface."""
    return race_view.surface_payload(landscape(surface, params), contour(surface, params))


def runs_payload(state: AppState, fig_runs: list[Run]) -> dict:
    """The race view's runs payload for ``state``'s layout and presenter options."""
    return race_view.runs_payload(fig_runs, state.layout, present=state.present, trails=state.trails)


def surface_items(state: AppState) -> Items:
    return tuple(sorted(state.surface_params.items()))


def trajectories(state: AppState, simulate: Callable[..., optimizers.Trajectory] = simulate
                 ) -> dict[str, optimizers.Trajectory]:
    """One single-start trajectory per chosen optimizer, from the cache where possible (``simulate=run``: all
    computed afresh)."""
    items, start = surface_items(state), share.start_of(state)
    return {name: simulate(state.surface, items, name, tuple(sorted(state.hyper[name].items())), start,
                           state.steps, state.seed)
            for name in state.optimizers}


def label(name: str, hyper: dict[str, object]) -> str:
    """Panel label: the optimizer's title and its learning rate."""
    return f"{optimizers.get(name).title} (lr={hyper['lr']:g})"


def figure_runs(state: AppState, trajs: dict[str, optimizers.Trajectory], colors: dict[str, str]) -> list[Run]:
    """One :class:`Run` per trajectory, carrying the extra markers its registry entry declares (Schedule-Free's
    z and y, SAM's perturbed point), animated with the step."""
    return [Run(label=label(name, state.hyper[name]), color=colors[name], points=tr.points[:, 0],
                loss=tr.loss[:, 0], diverged_at=int(tr.diverged_at[0]),
                grads=None if tr.grads is None else tr.grads[:, 0],
                markers=tuple(MarkerSeries(m["label"], np.asarray(m["points"]), m["symbol"], m["radius"], m["link"])
                              for m in series.race_markers(name, tr)))
            for name, tr in trajs.items()]


SYMBOLS = {"circle": "○", "square": "□", "diamond": "◇", "cross": "+", "x": "✕", "triangle-up": "△"}


def marker_legend(trajs: dict[str, optimizers.Trajectory]) -> list[str]:
    """One line per run that draws extra markers, saying what each one is (the side-by-side panels have no
    legend for them)."""
    lines = []
    for name, tr in trajs.items():
        marks = series.race_markers(name, tr)
        if not marks:
            continue
        parts = [f"{SYMBOLS.get(m['symbol'], '○')} {m['label']}" for m in marks]
        parts += [f"the circle: the ball of radius {m['radius']:g} around the point before the step"
                  for m in marks if m["radius"]]
        linked = " (thin lines join it to its linked markers)" if any(m["link"] for m in marks) else ""
        lines.append(f"**{optimizers.get(name).title}** — filled dot: the point whose loss is reported{linked}; "
                     + "; ".join(parts) + ".")
    return lines


def divergence_alerts(runs: list[Run]) -> list[str]:
    """One sentence per run that diverged, shown above the race."""
    return [f"{run.label} diverged at step {run.diverged_at}: its path stops at its last finite point."
            for run in runs if run.diverged_at >= 0]


def reference_loss(land: landscapes.Landscape, runs: list[Run]) -> float:
    """What loss gaps are measured from: f* of the known minima, else the lowest loss any run reached."""
    f_star = studies.f_star(land)
    return f_star if f_star is not None else min(float(run.loss[:run.end + 1].min()) for run in runs)


SUMMARY_NOTE = ("f* is the lowest loss among the surface's known minima. A minimum counts as reached when the final "
                "point is within 1% of the plot's diagonal from it.")      # under the summary table


def summary_table(rows: list[dict[str, object]]) -> str:
    """``rows`` as an HTML table for ``st.markdown`` (which styles it like a Markdown table), in a box that
    scrolls sideways on a phone: numbers to 4 significant digits, a missing value as "—".  Not
    ``st.dataframe``, whose grid costs a fresh page about a megabyte of script before the race draws."""
    def cell(value: object) -> str:
        if value is None:
            return "—"
        return f"{value:.4g}" if isinstance(value, float) else html.escape(str(value))

    head = "".join(f"<th>{html.escape(k)}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row.values()) + "</tr>" for row in rows)
    return f'<div style="overflow-x: auto"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def summary_rows(state: AppState, trajs: dict[str, optimizers.Trajectory]) -> list[dict[str, object]]:
    """One row per optimizer: final loss, steps to tolerance, minimum reached, divergence."""
    land = landscape(state.surface, surface_items(state))
    f_star = studies.f_star(land)          # None for a custom formula without a known minimum
    rows = []
    for name, tr in trajs.items():
        reached = int(metrics.reached_minimum(land, tr)[0])
        hit = int(metrics.steps_to_tolerance(tr, f_star, state.tol)[0]) if f_star is not None else -1
        diverged = int(tr.diverged_at[0])
        dist = float(land.nearest_minimum(tr.points[-1, 0])[1]) if f_star is not None else None
        rows.append({
            "optimizer": label(name, state.hyper[name]),
            "final loss": float(tr.loss[-1, 0]),
            "loss gap f − f*": float(tr.loss[-1, 0] - f_star) if f_star is not None else None,
            f"steps to gap ≤ {state.tol:g}": hit if hit >= 0 else None,
            "minimum reached": "({:.3g}, {:.3g})".format(*land.minima[reached]) if reached >= 0 else "none",
            "distance to nearest minimum": dist,
            "diverged at step": diverged if diverged >= 0 else None,
        })
    return rows
