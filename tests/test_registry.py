"""The registry keeps its promise: everything the page shows about an optimizer follows from its entry.

Each test walks every registered optimizer: it is explained and inspected (from a replayed step),
records exactly the diagnostics, series and markers its entry declares, exports, survives a share
link, and joins the fair race and the learning-rate sweep.  A new optimizer that needs an edit
anywhere but its rule, its entry and its tests fails here.
"""
from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers import studies
from optimizers.explain import explain, show
from optimizers.registry import DIAGNOSTICS, MomentArrow, Sampling
from optimizers.simulate import replay
from state import export, share
from viz import inspector

NAMES = optimizers.names()
STEPS = 6


@pytest.fixture(scope="module")
def rosen():
    return landscapes.get("rosenbrock")


def _run(land, name, steps=STEPS):
    hyper = dict(land.suggested.get(name, {}))
    return hyper, optimizers.simulate(land, name, land.start, steps, seed=3, **hyper)


@pytest.mark.parametrize("name", NAMES)
def test_entry_is_complete(name):
    opt = optimizers.get(name)
    assert opt.family and opt.equations and opt.symbols and opt.reference
    assert all(text.strip() for text in (opt.intuition, opt.pros, opt.cons, opt.when))
    assert isinstance(opt.sampling, Sampling) and isinstance(opt.moment_arrow, MomentArrow)
    assert opt.diagnostics <= set(DIAGNOSTICS) and "grad" in opt.diagnostics
    assert opt.param("lr").name == "lr"
    names = [m.name for m in opt.markers] + [s.name for s in opt.series]
    assert len(names) == len(set(names))
    for marker in opt.markers:
        if marker.radius:
            opt.param(marker.radius)


@pytest.mark.parametrize("name", NAMES)
def test_run_records_what_the_entry_declares(rosen, name):
    opt = optimizers.get(name)
    _, tr = _run(rosen, name)
    fields = {"grad": tr.grads, "moment": tr.moments, "eff_lr": tr.eff_lr, "fallback": tr.fallback}
    assert {k for k, v in fields.items() if v is not None} == set(opt.diagnostics)
    assert set(tr.extra) == {s.name for s in opt.series} | {m.name for m in opt.markers}
    for series in opt.series:
        values = tr.extra[series.name]
        assert values.shape in ((STEPS, 1), (STEPS, 1, 2, 2)) and np.all(np.isfinite(values))
        assert series.label
    for marker in opt.markers:
        points = tr.extra[marker.name]
        assert points.shape == (STEPS + 1, 1, 2) and np.all(np.isfinite(points))
        assert np.array_equal(points[0], tr.points[0])


@pytest.mark.parametrize("name", NAMES)
def test_every_step_is_explained_and_inspected(rosen, name):
    hyper, tr = _run(rosen, name)
    for rec in itertools.islice(replay(rosen, name, rosen.start, STEPS, seed=3, **hyper), STEPS):
        ex = explain(rosen, name, rec)
        assert np.allclose(ex.line("point").value, tr.points[rec.t, 0], rtol=1e-12, atol=1e-300)
        assert np.allclose(ex.line("grad").value, tr.grads[rec.t - 1, 0], rtol=1e-12, atol=1e-300)
        for line in ex.lines:
            assert show(line.value) in line.latex
        arrows = inspector.step_arrows(name, rec, "#000000")
        assert np.allclose(arrows[-1].vector, tr.points[rec.t, 0] - tr.points[rec.t - 1, 0], rtol=1e-12)
        marks = inspector.step_marks(name, rec)
        for marker in optimizers.get(name).markers:
            mark = next(m for m in marks if m.name == marker.label)
            assert np.array_equal(mark.point, tr.extra[marker.name][rec.t, 0])
        shapes = inspector.step_shapes(rosen, name, rec)
        assert bool(shapes) == bool(optimizers.get(name).ellipse)
        fig = inspector.inspector_figure(rosen, tr.points[:, 0], rec.t, arrows, "#000000", marks=marks,
                                         shapes=shapes, resolution=12)
        assert {m.name for m in marks} | {s.name for s in shapes} <= {trace.name for trace in fig.data}


