"""Optiscope: watch optimizers race across 2-D loss landscapes.

A thin page: layout only.  The state, the race and the link are built by ``ui.page.build``; each tab draws
itself from what it returns (``ui/``); the maths lives in ``optimizers/`` and ``landscapes/``, the figures in
``viz/``, the share link in ``state/``.  ARCHITECTURE.md has the flow of one rerun.
"""
import streamlit as st

from ui import (
    analysis_tab,
    controls,
    explanations,
    network_tab,
    page,
    presenter,
    process,
    race_tab,
    reconnect,
    share_tab,
    teaching,
    theory_lab,
)
from ui import race_view as race_ui

st.set_page_config(page_title="Optiscope", page_icon="📉", layout="wide")
process.freeze_long_lived()
reconnect.rerun_on_reconnect()   # after a server restart the page reruns from its link as it reconnects
race_ui.preload()                 # plotly.js starts loading now, not when the race is reached
view = page.build()               # the state, its race and its link: nothing after this changes them

if view.state.present:
    presenter.render(view)
    st.stop()

st.title("Optiscope")
st.caption("Pick a loss surface, or a small network to train, and some optimizers, press ▶ Play, and watch how each "
           "one finds its way down.")
page.show_warnings(view)

race, lessons, inspector, analysis, explain, share = st.tabs(
    [teaching.RACE_TAB, teaching.LESSONS_TAB, controls.INSPECTOR_TAB, controls.ANALYSIS_TAB, "Explanations",
     "Share & export"], key="tab", on_change="rerun")      # only the open tab's content runs

if race.open is not False:
    with race:
        race_tab.top(view)
controls.sidebar()                # after the race, so a change's new paths leave the server first
if race.open is not False:
    with race:
        race_tab.details(view)

if lessons.open is not False:
    with lessons:
        teaching.lessons_tab(view.state, view.link_base)
        theory_lab.render(view.state)

if view.land is None and inspector.open is not False:          # network mode: what these 2-D tabs would need
    with inspector:
        network_tab.not_here(controls.INSPECTOR_TAB)
if view.land is None and analysis.open is not False:
    with analysis:
        network_tab.not_here(controls.ANALYSIS_TAB)
if view.land is not None and view.state.optimizers and inspector.open is not False:
    with inspector:
        teaching.inspector_tab(view.race_state, view.land, view.trajs, view.colors)
if view.land is not None and view.state.optimizers and analysis.open is not False:
    with analysis:
        analysis_tab.render(view.race_state, view.land, view.colors)

if explain.open is not False:
    with explain:
        explanations.render(view.state, view.land, view.link_base)

if share.open is not False:
    with share:
        share_tab.render(view)
