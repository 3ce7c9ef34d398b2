"""optimizers.once: one computation per key for the whole process, also under threads asking at once."""
from __future__ import annotations

import threading
import time

import pytest

from optimizers.once import Once, once
from optimizers.validity import STUDIES
from state import lessons, network_lessons


def _call_together(fn, args: list, n_threads: int) -> list:
    """Call ``fn(arg)`` from ``n_threads`` threads released at the same moment; the results in thread order."""
    barrier = threading.Barrier(n_threads)
    results: list = [None] * n_threads

    def work(i: int) -> None:
        barrier.wait()
        results[i] = fn(args[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    return results


def test_simultaneous_callers_of_one_key_share_one_computation():
    calls: list[int] = []

    @once
    def slow_square(x: int) -> list[int]:
        calls.append(x)
        time.sleep(0.2)                  # long enough for every thread to miss the cache together
        return [x * x]

    results = _call_together(slow_square, [7] * 12, 12)
    assert calls == [7]
    assert all(r is results[0] for r in results) and results[0] == [49]
    assert len(slow_square) == 1


def test_other_keys_do_not_wait_for_a_computation_under_way():
    started = threading.Event()

    @once
    def value(key: str) -> str:
        if key == "slow":
            started.set()
            assert finished.wait(timeout=10), "the fast key waited for the slow one"
        return key

    finished = threading.Event()
    slow = threading.Thread(target=value, args=("slow",))
    slow.start()
    assert started.wait(timeout=10)
    assert value("fast") == "fast"       # computed while "slow" holds its own key's lock
    finished.set()
    slow.join(timeout=10)
    assert len(value) == 2


def test_a_failed_computation_is_not_kept():
    attempts: list[int] = []

    @once
    def flaky(x: int) -> int:
        attempts.append(x)
        if len(attempts) == 1:
            raise RuntimeError("first try fails")
        return x + 1

    with pytest.raises(RuntimeError):
        flaky(1)
    assert flaky(1) == 2 and flaky(1) == 2
    assert attempts == [1, 1]


def test_key_function_and_clear():
    calls: list[tuple[str, int]] = []
    by_name = Once(lambda name, payload: calls.append((name, payload)) or payload, key=lambda name, payload: name)
    assert by_name("a", 1) == 1
    assert by_name("a", 2) == 1          # same key: the first result
    by_name.clear()
    assert len(by_name) == 0 and by_name("a", 2) == 2
    assert calls == [("a", 1), ("a", 2)]


def test_the_page_s_once_per_process_results_use_it():
    """The studies and the lessons' measured texts and races are the caches many sessions hit at once."""
    assert isinstance(STUDIES, Once) and isinstance(lessons._measured, Once)
    assert isinstance(lessons.race, Once) and isinstance(network_lessons.race, Once)
