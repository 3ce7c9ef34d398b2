"""The real page in headless Chromium: loading, panels, Play, and share links."""
from __future__ import annotations

from tests.browser.conftest import wait_for_app
from tests.browser.race import graph, race, step


def test_page_loads_with_one_panel_per_optimizer(open_app):
    page = open_app()
    view = race(page)
    assert graph(page)["panels"] == 4
    assert step(view) == 200                         # a fresh page shows the finished race
    assert page.get_by_text("Optiscope", exact=True).first.is_visible()
    assert page.get_by_role("tab").count() == 6 and page.locator('[data-testid="stException"]').count() == 0
    assert page.console_errors == []


def test_play_advances_the_step(open_app):
    page = open_app("opt=gd,adam&steps=300")
    view = race(page)
    assert step(view) == 300
    view.get_by_role("button", name="Play").click()
    page.wait_for_timeout(1000)
    assert step(view) != 300
    assert page.console_errors == []


def test_copied_share_link_reproduces_the_state(open_app, browser):
    page = open_app("surface=himmelblau&opt=adam,nag&steps=150")
    page.get_by_text("Overlay", exact=True).click()
    wait_for_app(page)
    page.get_by_role("tab", name="Share & export").click()
    wait_for_app(page)
    link = page.locator('[data-testid="stCode"] code').first.inner_text().strip()
    assert "layout=overlay" in link and "surface=himmelblau" in link
    page.get_by_role("tab", name="Race").click()
    wait_for_app(page)
    original = race(page).get_attribute("data-revision")

    fresh = browser.new_context().new_page()
    fresh.goto(link.replace("localhost", "127.0.0.1"), wait_until="domcontentloaded")
    wait_for_app(fresh)
    assert race(fresh).get_attribute("data-revision") == original      # the same paths, drawn the same way
    assert graph(fresh)["panels"] == 1
    assert fresh.locator('[data-testid="stAlert"]').count() == 0
    assert "layout=overlay" in fresh.url
    fresh.context.close()


def test_broken_link_warns_in_the_page(open_app):
    page = open_app("opt=adam,warp&adam.lr=abc")
    text = page.locator('[data-testid="stAlert"]').all_inner_texts()
    joined = "\n".join(text)
    assert "'warp'" in joined and "adam.lr=abc" in joined
    race(page)
    assert graph(page)["panels"] == 1
    assert page.console_errors == []


def test_optimizer_settings_open_on_click_and_a_change_reaches_the_race(open_app):
    page = open_app("opt=gd,adam&steps=100")
    view = race(page)
    before = view.get_attribute("data-revision")
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.locator(".st-key-hp-adam-lr").count() == 0       # closed settings are not drawn
    sidebar.locator('[data-testid="stExpander"] summary').filter(has_text="Adam").click()
    wait_for_app(page)
    slider = sidebar.locator('.st-key-hp-adam-lr input[type="range"]')
    slider.focus()
    page.keyboard.press("ArrowRight")                                # the next learning rate up
    wait_for_app(page)
    page.wait_for_function("(r) => document.querySelector('[data-testid=\"race-view\"]').dataset.revision !== r",
                           arg=before)
    assert "adam.lr=" in page.url and "adam.lr=0.3" not in page.url
    assert page.console_errors == []
