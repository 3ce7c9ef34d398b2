"""Beside each statement about behaviour: how much of its neighbourhood it holds for, and a map where one helps.

The studies run in :mod:`optimizers.validity` on first use and are kept for the life of the process.  A tab
first draws its text with one placeholder per statement (:func:`slots`), then fills them in as each study
finishes (:func:`fill`), so the page can be read while the numbers come in; only an open tab runs this.
"""
from __future__ import annotations

from collections.abc import Iterable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from optimizers import validity
from optimizers.validity import Statement
from viz.validity import holds_map

Pending = list[tuple[Statement, str, DeltaGenerator]]
MAP_NOTE = ("Each dot is one sampled run over a wider range than the statement claims: green where it holds, red "
            "where it does not. Dashed: where the statement is meant to hold.")


def slots(statements: Iterable[Statement], where: str) -> Pending:
    """A placeholder for each statement, at this point of the page; ``where`` keeps element keys unique."""
    pending = []
    for statement in statements:
        slot = st.empty()
        slot.caption(f"⏳ Checking how far this holds: {statement.says.format(share='…')}")
        pending.append((statement, where, slot))
    return pending


def line(statement: Statement, result: validity.Study) -> str:
    """The statement and its study in one line of Markdown."""
    mark = "≈" if statement.share else ("✔" if result.fraction >= validity.BAR else "✘")
    return f"{mark} **{statement.words(result)}** — {validity.describe(result, statement.share)}"


def fill(pending: Pending) -> None:
    """Run each placeholder's study (once per process) and draw its line, and its map when it has one."""
    for statement, where, slot in pending:
        result = validity.study(statement)
        picture, spec = validity.picture_study(statement), statement.picture
        with slot.container():
            st.caption(line(statement, result))
            if picture is not None and spec is not None:       # a study has a picture only when its statement asks
                st.plotly_chart(holds_map(picture, spec.x, spec.y, statement.domain, spec.outline), width="stretch",
                                key=f"map_{where}_{statement.key}")
                st.caption(MAP_NOTE)
