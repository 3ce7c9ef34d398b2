"""The real page in headless Chromium: loading, panels, Play, and share links."""
from __future__ import annotations

from tests.browser.conftest import wait_for_app

RACE = '[data-testid="stPlotlyChart"] >> nth=0'

# The race figure's state as the browser holds it: panel count, slider label, and the last path drawn.
FIGURE_STATE = """() => {
  const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  const paths = gd.data.filter(t => t.type === 'scatter' && t.mode && t.mode.includes('lines'));
  const last = paths[paths.length - 1];
  return {
    panels: gd.data.filter(t => t.type === 'contour').length,
    frames: (gd._transitionData && gd._transitionData._frames || []).length,
    label: (gd.querySelector('.slider-label') || {}).textContent || '',
    lastX: Array.from(last.x), lastY: Array.from(last.y),
  };
}"""


def figure_state(page) -> dict:
    page.locator(RACE).locator(".js-plotly-plot").wait_for(state="attached", timeout=30_000)
    return page.evaluate(FIGURE_STATE)


def test_page_loads_with_one_panel_per_optimizer(open_app):
    page = open_app()
    state = figure_state(page)
    assert state["panels"] == 4
    assert state["frames"] > 1
    assert page.get_by_text("Optiscope", exact=True).first.is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.console_errors == []


def test_play_advances_the_frame(open_app):
    page = open_app("opt=gd,adam&steps=300")
    before = figure_state(page)["label"]
    page.locator(RACE).get_by_text("Play", exact=False).first.click()
    page.wait_for_timeout(1500)
    after = figure_state(page)["label"]
    assert before.strip() == "step 300"
    assert after.strip() != before.strip() and after.strip().startswith("step ")
    assert page.console_errors == []


def test_copied_share_link_reproduces_the_state(open_app, browser, app_url):
    page = open_app("surface=himmelblau&opt=adam,nag&steps=150")
    page.get_by_text("Overlay", exact=True).click()
    wait_for_app(page)
    page.get_by_role("tab", name="Share & export").click()
    link = page.locator('[data-testid="stCode"] code').first.inner_text().strip()
    assert "layout=overlay" in link and "surface=himmelblau" in link
    original = figure_state(page)

    fresh = browser.new_context().new_page()
    fresh.goto(link.replace("localhost", "127.0.0.1"), wait_until="domcontentloaded")
    wait_for_app(fresh)
    copy = figure_state(fresh)
    assert copy["panels"] == 1
    assert copy["lastX"] == original["lastX"] and copy["lastY"] == original["lastY"]
    assert fresh.locator('[data-testid="stAlert"]').count() == 0
    assert "layout=overlay" in fresh.url
    fresh.context.close()


def test_broken_link_warns_in_the_page(open_app):
    page = open_app("opt=adam,warp&adam.lr=abc")
    text = page.locator('[data-testid="stAlert"]').all_inner_texts()
    joined = "\n".join(text)
    assert "'warp'" in joined and "adam.lr=abc" in joined
    assert figure_state(page)["panels"] == 1
    assert page.console_errors == []
