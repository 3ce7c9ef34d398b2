"""A server restart under an open page loses nothing: the page reconnects by itself, the new server process draws
the same race from the page's link, and the first change made after the reconnection is kept."""
from __future__ import annotations

from tests.browser.conftest import free_port, start_streamlit, stop, wait_for_app, wait_healthy
from tests.browser.race import race
from tests.browser.restart import (
    step_up_steps,
    steps_shown,
    wait_disconnected,
    wait_reconnected_and_rerun,
    watch_runs,
)

LINK = "opt=gd,adam&steps=201"


def revision_of(page, url: str) -> str:
    """The race revision a fresh page draws for ``url``."""
    fresh = page.context.new_page()
    fresh.goto(url, wait_until="domcontentloaded")
    wait_for_app(fresh)
    revision = race(fresh).get_attribute("data-revision")
    fresh.close()
    return revision


def test_a_server_restart_under_an_open_page_loses_nothing(page, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log_file:
        server = start_streamlit(port, log_file)
        try:
            wait_healthy(server, url, log_path)
            page.goto(f"{url}/?{LINK}", wait_until="domcontentloaded")
            wait_for_app(page)
            drawn = race(page).get_attribute("data-revision")
            watch_runs(page)

            server.kill()                                    # a crash: the page is not told anything
            server.wait(timeout=10)
            wait_disconnected(page)
            server = start_streamlit(port, log_file)         # the same address, a process that never saw the page
            wait_healthy(server, url, log_path)
            wait_reconnected_and_rerun(page)
            page.console_errors.clear()                      # those of the outage (refused connections) are expected
            assert race(page).get_attribute("data-revision") == drawn     # the same race, drawn by the new process
            assert "steps=201" in page.url and steps_shown(page) == 201

            step_up_steps(page)                              # the first change after the reconnection
            assert steps_shown(page) == 202
            assert "steps=202" in page.url
            assert race(page).get_attribute("data-revision") == revision_of(page, f"{url}/?opt=gd,adam&steps=202")
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.console_errors == []
        finally:
            stop(server)
