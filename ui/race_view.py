"""The race view on the page: two in-page Streamlit components (``st.components.v2``) and the files they load.

- ``optiscope_race_surface`` carries the surface payload.  Its element is byte-identical on every rerun with
  the same surface, so Streamlit's message cache sends it by reference: the contour reaches the browser once.
- ``optiscope_race_view`` carries the runs payload and mounts ``race.js``, which draws with plotly.js; it also
  draws the plain figures beside the race (:func:`figure`).

No CDN.  plotly.js is the copy inside the installed ``plotly`` Python package, served by the app itself: its
``package_data`` folder and ``viz/race_view/static`` are registered as file folders with
``st.components.v1.declare_component(path=...)``, whose route (``/component/<name>/<file>``) serves them.
Nothing is copied or committed, and it works wherever ``pip install -r requirements.txt`` ran (Streamlit
Community Cloud included).  URLs carry a hash of the file so a new version is never read from a stale cache.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

import plotly.graph_objects as go
import streamlit as st
import streamlit.components.v1 as components

from viz.race_view import PLOTLY_JS, STATIC

_surface = st.components.v2.component("optiscope_race_surface", js=(STATIC / "surface_mount.js").read_text(),
                                      isolate_styles=False)
_view = st.components.v2.component("optiscope_race_view", js=(STATIC / "view_mount.js").read_text(),
                                   isolate_styles=False)


@lru_cache(maxsize=8)
def _version(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.blake2b(f.read(), digest_size=6).hexdigest()


def assets() -> dict[str, str]:
    """Page-relative URLs of plotly.js, race.js and race.css, registered on the running server."""
    plotly_dir = components.declare_component("plotly_js", path=str(PLOTLY_JS.parent))
    static = components.declare_component("race_view_static", path=str(STATIC))

    def url(folder, name: str) -> str:
        return f"component/{folder.name}/{name}?v={_version(folder.abspath + '/' + name)}"

    return {"plotly": url(plotly_dir, PLOTLY_JS.name), "race": url(static, "race.js"), "css": url(static, "race.css")}


def figure(fig: go.Figure, *, key: str) -> None:
    """A plain (not animated) figure drawn with the same plotly.js as the race, so a page showing both loads
    plotly.js once, not twice (``st.plotly_chart`` brings its own copy)."""
    _view(key=key, data={"kind": "figure", "assets": assets(), "figure": fig.to_json()})


def race(surface: dict, runs: dict, *, key: str, on_start) -> None:
    """Draw the race: ``surface`` and ``runs`` are :mod:`viz.race_view` payloads; ``on_start`` is the callback
    for a click on a panel (it reads ``st.session_state[key].start``, an ``[x, y]`` pair)."""
    with st.container(gap=None):
        _surface(key=f"{key}_surface", data=surface)
        _view(key=key, data={"assets": assets(), "surface": surface["id"], "runs": runs}, on_start_change=on_start)
