"""Build a static site of Optiscope's lessons: python publish.py OUT [--base-url URL] [--embed]

``OUT/index.html`` lists every lesson (its title and one line) and links one page per lesson, ``OUT/<lesson>.html``:
the race with its controls, its charts and summary table, the lesson's text and the claims it checks, computed by
the app's own functions (``ui.published``).  Network mode's lessons follow the surfaces': their race is on a plane
through the network's weights, with each network's decision boundaries, and says how far to trust the picture.
plotly.js, race.js and the pages' script and styles are written once, to ``OUT/assets/``.  Every link is relative
and nothing is fetched from the network, so the folder opens from ``file://`` and can be copied to any static host
or a course's LMS.  ``--base-url`` (the live app's address) adds a link from each page to the same view in the app;
``--embed`` writes pages that show the race alone (as ``?embed``).
No Streamlit server is needed.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import streamlit.logger

streamlit.logger.set_log_level("error")    # the app's functions run with no server: no notices about its absence

import optimizers  # noqa: E402  (after the logger is quietened)
from state import lessons, links, network_lessons, share  # noqa: E402
from ui import published  # noqa: E402
from viz import static_page  # noqa: E402

ASSETS = "assets"
INDEX_TITLE = "Optiscope lessons"
INDEX_INTRO = ("Each lesson races optimizers across a 2-D loss surface to show one classic behaviour, or trains a "
               "small network with several optimizers and watches them on a plane through its weights. Open one, "
               "press ▶ Play, and read what to watch; every number a lesson states is computed by a test.")
KEYS = lessons.KEYS + network_lessons.KEYS     # every page, in the index's order


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (up to the first '.', '!' or '?' followed by a capital or the end)."""
    match = re.match(r"(.+?[.!?])(?=\s+[A-Z(]|\s*$)", text, re.S)
    return match.group(1) if match else text


def page_name(key: str) -> str:
    return f"{key}.html"


def build(out: Path, base_url: str = "", embed: bool = False) -> list[Path]:
    """Write the site to ``out`` (created if needed) and return the files written, index first.  ``ValueError``
    (a message a person can act on) for a bad ``base_url`` or an ``out`` that is not a folder."""
    if base_url:
        links.live_link(base_url, share.default_state())             # checks the address before any work
    if out.exists() and not out.is_dir():
        raise ValueError(f"Invalid output folder {str(out)!r}: it is a file; give a folder (it is created if needed)")
    (out / ASSETS).mkdir(parents=True, exist_ok=True)
    written = [out / "index.html"]
    for name, text in static_page.asset_files().items():
        written.append(out / ASSETS / name)
        written[-1].write_text(text, encoding="utf-8")
    entries = []
    for lesson in lessons.LESSONS:
        state, race_state, trajs = published.lesson_view(lesson.key)
        content = published.content(state, race_state, trajs, live_url=base_url)
        written.append(out / page_name(lesson.key))
        written[-1].write_text(static_page.page_html(content, assets=ASSETS, embed=embed, home="index.html"),
                               encoding="utf-8")
        detail = " · ".join([content.surface_title, ", ".join(optimizers.get(name).title for name in state.optimizers)])
        entries.append(static_page.IndexEntry(page_name(lesson.key), lesson.title, first_sentence(lesson.watch),
                                              detail))
    for net_lesson in network_lessons.LESSONS:
        state, race = published.network_lesson_view(net_lesson.key)
        content = published.network_content(state, race, live_url=base_url)
        written.append(out / page_name(net_lesson.key))
        written[-1].write_text(static_page.page_html(content, assets=ASSETS, embed=embed, home="index.html"),
                               encoding="utf-8")
        detail = " · ".join([content.surface_title, ", ".join(optimizers.get(name).title_in(True)
                                                             for name in state.optimizers)])
        entries.append(static_page.IndexEntry(page_name(net_lesson.key), net_lesson.title,
                                              first_sentence(net_lesson.watch), detail))
    live = base_url.strip()
    written[0].write_text(static_page.index_html(INDEX_TITLE, INDEX_INTRO, entries, assets=ASSETS, live_url=live),
                          encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Open OUT/index.html in a browser, or copy OUT to any static host.")
    parser.add_argument("out", type=Path, help="folder to write the site to (created if needed)")
    parser.add_argument("--base-url", default="",
                        help="address of the live app, e.g. https://optiscope.example.org/: each page links the "
                             "same view there (no link without it)")
    parser.add_argument("--embed", action="store_true", help="pages show the race alone, for iframes on slides")
    args = parser.parse_args(argv)
    try:
        written = build(args.out, args.base_url, args.embed)
    except ValueError as err:
        parser.error(str(err))
    size = sum(path.stat().st_size for path in written)
    print(f"Wrote {len(KEYS)} lesson pages, the index and {len(written) - len(KEYS) - 1} "
          f"shared files ({size / 1e6:.1f} MB) to {args.out}; open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
