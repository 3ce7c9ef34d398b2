"""The race view on the page: two in-page Streamlit components (``st.components.v2``) and the files they load.

- ``optiscope_race_surface`` carries the surface payload.  Its element is byte-identical on every rerun with
  the same surface, so Streamlit's message cache sends it by reference: the contour reaches the browser once.
- ``optiscope_race_view`` carries the runs payload and mounts ``race.js``, which draws with plotly.js; it also
  draws the plain figures beside the race (:func:`figure`).

No CDN.  plotly.js is a partial bundle (core, heatmap, contour) committed in ``viz/race_view/static`` (rebuilt and
checked by ``viz/race_view/vendor_plotly.py``), served by the app itself: that folder is registered as a file
folder with ``st.components.v1.declare_component(path=...)``, whose route (``/component/<name>/<file>``) serves
it.  URLs carry a hash of the file so a new version is never read from a stale cache.  :func:`preload`, called
first on the page, starts the download before anything is drawn.
"""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence

import streamlit as st
import streamlit.components.v1 as components

from viz.race_view import PLOTLY_JS, STATIC

_surface = st.components.v2.component("optiscope_race_surface", js=(STATIC / "surface_mount.js").read_text(),
                                      isolate_styles=False)
_view = st.components.v2.component("optiscope_race_view", js=(STATIC / "view_mount.js").read_text(),
                                   isolate_styles=False)


@functools.lru_cache(maxsize=8)
def _version(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.blake2b(f.read(), digest_size=6).hexdigest()


@functools.cache
def assets() -> dict[str, str]:
    """Page-relative URLs of plotly.js, race.js and race.css, registered on the running server once per process
    (registering looks the caller's module up in ``sys.modules``, a few milliseconds a call).  Shared: never
    change the dict."""
    static = components.declare_component("race_view_static", path=str(STATIC))

    def url(name: str) -> str:
        return f"component/{static.name}/{name}?v={_version(str(STATIC / name))}"

    return {"plotly": url(PLOTLY_JS.name), "race": url("race.js"), "css": url("race.css")}


def preload() -> None:
    """Start loading plotly.js, race.js and race.css in the browser.  Called first thing on the page: the
    files download and compile while the server still runs the rest of the script."""
    _view(key="race_preload", data={"kind": "preload", "assets": assets()})


def figure(figure_json: str, *, key: str) -> None:
    """A plain (not animated) figure, given as plotly JSON (``fig.to_json()``), drawn with the same plotly.js as
    the race, so a page showing both loads plotly.js once, not twice (``st.plotly_chart`` brings its own copy).
    On a page with a race it is drawn once the race has drawn."""
    _view(key=key, data={"kind": "figure", "assets": assets(), "figure": figure_json})


def figures(named: Sequence[tuple[str, str]], *, key: str) -> None:
    """Several plain figures, ``(name, plotly JSON)`` pairs, in one grid of two columns (one on a phone), each in a
    cell carrying ``data-chart="<name>"``: one element, so the component's script is sent once for all of them."""
    _view(key=key, data={"kind": "figures", "assets": assets(), "figures": [fig for _, fig in named],
                         "names": [name for name, _ in named]})


def race(surface: dict, runs: dict, *, key: str, on_start: Callable[[], None]) -> None:
    """Draw the race: ``surface`` and ``runs`` are :mod:`viz.race_view` payloads; ``on_start`` is the callback
    for a click on a panel (it reads ``st.session_state[key].start``, an ``[x, y]`` pair)."""
    with st.container(gap=None):
        _surface(key=f"{key}_surface", data=surface)
        _view(key=key, data={"assets": assets(), "surface": surface["id"], "runs": runs}, on_start_change=on_start)
