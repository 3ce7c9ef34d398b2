"""The theory lab: buttons that race the best settings, the measured rate map and its figure."""
from __future__ import annotations

import json

import numpy as np
import pytest

import landscapes
from optimizers import studies, theory
from state import lessons, share
from tests.apptest_page import open_app
from ui import theory_lab
from viz.theory import rate_map_figure


def test_tuned_query_adds_the_optimizers_at_exactly_their_best_settings():
    state = share.default_state()                                    # gd, momentum, rmsprop, adam
    c = theory.curvature(share.landscape_of(state))
    best = theory_lab.tunings(c)
    loaded, warnings = share.decode(theory_lab.tuned_query(state, list(best.values())))
    assert warnings == []
    assert loaded.optimizers == ("gd", "momentum", "rmsprop", "adam", "nag")
    for name, tuning in best.items():
        for key, value in tuning.hyper.items():
            assert loaded.hyper[name][key] == value                  # bit for bit through the link
        assert loaded.hyper[name]["schedule"] == "constant"
    assert loaded.hyper["adam"] == state.hyper["adam"] and loaded.surface_params == state.surface_params


def test_tuned_query_makes_room_and_drops_the_lesson():
    state, _ = share.decode({"opt": "adam,rmsprop,adagrad,adadelta,lion,amsgrad", "lesson": "zigzag",
                             "adam.schedule": "cosine"})
    best = theory_lab.tunings(theory.curvature(share.landscape_of(state)))
    loaded, warnings = share.decode(theory_lab.tuned_query(state, list(best.values())))
    assert warnings == [] and loaded.lesson == ""
    assert len(loaded.optimizers) == share.MAX_OPTIMIZERS
    assert set(best) <= set(loaded.optimizers) and loaded.optimizers[:3] == ("adam", "rmsprop", "adagrad")
    assert loaded.hyper["adam"]["schedule"] == "cosine"


def test_rate_map_shows_the_optimum_in_its_fastest_valley_and_diverges_past_the_edge():
    land = landscapes.get("ravine", condition=50.0)
    c = theory.curvature(land)
    lrs = np.linspace(4.0 / 60, 4.0, 60)
    moms = np.linspace(0.0, 0.98, 60)
    rates = studies.rate_map(land, lrs, moms, 200)
    lr_g, mom_g = np.meshgrid(lrs, moms)
    edge = (2 + 2 * mom_g) / c.L
    assert np.all(np.isinf(rates[lr_g > 1.02 * edge]))              # past the dashed edge: diverged
    assert np.all(np.isfinite(rates[lr_g < 0.98 * edge]))           # inside: bounded
    best = theory.heavy_ball_tuning(c)
    i, j = np.unravel_index(np.argmin(rates), rates.shape)
    assert abs(moms[i] - best.hyper["momentum"]) < 0.05 and abs(lrs[j] - best.hyper["lr"]) < 0.25
    assert rates.min() == pytest.approx(best.rate, rel=0.05)        # the grid's best run is near theory's rate


def test_rate_map_figure_sends_finite_numbers_and_marks_edge_and_optimum():
    land = landscapes.get("ravine", condition=20.0)
    c = theory.curvature(land)
    lrs, moms = np.linspace(0.1, 4.0, 12), np.linspace(0.0, 0.9, 10)
    rates = studies.rate_map(land, lrs, moms, 100)
    best = theory.heavy_ball_tuning(c)
    fig = json.loads(rate_map_figure(lrs, moms, rates, c, best).to_json())
    heat, edge, star = fig["data"]
    z = heat["z"]
    assert len(z) == 10 and len(z[0]) == 12
    assert all(v is None for v, r in zip(np.ravel(z), rates.ravel(), strict=True) if not np.isfinite(r))
    assert "NaN" not in json.dumps(fig) and "Infinity" not in json.dumps(fig)
    assert star["x"] == [best.hyper["lr"]] and star["y"] == [best.hyper["momentum"]]
    assert "edge of stability" in edge["name"]


@pytest.mark.app
def test_theory_lab_table_and_buttons_on_the_page():
    at = open_app(lessons.get("theory").query)
    assert not at.exception
    at.session_state["tab"] = "Lessons"                # the map is measured only while its tab is open
    at.run()
    frames = [df.value for df in at.dataframe if "predicted rate r" in df.value.columns]
    assert frames
    table = frames[0]
    assert len(table) == 6                          # best GD, heavy ball, Nesterov, and the lesson's own three
    assert np.allclose(table["measured rate"], table["predicted rate r"], rtol=0.04)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert any(any("edge of stability" in t.get("name", "") for t in spec["data"]) for spec in specs)
    at.button(key="lab_all").click().run()
    assert not at.exception
    c = theory.curvature(share.landscape_of(share.decode(lessons.get("theory").query)[0]))
    best = theory_lab.tunings(c)
    assert at.session_state["tab"] == "Race" and at.session_state["lesson"] == ""
    assert at.session_state["hp.nag.momentum"] == best["nag"].hyper["momentum"]
    assert at.session_state["hp.momentum.lr"] == best["momentum"].hyper["lr"]
