"""One rerun, up to the share link: the state, the race and its runs, built in one place and in one order.

:func:`build` is the only code that writes session state before the link is written:

1. a session's first run loads its link into the widget keys (``share.decode``, ``controls.load_state``);
2. the settings of widgets not drawn in this run keep their values, in network mode an optimizer it does not offer
   for the network shown leaves the race (``controls.settle_network``), and an optimizer just chosen gets its
   settings on this surface or network (``controls.keep_settings``, ``controls.fill_defaults``);
3. the widget keys are read into an :class:`~state.share.AppState` (``controls.current_state``);
4. on a surface, the race state is the state with the fair race's tuned learning rates (``analysis_tab.fair_race``),
   and its runs come from the process's shared cache (``runs.trajectories``); in network mode the training, the
   plane and what the Race tab shows come from there too (``network_runs.race``);
5. the Inspector's optimizer and step are settled to ones the runs have (``controls.settle_inspector``);
6. the state is written to the address bar (``share.encode``).

After that, only widgets and their callbacks change session state, and callbacks run before the next rerun: no
render code changes the state after the link is written.  Everything the tabs draw is read from the
:class:`Page` this returns.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import streamlit as st

import landscapes
import optimizers
from landscapes.networks import NetworkLandscape
from state import share
from state.share import AppState
from ui import analysis_tab, controls, network_runs, runs
from ui.network_runs import NetworkRace
from viz.figures import ContourGrid, Run

WARNINGS = "link_warnings"     # session key: what the session's link had to ignore (shown until a lesson is applied)


@dataclass(frozen=True)
class Page:
    """What one rerun shows: the view's state and its race, computed once, before anything is drawn."""

    state: AppState                       # the view, exactly as its link says
    race_state: AppState                  # what the race runs: the state with the fair race's tuned rates
    tuned_lrs: dict[str, float | None]    # the fair race's rate per optimizer (empty when it is off)
    trajs: dict[str, optimizers.Trajectory]
    colors: dict[str, str]                # one per chosen optimizer, in the order chosen
    land: landscapes.Landscape | None     # the surface (None in network mode)
    surface_items: runs.Items             # the surface's parameters, as the shared caches take them
    fig_runs: list[Run]                   # the runs as the figures take them (in network mode, on the plane)
    link_base: str                        # this page's address without its query: every link starts with it
    warnings: tuple[str, ...]             # what the session's link had to ignore, one sentence each
    network: NetworkRace | None = None    # network mode's race: the network, its runs, the plane, the Race tab's page

    @cached_property
    def grid(self) -> ContourGrid:
        """The surface's contour grid (shared by the process), computed when a tab first asks for it."""
        return runs.contour(self.state.surface, self.surface_items)

    @property
    def surface(self) -> landscapes.Landscape:
        """The surface; only the tabs that draw one ask (they are not drawn in network mode)."""
        if self.land is None:
            raise ValueError("Invalid page: network mode has no surface to draw")
        return self.land

    @property
    def subject(self) -> landscapes.Landscape | NetworkLandscape:
        """What the optimizers race on: the surface, or in network mode the network (its title and description)."""
        return share.network_of(self.state) if self.land is None else self.land


def build() -> Page:
    """Read the link (first run) or the widgets into the state, run its race and write the link (see above)."""
    ss = st.session_state
    if WARNINGS not in ss:                          # a session's first run: its link is its state
        from_link, ss[WARNINGS] = share.decode(st.query_params.to_dict())
        controls.load_state(from_link)
    controls.keep_settings()
    taken_out = controls.settle_network()
    controls.fill_defaults()
    state = controls.current_state()
    link_base = (st.context.url or "").split("?")[0]
    warnings = tuple(ss[WARNINGS]) + taken_out
    if state.is_network:
        race = network_runs.race(state) if state.optimizers else None
        st.query_params.from_dict(share.encode(state))
        return Page(state=state, race_state=state, tuned_lrs={}, trajs=race.trajs if race else {},
                    colors=runs.colors(state), land=None, surface_items=(), fig_runs=race.runs if race else [],
                    link_base=link_base, warnings=warnings, network=race)
    race_state, tuned_lrs = analysis_tab.fair_race(state)
    trajs = runs.trajectories(race_state)
    state = controls.settle_inspector(state, trajs)         # the last change to the state: the link comes next
    st.query_params.from_dict(share.encode(state))
    colors = runs.colors(state)
    items = runs.surface_items(state)
    return Page(state=state, race_state=race_state, tuned_lrs=tuned_lrs, trajs=trajs, colors=colors,
                land=runs.landscape(state.surface, items), surface_items=items,
                fig_runs=runs.figure_runs(race_state, trajs, colors), link_base=link_base, warnings=warnings)


def show_warnings(page: Page) -> None:
    """One warning per link parameter the page had to ignore (and per optimizer network mode took out of the race)."""
    for warning in page.warnings:
        st.warning(warning, icon="⚠️")
