"""Network mode on the page (AppTest): the mode switch, its link, bad links, what is not offered and why, the
tabs, lessons, presenter mode and the Share tab."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from state import network_lessons
from tests.apptest_page import open_app, open_settings, open_tab, race_spec

pytestmark = pytest.mark.app

NETWORK = {"mode": "network"}
# 2 → 16 → 16 → 1: 2·16 + 16 weights and biases into the first layer, 16·16 + 16 into the second, 16 + 1 out.
WIDE = {**NETWORK, "layers": "2", "width": "16"}
WIDE_DIM = 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1


def link(at: AppTest) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


TRUST = "How far to trust this picture"


def link_warnings(at: AppTest) -> list[str]:
    """The page's warnings but the trust sentence (a warning box when the picture is only approximate)."""
    return [w.value for w in at.warning if TRUST not in w.value]


def warnings_text(at: AppTest) -> str:
    return "\n".join(link_warnings(at))


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def weights(run: dict) -> np.ndarray:
    """A run's weights at the boundary keyframes, as the race view receives them (float32)."""
    return np.frombuffer(base64.b64decode(run["boundary"]["w"]), np.float32)


def test_mode_switch_trains_a_network_and_comes_back_to_the_surface_as_it_was():
    at = open_app({"opt": "gd,adam", "surface": "rosenbrock"})
    at.segmented_control(key="mode").set_value("network").run()
    assert not at.exception
    assert link(at)["mode"] == "network"
    assert at.selectbox(key="net.dataset").value == "moons"
    network = race_spec(at)["runs"]["network"]
    assert network["sizes"] == [2, 8, 1] and network["activation"] == "tanh"
    assert "2 → 8 → 1: 33 weights." in captions(at)                       # 2·8 + 8 + 8 + 1
    at.selectbox(key="net.dataset").select("circles").run()
    at.segmented_control(key="mode").set_value("surface").run()
    assert not at.exception
    assert "mode" not in link(at) and "dataset" not in link(at)
    assert at.selectbox(key="surface").value == "rosenbrock"
    assert at.multiselect(key="opt").value == ["gd", "adam"]
    assert "runs" in race_spec(at) and "network" not in race_spec(at)["runs"]
    at.segmented_control(key="mode").set_value("network").run()
    assert at.selectbox(key="net.dataset").value == "circles"              # the network comes back as it was left


def test_a_network_link_round_trips_and_reproduces_the_view_exactly():
    query = {**NETWORK, "dataset": "xor", "noise": "0.2", "points": "120", "width": "6", "activation": "relu",
             "batch_size": "32", "plane": "hessian", "plane_at": "start", "resolution": "40", "target": "0.2",
             "opt": "momentum,adam", "adam.lr": "0.05", "steps": "150", "seed": "4", "layout": "side"}
    at = open_app(query)
    assert not at.exception and not link_warnings(at)
    assert at.selectbox(key="net.dataset").value == "xor" and at.selectbox(key="net.plane").value == "hessian"
    assert at.session_state["net.width"] == 6 and at.session_state["net.batch_size"] == 32
    assert at.session_state["hp.adam.lr"] == 0.05 and at.session_state["steps"] == 150
    written = link(at)
    assert {k: written[k] for k in query} == query
    again = open_app(written)
    assert not link_warnings(again) and link(again) == written
    first, second = race_spec(at), race_spec(again)
    assert first["surface"] == second["surface"] and first["runs"] == second["runs"]
    runs = first["runs"]
    assert runs["layout"] == "side" and [r["title"] for r in runs["runs"]][1].startswith("Adam (lr=0.05)")
    assert len(base64.b64decode(runs["runs"][0]["x"])) == 4 * 151                   # float32, every step


