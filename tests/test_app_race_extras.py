"""The Race tab draws what each registry entry declares (AppTest): its extra markers reach the race view, its
per-step series are drawn under the loss charts, and every optimizer renders in both layouts with finite data."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest

import landscapes
import optimizers
from tests.apptest_page import open_app, open_tab, race_spec
from ui import controls

pytestmark = pytest.mark.app


def f32(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype="<f4")


def figure_titles(at) -> list[str]:
    """Titles of the plain figures drawn by the race view's component (loss, distance and series charts)."""
    figs = [json.loads(e.proto.json) for e in at.get("bidi_component")
            if e.proto.component_name == "optiscope_race_view"]
    return [json.loads(f["figure"])["layout"].get("title", {}).get("text", "")
            for f in figs if f.get("kind") == "figure"]


def test_schedule_free_and_sam_markers_reach_the_race_view():
    at = open_app({"surface": "himmelblau", "opt": "sam,sf_sgd", "steps": "30", "sam.radius": "0.3",
                   "sam.lr": "0.02"})
    assert not at.exception
    sam, sf = race_spec(at)["runs"]["runs"]
    land = landscapes.get("himmelblau")
    start = np.array([float(at.session_state["start_x"]), float(at.session_state["start_y"])])
    for run, name in ((sam, "sam"), (sf, "sf_sgd")):
        hyper = {k.removeprefix(f"hp.{name}."): at.session_state[k] for k in at.session_state
                 if k.startswith(f"hp.{name}.")}
        tr = optimizers.simulate(land, name, start, 30, **hyper)
        declared = [m.name for m in optimizers.get(name).view.markers]
        assert len(run["markers"]) == len(declared)
        for sent, key in zip(run["markers"], declared, strict=True):
            xy = np.column_stack([f32(sent["x"]), f32(sent["y"])])
            np.testing.assert_allclose(xy, tr.extra[key][:, 0], rtol=1e-6, atol=1e-6)
    assert [m["link"] for m in sf["markers"]] == [True, True]               # x, z and y drawn as one figure
    assert sam["markers"][0]["radius"] == 0.3 and not sam["markers"][0]["link"]
    legend = "\n".join(c.value for c in at.caption)
    assert "where SAM measures its gradient" in legend and "ball of radius 0.3" in legend
    assert "z: the base" in legend and "y: where this step's gradient was taken" in legend


def test_prodigy_draws_its_step_scale_under_the_loss_charts_and_the_default_view_does_not():
    default = figure_titles(open_app())
    assert any("loss" in t.lower() for t in default) and not any("step scale" in t for t in default)
    at = open_app({"surface": "rosenbrock", "opt": "adam,prodigy"})
    assert not at.exception
    titles = figure_titles(at)
    assert "d, the learnt step scale over the steps" in titles
    assert any(t.startswith("d̂, this step's estimate") and "180 of 200 steps ≤ 0" in t for t in titles)


@pytest.mark.parametrize("layout", ["side", "overlay"])
@pytest.mark.parametrize("chunk", range(4))
def test_every_optimizer_renders_in_the_race_with_finite_data(layout, chunk):
    names = optimizers.names()[6 * chunk:6 * chunk + 6]
    at = open_app({"surface": "rosenbrock", "opt": ",".join(names), "layout": layout})
    assert not at.exception
    spec = race_spec(at)["runs"]
    assert spec["layout"] == layout and len(spec["runs"]) == len(names)
    for run in spec["runs"]:
        arrays = [run["x"], run["y"], run["f"], *([run["g"]] if "g" in run else [])]
        arrays += [m[k] for m in run["markers"] for k in ("x", "y")]
        assert all(np.isfinite(f32(a)).all() for a in arrays), run["label"]
    for e in at.get("bidi_component"):
        assert "NaN" not in e.proto.json and "Infinity" not in e.proto.json


def test_inspector_notes_a_bfgs_step_whose_line_search_found_nothing():
    """The run of tests/test_explain.py: on Himmelblau from this start, BFGS's α is 0 from step 11 on."""
    query = {"surface": "himmelblau", "opt": "bfgs", "bfgs.lr": "1", "start": "-0.49660633,2.9632427",
             "steps": "20", "inspect": "bfgs"}
    notes = {}
    for t in (10, 11):
        at = open_tab(open_app({**query, "inspect_step": str(t)}), controls.INSPECTOR_TAB)
        assert not at.exception
        notes[t] = "\n".join(c.value for c in at.caption)
    assert "line search found no acceptable step" not in notes[10]
    assert "line search found no acceptable step" in notes[11]


def test_plain_figures_use_only_trace_types_the_bundled_plotly_js_has():
    # viz/race_view/static/plotly-race.min.js registers scatter (in plotly's core), heatmap and contour only;
    # a figure with another type would not draw.  Every optimizer that declares series is on one of the pages.
    with_series = [n for n in optimizers.names() if optimizers.get(n).view.series]
    figs = []
    for k in range(0, len(with_series), 6):
        at = open_app({"opt": ",".join(with_series[k:k + 6]), "surface": "rosenbrock", "steps": "30"})
        assert not at.exception
        views = [json.loads(e.proto.json) for e in at.get("bidi_component")
                 if e.proto.component_name == "optiscope_race_view"]
        figs += [json.loads(view["figure"]) for view in views if view.get("kind") == "figure"]
    assert len(figs) > 4                                        # loss and distance twice, and series charts
    assert {trace.get("type", "scatter") for fig in figs for trace in fig["data"]} <= {"scatter", "heatmap", "contour"}
