"""Published pages: a view of the app as static HTML that needs no server and no network (no Streamlit here).

:func:`page_html` writes one page: the race with its controls (``race_view/static/race.js`` with the committed
plotly.js bundle, driven by ``published.js``), the charts beside it, the summary table, the lesson's text and the
claims it checks, and a link that opens the same view live in the app.  With ``assets=None`` every script and
style is inlined (one self-contained file, the Share tab's download); with ``assets="assets"`` the page loads them
from that folder relative to itself (the site ``publish.py`` writes, whose :func:`asset_files` are written once and
shared by every page).  :func:`index_html` is the site's list of pages.

The data the page draws is one JSON block (``<script type="application/json" id="optiscope-data">``):
``{"surface": <surface payload>, "runs": <runs payload>, "figures": [<plotly figure JSON>, ...]}``; the payloads
are :mod:`viz.race_view`'s.  ``?embed`` in a page's address (or ``embed=True``) shows the race alone, fitted to the
window, for an iframe on a slide.  Every link is relative, so a site opens from ``file://`` and from any host.
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from state.claims import Claim
from viz.race_view import PLOTLY_JS, STATIC

SCRIPTS = (PLOTLY_JS.name, "race.js", "published.js")     # loaded in this order
STYLES = ("race.css", "published.css")
KEYS_HELP = ("With the race focused (click it): Space plays or pauses, ← and → step, Home and End jump to the start "
             "or the end.")


@dataclass(frozen=True)
class LessonText:
    """A lesson as the page states it: its title, what to watch, and the claims it checks."""

    title: str
    watch: str
    claims: tuple[Claim, ...] = ()
    changed: bool = False        # the view's settings are no longer the lesson's
    checks: tuple[tuple[str, str], ...] = ()   # each statement the text makes, and in words how far it holds


@dataclass(frozen=True)
class PageContent:
    """Everything one published page shows; texts are plain (escaped here), ``table_html`` is built escaped."""

    title: str
    surface_title: str
    surface_description: str
    surface: dict                 # viz.race_view.surface_payload
    runs: dict                    # viz.race_view.runs_payload
    figures: tuple[str, ...]      # plotly figure JSON (fig.to_json()): loss, distance, then any per-step series
    table_html: str               # the summary table
    table_note: str
    lesson: LessonText | None = None
    alerts: tuple[str, ...] = ()  # e.g. a run that diverged
    legend: tuple[str, ...] = ()  # what the extra markers are; **bold** is the only markup
    live_url: str = ""            # the same view in the live app; "" draws no link


@dataclass(frozen=True)
class IndexEntry:
    """One page of a site, as its index lists it."""

    href: str                     # relative to the index
    title: str
    line: str
    detail: str = ""              # e.g. the surface and the optimizers, in small type


def asset_files() -> dict[str, str]:
    """The shared files of a site, by name: plotly.js, race.js, the page script and the styles."""
    return {name: (STATIC / name).read_text() for name in SCRIPTS + STYLES}


def _script_data(data: dict) -> str:
    """``data`` as JSON that cannot end or open an element inside ``<script>`` (``<``, ``>``, ``&`` escaped)."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _bold(text: str) -> str:
    """Plain ``text``, escaped, with ``**bold**`` spans as ``<strong>``."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(text))


def _head(title: str, assets: str | None, embed: bool) -> str:
    """The document's start: metadata, then the styles inlined or linked from ``assets``."""
    if assets is None:
        styles = "<style>\n" + "\n".join((STATIC / name).read_text() for name in STYLES) + "</style>"
    else:
        styles = "".join(f'<link rel="stylesheet" href="{html.escape(f"{assets}/{name}")}">' for name in STYLES)
    embedded = ' class="embed"' if embed else ""
    return (f'<!DOCTYPE html>\n<html lang="en"{embedded}><head><meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{html.escape(title)}</title>\n<link rel="icon" href="data:,">\n{styles}\n</head>\n')


def _scripts(assets: str | None) -> str:
    if assets is None:                   # "</script" cannot occur in them: a test checks the files
        return "".join(f"<script>\n{(STATIC / name).read_text()}\n</script>\n" for name in SCRIPTS)
    return "".join(f'<script src="{html.escape(f"{assets}/{name}")}"></script>\n' for name in SCRIPTS)


