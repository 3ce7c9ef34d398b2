"""Optiscope: watch optimizers race across 2-D loss landscapes.

A thin page: layout and widgets only.  Math lives in ``optimizers/`` and
``landscapes/``, figures in ``viz/``, the share link in ``state/``, and the
widget and caching glue in ``ui/``.
"""
from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st

from state import export, links, markdown, share
from ui import analysis_tab as analysis_ui
from ui import controls, explanations, process, published, reconnect, runs, teaching, theory_lab
from ui import race_view as race_ui
from viz import static_page

st.set_page_config(page_title="Optiscope", page_icon="📉", layout="wide")
process.freeze_long_lived()
reconnect.rerun_on_reconnect()   # after a server restart the page reruns from its link as it reconnects
race_ui.preload()                 # plotly.js starts loading now, not when the race is reached
PRESENTER_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] { display: none; }
.block-container, [data-testid="stMainBlockContainer"] { padding: 0.5rem 1rem; max-width: 100%; }
</style>"""

if "link_warnings" not in st.session_state:
    state_from_link, st.session_state["link_warnings"] = share.decode(st.query_params.to_dict())
    controls.load_state(state_from_link)

if st.session_state.get(share.PRESENT.name):
    st.html(PRESENTER_CSS)        # before the sidebar is drawn (it holds the switch), so it never shows
controls.keep_settings()
state = controls.current_state()          # the widget keys' values: the sidebar showing them is drawn after the race
colors = runs.colors(state)
race_state, tuned_lrs = analysis_ui.fair_race(state)     # tuned learning rates when the fair race is on
trajs = runs.trajectories(race_state)
state = controls.settle_inspector(state, trajs)          # the last change to the state: the link comes next
st.query_params.from_dict(share.encode(state))

land = runs.landscape(state.surface, runs.surface_items(state))
surface_items = runs.surface_items(state)
fig_runs = runs.figure_runs(race_state, trajs, colors)


def race_view() -> None:
    """The race panels, with a caption saying how to use them."""
    if not fig_runs:
        st.info("Choose at least one optimizer in the sidebar.")
        return
    for alert in runs.divergence_alerts(fig_runs):
        st.error(alert)
    race_ui.race(runs.surface_payload(state.surface, surface_items), runs.page_runs_payload(race_state),
                 key=controls.RACE_KEY, on_start=controls.on_race_click)


if state.present:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**{land.title}**")
        st.button("Leave presenter mode", key="present_exit", on_click=controls.leave_presenter, type="tertiary")
    for warning in st.session_state["link_warnings"]:
        st.warning(warning, icon="⚠️")
    race_view()
    controls.sidebar()            # hidden, but drawn, so its widgets keep their values
    st.stop()

st.title("Optiscope")
st.caption("Pick a loss surface and some optimizers, press ▶ Play, and watch how each one finds its way down.")
for warning in st.session_state["link_warnings"]:
    st.warning(warning, icon="⚠️")

race_tab, lessons_tab, inspector_tab, analysis_tab, explain_tab, share_tab = st.tabs(
    [teaching.RACE_TAB, teaching.LESSONS_TAB, controls.INSPECTOR_TAB, controls.ANALYSIS_TAB, "Explanations",
     "Share & export"], key="tab", on_change="rerun")      # only the open tab's content runs

if race_tab.open is not False:
    with race_tab:
        teaching.lesson_banner(state)
        st.markdown(f"**{land.title}** — {land.description}")
        analysis_ui.fair_note(state, tuned_lrs)
        race_view()
controls.sidebar()                # after the race, so a change's new paths leave the server first
if race_tab.open is not False and fig_runs:
    with race_tab:
        st.caption("Click anywhere on a panel to start every optimizer from there. With the race focused: "
                   "Space plays or pauses, ← and → step, Home and End jump to the start or the end.")
        for line in runs.marker_legend(trajs):
            st.caption(line)
        grid = runs.contour(state.surface, surface_items)
        teaching.view3d(land, grid, fig_runs)
        charts = runs.charts(race_state)
        left, right = st.columns(2)
        with left:
            race_ui.figure(charts.loss, key="loss_chart")
        with right:
            race_ui.figure(charts.distance, key="distance_chart")
        for k in range(0, len(charts.series), 2):        # what an entry declares, e.g. Prodigy's d
            for column, (title, fig) in zip(st.columns(2), charts.series[k:k + 2], strict=False):
                with column:
                    race_ui.figure(fig, key=f"series_chart_{title}")
        st.markdown(runs.summary(race_state), unsafe_allow_html=True)
        st.caption(f"{runs.SUMMARY_NOTE} Learning rates start from values suggested for this surface; every one "
                   "can be changed in the sidebar.")

if lessons_tab.open is not False:
    with lessons_tab:
        teaching.lessons_tab(state)
        theory_lab.render(state)

if state.optimizers and inspector_tab.open is not False:
    with inspector_tab:
        teaching.inspector_tab(race_state, land, trajs, colors)
if state.optimizers and analysis_tab.open is not False:
    with analysis_tab:
        analysis_ui.render(race_state, land, colors)

if explain_tab.open is not False:
    with explain_tab:
        explanations.render(state, land)

if share_tab.open is not False:
    with share_tab:
        st.subheader("Share this view")
        st.markdown("The address bar always holds the full state of the page. Copy this link (the button at its "
                    "right) and anyone who opens it sees exactly these figures.")
        base = (st.context.url or "").split("?")[0]
        st.code(f"{base}?{urlencode(share.encode(state), safe=',')}", language=None, wrap_lines=True)
        st.markdown("**Presenter link**: the same view with no sidebar, large type and a step counter, playing "
                    "as it opens (add `trails=20` for fading trails).")
        presenting = replace(state, present=True)
        st.code(f"{base}?{urlencode(share.encode(presenting), safe=',')}", language=None, wrap_lines=True)
        if fig_runs:
            st.subheader("Published page")
            st.markdown("One HTML file holding this race with its controls, the charts, the summary table and the "
                        "lesson's text: it plays in any browser with no server and no network, so it can go on a "
                        "course page, into an LMS or on a slide (add `?embed` to its address to show the race alone, "
                        "fitted to its frame). `python publish.py OUT` writes a site of every lesson.")
            live = st.text_input("Live app address", value=base, key="publish_base_url",
                                 help="The page links the same view in the app at this address; leave it empty "
                                      "for no link.")
            if live.strip():
                try:
                    links.live_link(live, state)          # checked here, so the download cannot fail on it
                except ValueError as err:
                    st.error(markdown.plain(f"{err} Until then the page has no link to the live app."))
                    live = ""
            embed = st.checkbox("Race only (for an iframe on a slide)", key="publish_embed")
            st.download_button("Published page (HTML)",
                               lambda: static_page.page_html(published.content(state, race_state, trajs,
                                                                               live_url=live), embed=embed),
                               f"optiscope_{state.lesson or state.surface}.html", "text/html", type="primary")
            st.subheader("Export")
            c1, c2 = st.columns(2)
            c1.download_button("Trajectories (CSV)", lambda: export.to_csv(trajs), "optiscope_trajectories.csv",
                               "text/csv", width="stretch")
            c2.download_button("Trajectories (JSON)", lambda: export.to_json(race_state, trajs),
                               "optiscope_trajectories.json", "application/json", width="stretch")
            teaching.slides_button(land, runs.contour(state.surface, surface_items), fig_runs)
