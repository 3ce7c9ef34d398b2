"""Network mode in the live app, in a real browser: a share link opens the plane race with its paths and one
decision-boundary panel per optimizer, the keys move both, and a settings change in the sidebar redraws them."""
from __future__ import annotations

from tests.browser.conftest import wait_for_app
from tests.browser.race import race, step

LINK = "mode=network&opt=gd,momentum,adam&steps=200&layout=overlay"
# The race's plotly graph: its contour panels and the runs' whole paths (race.js's hover carriers: it paints the
# visible part on its canvas at their positions), with how many finite points each holds.
PATHS = """() => { const gd = document.querySelector('[data-testid="race-view"] .js-plotly-plot');
  const carriers = gd.data.filter(t => t.type === 'scatter' && t.mode === 'none');
  return {panels: gd.data.filter(t => t.type === 'contour').length, paths: carriers.length,
          points: carriers.map(t => Array.from(t.x).filter(Number.isFinite).length)}; }"""
KEYFRAME = """() => Number(document.querySelector('.race-boundaries').dataset.keyframe)"""
NOTES = """() => [...document.querySelectorAll('.race-boundary-note')].map(n => n.textContent)"""


def test_a_network_link_shows_the_plane_race_with_paths_and_boundaries(open_app):
    page = open_app(LINK)
    view = race(page)
    drawn = page.evaluate(PATHS)
    assert drawn["panels"] == 1 and drawn["paths"] == 3                   # overlay: three paths on one plane
    assert all(n > 100 for n in drawn["points"])
    assert page.locator(".race-boundary canvas").count() == 3             # one network per optimizer
    assert step(view) == 200
    titles = page.locator(".race-boundary-title").all_inner_texts()
    assert all(t.startswith(name) for t, name in zip(titles, ("Gradient descent", "Momentum", "Adam"), strict=True))
    view.focus()
    page.keyboard.press("Home")
    assert step(view) == 0
    page.wait_for_function(f"() => ({KEYFRAME})() === 0")
    assert all(note.startswith("step 0 ·") for note in page.evaluate(NOTES))
    page.keyboard.press("End")
    page.wait_for_function(f"() => ({KEYFRAME})() === 200")
    text = "\n".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
    assert "How far to trust this picture" in text
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.console_errors == []


def test_a_network_setting_changed_in_the_sidebar_redraws_the_race(open_app):
    page = open_app(LINK)
    view = race(page)
    before = view.get_attribute("data-revision")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator(".st-key-net-dataset").click()
    page.get_by_role("option", name="Concentric circles").click()
    wait_for_app(page)
    page.wait_for_function("(r) => document.querySelector('[data-testid=\"race-view\"]').dataset.revision !== r",
                           arg=before, timeout=30_000)
    assert "dataset=circles" in page.url
    assert page.locator(".race-boundary canvas").count() == 3
    assert page.evaluate(PATHS)["paths"] == 3
    assert page.console_errors == []


def test_the_mode_switch_in_the_sidebar_enters_network_mode(open_app):
    page = open_app("opt=gd,adam")
    race(page)
    assert page.locator(".race-boundary canvas").count() == 0
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="Train a network").click()
    wait_for_app(page)
    page.wait_for_function("() => document.querySelectorAll('.race-boundary canvas').length > 0", timeout=30_000)
    assert "mode=network" in page.url
    assert page.console_errors == []


# The spectrum chart's markers (where plotly drew them) against where its y axis puts their values, in px.
MARKERS = """() => { const gd = document.querySelector('[data-chart="spectrum"] .js-plotly-plot');
  const ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
  const drawn = [...gd.querySelectorAll('.scatterlayer .trace:first-child .point')].map((p) => {
    const r = p.getBoundingClientRect(); return r.top + r.height / 2 - box.top; });
  return {drawn, axis: Array.from(gd._fullData[0].y).map((v) => ya._offset + ya.l2p(v)),
          title: gd.querySelector('.gtitle').getBoundingClientRect().bottom - box.top, top: ya._offset}; }"""


def test_a_chart_with_a_two_line_title_draws_its_data_on_its_axes(open_app):
    """The spectrum's title takes two lines at 1440 px: the plot moves down for it, and its markers with it."""
    page = open_app("mode=network")
    race(page)
    page.wait_for_function("() => !!document.querySelector('[data-chart=\"spectrum\"] .gtitle')")
    measured = page.evaluate(MARKERS)
    assert len(measured["drawn"]) == 2                                    # the plane's two directions
    for drawn, axis in zip(measured["drawn"], measured["axis"], strict=True):
        assert abs(drawn - axis) < 1.5, measured
    assert measured["title"] <= measured["top"], measured                 # the title above the plot
    assert page.console_errors == []
