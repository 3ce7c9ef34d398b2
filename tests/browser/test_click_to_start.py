"""Click-to-start in a real browser: a click on a race panel moves every optimizer's start there."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import numpy as np

from tests.browser.race import TO_PIXELS, graph, race, step

RAVINE_PIXEL = 20 / 300        # the ravine spans 20 units over a panel of at least 300 px


def click(page, wait_for_app, point: tuple[float, float], panel: str = "") -> None:
    """Click ``point`` once the panel has stopped moving (charts below may still be laying out the page)."""
    where = None
    for _ in range(40):
        now = page.evaluate(TO_PIXELS, [point[0], point[1], panel])
        if now == where:
            break
        where = now
        page.wait_for_timeout(250)
    x, y = where
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    wait_for_app(page, settle_ms=800)


def link_start(page) -> tuple[float, float]:
    x, y = parse_qs(urlparse(page.url).query)["start"][0].split(",")
    return float(x), float(y)


def test_click_on_a_panel_sets_every_start_and_keeps_the_race_playable(open_app, wait_for_app):
    page = open_app("opt=gd,adam&steps=120")
    race(page)
    target = (4.0, -3.0)
    click(page, wait_for_app, target)
    start = link_start(page)
    assert np.allclose(start, target, atol=0.1 + RAVINE_PIXEL)
    assert start == tuple(round(v, 1) for v in start)                   # a short number (span 20: steps of 0.1)
    view = race(page)
    page.wait_for_function("s => { const g = document.querySelector('[data-testid=\"race-view\"] .js-plotly-plot');"
                           " return g._fullData.some(t => t.name === 'start' && Math.abs(t.x[0] - s[0]) < 1e-4); }",
                           arg=list(start), timeout=30_000)
    assert np.allclose(graph(page)["starts"], [start, start], atol=1e-4)   # both panels start there
    assert page.locator('.st-key-start_x input').input_value() == f"{start[0]:g}"
    assert step(view) == 120
    view.get_by_role("button", name="Play").click()
    page.wait_for_timeout(800)
    assert step(view) != 120
    assert page.console_errors == []


def test_click_on_the_second_panel_works_too(open_app, wait_for_app):
    page = open_app("opt=gd,adam")
    race(page)
    target = (-6.0, 5.0)
    click(page, wait_for_app, target, panel="2")
    assert np.allclose(link_start(page), target, atol=0.1 + RAVINE_PIXEL)
    assert page.console_errors == []
