"""Small 2-D binary classification sets, generated from a seed.

Each generator returns ``x`` of shape ``(n, 2)`` (float64) and labels ``y`` of shape ``(n,)`` (0.0 or
1.0), half of each class (the first ``n // 2`` points are class 0).  ``noise`` is the standard
deviation of the Gaussian jitter added to every coordinate; the clean shapes lie within about
``[-1.5, 1.5]²``.  Same arguments, same arrays, bit for bit.

The moons and circles follow scikit-learn's ``make_moons`` / ``make_circles`` (points evenly spaced
along the curves, then jittered; the moons shifted to be centred on 0); XOR and the spirals follow
the TensorFlow Playground's ``classifyXORData`` / ``classifySpiralData``.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray

CIRCLES_FACTOR = 0.5      # radius of the inner circle relative to the outer one (scikit-learn's factor)
XOR_PADDING = 0.1         # XOR points keep this far from the axes before noise (the Playground's padding)
SPIRAL_TURNS = 1.75       # full turns each spiral winds through from its centre (the Playground's 1.75)


def _split(n: int) -> tuple[int, int]:
    """Sizes of class 0 and class 1: ``n // 2`` and the rest (scikit-learn's convention)."""
    return n // 2, n - n // 2


def _labels(n: int) -> Array:
    n0, n1 = _split(n)
    return np.concatenate([np.zeros(n0), np.ones(n1)])


def moons(n: int, noise: float, rng: np.random.Generator) -> Array:
    """Two interleaving half circles (``make_moons``), shifted by ``(-0.5, -0.25)`` to centre them."""
    n0, n1 = _split(n)
    t0, t1 = np.linspace(0.0, np.pi, n0), np.linspace(0.0, np.pi, n1)
    outer = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    inner = np.stack([1.0 - np.cos(t1), 1.0 - np.sin(t1) - 0.5], axis=1)
    return np.concatenate([outer, inner]) - np.array([0.5, 0.25]) + rng.normal(0.0, noise, (n, 2))


def circles(n: int, noise: float, rng: np.random.Generator) -> Array:
    """An outer circle of radius 1 (class 0) around an inner one of radius 0.5 (``make_circles``)."""
    n0, n1 = _split(n)
    t0 = np.linspace(0.0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0.0, 2 * np.pi, n1, endpoint=False)
    outer = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    inner = CIRCLES_FACTOR * np.stack([np.cos(t1), np.sin(t1)], axis=1)
    return np.concatenate([outer, inner]) + rng.normal(0.0, noise, (n, 2))


def xor(n: int, noise: float, rng: np.random.Generator) -> Array:
    """Points in the four quadrants of ``[-1, 1]²``: class 1 where both coordinates share a sign."""
    n0, n1 = _split(n)
    magnitude = rng.uniform(XOR_PADDING, 1.0, (n, 2))
    first = rng.choice([-1.0, 1.0], n)                       # sign of the first coordinate
    second = np.concatenate([-first[:n0], first[n0:]])       # opposite sign for class 0, same for class 1
    return magnitude * np.stack([first, second], axis=1) + rng.normal(0.0, noise, (n, 2))


def spirals(n: int, noise: float, rng: np.random.Generator) -> Array:
    """Two interleaved spirals of radius 1, the second turned by π (``classifySpiralData``)."""
    parts = []
    for count, turn in zip(_split(n), (0.0, np.pi), strict=True):
        r = np.arange(count) / count
        angle = SPIRAL_TURNS * 2 * np.pi * r + turn
        parts.append(np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1))
    return np.concatenate(parts) + rng.normal(0.0, noise, (n, 2))


GENERATORS: dict[str, Callable[[int, float, np.random.Generator], Array]] = {
    "moons": moons, "circles": circles, "xor": xor, "spirals": spirals,
}


def make(dataset: str, n: int, noise: float, seed: int) -> tuple[Array, Array]:
    """Points ``(n, 2)`` and labels ``(n,)`` of ``dataset``; ``ValueError`` for an unknown name."""
    if dataset not in GENERATORS:
        raise ValueError(f"Unknown dataset {dataset!r}; choose one of: {', '.join(GENERATORS)}")
    return GENERATORS[dataset](n, noise, np.random.default_rng(seed)), _labels(n)
