"""The per-step series figures: Prodigy's d over the steps beside the loss curves, and the other declared series."""
from __future__ import annotations

import numpy as np

import landscapes
import optimizers
from viz.series import race_markers, scalar_series, series_figures


def test_prodigy_d_is_drawn_over_the_steps():
    land = landscapes.get("ravine")
    trajs = {name: optimizers.simulate(land, name, land.start, 60) for name in ("gd", "prodigy", "dadapt_adam")}
    found = scalar_series(trajs)
    assert found["d"][1] == ["prodigy", "dadapt_adam"] and "gd" not in found["d"][1]
    figs = series_figures(trajs, {"prodigy": "#d00", "dadapt_adam": "#00d", "gd": "#000"})
    d_fig = next(f for f in figs if f.layout.title.text.startswith("d,"))
    assert d_fig.layout.yaxis.type == "log"
    prodigy = next(trace for trace in d_fig.data if trace.name == "Prodigy")
    assert np.array_equal(np.asarray(prodigy.y), trajs["prodigy"].extra["d"][:, 0])
    assert list(prodigy.x) == list(range(1, 61))


def test_classic_optimizers_have_no_series_and_matrices_are_not_plotted():
    land = landscapes.get("rosenbrock")
    trajs = {name: optimizers.simulate(land, name, land.start, 20) for name in ("adam", "bfgs")}
    found = scalar_series(trajs)
    assert set(found) == {"alpha"}                     # BFGS's H_t is a matrix: the inspector draws it
    assert series_figures({"adam": trajs["adam"]}, {}) == []


def test_a_diverged_run_is_cut_at_its_divergence():
    land = landscapes.get("ravine")
    tr = optimizers.simulate(land, "prodigy", land.start, 60, lr=10.0, d_coef=100.0)
    assert tr.diverged_at[0] > 0
    fig = series_figures({"prodigy": tr}, {})[0]
    assert max(fig.data[0].x) <= tr.diverged_at[0]


def test_race_markers_give_each_frame_its_marker():
    land = landscapes.get("himmelblau")
    sam = optimizers.simulate(land, "sam", land.start, 12, lr=0.01, radius=0.3)
    (marker,) = race_markers("sam", sam)
    assert marker["radius"] == 0.3 and len(marker["points"]) == 13
    assert marker["points"][0] == sam.points[0, 0].tolist()
    assert np.allclose(np.linalg.norm(np.array(marker["points"][1:]) - sam.points[:-1, 0], axis=-1), 0.3)
    sf = optimizers.simulate(land, "sf_sgd", land.start, 12, lr=0.02)
    assert [m["name"] for m in race_markers("sf_sgd", sf)] == ["z", "y"]
    assert race_markers("adam", optimizers.simulate(land, "adam", land.start, 3)) == []


def test_values_a_log_axis_cannot_draw_are_counted_under_the_title():
    land = landscapes.get("rosenbrock")
    tr = optimizers.simulate(land, "prodigy", land.start, 200)
    d_hat = tr.extra["d_hat"][:, 0]
    hidden = int((d_hat <= 0).sum())
    assert hidden > 100                                # d̂ turns negative on Rosenbrock and stays so
    fig = next(f for f in series_figures({"prodigy": tr}, {}) if f.layout.title.text.startswith("d̂"))
    assert f"Prodigy: {hidden} of 200 steps ≤ 0" in fig.layout.title.text
    assert len(fig.data[0].y) == 200 - hidden
    d_fig = next(f for f in series_figures({"prodigy": tr}, {}) if f.layout.title.text.startswith("d,"))
    assert "not drawn" not in d_fig.layout.title.text  # d itself never falls to 0
