"""What a class opening one link costs the server: K sessions at once over Streamlit's own websocket protocol.

Each session does what a browser does, without a browser: a plain HTTP GET of the page, then of
``/_stcore/health`` (which sets the XSRF cookie) and ``/_stcore/host-config``, keeping the cookies (so a balancer's
affinity cookie sends the websocket to the process that served the page); then it opens ``/_stcore/stream`` with the
frontend's subprotocols, origin and cookies, sends the ``BackMsg`` the frontend sends on load (``rerun_script`` with
the link's query string and the browser's context) and reads ``ForwardMsg``s until ``script_finished``.  Like the
frontend it keeps the widget states of the page (built from the widget elements it received) and the messages marked
cacheable, which it reports as ``cached_message_hashes`` on its next rerun.

Per page, two waves:

1. first visits: K sessions open the link at the same moment;
2. a settings change: every one of those sessions changes one widget at the same moment (``--change steps=+1``: the
   ``steps`` slider one step up, sent as the browser sends it, a rerun carrying every widget's state).

Per wave it prints the median and 95th percentile of the time from the wave's start to each finished page, the
errors (exception elements on the page, failed or timed-out sessions), the bytes per page received over the
websocket, the CPU time the server processes spent during the wave, and their peak RSS, sampled every 50 ms (summed
over the processes, and per process when there are several).

Before the waves it times ten visits one at a time (a warm server, no other visitor), each from the page's rerun
to ``script_finished``.

Without ``--url`` it starts ``streamlit run app.py`` and ``streamlit run benchmarks/minimal_contour_page.py`` (one
Plotly contour, nothing else) with the same flags, warms both with one visit, and measures both in every repeat,
back to back, alternating which goes first; it prints the ratio of their p95s per repeat.  The machine may be
shared: compare ratios taken in the same run, never absolute times across runs.

Run:
    python benchmarks/bench_load.py [--sessions 100] [--repeats 3]
    python benchmarks/bench_load.py --url 'http://127.0.0.1:8080/?steps=300' --server-port 8601 --server-port 8602
    python benchmarks/bench_load.py --url http://host:8080/ --against http://host:9090/ --pid 123 --pid 456

``--pid`` names the server processes whose memory is sampled; ``--server-port`` finds them by the local port they
listen on (each replica behind a balancer, say).  By default it is the process listening on the URL's port, if the
URL is local.
"""
from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import math
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[1]
MINIMAL_PAGE = "benchmarks/minimal_contour_page.py"
# The floor runs with Streamlit's own defaults, not the settings the app's .streamlit/config.toml gives every
# page started from the repository (it turns off the collection after every run).
FLOOR_FLAGS = ("--runner.postScriptGC=true",)
# What the frontend reports about the browser (ClientState.context_info), as headless Chromium at 1440 px sends it.
CONTEXT = {"timezone": "UTC", "timezone_offset": 0, "locale": "en-US", "is_embedded": False, "color_scheme": "light"}
SINGLE_VISITS = 10                          # visits one at a time per page, before the waves
NO_XSRF = "PLACEHOLDER_AUTH_TOKEN"          # what the frontend sends as its second subprotocol without an XSRF cookie


# --- the messages a browser sends --------------------------------------------------------------------------------

def rerun_message(query_string: str, page_url: str, widgets: Iterable[WidgetState] = (), page_script_hash: str = "",
                  cached_hashes: Iterable[str] = ()) -> BackMsg:
    """The ``BackMsg`` the frontend sends to run the page: on load (no widgets, no page hash yet) and on every
    change (every widget's state, the page's script hash, the hashes of the messages it has cached)."""
    msg = BackMsg()
    rerun = msg.rerun_script
    rerun.query_string = query_string
    rerun.widget_states.SetInParent()                 # sent even when empty, as the frontend does
    rerun.widget_states.widgets.extend(widgets)
    rerun.page_script_hash = page_script_hash
    rerun.cached_message_hashes.extend(cached_hashes)
    for name, value in CONTEXT.items():
        setattr(rerun.context_info, name, value)
    rerun.context_info.url = page_url
    return msg


