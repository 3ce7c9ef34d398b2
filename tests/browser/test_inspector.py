"""The step inspector in a real browser: open its tab, press Next, and the step, the link and the numbers advance."""
from __future__ import annotations

from playwright.sync_api import expect

import optimizers
from optimizers.lines import vec
from state import share

STEP_INPUT = ".st-key-inspect_step input"
TEX = 'annotation[encoding="application/x-tex"]'     # KaTeX keeps each equation's source in its MathML


def theta(query: str, name: str, t: int) -> str:
    """θ_t of optimizer ``name`` in the link's run, as the inspector's equations write it."""
    state, _ = share.decode(dict(part.split("=", 1) for part in query.split("&")))
    tr = optimizers.simulate(share.landscape_of(state), name, share.start_of(state), state.steps, seed=state.seed,
                             **state.hyper[name])
    return vec(tr.points[t, 0])


def expect_step(page, t: int, point: str) -> None:
    """Wait until the inspector shows step ``t`` and an equation containing ``point`` (rendering lags the run)."""
    expect(page.locator(STEP_INPUT)).to_have_value(str(t), timeout=15_000)
    expect(page.locator(TEX).filter(has_text=point).first).to_be_attached(timeout=15_000)


def test_next_advances_the_inspected_step(open_app, wait_for_app):
    query = "opt=gd,momentum&steps=50"
    page = open_app(query)
    page.get_by_role("tab", name="Inspector").click()
    wait_for_app(page)
    expect_step(page, 1, theta(query, "gd", 1))

    page.get_by_role("button", name="Next ▶").click()
    wait_for_app(page)
    expect_step(page, 2, theta(query, "gd", 2))
    assert page.locator(TEX).filter(has_text=theta(query, "gd", 1)).count() >= 1    # θ_1 is now θ_{t-1}
    assert "inspect_step=2" in page.url and "inspect=gd" in page.url
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.console_errors == []


def test_inspector_link_opens_on_its_step(open_app, wait_for_app):
    query = "opt=gd,adam&inspect=adam&inspect_step=7"
    page = open_app(query)
    expect_step(page, 7, theta(query, "adam", 7))
    page.get_by_role("button", name="◀ Previous").click()
    wait_for_app(page)
    expect_step(page, 6, theta(query, "adam", 6))
    assert "inspect_step=6" in page.url
    assert page.console_errors == []
