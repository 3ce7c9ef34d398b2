"""benchmarks/bench_load.py speaks Streamlit's websocket protocol as the browser does.

The widget states expected here are what Chromium sends for the same elements (captured from the app's own page:
a select slider sends its option labels, a slider its numbers, an integer number input an int).  The last test
runs a small page on a real ``streamlit run`` server: a session opens it, changes one widget like an arrow key
would, and the page sees the new value while the other widgets keep theirs (the page raises otherwise).
``tests/browser/test_bench_load.py`` compares the messages with the ones Chromium sends on the app itself.
"""
from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_load  # noqa: E402


def element(kind: str, **fields) -> Element:
    el = Element()
    widget = getattr(el, kind)
    for name, value in fields.items():
        if isinstance(value, list):
            getattr(widget, name).extend(value)
        else:
            setattr(widget, name, value)
    return el


def test_select_slider_sends_its_option_labels():
    el = element("slider", id="$$ID-1-tol", type=Slider.SELECT_SLIDER, options=["1e-06", "0.001"], default=[0.0],
                 set_value=True, raw_value=["0.001"])
    assert list(bench_load.widget_state(el).string_array_value.data) == ["0.001"]
    el.slider.set_value = False
    assert list(bench_load.widget_state(el).string_array_value.data) == ["1e-06"]    # the default index's label


def test_slider_sends_numbers_and_moves_by_the_key_step():
    el = element("slider", id="$$ID-9-steps", type=Slider.SLIDER, default=[1.0], value=[200.0], set_value=True)
    state = bench_load.widget_state(el)
    assert list(state.double_array_value.data) == [200.0]
    assert list(bench_load.bumped(state, 1).double_array_value.data) == [201.0]
    assert list(state.double_array_value.data) == [200.0]                  # bumped() returns a new state


def test_number_inputs_send_int_or_double_by_their_type():
    seed = bench_load.widget_state(element("number_input", id="$$ID-2-seed", data_type=NumberInput.INT, default=0.0,
                                           value=7.0, set_value=True))
    assert seed.WhichOneof("value") == "int_value" and seed.int_value == 7
    assert bench_load.bumped(seed, 1).int_value == 8
    start = bench_load.widget_state(element("number_input", id="$$ID-3-start_x", data_type=NumberInput.FLOAT,
                                            default=-1e6, value=-8.25, set_value=True))
    assert start.WhichOneof("value") == "double_value" and start.double_value == -8.25
    empty = element("number_input", id="$$ID-4-n", data_type=NumberInput.FLOAT)
    assert bench_load.widget_state(empty) is None                          # no value: the browser sends none


def test_choices_send_labels():
    surface = element("selectbox", id="$$ID-5-surface", options=["Ravine", "Rosenbrock"], default=0, set_value=True,
                      raw_value="Rosenbrock")
    assert bench_load.widget_state(surface).string_value == "Rosenbrock"
    layout = element("radio", id="$$ID-6-layout", options=["Side by side", "Overlay"], default=1)
    assert bench_load.widget_state(layout).string_value == "Overlay"
    chosen = element("multiselect", id="$$ID-7-opt", options=["GD", "Adam", "Lion"], default=[0, 2])
    assert list(bench_load.widget_state(chosen).string_array_value.data) == ["GD", "Lion"]
    toggle = element("checkbox", id="$$ID-8-fair", default=True)
    assert bench_load.widget_state(toggle).bool_value is True


def test_elements_the_browser_sends_nothing_for():
    assert bench_load.widget_state(element("button", id="$$ID-a-reset", label="Reset")) is None
    assert bench_load.widget_state(element("markdown", body="hello")) is None


def test_a_text_state_cannot_be_moved():
    with pytest.raises(ValueError, match="Invalid change: widget 'w' holds a string_value"):
        bench_load.bumped(WidgetState(id="w", string_value="x"), 1)


def test_user_key_of_keyed_widgets_only():
    assert bench_load.user_key("$$ID-989e8d12-steps") == "steps"
    assert bench_load.user_key("$$ID-b84cba06-surface.condition") == "surface.condition"
    assert bench_load.user_key("$$ID-3d8abc0f-None-reset-x") == "None-reset-x"
    assert bench_load.user_key("plain") == ""


def test_the_first_rerun_is_a_page_load():
    msg = bench_load.rerun_message("steps=150", "http://127.0.0.1:8501/")
    rerun = msg.rerun_script
    assert msg.WhichOneof("type") == "rerun_script"
    assert rerun.query_string == "steps=150" and rerun.page_script_hash == ""
    assert rerun.HasField("widget_states") and not rerun.widget_states.widgets
    assert rerun.context_info.url == "http://127.0.0.1:8501/" and rerun.context_info.locale == "en-US"


def test_percentile_is_nearest_rank():
    wave = bench_load.Wave([bench_load.Page(float(t), 0) for t in range(1, 101)], [], {}, 0)
    assert wave.percentile(95) == 95.0 and wave.percentile(50) == 50.0 and wave.percentile(100) == 100.0
    assert bench_load.Wave([bench_load.Page(3.0, 0)], ["failed"], {}, 0).errors == 1


PAGE = '''
import streamlit as st
st.slider("steps", 1, 500, 200, key="steps")
st.number_input("seed", 0, 99, 7, key="seed")
st.select_slider("tol", ["0.1", "0.01", "0.001"], "0.01", key="tol")
if (st.session_state.seed, st.session_state.tol) != (7, "0.01"):
    raise RuntimeError("a widget lost its value")
if st.session_state.steps == 202:
    raise RuntimeError("two hundred and two")
'''


@pytest.fixture
def page_url(tmp_path: Path):
    script = tmp_path / "page.py"
    script.write_text(PAGE)
    port = bench_load.free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.headless=true",
                             f"--server.port={port}", "--server.address=127.0.0.1", "--server.fileWatcherType=none",
                             "--browser.gatherUsageStats=false"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2):
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "streamlit did not start"
                time.sleep(0.25)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_session_loads_a_page_and_changes_a_widget_on_a_real_server(page_url):
    url, pid = page_url

    async def scenario():
        with ThreadPoolExecutor(4) as executor:
            sessions, first = await bench_load.first_visits(url + "?x=1", 2, [pid], 60, executor)
            assert len(sessions) == 2 and not first.failures and first.errors == 0
            assert first.rss[pid] > 10 * 2**20 and first.rss_total == first.rss[pid] and first.cpu > 0
            session = sessions[0]
            assert {bench_load.user_key(w) for w in session.widgets} == {"steps", "seed", "tol"}
            assert session.query == "x=1" and session.page_script_hash
            moved = await bench_load.change(sessions, "steps", 1, [pid])
            assert len(moved.pages) == 2 and moved.errors == 0
            steps = session.widgets[session.widget_id("steps")]
            assert list(steps.double_array_value.data) == [201.0]
            again = await bench_load.change(sessions[:1], "steps", 1, [])
            assert again.errors == 1 and again.pages[0].exceptions == ["two hundred and two"]
            await asyncio.gather(*(s.close() for s in sessions))

    with ThreadPoolExecutor(1) as thread:          # its own loop: a session-wide Playwright may hold this thread's
        thread.submit(asyncio.run, scenario()).result()
