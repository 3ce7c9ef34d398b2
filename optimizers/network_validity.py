"""Domains of validity in network mode: where a statement about training a network holds, measured.

The network counterpart of :mod:`optimizers.validity`.  A :class:`NetStatement` is one sentence of a network
lesson, declared as data: ``says`` (the plain words), ``domain`` (:class:`NetDomain`: the network settings it is
meant for, the ranges of settings it should survive, as :class:`~optimizers.validity.Axis`, and a horizon) and
``check`` (a function deciding it for one sampled case).  Every case draws its own data set and its own
initial weights (``data_seed`` and ``init_seed``), so a statement is never checked on one lucky draw.

:func:`study` samples the domain (seeded) and measures the fraction of cases where the statement holds, once per
process; :func:`describe` says it in plain words.  A statement is worded so that it holds for at least
:data:`~optimizers.validity.BAR` of its cases (``tests/test_network_lessons.py`` computes every fraction).
Cases are networks of their own (a data set each), so they run one after the other, each a few vectorised
training calls; a domain has a handful of cases, not hundreds.

Nothing runs at import.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from landscapes import networks
from landscapes.networks import NetworkLandscape
from optimizers import network
from optimizers.once import Once
from optimizers.trajectory import Trajectory
from optimizers.validity import Axis, percent

Array = np.ndarray
SEEDS = 2**31            # data and initial-weight seeds are drawn from [0, SEEDS)
NET_NAMES = frozenset(p.name for p in networks.PARAMS)


@dataclass(frozen=True)
class NetDomain:
    """The neighbourhood a network statement is meant for: ``n`` cases drawn with ``seed``.

    ``settings`` fixes :data:`landscapes.networks.PARAMS` (``data_seed`` is drawn per case, so it is not one of
    them); ``axes`` are sampled per case: a network setting (``x_scale``, ``noise``) or a value the check reads
    (``case["factor"]``).  ``steps`` is the training horizon.
    """

    settings: Mapping[str, object] = field(default_factory=dict)
    axes: tuple[Axis, ...] = ()
    steps: int = 500
    n: int = 8
    seed: int = 0

    def __post_init__(self) -> None:
        if "data_seed" in self.settings:
            raise ValueError("Invalid domain: data_seed is drawn per case, not fixed")
        unknown = sorted(set(self.settings) - NET_NAMES)
        if unknown:
            raise ValueError(f"Invalid domain: unknown network settings {', '.join(unknown)}")

    def words(self) -> str:
        """The domain in plain words, e.g. ``8 fresh moons data sets and initial weights, x_scale 5–20, 500 steps``."""
        net = {p.name: self.settings.get(p.name, p.default) for p in networks.PARAMS}
        shape = " → ".join(map(str, (2, *(int(cast(int, net["width"])),) * int(cast(int, net["layers"])), 1)))
        parts = [f"{self.n} fresh {net['dataset']} data sets and initial weights ({shape}, {net['activation']})"]
        parts += [a.span_words() for a in self.axes]
        parts.append(f"{self.steps:,} steps")
        return ", ".join(parts)


@dataclass(frozen=True, eq=False)
class NetCase:
    """One sampled case: its network, its initial weights' seed and its axes' values."""

    net: NetworkLandscape
    init_seed: int
    values: Mapping[str, float]
    steps: int

    def __getitem__(self, name: str) -> float:
        return self.values[name]

    def train(self, runs: Mapping[str, Mapping[str, object]], steps: int | None = None, *, batch_size: int = 0,
              seed: int = 0) -> dict[str, Trajectory]:
        """:func:`optimizers.network.train` from this case's initial weights (full batch by default)."""
        return network.train(self.net, runs, self.steps if steps is None else steps, batch_size=batch_size,
                             seed=seed, init_seed=self.init_seed)


@dataclass(frozen=True)
class NetStatement:
    """One statement about training a network: the words, where it is meant to hold, and how to decide it."""

    key: str
    says: str
    domain: NetDomain
    check: Callable[[NetCase], bool]


@dataclass(frozen=True, eq=False)
class NetStudy:
    """Which sampled cases of ``domain`` a statement holds for."""

    domain: NetDomain
    values: Mapping[str, Array]        # every axis's samples, and the seeds ("data_seed", "init_seed")
    holds: Array                       # (n,) bool

    @property
    def fraction(self) -> float:
        return float(np.mean(self.holds))

    @property
    def n(self) -> int:
        return int(self.holds.size)


def sample(domain: NetDomain) -> list[NetCase]:
    """The ``n`` cases of ``domain``, drawn with its seed: axes in their order, then the two seeds."""
    rng = np.random.default_rng(domain.seed)
    values = {a.name: a.sample(rng, domain.n) for a in domain.axes}
    seeds = rng.integers(0, SEEDS, (2, domain.n))
    cases = []
    for i in range(domain.n):
        own = {name: float(v[i]) for name, v in values.items()}
        data_seed, init_seed = int(seeds[0, i]), int(seeds[1, i])
        net = networks.get(**{**domain.settings, **{k: v for k, v in own.items() if k in NET_NAMES},
                              "data_seed": data_seed})
        cases.append(NetCase(net, init_seed, {**own, "data_seed": float(data_seed), "init_seed": float(init_seed)},
                             domain.steps))
    return cases


def measure(statement: NetStatement) -> NetStudy:
    """Sample the statement's domain and decide it for every case."""
    cases = sample(statement.domain)
    holds = np.array([bool(statement.check(case)) for case in cases])
    values = {name: np.array([case.values[name] for case in cases]) for name in cases[0].values} if cases else {}
    return NetStudy(statement.domain, values, holds)


STUDIES = Once(measure, key=lambda statement: statement.key)


def study(statement: NetStatement) -> NetStudy:
    """:func:`measure`, once per process (per statement: the cache is bounded by the declarations), also when many
    sessions ask at once."""
    return STUDIES(statement)


def describe(result: NetStudy) -> str:
    """The study in plain words: ``holds for 100% of 8 sampled cases (…)``, naming a miss's seeds if any."""
    text = f"holds for {percent(result.fraction)}% of {result.n} sampled cases ({result.domain.words()})"
    if result.holds.all():
        return text + "; no miss among them."
    miss = int(np.flatnonzero(~result.holds)[0])
    seeds = {name: int(result.values[name][miss]) for name in ("data_seed", "init_seed")}
    return text + f"; it misses, for example, at data_seed={seeds['data_seed']}, init_seed={seeds['init_seed']}."
