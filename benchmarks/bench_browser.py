"""How the race feels in a real browser: headless Chromium against the app and a minimal Streamlit page.

Starts ``streamlit run app.py`` and ``streamlit run benchmarks/minimal_page.py`` (one animated Plotly chart,
nothing else) with the same flags, warms both with one visit, then prints, for the default view:

- first race drawing on a fresh page (new browser context), as a ratio to the minimal page's first drawing
  (best of N each: the machine is shared, so the best run is the least disturbed one);
- bytes received over the websocket for one press of → on the ``steps`` slider (a change with new results);
- time from that key press until the race shows the new paths (N presses, each to a new value: best and median);
- playback rate (drawn steps per second, counted over 1.5 s of play);
- console errors during Play, Pause mid-play, scrubbing the step slider and stepping;
- the narrowest race panel (plot area) at 390 px wide;
- network mode (``?mode=network``: four optimizers train the default network, 300 steps): its first drawing, and
  the bytes and key-press-to-paths time of one more step (every run retrains, the plane and its grid are
  recomputed: the slowest change the mode has) and of one optimizer's learning rate (that run alone retrains).

It recognises both the client-side race view (``[data-testid="race-view"]``) and the older Plotly-frames
figure (``.st-key-race_chart``), so the same script measures before and after.
Run: ``python benchmarks/bench_browser.py [--repeats 5]``.  Needs Playwright and /usr/bin/chromium.
"""
from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
# The minimal page runs with Streamlit's own defaults, not what the app's .streamlit/config.toml sets for every page
# started from the repository.
FLOOR_FLAGS = ("--runner.postScriptGC=true",)
LAPTOP, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

# True once a race (or the minimal page's chart) is drawn.
DRAWN = """() => {
  const view = document.querySelector('[data-testid="race-view"]');
  if (view) return view.dataset.drawn === 'true';
  const gd = document.querySelector('.st-key-race_chart .js-plotly-plot, .st-key-minimal_chart .js-plotly-plot');
  return !!(gd && gd.querySelector('.scatterlayer .trace path'));
}"""
# Something that changes whenever the drawn paths change.
PATHS = """() => {
  const view = document.querySelector('[data-testid="race-view"]');
  if (view) return view.dataset.revision;
  const gd = document.querySelector('.st-key-race_chart .js-plotly-plot');
  return gd && gd._fullData ? gd._fullData.map(t => t.x ? t.x.length : 0).join(',') : '';
}"""
# The step drawn now.
STEP = """() => {
  const view = document.querySelector('[data-testid="race-view"]');
  if (view) return view.dataset.step;
  const label = document.querySelector('.st-key-race_chart .slider-label');
  return label ? label.textContent : '';
}"""
# Counts changes of STEP over ``ms`` milliseconds, sampled on every animation frame.
COUNT_STEPS = "async (ms) => { const step = " + STEP + """;
  let last = step(), changes = 0; const t0 = performance.now();
  await new Promise(done => { const tick = () => { const now = step(); if (now !== last) { changes++; last = now; }
    if (performance.now() - t0 < ms) requestAnimationFrame(tick); else done(); }; requestAnimationFrame(tick); });
  return changes * 1000 / ms; }"""
# Starts watching PATHS; the key press's time is taken from its keydown event.
WATCH = "() => { const sig = " + PATHS + """; const first = sig(); window.__bench = {key: null, drawn: null};
  const onKey = () => { if (window.__bench.key === null) window.__bench.key = performance.now(); };
  document.addEventListener('keydown', onKey, {capture: true});
  const tick = () => { if (sig() !== first) { window.__bench.drawn = performance.now(); return; }
                       requestAnimationFrame(tick); };
  requestAnimationFrame(tick); }"""
# Widths of the race's plot areas in pixels.
PANEL_WIDTHS = """() => {
  const gd = document.querySelector('[data-testid="race-view"] .js-plotly-plot, .st-key-race_chart .js-plotly-plot');
  if (!gd || !gd._fullLayout) return [];
  return Object.keys(gd._fullLayout).filter(k => /^xaxis\\d*$/.test(k)).map(k => gd._fullLayout[k]._length);
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(script: str, flags: tuple[str, ...] = ()):
    """``streamlit run script`` on a free port (plus ``flags``), as the browser tests start it; yields its URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.headless=true",
                             f"--server.port={port}", "--server.address=127.0.0.1", "--server.fileWatcherType=none",
                             "--browser.gatherUsageStats=false", *flags], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def first_drawing(browser, url: str) -> float:
    """Seconds from navigation start until the chart is drawn, on a fresh context (empty browser cache)."""
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(url, wait_until="commit")
    page.wait_for_function(DRAWN, polling="raf", timeout=60_000)
    seconds = page.evaluate("performance.now()") / 1000
    context.close()
    return seconds


def settle(page, ms: int = 400) -> None:
    page.wait_for_timeout(ms)
    page.wait_for_selector(IDLE, state="attached", timeout=60_000)


def play_button(page):
    view = page.locator('[data-testid="race-view"]')
    if view.count():
        return view.locator(".race-play")
    return page.locator(".st-key-race_chart").get_by_text("Play", exact=False).first


def pause_button(page):
    view = page.locator('[data-testid="race-view"]')
    if view.count():
        return view.get_by_role("button", name="Pause")     # fails if playback is not going on
    return page.locator(".st-key-race_chart").get_by_text("Pause", exact=False).first


