"""Published pages and ``publish.py``'s site: what they hold, their sizes, escaping and the link to the live app.

The browser half (every page drawn from ``file://`` with no network, Play, the 960x540 frame) is in
``tests/browser/test_static_site.py``.  Numbers on a page are checked against ``optimizers.simulate`` run here with
the lesson's own settings, not against the page's code.
"""
from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

import optimizers
import publish
from optimizers import network, network_validity, validity
from state import claims, lessons, links, network_lessons, share
from tests.test_lessons import fair
from ui import published
from viz import static_page
from viz.race_view import vendor_plotly

BASE = "https://optiscope.example.org/app"
MAX_PAGE_BYTES = 300_000


def f32(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype="<f4")


def page_data(text: str) -> dict:
    """The JSON block a page draws from."""
    match = re.search(r'<script type="application/json" id="optiscope-data">(.*?)</script>', text, re.S)
    assert match, "no data block"
    return json.loads(match.group(1))


def reference_runs(key: str) -> tuple[share.AppState, dict[str, optimizers.Trajectory]]:
    """The lesson's runs straight from ``optimizers.simulate`` with its decoded settings (the learning rates the
    fair race tunes, when the lesson turns it on)."""
    state, _ = share.decode(lessons.get(key).query)
    if state.fair:
        state = fair(state)
    land = share.landscape_of(state)
    return state, {name: optimizers.simulate(land, name, share.start_of(state), state.steps, seed=state.seed,
                                             **state.hyper[name]) for name in state.optimizers}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    publish.build(out, BASE)
    return out


@pytest.fixture(scope="module")
def bare_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bare")
    publish.build(out)
    return out


# --- the site ----------------------------------------------------------------------------------------

def test_index_links_one_page_per_lesson_with_its_title_and_first_sentence(site):
    index = (site / "index.html").read_text()
    hrefs = re.findall(r'<li><a href="([^"]+)">', index)
    assert hrefs == [f"{key}.html" for key in (*lessons.KEYS, *network_lessons.KEYS)]
    for lesson in (*lessons.LESSONS, *network_lessons.LESSONS):
        assert (site / f"{lesson.key}.html").is_file()
        assert f">{html.escape(lesson.title)}</a>" in index
        line = publish.first_sentence(lesson.watch)
        assert lesson.watch.startswith(line) and line.endswith((".", "!", "?"))
        assert f"<p>{html.escape(line)}</p>" in index
    pages = sorted(p.name for p in site.glob("*.html"))
    assert pages == sorted(["index.html", *(f"{key}.html" for key in (*lessons.KEYS, *network_lessons.KEYS))])


def test_first_sentence_stops_at_the_first_full_stop_before_a_capital():
    assert publish.first_sentence("Steps of 2.05 diverge. At 1.95 they do not.") == "Steps of 2.05 diverge."
    assert publish.first_sentence("Only one sentence here") == "Only one sentence here"
    assert publish.first_sentence("Is it? (Yes.) More.") == "Is it?"


def test_shared_files_are_written_once_and_every_page_stays_under_300_kb(site):
    assets = sorted(p.name for p in (site / "assets").iterdir())
    assert assets == sorted(static_page.SCRIPTS + static_page.STYLES)
    assert (site / "assets" / "plotly-race.min.js").stat().st_size > 1_000_000     # what the pages do not repeat
    for page in site.glob("*.html"):
        text = page.read_text()
        assert page.stat().st_size <= MAX_PAGE_BYTES, f"{page.name}: {page.stat().st_size} bytes"
        assert vendor_plotly.BANNER not in text and "window.OptiscopeRace" not in text     # linked, not inlined


def test_every_link_and_source_of_the_site_is_relative(site):
    for page in site.glob("*.html"):
        text = page.read_text()
        sources = re.findall(r'\b(?:src|href)="([^"]*)"', text)
        assert sources
        for url in sources:
            if url.startswith(BASE) or url == "data:,":
                continue                       # the live app's link, and the empty icon (no favicon request)
            parts = urlsplit(html.unescape(url))
            assert not parts.scheme and not parts.path.startswith("/"), f"{page.name}: {url}"
            if parts.path:
                assert (site / parts.path).is_file(), f"{page.name} links a missing {url}"


