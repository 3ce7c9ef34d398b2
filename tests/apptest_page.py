"""Opening the page under streamlit.testing.v1.AppTest, shared by the AppTest modules."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_app(query: dict[str, str] | None = None) -> AppTest:
    """Run ``app.py`` once, as a browser opening ``?query`` would."""
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()
