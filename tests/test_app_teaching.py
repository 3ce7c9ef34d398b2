"""Teaching mode on the page (AppTest): lessons, the step inspector's controls, the 3D toggle, the GIF button."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

import optimizers
from optimizers import behaviour, validity
from optimizers.lines import vec
from state import claims, lessons, share
from tests.apptest_page import open_app, open_settings, open_tab
from ui import checks

pytestmark = pytest.mark.app


def latex(at: AppTest) -> str:
    return "\n".join(m.value for m in at.latex)


def point_text(query: dict[str, str], name: str, t: int) -> str:
    """θ_t of optimizer ``name`` in the link's run, as the inspector writes it."""
    state, _ = share.decode(query)
    tr = optimizers.simulate(share.landscape_of(state), name, share.start_of(state), state.steps, seed=state.seed,
                             **state.hyper[name])
    return vec(tr.points[t, 0])


def query_value(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


INSPECT = {"opt": "gd,adam", "inspect": "adam", "inspect_step": "3"}


def test_inspector_link_opens_the_tab_on_that_step_with_the_runs_numbers():
    at = open_app(INSPECT)
    assert not at.exception and not at.warning
    assert at.session_state["tab"] == "Inspector"
    assert at.selectbox(key="inspect").value == "adam"
    assert at.number_input(key="inspect_step").value == 3
    assert f"= {point_text(INSPECT, 'adam', 3)}" in latex(at)        # θ_3 of the simulated run
    assert at.get("plotly_chart")[0] is not None


def test_next_previous_and_jump_move_the_step_and_the_link():
    at = open_app(INSPECT)
    at.button(key="inspect_next").click().run()
    assert not at.exception
    assert at.session_state["inspect_step"] == 4
    assert f"= {point_text(INSPECT, 'adam', 4)}" in latex(at)
    assert query_value(at, "inspect_step") == "4"
    at.button(key="inspect_prev").click().run()
    at.button(key="inspect_prev").click().run()
    assert at.session_state["inspect_step"] == 2
    at.number_input(key="inspect_step").set_value(57).run()
    assert not at.exception
    assert f"= {point_text(INSPECT, 'adam', 57)}" in latex(at)


def test_inspector_switches_optimizer_and_stays_within_the_run():
    at = open_app({"opt": "gd,momentum", "inspect": "gd", "inspect_step": "150", "steps": "100"})
    assert not at.exception
    assert at.session_state["inspect_step"] == 100                     # clamped to the run's length
    assert at.button(key="inspect_next").disabled
    at.selectbox(key="inspect").set_value("momentum").run()
    assert not at.exception
    assert r"b_t &= \mu\, b_{t-1} + g_t" in latex(at)                  # the heavy ball's equations now


def test_inspector_stops_at_the_step_where_a_run_diverged():
    at = open_app({"surface": "rosenbrock", "opt": "gd", "gd.lr": "0.1", "inspect": "gd", "inspect_step": "50"})
    assert not at.exception
    state, _ = share.decode({"surface": "rosenbrock", "opt": "gd", "gd.lr": "0.1"})
    tr = optimizers.simulate(share.landscape_of(state), "gd", share.start_of(state), state.steps, lr=0.1)
    assert at.session_state["inspect_step"] == int(tr.diverged_at[0])
    assert any("diverged" in c.value for c in at.caption)


def test_applying_a_lesson_loads_its_settings_and_shows_its_text():
    at = open_tab(open_app(), "Lessons")
    at.button(key="lesson_zigzag").click().run()
    assert not at.exception
    state, _ = share.decode(lessons.get("zigzag").query)
    assert at.session_state["surface"] == state.surface
    assert at.multiselect(key="opt").value == list(state.optimizers)
    assert at.session_state["hp.momentum.momentum"] == state.hyper["momentum"]["momentum"]
    assert at.session_state["lesson"] == "zigzag" and at.session_state["tab"] == "Race"
    assert any(lessons.get("zigzag").title in i.value for i in at.info)
    assert query_value(at, "lesson") == "zigzag"
    assert not [b for b in at.button if b.key == "lesson_restart"]


def test_a_changed_lesson_offers_a_restart_and_can_be_closed():
    at = open_app(lessons.get("nesterov").query)
    assert not at.exception and not at.warning
    open_settings(at, "nag")
    at.select_slider(key="hp.nag.lr").set_value(0.1).run()
    assert any(b.key == "lesson_restart" for b in at.button)
    at.button(key="lesson_restart").click().run()
    assert at.session_state["hp.nag.lr"] == 0.5
    at.button(key="lesson_close").click().run()
    assert at.session_state["lesson"] == "" and not at.info
    assert query_value(at, "lesson") is None


@pytest.mark.parametrize("lesson", lessons.LESSONS, ids=lambda lesson: lesson.key)
def test_every_lesson_link_opens_cleanly(lesson):
    at = open_app(lesson.query)
    assert not at.exception and not at.warning
    if lesson.key in ("lr_edge", "momentum_stability"):                 # the lesson's point: one run diverges
        assert len(at.error) == 1 and "diverged at step" in at.error[0].value
    else:
        assert not at.error
    assert at.session_state["lesson"] == lesson.key


def test_3d_toggle_adds_a_synchronised_surface_figure_and_goes_into_the_link():
    at = open_app({"opt": "gd,adam"})
    at.toggle(key="view3d").set_value(True).run()
    assert not at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    surfaces = [s for s in specs if any(t["type"] == "surface" for t in s["data"])]
    assert len(surfaces) == 1
    race = specs[0]
    assert [f["name"] for f in surfaces[0]["frames"]] == [f["name"] for f in race["frames"]]
    assert query_value(at, "view3d") == "true"


def test_slides_button_is_offered():
    at = open_tab(open_app(), "Share & export")
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("GIF" in label for label in labels)


def test_share_tab_offers_the_published_page_and_explains_a_bad_app_address():
    at = open_tab(open_app(lessons.get("zigzag").query), "Share & export")
    labels = [b.proto.label for b in at.get("download_button")]
    assert [label for label in labels if "HTML" in label] == ["Published page (HTML)"]    # the one HTML export
    assert at.text_input(key="publish_base_url").value == ""      # AppTest has no page address: no link
    assert not at.error
    at.text_input(key="publish_base_url").set_value("optiscope.example.org").run()
    shown = [e.value.replace("\\", "") for e in at.error]        # the message is escaped for Markdown
    assert any("Invalid app address 'optiscope.example.org'" in text and "no link to the live app" in text
               for text in shown)
    at.text_input(key="publish_base_url").set_value("https://optiscope.example.org/").run()
    assert not at.error and not at.exception


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_lessons_tab_shows_how_far_each_statement_holds_with_the_computed_share():
    at = open_tab(open_app(), "Lessons")
    assert not at.exception
    shown = captions(at)
    for lesson in lessons.LESSONS:
        for statement in lesson.checks:
            result = validity.study(statement)
            assert checks.line(statement, result) in shown, (lesson.key, statement.key)
            assert validity.describe(result, statement.share) in checks.line(statement, result)
    assert not any("Checking how far" in text for text in shown)          # every placeholder was filled
    maps = {s.key for le in lessons.LESSONS for s in le.checks if s.picture is not None}
    drawn = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert sum(any(t.get("name") == "holds" for t in spec["data"]) for spec in drawn) >= len(maps) > 0


def test_explanations_check_the_chosen_optimizers_statements_and_the_claims():
    at = open_tab(open_app({"opt": "nag,amsgrad"}), "Explanations")
    assert not at.exception
    shown = captions(at)
    for statement in behaviour.about("nag") + behaviour.about("amsgrad"):
        assert checks.line(statement, validity.study(statement)) in shown, statement.key
    in_claims = {s.key for claim in claims.CLAIMS for s in claim.checks}
    unchosen = [s for s in behaviour.about("adam") if s.key not in in_claims]
    assert unchosen and not [s for s in unchosen if checks.line(s, validity.study(s)) in shown]      # not chosen
    for claim in claims.CLAIMS:
        for statement in claim.checks:
            assert checks.line(statement, validity.study(statement)) in shown, (claim.key, statement.key)
    text = "\n".join(m.value for m in at.markdown)
    assert optimizers.get("amsgrad").text.intuition in text and optimizers.get("nag").text.cons in text


def test_inspector_has_no_step_to_show_for_a_start_that_is_already_out_of_bounds():
    """A start beyond the far box is marked diverged at step 0 and never moves: there is no step to inspect
    (the inspector used to offer the frozen run's steps as if they had been taken)."""
    query = {"opt": "gd", "start": "1000,1000", "inspect": "gd", "inspect_step": "3"}
    state, _ = share.decode(query)
    tr = optimizers.simulate(share.landscape_of(state), "gd", share.start_of(state), state.steps, **state.hyper["gd"])
    assert tr.diverged_at[0] == 0
    at = open_app(query)
    assert not at.exception
    assert any("no steps to inspect" in i.value for i in at.info)
    assert not [n for n in at.number_input if n.key == "inspect_step"]


@pytest.mark.parametrize(("name", "recomputed"), [("gd", True), ("bfgs", False)])
def test_inspector_says_recomputed_only_where_the_lines_are(name, recomputed):
    """Generic entries show the rule's own values (and say so); only an entry's own explainer recomputes them."""
    at = open_app({"opt": name, "inspect": name, "inspect_step": "2"})
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert ("Every line is recomputed" in captions) == recomputed
    assert ("the update rule's own intermediate results" in captions) == (not recomputed)