def _option(options: Iterable[str], index: float) -> str:
    return list(options)[int(index)]


def widget_state(element: Element) -> WidgetState | None:
    """The state the frontend holds for a widget element it has just drawn, as it sends it back on a rerun: the
    value the server set (``set_value``), else the widget's default.  ``None`` for elements that send nothing until
    someone uses them (buttons, expanders, tabs, custom components) and for widgets with no value."""
    kind = element.WhichOneof("type")
    widget = getattr(element, kind)
    state = WidgetState(id=getattr(widget, "id", ""))
    if kind in ("selectbox", "radio"):
        if widget.set_value:
            state.string_value = widget.raw_value
        elif widget.HasField("default") and 0 <= widget.default < len(widget.options):
            state.string_value = widget.options[widget.default]
        else:
            return None
    elif kind == "multiselect":
        values = widget.raw_values if widget.set_value else [_option(widget.options, i) for i in widget.default]
        state.string_array_value.data.extend(values)
    elif kind == "button_group":                 # segmented control, pills: the chosen options' labels
        values = widget.raw_values if widget.set_value else [widget.options[i].content for i in widget.default]
        state.string_array_value.data.extend(values)
    elif kind == "slider" and widget.type == Slider.SELECT_SLIDER:
        values = widget.raw_value if widget.set_value else [_option(widget.options, i) for i in widget.default]
        state.string_array_value.data.extend(values)
    elif kind == "slider":
        state.double_array_value.data.extend(widget.value if widget.set_value else widget.default)
    elif kind == "checkbox":
        state.bool_value = widget.value if widget.set_value else widget.default
    elif kind == "number_input":
        if not widget.set_value and not widget.HasField("default"):
            return None
        value = widget.value if widget.set_value else widget.default
        if widget.data_type == widget.INT:
            state.int_value = int(value)
        else:
            state.double_value = value
    elif kind in ("text_input", "text_area"):
        if widget.set_value:
            state.string_value = widget.value
        elif widget.HasField("default"):
            state.string_value = widget.default
        else:
            return None
    else:
        return None
    return state


def user_key(widget_id: str) -> str:
    """The ``key=`` a widget was given (Streamlit's ids of keyed widgets are ``$$ID-<hash>-<key>``)."""
    return widget_id.split("-", 2)[2] if widget_id.startswith("$$ID-") and widget_id.count("-") >= 2 else ""


def bumped(state: WidgetState, delta: float) -> WidgetState:
    """``state`` moved by ``delta``, as an arrow key moves a slider or a number input."""
    new = WidgetState()
    new.CopyFrom(state)
    kind = state.WhichOneof("value")
    if kind == "double_array_value" and len(state.double_array_value.data) == 1:
        new.double_array_value.data[0] += delta
    elif kind == "int_value":
        new.int_value += int(delta)
    elif kind == "double_value":
        new.double_value += delta
    else:
        raise ValueError(f"Invalid change: widget {state.id!r} holds a {kind}, not a number")
    return new


# --- one session --------------------------------------------------------------------------------------------------

@dataclass
class Page:
    """One finished run of the page as a session received it."""
    seconds: float                              # from the wave's start to script_finished
    bytes: int                                  # websocket payload bytes received
    exceptions: list[str] = field(default_factory=list)


