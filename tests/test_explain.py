"""``replay()`` and the step-by-step explanations: every substituted number is the run's own number."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers.explain import explain
from optimizers.lines import Line, num, vec
from optimizers.registry import suggested
from optimizers.simulation import replay

SURFACES = {name: landscapes.get(name) for name in ("rosenbrock", "saddle", "linear_regression")}
STEPS = 9


def run_and_replay(surface: str, name: str, **hyper):
    land = SURFACES[surface]
    hyper = {**suggested(land.suggested, name), **hyper}
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
        # The point line starts from θ_{t-1} as recorded.
        assert ex.line("point").numbers.startswith(vec(tr.points[t - 1, 0]))
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


# --- the numbers against values worked out by hand ---------------------------------------------------------
# f(x, y) = x² + 3y², so ∇f = (2x, 6y) and H = diag(2, 6); every run starts at (1, 1), where g₁ = (2, 6).

BOWL = landscapes.from_formula("x**2 + 3*y**2")


def _explained(name: str, t: int, **hyper):
    return explain(BOWL, name, list(itertools.islice(replay(BOWL, name, [1.0, 1.0], t, **hyper), t))[-1])


def _pmatrix(a: str, b: str) -> str:
    return rf"\begin{{pmatrix}}{a}\\ {b}\end{{pmatrix}}"


@pytest.mark.parametrize(("name", "t", "hyper", "expected"), [
    # θ₁ = (1, 1) − 0.1·(2, 6)
    ("gd", 1, {"lr": 0.1}, {"grad": (2, 6), "point": (0.8, 0.4)}),
    # b₂ = 0.9·(2, 6) + ∇f(0.8, 0.4) = 0.9·(2, 6) + (1.6, 2.4);  θ₂ = (0.8, 0.4) − 0.1·b₂
    ("momentum", 2, {"lr": 0.1, "momentum": 0.9}, {"grad": (1.6, 2.4), "moment": (3.4, 7.8), "point": (0.46, -0.38)}),
    # v₁ = 0.1·(2, 6);  look-ahead (0.8, 0.4) − 0.9·(0.2, 0.6) = (0.62, −0.14), where g = (1.24, −0.84);
    # v₂ = 0.9·(0.2, 0.6) + 0.1·(1.24, −0.84);  θ₂ = (0.8, 0.4) − v₂
    ("nag", 2, {"lr": 0.1, "momentum": 0.9}, {"lookahead": (0.62, -0.14), "grad": (1.24, -0.84),
                                              "moment": (0.304, 0.456), "point": (0.496, -0.056)}),
    # s₁ = g²;  η = 0.1 / (√s₁ + ε) ≈ (0.05, 1/60): every coordinate moves by γ
    ("adagrad", 1, {"lr": 0.1}, {"sum": (4, 36), "eff_lr": (0.05, 0.1 / 6), "point": (0.9, 0.9)}),
    # v₁ = 0.01·g² = (0.04, 0.36);  η = 0.01 / √v₁
    ("rmsprop", 1, {"lr": 0.01}, {"v": (0.04, 0.36), "eff_lr": (0.05, 0.01 / 0.6), "point": (0.9, 0.9)}),
    # v₁ = 0.1·g²;  Δ = √(0 + ε)/√(v₁ + ε) · g, about √(ε/(1−ρ)) per coordinate (ε = 10⁻⁶, ρ = 0.9); γ = 1
    ("adadelta", 1, {}, {"v": (0.4, 3.6), "delta": (2e-3 / np.sqrt(0.4 + 1e-6), 6e-3 / np.sqrt(3.6 + 1e-6)),
                         "point": (1 - 2e-3 / np.sqrt(0.4 + 1e-6), 1 - 6e-3 / np.sqrt(3.6 + 1e-6))}),
    # m₁ = 0.1·g, v₁ = 0.001·g²;  bias-corrected: m̂ = g, √v̂ = |g|, so θ moves by γ = 0.1 per coordinate
    ("adam", 1, {"lr": 0.1}, {"moment": (0.2, 0.6), "v": (0.004, 0.036), "point": (0.9, 0.9)}),
    ("amsgrad", 1, {"lr": 0.1}, {"v_max": (0.004, 0.036), "point": (0.9, 0.9)}),
    # AdamW also shrinks θ by γλ = 0.1 · 0.01
    ("adamw", 1, {"lr": 0.1}, {"point": (0.899, 0.899)}),
    # c₁ = 0.1·g has positive signs: θ moves by γ per coordinate;  m₁ = 0.01·g
    ("lion", 1, {"lr": 0.1}, {"interp": (0.2, 0.6), "point": (0.9, 0.9), "moment": (0.02, 0.06)}),
    # a quadratic's Newton step lands on the minimum: p = H⁻¹g = (1, 1)
    ("newton", 1, {}, {"lambda_min": 2.0, "direction": (1, 1), "point": (0, 0)}),
])
def test_explained_values_are_the_ones_worked_out_by_hand(name, t, hyper, expected):
    ex = _explained(name, t, **hyper)
    for key, value in expected.items():
        assert np.allclose(ex.line(key).value, value, rtol=1e-7, atol=1e-12), key


def test_nadam_schedule_is_torchs():
    """μ_t = β₁ (1 − ½·0.96^{tψ}) as torch.optim.NAdam writes it, and the step matches torch's."""
    torch = pytest.importorskip("torch")
    ex = _explained("nadam", 1, lr=0.1)
    assert float(ex.line("mu_t").value) == pytest.approx(0.9 * (1 - 0.5 * 0.96 ** 0.004), rel=1e-15)
    assert float(ex.line("mu_next").value) == pytest.approx(0.9 * (1 - 0.5 * 0.96 ** 0.008), rel=1e-15)
    p = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.NAdam([p], lr=0.1)
    p.grad = torch.tensor([2.0, 6.0], dtype=torch.float64)
    opt.step()
    assert np.allclose(ex.line("point").value, p.detach().numpy(), rtol=1e-12)


def test_substituted_numbers_are_written_as_worked_out_by_hand():
    ex = _explained("momentum", 2, lr=0.1, momentum=0.9)
    assert ex.line("moment").numbers == rf"0.9\, {_pmatrix('2', '6')} + {_pmatrix('1.6', '2.4')}"
    assert ex.line("moment").latex.endswith(rf"&= {_pmatrix('3.4', '7.8')}\end{{aligned}}")
    assert ex.line("point").numbers == rf"{_pmatrix('0.8', '0.4')} - 0.1\, {_pmatrix('3.4', '7.8')}"
    assert Line("g", "g_t", "x", "", np.array([1.5, -2.0])).latex == rf"g_t = x = {_pmatrix('1.5', '-2')}"
    assert Line("h", "H", "y", "", np.diag([2.0, 6.0])).latex == r"H = y = \begin{pmatrix}2 & 0\\ 0 & 6\end{pmatrix}"
