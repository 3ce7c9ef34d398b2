"""Click-to-start in a real browser: a click on a race panel moves every optimizer's start there."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import numpy as np

import landscapes
from viz.click import click_grid, snap

RACE = ".st-key-race_chart .js-plotly-plot"

# Page coordinates of the data point (x, y) on the panel whose axes are xaxis{n}/yaxis{n}.
TO_PIXELS = """([x, y, n]) => {
  const gd = document.querySelector('.st-key-race_chart .js-plotly-plot');
  const xa = gd._fullLayout['xaxis' + n], ya = gd._fullLayout['yaxis' + n];
  const box = gd.getBoundingClientRect();
  return [box.left + xa._offset + xa.l2p(x), box.top + ya._offset + ya.l2p(y)];
}"""
# The race figure as the browser holds it: start markers, animation frames and slider label.
FIGURE = """() => {
  const gd = document.querySelector('.st-key-race_chart .js-plotly-plot');
  const starts = gd._fullData.filter(t => t.name === 'start').map(t => [t.x[0], t.y[0]]);
  return {starts, frames: (gd._transitionData && gd._transitionData._frames || []).length,
          label: (gd.querySelector('.slider-label') || {}).textContent || ''};
}"""


def grid_point(near: tuple[float, float]) -> tuple[float, float]:
    """The click target of the ravine's grid nearest ``near``."""
    gx, gy = click_grid(landscapes.get("ravine"))
    k = int(np.argmin((gx - near[0]) ** 2 + (gy - near[1]) ** 2))
    return snap(gx[k]), snap(gy[k])


def click(page, wait_for_app, point: tuple[float, float], panel: str = "") -> None:
    x, y = page.evaluate(TO_PIXELS, [point[0], point[1], panel])
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    wait_for_app(page, settle_ms=800)


def link_start(page) -> str:
    return parse_qs(urlparse(page.url).query)["start"][0]


def test_click_on_a_panel_sets_every_start_and_keeps_the_animation(open_app, wait_for_app):
    page = open_app("opt=gd,adam&steps=120")
    page.locator(RACE).wait_for(timeout=30_000)
    target = grid_point((4.0, -3.0))
    click(page, wait_for_app, target)
    assert link_start(page) == "{:g},{:g}".format(*target)
    state = page.evaluate(FIGURE)
    assert np.allclose(state["starts"], [target, target], atol=1e-5)      # both panels start there
    assert page.locator('[data-testid="stNumberInput"] input').nth(0).input_value() == f"{target[0]:g}"
    # the animation still plays from the new start
    assert state["frames"] > 1 and state["label"].strip() == "step 120"
    page.locator(RACE).get_by_text("Play", exact=False).first.click()
    page.wait_for_timeout(1200)
    assert page.evaluate(FIGURE)["label"].strip() != "step 120"
    assert page.console_errors == []


def test_click_on_the_second_panel_works_too(open_app, wait_for_app):
    page = open_app("opt=gd,adam")
    page.locator(RACE).wait_for(timeout=30_000)
    target = grid_point((-6.0, 5.0))
    click(page, wait_for_app, target, panel="2")
    assert link_start(page) == "{:g},{:g}".format(*target)
    assert np.allclose(page.evaluate(FIGURE)["starts"], [target, target], atol=1e-5)
    assert page.console_errors == []