class Session:
    """One browser tab's conversation with the server: cookies, websocket, widget states, message cache."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urllib.parse.urlsplit(url)
        base = parts.path.rstrip("/") + "/"
        self.url = url
        self.page_url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, base, "", ""))
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.stream_url = urllib.parse.urlunsplit(("wss" if parts.scheme == "https" else "ws", parts.netloc,
                                                   base + "_stcore/stream", "", ""))
        self.query = parts.query
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.ws = None
        self.page_script_hash = ""
        self.widgets: dict[str, WidgetState] = {}
        self.cache: dict[str, ForwardMsg] = {}

    def _http(self) -> None:
        """The page, then what the frontend asks for before it opens the websocket."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        for url in (self.url, self.page_url + "_stcore/health", self.page_url + "_stcore/host-config"):
            with opener.open(url, timeout=self.timeout) as response:
                response.read()

    async def connect(self, executor: ThreadPoolExecutor) -> None:
        await asyncio.get_running_loop().run_in_executor(executor, self._http)
        cookies = {c.name: c.value for c in self.cookies}
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else None
        self.ws = await websockets.connect(self.stream_url, subprotocols=["streamlit", cookies.get("_streamlit_xsrf",
                                           NO_XSRF)], origin=self.origin, additional_headers=headers,
                                           max_size=None, ping_interval=None, open_timeout=self.timeout)

    def widget_id(self, key: str) -> str:
        for widget_id in self.widgets:
            if user_key(widget_id) == key:
                return widget_id
        raise KeyError(key)

    def changed(self, key: str, delta: float) -> list[WidgetState]:
        """The page's widget states with widget ``key`` moved by ``delta``, as the browser holds them after the
        change."""
        changed = self.widget_id(key)
        return [bumped(w, delta) if w.id == changed else w for w in self.widgets.values()]

    def rerun(self, widgets: Iterable[WidgetState] = ()) -> BackMsg:
        """The rerun the browser sends with ``widgets``: none on a page load (which carries no page hash yet
        either), every widget's state after a change."""
        self.widgets = {w.id: w for w in widgets}
        return rerun_message(self.query, self.page_url, self.widgets.values(), self.page_script_hash,
                             list(self.cache))

    async def run(self, t0: float, widgets: Iterable[WidgetState] = ()) -> Page:
        """Send :meth:`rerun` and read until the page is done."""
        await self.ws.send(self.rerun(widgets).SerializeToString())
        page, drawn = Page(0.0, 0), {}
        async with asyncio.timeout(self.timeout):
            while True:
                data = await self.ws.recv()
                page.bytes += len(data)
                fwd = ForwardMsg.FromString(data)
                if fwd.WhichOneof("type") == "ref_hash":
                    fwd = self.cache[fwd.ref_hash]            # a KeyError is a protocol error: the run fails
                elif fwd.metadata.cacheable:
                    self.cache[fwd.hash] = fwd
                kind = fwd.WhichOneof("type")
                if kind == "new_session":
                    self.page_script_hash = fwd.new_session.page_script_hash
                elif kind == "page_info_changed":
                    self.query = fwd.page_info_changed.query_string     # the address bar, sent on the next rerun
                elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                    element = fwd.delta.new_element
                    if element.WhichOneof("type") == "exception":
                        page.exceptions.append(element.exception.message or element.exception.type)
                    state = widget_state(element)
                    if state is not None:               # a value the server did not set stays what the browser had
                        kept = self.widgets.get(state.id)
                        server_set = getattr(element, element.WhichOneof("type")).set_value
                        drawn[state.id] = state if server_set or kept is None else kept
                elif kind == "script_finished":
                    if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        continue                        # the server reruns by itself (st.rerun): keep reading
                    if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        page.exceptions.append("the script failed to compile")
                    break
        self.widgets = drawn
        page.seconds = time.perf_counter() - t0
        return page

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


# --- waves --------------------------------------------------------------------------------------------------------

@dataclass
class Wave:
    """What one wave measured."""
    pages: list[Page]
    failures: list[str]
    rss: dict[int, int]                         # peak RSS per process, bytes
    rss_total: int                              # peak of the sum over the processes
    cpu: float = 0.0                            # CPU seconds the processes spent during the wave

    @property
    def times(self) -> list[float]:
        return sorted(p.seconds for p in self.pages)

    def percentile(self, q: float) -> float:
        """The q-th percentile of the times, nearest rank (p95 of 100 pages: the 95th fastest)."""
        times = self.times
        return times[max(0, math.ceil(q / 100 * len(times)) - 1)] if times else math.nan

    @property
    def errors(self) -> int:
        return len(self.failures) + sum(1 for p in self.pages if p.exceptions)


