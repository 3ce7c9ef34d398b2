"""Once per server process: the work every session shares.

One Streamlit process runs every session's script under one interpreter lock, so what a session costs the server is
what a class waits for.  Two things here keep that cost to what is particular to the session:

- :func:`shared`: results every visitor of the same link needs (payloads, figure JSON, tables) are built once per
  process and handed out as the same object, not as pickled copies (``st.cache_data``) or rebuilt per session.
- :func:`freeze_long_lived`: a full garbage collection walks every object the process holds; frozen objects are left
  out of it.  (Streamlit forces one after every script run unless ``runner.postScriptGC`` is off, as
  ``.streamlit/config.toml`` sets it; Python's own collector still runs.)
"""
from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import TypeVar, cast

import numpy as np
import streamlit as st

F = TypeVar("F", bound=Callable)


def shared(max_entries: int) -> Callable[[F], F]:
    """Cache a function's results for the whole process, keyed by its (hashable) arguments.

    A hit costs a dictionary look-up (``functools.lru_cache``); a miss goes through ``st.cache_resource``, whose
    per-key lock makes sessions that ask for the same missing result at once wait for one computation instead of
    each running it.  Every caller gets the same object, so results must never be changed: build them from
    immutable parts (strings, tuples) or pass arrays through :func:`read_only`.  Both layers keep at most
    ``max_entries`` results.
    """
    def decorate(fn: F) -> F:
        computed = st.cache_resource(max_entries=max_entries, show_spinner=False)(fn)
        return cast(F, functools.wraps(fn)(functools.lru_cache(maxsize=max_entries)(computed)))   # same signature
    return decorate


def read_only(*arrays: np.ndarray | None) -> None:
    """Make ``arrays`` (and the arrays they view) read-only, so a shared result cannot be changed in place."""
    for a in arrays:
        if isinstance(a, np.ndarray):
            a.flags.writeable = False


@functools.cache
def freeze_long_lived() -> None:
    """Move every object alive now (the imported modules: numpy, plotly, sympy, Streamlit, ...) to the collector's
    permanent generation, once per process.

    With Streamlit's default ``runner.postScriptGC`` a full ``gc.collect()`` follows every script run; with about
    180,000 long-lived objects in this process that was most of a session's server time (about 100 ms a run, more
    than the script itself).  Frozen, they are skipped by it and by Python's own full collections, which walk only
    what the sessions made (Python docs, ``gc.freeze``).  Called
    first thing on the page, after a collection, so what gets frozen is what the process keeps: its modules, and
    the little the first session held then.
    """
    gc.collect()
    gc.freeze()
