"""The "Claims, checked" panel: common statements about optimizers, each with its measured verdict.

The data live in :mod:`state.claims`; a claim about behaviour gets a button that applies its lesson
(the same path as every lesson: ``share.decode`` of its query, then ``controls.load_state``), the
lesson's link, and how far each statement behind its why holds (:mod:`ui.checks`).
"""
from __future__ import annotations

import streamlit as st

from state import claims, lessons, links
from ui import checks, teaching

BADGE = {"true": ":green-badge[true]", "false": ":red-badge[false]", "depends": ":orange-badge[depends]"}


def render(link_base: str) -> checks.Pending:
    """One bordered card per claim: verdict, claim, why, its lesson where it is about behaviour (linked on the
    page's address ``link_base``), and a placeholder for each statement behind the why (returned, for
    :func:`ui.checks.fill` once the tab is drawn)."""
    st.subheader("Claims, checked")
    st.markdown("Statements that tutorials often repeat, each with its verdict and why. Where a claim is about "
                "how an optimizer behaves, a lesson shows it, a test in `tests/test_claims.py` computes the "
                "verdict with the same code that draws the figures, and each statement behind the why is checked "
                "over a neighbourhood of settings, with the share of sampled runs where it holds.")
    pending: checks.Pending = []
    for claim in teaching.card_grid(claims.CLAIMS):
        st.markdown(f"{BADGE[claim.verdict]} **“{claim.claim}”**")
        st.markdown(claim.why)
        if claim.lesson:
            lesson = lessons.get(claim.lesson)
            with st.container(horizontal=True, vertical_alignment="center"):
                st.button("Show me", key=f"claim_{claim.key}", on_click=teaching.apply_lesson,
                          args=(lesson.key,), help=f"Apply the lesson “{lesson.title}”")
                st.markdown(f"Lesson: [{lesson.title}]({links.link(link_base, lesson.query)})")
        pending += checks.slots(claim.checks, f"claim_{claim.key}")
    return pending
