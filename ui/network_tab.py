"""Network mode on the page: the Race tab's plane race, the honesty beside it, and what the 2-D tabs say instead.

Everything drawn here comes from the :class:`~ui.network_runs.NetworkRace` that ``ui.page.build`` made (shared by
the process): the race view's two payloads (the loss on the plane; the projected paths with each network's decision
boundaries), the charts, the summary table, the trust sentence and the divergence alerts (``viz.network``).
"""
from __future__ import annotations

import streamlit as st

from optimizers.network_report import LEVELS
from ui import controls, runs
from ui import race_view as race_ui
from ui.page import Page

KEYS_HELP = ("Every optimizer starts from the same initial weights (set by init and init_seed), so there is no start "
             "to click. With the race focused: Space plays or pauses, ← and → step, Home and End jump to the start "
             "or the end; the panels under the race follow the step.")
TRUST_BOX = dict(zip(LEVELS, (st.success, st.warning, st.error), strict=True))   # faithful, approximate, misleading
# Why the 2-D tabs have nothing to show in network mode, by tab.
NOT_HERE = {
    controls.INSPECTOR_TAB: "The Inspector writes out one step of a 2-D run, its gradient, momentum and update drawn "
                            "to scale on the surface. A network's step moves all of its weights at once, and the race "
                            "shows them only through a plane, so there is no picture of one step to draw here. The "
                            "update equations are the same: the Explanations tab lists them. Switch the mode to "
                            "2-D surface in the sidebar to inspect steps.",
    controls.ANALYSIS_TAB: "The Analysis tab's studies (basins of attraction, the learning-rate sweep, many starts and "
                           "seeds) vary the start point over a 2-D surface. In network mode every optimizer starts "
                           "from the same initial weights, so they do not apply; change init_seed or data_seed in the "
                           "sidebar to see another draw. Switch the mode to 2-D surface in the sidebar to run them.",
}


def race(page: Page) -> None:
    """The plane race with its decision boundaries, and an alert per run that diverged."""
    if page.network is None:
        st.info("Choose at least one optimizer in the sidebar.")
        return
    shown = page.network.shown
    for alert in shown.alerts:
        st.error(alert)
    race_ui.race(shown.surface, shown.runs, key=controls.RACE_KEY, on_start=controls.on_race_click)


def trust(page: Page) -> None:
    """How the plane was chosen and when its picture can be trusted, coloured by how far."""
    if page.network is None:
        return
    shown = page.network.shown
    TRUST_BOX[shown.trust.level](f"**How far to trust this picture ({shown.trust.level}).** {shown.description} "
                                 f"{shown.trust.sentence}")


def top(page: Page) -> None:
    """The network, the race and the sentence on how far its picture can be trusted."""
    subject = page.subject
    st.markdown(f"**{subject.title}** — {subject.description}")
    race(page)
    trust(page)


def details(page: Page) -> None:
    """What the race's marks are, the charts (the truth beside the picture) and the summary table."""
    if page.network is None:
        return
    shown = page.network.shown
    st.caption(KEYS_HELP)
    st.caption(shown.legend)
    race_ui.figures(shown.figures, key="network_charts")      # one element: its script is sent once, not five times
    st.markdown(runs.summary_table(shown.rows), unsafe_allow_html=True)
    st.caption(f"{shown.note} Learning rates start from values suggested for network mode; every one can be "
               "changed in the sidebar.")


def not_here(tab: str) -> None:
    """Why ``tab`` has nothing to show in network mode."""
    st.info(NOT_HERE[tab])