class ServerSampler:
    """Peak resident memory of ``pids``, sampled every ``interval`` seconds in a thread while in use, and the CPU
    time they spent meanwhile (on a shared machine a steadier measure of the work than the waiting time)."""

    def __init__(self, pids: list[int], interval: float = 0.05) -> None:
        self.procs = [psutil.Process(pid) for pid in pids]
        self.interval = interval
        self.peak = {p.pid: 0 for p in self.procs}
        self.peak_total = 0
        self.cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            total = 0
            for proc in self.procs:
                try:
                    rss = proc.memory_info().rss
                except psutil.Error:
                    continue
                self.peak[proc.pid] = max(self.peak[proc.pid], rss)
                total += rss
            self.peak_total = max(self.peak_total, total)
            if self._stop.wait(self.interval):
                return

    def _cpu(self) -> float:
        total = 0.0
        for proc in self.procs:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    def __enter__(self) -> ServerSampler:
        self.cpu = -self._cpu()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.cpu += self._cpu()


async def _visit(session: Session, executor: ThreadPoolExecutor, t0: float) -> Page:
    await session.connect(executor)
    return await session.run(t0)


async def _wave(runs: list) -> tuple[list[Page | BaseException], Wave]:
    """Run ``runs`` at once; their outcomes, and the wave they make."""
    outcomes = await asyncio.gather(*runs, return_exceptions=True)
    pages = [o for o in outcomes if isinstance(o, Page)]
    failures = [f"{type(o).__name__}: {o}" for o in outcomes if not isinstance(o, Page)]
    return outcomes, Wave(pages, failures, {}, 0)


async def first_visits(url: str, k: int, pids: list[int], timeout: float,
                       executor: ThreadPoolExecutor) -> tuple[list[Session], Wave]:
    """``k`` sessions open ``url`` at the same moment; returns the sessions whose page finished."""
    sessions = [Session(url, timeout) for _ in range(k)]
    t0 = time.perf_counter()
    with ServerSampler(pids) as server:
        outcomes, wave = await _wave([_visit(s, executor, t0) for s in sessions])
    wave.rss, wave.rss_total, wave.cpu = server.peak, server.peak_total, server.cpu
    finished = [s for s, outcome in zip(sessions, outcomes, strict=True) if isinstance(outcome, Page)]
    failed = [s for s in sessions if s not in finished]
    await asyncio.gather(*(s.close() for s in failed), return_exceptions=True)
    return finished, wave


async def change(sessions: list[Session], key: str, delta: float, pids: list[int]) -> Wave:
    """Every session changes widget ``key`` by ``delta`` at the same moment."""
    reruns = [s.changed(key, delta) for s in sessions]
    t0 = time.perf_counter()
    with ServerSampler(pids) as server:
        _, wave = await _wave([s.run(t0, w) for s, w in zip(sessions, reruns, strict=True)])
    wave.rss, wave.rss_total, wave.cpu = server.peak, server.peak_total, server.cpu
    return wave


# --- servers ------------------------------------------------------------------------------------------------------

def listening_pids(port: int) -> list[int]:
    """The processes listening on local TCP ``port``."""
    return sorted({c.pid for c in psutil.net_connections("tcp")
                   if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port and c.pid})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(script: str, port: int, flags: tuple[str, ...] = ()) -> Iterator[tuple[str, int]]:
    """``streamlit run script`` on ``port`` (plus ``flags``), started as ``bench_browser.py`` starts it; yields its URL
    and pid."""
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.headless=true",
                             f"--server.port={port}", "--server.address=127.0.0.1", "--server.fileWatcherType=none",
                             "--browser.gatherUsageStats=false", *flags], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit run {script} exited with code {proc.returncode}") from None
                time.sleep(0.25)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# --- the run ------------------------------------------------------------------------------------------------------

