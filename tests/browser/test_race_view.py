"""The race view in a real browser: playback, settings changed mid-play, keyboard, presenter mode, phone."""
from __future__ import annotations

import numpy as np
import pytest

import landscapes
import optimizers
from state import share
from tests.browser.conftest import wait_for_app
from tests.browser.race import TO_PIXELS, graph, race, step
from viz import race_view, static_page
from viz.figures import PALETTE, Run, contour_grid, distance_figure, loss_figure

# Records the step and play state at the moment the drawn paths change (data-revision).
WATCH_REVISION = """() => { const v = document.querySelector('[data-testid="race-view"]');
  window.__revision = null;
  new MutationObserver(() => { if (window.__revision === null) window.__revision = {
      step: Number(v.dataset.step), revision: v.dataset.revision,
      playing: v.querySelector('.race-play').getAttribute('aria-label') === 'Pause'}; })
    .observe(v, {attributes: true, attributeFilter: ['data-revision']}); }"""


def test_play_then_pause_mid_play_logs_no_error(open_app):
    page = open_app("opt=gd,adam&steps=300")
    view = race(page)
    view.get_by_role("button", name="Play").click()
    page.wait_for_timeout(500)
    view.get_by_role("button", name="Pause").click()
    paused = step(view)
    page.wait_for_timeout(600)
    assert 0 < paused < 300 and step(view) == paused            # stopped where it was
    view.get_by_role("button", name="Next step").click()
    assert step(view) == paused + 1
    view.locator('input[type="range"]').fill("10")                # scrub
    assert step(view) == 10
    page.wait_for_timeout(400)
    assert page.console_errors == []


def test_a_settings_change_during_playback_keeps_the_step_and_swaps_the_paths(open_app, wait_for_app):
    page = open_app("opt=gd,adam&steps=2000")
    view = race(page)
    before = view.get_attribute("data-revision")
    view.get_by_role("button", name="Play").click()
    page.wait_for_function("() => Number(document.querySelector('[data-testid=\"race-view\"]').dataset.step) > 0")
    page.evaluate(WATCH_REVISION)
    at_change = step(view)
    page.locator('.st-key-steps input[type="range"]').focus()
    page.keyboard.press("ArrowLeft")                              # 2000 -> 1999 steps: new results
    page.wait_for_function("() => window.__revision !== null", timeout=60_000)
    swapped = page.evaluate("window.__revision")
    assert swapped["revision"] != before
    assert swapped["step"] >= at_change > 0                       # playback went on from where it was
    assert swapped["playing"] or swapped["step"] == 1999
    wait_for_app(page)
    assert "steps=1999" in page.url
    assert page.console_errors == []


HOVER_TEXT = """() => [...document.querySelectorAll('[data-testid="race-view"] .hoverlayer text')]
                    .map(t => t.textContent).join(' ')"""


def test_hover_reads_out_a_drawn_step_and_nothing_for_a_step_not_drawn_yet(open_app):
    page = open_app("opt=gd&steps=50")
    view = race(page)
    state, _ = share.decode({"opt": "gd", "steps": "50"})
    run = optimizers.simulate(share.landscape_of(state), "gd", share.start_of(state), 50, **state.hyper["gd"])
    x, y = run.points[5, 0]
    view.focus()                                                  # scrolls the race into view: pixels after it
    point = page.evaluate(TO_PIXELS, [float(x), float(y), ""])

    def hover_text() -> str:
        page.mouse.move(point[0] + 40, point[1] + 40)           # off the path, then onto step 5
        page.mouse.move(point[0], point[1])
        page.wait_for_timeout(300)
        return page.evaluate(HOVER_TEXT)

    assert step(view) == 50
    shown = hover_text()
    assert "step 5" in shown and f"f {run.loss[5, 0]:.4g}" in shown and f"{x:.4g}" in shown
    page.keyboard.press("Home")                                   # step 0: step 5 is not drawn
    assert "step 5" not in hover_text()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    assert step(view) == 5 and "step 5" in hover_text()
    assert page.console_errors == []