def test_bad_network_link_values_fall_back_with_named_warnings():
    at = open_app({**NETWORK, "dataset": "mnist", "width": "99", "activation": "sigmoid", "plane": "tsne",
                   "steps": "9999", "opt": "adam,warp", "adam.lr": "-1", "start": "1,1", "surface": "himmelblau"})
    assert not at.exception
    text = warnings_text(at)
    for culprit in ("dataset=mnist", "width=99", "activation=sigmoid", "plane=tsne", "steps=9999", "'warp'",
                    "adam.lr=-1", "'start'", "'surface'"):
        assert culprit in text
    assert at.selectbox(key="net.dataset").value == "moons" and at.session_state["net.width"] == 8
    assert at.selectbox(key="net.plane").value == "pca" and at.session_state["steps"] == 300
    assert at.multiselect(key="opt").value == ["adam"]
    assert race_spec(at)["runs"]["network"]["sizes"] == [2, 8, 1]


def test_a_network_too_large_for_the_dense_rules_says_why_they_are_not_offered():
    at = open_app({**WIDE, "opt": "gd,newton"})
    assert not at.exception
    assert "newton" in warnings_text(at) and f"{WIDE_DIM}×{WIDE_DIM}" in warnings_text(at)
    assert at.multiselect(key="opt").value == ["gd"]
    offered = at.multiselect(key="opt").options
    assert not {"Newton's method", "Full-matrix AdaGrad"} & set(offered) and "Adam" in offered
    why = "\n".join(captions(at))
    for title in ("Newton's method", "BFGS", "Full-matrix AdaGrad"):
        assert f"{title}" in why
    assert f"keeps a {WIDE_DIM}×{WIDE_DIM} matrix" in why
    assert "every optimizer samples the same mini-batches" in why                    # sgd and minibatch


def test_widening_the_network_takes_a_dense_rule_out_of_the_race_with_a_warning():
    at = open_app({**NETWORK, "opt": "gd,newton"})
    assert not link_warnings(at) and at.multiselect(key="opt").value == ["gd", "newton"]      # 33 weights: offered
    at.number_input(key="net.width").set_value(16).run()             # 2·16 + 16 + 16 + 1 = 65: still offered
    assert not link_warnings(at) and at.multiselect(key="opt").value == ["gd", "newton"]
    at.number_input(key="net.layers").set_value(2).run()
    assert not at.exception
    assert at.multiselect(key="opt").value == ["gd"]
    assert any("Newton's method was taken out of the race" in w.value and f"{WIDE_DIM}×{WIDE_DIM}" in w.value
               for w in at.warning)
    assert link(at)["opt"] == "gd"


def test_a_settings_change_redraws_and_a_rate_change_keeps_the_other_runs():
    at = open_app({**NETWORK, "opt": "gd,adam", "plane": "random", "plane_at": "start"})
    before = race_spec(at)
    open_settings(at, "adam")
    at.select_slider(key="hp.adam.lr").set_value(0.05).run()
    after = race_spec(at)
    assert after["runs"]["revision"] != before["runs"]["revision"]
    assert np.array_equal(weights(after["runs"]["runs"][0]), weights(before["runs"]["runs"][0]))   # gd unchanged
    assert not np.array_equal(weights(after["runs"]["runs"][1]), weights(before["runs"]["runs"][1]))
    at.selectbox(key="net.dataset").select("spirals").run()
    assert not at.exception
    spirals = race_spec(at)
    assert spirals["surface"]["id"] != after["surface"]["id"] and spirals["runs"]["network"]["x"] != \
        after["runs"]["network"]["x"]


def test_a_diverging_network_run_is_marked_frozen_and_never_plots_non_finite_numbers():
    at = open_app({**NETWORK, "activation": "relu", "layers": "2", "x_scale": "10", "opt": "gd,adam", "gd.lr": "10",
                   "steps": "100", "plane": "random"})
    assert not at.exception
    assert any("diverged at step" in e.value for e in at.error)
    spec = race_spec(at)
    text = json.dumps(spec)
    assert "NaN" not in text and "Infinity" not in text
    for run in spec["runs"]["runs"]:
        assert np.isfinite(np.frombuffer(base64.b64decode(run["x"]), np.float32)).all()
        assert np.isfinite(weights(run)).all()
    table = next(m.value for m in at.markdown if "<table" in m.value)
    assert "diverged" in table and "nan" not in table.lower() and "inf" not in table.lower()


