"""Fixtures for the end-to-end browser tests (Playwright + Debian's headless Chromium).

Every test collected under ``tests/browser/`` is marked ``browser`` automatically.

Fixtures:
    app_url  (session)  base URL of ``streamlit run app.py`` started from the repo root, e.g.
                        ``http://127.0.0.1:54321`` (no trailing slash). Stopped after the session.
    browser  (session)  a Playwright ``Browser`` on Debian's Chromium. Without Chromium the tests
                        are skipped, or fail when ``CI=true``.
    page     (function) a fresh ``Page`` (1440x900) in its own context; console errors and uncaught
                        page errors are collected in ``page.console_errors`` (a list of str).
    wait_for_app (function) the ``wait_for_app`` helper below, as a fixture, so tests need no import:
                        ``wait_for_app(page)`` waits until the app is connected and its script has
                        finished running. Call it after ``page.goto`` and after every interaction.
    open_app (function) ``open_app(query="")`` opens ``app_url`` (plus ``/?`` + query, e.g.
                        ``"surface=ravine&opt=adam"``) in ``page``, waits for the app, returns the page.

A test that runs a server of its own (to kill and restart it) uses the helpers ``free_port()``,
``start_streamlit(port, log_file)``, ``wait_healthy(process, url, log_path)`` and ``stop(process)``.

Typical test::

    def test_title(open_app):
        page = open_app()
        expect(page.get_by_role("heading", name="Optiscope")).to_be_visible()
        assert page.console_errors == []
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BROWSER_DIR = Path(__file__).resolve().parent

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1440, "height": 900}
SERVER_START_TIMEOUT_S = 60.0

# Attributes Streamlit puts on the [data-testid="stApp"] element (see its own e2e helpers).
APP_SELECTOR = '[data-testid="stApp"]'
CONNECTED_SELECTOR = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
NOT_RUNNING_SELECTOR = '[data-testid="stApp"][data-test-script-state="notRunning"]'
RUNNING_ICON_SELECTOR = '[data-testid="stStatusWidgetRunningIcon"]'


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that lives under tests/browser/ as ``browser``."""
    for item in items:
        if BROWSER_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _skip_or_fail(reason: str) -> None:
    """Fail in CI (``CI=true``), skip elsewhere."""
    if _in_ci():
        pytest.fail(f"{reason} (CI=true, so this is an error, not a skip)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "<no log>"


def start_streamlit(port: int, log_file) -> subprocess.Popen:
    """``streamlit run app.py`` from the repo root on 127.0.0.1:``port``, headless, its output to ``log_file``."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--server.fileWatcherType=none",
            "--browser.gatherUsageStats=false",
        ],
        cwd=REPO_ROOT,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def stop(process: subprocess.Popen) -> None:
    """Terminate ``process`` (SIGTERM, then SIGKILL after 10 s) and reap it."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start ``streamlit run app.py`` from the repo root on a free port; yield its base URL."""
    app = REPO_ROOT / "app.py"
    if not app.is_file():
        pytest.fail(f"{app} does not exist", pytrace=False)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    with log_path.open("w") as log_file:
        server = start_streamlit(port, log_file)
        try:
            wait_healthy(server, url, log_path)
            yield url
        finally:
            stop(server)


def wait_healthy(server: subprocess.Popen, url: str, log_path: Path) -> None:
    """Poll ``url``/_stcore/health until it answers 200; fail with the server's log if it never does or if
    ``server`` (streamlit, or anything that serves the app) exits first."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        if server.poll() is not None:
            pytest.fail(
                f"the server exited with code {server.returncode} before answering; log {log_path}:\n"
                f"{_tail(log_path)}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"nothing answered {url}/_stcore/health within {SERVER_START_TIMEOUT_S:.0f} s; "
                f"log {log_path}:\n{_tail(log_path)}",
                pytrace=False,
            )
        time.sleep(0.25)


def _chromium_path() -> str | None:
    """Debian's Chromium: $CHROMIUM if set, else `chromium` on PATH, else /usr/bin/chromium."""
    candidates = [os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    """A Playwright Chromium browser (Debian's binary, headless)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("playwright is not installed (pip install -r requirements-dev.txt)")
    executable = _chromium_path()
    if executable is None:
        _skip_or_fail(
            "Chromium not found (looked for $CHROMIUM, `chromium` on PATH and /usr/bin/chromium); "
            "install it with `apt-get update && apt-get install -y chromium`"
        )
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
    finally:
        pw.stop()


@pytest.fixture
def page(browser):
    """A fresh page (own context, 1440x900); errors gathered in ``page.console_errors``."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.console_errors = errors

    def on_console(msg) -> None:
        if msg.type == "error":
            errors.append(f"console.error: {msg.text} ({msg.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    yield page
    context.close()


def wait_for_app(page, timeout: float = 30_000, settle_ms: int = 300) -> None:
    """Wait until the app is visible, connected, and its script run (including reruns) has finished.

    ``timeout`` is in milliseconds, per wait. Call it after ``page.goto(app_url)`` and after each
    interaction that triggers a rerun: ``settle_ms`` gives the rerun time to start before we check
    that the script is no longer running.
    """
    page.wait_for_selector(APP_SELECTOR, state="visible", timeout=timeout)
    page.wait_for_selector(CONNECTED_SELECTOR, state="attached", timeout=timeout)
    if settle_ms:
        page.wait_for_timeout(settle_ms)
    page.wait_for_selector(NOT_RUNNING_SELECTOR, state="attached", timeout=timeout)
    page.wait_for_selector(RUNNING_ICON_SELECTOR, state="hidden", timeout=timeout)


@pytest.fixture(name="wait_for_app")
def _wait_for_app_fixture():
    """The :func:`wait_for_app` helper, for tests that prefer a fixture to an import."""
    return wait_for_app


@pytest.fixture
def open_app(page, app_url):
    """Return ``open_app(query="", timeout=30_000)``: load the app (optionally a share-link query)."""

    def _open(query: str = "", timeout: float = 30_000):
        query = query.lstrip("?")
        page.goto(app_url + ("/?" + query if query else "/"), wait_until="domcontentloaded")
        wait_for_app(page, timeout=timeout)
        return page

    return _open