# Counts the Plotly.update calls on the race's graph (plotly emits 'plotly_update' for each).
COUNT_UPDATES = """() => { const gd = document.querySelector('[data-testid="race-view"] .js-plotly-plot');
  window.__updates = 0; gd.on('plotly_update', () => { window.__updates += 1; }); }"""


def test_a_change_during_playback_makes_no_plotly_call_until_the_race_rests(open_app, wait_for_app):
    page = open_app("opt=gd,adam&steps=2000")
    view = race(page)
    page.evaluate(COUNT_UPDATES)
    view.get_by_role("button", name="Play").click()
    page.evaluate(WATCH_REVISION)
    page.locator('.st-key-steps input[type="range"]').focus()
    page.keyboard.press("ArrowLeft")                              # new paths; same titles and starts
    page.wait_for_function("() => window.__revision !== null", timeout=60_000)
    page.wait_for_timeout(500)
    assert view.locator(".race-play").get_attribute("aria-label") == "Pause"   # still playing
    assert page.evaluate("window.__updates") == 0                 # the paths swapped on the canvas alone
    view.get_by_role("button", name="Pause").click()
    page.wait_for_function("() => window.__updates === 1")        # at rest the hover carriers catch up
    wait_for_app(page)
    assert page.console_errors == []


def test_keyboard_steps_the_race_when_it_has_focus(open_app):
    page = open_app("opt=gd,adam&steps=50")
    view = race(page)
    view.focus()
    page.keyboard.press("Home")
    assert step(view) == 0
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert step(view) == 2
    page.keyboard.press("ArrowLeft")
    assert step(view) == 1
    page.keyboard.press("End")
    assert step(view) == 50
    page.keyboard.press("Home")
    page.keyboard.press(" ")
    page.wait_for_timeout(300)
    assert view.locator(".race-play").get_attribute("aria-label") == "Pause" and step(view) > 0
    page.keyboard.press(" ")
    paused = step(view)
    page.wait_for_timeout(300)
    assert step(view) == paused
    assert page.console_errors == []


