"""The full-matrix AdaGrad lessons: every number their text states, computed from the lessons' own links."""
from __future__ import annotations

import numpy as np
import pytest

import optimizers
from optimizers import metrics
from state import lessons, share


def runs(key: str) -> tuple[share.AppState, dict[str, optimizers.Trajectory]]:
    state, warnings = share.decode(lessons.get(key).query)
    assert warnings == []
    land = share.landscape_of(state)
    return state, {name: optimizers.simulate(land, name, share.start_of(state), state.steps, seed=state.seed,
                                             **state.hyper[name]) for name in state.optimizers}


def test_axis_aligned_valley():
    state, tr = runs("rotation_full_0")
    assert share.landscape_of(state).params["angle"] == 0.0
    assert f"{tr['adagrad'].loss[-1, 0]:.0e}" == "2e-05"                      # "about 2×10⁻⁵"
    assert metrics.steps_to_tolerance(tr["adagrad_full"], 0.0, state.tol)[0] == 83
    assert metrics.steps_to_tolerance(tr["adagrad"], 0.0, state.tol)[0] == -1


def test_turned_valley():
    flat_state, flat = runs("rotation_full_0")
    state, tr = runs("rotation_full_45")
    assert round(float(tr["adagrad"].loss[-1, 0]), 2) == pytest.approx(0.09)           # "about 0.09"
    assert tr["adagrad"].loss[-1, 0] / flat["adagrad"].loss[-1, 0] > 4000                 # "more than 4000 times"
    c = s = np.sqrt(0.5)
    turned = flat["adagrad_full"].points[:, 0] @ np.array([[c, -s], [s, c]]).T
    assert np.allclose(tr["adagrad_full"].points[:, 0], turned, atol=1e-9)            # the 0° path, turned
    assert np.allclose(tr["adagrad_full"].loss[:, 0], flat["adagrad_full"].loss[:, 0], rtol=1e-6, atol=1e-12)
    assert metrics.steps_to_tolerance(tr["adagrad_full"], 0.0, state.tol)[0] == 83
