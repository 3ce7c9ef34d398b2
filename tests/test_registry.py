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
from optimizers import network, studies
from optimizers.explain import explain
from optimizers.registry import family_of, suggested
from optimizers.sampling import Sampling
from optimizers.simulation import replay
from optimizers.spec import DIAGNOSTICS, MomentArrow
from state import export, share, surfaces
from viz import inspector

NAMES = optimizers.names()
STEPS = 6


@pytest.fixture(scope="module")
def rosen():
    return landscapes.get("rosenbrock")


def _run(land, name, steps=STEPS):
    hyper = suggested(land.suggested, name)
    return hyper, optimizers.simulate(land, name, land.start, steps, seed=3, **hyper)


@pytest.mark.parametrize("name", NAMES)
def test_entry_is_complete(name):
    opt = optimizers.get(name)
    assert opt.family and opt.maths.equations and opt.maths.symbols and opt.text.reference
    assert all(text.strip() for text in (opt.text.intuition, opt.text.pros, opt.text.cons, opt.text.when))
    assert isinstance(opt.maths.sampling, Sampling) and isinstance(opt.view.moment_arrow, MomentArrow)
    assert opt.maths.diagnostics <= set(DIAGNOSTICS) and "grad" in opt.maths.diagnostics
    assert opt.param("lr").name == "lr"
    names = [m.name for m in opt.view.markers] + [s.name for s in opt.view.series]
    assert len(names) == len(set(names))
    for marker in opt.view.markers:
        if marker.radius:
            opt.param(marker.radius)


@pytest.mark.parametrize("name", NAMES)
def test_run_records_what_the_entry_declares(rosen, name):
    opt = optimizers.get(name)
    _, tr = _run(rosen, name)
    fields = {"grad": tr.grads, "moment": tr.moments, "eff_lr": tr.eff_lr, "fallback": tr.fallback}
    assert {k for k, v in fields.items() if v is not None} == set(opt.maths.diagnostics)
    assert set(tr.extra) == {s.name for s in opt.view.series} | {m.name for m in opt.view.markers}
    for series in opt.view.series:
        values = tr.extra[series.name]
        assert values.shape in ((STEPS, 1), (STEPS, 1, 2, 2)) and np.all(np.isfinite(values))
        assert series.label
    for marker in opt.view.markers:
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
        update = ex.arrows[-1]
        assert update.role == "update" and np.array_equal(update.origin, tr.points[rec.t - 1, 0])
        assert np.allclose(update.vector, tr.points[rec.t, 0] - tr.points[rec.t - 1, 0], rtol=1e-12)
        for marker in optimizers.get(name).view.markers:
            mark = next(m for m in ex.marks if m.label == marker.label)
            assert np.array_equal(mark.point, tr.extra[marker.name][rec.t, 0])
        assert bool(ex.shapes) == bool(optimizers.get(name).view.ellipse)
        fig = inspector.inspector_figure(rosen, tr.points[:, 0], ex, "#000000", resolution=12)
        assert {m.label for m in ex.marks} | {s.label for s in ex.shapes} <= {trace.name for trace in fig.data}


@pytest.mark.parametrize("name", NAMES)
def test_export_and_share_link(name):
    state = share.default_state("ravine")
    state = share.AppState(**{**state.__dict__, "optimizers": (name,),
                              "hyper": {name: surfaces.default_hyper(name, share.landscape_of(state))}})
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
    assert sweep.lr_is_multiplier == optimizers.get(name).maths.lr_is_multiplier
    if optimizers.get(name).maths.sampling is Sampling.FULL:     # sampled runs draw other noise alone than in the sweep
        direct = optimizers.simulate(land, name, land.start, 40, lr=best)
        assert direct.loss[-1, 0] == sweep.final_loss[list(sweep.lrs).index(best)]


def test_suggested_settings_are_one_table_per_surface_read_by_family():
    table = {"adam": {"lr": 0.3}, "nadam": {"lr": 0.5}, "momentum": {"lr": 0.1, "momentum": 0.8},
             "nag": {"momentum": 0.5}}
    assert suggested(table, "amsgrad") == {"lr": 0.3} and suggested(table, "nadam") == {"lr": 0.5}
    assert suggested(table, "nag") == {"lr": 0.1, "momentum": 0.5}
    assert suggested(table, "gd") == {}
    assert {n for n in NAMES if suggested(table, n)} == {n for n in NAMES if family_of(n) in ("adam", "momentum")}
    with pytest.raises(KeyError):
        suggested(table, "no_such_optimizer")


