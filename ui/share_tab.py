"""The Share & export tab: the view's link and presenter link, its published page, and its runs as files."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from state import export, links, markdown, share
from ui import published, teaching
from ui.page import Page
from viz import static_page


def render(page: Page) -> None:
    """Draw the tab (only while it is open); every download is made only when asked for."""
    state = page.state
    st.subheader("Share this view")
    st.markdown("The address bar always holds the full state of the page. Copy this link (the button at its "
                "right) and anyone who opens it sees exactly these figures.")
    st.code(links.link(page.link_base, share.encode(state)), language=None, wrap_lines=True)
    st.markdown("**Presenter link**: the same view with no sidebar, large type and a step counter, playing "
                "as it opens (add `trails=20` for fading trails).")
    st.code(links.link(page.link_base, share.encode(replace(state, present=True))), language=None, wrap_lines=True)
    if not page.fig_runs:
        return
    st.subheader("Published page")
    st.markdown("One HTML file holding this race with its controls, the charts, the summary table and the "
                "lesson's text: it plays in any browser with no server and no network, so it can go on a "
                "course page, into an LMS or on a slide (add `?embed` to its address to show the race alone, "
                "fitted to its frame). `python publish.py OUT` writes a site of every lesson.")
    live = st.text_input("Live app address", value=page.link_base, key="publish_base_url",
                         help="The page links the same view in the app at this address; leave it empty "
                              "for no link.")
    if live.strip():
        try:
            links.live_link(live, state)          # checked here, so the download cannot fail on it
        except ValueError as err:
            st.error(markdown.plain(f"{err} Until then the page has no link to the live app."))
            live = ""
    embed = st.checkbox("Race only (for an iframe on a slide)", key="publish_embed")
    network_race = page.network

    def content() -> static_page.PageContent:
        if network_race is not None:
            return published.network_content(state, network_race, live_url=live)
        return published.content(state, page.race_state, page.trajs, live_url=live)

    st.download_button("Published page (HTML)", lambda: static_page.page_html(content(), embed=embed),
                       f"optiscope_{state.lesson or ('network' if state.is_network else state.surface)}.html",
                       "text/html", type="primary")
    st.subheader("Export")
    c1, c2 = st.columns(2)
    c1.download_button("Trajectories (CSV)", lambda: export.to_csv(page.trajs), "optiscope_trajectories.csv",
                       "text/csv", width="stretch")
    c2.download_button("Trajectories (JSON)", lambda: export.to_json(page.race_state, page.trajs),
                       "optiscope_trajectories.json", "application/json", width="stretch")
    if page.land is not None:
        teaching.slides_button(page.land, page.grid, page.fig_runs)
    else:
        st.caption("The animation for slides (GIF) draws a surface. For a network race on a slide, download the "
                   "published page with *Race only* and show it in an iframe.")
