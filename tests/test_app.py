"""The page under streamlit.testing.v1.AppTest: main flows, share links and broken links."""
from __future__ import annotations

import base64
import html
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import landscapes
from state import share
from tests.apptest_page import open_app, open_settings, open_tab, race_spec

pytestmark = pytest.mark.app


def panels(spec: dict) -> int:
    runs = spec["runs"]
    return len(runs["runs"]) if runs["layout"] == "side" else 1


def warnings_text(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning)


def test_default_view():
    at = open_app()
    assert not at.exception
    assert at.selectbox(key="surface").value == "ravine"
    assert at.multiselect(key="opt").value == ["gd", "momentum", "rmsprop", "adam"]
    spec = race_spec(at)
    assert panels(spec) == 4
    assert spec["runs"]["revision"] and spec["surface"]["bounds"] == [list(b) for b in landscapes.get("ravine").bounds]
    assert [len(base64.b64decode(r["x"])) for r in spec["runs"]["runs"]] == [4 * 201] * 4   # float32, steps + 1
    assert not at.warning
    assert at.query_params["opt"] in (["gd,momentum,rmsprop,adam"], "gd,momentum,rmsprop,adam")


def test_change_surface_brings_its_suggested_learning_rates():
    at = open_app()
    at.selectbox(key="surface").select("rosenbrock").run()
    assert not at.exception
    suggested = landscapes.get("rosenbrock").suggested
    assert at.session_state["hp.adam.lr"] == suggested["adam"]["lr"]
    assert at.session_state["hp.gd.lr"] == suggested["gd"]["lr"]
    assert (at.session_state["start_x"], at.session_state["start_y"]) == tuple(landscapes.get("rosenbrock").start)


def test_add_and_remove_optimizers():
    at = open_app()
    at.multiselect(key="opt").select("nag").run()
    assert not at.exception
    assert panels(race_spec(at)) == 5
    at.multiselect(key="opt").unselect("gd").unselect("momentum").run()
    assert not at.exception
    assert panels(race_spec(at)) == 3
    assert [e.label for e in at.sidebar.expander] == ["RMSprop", "Adam", "Nesterov accelerated gradient"]