@dataclass
class Target:
    label: str
    url: str
    pids: list[int]


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def report(label: str, what: str, k: int, wave: Wave) -> str:
    pages = wave.pages
    exceptions = sum(1 for p in pages if p.exceptions)
    median = statistics.median(wave.times) if pages else math.nan
    line = (f"{label:>10s}, {what}: {len(pages)}/{k} pages, p50 {median:.2f} s, "
            f"p95 {wave.percentile(95):.2f} s, errors {wave.errors} ({exceptions} pages with exceptions, "
            f"{len(wave.failures)} failed sessions), "
            f"{statistics.mean(p.bytes for p in pages) / 1e3 if pages else 0:.0f} kB/page")
    if wave.rss:
        line += f", server CPU {wave.cpu:.1f} s ({wave.cpu / max(len(pages), 1) * 1e3:.0f} ms/page)"
        line += f", peak RSS {_mb(wave.rss_total)}"
        if len(wave.rss) > 1:
            line += " (" + ", ".join(f"pid {pid}: {_mb(rss)}" for pid, rss in wave.rss.items()) + ")"
    for failure in sorted(set(wave.failures))[:3]:
        line += f"\n            failed: {failure[:200]}"
    for message in sorted({m for p in pages for m in p.exceptions})[:3]:
        line += f"\n            exception: {message[:200]}"
    return line


async def measure(target: Target, k: int, key: str, delta: float, timeout: float,
                  executor: ThreadPoolExecutor) -> dict[str, Wave]:
    """A first-visit wave, then (if the page has widget ``key``) a change wave, on the same sessions."""
    sessions, first = await first_visits(target.url, k, target.pids, timeout, executor)
    waves = {"first visits": first}
    print(report(target.label, "first visits", k, first), flush=True)
    try:
        if sessions and any(user_key(w) == key for w in sessions[0].widgets):
            await asyncio.sleep(1.0)
            waves[f"{key} {delta:+g}"] = wave = await change(sessions, key, delta, target.pids)
            print(report(target.label, f"{key} {delta:+g}", len(sessions), wave), flush=True)
    finally:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    await asyncio.sleep(2.0)
    return waves


async def warm(target: Target, key: str, delta: float, timeout: float, executor: ThreadPoolExecutor) -> Session:
    """One session visits and changes, so imports, caches and the first simulation are outside the waves; it stays
    open (a server with no session left forgets its compiled script)."""
    session = Session(target.url, timeout)
    await session.connect(executor)
    page = await session.run(time.perf_counter())
    if page.exceptions:
        print(f"warning: {target.label} shows exceptions: {page.exceptions[:2]}")
    if any(user_key(w) == key for w in session.widgets):
        await session.run(time.perf_counter(), session.changed(key, delta))
    return session


async def alone(target: Target, timeout: float, executor: ThreadPoolExecutor) -> float:
    """One visit with no other visitor: seconds from the page's rerun to its finished page."""
    session = Session(target.url, timeout)
    await session.connect(executor)
    try:
        return (await session.run(time.perf_counter())).seconds
    finally:
        await session.close()


async def bench(targets: list[Target], k: int, repeats: int, key: str, delta: float, timeout: float) -> None:
    with ThreadPoolExecutor(max_workers=min(k, 128)) as executor:
        warmed = [await warm(target, key, delta, timeout, executor) for target in targets]
        single: dict[str, list[float]] = {t.label: [] for t in targets}
        for _ in range(SINGLE_VISITS):                                    # interleaved
            for target in targets:
                single[target.label].append(await alone(target, timeout, executor))
        await asyncio.gather(*(s.close() for s in warmed))
        for label, times in single.items():
            print(f"{label:>10s}, one visit at a time: median {statistics.median(times):.3f} s to a finished page "
                  f"(best {min(times):.3f} s of {len(times)})")
        results: list[dict[str, dict[str, Wave]]] = []
        for r in range(repeats):
            print(f"repeat {r + 1} of {repeats}", flush=True)
            order = targets if r % 2 == 0 else targets[::-1]            # alternate who goes first
            results.append({t.label: await measure(t, k, key, delta, timeout, executor) for t in order})
    if len(targets) < 2:
        return
    page, floor = targets[0].label, targets[1].label
    ratios = [r[page]["first visits"].percentile(95) / r[floor]["first visits"].percentile(95) for r in results]
    p95 = {t.label: [r[t.label]["first visits"].percentile(95) for r in results] for t in targets}
    print(f"\n{k} simultaneous first visits, p95 {page} / p95 {floor}, same repeat: "
          + ", ".join(f"{x:.2f}x" for x in ratios) + f"; median {statistics.median(ratios):.2f}x")
    print(f"p95 {page}: median {statistics.median(p95[page]):.2f} s (best {min(p95[page]):.2f}); "
          f"p95 {floor}: median {statistics.median(p95[floor]):.2f} s (best {min(p95[floor]):.2f}); "
          f"best/best {min(p95[page]) / min(p95[floor]):.2f}x")
    cpu = [r[page]["first visits"].cpu / r[floor]["first visits"].cpu for r in results
           if r[floor]["first visits"].cpu > 0]
    if cpu:
        print(f"server CPU for the wave, {page} / {floor}, same repeat: " + ", ".join(f"{x:.2f}x" for x in cpu)
              + f"; median {statistics.median(cpu):.2f}x")