def test_a_lesson_page_shows_its_text_its_claims_and_the_lessons_own_runs(site):
    key = "rotate_valley"
    text = (site / f"{key}.html").read_text()
    lesson = lessons.get(key)
    assert f"<h1>{html.escape(lesson.title)}</h1>" in text and html.escape(lesson.watch) in text
    mine = [c for c in claims.CLAIMS if c.lesson == key]
    assert len(mine) >= 1
    for claim in mine:
        assert f"“{html.escape(claim.claim)}”" in text and html.escape(claim.why) in text
        assert f'<span class="op-verdict {claim.verdict}">{claim.verdict}</span>' in text
    for statement in lesson.checks:                          # "is that always true?", as the Lessons tab says it
        result = validity.study(statement)
        assert f"<strong>{html.escape(statement.words(result))}</strong> — " \
               f"{html.escape(validity.describe(result, statement.share))}</li>" in text
    others = [c for c in claims.CLAIMS if c.lesson and c.lesson != key]
    assert not any(f"“{html.escape(c.claim)}”" in text for c in others)

    state, trajs = reference_runs(key)
    data = page_data(text)
    assert [r["label"] for r in data["runs"]["runs"]] == [
        f"{optimizers.get(n).title} (lr={state.hyper[n]['lr']:g})" for n in state.optimizers]
    for run, tr in zip(data["runs"]["runs"], trajs.values(), strict=True):
        np.testing.assert_array_equal(f32(run["x"]), tr.points[:, 0, 0].astype(np.float32))
        np.testing.assert_array_equal(f32(run["f"]), tr.loss[:, 0].astype(np.float32))
        assert run["diverged_at"] == int(tr.diverged_at[0])
        assert f"<td>{tr.loss[-1, 0]:.4g}</td>" in text                    # its final loss in the summary table
    assert data["runs"]["layout"] == state.layout
    titles = [fig["layout"]["title"]["text"] for fig in data["figures"]]
    assert titles[0].startswith("Loss gap") and titles[1].startswith("Distance to the nearest")
    assert [t["name"] for t in data["figures"][0]["data"]] == [r["label"] for r in data["runs"]["runs"]]
    assert len(re.findall(r'<div data-figure="\d+"></div>', text)) == len(data["figures"])


def test_a_network_lesson_page_shows_its_text_how_far_it_holds_the_trust_sentence_and_its_own_training(site):
    key = "net_ravine"
    text = (site / f"{key}.html").read_text()
    lesson = network_lessons.get(key)
    assert f"<h1>{html.escape(lesson.title)}</h1>" in text and html.escape(lesson.watch) in text
    for statement in lesson.checks:
        result = network_validity.study(statement)
        assert f"<strong>{html.escape(statement.says)}</strong> — {html.escape(network_validity.describe(result))}" \
            in text
    assert "How far to trust this picture" in text
    state, warnings = share.decode(lesson.query)
    assert warnings == []
    net = share.network_of(state)
    trajs = network.train(net, state.hyper, state.steps, batch_size=state.network["batch_size"], seed=state.seed,
                          init=state.network["init"], init_seed=state.network["init_seed"])
    data = page_data(text)
    assert data["runs"]["network"]["sizes"] == list(net.layout.sizes)
    keys = data["runs"]["network"]["steps"]
    for run, (name, tr) in zip(data["runs"]["runs"], trajs.items(), strict=True):
        assert run["label"].startswith(optimizers.get(name).title_in(True))
        weights = f32(run["boundary"]["w"]).reshape(len(keys), net.dim)
        np.testing.assert_array_equal(weights, tr.points[keys, 0].astype(np.float32))
        assert f"<td>{tr.loss[-1, 0]:.4g}</td>" in text                    # its final loss in the summary table
    links_ = re.findall(r'<p class="op-live"><a href="([^"]+)">', text)
    opened, _ = share.decode(dict(parse_qsl(urlsplit(html.unescape(links_[0])).query)))
    assert opened == state


