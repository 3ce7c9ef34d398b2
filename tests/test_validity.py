"""Domains of validity: the sampling machinery, and every statement's fraction computed.

Every statement the page makes about behaviour (the registry's texts, the lessons, the claims) is declared
once as a :class:`~optimizers.validity.Statement`; here each one's study runs, and a statement that claims
to hold must hold for at least :data:`~optimizers.validity.BAR` of its sampled cases.  The machinery is
checked against independent computations: single ravines built one by one, the fair race's own tuner
called case by case, rotations written out by hand.
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import landscapes
import optimizers
from landscapes import analytic
from optimizers import behaviour, registry, rules, studies, validity
from optimizers.validity import Axis, Band, Box, Disc, Domain, Statement
from state import claims, lessons


def every_statement() -> dict[str, Statement]:
    """Each statement once (lessons and claims reuse the registry's), by key; a key names one declaration."""
    found: dict[str, Statement] = {}
    for statement in (*behaviour.STATEMENTS, *(s for le in lessons.LESSONS for s in le.checks),
                      *(s for c in claims.CLAIMS for s in c.checks)):
        assert found.setdefault(statement.key, statement) is statement, f"two declarations named {statement.key}"
    return found


STATEMENTS = every_statement()


# --- every statement, measured ------------------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(STATEMENTS))
def test_statement_holds_on_its_domain(key):
    statement = STATEMENTS[key]
    result = validity.study(statement)
    assert result.n == statement.domain.n and result.holds.dtype == bool
    if statement.share:                                  # it quotes its share: the share must be a real one
        assert "{share}" in statement.says
        assert 0 < result.fraction < 1
        assert f"{validity.percent(result.fraction)}%" in statement.words(result)
    else:
        assert result.fraction >= validity.BAR, validity.describe(result)
        assert "{share}" not in statement.says
    assert validity.study(statement) is result           # computed once per process


@pytest.mark.parametrize("key", sorted(k for k, s in STATEMENTS.items() if s.picture is not None))
def test_picture_maps_a_wider_neighbourhood_where_the_statement_both_holds_and_fails(key):
    statement = STATEMENTS[key]
    result = validity.picture_study(statement)
    assert result is validity.picture_study(statement)
    assert 0.05 < result.fraction < 0.95                  # a map worth drawing shows both
    for name in (statement.picture.x, statement.picture.y):
        assert np.all(np.isfinite(result.values[name]))


def test_statements_about_the_long_run_say_their_horizon():
    long = [s for s in STATEMENTS.values() if s.domain.shown]
    assert {s.key for s in long} >= {"rmsprop.jitter", "adam.thrown_out", "adagrad.creeps", "sgd.floor"}
    for s in long:
        assert s.domain.steps >= 10 * s.domain.shown, s.key
        assert "10×" in s.domain.words() and f"{s.domain.shown:,}" in s.domain.words()


def test_registry_entries_name_real_texts_and_the_false_ones_are_gone():
    for s in behaviour.STATEMENTS:
        for name, field in s.entries:
            assert field in ("intuition", "pros", "cons", "when") and getattr(optimizers.get(name).text, field), s.key
    assert all(s in behaviour.about(s.entries[0][0]) for s in behaviour.STATEMENTS if s.entries)
    entry = {name: optimizers.get(name).text for name in ("amsgrad", "nag", "dadapt_adam", "prodigy", "adagrad")}
    assert "never grows" not in entry["amsgrad"].intuition and "still grows" in entry["amsgrad"].intuition
    assert "overshoots less at the same γ and μ" not in entry["nag"].pros
    assert "narrower" in entry["nag"].cons
    assert "more slowly than Prodigy" not in entry["dadapt_adam"].intuition
    assert "unlike D-Adaptation" not in entry["prodigy"].pros
    assert "stall" not in entry["adagrad"].intuition and "stall" not in entry["adagrad"].cons
    length = float(np.linalg.norm(rules.newton_schulz_row(np.array([[1.0, 0.0]]), 5)))
    assert f"{length:.3f}" in optimizers.get("muon").text.intuition and length == registry.NS_LENGTH


def test_every_optimizer_that_says_how_it_behaves_has_its_statements():
    checked = {name for s in behaviour.STATEMENTS for name, _ in s.entries}
    assert checked >= {"gd", "sgd", "minibatch", "momentum", "nag", "adagrad", "rmsprop", "adadelta", "adam",
                       "amsgrad", "adamw", "nadam", "lion", "newton", "bfgs", "adagrad_full", "sam", "sf_sgd",
                       "sf_adamw", "prodigy", "dadapt_adam", "muon"}


def test_importing_the_declarations_runs_no_simulation():
    code = ("import optimizers.simulation as s\n"
            "def refuse(*a, **k): raise SystemExit('simulated at import')\n"
            "s.simulate = refuse\n"
            "import optimizers.validity, optimizers.behaviour, state.lessons, state.claims, state.share\n"
            "from state import lessons\n"
            "assert len(lessons._measured) == 0 and len(optimizers.validity.STUDIES) == 0\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + done.stdout


# --- the machinery -------------------------------------------------------------------------------------

DOMAIN = Domain("ravine", starts=Disc((-8.0, 2.5), 1.5, valley=True), steps=3, n=200, seed=3,
                axes=(Axis("angle", -60.0, 60.0), Axis("condition", 5.0, 500.0, log=True), Axis("lr", 0.1, 0.4)))


def test_sampling_is_seeded_and_stays_in_its_ranges():
    a, b = validity.sample(DOMAIN), validity.sample(DOMAIN)
    assert all(np.array_equal(a.values[k], b.values[k]) for k in a.values) and np.array_equal(a.starts, b.starts)
    other = validity.sample(Domain(**{**DOMAIN.__dict__, "seed": 4}))
    assert not np.array_equal(a.starts, other.starts)
    assert a["angle"].min() >= -60 and a["angle"].max() <= 60 and a["lr"].min() >= 0.1 and a["lr"].max() <= 0.4
    logs = np.log(a["condition"])
    assert logs.min() >= np.log(5) and logs.max() <= np.log(500)
    assert abs(np.median(logs) - np.log(50)) < 0.4                  # log-uniform: the median is near √(5·500)
    # starts: in the disc, in the valley's own frame, turned with each case's angle (by hand)
    local = np.stack([a["along"], a["across"]], axis=-1)
    assert np.all(np.hypot(*(local - [-8.0, 2.5]).T) <= 1.5)
    t = np.deg2rad(a["angle"])
    by_hand = np.stack([np.cos(t) * local[:, 0] - np.sin(t) * local[:, 1],
                        np.sin(t) * local[:, 0] + np.cos(t) * local[:, 1]], axis=-1)
    assert np.allclose(a.starts, by_hand, rtol=0, atol=1e-12)


def test_sampled_ravines_are_the_ravines_built_one_by_one():
    cases = validity.sample(DOMAIN)
    for i in range(0, cases.n, 37):
        one = landscapes.get("ravine", condition=float(cases["condition"][i]), angle=float(cases["angle"][i]))
        p = cases.starts[i]
        assert cases.land.value(cases.starts)[i] == pytest.approx(one.value(p), rel=1e-13)
        assert np.allclose(cases.land.grad(cases.starts)[i], one.grad(p), rtol=1e-13)
        assert np.allclose(cases.land.hessian(cases.starts)[i], one.hessian(p), rtol=1e-13)
    tr = cases.run("gd", lr=cases["lr"])
    for i in (0, 101):
        one = landscapes.get("ravine", condition=float(cases["condition"][i]), angle=float(cases["angle"][i]))
        alone = optimizers.simulate(one, "gd", cases.starts[i], DOMAIN.steps, lr=float(cases["lr"][i]))
        assert np.allclose(tr.points[:, i], alone.points[:, 0], rtol=1e-13)


def test_unturned_cases_start_at_the_same_place_of_the_valley():
    cases = validity.sample(DOMAIN)
    flat = cases.unturned()
    assert np.allclose(flat.starts, np.stack([cases["along"], cases["across"]], axis=-1), atol=1e-12)
    assert np.allclose(flat.land.value(flat.starts), cases.land.value(cases.starts), rtol=1e-12)
    assert np.all(flat.angle == 0) and np.array_equal(flat.condition, cases.condition)


def test_a_band_of_starts_keeps_the_loss_in_its_band():
    band = Band((0.3, 2.0), (-1.5, 1.5), 1.6, 3.0)
    cases = validity.sample(Domain("two_wells", {"tilt": 1.0}, starts=band, n=300))
    f = cases.land.value(cases.starts)
    assert cases.n == 300 and f.min() >= 1.6 and f.max() <= 3.0
    assert cases["x"].min() >= 0.3 and cases["x"].max() <= 2.0
    with pytest.raises(ValueError, match="band"):
        validity.sample(Domain("ravine", starts=band, axes=(Axis("angle", 0.0, 10.0),)))
    with pytest.raises(ValueError, match="only on the ravine"):
        validity.sample(Domain("rosenbrock", axes=(Axis("angle", 0.0, 10.0),)))


def test_fair_lrs_are_what_the_fair_race_tunes_case_by_case():
    domain = Domain("ravine", starts=Box((-9.0, 9.0), (-9.0, 9.0)), n=5, steps=60,
                    axes=(Axis("angle", 0.0, 90.0), Axis("condition", 10.0, 100.0)))
    cases = validity.sample(domain)
    grid = studies.lr_grid(studies.SWEEP_MIN.default, studies.SWEEP_MAX.default, studies.SWEEP_POINTS.default)
    for name, hyper in (("adam", {}), ("momentum", {"momentum": 0.8})):
        tuned = validity.fair_lrs(cases, name, tol=1e-3, **hyper)
        for i in range(cases.n):
            one = landscapes.get("ravine", condition=float(cases["condition"][i]), angle=float(cases["angle"][i]))
            lr, _ = studies.tune_lr(one, name, cases.starts[i], domain.steps, grid, tol=1e-3, **hyper)
            assert tuned[i] == lr, (name, i)


def test_a_statement_words_its_study_and_names_where_it_misses():
    def small_lr(c):
        return c["lr"] < 0.3

    statement = Statement("test.words", "γ is small.", DOMAIN, small_lr)
    result = validity.measure(statement)
    expected = np.mean(result.values["lr"] < 0.3)
    assert result.fraction == expected
    text = validity.describe(result)
    assert text.startswith(f"holds for {int(np.floor(100 * expected))}% of 200 sampled runs (starts within 1.5 of")
    assert "angles −60–60°" in text and "κ 5–500" in text and "γ 0.1–0.4" in text and "3 steps" in text
    assert "misses most at γ 0.325–0.4 (0% hold there)" in text          # the top quarter of the γ range
    everywhere = validity.measure(Statement("test.all", "Always.", DOMAIN, lambda c: np.ones(c.n, dtype=bool)))
    assert validity.describe(everywhere).endswith("no miss among them.")
    with pytest.raises(ValueError, match="shape"):
        validity.measure(Statement("test.bad", "Bad.", DOMAIN, lambda c: np.ones(3, dtype=bool)))


def test_percentages_are_never_rounded_up():
    assert validity.percent(0.9499) == 94 and validity.percent(0.95) == 95 and validity.percent(1.0) == 100


def test_ravines_builder_matches_the_ravine_and_its_start():
    land = analytic.ravines(np.array([50.0]), np.array([30.0]))
    one = landscapes.get("ravine")
    assert np.array_equal(land.start, one.start) and land.min_value == 0.0
    p = np.array([[1.0, -2.0]])
    assert land.value(p)[0] == one.value(p[0]) and np.array_equal(land.grad(p)[0], one.grad(p[0]))


def test_map_figure_shows_each_case_once_and_outlines_where_the_statement_is_meant_to_hold():
    from viz.validity import holds_map

    def small_lr(c):
        return c["lr"] < 0.3

    statement = Statement("test.map", "γ is small.", DOMAIN, small_lr)
    wide = Domain(**{**DOMAIN.__dict__, "axes": (Axis("angle", -60.0, 60.0), Axis("condition", 5.0, 500.0, log=True),
                                                 Axis("lr", 0.05, 0.8))})
    result = validity.measure(statement, wide)
    fig = holds_map(result, "lr", "condition", statement.domain)
    traces = {t.name: t for t in fig.data}
    assert len(traces["holds"].x) == int(result.holds.sum()) and len(traces["fails"].x) == int((~result.holds).sum())
    assert np.all(np.asarray(traces["holds"].x) < 0.3) and np.all(np.asarray(traces["fails"].x) >= 0.3 - 1e-6)
    box = traces["stated range"]
    assert set(box.x) == {0.1, 0.4} and set(box.y) == {5.0, 500.0}
    assert fig.layout.yaxis.type == "log" and fig.layout.xaxis.type == "linear"
    assert "NaN" not in fig.to_json() and "Infinity" not in fig.to_json()
    # a band of starts: the level line where the statement's starts begin
    escape = behaviour.MOMENTUM_ESCAPES_HIGH
    spec = escape.picture
    fig = holds_map(validity.picture_study(escape), spec.x, spec.y, escape.domain)
    level = [t for t in fig.data if t.type == "contour"]
    assert len(level) == 1 and level[0].contours.start == level[0].contours.end == escape.domain.starts.low
    wedge = behaviour.MOMENTUM_STABLE.picture
    fig = holds_map(validity.picture_study(behaviour.MOMENTUM_STABLE), wedge.x, wedge.y,
                    behaviour.MOMENTUM_STABLE.domain, wedge.outline)
    outline = next(t for t in fig.data if t.name == "stated range")
    assert list(zip(outline.x, outline.y, strict=True)) == list(wedge.outline)
    assert {round(x - 2 * y, 9) for x, y in wedge.outline if x > 2.0} == {2.0}     # the edge γL = 2 + 2μ
