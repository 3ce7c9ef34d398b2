"""The Explanations tab: the surface's formula, each chosen optimizer's intuition, equations, strengths and
weaknesses with how far each statement about its behaviour holds, all optimizers at a glance, and the claims.

Drawn only while the tab is open.  The text goes out first; the checks (:mod:`ui.checks`) fill in after.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

import optimizers
from landscapes.base import Landscape
from optimizers import behaviour
from optimizers.schedules import SCHEDULE_LATEX
from state import share
from ui import checks
from ui import claims as claims_ui

NETWORK = ("In network mode θ is the vector of all the network's weights, f(θ) its mean cross-entropy on the "
           "training points, and g its gradient over the step's mini-batch (backpropagation). Every rule below is "
           "the same rule as on a surface, applied to all the weights at once.")


def render(state: share.AppState, land: Landscape | None, link_base: str) -> None:
    """Draw the tab: the surface's formula (``land``; ``None`` in network mode, which says what θ is), sections for
    the chosen optimizers, the table of all of them, then the claims (their lessons linked on the page's address
    ``link_base``)."""
    if land is None:
        st.markdown(f"**{share.network_of(state).title}**. {NETWORK}")
    else:
        st.latex(land.latex)
    pending: checks.Pending = []
    for name in state.optimizers:
        opt = optimizers.get(name)
        st.subheader(opt.title_in(state.is_network))
        st.markdown(opt.text.intuition)
        if state.is_network and opt.text.network:
            st.markdown(opt.text.network)
        for line in opt.maths.equations:
            st.latex(line)
        schedule = state.hyper[name]["schedule"]
        if schedule != "constant":
            st.latex(SCHEDULE_LATEX[schedule] + r"\quad(\gamma_t \text{ replaces } \gamma)")
        st.caption(f"Symbols: ${opt.maths.symbols}$. Reference: {opt.text.reference}")
        st.markdown(f"**Strengths:** {opt.text.pros}  \n**Weaknesses:** {opt.text.cons}")
        about = behaviour.about(name)
        if about:
            st.markdown("**Is that always true?** Each statement above about how it behaves, checked over a "
                        "neighbourhood of settings:")
            pending += checks.slots(about, f"explain_{name}")
    st.subheader("All optimizers at a glance")
    st.table(pd.DataFrame([{"optimizer": o.title, "strengths": o.text.pros, "weaknesses": o.text.cons,
                            "use it for": o.text.when}
                           for o in optimizers.OPTIMIZERS.values()]).set_index("optimizer"))
    st.caption("Choose an optimizer in the sidebar to see how far each statement in its row holds.")
    pending += claims_ui.render(link_base)
    checks.fill(pending)
