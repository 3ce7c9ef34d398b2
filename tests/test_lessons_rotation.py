"""The full-matrix AdaGrad lessons: every number their text states, computed from the lessons' own links with the
fair race's tuned learning rates."""
from __future__ import annotations

import numpy as np

import optimizers
from optimizers import metrics
from state import lessons, share
from tests.test_lessons import fair


def runs(key: str) -> tuple[share.AppState, dict[str, optimizers.Trajectory]]:
    state, warnings = share.decode(lessons.get(key).query)
    assert warnings == []
    state = fair(state)
    land = share.landscape_of(state)
    return state, {name: optimizers.simulate(land, name, share.start_of(state), state.steps, seed=state.seed,
                                             **state.hyper[name]) for name in state.optimizers}


def steps(state: share.AppState, tr: optimizers.Trajectory) -> int:
    return int(metrics.steps_to_tolerance(tr, 0.0, state.tol)[0])


def test_axis_aligned_valley():
    state, tr = runs("rotation_full_0")
    assert share.landscape_of(state).params["angle"] == 0.0
    diagonal, full = steps(state, tr["adagrad"]), steps(state, tr["adagrad_full"])
    assert diagonal > 0 and full > 0
    watch = lessons.get("rotation_full_0").watch
    assert f"minimum in {diagonal} steps" in watch and f"g gᵀ, in {full}." in watch


def test_turned_valley():
    flat_state, flat = runs("rotation_full_0")
    state, tr = runs("rotation_full_45")
    loss = float(tr["adagrad"].loss[-1, 0])
    assert steps(state, tr["adagrad"]) == -1 and loss > 1e3 * state.tol        # far from the tolerance when turned
    watch = lessons.get("rotation_full_45").watch
    assert f"its loss is still {loss:.1e}" in watch
    assert state.hyper["adagrad_full"]["lr"] == flat_state.hyper["adagrad_full"]["lr"]   # one tuned rate for both
    c = s = np.sqrt(0.5)
    turned = flat["adagrad_full"].points[:, 0] @ np.array([[c, -s], [s, c]]).T
    assert np.allclose(tr["adagrad_full"].points[:, 0], turned, atol=1e-9)            # the 0° path, turned
    assert np.allclose(tr["adagrad_full"].loss[:, 0], flat["adagrad_full"].loss[:, 0], rtol=1e-6, atol=1e-12)
    assert f"within 10⁻⁶ at step {steps(state, tr['adagrad_full'])}." in watch
    assert steps(state, tr["adagrad_full"]) == steps(flat_state, flat["adagrad_full"])
