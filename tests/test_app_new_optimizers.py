"""The page with the newer optimizers (AppTest): sidebar widgets, race and inspector render from the entries alone."""
from __future__ import annotations

import pytest

from tests.apptest_page import open_app

pytestmark = pytest.mark.app


@pytest.mark.parametrize(("opts", "inspect", "shown"), [
    ("bfgs,adagrad_full,sam,sf_sgd,sf_adamw,prodigy", "bfgs", r"\text{Armijo backtracking}"),
    ("dadapt_adam,muon,sam", "sam", r"\text{gradient at the point}"),
])
def test_page_and_inspector_render_the_newer_optimizers(opts, inspect, shown):
    at = open_app({"surface": "rosenbrock", "opt": opts, "inspect": inspect, "inspect_step": "4"})
    assert not at.exception and not at.warning
    for name in opts.split(","):
        assert f"hp.{name}.lr" in at.session_state
    latex = "\n".join(m.value for m in at.latex)
    assert shown in latex                        # a line of the generic explainer, which only the inspector shows