def test_a_diverging_run_is_named_above_the_race(site):
    text = (site / "lr_edge.html").read_text()
    _, trajs = reference_runs("lr_edge")
    step = int(trajs["momentum"].diverged_at[0])
    assert step > 0 and int(trajs["gd"].diverged_at[0]) == -1
    assert re.search(rf'<p class="op-alert">Momentum \(heavy ball\) \(lr=2\.05\) diverged at step {step}:', text)


def test_the_live_link_opens_the_lesson_s_own_view(site):
    for key in ("zigzag", "escape_trapped"):
        text = (site / f"{key}.html").read_text()
        links = re.findall(r'<p class="op-live"><a href="([^"]+)">', text)
        assert len(links) == 1
        url = html.unescape(links[0])
        assert url.startswith(BASE + "?")
        opened, warnings = share.decode(dict(parse_qsl(urlsplit(url).query)))
        assert warnings == [] and opened == share.decode(lessons.get(key).query)[0]
    index = (site / "index.html").read_text()
    assert f'<p class="op-live"><a href="{BASE}">' in index


def test_no_link_to_the_live_app_without_an_address(bare_site):
    for page in bare_site.glob("*.html"):
        text = page.read_text()
        assert 'class="op-live"' not in text and "http" not in text.split('<script type="application/json"')[0]


def test_embed_flag_writes_pages_that_show_the_race_alone(tmp_path):
    publish.build(tmp_path, embed=True)
    assert '<html lang="en" class="embed">' in (tmp_path / "zigzag.html").read_text()
    assert 'class="embed"' not in (tmp_path / "index.html").read_text()


def test_bad_input_is_refused_with_a_clear_message(tmp_path, capsys):
    with pytest.raises(ValueError, match="Invalid app address 'javascript:alert\\(1\\)'.*http:// or https://"):
        publish.build(tmp_path / "a", "javascript:alert(1)")
    assert not (tmp_path / "a").exists()                      # checked before anything is written
    with pytest.raises(SystemExit) as exit_:
        publish.main([str(tmp_path / "b"), "--base-url", "https://example.org/?x=1"])
    assert exit_.value.code == 2 and "leave out the part from '?'" in capsys.readouterr().err
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="it is a file"):
        publish.build(tmp_path / "file")


def test_main_writes_the_site_and_says_where(tmp_path, capsys):
    assert publish.main([str(tmp_path / "out")]) == 0
    said = capsys.readouterr().out
    assert f"Wrote {len(lessons.LESSONS) + len(network_lessons.LESSONS)} lesson pages" in said
    assert str(tmp_path / "out" / "index.html") in said


# --- the live app's address ------------------------------------------------------------------------------

@pytest.mark.parametrize("address", ["", "localhost:8501", "ftp://example.org/", "javascript:alert(1)",
                                     "https://", "https://exa mple.org/", 'https://example.org/"><b>',
                                     "https://example.org:port/", "https://example.org/?lesson=zigzag",
                                     "https://example.org/#top"])
def test_live_link_refuses_what_is_not_an_app_address(address):
    with pytest.raises(ValueError, match="Invalid app address"):
        links.live_link(address, share.default_state())


def test_live_link_carries_the_whole_state():
    state, _ = share.decode({"surface": "himmelblau", "opt": "adam,nag", "steps": "150", "layout": "overlay"})
    link = links.live_link(" http://127.0.0.1:8501/ ", state)
    assert link.startswith("http://127.0.0.1:8501/?surface=himmelblau&")
    assert links.live_link("http://127.0.0.1:8501", state).startswith("http://127.0.0.1:8501/?surface=himmelblau&")
    assert share.decode(dict(parse_qsl(urlsplit(link).query)))[0] == state


# --- one self-contained page (the Share tab's) ----------------------------------------------------------------

def test_single_file_page_inlines_everything_and_fetches_nothing():
    state, race_state, trajs = published.lesson_view("zigzag")
    content = published.content(state, race_state, trajs)
    text = static_page.page_html(content)
    data = page_data(text)
    assert data["surface"] == content.surface and data["runs"] == content.runs
    assert text.lstrip().lower().startswith("<!doctype html>")
    assert vendor_plotly.BANNER in text and "window.OptiscopeRace" in text and "OptiscopeRace.figure" in text
    assert not re.search(r"<script[^>]*\bsrc=", text)
    assert re.findall(r"<link[^>]*>", text) == ['<link rel="icon" href="data:,">']      # no favicon request
    assert 'class="op-live"' not in text


