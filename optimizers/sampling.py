"""Where a step's gradient comes from: the entry's :class:`Sampling`, the two hyperparameters it brings, and the
seed every random draw of a run comes from (:data:`SEED`, one declaration for a surface's runs and a network's).

A sampled method declares :data:`BATCH_SIZE` and :data:`NOISE` among its parameters: on a dataset surface a
step averages the gradient over ``batch_size`` real examples; on an analytic surface, which has no examples, it
adds Gaussian noise of scale ``noise / sqrt(batch)`` to the true gradient.  This module is the one place that
knows those roles: the gradient oracle (:mod:`optimizers.simulation`), the widgets a page offers
(:func:`offered`) and whether a run is random (:func:`stochastic`) all ask it.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Any

import numpy as np

from paramspec import Param


class Sampling(StrEnum):
    """Where a step's gradient comes from (a string enum: it compares equal to its value)."""

    FULL = "full"                      # the full-data gradient
    SINGLE = "single"                  # one example per step (analytic surfaces: true gradient plus noise)
    BATCH = "batch"                    # ``batch_size`` examples per step


BATCH_SIZE = Param("batch_size", 16, 1, 4096, kind="int", log=True,
                   help="Examples per gradient estimate. On analytic surfaces the noise shrinks as 1/√batch.")
NOISE = Param("noise", 1.0, 0.0, 100.0,
              help="Standard deviation of the Gaussian noise added to each gradient coordinate "
                   "on analytic surfaces (divided by √batch_size). Dataset surfaces sample real examples.")
SEED = Param("seed", 0, 0, 2**31 - 1, kind="int",
             help="Seed of the random generator: the gradient noise and the order examples are sampled in (in "
                  "network mode, the mini-batches every optimizer shares and a random plane's directions).")


def batch_of(sampling: Sampling, hp: Mapping[str, Any]) -> int:
    """Examples per step: 0 for the full gradient, 1 for a single example, else the run's ``batch_size``."""
    if sampling is Sampling.BATCH:
        return int(hp[BATCH_SIZE.name])
    return 0 if sampling is Sampling.FULL else 1


def noise_of(hp: Mapping[str, Any]) -> Any:
    """The noise scale σ of a run on an analytic surface (0 when it declares none; may be one per start)."""
    return hp.get(NOISE.name, 0.0)


def offered(params: Sequence[Param[Any]], n_examples: int | None) -> tuple[Param[Any], ...]:
    """The hyperparameters among ``params`` that mean something on a surface of ``n_examples`` examples (``None``:
    an analytic surface): the noise scale only where there are no examples to sample, the batch size up to the
    data set's size."""
    shown = []
    for p in params:
        if p.name == NOISE.name and n_examples:
            continue
        if p.name == BATCH_SIZE.name and n_examples and p.high is not None:
            p = replace(p, high=min(p.high, n_examples))
        shown.append(p)
    return tuple(shown)


def stochastic(sampling: Sampling, hp: Mapping[str, Any], n_examples: int | None) -> bool:
    """Whether a run's gradients are random: it samples fewer examples than a dataset surface has, or adds
    non-zero noise on an analytic one."""
    if sampling is Sampling.FULL:
        return False
    if n_examples:
        return sampling is Sampling.SINGLE or int(hp.get(BATCH_SIZE.name, 1)) < n_examples
    return bool(np.any(np.asarray(noise_of(hp)) != 0))
