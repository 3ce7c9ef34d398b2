"""Computations behind the page: surfaces, contour grids, simulations, and what the race tab sends.

Everything the race tab shows is a function of the link, so it is built once per server process and shared by
every session that shows it (:func:`ui.process.shared`): a visit costs a dictionary look-up per result, with no
pickled copies, and a class opening one link computes it once.  Shared results are never changed: strings,
tuples and read-only arrays.  The caches are bounded (``max_entries``) so a public app's memory stays small.
Arguments are plain hashable values (sorted item tuples), so a hyperparameter change recomputes only the
optimizer it touched.
"""
from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

import landscapes
import optimizers
from optimizers import metrics, studies
from state import share, surfaces
from state.share import AppState
from ui.process import read_only, shared
from viz import figures, race_view, series
from viz.figures import PALETTE, ContourGrid, MarkerSeries, Run, contour_grid

Items = tuple[tuple[str, Any], ...]   # a mapping as a hashable cache key: surface parameters or hyperparameters
# What a race is a function of: surface, surface items, ((optimizer, hyper items), ...) in the order chosen (which
# gives the colours), start, steps, seed.
RaceKey = tuple[str, Items, tuple[tuple[str, Items], ...], tuple[float, float], int, int]


def landscape(surface: str, params: Items) -> landscapes.Landscape:
    """The surface, through the state's own cached route (:func:`state.surfaces.build`)."""
    return surfaces.build(surface, dict(params))


@shared(max_entries=32)
def contour(surface: str, params: Items) -> ContourGrid:
    grid = contour_grid(landscape(surface, params))
    read_only(grid.x, grid.y, grid.g, grid.z, grid.lines)
    return grid


def run(surface: str, params: Items, optimizer: str, hyper: Items, start: tuple[float, float], steps: int,
        seed: int) -> optimizers.Trajectory:
    """One optimizer's single-start run, computed afresh (:func:`simulate` is the page's cached form; a published
    page, built with no server, uses this one)."""
    return optimizers.simulate(landscape(surface, params), optimizer, np.array(start), steps, seed=seed,
                               **dict(hyper))


@shared(max_entries=256)
def simulate(surface: str, params: Items, optimizer: str, hyper: Items, start: tuple[float, float],
             steps: int, seed: int) -> optimizers.Trajectory:
    """:func:`run`, shared by the process, its arrays read-only."""
    tr = run(surface, params, optimizer, hyper, start, steps, seed)
    read_only(tr.points, tr.loss, tr.diverged_at, tr.lr, tr.grads, tr.moments, tr.eff_lr, tr.fallback,
              *tr.extra.values())
    return tr


def colors(state: AppState) -> dict[str, str]:
    """One palette colour per chosen optimizer, in the order they were chosen."""
    return colors_of(state.optimizers)


def colors_of(names: tuple[str, ...]) -> dict[str, str]:
    """One palette colour per optimizer of ``names``, in that order."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


@shared(max_entries=32)
def surface_payload(surface: str, params: Items) -> dict:
    """The race view's surface payload (contour, bounds, minima), built once per surface."""
    return race_view.surface_payload(landscape(surface, params), contour(surface, params))


def race_key(state: AppState) -> RaceKey:
    """The parts of ``state`` its race (paths, labels, colours) is a function of."""
    return (state.surface, surface_items(state),
            tuple((name, tuple(sorted(state.hyper[name].items()))) for name in state.optimizers),
            share.start_of(state), state.steps, state.seed)


def _race_state(key: RaceKey) -> AppState:
    """A state showing the race ``key`` names (its other settings at their defaults)."""
    surface, params, chosen, start, steps, seed = key
    return AppState(surface=surface, surface_params=dict(params), optimizers=tuple(name for name, _ in chosen),
                    hyper={name: dict(hyper) for name, hyper in chosen}, start=start, steps=steps, seed=seed)


def _race(key: RaceKey) -> tuple[AppState, dict[str, optimizers.Trajectory], list[Run]]:
    """The race ``key`` names: a state showing it, its trajectories and its runs as the figures take them."""
    state = _race_state(key)
    trajs = trajectories(state)
    return state, trajs, figure_runs(state, trajs, colors(state))


def runs_payload(state: AppState, fig_runs: list[Run]) -> dict:
    """The race view's runs payload for ``state``'s layout and presenter options, built afresh
    (:func:`page_runs_payload` is the page's shared form)."""
    return race_view.runs_payload(fig_runs, state.layout, present=state.present, trails=state.trails)


def page_runs_payload(state: AppState) -> dict:
    """The runs payload of ``state``'s race, layout and presenter options, shared (never change it)."""
    return _runs_payload(race_key(state), state.layout, state.present, state.trails)


@shared(max_entries=64)
def _runs_payload(key: RaceKey, layout: str, present: bool, trails: int) -> dict:
    state, _, fig_runs = _race(key)
    return runs_payload(replace(state, layout=layout, present=present, trails=trails), fig_runs)


@dataclass(frozen=True)
class Charts:
    """The figures beside the race as plotly JSON, shared by every session showing the same race."""

    loss: str                               # loss gap over the steps
    distance: str                           # distance to the nearest known minimum over the steps
    series: tuple[tuple[str, str], ...]     # (title, JSON) of each series the entries record, e.g. Prodigy's d


def charts(state: AppState) -> Charts:
    """The charts beside ``state``'s race (at least one optimizer chosen)."""
    return _charts(race_key(state))


@shared(max_entries=64)
def _charts(key: RaceKey) -> Charts:
    state, trajs, fig_runs = _race(key)
    land = landscape(state.surface, surface_items(state))
    return Charts(loss=figures.loss_figure(fig_runs, reference_loss(land, fig_runs)).to_json(),
                  distance=figures.distance_figure(fig_runs, land.minima).to_json(),
                  series=tuple((fig.layout.title.text, fig.to_json())
                               for fig in series.series_figures(trajs, colors(state))))


def summary(state: AppState) -> str:
    """The summary table of ``state``'s race and tolerance, as HTML (see :func:`summary_table`)."""
    return _summary(race_key(state), state.tol)


@shared(max_entries=64)
def _summary(key: RaceKey, tol: float) -> str:
    state = replace(_race_state(key), tol=tol)
    return summary_table(summary_rows(state, trajectories(state)))


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


def label(name: str, hyper: surfaces.Hyper, network: bool = False) -> str:
    """Panel label: the optimizer's title (in network mode, its network title) and its learning rate."""
    return f"{optimizers.get(name).title_in(network)} (lr={hyper['lr']:g})"


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
                f"point is within {metrics.REACH_RADIUS:.0%} of the plot's diagonal from it.")   # under the table


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
