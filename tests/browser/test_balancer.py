"""Optiscope through HAProxy in front of two app processes (``deploy/local.sh 2 PORT``) in a real browser: share
links draw the race, a settings change redraws it and a download works, for a browser on either process; and a
replica going away under an open page loses nothing."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

import optimizers
from state import export, share
from tests.browser.conftest import VIEWPORT, wait_for_app
from tests.browser.race import race
from tests.browser.restart import (
    step_up_steps,
    steps_shown,
    wait_disconnected,
    wait_reconnected_and_rerun,
    watch_runs,
)
from tests.local_sh import COOKIE, Local, alive, haproxy

LINK = "opt=gd,adam&steps=201"
CHANGED = "opt=gd,adam&steps=202"


@pytest.fixture(scope="module")
def balancer(tmp_path_factory) -> Local:
    """Two app processes behind HAProxy, started by deploy/local.sh; everything it started is stopped after."""
    haproxy()
    run = tmp_path_factory.mktemp("local_sh")
    local = Local(2, run / "run", run / "local.log")
    yield local
    local.stop()


def expected_csv(query: str) -> str:
    """The trajectories CSV of the view ``query`` describes, from runs made here."""
    state, _ = share.decode(dict(part.split("=", 1) for part in query.split("&")))
    return export.to_csv({name: optimizers.simulate(share.landscape_of(state), name, share.start_of(state),
                                                    state.steps, seed=state.seed, **state.hyper[name])
                          for name in state.optimizers})


def open_view(browser, url: str):
    """A browser of its own (own cookies) showing ``url``; its page errors in ``page.console_errors``."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.goto(url, wait_until="domcontentloaded")
    wait_for_app(page)
    race(page)
    return page


def process_of(page) -> str:
    """The app process HAProxy pinned this browser to (the affinity cookie's value, app1 or app2)."""
    (value,) = [c["value"] for c in page.context.cookies() if c["name"] == COOKIE]
    return value


def download_csv(page) -> str:
    page.get_by_role("tab", name="Share & export").click()
    wait_for_app(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Trajectories (CSV)").click()
    return Path(download.value.path()).read_text()


def test_share_links_draw_change_and_download_on_either_process(browser, balancer):
    first = open_view(browser, f"{balancer.url}/?{LINK}")
    second = open_view(browser, f"{balancer.url}/?{LINK}")           # the first one's websocket is open meanwhile
    try:
        assert {process_of(first), process_of(second)} == {"app1", "app2"}
        drawn = race(first).get_attribute("data-revision")
        assert race(second).get_attribute("data-revision") == drawn   # the same link, the same race, either process
        for page in (first, second):
            watch_runs(page)
            step_up_steps(page)
            assert steps_shown(page) == 202 and "steps=202" in page.url
            assert race(page).get_attribute("data-revision") != drawn
            assert download_csv(page) == expected_csv(CHANGED)       # the file is made by the session's process
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.console_errors == []
    finally:
        first.context.close()
        second.context.close()


def test_a_replica_going_away_under_an_open_page_loses_nothing(browser, balancer):
    page = open_view(browser, f"{balancer.url}/?{LINK}")
    balancer.process.send_signal(signal.SIGSTOP)    # local.sh holds off starting the process again: it stays away
    try:
        drawn = race(page).get_attribute("data-revision")
        gone = process_of(page)
        watch_runs(page)
        os.kill(balancer.app_pid(int(gone.removeprefix("app"))), signal.SIGKILL)   # its process crashes

        wait_disconnected(page)
        wait_reconnected_and_rerun(page)            # through HAProxy, to the other process
        page.console_errors.clear()                 # those of the outage are expected
        moved = process_of(page)
        assert moved != gone and alive(balancer.app_pid(int(moved.removeprefix("app"))))
        assert race(page).get_attribute("data-revision") == drawn
        assert "steps=201" in page.url and steps_shown(page) == 201

        step_up_steps(page)                         # the first change after the reconnection is kept
        assert steps_shown(page) == 202 and "steps=202" in page.url
        fresh = open_view(browser, f"{balancer.url}/?{CHANGED}")
        assert race(page).get_attribute("data-revision") == race(fresh).get_attribute("data-revision")
        fresh.context.close()
        assert download_csv(page) == expected_csv(CHANGED)           # its requests follow it to its new process
        assert page.console_errors == []
    finally:
        balancer.process.send_signal(signal.SIGCONT)
        page.context.close()