SUGGESTION_TABLES = {**{f"surface {name}": landscapes.get(name).suggested for name in landscapes.names()},
                     "network mode": network.SUGGESTED}


@pytest.mark.parametrize("where", list(SUGGESTION_TABLES))
def test_every_suggested_key_names_an_optimizer_or_a_family_and_its_settings(where):
    """A typo in a surface's table would silently suggest nothing: every key is an optimizer or a family, and
    every setting it names is a hyperparameter of each optimizer it reaches, within its declared range."""
    table = SUGGESTION_TABLES[where]
    families = {optimizers.get(n).family for n in NAMES}
    assert set(table) <= set(NAMES) | families, set(table) - set(NAMES) - families
    for key, settings in table.items():
        members = [n for n in NAMES if n == key or family_of(n) == key]
        for name in members:
            declared = {p.name: p for p in optimizers.get(name).params_for(layout=where == "network mode")}
            for param, value in settings.items():
                assert declared[param].validate(value) == value, (where, name, param)


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
    if opt.maths.sampling is not Sampling.FULL:
        pytest.skip("sampled gradients: two starts draw other noise than one start alone")
    starts = np.array([[-0.5, -0.5], [1.0, 1.0]])
    hyper = suggested(land.suggested, name)
    for p in opt.params:
        if p.kind != "float":
            continue
        values = np.array([p.default if p.name != "lr" else hyper.get("lr", p.default), 0.0])
        values[1] = _other_value(p) if p.name != "lr" else 0.5 * values[0]
        both = optimizers.simulate(land, name, starts, 8, **{**hyper, p.name: values})
        for i in range(2):
            alone = optimizers.simulate(land, name, starts[i], 8, **{**hyper, p.name: values[i]})
            assert np.allclose(both.points[:, i], alone.points[:, 0], rtol=1e-13, atol=1e-13), (p.name, i)


def test_texts_and_equations_quote_the_rules_constants():
    """The numbers an equation or a note states come from the code they describe (here checked against the
    values written by hand: if a constant changes, the text changes with it and this test says so)."""
    from optimizers import params, rules
    from optimizers.lines import StepContext, line_search_notes

    constants = (rules.PD_THRESHOLD, rules.ARMIJO_C1, rules.CURVATURE_FLOOR, rules.MAX_BACKTRACKS, rules.BACKTRACK,
                 rules.NADAM_MU_BASE, rules.NS_COEFFICIENTS, rules.NS_EPS)
    assert constants == (1e-8, 1e-4, 1e-10, 40, 0.5, 0.96, (3.4445, -4.7750, 2.0315), 1e-7)
    newton, bfgs = optimizers.get("newton").maths, optimizers.get("bfgs").maths
    assert r"\lambda_{\min}(H_t) > 10^{-8}" in newton.equations[1]
    assert r"j \le 40" in bfgs.equations[3] and r"c_1 = 10^{-4}" in bfgs.equations[3]
    assert r"2^{-j}" in bfgs.equations[3] and r"s^\top y > 10^{-10}" in bfgs.equations[1]
    assert r"0.96^{\,t\psi}" in optimizers.get("nadam").maths.equations[3]
    muon = optimizers.get("muon").maths
    assert r"(a, b, c) = (3.4445, -4.775, 2.0315)" in muon.symbols and r"10^{-7}" in muon.equations[3]
    assert pytest.approx(np.sqrt(10), rel=1e-12) == params.UNCORRECTED_FIRST_STEP
    assert "√10 ≈ 3.2 times" in optimizers.get("adam").text.intuition and "√10 ≈ 3.2" in params.BIAS_CORRECTION.help
    assert "weight decay 0.1 pulls" in optimizers.get("muon").text.cons
    land = landscapes.get("himmelblau")
    record = next(replay(land, "bfgs", land.start, 1))
    stalled = record._replace(step=record.step._replace(extra={**record.step.extra, "alpha": np.zeros(1)}))
    (note,) = line_search_notes(StepContext(land, stalled, 0, Sampling.FULL))
    assert "none of the 41 trial lengths γ·2^(−j), j = 0 … 40," in note
