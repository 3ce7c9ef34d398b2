"""Opening the page under streamlit.testing.v1.AppTest, shared by the AppTest modules."""
from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_app(query: dict[str, str] | None = None) -> AppTest:
    """Run ``app.py`` once, as a browser opening ``?query`` would."""
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def open_tab(at: AppTest, label: str) -> AppTest:
    """Open the tab ``label`` and rerun: only the open tab's content is computed and drawn."""
    at.session_state["tab"] = label
    return at.run()


def open_settings(at: AppTest, optimizer: str) -> AppTest:
    """Open the sidebar's settings of ``optimizer`` and rerun: closed, their widgets are not drawn."""
    at.session_state[f"open.{optimizer}"] = True
    return at.run()


def race_spec(at: AppTest) -> dict:
    """What the race view received: ``{"surface": <surface payload>, "runs": <runs payload>}``
    (see ``viz.race_view``)."""
    parts = [(e.proto.component_name, json.loads(e.proto.json)) for e in at.get("bidi_component")]
    views = [data for name, data in parts if name == "optiscope_race_view" and "runs" in data]
    surfaces = [data for name, data in parts if name == "optiscope_race_surface"]
    assert len(views) == len(surfaces) == 1, "no race view on the page"
    assert surfaces[0]["id"] == views[0]["surface"]                     # the view draws the surface sent with it
    return {"surface": surfaces[0], "runs": views[0]["runs"]}
