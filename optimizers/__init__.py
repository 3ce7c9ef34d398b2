"""Optimizers for Optiscope: update rules, their declarations and ``simulate()``.

``optimizers.get("adam")`` returns the :class:`Optimizer` spec (display name,
hyperparameter declarations, LaTeX equations, update rule);
``optimizers.simulate(landscape, "adam", start, steps, lr=0.1)`` runs it.
"""
from __future__ import annotations

from optimizers.registry import OPTIMIZERS, Optimizer
from optimizers.simulate import Trajectory, resolve, simulate

__all__ = ["OPTIMIZERS", "Optimizer", "Trajectory", "names", "get", "simulate"]


def names() -> list[str]:
    """Names of all registered optimizers, in display order."""
    return list(OPTIMIZERS)


def get(name: str) -> Optimizer:
    """The spec of optimizer ``name``; ``ValueError`` for unknown names."""
    return resolve(name)
