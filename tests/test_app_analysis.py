"""The Analysis tab, the fair race and the custom surface under streamlit.testing.v1.AppTest."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import landscapes
from optimizers import studies
from state import share, surfaces
from tests.apptest_page import open_app, open_tab, race_spec

pytestmark = pytest.mark.app


def specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def charts_with(at: AppTest, trace_type: str) -> list[dict]:
    """Charts whose first trace has this type (basins panels are heatmaps, the race starts with a contour)."""
    return [s for s in specs(at) if s["data"] and s["data"][0]["type"] == trace_type]


def race_titles(at: AppTest) -> list[str]:
    """The race panels' titles (optimizer and learning rate)."""
    return [run["title"] for run in race_spec(at)["runs"]["runs"]]


def array(raw: list | dict) -> np.ndarray:
    """A trace array, sent as a list or as a base64 typed array."""
    if isinstance(raw, dict):
        return np.frombuffer(base64.b64decode(raw["bdata"]), dtype=np.dtype(raw["dtype"]))
    return np.asarray(raw, dtype=float)


def link(at: AppTest) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def text(elements) -> str:
    return "\n".join(e.value for e in elements)


def test_closed_analysis_tab_computes_nothing_and_stays_out_of_the_link():
    at = open_app()
    assert not at.exception
    assert at.session_state["tab"] == "Race"
    assert not charts_with(at, "heatmap")
    assert "analysis" not in link(at)
    with pytest.raises(KeyError):                                   # not even its settings are drawn
        at.segmented_control(key="analysis")


def test_analysis_settings_survive_closing_the_tab():
    at = open_app({"analysis": "sweep", "sweep_n": "7", "opt": "gd"})
    at.number_input(key=share.SWEEP_POINTS.name).set_value(9).run()
    open_tab(at, "Race")
    assert link(at)["sweep_n"] == "9"                               # kept while no widget of the tab is drawn
    open_tab(at, "Analysis")
    assert at.segmented_control(key="analysis").value == "sweep"
    assert at.number_input(key=share.SWEEP_POINTS.name).value == 9


def test_basins_link_opens_the_tab_with_one_map_per_optimizer():
    # along the axes (angle 0) every start of the grid reaches the minimum within 100 steps
    at = open_app({"analysis": "basins", "basins_res": "20", "opt": "gd,adam", "steps": "100", "angle": "0.0"})
    assert not at.exception
    assert at.session_state["tab"] == "Analysis"
    maps = charts_with(at, "heatmap")
    assert len(maps) == 2
    assert "Gradient descent" in maps[0]["layout"]["title"]["text"]
    assert "100% reach the global minimum" in maps[0]["layout"]["title"]["text"]   # lr 1.8 < 2 converges
    table = at.dataframe[-1].value
    assert list(table["optimizer"]) == ["Gradient descent (lr=1.8)", "Adam (lr=0.3)"]
    assert np.allclose(table["global minimum"], 1.0)
    assert link(at)["analysis"] == "basins" and link(at)["basins_res"] == "20"


def test_changing_the_grid_recomputes_and_updates_the_link():
    at = open_app({"analysis": "basins", "basins_res": "20", "opt": "gd", "gd.lr": "2.2", "steps": "150"})
    assert np.allclose(at.dataframe[-1].value["diverged"], 1.0)          # lr above 2 / L: every start diverges
    at.select_slider(key="basins_res").set_value(25).run()
    assert not at.exception
    assert link(at)["basins_res"] == "25"
    heat = charts_with(at, "heatmap")[0]["data"][0]
    assert heat["z"]["shape"].replace(" ", "") == "25,25"


def test_settings_survive_switching_between_analyses():
    at = open_app({"analysis": "basins", "basins_res": "20", "opt": "gd"})
    at.select_slider(key="basins_res").set_value(50).run()
    at.segmented_control(key="analysis").set_value("sweep").run()
    assert not at.exception
    assert link(at)["analysis"] == "sweep" and link(at)["basins_res"] == "50"
    at.segmented_control(key="analysis").set_value("basins").run()
    assert at.select_slider(key="basins_res").value == 50


def test_sweep_shows_the_stability_limit_of_gradient_descent():
    at = open_app({"analysis": "sweep", "opt": "gd,adam", "sweep_min": "0.01", "sweep_max": "10", "sweep_n": "21"})
    assert not at.exception
    sweep = next(s for s in specs(at) if s["layout"].get("xaxis", {}).get("type") == "log")
    assert sweep["layout"]["yaxis"]["type"] == "log"
    table = at.dataframe[-1].value.set_index("optimizer")
    lrs = studies.lr_grid(0.01, 10.0, 21)
    assert table.loc["Gradient descent", "stable to"] == pytest.approx(lrs[lrs < 2].max())
    assert table.loc["Gradient descent", "first divergence"] == pytest.approx(lrs[lrs > 2].min())
    assert table.loc["Adam", "lr in use"] == 0.3


