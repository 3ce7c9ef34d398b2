"""A page that outlives its server session reruns from its link as soon as it reconnects.

Sessions live in one server process's memory.  When that process goes away (a restart, a crash, a replica
replaced behind the balancer), the open pages reconnect by themselves, to a process that never saw them: a new,
empty session.  Streamlit's frontend reruns the page on reconnection only in some cases (there was no earlier
session, a run was under way, the last run was a fragment's, or the page has a fragment that reruns on a
timer); otherwise it keeps the elements it shows and sends nothing until the next interaction.

That next interaction would then be the new session's first run, and it arrives with the browser's widget
values but none of the widgets' metadata, so Streamlit cannot even read those values before each widget is drawn
again (``WStates.__getitem__`` treats them as missing) and runs no ``on_change`` callback.  The page loads its
link on a session's first run, so the change the person just made was overwritten by the link's value, and the
elements already shown (download buttons, media) pointed into the process that was gone.

:func:`rerun_on_reconnect` puts a fragment that reruns on a timer on the page, which is one of the cases in which
the frontend reruns the whole page as it reconnects.  The new session's first run then happens at once, with the
address bar's link (the state the page showed) and the widget values the browser holds (the same values), so the
same race is drawn, and the first change made after the reconnection is an ordinary rerun of a live session.
The timer itself does nothing: an empty fragment run, a few hours apart (under 24.8 days, the longest delay a
browser's ``setInterval`` honours).
"""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

TIMER = timedelta(hours=6)


@st.fragment(run_every=TIMER)
def rerun_on_reconnect() -> None:
    """Call once per run, early (before any ``st.stop``): draws nothing; its timer is what matters."""
