"""Addresses of views: a share link is the page's address with the state's query string.

Every link the app writes goes through :func:`link`: the Share tab's link and presenter link, each lesson's and
claim's link, and a published page's link back to the live app (:func:`live_link`, which first checks the
address a person typed).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from state import share
from state.share import AppState


def link(base: str, query: Mapping[str, str]) -> str:
    """The address ``base`` (with no query) opening the view ``query`` names; commas are left as they are, so a
    list such as ``opt=gd,adam`` stays readable."""
    return f"{base}?{urlencode(query, safe=',')}"


def live_link(base_url: str, state: AppState) -> str:
    """The share link of ``state`` on the live app at ``base_url``: an http(s) address with a host and no query or
    fragment (where the app opens).  ``ValueError`` with a message a person can act on otherwise."""
    base = base_url.strip()
    example = "(e.g. https://optiscope.example.org/)."
    try:
        parts = urlsplit(base)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:                   # a port that is not a number
        valid = False
    if not valid or re.search(r"[\s<>\"'`\\]", base):
        raise ValueError(f"Invalid app address {base!r}: give the address the app opens at, which starts with "
                         f"http:// or https:// {example}")
    if "?" in base or "#" in base:
        raise ValueError(f"Invalid app address {base!r}: leave out the part from '?' or '#' on, since the link adds "
                         f"the view's own {example}")
    return link(base if parts.path else f"{base}/", share.encode(state))