def test_broken_sweep_range_is_reported_not_raised():
    at = open_app({"analysis": "sweep", "opt": "gd", "fair": "true", "gd.lr": "0.01"})
    at.select_slider(key="sweep_min").set_value(10.0).run()
    assert not at.exception
    assert "smallest learning rate must be below the largest" in text(at.error)
    open_tab(at, "Race")
    assert "fair race needs a learning-rate range" in text(at.warning)
    titles = race_titles(at)
    assert any("(lr=0.01)" in t for t in titles)                       # the race keeps the user's rate


def test_fair_race_uses_and_names_the_tuned_learning_rates():
    at = open_app({"opt": "gd,adam", "fair": "true", "gd.lr": "0.01"})
    assert not at.exception
    land = landscapes.get("ravine")
    expected, _ = studies.tune_lr(land, "gd", land.start, share.STEPS.default, studies.lr_grid(1e-4, 10.0, 41),
                                   lr=0.01)
    info = text(at.info)
    assert "Fair race" in info and f"Gradient descent {expected:.3g}" in info
    titles = race_titles(at)
    assert any("Gradient descent" in t and f"(lr={expected:g})" in t for t in titles)
    assert at.session_state["hp.gd.lr"] == 0.01                        # the user's own setting is untouched
    assert link(at)["gd.lr"] == "0.01" and link(at)["fair"] == "true"
    at.toggle(key="fair").set_value(False).run()
    titles = race_titles(at)
    assert any("Gradient descent" in t and "(lr=0.01)" in t for t in titles)
    assert "fair" not in link(at)


def test_spread_of_seeds_bands_sgd_and_flags_deterministic_methods():
    at = open_app({"analysis": "spread", "spread": "seeds", "cloud": "32", "opt": "sgd,gd", "steps": "80"})
    assert not at.exception
    assert "Gradient descent" in text(at.info) and "same path" in text(at.info)
    band = next(s for s in specs(at) if any(t.get("fill") == "tonexty" for t in s["data"]))
    assert sum(t.get("fill") == "tonexty" for t in band["data"]) == 2
    clouds = [s for s in specs(at) if not s.get("frames") and any(t.get("name") == "start" for t in s["data"])]
    assert len(clouds) == 2


def test_custom_surface_from_the_selector():
    at = open_app({"opt": "adam"})
    at.selectbox(key="surface").select("custom").run()
    assert not at.exception
    assert at.text_input(key="surface.formula").value == surfaces.DEFAULT_FORMULA
    assert any(m.value.startswith("$f(x, y) =") and r"\sin" in m.value for m in at.sidebar.markdown)
    assert link(at)["surface"] == "custom" and link(at)["formula"] == surfaces.DEFAULT_FORMULA
    at.text_input(key="surface.formula").input("(x - 1)**2 + 2*(y + 0.5)**2").run()
    assert not at.exception and not at.error
    assert link(at)["formula"] == "(x - 1)**2 + 2*(y + 0.5)**2"
    assert np.allclose(race_spec(at)["surface"]["minima"], [[1.0, -0.5]], atol=1e-6)


def test_broken_formula_shows_an_error_and_keeps_the_page_working():
    at = open_app({"surface": "custom", "opt": "gd"})
    for bad, message in (("x +* y", "Syntax error"), ("os.system(1)", "not allowed"), ("exp(x)", None)):
        at.text_input(key="surface.formula").input(bad).run()
        assert not at.exception
        if message:
            assert message in text(at.error) and "default formula" in text(at.error)
            assert link(at)["formula"] == surfaces.DEFAULT_FORMULA        # the page runs the fallback
            assert race_spec(at)["runs"]["runs"]
    at.number_input(key="surface.xmin").set_value(5.0).run()           # xmin above xmax
    assert not at.exception
    assert "smaller than its maximum" in text(at.error)


def test_formula_without_a_minimum_still_draws_everything():
    at = open_app({"surface": "custom", "formula": "x + y", "opt": "gd,adam", "analysis": "basins",
                   "basins_res": "10"})
    assert not at.exception
    assert len(charts_with(at, "heatmap")) == 2
    assert "no known minimum" in charts_with(at, "heatmap")[0]["layout"]["title"]["text"]


def test_custom_link_round_trips_and_broken_one_warns():
    at = open_app({"surface": "custom", "formula": "x**2 + y**2 + x*y", "xmin": "-2", "xmax": "2",
                   "ymin": "-1", "ymax": "1", "opt": "adam"})
    assert not at.exception and not at.warning
    assert at.text_input(key="surface.formula").value == "x**2 + y**2 + x*y"
    assert at.number_input(key="surface.ymax").value == 1.0
    assert race_spec(at)["surface"]["bounds"] == [[-2.0, 2.0], [-1.0, 1.0]]
    at = open_app({"surface": "custom", "formula": "x ** ** 2"})
    assert not at.exception
    assert "`x ** ** 2`" in text(at.warning)
    assert at.text_input(key="surface.formula").value == surfaces.DEFAULT_FORMULA