def test_the_race_tab_shows_the_trust_sentence_charts_and_table():
    at = open_app(NETWORK)
    trust = [box.value for box in (*at.success, *at.warning, *at.error) if TRUST in box.value]
    assert len(trust) == 1 and "% of the paths' movement" in trust[0]
    grids = [data for e in at.get("bidi_component") if e.proto.component_name == "optiscope_race_view"
             for data in (json.loads(e.proto.json),) if data.get("kind") == "figures"]
    assert len(grids) == 1                                   # one element for all the charts
    assert grids[0]["names"] == ["loss", "accuracy", "plane_loss", "distance", "spectrum"]
    titles = [json.loads(fig)["layout"].get("title", {}).get("text", "") for fig in grids[0]["figures"]]
    assert len(titles) == 5 and all(titles)
    table = next(m.value for m in at.markdown if "<table" in m.value)
    for column in ("final loss", "accuracy"):
        assert column in table


def test_inspector_and_analysis_say_why_they_do_not_apply_in_network_mode():
    at = open_tab(open_app(NETWORK), "Inspector")
    assert not at.exception and any("2-D run" in i.value and "Explanations" in i.value for i in at.info)
    at = open_tab(at, "Analysis")
    assert not at.exception and any("same initial weights" in i.value for i in at.info)


def test_explanations_in_network_mode_say_what_theta_is_and_muons_split():
    at = open_tab(open_app({**NETWORK, "opt": "adam,muon"}), "Explanations")
    assert not at.exception
    assert [s.value for s in at.subheader][:2] == ["Adam", "Muon (hidden matrices; AdamW for the rest)"]
    text = "\n".join(m.value for m in at.markdown)
    assert "vector of all the network's weights" in text
    assert any(r"\beta_1 m_{t-1}" in line.value for line in at.latex)


def test_presenter_link_in_network_mode_shows_only_the_race():
    at = open_app({**NETWORK, "present": "1"})
    assert not at.exception and not link_warnings(at) and not at.tabs
    runs = race_spec(at)["runs"]
    assert runs["present"] is True and runs["network"]["sizes"] == [2, 8, 1]
    assert any(m.value.startswith("**MLP 2 → 8 → 1") for m in at.markdown)
    at.button(key="present_exit").click().run()
    assert "present" not in link(at) and link(at)["mode"] == "network"


def test_share_tab_in_network_mode_offers_the_published_page_and_says_why_no_gif():
    at = open_tab(open_app(NETWORK), "Share & export")
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Published page (HTML)" in labels and not any("GIF" in label for label in labels)
    assert any("mode=network" in c.value for c in at.code)
    assert any("GIF" in c and "Race only" in c for c in captions(at))


def test_lessons_tab_lists_network_lessons_first_and_applies_one():
    at = open_tab(open_app(NETWORK), "Lessons")
    assert not at.exception
    headers = [s.value for s in at.subheader]
    assert headers.index("Training a network") < headers.index("On a 2-D surface")
    lesson = network_lessons.get("net_ravine")
    shown = "\n".join(captions(at))
    for statement in lesson.checks:
        assert statement.says in shown and statement.domain.words() in shown
    at.button(key="lesson_net_ravine").click().run()
    assert not at.exception
    state_link = link(at)
    assert state_link["lesson"] == "net_ravine" and state_link["mode"] == "network"
    for key, value in lesson.query.items():
        assert state_link[key] == value
    assert at.session_state["tab"] == "Race"
    assert any(lesson.title in i.value for i in at.info)


@pytest.mark.parametrize("lesson", network_lessons.LESSONS, ids=lambda lesson: lesson.key)
def test_every_network_lesson_link_opens_cleanly(lesson):
    at = open_app(lesson.query)
    assert not at.exception and not link_warnings(at)
    assert at.session_state["lesson"] == lesson.key and at.session_state["mode"] == "network"
    assert race_spec(at)["runs"]["network"]
