"""Optiscope: watch optimizers race across 2-D loss landscapes.

A thin page: layout and widgets only.  Math lives in ``optimizers/`` and
``landscapes/``, figures in ``viz/``, the share link in ``state/``, and the
widget and caching glue in ``ui/``.
"""
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

import optimizers
from optimizers.schedules import SCHEDULE_LATEX
from state import export, share
from ui import analysis as analysis_ui
from ui import claims as claims_ui
from ui import controls, runs, teaching, theory_lab
from viz import figures

st.set_page_config(page_title="Optiscope", page_icon="📉", layout="wide")

if "link_warnings" not in st.session_state:
    state_from_link, st.session_state["link_warnings"] = share.decode(st.query_params.to_dict())
    controls.load_state(state_from_link)

controls.sidebar()
state = controls.current_state()
st.query_params.from_dict(share.encode(state))

st.title("Optiscope")
st.caption("Pick a loss surface and some optimizers, press ▶ Play, and watch how each one finds its way down.")
for warning in st.session_state["link_warnings"]:
    st.warning(warning, icon="⚠️")

land = runs.landscape(state.surface, runs.surface_items(state))
if not state.optimizers:
    st.info("Choose at least one optimizer in the sidebar.")
    st.stop()

colors = runs.colors(state)
race_state, tuned_lrs = analysis_ui.fair_race(state)     # tuned learning rates when the fair race is on
trajs = runs.trajectories(race_state)
fig_runs = runs.figure_runs(race_state, trajs, colors)
grid = runs.contour(state.surface, runs.surface_items(state))
race = runs.race(land, grid, fig_runs, state.layout)
race_tab, lessons_tab, inspector_tab, analysis_tab, explain_tab, share_tab = st.tabs(
    [teaching.RACE_TAB, teaching.LESSONS_TAB, controls.INSPECTOR_TAB, controls.ANALYSIS_TAB, "Explanations",
     "Share & export"], key="tab", on_change="rerun")

with race_tab:
    teaching.lesson_banner(state)
    st.markdown(f"**{land.title}** — {land.description}")
    for run in fig_runs:
        if run.diverged_at >= 0:
            st.error(f"{run.label} diverged at step {run.diverged_at}: its path stops at its last finite point.")
    analysis_ui.fair_note(state, tuned_lrs)
    st.plotly_chart(race, width="stretch", key="race_chart", on_select=controls.on_race_click,
                    selection_mode="points")
    st.caption("Click anywhere on a panel to start every optimizer from there.")
    teaching.view3d(land, grid, fig_runs)
    left, right = st.columns(2)
    left.plotly_chart(figures.loss_figure(fig_runs, runs.reference_loss(land, fig_runs)), width="stretch",
                      key="loss_chart")
    right.plotly_chart(figures.distance_figure(fig_runs, land.minima), width="stretch", key="distance_chart")
    scientific = st.column_config.NumberColumn(format="%.4g")
    st.dataframe(pd.DataFrame(runs.summary_rows(race_state, trajs)), hide_index=True, width="stretch",
                 column_config={"final loss": scientific, "loss gap f − f*": scientific,
                                "distance to nearest minimum": scientific})
    st.caption("f* is the lowest loss among the surface's known minima. A minimum counts as reached when the "
               "final point is within 1% of the plot's diagonal from it. Learning rates start from values "
               "suggested for this surface; every one can be changed in the sidebar.")

with lessons_tab:
    teaching.lessons_tab(state)
    theory_lab.render(state, lessons_tab.open)

with inspector_tab:
    teaching.inspector_tab(race_state, land, trajs, colors, inspector_tab.open)

with analysis_tab:
    analysis_ui.render(race_state, land, colors, analysis_tab.open)

with explain_tab:
    st.latex(land.latex)
    for name in state.optimizers:
        opt = optimizers.get(name)
        st.subheader(opt.title)
        st.markdown(opt.intuition)
        for line in opt.equations:
            st.latex(line)
        schedule = state.hyper[name]["schedule"]
        if schedule != "constant":
            st.latex(SCHEDULE_LATEX[schedule] + r"\quad(\gamma_t \text{ replaces } \gamma)")
        st.caption(f"Symbols: ${opt.symbols}$. Reference: {opt.reference}")
    st.subheader("All optimizers at a glance")
    st.table(pd.DataFrame([{"optimizer": o.title, "strengths": o.pros, "weaknesses": o.cons,
                            "use it for": o.when} for o in optimizers.OPTIMIZERS.values()]).set_index("optimizer"))
    claims_ui.render()

with share_tab:
    st.subheader("Share this view")
    st.markdown("The address bar always holds the full state of the page. Copy this link (the button at its "
                "right) and anyone who opens it sees exactly these figures.")
    base = (st.context.url or "").split("?")[0]
    query = urlencode(share.encode(state), safe=",")
    st.code(f"{base}?{query}", language=None, wrap_lines=True)
    st.subheader("Export")
    c1, c2, c3 = st.columns(3)
    c1.download_button("Trajectories (CSV)", lambda: export.to_csv(trajs), "optiscope_trajectories.csv",
                       "text/csv", width="stretch")
    c2.download_button("Trajectories (JSON)", lambda: export.to_json(race_state, trajs), "optiscope_trajectories.json",
                       "application/json", width="stretch")
    c3.download_button("Animation (HTML, plays offline)", lambda: figures.standalone_html(race),
                       "optiscope_animation.html", "text/html", width="stretch")
    teaching.slides_button(land, grid, fig_runs)