def test_inlined_files_cannot_end_their_script_element():
    for name, text in static_page.asset_files().items():
        assert "</script" not in text.lower() and "</style" not in text.lower(), name


def test_a_view_without_a_lesson_is_titled_by_its_surface():
    state, _ = share.decode({"surface": "himmelblau", "opt": "adam,nag", "steps": "60"})
    trajs = {n: optimizers.simulate(share.landscape_of(state), n, share.start_of(state), 60, **state.hyper[n])
             for n in state.optimizers}
    content = published.content(state, state, trajs, live_url="http://localhost:8501/")
    assert content.lesson is None and content.title == share.landscape_of(state).title
    text = static_page.page_html(content)
    assert 'class="op-lesson"' not in text and "<h1>Himmelblau (four minima)</h1>" in text
    assert 'href="http://localhost:8501/?surface=himmelblau&amp;' in text


def test_a_changed_lesson_view_says_so():
    state, _ = share.decode({**lessons.get("zigzag").query, "steps": "50"})
    assert published.lesson_text(state).changed
    assert not published.lesson_text(share.decode(lessons.get("zigzag").query)[0]).changed
    _, race_state, trajs = published.lesson_view("zigzag")
    text = static_page.page_html(published.content(state, race_state, trajs))
    assert "The settings have changed since this lesson started" in text


def test_titles_and_texts_are_escaped_and_the_data_cannot_close_its_element():
    state, race_state, trajs = published.lesson_view("newton_quadratic")
    content = published.content(state, race_state, trajs)
    hostile = "</script><script>alert('x')</script> & <b>"
    content = static_page.PageContent(**{**content.__dict__, "title": hostile, "surface_title": hostile,
                                         "surface_description": hostile, "alerts": (hostile,), "legend": (hostile,),
                                         "runs": {**content.runs, "runs": [{**content.runs["runs"][0],
                                                                            "title": hostile}]}})
    text = static_page.page_html(content, assets="assets")        # linked: only the page's own text is checked
    assert "<script>alert" not in text and "<b>" not in text
    assert f"<title>{html.escape(hostile)} · Optiscope</title>" in text and f"<h1>{html.escape(hostile)}</h1>" in text
    assert page_data(text)["runs"]["runs"][0]["title"] == hostile                   # intact once parsed
    index = static_page.index_html(hostile, hostile, [static_page.IndexEntry('a.html" onclick="x', hostile, hostile)],
                                   assets="assets")
    assert "<script>alert" not in index and 'href="a.html&quot; onclick=&quot;x"' in index


def test_content_refuses_a_view_with_no_runs_and_a_page_needs_its_two_charts():
    state = share.default_state()
    with pytest.raises(ValueError, match="choose at least one optimizer"):
        published.content(state, state, {})
    state, race_state, trajs = published.lesson_view("newton_quadratic")
    content = published.content(state, race_state, trajs)
    with pytest.raises(ValueError, match="Invalid page content: 1 figures"):
        static_page.page_html(static_page.PageContent(**{**content.__dict__, "figures": content.figures[:1]}))


def test_a_lesson_with_the_fair_race_is_published_at_its_tuned_rates():
    state, race_state, trajs = published.lesson_view("rotate_valley")
    assert state.fair and race_state.hyper != state.hyper
    for name in state.optimizers:
        assert race_state.hyper[name]["lr"] == lessons.race("rotate_valley").lr(name)      # the tuner's choice
        assert trajs[name].hyperparams["lr"] == race_state.hyper[name]["lr"]
    text = static_page.page_html(published.content(state, race_state, trajs))
    assert lessons.get("rotate_valley").watch.split(":")[0] in text


def test_lesson_view_names_an_unknown_lesson():
    with pytest.raises(ValueError, match="Unknown lesson 'nope'"):
        published.lesson_view("nope")