def _lesson(lesson: LessonText) -> str:
    parts = [f"<p><strong>Lesson: {html.escape(lesson.title)}.</strong> {html.escape(lesson.watch)}</p>"]
    if lesson.changed:
        parts.append('<p class="op-note">The settings have changed since this lesson started, so the figures may '
                     "no longer show it.</p>")
    if lesson.checks:
        items = "".join(f"<li><strong>{html.escape(says)}</strong> — {html.escape(holds)}</li>"
                        for says, holds in lesson.checks)
        parts.append('<p class="op-note">Is that always true? Each statement it makes, checked over a '
                     f'neighbourhood of its settings:</p><ul class="op-claims op-checks">{items}</ul>')
    if lesson.claims:
        items = "".join(f'<li><span class="op-verdict {html.escape(c.verdict)}">{html.escape(c.verdict)}</span> '
                        f"<strong>“{html.escape(c.claim)}”</strong> {html.escape(c.why)}</li>" for c in lesson.claims)
        parts.append(f'<p class="op-note">What it checks, each verdict computed by a test:</p>'
                     f'<ul class="op-claims">{items}</ul>')
    return f'<section class="op-lesson">{"".join(parts)}</section>\n'


def page_html(content: PageContent, *, assets: str | None = None, embed: bool = False, home: str = "") -> str:
    """One published page.  ``assets``: ``None`` inlines every script and style (a self-contained file), else the
    folder, relative to the page, that holds :func:`asset_files`.  ``embed``: the race alone (as ``?embed``).
    ``home``: a relative link back to the site's index ("" for none)."""
    if len(content.figures) < 2:
        raise ValueError(f"Invalid page content: {len(content.figures)} figures (the loss and distance charts "
                         "come first, so at least 2 are needed)")
    figures = [json.loads(fig) for fig in content.figures]
    data = _script_data({"surface": content.surface, "runs": content.runs, "figures": figures})
    brand = "Optiscope" if not home else f'<a href="{html.escape(home)}">Optiscope lessons</a>'
    live = (f'<p class="op-live"><a href="{html.escape(content.live_url)}">Open this view live in Optiscope</a></p>\n'
            if content.live_url else "")
    surface = ("" if content.title == content.surface_title        # the heading already names it
               else f"<strong>{html.escape(content.surface_title)}</strong> — ")
    charts = "".join(f'<div data-figure="{k}"></div>' for k in range(len(figures)))
    return (_head(f"{content.title} · Optiscope", assets, embed) + "<body>\n<main>\n"
            f'<header><p class="op-brand">{brand}</p><h1>{html.escape(content.title)}</h1>\n'
            f'<p class="op-surface">{surface}{html.escape(content.surface_description)}</p>\n{live}</header>\n'
            + (_lesson(content.lesson) if content.lesson else "")
            + "".join(f'<p class="op-alert">{html.escape(alert)}</p>\n' for alert in content.alerts)
            + '<div id="race"></div>\n'
            f'<p class="op-caption">{html.escape(KEYS_HELP)}</p>\n'
            + "".join(f'<p class="op-caption">{_bold(line)}</p>\n' for line in content.legend)
            + f'<div class="op-figures">{charts}</div>\n'
            f'<div class="op-table">{content.table_html}</div>\n'
            f'<p class="op-caption">{html.escape(content.table_note)}</p>\n'
            "<footer>Drawn by Optiscope: the paths were computed when this page was made and play in your browser "
            "with no server.</footer>\n</main>\n"
            f'<script type="application/json" id="optiscope-data">{data}</script>\n'
            + _scripts(assets) + "</body></html>\n")


def index_html(title: str, intro: str, entries: Sequence[IndexEntry], *, assets: str, live_url: str = "") -> str:
    """A site's index: ``intro``, then one card per entry (its title linking its page, and one line)."""
    items = "".join(f'<li><a href="{html.escape(e.href)}">{html.escape(e.title)}</a><p>{html.escape(e.line)}</p>'
                    + (f'<p class="op-detail">{html.escape(e.detail)}</p>' if e.detail else "") + "</li>"
                    for e in entries)
    live = (f'<p class="op-live"><a href="{html.escape(live_url)}">Open Optiscope live</a></p>\n' if live_url else "")
    return (_head(title, assets, False) + "<body>\n<main>\n"
            f'<header><p class="op-brand">Optiscope</p><h1>{html.escape(title)}</h1>\n'
            f"<p>{html.escape(intro)}</p>\n{live}</header>\n"
            f'<ul class="op-lessons">{items}</ul>\n'
            "<footer>Every page plays in the browser with no server; copy this folder to any web host or "
            "course page.</footer>\n</main>\n</body></html>\n")
