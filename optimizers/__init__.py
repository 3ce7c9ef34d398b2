"""Optimizers for Optiscope: update rules, their declarations and ``simulate()``.

``optimizers.get("adam")`` returns the :class:`~optimizers.spec.Optimizer` entry (display name,
hyperparameter declarations, LaTeX equations, update rule);
``optimizers.simulate(landscape, "adam", start, steps, lr=0.1)`` runs it.

The package imports nothing until one of these names is asked for (PEP 562), so ``import optimizers.rules``
loads the rules and NumPy only.  The modules, from the bottom up: ``rules`` (the update rules), ``schedules``,
``sampling``, ``trajectory`` (the records a run leaves), ``theory`` (quadratic-bowl theory), ``lines`` (one
step written out), ``spec`` (what an entry is), ``params`` and ``registry`` (the entries), ``simulation`` (the
loop), ``explain`` (a step prepared for the page), then the studies built on runs: ``metrics``, ``studies``,
``validity``, ``behaviour``, and network mode's ``planes`` and ``network``.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from optimizers.registry import OPTIMIZERS, get, names
    from optimizers.simulation import simulate
    from optimizers.spec import Optimizer
    from optimizers.trajectory import Trajectory

__all__ = ["OPTIMIZERS", "Optimizer", "Trajectory", "names", "get", "simulate"]

_HOME = {"OPTIMIZERS": "optimizers.registry", "names": "optimizers.registry", "get": "optimizers.registry",
         "Optimizer": "optimizers.spec", "Trajectory": "optimizers.trajectory", "simulate": "optimizers.simulation"}


def __getattr__(name: str) -> Any:
    """The public names, each imported from its module on first use (and kept)."""
    if name not in _HOME:
        raise AttributeError(f"module 'optimizers' has no attribute {name!r}")
    value = getattr(import_module(_HOME[name]), name)
    globals()[name] = value
    return value
