"""benchmarks/bench_load.py sends the app what Chromium sends: the same rerun on a steps change.

Chromium opens a share link and presses → on the ``steps`` slider; a bench_load session opens the same link and
makes the same change.  Both reruns must carry the same query string (the address the page wrote), page, widget
states (every widget's id and value), cached message hashes and page address.
"""
from __future__ import annotations

import asyncio
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_load  # noqa: E402

LINK = "/?steps=150"


def comparable(msg: BackMsg) -> dict[str, object]:
    """What must agree (the widget states in any order; the time zone and locale are the machine's)."""
    rerun = msg.rerun_script
    return {"query": rerun.query_string, "page": (rerun.page_script_hash, rerun.page_name),
            "widgets": sorted(w.SerializeToString(deterministic=True) for w in rerun.widget_states.widgets),
            "widget ids": sorted(w.id for w in rerun.widget_states.widgets),
            "cached": sorted(rerun.cached_message_hashes), "fragment": rerun.fragment_id,
            "url": rerun.context_info.url, "embedded": rerun.context_info.is_embedded,
            "scheme": rerun.context_info.color_scheme}


def browser_change(page, app_url: str, wait_for_app) -> BackMsg:
    sent: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    page.goto(app_url + LINK, wait_until="domcontentloaded")
    wait_for_app(page)
    loads = len(sent)
    page.locator('.st-key-steps input[type="range"], .st-key-steps [role="slider"]').first.focus()
    page.keyboard.press("ArrowRight")
    wait_for_app(page)
    reruns = [m for m in (BackMsg.FromString(p) for p in sent[loads:]) if m.WhichOneof("type") == "rerun_script"]
    assert len(reruns) == 1, f"expected one rerun for one key press, got {len(reruns)}"
    return reruns[0]


def bench_change(app_url: str) -> tuple[BackMsg, BackMsg]:
    """bench_load's page load and its rerun for the same change (in a thread: Playwright's loop holds this one)."""
    async def scenario() -> tuple[BackMsg, BackMsg]:
        session = bench_load.Session(app_url + LINK, timeout=60)
        with ThreadPoolExecutor(1) as executor:
            await session.connect(executor)
        load = session.rerun()
        page = await session.run(time.perf_counter())
        assert not page.exceptions
        change = session.rerun(session.changed("steps", 1))
        await session.close()
        return load, change

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, scenario()).result()


def test_bench_load_sends_what_chromium_sends(page, app_url, wait_for_app):
    chromium = browser_change(page, app_url, wait_for_app)
    load, change = bench_change(app_url)
    assert load.rerun_script.query_string == LINK.lstrip("/?") and not load.rerun_script.widget_states.widgets
    assert comparable(change) == comparable(chromium)
    steps = next(w for w in change.rerun_script.widget_states.widgets if bench_load.user_key(w.id) == "steps")
    assert list(steps.double_array_value.data) == [151.0]