def test_presenter_link_opens_a_clean_playing_race(open_app):
    page = open_app("opt=gd,adam&steps=300&present=1&trails=15")
    view = race(page)
    assert "present" in view.get_attribute("class")
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert page.get_by_role("tab").count() == 0                    # no tabs, no settings
    page.wait_for_function("() => Number(document.querySelector('[data-testid=\"race-view\"]').dataset.step) > 0")
    assert view.locator(".race-play").get_attribute("aria-label") == "Pause"       # it plays as it opens
    counter = view.locator(".race-counter")
    assert counter.is_visible() and counter.inner_text().startswith("step ")
    assert float(counter.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 36
    assert "present=true" in page.url and "trails=15" in page.url
    assert page.get_by_role("button", name="Leave presenter mode").is_visible()
    assert page.console_errors == []


def test_phone_stacks_full_width_panels_with_controls_on_their_own_row(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(app_url + "/", wait_until="domcontentloaded")
    wait_for_app(page)
    view = race(page)
    g = graph(page)
    assert g["panels"] == 4 and min(g["widths"]) >= 300
    assert len(set(g["lefts"])) == 1 and len(set(g["tops"])) == 4   # one panel per row
    play = view.get_by_role("button", name="Play").bounding_box()
    slider = view.locator('input[type="range"]').bounding_box()
    assert slider["y"] >= play["y"] + play["height"] - 1 or slider["x"] >= play["x"] + play["width"]  # no overlap
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    context.close()


def race_page(tmp_path, land, grid, runs) -> str:
    """A published page (no server) of ``runs`` on ``land`` drawn with ``grid``: its file:// address."""
    content = static_page.PageContent(
        title=land.title, surface_title=land.title, surface_description=land.description,
        surface=race_view.surface_payload(land, grid), runs=race_view.runs_payload(runs),
        figures=(loss_figure(runs, land.min_value).to_json(), distance_figure(runs, land.minima).to_json()),
        table_html="", table_note="")
    page_file = tmp_path / "race.html"
    page_file.write_text(static_page.page_html(content))
    return page_file.as_uri()


# What the race drew of the surface: the colours' z, the level lines (z and plotly's contours) and the colour bar.
DRAWN_SURFACE = """() => { const gd = document.querySelector('[data-testid="race-view"] .js-plotly-plot');
  const heat = gd._fullData.find(t => t.type === 'heatmap'), lines = gd._fullData.find(t => t.type === 'contour');
  const rows = (z) => z.map(r => Array.from(r));
  return {z: rows(heat.z), f: rows(heat.customdata), lines: rows(lines.z), lx: Array.from(lines.x),
          contours: lines.contours,
          ticks: [...gd.querySelectorAll('.colorbar .cbaxis text')].map(t => t.textContent),
          title: gd.querySelector('.colorbar .cbtitle text').textContent}; }"""


@pytest.mark.parametrize("name", ["ravine", "two_wells"])
def test_the_race_draws_the_levels_and_colour_bar_python_placed(browser, tmp_path, name):
    land = landscapes.get(name)
    grid = contour_grid(land)
    tr = optimizers.simulate(land, "gd", land.start, 20, lr=0.02)
    run = Run("GD", PALETTE[0], tr.points[:, 0], tr.loss[:, 0], int(tr.diverged_at[0]))
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(race_page(tmp_path, land, grid, [run]))
    race(page)
    drawn = page.evaluate(DRAWN_SURFACE)
    np.testing.assert_allclose(drawn["z"], grid.z, rtol=1e-5, atol=1e-6)        # race.js maps heights as Python
    np.testing.assert_allclose(drawn["f"], grid.f, rtol=1e-5, atol=1e-6)        # the hover gives f
    start, end, size = grid.levels
    assert drawn["contours"]["start"] == start and drawn["contours"]["size"] == size
    assert drawn["contours"]["end"] == pytest.approx(end)
    lines = np.asarray(drawn["lines"])
    fine = 1 if len(grid.scale.refs) == 1 else 3                                 # traced finer above a 2nd minimum
    assert lines.shape == ((len(grid.y) - 1) * fine + 1,) * 2 and len(drawn["lx"]) == lines.shape[1]
    np.testing.assert_allclose(lines[::fine, ::fine], grid.lines, rtol=1e-5, atol=1e-6)
    assert drawn["ticks"] == list(grid.ticks[1]) and drawn["title"] == grid.label
    page.close()


# The race's plot areas: their total area, each one's scale (px per unit, x and y), and how far the page scrolls.
COVERAGE = """() => {
  const gd = document.querySelector('[data-testid="race-view"] .js-plotly-plot'), L = gd._fullLayout;
  const axes = Object.keys(L).filter(k => /^xaxis\\d*$/.test(k)).map(k => [L[k], L['y' + k.slice(1)]]);
  const scroller = document.querySelector('[data-testid="stMain"]');
  return {area: axes.reduce((sum, [xa, ya]) => sum + xa._length * ya._length, 0), window: innerWidth * innerHeight,
          scales: axes.map(([xa, ya]) => [Math.abs(xa._m), Math.abs(ya._m)]),
          scroll: Math.max(document.scrollingElement.scrollHeight, scroller.scrollHeight), height: innerHeight,
          bottom: document.querySelector('[data-testid="race-view"]').getBoundingClientRect().bottom}; }"""


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_presenter_mode_fills_a_projector_at_equal_scale_without_scrolling(browser, app_url, size):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(app_url + "/?present=1&surface=ravine&angle=30", wait_until="domcontentloaded")
    wait_for_app(page)
    race(page)
    m = page.evaluate(COVERAGE)
    assert len(m["scales"]) == 4 and m["area"] / m["window"] >= 0.33, m["area"] / m["window"]
    for x_scale, y_scale in m["scales"]:                          # a unit is as long across as up: a turned
        assert abs(x_scale / y_scale - 1) < 0.01                  # valley looks turned
    assert m["scroll"] <= m["height"] and m["bottom"] <= m["height"]
    context.close()


# Every title on the page's plotly figures (the race's panel titles, the charts' titles) against its figure's box.
TITLES = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap((gd) => {
  const box = gd.getBoundingClientRect(), race = !!gd.closest('[data-testid="race-view"]'), L = gd._fullLayout;
  const panel = race ? L.xaxis._length : box.width;
  return [...gd.querySelectorAll('.gtitle, .annotation-text')].map((t) => { const r = t.getBoundingClientRect();
    return {text: t.textContent, race, left: r.left - box.left, right: r.right - box.left, top: r.top - box.top,
            width: r.width, box: box.width, panel}; }); })"""


@pytest.mark.parametrize("width", [1440, 390])
def test_every_title_fits_its_chart(browser, app_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 500)
    page = context.new_page()
    page.goto(app_url + "/?opt=gd,nag,adam,prodigy", wait_until="domcontentloaded")
    wait_for_app(page)
    race(page)
    page.wait_for_function("() => document.querySelectorAll('.optiscope-figure .gtitle').length >= 3")
    titles = page.evaluate(TITLES)
    assert {t["text"][:8] for t in titles} >= {"Loss gap", "Distance", "d, the l", "Nesterov"}
    for t in titles:
        assert t["left"] >= -1 and t["right"] <= t["box"] + 1 and t["top"] >= -1, t         # inside its figure
        if t["race"]:
            assert t["width"] <= t["panel"] + 1, t                                           # and over its panel
    context.close()


# Scrolls Streamlit's main area so that panel ``n`` (0-based) of the race has its top at ``top`` px, or its bottom at
# ``bottom`` px from the window's top; returns the panel's box in the window.
SCROLL_TO_PANEL = """([n, top, bottom]) => {
  const gd = document.querySelector('[data-testid="race-view"] .js-plotly-plot'), L = gd._fullLayout;
  const xa = L['xaxis' + (n ? n + 1 : '')], ya = L['yaxis' + (n ? n + 1 : '')];
  const panel = () => { const b = gd.getBoundingClientRect();
    return {left: b.left + xa._offset, top: b.top + ya._offset, bottom: b.top + ya._offset + ya._length}; };
  const now = panel();
  document.querySelector('[data-testid="stMain"]').scrollBy(0, top !== null ? now.top - top : now.bottom - bottom);
  return panel(); }"""
# The element on top at the centre of the Play/Pause button.
ON_TOP = """() => { const b = document.querySelector('[data-testid="race-view"] .race-play').getBoundingClientRect();
  return document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2).className; }"""


def test_on_a_phone_play_is_in_reach_beside_the_first_and_the_last_panel(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(app_url + "/", wait_until="domcontentloaded")
    wait_for_app(page)
    view = race(page)
    assert graph(page)["panels"] == 4
    for n, top, bottom in ((0, 90, None), (3, None, 700)):
        panel = page.evaluate(SCROLL_TO_PANEL, [n, top, bottom])
        page.wait_for_timeout(200)
        play = view.locator(".race-play").bounding_box()
        assert panel["top"] >= 0 and panel["bottom"] <= play["y"], (n, panel, play)   # the panel in view, above Play
        assert play["y"] + play["height"] <= 844 and "race-play" in page.evaluate(ON_TOP)
    view.locator(".race-play").tap()
    page.wait_for_function("() => Number(document.querySelector('[data-testid=\"race-view\"]').dataset.step) > 0 && "
                           "Number(document.querySelector('[data-testid=\"race-view\"]').dataset.step) < 200")
    assert view.locator(".race-play").get_attribute("aria-label") == "Pause"             # it plays
    context.close()