def interactions(browser, url: str, presses: int, slider: str = ".st-key-steps", expander: str = "",
                 play: bool = True) -> dict[str, object]:
    """Websocket bytes and latency of a change of the slider ``slider`` (``presses`` of them; in the sidebar's
    settings ``expander``, opened first, if given), playback rate, and console errors while playing."""
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    received: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(len(payload))))
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url, wait_until="commit")
    page.wait_for_function(DRAWN, polling="raf", timeout=60_000)
    settle(page, 1500)

    if expander:
        page.locator('[data-testid="stSidebar"] [data-testid="stExpander"] summary').get_by_text(
            expander, exact=True).click()
        settle(page, 1200)
    results: dict[str, object] = {}
    latencies, sizes = [], []
    for _ in range(presses):
        page.evaluate(WATCH)
        received.clear()
        page.locator(f'{slider} input[type="range"]').focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => window.__bench.drawn !== null", polling="raf", timeout=30_000)
        latencies.append(page.evaluate("window.__bench.drawn - window.__bench.key") / 1000)
        settle(page, 1200)
        sizes.append(sum(received))
    results["change bytes"] = min(sizes)
    results["change latency"] = latencies
    if not play:
        context.close()
        return results

    errors.clear()
    view = page.locator('[data-testid="race-view"]')
    if view.count():
        view.focus()
        page.keyboard.press("Home")                     # play from the start: 200 steps last about 3.5 s
    play_button(page).click()
    page.wait_for_timeout(300)
    results["fps"] = page.evaluate(COUNT_STEPS, 1500)
    pause_button(page).click()
    page.wait_for_timeout(300)
    if view.count():
        slider = view.locator('input[type="range"]')
        box = slider.bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
        page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)
        view.get_by_role("button", name="Next step").click()
        view.get_by_role("button", name="Previous step").click()
    else:
        rail = page.locator(".st-key-race_chart .slider-rail-rect").first
        box = rail.bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
        page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)
    page.wait_for_timeout(800)
    results["errors"] = list(errors)
    context.close()
    return results


def phone_panel(browser, url: str) -> float:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.goto(url, wait_until="commit")
    page.wait_for_function(DRAWN, polling="raf", timeout=60_000)
    settle(page, 800)
    widths = page.evaluate(PANEL_WIDTHS)
    context.close()
    return min(widths) if widths else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5,
                        help="fresh page loads per page, and steps changes (the best is reported)")
    args = parser.parse_args()
    with sync_playwright() as pw, server("app.py") as app, server("benchmarks/minimal_page.py", FLOOR_FLAGS) as minimal:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        first_drawing(browser, app), first_drawing(browser, minimal)          # warm both servers
        race, floor = [], []
        for _ in range(args.repeats):                                        # interleaved, so load hits both
            race.append(first_drawing(browser, app))
            floor.append(first_drawing(browser, minimal))
        print(f"first drawing, fresh page, warm server: race best {min(race):.2f} s (median "
              f"{statistics.median(race):.2f}), minimal page best {min(floor):.2f} s (median "
              f"{statistics.median(floor):.2f}); ratio best/best {min(race) / min(floor):.2f}x (target <= 1.3x)")
        r = interactions(browser, app, args.repeats)
        print(f"bytes over the websocket for steps +1 (new results): {r['change bytes']:,} B "
              f"({r['change bytes'] / 1e3:.0f} kB; target <= 150 kB)")
        latency = r["change latency"]
        print(f"key press on the steps slider -> new paths drawn: best {min(latency):.2f} s, median "
              f"{statistics.median(latency):.2f} s of {len(latency)} (target <= 0.35 s)")
        print(f"playback: {r['fps']:.1f} drawn steps per second (target >= 30)")
        print(f"console errors during Play, Pause mid-play, scrub, step: {len(r['errors'])} (target 0)"
              + "".join(f"\n    {e[:160]}" for e in r["errors"]))
        print(f"smallest race panel at 390 px wide: {phone_panel(browser, app):.0f} px (target >= 300 px)")
        network = app + "/?mode=network"
        first_drawing(browser, network)                                      # warm: the default network's cache
        drawn = [first_drawing(browser, network) for _ in range(args.repeats)]
        print(f"network mode, first drawing, fresh page, warm server: best {min(drawn):.2f} s (median "
              f"{statistics.median(drawn):.2f}); ratio to the minimal page best/best {min(drawn) / min(floor):.2f}x")
        r = interactions(browser, network, args.repeats)
        latency = r["change latency"]
        print(f"network mode, steps +1 (all runs retrain, new plane): {r['change bytes']:,} B over the websocket "
              f"(target <= 150 kB); key press -> new paths drawn: best {min(latency):.2f} s, median "
              f"{statistics.median(latency):.2f} s of {len(latency)} (target <= 0.35 s); console errors "
              f"{len(r['errors'])}" + "".join(f"\n    {e[:160]}" for e in r["errors"]))
        r = interactions(browser, network, args.repeats, slider=".st-key-hp-adam-lr", expander="Adam", play=False)
        latency = r["change latency"]
        print(f"network mode, Adam's learning rate one notch up (Adam retrains, new plane): {r['change bytes']:,} B; "
              f"key press -> new paths drawn: best {min(latency):.2f} s, median {statistics.median(latency):.2f} s "
              f"of {len(latency)} (target <= 0.35 s)")
        browser.close()


if __name__ == "__main__":
    main()
