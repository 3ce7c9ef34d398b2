"""Network mode's race in a real browser: race.js's network evaluation against NumPy's, and a published page of a
network race whose decision-boundary panels follow the step slider."""
from __future__ import annotations

import numpy as np
import pytest

from landscapes import networks
from optimizers import network, network_report
from tests.browser.race import race, step
from viz import network as vn
from viz import static_page
from viz.figures import PALETTE
from viz.race_view import STATIC

NAMES = ("gd", "momentum", "adam")


@pytest.fixture(scope="module")
def bare(browser):
    """A blank page with race.js loaded (its pure functions need no plotly.js)."""
    page = browser.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=(STATIC / "race.js").read_text())
    yield page
    page.close()


@pytest.mark.parametrize("layers, width, activation", [(1, 8, "tanh"), (1, 5, "relu"), (2, 16, "tanh"),
                                                        (2, 4, "relu")])
def test_race_js_evaluates_the_network_as_numpy_does(bare, layers, width, activation):
    net = networks.get(layers=layers, width=width, activation=activation)
    rng = np.random.default_rng(layers * 100 + width)
    theta = (net.initial_weights("pytorch", 3) * 3).astype(np.float32).astype(np.float64)   # as the payload holds it
    points = rng.uniform(-2, 2, (50, 2))
    got = bare.evaluate("([sizes, act, w, xs, ys]) => Array.from(window.OptiscopeRace.mlpLogits(sizes, act, w, xs, "
                        "ys))", [list(net.layout.sizes), activation, theta.tolist(), points[:, 0].tolist(),
                                 points[:, 1].tolist()])
    np.testing.assert_allclose(got, net.logits(theta, points)[0], rtol=1e-10, atol=1e-12)


def test_race_js_traces_the_zero_line_of_a_plane_on_the_grid(bare):
    m, a, b, c = 9, 1.3, -0.7, 0.9                       # z = a·j + b·i - c at node (j, i): a straight zero line
    z = [a * j + b * i - c for i in range(m) for j in range(m)]
    seg = np.array(bare.evaluate("([z, m]) => window.OptiscopeRace.zeroSegments(z, m)", [z, m])).reshape(-1, 2)
    assert len(seg) >= 2 * (m - 1)
    np.testing.assert_allclose(a * seg[:, 0] + b * seg[:, 1] - c, 0, atol=1e-12)
    # A saddle cell (corners a = 1, b = -1 at the bottom, d = -1, c = 1.5 at the top; row-major [a, b, d, c]): its
    # centre is positive, so a and c are joined and the two segments cut off the corners b and d.
    saddle = bare.evaluate("window.OptiscopeRace.zeroSegments([1, -1, -1, 1.5], 2)")
    np.testing.assert_allclose(saddle, [0.5, 0, 1, 0.4, 0.4, 1, 0, 0.5], atol=1e-12)


def test_race_js_plays_the_steps_python_keys_its_keyframes_on(bare):
    assert bare.evaluate("window.OptiscopeRace.MAX_SHOWN") == vn.MAX_SHOWN
    for steps in (40, 450, 500, 2000):
        assert bare.evaluate(f"window.OptiscopeRace.shownSteps({steps})") == vn.shown_steps(steps).tolist()


def network_page(tmp_path, settings: dict, runs: dict, steps: int, plane: str = "pca", layout: str = "side") -> tuple:
    net = networks.get(**settings)
    trajs, view = network.race(net, runs, steps, plane=plane, resolution=40)
    labels = {name: f"{name} run" for name in runs}
    colors = {name: PALETTE[i] for i, name in enumerate(runs)}
    built = vn.build(net, trajs, view, labels, colors, layout=layout)
    content = static_page.PageContent(
        title=net.title, surface_title=net.title, surface_description=built.description, surface=built.surface,
        runs=built.runs, figures=tuple(fig for _, fig in built.figures), table_html="", table_note=built.note,
        alerts=built.alerts, legend=(built.legend, built.trust.sentence))
    path = tmp_path / "network.html"
    path.write_text(static_page.page_html(content))
    return path.as_uri(), net, trajs, built


NOTES = """() => [...document.querySelectorAll('.race-boundary-note')].map(n => n.textContent)"""
KEYFRAME = """() => Number(document.querySelector('.race-boundaries').dataset.keyframe)"""
AXES = """() => { const gd = document.querySelector('[data-testid="race-view"] .js-plotly-plot');
  return [gd._fullLayout.xaxis.title.text, gd._fullLayout.yaxis.title.text]; }"""


def test_the_boundaries_follow_the_step_and_state_pythons_accuracy(browser, tmp_path):
    url, net, trajs, built = network_page(tmp_path, {}, {name: network.suggested(name) for name in NAMES}, 200)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(url)
    view = race(page)
    assert page.locator(".race-boundary canvas").count() == 3
    assert page.evaluate(AXES) == built.surface["axes"]
    keys = built.runs["network"]["steps"]
    accuracy = {name: network_report.accuracy_series(net, tr) for name, tr in trajs.items()}
    view.focus()
    page.keyboard.press("Home")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    for target in (4, 23, 200):
        while step(view) < target:
            page.keyboard.press("ArrowRight")
        shown = max(k for k in keys if k <= step(view))
        page.wait_for_function(f"() => ({KEYFRAME})() === {shown}")
        notes = page.evaluate(NOTES)
        assert notes == [f"step {shown} · {100 * accuracy[name][shown]:.1f}% correct" for name in NAMES]
    drawn = page.evaluate("""() => { const c = document.querySelector('.race-boundary canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let dark = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 40 && d[i + 1] < 40 && d[i + 2] < 60) dark++;
      return {dark, w: c.width, h: c.height}; }""")
    assert drawn["w"] > 100 and drawn["dark"] > drawn["w"] / 2            # the boundary line crosses the panel
    assert errors == []
    page.close()


def test_a_diverged_network_says_so_and_a_phone_shows_two_panels_a_row(browser, tmp_path):
    url, _, trajs, _ = network_page(tmp_path, {"activation": "relu", "layers": 2, "x_scale": 10.0},
                                    {"gd": {"lr": 10.0}, "adam": {"lr": 0.02}}, 60, plane="random", layout="overlay")
    lost = int(trajs["gd"].diverged_at[0])
    assert lost > 0
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    race(page)
    notes = page.evaluate(NOTES)
    assert notes[0] == f"diverged at step {lost}: its last finite weights" and notes[1].startswith("step 60 · ")
    boxes = [page.locator(".race-boundary").nth(k).bounding_box() for k in range(2)]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[1]["x"] > boxes[0]["x"] + boxes[0]["width"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    context.close()