def _pids(url: str, pids: list[int], ports: list[int]) -> list[int]:
    """The named processes, else the processes on the named ports, else the process on the URL's port if local."""
    if pids:
        return pids
    if ports:
        return [pid for port in ports for pid in listening_pids(port)]
    parts = urllib.parse.urlsplit(url)
    if parts.hostname in ("127.0.0.1", "localhost", "::1", socket.gethostname()):
        found = listening_pids(parts.port or (443 if parts.scheme == "https" else 80))
        for pid in found:
            name = psutil.Process(pid).name()
            if "python" not in name and "streamlit" not in name:
                print(f"note: the process on {parts.port} is {name} (pid {pid}), not a Streamlit server: name the "
                      f"servers with --pid or --server-port to see their memory")
        return found
    return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running page to measure (with its link's query string); default: start "
                                      "app.py and the minimal contour page and measure both")
    parser.add_argument("--against", help="with --url: a second page measured in the same run (the ratio's floor)")
    parser.add_argument("--query", default="", help="without --url: the query string of the app's link")
    parser.add_argument("--sessions", type=int, default=100, help="sessions opened at once (default 100)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of every wave (default 3)")
    parser.add_argument("--change", default="steps=+1", help="the settings change: widget key=delta (default steps=+1)")
    parser.add_argument("--pid", type=int, action="append", default=[], help="a server process to sample (repeat)")
    parser.add_argument("--server-port", type=int, action="append", default=[],
                        help="a local port a server process listens on, e.g. each replica's (repeat)")
    parser.add_argument("--against-server-port", type=int, action="append", default=[],
                        help="with --against: a local port one of its server processes listens on (repeat)")
    parser.add_argument("--port", type=int, default=0, help="without --url: the first of two ports for the servers "
                                                            "it starts (default: free ports)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds one session may take (default 600)")
    args = parser.parse_args()
    key, _, delta = args.change.partition("=")
    if not key or not delta:
        parser.error(f"Invalid --change: {args.change!r} (expected key=delta, e.g. steps=+1)")
    run = (args.sessions, args.repeats, key, float(delta), args.timeout)
    if args.url:
        targets = [Target(args.url, args.url, _pids(args.url, args.pid, args.server_port))]
        if args.against:
            targets.append(Target(args.against, args.against, _pids(args.against, [], args.against_server_port)))
        if len(targets) == 2:
            targets = [Target("page", args.url, targets[0].pids), Target("floor", args.against, targets[1].pids)]
            print(f"page: {args.url}\nfloor: {args.against}")
        asyncio.run(bench(targets, *run))
        return
    ports = (args.port, args.port + 1) if args.port else (free_port(), free_port())
    with server("app.py", ports[0]) as (app, app_pid), \
            server(MINIMAL_PAGE, ports[1], FLOOR_FLAGS) as (minimal, minimal_pid):
        query = f"?{args.query.lstrip('?')}" if args.query else ""
        asyncio.run(bench([Target("Optiscope", app + query, [app_pid]), Target("minimal", minimal, [minimal_pid])],
                          *run))


if __name__ == "__main__":
    main()
