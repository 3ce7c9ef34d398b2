"""Results computed once per process, also when many threads ask for them at the same moment.

``functools.cache`` does not stop two threads that miss the same key together from both computing it.  In a
Streamlit server every session is a thread, so a class of 100 opening the Lessons tab at once would run each
lesson's studies 100 times over.  :class:`Once` gives each key its own lock: the first caller computes, the
others wait for its result, and callers of other keys go on meanwhile.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Once(Generic[P, R]):
    """``fn`` memoised for the life of the process, one computation per key even under concurrent callers.

    ``key`` maps the call's arguments to the cache key (default: the positional and keyword arguments, which must
    then be hashable).  A call that raises caches nothing: the next caller of that key computes again.  The cache
    grows with the keys asked for, so use it where those are bounded (declared statements, lessons, texts).
    """

    def __init__(self, fn: Callable[P, R], key: Callable[P, Hashable] | None = None) -> None:
        self._fn = fn
        self._key = key
        self._results: dict[Hashable, R] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        key = self._key(*args, **kwargs) if self._key else (args, tuple(sorted(kwargs.items())))
        try:
            return self._results[key]                   # the common case: no lock taken
        except KeyError:
            pass
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._results:
                self._results[key] = self._fn(*args, **kwargs)
            return self._results[key]

    def __len__(self) -> int:
        """How many results are kept."""
        return len(self._results)

    def clear(self) -> None:
        """Forget every result (benchmarks time cold computations with it)."""
        with self._guard:
            self._results.clear()
            self._locks.clear()


def once(fn: Callable[P, R]) -> Once[P, R]:
    """Decorator form of :class:`Once` keyed by the arguments, like ``functools.cache``."""
    return Once(fn)
