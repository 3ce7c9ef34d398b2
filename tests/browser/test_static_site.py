"""``publish.py``'s site and the Share tab's single-file page in a real browser, opened from ``file://`` with every
network request refused: each page draws its race and charts, Play and the keys move it, nothing is fetched, no
console error; the index links every page; a page fits a 960x540 iframe (a 16:9 slide), and ``?embed`` shows the race
alone with no scroll bars."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

import publish
from state import lessons, network_lessons
from tests.browser.race import VIEW, race, step
from ui import published
from viz import static_page

BASE = "https://optiscope.example.org/"
SLIDE = {"width": 960, "height": 540}
# What overflows: the document beyond the window, and the race beyond its own box.
OVERFLOW = """() => { const v = document.querySelector('[data-testid="race-view"]'), d = document.documentElement;
  const box = v.getBoundingClientRect();
  return {docW: d.scrollWidth, docH: d.scrollHeight, winW: innerWidth, winH: innerHeight,
          raceTop: box.top, raceBottom: box.bottom, raceScrollW: v.scrollWidth, raceW: v.clientWidth,
          raceScrollH: v.scrollHeight, raceH: v.clientHeight}; }"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    publish.build(out, BASE)
    return out


def offline_page(browser, viewport=None):
    """A page in its own context that refuses every request not for a file:// URL and records each one, with
    console errors, in ``page.problems``."""
    context = browser.new_context(viewport=viewport or {"width": 1440, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.problems = problems

    def refuse(route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            problems.append(f"network request: {route.request.url}")
            route.abort()

    page.route("**/*", refuse)
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console.error: {msg.text}"))
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    return page


def plays(page) -> None:
    """Play moves the race from the start; the keys step it."""
    view = race(page)
    last = step(view)
    assert last > 0 and view.get_attribute("data-drawn") == "true"
    view.get_by_role("button", name="Play").click()
    page.wait_for_function(f"() => {{ const s = Number(document.querySelector('{VIEW}').dataset.step);"
                           f" return s > 0 && s < {last}; }}")
    view.get_by_role("button", name="Pause").click()
    view.focus()
    page.keyboard.press("Home")
    assert step(view) == 0
    page.keyboard.press("ArrowRight")
    assert step(view) == page.evaluate(f"OptiscopeRace.shownSteps({last})[1]") >= 1     # the next step shown


@pytest.mark.parametrize("key", lessons.KEYS)
def test_lesson_page_draws_and_plays_from_file_with_no_network(browser, site, key):
    page = offline_page(browser)
    page.goto((site / f"{key}.html").as_uri())
    plays(page)
    figures = page.locator("[data-figure]")
    assert figures.count() >= 2
    page.wait_for_function("() => [...document.querySelectorAll('[data-figure]')].every(el => el._fullLayout)")
    assert page.locator(".op-table table tr").count() == 1 + len(lessons.get(key).settings["opt"].split(","))
    assert page.get_by_text(lessons.get(key).title, exact=True).first.is_visible()
    assert page.problems == []
    page.context.close()


@pytest.mark.parametrize("key", ["net_ravine", "net_random_plane"])
def test_network_lesson_page_draws_its_boundaries_and_plays_from_file(browser, site, key):
    page = offline_page(browser)
    page.goto((site / f"{key}.html").as_uri())
    plays(page)
    lesson = network_lessons.get(key)
    chosen = lesson.query["opt"].split(",")
    assert page.locator(".race-boundary canvas").count() == len(chosen)
    page.wait_for_function("() => [...document.querySelectorAll('[data-figure]')].every(el => el._fullLayout)")
    assert page.locator("[data-figure]").count() == 5                  # loss, accuracy, plane loss, distance, spectrum
    assert page.locator(".op-table table tr").count() == 1 + len(chosen)
    assert page.get_by_text(lesson.title, exact=True).first.is_visible()
    assert page.problems == []
    page.context.close()


def test_index_links_every_page_and_its_links_open_them(browser, site):
    page = offline_page(browser)
    page.goto((site / "index.html").as_uri())
    hrefs = page.locator(".op-lessons a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [f"{key}.html" for key in (*lessons.KEYS, *network_lessons.KEYS)]
    page.get_by_role("link", name=lessons.get("zigzag").title).click()
    race(page)
    assert page.url.endswith("/zigzag.html")
    page.get_by_role("link", name="Optiscope lessons").click()          # and back to the index
    page.wait_for_url(re.compile(r"/index\.html$"))
    assert page.problems == []
    page.context.close()


def test_embed_fits_a_slide_with_no_scroll_bars_for_every_lesson(browser, site):
    page = offline_page(browser, SLIDE)
    for key in (*lessons.KEYS, *network_lessons.KEYS):
        page.goto((site / f"{key}.html").as_uri() + "?embed")
        race(page)
        box = page.evaluate(OVERFLOW)
        assert box["docW"] <= SLIDE["width"] and box["docH"] <= SLIDE["height"], (key, box)
        assert box["raceScrollW"] <= box["raceW"] and box["raceScrollH"] <= box["raceH"], (key, box)
        assert not page.locator("h1").is_visible() and page.locator("[data-figure]").first.is_hidden()
        assert page.evaluate("document.querySelectorAll('[data-figure] .js-plotly-plot').length") == 0
    assert page.problems == []
    page.context.close()


def test_a_page_in_a_960x540_iframe_fits_its_race_and_embed_plays_there(browser, site, tmp_path):
    key = "rotate_valley"                                 # five panels: the most a lesson shows
    host = tmp_path / "slide.html"
    host.write_text(f'<!DOCTYPE html><html><body style="margin:0">'
                    f'<iframe id="full" src="{(site / f"{key}.html").as_uri()}" width="960" height="540"></iframe>'
                    f'<iframe id="embed" src="{(site / f"{key}.html").as_uri()}?embed" width="960" height="540">'
                    "</iframe></body></html>")
    page = offline_page(browser, {"width": 1000, "height": 1200})
    page.goto(host.as_uri())
    for name in ("full", "embed"):
        frame = page.frame_locator(f"#{name}")
        frame.locator(f'{VIEW}[data-drawn="true"]').wait_for()
        inner = page.locator(f"#{name}").element_handle().content_frame()
        box = inner.evaluate(OVERFLOW)
        assert box["winW"] <= 960 and box["winH"] <= 540
        assert box["raceBottom"] - box["raceTop"] <= box["winH"], (name, box)     # the race fits the frame
        assert box["raceScrollW"] <= box["raceW"] and box["raceScrollH"] <= box["raceH"], (name, box)
        if name == "embed":
            assert box["docH"] <= box["winH"] and box["docW"] <= box["winW"], box    # nothing to scroll
            frame.get_by_role("button", name="Play").click()
            inner.wait_for_function(f"() => Number(document.querySelector('{VIEW}').dataset.step) > 0")
    assert page.problems == []
    page.context.close()


def test_phone_width_stacks_the_panels_with_nothing_wider_than_the_screen(browser, site):
    page = offline_page(browser, {"width": 390, "height": 844})
    page.goto((site / "zigzag.html").as_uri())
    plays(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.problems == []
    page.context.close()


def test_single_file_page_plays_with_no_network(browser, tmp_path):
    state, race_state, trajs = published.lesson_view("adam_bias")
    page_file = tmp_path / "optiscope_adam_bias.html"
    page_file.write_text(static_page.page_html(published.content(state, race_state, trajs, live_url=BASE)))
    page = offline_page(browser)
    page.goto(page_file.as_uri())
    plays(page)
    link = page.get_by_role("link", name="Open this view live in Optiscope")
    assert link.get_attribute("href").startswith(BASE + "?surface=ravine&")
    assert page.problems == []
    page.context.close()


def test_share_tab_downloads_a_published_page_that_plays_offline_and_links_back(open_app, wait_for_app, browser,
                                                                                tmp_path, app_url):
    app = open_app(urlencode(lessons.get("noise_floor").query))
    app.get_by_role("tab", name="Share & export").click()
    wait_for_app(app)
    with app.expect_download() as download:
        app.get_by_role("button", name="Published page (HTML)").click()
    page_file = tmp_path / download.value.suggested_filename
    download.value.save_as(page_file)
    assert page_file.name == "optiscope_noise_floor.html"
    page = offline_page(browser)
    page.goto(page_file.as_uri())
    plays(page)
    assert page.get_by_text(f"Lesson: {lessons.get('noise_floor').title}.").is_visible()
    link = page.get_by_role("link", name="Open this view live in Optiscope").get_attribute("href")
    assert link.startswith(f"{app_url}/?surface=ravine&") and "lesson=noise_floor" in link
    assert page.problems == [] and app.console_errors == []
    page.context.close()
