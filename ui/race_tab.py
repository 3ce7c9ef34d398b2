"""The Race tab: the race view with its lesson and fair-race notes above it, and beneath it (drawn after the
sidebar, so a change's new paths leave the server first) the 3D view, the charts and the summary table.  In network
mode the race is on a plane through the network's weights, drawn by :mod:`ui.network_tab`."""
from __future__ import annotations

import streamlit as st

from ui import analysis_tab, controls, network_tab, runs, teaching
from ui import race_view as race_ui
from ui.page import Page

KEYS_HELP = ("Click anywhere on a panel to start every optimizer from there. With the race focused: Space plays or "
             "pauses, ← and → step, Home and End jump to the start or the end.")


def race(page: Page) -> None:
    """The race panels, with an alert per run that diverged."""
    if page.state.is_network:
        network_tab.race(page)
        return
    if not page.fig_runs:
        st.info("Choose at least one optimizer in the sidebar.")
        return
    for alert in runs.divergence_alerts(page.fig_runs):
        st.error(alert)
    race_ui.race(runs.surface_payload(page.state.surface, page.surface_items), runs.page_runs_payload(page.race_state),
                 key=controls.RACE_KEY, on_start=controls.on_race_click)


def top(page: Page) -> None:
    """The active lesson, the surface (or network), the fair race's rates and the race."""
    teaching.lesson_banner(page.state)
    if page.state.is_network:
        network_tab.top(page)
        return
    st.markdown(f"**{page.surface.title}** — {page.surface.description}")
    analysis_tab.fair_note(page.state, page.tuned_lrs)
    race(page)


def details(page: Page) -> None:
    """How to use the race, what its extra markers are, the 3D view, the charts and the summary table."""
    if page.state.is_network:
        network_tab.details(page)
        return
    if not page.fig_runs:
        return
    st.caption(KEYS_HELP)
    for line in runs.marker_legend(page.trajs):
        st.caption(line)
    teaching.view3d(page.surface, page.grid, page.fig_runs)
    charts = runs.charts(page.race_state)
    left, right = st.columns(2)
    with left:
        race_ui.figure(charts.loss, key="loss_chart")
    with right:
        race_ui.figure(charts.distance, key="distance_chart")
    for k in range(0, len(charts.series), 2):        # what an entry declares, e.g. Prodigy's d
        for column, (title, fig) in zip(st.columns(2), charts.series[k:k + 2], strict=False):
            with column:
                race_ui.figure(fig, key=f"series_chart_{title}")
    st.markdown(runs.summary(page.race_state), unsafe_allow_html=True)
    st.caption(f"{runs.SUMMARY_NOTE} Learning rates start from values suggested for this surface; every one "
               "can be changed in the sidebar.")
