"""Beside each statement about behaviour: how much of its neighbourhood it holds for, and a map where one helps.

The studies run in :mod:`optimizers.validity` (network mode's in :mod:`optimizers.network_validity`) on first use
and are kept for the life of the process.  A tab first draws its text with one placeholder per statement
(:func:`slots`), then fills them in as each study finishes (:func:`fill`), so the page can be read while the numbers
come in; only an open tab runs this.
"""
from __future__ import annotations

from collections.abc import Iterable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from optimizers import network_validity, validity
from optimizers.network_validity import NetStatement
from optimizers.validity import Statement
from viz.validity import holds_map

Pending = list[tuple[Statement | NetStatement, str, DeltaGenerator]]
MAP_NOTE = ("Each dot is one sampled run over a wider range than the statement claims: green where it holds, red "
            "where it does not. Dashed: where the statement is meant to hold.")


def slots(statements: Iterable[Statement | NetStatement], where: str) -> Pending:
    """A placeholder for each statement, at this point of the page; ``where`` keeps element keys unique."""
    pending: Pending = []
    for statement in statements:
        slot = st.empty()
        says = statement.says if isinstance(statement, NetStatement) else statement.says.format(share="…")
        slot.caption(f"⏳ Checking how far this holds: {says}")
        pending.append((statement, where, slot))
    return pending


def line(statement: Statement, result: validity.Study) -> str:
    """The statement and its study in one line of Markdown."""
    mark = "≈" if statement.share else ("✔" if result.fraction >= validity.BAR else "✘")
    return f"{mark} **{statement.words(result)}** — {validity.describe(result, statement.share)}"


def network_line(statement: NetStatement, result: network_validity.NetStudy) -> str:
    """A network statement and its study (fresh data sets and initial weights) in one line of Markdown."""
    mark = "✔" if result.fraction >= validity.BAR else "✘"
    return f"{mark} **{statement.says}** — {network_validity.describe(result)}"


def fill(pending: Pending) -> None:
    """Run each placeholder's study (once per process) and draw its line, and its map when it has one."""
    for statement, where, slot in pending:
        if isinstance(statement, NetStatement):
            slot.caption(network_line(statement, network_validity.study(statement)))
            continue
        result = validity.study(statement)
        picture, spec = validity.picture_study(statement), statement.picture
        with slot.container():
            st.caption(line(statement, result))
            if picture is not None and spec is not None:       # a study has a picture only when its statement asks
                st.plotly_chart(holds_map(picture, spec.x, spec.y, statement.domain, spec.outline), width="stretch",
                                key=f"map_{where}_{statement.key}")
                st.caption(MAP_NOTE)
