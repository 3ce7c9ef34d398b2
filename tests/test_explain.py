"""``replay()`` and the step-by-step explanations: every substituted number is the run's own number."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers.explain import explain, num, show, vec
from optimizers.simulate import replay

SURFACES = {name: landscapes.get(name) for name in ("rosenbrock", "saddle", "linear_regression")}
STEPS = 9


def run_and_replay(surface: str, name: str, **hyper):
    land = SURFACES[surface]
    hyper = {**land.suggested.get(name, {}), **hyper}
    tr = optimizers.simulate(land, name, land.start, STEPS, seed=4, **hyper)
    return land, tr, list(replay(land, name, land.start, STEPS, seed=4, **hyper))


@pytest.mark.parametrize("name", optimizers.names())
@pytest.mark.parametrize("surface", list(SURFACES))
def test_replay_matches_simulate_bit_for_bit(surface, name):
    _, tr, records = run_and_replay(surface, name)
    assert [r.t for r in records] == list(range(1, STEPS + 1))
    assert np.array_equal(np.stack([r.theta for r in records]), tr.points[:-1])
    assert np.array_equal(np.stack([r.point for r in records]), tr.points[1:])
    assert np.array_equal(np.stack([r.loss for r in records]), tr.loss[1:])
    assert np.array_equal(np.stack([r.step.grad for r in records]), tr.grads)
    if tr.moments is not None:
        assert np.array_equal(np.stack([r.step.moment for r in records]), tr.moments)


@pytest.mark.parametrize("name", optimizers.names())
@pytest.mark.parametrize("surface", list(SURFACES))
def test_explained_numbers_are_the_trajectorys_numbers(surface, name):
    land, tr, records = run_and_replay(surface, name)
    for rec in records:
        t, ex = rec.t, explain(land, name, rec)
        expected = {"point": tr.points[t, 0], "grad": tr.grads[t - 1, 0]}
        if tr.moments is not None:
            expected["moment"] = tr.moments[t - 1, 0]
        keys = {line.key for line in ex.lines}
        if tr.eff_lr is not None and "eff_lr" in keys:
            expected["eff_lr"] = tr.eff_lr[t - 1, 0]
        for key, value in expected.items():
            assert np.allclose(ex.line(key).value, value, rtol=1e-12, atol=1e-300), (t, key)
        # The point line starts from θ_{t-1} as recorded, and every line shows the number it computes.
        assert ex.line("point").numbers.startswith(vec(tr.points[t - 1, 0]))
        for line in ex.lines:
            assert show(line.value) in line.latex
        if t >= 2 and "moment" in keys and name not in ("lion",):
            assert vec(tr.moments[t - 2, 0]) in ex.line("moment").numbers       # m_{t-1} substituted
        assert f"{num(rec.hp['lr'])}" in "".join(line.latex for line in ex.lines) or name == "newton"


def test_schedules_substitute_the_scheduled_values():
    land = SURFACES["rosenbrock"]
    hyper = {"lr": 1e-3, "momentum": 0.9, "warmup_steps": 5, "momentum_start": 0.5, "schedule": "cosine"}
    records = list(replay(land, "momentum", land.start, 20, **hyper))
    ex = explain(land, "momentum", records[2])
    assert records[2].hp["momentum"] == pytest.approx(0.5 + 0.4 * 2 / 5)
    assert ex.line("moment").numbers.startswith(num(records[2].hp["momentum"]) + r"\,")
    assert "schedule" in ex.notes[0]
    assert np.allclose(ex.line("point").value, records[2].point[0], rtol=1e-13)


def test_replay_can_stop_early_and_still_sees_the_full_schedule():
    land = SURFACES["rosenbrock"]
    full = list(replay(land, "adam", land.start, 50, lr=0.05, schedule="cosine"))
    early = list(itertools.islice(replay(land, "adam", land.start, 50, lr=0.05, schedule="cosine"), 5))
    assert [r.hp["lr"] for r in early] == [r.hp["lr"] for r in full[:5]]
    assert np.array_equal(early[-1].point, full[4].point)


def test_replay_validates_at_once():
    with pytest.raises(ValueError, match="Invalid lr"):
        replay(SURFACES["rosenbrock"], "adam", [0.0, 0.0], 5, lr=-1.0)


def test_newton_says_which_step_it_took():
    land = landscapes.get("saddle")
    guarded = explain(land, "newton", next(replay(land, "newton", land.start, 3)))
    assert "direction" not in {line.key for line in guarded.lines}
    assert any("gradient step" in note for note in guarded.notes)
    bare = explain(land, "newton", next(replay(land, "newton", land.start, 3, fallback=False)))
    assert "direction" in {line.key for line in bare.lines}
    assert any("saddle" in note for note in bare.notes)
    assert float(bare.line("lambda_min").value) < 0


def test_sampled_gradient_shows_the_true_gradient_and_the_noise():
    land, tr, records = run_and_replay("linear_regression", "sgd")
    ex = explain(land, "sgd", records[3])
    true = land.grad(tr.points[3, 0])
    assert np.allclose(ex.line("full_grad").value, true)
    assert np.allclose(ex.line("noise").value, tr.grads[3, 0] - true)
    assert any("sampled" in note for note in ex.notes)


def test_diverging_step_is_flagged():
    land = SURFACES["rosenbrock"]
    tr = optimizers.simulate(land, "gd", land.start, 10, lr=0.1)
    bad = int(tr.diverged_at[0])
    assert bad > 0
    rec = list(itertools.islice(replay(land, "gd", land.start, 10, lr=0.1), bad))[-1]
    ex = explain(land, "gd", rec)
    assert any("diverged" in note for note in ex.notes)
    assert not np.array_equal(ex.line("point").value, tr.points[bad, 0])   # the frozen point is not the step's


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0"), (-0.0, "0"), (1.5e-5, r"1.5\times 10^{-5}"), (123456.0, r"1.235\times 10^{5}"),
    (-2.5, "-2.5"), (0.1 + 0.2, "0.3"), (float("inf"), r"\infty"),
])
def test_number_format(value, text):
    assert num(value) == text


def test_bfgs_inspector_says_when_the_line_search_accepted_no_step():
    """On Himmelblau from (-0.4966, 2.9632) with lr = 1, BFGS reaches the minimum near (-2.805, 3.131) to
    rounding by step 10; from step 11 no trial step lowers the loss by the Armijo amount, so α = 0 and the
    point stays put."""
    land = landscapes.get("himmelblau")
    start = np.array([-0.49660633, 2.9632427])
    records = list(replay(land, "bfgs", start, 13, lr=1.0))
    alphas = [float(r.step.extra["alpha"][0]) for r in records]
    assert alphas[9] == 1.0 and alphas[10] == alphas[11] == 0.0          # steps 10, 11 and 12
    assert np.array_equal(records[10].point, records[10].theta)           # α = 0: the point did not move
    assert records[10].loss[0] < 1e-29 and land.nearest_minimum(records[10].point[0])[1] < 1e-12

    def search_notes(t: int) -> list[str]:
        return [n for n in explain(land, "bfgs", records[t - 1]).notes if "line search found no" in n]

    assert search_notes(10) == []
    (note,) = search_notes(11)
    assert "α_t = 0" in note and "did not move" in note
    assert len(search_notes(12)) == 1                                     # every later step repeats the search
