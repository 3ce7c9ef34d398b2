"""``optimizers.studies``: basins of attraction, learning-rate sweeps, tuning and spreads."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import landscapes
import optimizers
from optimizers import metrics, studies
from optimizers.studies import DIVERGED, NOT_CONVERGED, Sweep
from state import study_export


@pytest.fixture(scope="module")
def ravine():
    return landscapes.get("ravine")


@pytest.fixture(scope="module")
def himmelblau():
    return landscapes.get("himmelblau")


# --- basins ---------------------------------------------------------------------------------------

def test_basin_starts_are_cell_centres_in_row_major_order(ravine):
    x, y, starts = studies.basin_starts(ravine, 10)
    assert np.allclose(x, np.arange(-9.0, 10.0, 2.0)) and np.allclose(y, x)
    assert np.array_equal(starts[1], [x[1], y[0]]) and np.array_equal(starts[10], [x[0], y[1]])
    with pytest.raises(ValueError, match=r"Invalid resolution: 301 \(allowed: 10 <= resolution <= 300"):
        studies.basin_starts(ravine, 301)


def test_stable_gradient_descent_on_a_quadratic_reaches_the_minimum_from_everywhere(ravine):
    # On f = ½θᵀHθ with curvatures 1 and 1/50, gradient descent converges for every start iff lr < 2.
    result = studies.basins(ravine, "gd", 1000, resolution=12, lr=1.8)
    assert result.outcome.shape == (12, 12)
    assert np.all(result.outcome == 0)
    assert result.global_share == 1.0
    unstable = studies.basins(ravine, "gd", 300, resolution=12, lr=2.2)
    assert np.all(unstable.outcome == DIVERGED)
    assert np.all(unstable.diverged_at > 0) and np.all(np.isfinite(unstable.final_loss))
    assert unstable.global_share == 0.0 and unstable.share(DIVERGED) == 1.0


def test_too_few_steps_leave_starts_not_converged(ravine):
    result = studies.basins(ravine, "gd", 5, resolution=10, lr=0.01)
    assert result.share(NOT_CONVERGED) == 1.0
    assert np.all(result.diverged_at == -1)


def test_basins_agree_with_single_runs_and_find_all_four_himmelblau_minima(himmelblau):
    result = studies.basins(himmelblau, "gd", 400, resolution=20, chunk=137, lr=0.01)
    assert set(np.unique(result.outcome)) >= {0, 1, 2, 3}
    assert result.is_global.all()                      # all four minima have loss 0
    _, _, starts = studies.basin_starts(himmelblau, 20)
    pick = np.random.default_rng(1).choice(len(starts), 25, replace=False)
    single = optimizers.simulate(himmelblau, "gd", starts[pick], 400, lr=0.01)
    expected = np.where(single.diverged_at >= 0, DIVERGED, metrics.reached_minimum(himmelblau, single))
    expected = np.where(expected == -1, NOT_CONVERGED, expected)
    assert np.array_equal(result.outcome.ravel()[pick], expected)
    # every start right next to a minimum ends in that minimum
    for k, m in enumerate(himmelblau.minima):
        i, j = np.abs(result.y - m[1]).argmin(), np.abs(result.x - m[0]).argmin()
        assert result.outcome[i, j] == k


def test_deterministic_map_does_not_depend_on_the_chunk_size(himmelblau):
    a = studies.basins(himmelblau, "momentum", 150, resolution=16, lr=0.005, momentum=0.9)
    b = studies.basins(himmelblau, "momentum", 150, resolution=16, chunk=50, lr=0.005, momentum=0.9)
    assert np.array_equal(a.outcome, b.outcome) and np.array_equal(a.final_loss, b.final_loss)


def test_stochastic_map_is_reproducible_and_chunks_draw_different_noise(ravine):
    kw = dict(resolution=10, chunk=50, lr=0.5, noise=1.0)
    a = studies.basins(ravine, "sgd", 30, seed=3, **kw)
    b = studies.basins(ravine, "sgd", 30, seed=3, **kw)
    c = studies.basins(ravine, "sgd", 30, seed=4, **kw)
    assert np.array_equal(a.finals, b.finals)
    assert not np.array_equal(a.finals, c.finals)
    # SGD on f = ½θᵀHθ is linear: θ_T = A θ_0 + (noise part) with A = (I - lr H)^T.  Subtracting A θ_0 leaves
    # the noise part, which must differ between start k of the first chunk and start k of the second.
    _, _, starts = studies.basin_starts(ravine, 10)
    A = np.linalg.matrix_power(np.eye(2) - 0.5 * ravine.hessian(np.zeros(2)), 30)
    noise = a.finals.reshape(-1, 2) - starts @ A.T
    assert np.all(np.abs(noise[:50] - noise[50:]) > 1e-9)
    assert np.allclose(noise[:50].std(axis=0), noise[50:].std(axis=0), rtol=0.5)


def test_only_the_deepest_well_counts_as_global():
    land = landscapes.get("two_wells", tilt=0.5)
    result = studies.basins(land, "gd", 600, resolution=24, lr=0.02)
    deep = int(np.argmin(land.value(land.minima)))
    assert result.is_global.tolist() == [k == deep for k in range(2)]
    assert 0.0 < result.global_share < 1.0
    assert result.global_share == pytest.approx(result.share(deep))


# --- learning-rate sweep --------------------------------------------------------------------------

def test_lr_grid_is_log_spaced_and_validated():
    grid = studies.lr_grid(1e-3, 10.0, 5)
    assert grid.tolist() == [1e-3, 1e-2, 1e-1, 1.0, 10.0]
    assert studies.lr_grid(1e-4, 10.0, 41)[[1, 2, 20]].tolist() == [0.000133, 0.000178, 0.0316]
    assert studies.lr_grid(1.0, 1.02, 50).tolist() == [1.0, 1.01, 1.02]      # rounding merges the rest
    with pytest.raises(ValueError, match=r"low \(1\) must be smaller than high \(0.1\)"):
        studies.lr_grid(1.0, 0.1, 5)
    with pytest.raises(ValueError, match=r"Invalid n: 2 \(allowed: 5 <= n <= 201"):
        studies.lr_grid(1e-3, 1.0, 2)


def test_sweep_finds_the_quadratic_stability_limit(ravine):
    lrs = studies.lr_grid(1e-2, 10.0, 41)
    sweep = studies.lr_sweep(ravine, "gd", ravine.start, 200, lrs)
    limit = 2.0                                         # 2 / largest curvature
    assert np.all(sweep.stable == (lrs < limit))
    assert np.all((sweep.diverged_at >= 0) == (lrs > limit))
    low, high = sweep.stable_range
    assert low == lrs[0] and high == lrs[lrs < limit].max()
    assert sweep.diverge_lr == lrs[lrs > limit].min()
    assert sweep.start_loss == pytest.approx(float(ravine.value(ravine.start)))


def test_sweep_matches_separate_runs(ravine):
    lrs = np.array([0.5, 0.05, 0.2])
    sweep = studies.lr_sweep(ravine, "adam", [3.0, -4.0], 120, lrs, tol=1e-3, lr=123.0)
    assert np.array_equal(sweep.lrs, np.sort(lrs))
    for i, lr in enumerate(sweep.lrs):
        tr = optimizers.simulate(ravine, "adam", [3.0, -4.0], 120, lr=float(lr))
        assert sweep.final_loss[i] == pytest.approx(tr.loss[-1, 0], rel=1e-12, abs=1e-300)
        assert sweep.steps_to_tol[i] == metrics.steps_to_tolerance(tr, ravine.min_value, 1e-3)[0]


def _sweep(final, diverged, steps_to_tol=None, f_star=0.0, tol=1e-6) -> Sweep:
    m = len(final)
    return Sweep(optimizer="gd", lrs=np.geomspace(1e-3, 1.0, m), final_loss=np.array(final, float), start_loss=1.0,
                 steps_to_tol=np.array(steps_to_tol if steps_to_tol is not None else [-1] * m),
                 diverged_at=np.array(diverged), f_star=f_star, tol=tol)


def test_stable_range_is_the_longest_unbroken_run():
    s = _sweep([0.5, 2.0, 0.1, 0.1, 0.1, 0.3, 1.0], [-1, -1, -1, -1, -1, 7, -1])
    assert s.stable.tolist() == [True, False, True, True, True, False, False]
    assert s.stable_range == (s.lrs[2], s.lrs[4])
    assert s.diverge_lr == s.lrs[5]
    assert _sweep([2.0, 3.0], [-1, 4]).stable_range is None


def test_best_prefers_lower_loss_then_speed_then_smaller_lr():
    assert _sweep([1e-2, 1e-4, 1e-3], [-1, -1, -1]).best == 1
    assert _sweep([1e-9, 1e-12, 1e-7, 1e-8], [-1, -1, -1, -1], [50, 80, 20, 20]).best == 1
    # gaps at rounding level tie; the fastest to reach tol wins, then the smaller learning rate
    assert _sweep([0.0, 1e-20, 1e-3, 0.0], [-1, -1, -1, -1], [50, 20, 5, 30]).best == 1
    assert _sweep([1e-17, 0.0, 1e-3], [-1, -1, -1], [20, 20, 5]).best == 0
    assert _sweep([0.1, 1e-9], [-1, 3], [-1, 5]).best == 0      # diverged runs never win
    assert _sweep([1.0, 1.0], [2, 3]).best is None
    assert _sweep([3.0, -2.0, 1.0], [-1, -1, -1], f_star=None).best == 1


def test_tune_lr_picks_the_largest_stable_rate_on_the_ravine(ravine):
    # With curvatures 1/50 and 1, gradient descent's rate max(|1 - lr/50|, |1 - lr|) improves with lr up to
    # 2/(1 + 1/50) ≈ 1.96, so the best grid value is the largest one below it.
    lrs = studies.lr_grid(1e-2, 10.0, 41)
    lr, sweep = studies.tune_lr(ravine, "gd", ravine.start, 200, lrs, tol=1e-12)
    assert lr == lrs[lrs < 1.96].max()
    assert sweep.lrs[sweep.best] == lr
    lr, _ = studies.tune_lr(ravine, "gd", ravine.start, 200, np.array([3.0, 5.0, 9.0]))
    assert lr is None


# --- spread ---------------------------------------------------------------------------------------

def test_cloud_of_starts_is_gaussian_around_the_start_and_inside_the_bounds(ravine):
    starts = studies.cloud_starts(ravine, [1.0, -2.0], 1000, 0.05, seed=2)
    assert starts.shape == (1000, 2)
    assert np.allclose(starts.mean(axis=0), [1.0, -2.0], atol=0.1)
    assert np.allclose(starts.std(axis=0), 0.05 * ravine.span, rtol=0.1)
    edge = studies.cloud_starts(ravine, [9.9, 0.0], 500, 0.2, seed=2)
    assert edge[:, 0].max() <= 10.0 and edge[:, 0].min() >= -10.0
    with pytest.raises(ValueError, match=r"Invalid n: 1 \(allowed: 2 <= n <= 1000"):
        studies.cloud_starts(ravine, [0.0, 0.0], 1, 0.05)


def test_seed_copies_of_a_deterministic_optimizer_coincide(ravine):
    s = studies.spread(ravine, "momentum", ravine.start, 80, mode="seeds", n=8, lr=0.5, momentum=0.8)
    assert not s.stochastic
    assert np.array_equal(s.loss_quantiles[0], s.loss_quantiles[2])
    assert np.all(s.finals == s.finals[0])


def test_seed_copies_of_sgd_draw_independent_noise(ravine):
    s = studies.spread(ravine, "sgd", ravine.start, 100, mode="seeds", n=200, lr=0.3, noise=2.0, seed=5)
    assert s.stochastic
    assert np.all(s.starts == ravine.start)
    assert len(np.unique(s.finals[:, 0])) == 200
    q10, median, q90 = s.loss_quantiles
    assert q10[0] == median[0] == q90[0] == pytest.approx(float(ravine.value(ravine.start)))
    assert np.all(q10 <= median) and np.all(median <= q90) and q10[-1] < q90[-1]
    again = studies.spread(ravine, "sgd", ravine.start, 100, mode="seeds", n=200, lr=0.3, noise=2.0, seed=5)
    assert np.array_equal(again.finals, s.finals)


def test_cloud_spread_summarizes_the_runs(himmelblau):
    s = studies.spread(himmelblau, "gd", [0.0, 0.0], 300, mode="starts", n=300, radius=0.2, lr=0.01)
    tr = optimizers.simulate(himmelblau, "gd", s.starts, 300, lr=0.01)
    assert np.array_equal(s.finals, tr.points[-1])
    assert np.allclose(s.loss_quantiles[1], np.median(tr.loss, axis=1))
    assert np.array_equal(s.reached, metrics.reached_minimum(himmelblau, tr))
    assert len(set(s.reached.tolist()) - {-1}) >= 2     # a wide cloud on the central hill splits


@pytest.mark.parametrize(("surface", "name", "hp", "expected"), [
    ("ravine", "sgd", {"noise": 1.0}, True),
    ("ravine", "sgd", {"noise": 0.0}, False),
    ("ravine", "adam", {}, False),
    ("linear_regression", "sgd", {}, True),
    ("linear_regression", "minibatch", {"batch_size": 4096}, False),
    ("linear_regression", "minibatch", {"batch_size": 4}, True),
])
def test_is_stochastic(surface, name, hp, expected):
    assert studies.is_stochastic(landscapes.get(surface), name, hp) is expected


# --- CSV exports ----------------------------------------------------------------------------------

def test_basins_csv_has_one_row_per_start_with_its_outcome():
    land = landscapes.get("two_wells")
    maps = [studies.basins(land, "gd", 200, resolution=10, lr=0.02),
            studies.basins(land, "gd", 200, resolution=10, lr=0.6)]
    table = pd.read_csv(io.StringIO(study_export.basins_csv(land, maps, ["gd", "gd_fast"])))
    assert len(table) == 200 and list(table["optimizer"].unique()) == ["gd", "gd_fast"]
    first = table[table["optimizer"] == "gd"]
    assert np.allclose(first[["start_x", "start_y"]], studies.basin_starts(land, 10)[2])
    assert np.array_equal(first["final_loss"], maps[0].final_loss.ravel())       # exact round trip
    reached = first["outcome"] == "minimum"
    assert np.allclose(first.loc[reached, ["minimum_x", "minimum_y"]], land.minima[maps[0].outcome.ravel()[reached]])
    assert first.loc[~reached, "minimum_x"].isna().all()
    fast = table[table["optimizer"] == "gd_fast"]
    assert (fast["outcome"] == "diverged").sum() == (maps[1].outcome == DIVERGED).sum() > 0
    assert (fast.loc[fast["outcome"] == "diverged", "diverged_at"] > 0).all()


def test_sweep_csv_marks_the_best_rate_and_divergence(ravine):
    lrs = studies.lr_grid(0.1, 10.0, 9)
    sweep = studies.lr_sweep(ravine, "gd", ravine.start, 100, lrs)
    table = pd.read_csv(io.StringIO(study_export.sweep_csv([sweep], ["gd"])))
    assert table["lr"].tolist() == lrs.tolist()
    assert table["best"].tolist() == [i == sweep.best for i in range(len(lrs))]
    assert table["stable"].tolist() == sweep.stable.tolist()
    assert ((table["diverged_at"] >= 0) == (table["lr"] > 2)).all()
    assert np.allclose(table["loss_gap"], sweep.final_loss - ravine.min_value)


def test_basins_report_progress_after_every_chunk(himmelblau):
    calls = []
    result = studies.basins(himmelblau, "gd", 50, resolution=20, chunk=75, lr=0.01,
                             progress=lambda done, total: calls.append((done, total)))
    assert calls == [(k, 6) for k in range(1, 7)]                  # 400 starts in chunks of 75
    assert studies.basin_chunks(20, 50, 75) == 6
    assert result.outcome.shape == (20, 20)


def test_basin_parts_assemble_into_the_map_and_match_whole_runs(himmelblau):
    """The page caches chunk by chunk; the pieces must make exactly the map ``basins`` makes, which in turn is
    the end of the full ``simulate()`` run from every start."""
    kw = dict(resolution=12, seed=5, chunk=50, lr=0.01)
    whole = studies.basins(himmelblau, "adam", 60, **kw)
    total = studies.basin_chunks(12, 60, 50)
    parts = [studies.basin_part(himmelblau, "adam", 60, k, **kw) for k in range(total)]
    pieced = studies.assemble_basins(himmelblau, "adam", 12, parts)
    for field in ("outcome", "finals", "final_loss", "diverged_at"):
        assert np.array_equal(getattr(whole, field), getattr(pieced, field)), field
    tr = optimizers.simulate(himmelblau, "adam", studies.basin_starts(himmelblau, 12)[2], 60, lr=0.01)
    assert np.array_equal(whole.finals.reshape(-1, 2), tr.points[-1])
    assert np.array_equal(whole.final_loss.ravel(), tr.loss[-1])