def test_a_newly_chosen_optimizer_has_its_settings_in_the_widgets_and_the_link_of_that_rerun():
    """Its settings are filled in before the link is written (ui.page.build), with the values a link naming it
    decodes to, not later by the sidebar."""
    at = open_app()
    at.multiselect(key="opt").select("nag").run()
    assert not at.exception
    decoded, _ = share.decode({"opt": "gd,momentum,rmsprop,adam,nag"})
    link = {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    for name, value in decoded.hyper["nag"].items():
        assert at.session_state[f"hp.nag.{name}"] == value
        if f"nag.{name}" in link:
            assert link[f"nag.{name}"] == share.format_value(value)
    assert link["nag.lr"] == share.format_value(decoded.hyper["nag"]["lr"])


def test_overlay_layout_draws_one_panel():
    at = open_app()
    at.radio(key="layout").set_value("overlay").run()
    assert not at.exception
    assert panels(race_spec(at)) == 1


def test_changing_a_hyperparameter_changes_only_that_run():
    at = open_app()
    before = race_spec(at)
    open_settings(at, "adam")
    at.select_slider(key="hp.adam.lr").set_value(0.1).run()
    assert not at.exception
    after = race_spec(at)
    assert at.session_state["hp.adam.lr"] == 0.1
    assert after["surface"] == before["surface"]                            # the contour is not rebuilt
    assert after["runs"]["runs"][:-1] == before["runs"]["runs"][:-1]        # gd, momentum and rmsprop unchanged
    assert after["runs"]["runs"][-1]["x"] != before["runs"]["runs"][-1]["x"]   # adam's path moved
    assert after["runs"]["revision"] != before["runs"]["revision"]


def test_closed_optimizer_settings_draw_no_widget_and_keep_their_values():
    at = open_app({"opt": "gd,adam", "adam.lr": "0.05"})
    with pytest.raises(KeyError):                                           # closed: not drawn
        at.select_slider(key="hp.adam.lr")
    open_settings(at, "adam")
    at.select_slider(key="hp.adam.lr").set_value(0.1).run()
    at.session_state["open.adam"] = False
    at.run()
    assert not at.exception
    assert at.session_state["hp.adam.lr"] == 0.1 and at.query_params["adam.lr"] in (["0.1"], "0.1")
    assert "(lr=0.1)" in race_spec(at)["runs"]["runs"][1]["title"]
    assert open_settings(at, "adam").select_slider(key="hp.adam.lr").value == 0.1


def test_share_link_loads_its_state():
    at = open_app({"surface": "himmelblau", "opt": "adam,nag", "adam.lr": "0.05", "nag.momentum": "0.8",
                   "start": "1,-1", "steps": "120", "seed": "3", "layout": "overlay"})
    assert not at.exception
    assert not at.warning
    assert at.selectbox(key="surface").value == "himmelblau"
    assert at.multiselect(key="opt").value == ["adam", "nag"]
    assert at.session_state["hp.adam.lr"] == 0.05
    assert at.session_state["hp.nag.momentum"] == 0.8
    assert (at.session_state["start_x"], at.session_state["start_y"]) == (1.0, -1.0)
    assert at.session_state["steps"] == 120 and at.session_state["seed"] == 3
    assert panels(race_spec(at)) == 1


def test_broken_share_link_falls_back_with_named_warnings():
    at = open_app({"surface": "ravine", "opt": "adam,warp", "adam.lr": "abc", "steps": "-5", "bogus": "1",
                   "start": "x,y"})
    assert not at.exception
    text = warnings_text(at)
    for culprit in ("'warp'", "adam.lr=abc", "steps=-5", "'bogus'", "start=x,y"):
        assert culprit in text
    assert at.multiselect(key="opt").value == ["adam"]
    assert at.session_state["hp.adam.lr"] == landscapes.get("ravine").suggested["adam"]["lr"]
    assert panels(race_spec(at)) == 1


def test_unknown_surface_link_falls_back_to_the_ravine():
    at = open_app({"surface": "moon"})
    assert not at.exception
    assert "'moon'" in warnings_text(at)
    assert at.selectbox(key="surface").value == "ravine"


def test_divergent_run_is_marked_and_nothing_non_finite_is_plotted():
    at = open_app({"surface": "rosenbrock", "opt": "gd", "gd.lr": "0.1"})
    assert not at.exception
    assert any("diverged at step" in e.value for e in at.error)
    spec = race_spec(at)
    text = json.dumps(spec)
    assert "NaN" not in text and "Infinity" not in text
    assert "diverged at step" in text


def test_no_optimizer_selected_shows_a_hint():
    at = open_app()
    at.multiselect(key="opt").set_value([]).run()
    assert not at.exception
    assert any("at least one optimizer" in i.value for i in at.info)


def test_explanations_show_equations_for_each_chosen_optimizer():
    at = open_app({"opt": "adam,newton"})
    assert not at.latex                                             # only the open tab (Race) renders
    open_tab(at, "Explanations")
    assert not at.exception
    latex = [m.value for m in at.latex]
    assert any(r"\beta_1 m_{t-1}" in line for line in latex)       # Adam's first moment
    assert any(r"H_t^{-1} g_t" in line for line in latex)          # Newton's step
    assert [s.value for s in at.subheader][:2] == ["Adam", "Newton's method"]


def test_presenter_link_shows_only_the_race_and_can_be_left():
    at = open_app({"opt": "gd,adam", "present": "1", "trails": "20"})
    assert not at.exception and not at.warning
    assert not at.tabs                                                 # no tabs, no settings on show
    runs = race_spec(at)["runs"]
    assert runs["present"] is True and runs["trails"] == 20
    assert at.query_params["present"] in (["true"], "true")
    at.button(key="present_exit").click().run()
    assert not race_spec(at)["runs"]["present"] and "present" not in at.query_params
    assert [t.label for t in at.tabs][0] == "Race"


def test_the_link_carries_the_inspected_step_as_settled_before_it_is_written():
    # gd with lr=0.1 diverges on Rosenbrock at step 2: step 40 of it cannot be inspected
    at = open_app({"surface": "rosenbrock", "opt": "adam,gd", "gd.lr": "0.1", "inspect": "gd", "inspect_step": "40"})
    assert not at.exception
    assert at.session_state["tab"] == "Inspector"
    last = at.number_input(key="inspect_step").value
    assert last < 40
    assert at.query_params["inspect_step"] in ([str(last)], str(last))   # the link says what the page shows
    at.multiselect(key="opt").unselect("gd").run()
    assert at.selectbox(key="inspect").value == "adam"
    assert at.query_params["inspect"] in (["adam"], "adam")


def summary(at: AppTest) -> dict[str, dict[str, str]]:
    """The race's summary table (HTML in a Markdown element) as {optimizer: {column: cell}}."""
    table = next(m.value for m in at.markdown if "<th>optimizer</th>" in m.value)
    head = [html.unescape(c) for c in re.findall(r"<th>(.*?)</th>", table)]
    rows = [[html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table)]
    return {row[0]: dict(zip(head, row, strict=True)) for row in rows if row}


def test_summary_table_agrees_with_the_closed_form_of_gradient_descent():
    # On f = ½ θᵀHθ each eigen-coordinate of gradient descent shrinks by (1 − γλ) per step, so the loss gap
    # after t steps is ½ Σ λ (1 − γλ)^(2t) c², with c the start's coordinates along the eigenvectors: on the
    # ravine (-8, 2.5) along (flat, steep), λ = 1/κ and 1.
    at = open_app({"opt": "gd", "steps": "400", "condition": "100", "tol": "1e-6"})
    row = summary(at)["Gradient descent (lr=1.8)"]
    t = np.arange(401)
    gap = 0.5 * (64 / 100 * (1 - 1.8 / 100) ** (2 * t) + 6.25 * (1 - 1.8) ** (2 * t))
    assert row["steps to gap ≤ 1e-06"] == str(int(np.argmax(gap <= 1e-6)))
    assert float(row["final loss"]) == pytest.approx(gap[-1], rel=1e-3)        # 4 significant digits shown
    assert row["diverged at step"] == "—" and row["minimum reached"] == "(0, 0)"
