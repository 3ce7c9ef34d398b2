"""A page open while its server process goes away: watching it reconnect, and the first change made after.

Used by the tests that restart a server under an open page (``test_reconnect.py``) and that take a replica
away behind the balancer (``test_balancer.py``).
"""
from __future__ import annotations

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.conftest import CONNECTED_SELECTOR, wait_for_app
from tests.browser.race import race

STEPS_SLIDER = '.st-key-steps input[type="range"]'
# Counts the script runs the page sees start (stApp's data-test-script-state turning to "running").
WATCH_RUNS = """() => { const app = document.querySelector('[data-testid="stApp"]');
  window.__runs = 0;
  new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__runs += 1; })
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }"""
DISCONNECTED = """() => document.querySelector('[data-testid="stApp"]').dataset.testConnectionState !== 'CONNECTED'"""


def watch_runs(page) -> None:
    """Start counting the script runs the page sees from now on (read with :func:`runs`)."""
    page.evaluate(WATCH_RUNS)


def runs(page) -> int:
    return page.evaluate("window.__runs")


def wait_disconnected(page, timeout: float = 30_000) -> None:
    page.wait_for_function(DISCONNECTED, timeout=timeout)


def wait_reconnected_and_rerun(page, timeout: float = 90_000) -> None:
    """Wait until the page is connected again and has rerun by itself (no interaction), then until that run is
    over: the new session has drawn the page from its link."""
    page.wait_for_selector(CONNECTED_SELECTOR, state="attached", timeout=timeout)
    try:
        page.wait_for_function("() => window.__runs > 0", timeout=30_000)
    except PlaywrightTimeoutError:
        raise AssertionError("the page reconnected but did not rerun within 30 s") from None
    wait_for_app(page, timeout=timeout)
    race(page, timeout=timeout)


def steps_shown(page) -> int:
    return int(page.locator(STEPS_SLIDER).input_value())


def step_up_steps(page) -> None:
    """Raise ``steps`` by one with the keyboard, as a person would, and wait until the run that follows is over
    (needs :func:`watch_runs`)."""
    before = runs(page)
    page.locator(STEPS_SLIDER).focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => window.__runs > {before}", timeout=60_000)
    wait_for_app(page, timeout=60_000)
