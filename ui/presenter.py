"""Presenter mode (``present=1`` in a link, or the sidebar switch): the race alone, large, with no settings."""
from __future__ import annotations

import streamlit as st

from ui import controls, race_tab
from ui.page import Page, show_warnings

CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] { display: none; }
.block-container, [data-testid="stMainBlockContainer"] { padding: 0.5rem 1rem; max-width: 100%; }
</style>"""


def render(page: Page) -> None:
    """The surface's (or network's) title, a way out, the race, and the sidebar drawn hidden (so its widgets keep
    their values).  The style goes first, before the sidebar is drawn, so the sidebar never shows."""
    st.html(CSS)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**{page.subject.title}**")
        st.button("Leave presenter mode", key="present_exit", on_click=controls.leave_presenter, type="tertiary")
    show_warnings(page)
    race_tab.race(page)
    controls.sidebar()
