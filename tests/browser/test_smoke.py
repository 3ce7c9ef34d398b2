"""Smoke test: the app loads in a real browser without errors."""

from __future__ import annotations


def test_app_loads_without_console_errors(page, app_url, wait_for_app):
    page.goto(app_url, wait_until="domcontentloaded")
    wait_for_app(page)
    assert page.locator('[data-testid="stApp"]').is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0, "the app raised an exception"
    assert page.console_errors == []