@pytest.mark.parametrize("name", NAMES)
def test_export_and_share_link(name):
    state = share.default_state("ravine")
    state = share.AppState(**{**state.__dict__, "optimizers": (name,),
                              "hyper": {name: share.default_hyper(name, share.landscape_of(state))}})
    decoded, warnings = share.decode(share.encode(state))
    assert warnings == [] and decoded == state
    land = share.landscape_of(state)
    tr = optimizers.simulate(land, name, share.start_of(state), 5, **state.hyper[name])
    csv = export.to_csv({name: tr})
    assert csv.count(f"\n{name},") == 6
    runs = json.loads(export.to_json(state, {name: tr}))["runs"]
    assert runs[0]["optimizer"] == name and np.allclose(runs[0]["points"], tr.points[:, 0])


@pytest.mark.parametrize("name", NAMES)
def test_fair_race_and_sweep(name):
    land = landscapes.get("ravine")
    lrs = studies.lr_grid(1e-3, 3.0, 7)
    best, sweep = studies.tune_lr(land, name, land.start, 40, lrs)
    assert sweep.lrs.shape == (7,) and sweep.final_loss.shape == (7,)
    assert best is not None and best in sweep.lrs
    assert 0 <= sweep.n_converged <= 7
    assert sweep.lr_is_multiplier == optimizers.get(name).lr_is_multiplier
    if optimizers.get(name).sampling is Sampling.FULL:     # sampled runs draw other noise alone than in the sweep
        direct = optimizers.simulate(land, name, land.start, 40, lr=best)
        assert direct.loss[-1, 0] == sweep.final_loss[list(sweep.lrs).index(best)]


def test_suggested_settings_are_one_table_per_surface_read_by_family():
    table = landscapes.base.Suggested({"adam": {"lr": 0.3}, "nadam": {"lr": 0.5}, "momentum": {"lr": 0.1,
                                                                                               "momentum": 0.8},
                                        "nag": {"momentum": 0.5}})
    assert table["amsgrad"] == {"lr": 0.3} and table["nadam"] == {"lr": 0.5}
    assert table["nag"] == {"lr": 0.1, "momentum": 0.5}
    assert "gd" not in table and table.get("gd", {}) == {}
    assert set(table) == {n for n in NAMES if optimizers.get(n).family in ("adam", "momentum")}
    assert {"adam", "amsgrad", "adamw", "nadam", "momentum", "nag"} <= set(table)
    with pytest.raises(KeyError):
        table["no_such_optimizer"]


def test_sweep_robustness_count_matches_separate_runs():
    land = landscapes.get("ravine", condition=5.0)
    lrs = studies.lr_grid(0.01, 3.0, 9)
    for name in ("gd", "prodigy"):
        sweep = studies.lr_sweep(land, name, land.start, 150, lrs, tol=1e-6)
        count = 0
        for lr in sweep.lrs:
            tr = optimizers.simulate(land, name, land.start, 150, lr=lr)
            count += bool(tr.diverged_at[0] < 0 and np.any(tr.loss[:, 0] - land.min_value <= 1e-6))
        assert sweep.n_converged == count
        assert 0 < count < len(lrs) or name == "prodigy"


def _other_value(p):
    """A second valid value of float parameter ``p``, different from its default."""
    value = p.default * 0.5 if p.default else 0.01
    p.validate(value)
    return value


@pytest.mark.parametrize("name", NAMES)
def test_every_float_hyperparameter_may_be_one_value_per_start(name):
    """The sweep and the basins pass per-start arrays; each start must run as it would alone."""
    land = landscapes.get("himmelblau")
    opt = optimizers.get(name)
    if opt.sampling is not Sampling.FULL:
        pytest.skip("sampled gradients: two starts draw other noise than one start alone")
    starts = np.array([[-0.5, -0.5], [1.0, 1.0]])
    hyper = {k: v for k, v in land.suggested.get(name, {}).items()}
    for p in opt.params:
        if p.kind != "float":
            continue
        values = np.array([p.default if p.name != "lr" else hyper.get("lr", p.default), 0.0])
        values[1] = _other_value(p) if p.name != "lr" else 0.5 * values[0]
        both = optimizers.simulate(land, name, starts, 8, **{**hyper, p.name: values})
        for i in range(2):
            alone = optimizers.simulate(land, name, starts[i], 8, **{**hyper, p.name: values[i]})
            assert np.allclose(both.points[:, i], alone.points[:, 0], rtol=1e-13, atol=1e-13), (p.name, i)
