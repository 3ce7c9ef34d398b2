"""Every lesson shows what its text claims: checked through ``simulate()`` with the lesson's own settings.

Each lesson is decoded from its share-link query exactly as the app applies it, so a change to a
default, a surface or a rule that breaks a lesson's story fails here.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import optimizers
from optimizers import metrics, theory
from state import lessons, share


def apply(key: str) -> share.AppState:
    state, warnings = share.decode(lessons.get(key).query)
    assert warnings == []
    return state


def run(state: share.AppState, name: str, **override) -> optimizers.Trajectory:
    hyper = {**state.hyper[name], **override}
    return optimizers.simulate(state.landscape(), name, state.start_point(), state.steps, seed=state.seed, **hyper)


def runs(state: share.AppState) -> dict[str, optimizers.Trajectory]:
    return {name: run(state, name) for name in state.optimizers}


def steps_to_tol(state: share.AppState, tr: optimizers.Trajectory) -> int:
    return int(metrics.steps_to_tolerance(tr, state.landscape().min_value, state.tol)[0])


def sign_changes(values: np.ndarray) -> int:
    return int(np.sum(np.signbit(values[1:]) != np.signbit(values[:-1])))


# --- the gallery as a whole ------------------------------------------------------------------------

@pytest.mark.parametrize("lesson", lessons.LESSONS, ids=lambda lesson: lesson.key)
def test_lesson_is_a_clean_link_that_round_trips(lesson):
    state = apply(lesson.key)
    assert state.lesson == lesson.key
    assert 1 <= len(state.optimizers) <= share.MAX_OPTIMIZERS
    again, warnings = share.decode(share.encode(state))
    assert warnings == [] and again == state
    words = len(lesson.watch.split())
    assert 25 <= words <= 110, f"{lesson.key}: {words} words; a lesson has two or three sentences"


def test_lesson_keys_are_unique_and_unknown_ones_are_named():
    assert len(set(lessons.KEYS)) == len(lessons.LESSONS) >= 9
    with pytest.raises(ValueError, match="'moon'"):
        lessons.get("moon")
    state, warnings = share.decode({"lesson": "moon"})
    assert state.lesson == "" and "lesson=moon" in warnings[0]


# --- one test per lesson ----------------------------------------------------------------------------

def test_zigzag_gd_bounces_across_the_ravine_and_momentum_damps_it_and_arrives_sooner():
    state = apply("zigzag")
    land = state.landscape()
    tr = runs(state)
    steep = np.linalg.eigh(land.hessian(land.minima[0]))[1][:, -1]          # steepest curvature direction
    across = {name: (t.points[:50, 0] - land.minima[0]) @ steep for name, t in tr.items()}
    assert sign_changes(across["gd"]) >= 45                    # bounces wall to wall at (almost) every step
    assert sign_changes(across["momentum"]) <= sign_changes(across["gd"]) / 2
    gd_steps, mom_steps = steps_to_tol(state, tr["gd"]), steps_to_tol(state, tr["momentum"])
    assert gd_steps > 0 and mom_steps > 0
    assert gd_steps / mom_steps >= 3


def test_lr_edge_just_under_two_over_l_converges_and_just_over_diverges():
    state = apply("lr_edge")
    c = theory.curvature(state.landscape())
    assert abs(c.L - 1.0) < 1e-12                                # the text's "L = 1"
    under, over = state.hyper["gd"]["lr"], state.hyper["momentum"]["lr"]
    assert 0.95 * 2 / c.L <= under < 2 / c.L < over <= 1.05 * 2 / c.L
    tr = runs(state)
    assert tr["gd"].diverged_at[0] == -1 and steps_to_tol(state, tr["gd"]) > 0
    assert tr["momentum"].diverged_at[0] > 0
    # The stand-in is plain gradient descent: the same path as gd with the larger learning rate.
    assert state.hyper["momentum"]["momentum"] == 0.0
    plain = optimizers.simulate(state.landscape(), "gd", state.start_point(), state.steps, lr=over)
    assert np.array_equal(plain.points, tr["momentum"].points)
    assert plain.diverged_at[0] == tr["momentum"].diverged_at[0]


def overshoot(tr: optimizers.Trajectory, minimum: np.ndarray) -> float:
    """How far the path goes past the minimum, measured along the direction from the start to the minimum."""
    u = minimum - tr.points[0, 0]
    u /= np.linalg.norm(u)
    return float(np.max((tr.points[:, 0] - minimum) @ u))


def test_nesterov_overshoots_less_than_momentum_with_the_same_settings():
    state = apply("nesterov")
    assert {k: state.hyper["nag"][k] for k in ("lr", "momentum")} == \
        {k: state.hyper["momentum"][k] for k in ("lr", "momentum")}
    tr = runs(state)
    minimum = state.landscape().minima[0]
    classical, nesterov = overshoot(tr["momentum"], minimum), overshoot(tr["nag"], minimum)
    assert classical > 0.2 * np.linalg.norm(minimum - tr["momentum"].points[0, 0])   # a wide swing past it
    assert nesterov < 0.8 * classical
    assert 0 < steps_to_tol(state, tr["nag"]) < steps_to_tol(state, tr["momentum"])


def test_adagrad_effective_step_shrinks_and_stalls_while_rmsprop_keeps_moving():
    state = apply("adagrad_stall")
    tr = runs(state)
    minimum = state.landscape().minima[0]
    eff = tr["adagrad"].eff_lr[:, 0]
    assert np.all(np.diff(eff, axis=0) <= 0)                    # never grows
    assert np.all(eff[-1] < 0.2 * eff[0])                       # and has shrunk a lot
    dist = {name: np.linalg.norm(t.points[:, 0] - minimum, axis=-1) for name, t in tr.items()}
    assert dist["adagrad"][-1] > 0.5 * dist["adagrad"][0]       # stalled far from (1, 1)
    late = {name: t.step_length[-100:, 0].mean() for name, t in tr.items()}
    assert late["rmsprop"] > 5 * late["adagrad"]                # RMSprop still moves
    assert dist["rmsprop"][-1] < dist["adagrad"][-1] / 3


def test_adam_without_bias_correction_takes_sqrt10_times_longer_first_steps():
    state = apply("adam_bias")
    hyper = state.hyper["adam"]
    assert hyper["bias_correction"] is False
    tr = runs(state)
    corrected = run(state, "adam", bias_correction=True)
    assert np.array_equal(tr["adamw"].points, corrected.points)      # AdamW with decay 0 is Adam
    ratio = tr["adam"].step_length[:, 0] / corrected.step_length[:, 0]
    expected = (1 - hyper["beta1"]) / np.sqrt(1 - hyper["beta2"])
    assert expected == pytest.approx(np.sqrt(10))
    assert ratio[0] == pytest.approx(expected, rel=1e-4)
    assert np.all(ratio[:8] > 2.5)


def test_newton_lands_on_the_minimum_of_a_quadratic_in_one_step():
    state = apply("newton_quadratic")
    tr = runs(state)
    minimum = state.landscape().minima[0]
    start_dist = np.linalg.norm(tr["newton"].points[0, 0] - minimum)
    assert np.linalg.norm(tr["newton"].points[1, 0] - minimum) < 1e-12 * start_dist
    assert steps_to_tol(state, tr["newton"]) == 1
    assert steps_to_tol(state, tr["gd"]) >= 100                  # "gradient descent needs hundreds"


def test_newton_without_fallback_heads_for_the_saddle_and_with_it_reaches_a_minimum():
    state = apply("newton_saddle")
    land = state.landscape()
    assert state.hyper["newton"]["fallback"] is False
    tr = runs(state)
    end = tr["newton"].points[-1, 0]
    assert np.linalg.norm(land.grad(end)) < 1e-10                          # a stationary point ...
    eig = np.linalg.eigvalsh(land.hessian(end))
    assert eig[0] < 0 < eig[1]                                              # ... that is a saddle
    assert tr["newton"].loss[-1, 0] > land.min_value + 0.1
    guarded = run(state, "newton", fallback=True)
    assert metrics.reached_minimum(land, guarded)[0] >= 0
    assert guarded.fallback[0, 0]                                           # it started with gradient steps
    assert metrics.reached_minimum(land, tr["gd"])[0] >= 0


def test_noise_and_momentum_escape_the_shallow_well_where_gd_stays():
    state = apply("escape")
    land = state.landscape()
    deep = int(np.argmin(land.value(land.minima)))
    tr = runs(state)
    assert metrics.reached_minimum(land, tr["gd"])[0] == 1 - deep
    assert metrics.reached_minimum(land, tr["momentum"])[0] == deep
    # SGD's noise keeps it jittering, so the claim is which valley it ends in: that of the deep minimum,
    # past the ridge (the local maximum of f along x between the two minima).
    xs = np.linspace(land.minima[:, 0].min(), land.minima[:, 0].max(), 2001)
    ridge = xs[np.argmax(land.value(np.stack([xs, np.zeros_like(xs)], axis=-1)))]

    def valley(tr: optimizers.Trajectory) -> int:
        return deep if (tr.points[-1, 0, 0] < ridge) == (land.minima[deep, 0] < ridge) else 1 - deep

    assert valley(tr["sgd"]) == deep                                        # the lesson's own seed
    ends = [valley(optimizers.simulate(land, "sgd", state.start_point(), state.steps, seed=s, **state.hyper["sgd"]))
            for s in range(20)]
    assert np.mean(np.array(ends) == deep) >= 0.75                         # "other seeds mostly end there too"


def test_batch_noise_minibatch_is_between_sgd_and_gd_and_variance_falls_like_one_over_b():
    state = apply("batch_noise")
    land = state.landscape()
    assert len({state.hyper[name]["lr"] for name in state.optimizers}) == 1
    tr = runs(state)
    noise = {name: np.mean(np.sum((t.grads[:, 0] - land.grad(t.points[:-1, 0])) ** 2, axis=-1))
             for name, t in tr.items()}
    assert noise["gd"] < 1e-20
    assert 0 < noise["minibatch"] < noise["sgd"] / 4

    # Gradient-noise variance at one point against batch size: many one-step runs, each its own batch.
    n, point = land.n_examples, np.tile(state.start_point(), (4000, 1))
    scaled = []
    for b in (1, 4, 16, 64):
        g = optimizers.simulate(land, "minibatch", point, 1, **{**state.hyper["minibatch"], "batch_size": b}).grads[0]
        var = np.mean(np.sum((g - land.grad(point[0])) ** 2, axis=-1))
        scaled.append(var * b * (n - 1) / (n - b))       # σ² for sampling without replacement
    assert max(scaled) / min(scaled) < 1.2
    full = optimizers.simulate(land, "minibatch", point[:3], 1, **{**state.hyper["minibatch"], "batch_size": n})
    assert np.allclose(full.grads[0], land.grad(point[0]), rtol=0, atol=1e-12)


def test_theory_lesson_uses_the_best_fixed_rates_and_they_are_measured():
    state = apply("theory")
    land = state.landscape()
    c = theory.curvature(land)
    gd, hb = theory.gd_tuning(c), theory.heavy_ball_tuning(c)
    assert state.hyper["gd"]["lr"] == gd.hyper["lr"]
    assert (state.hyper["momentum"]["lr"], state.hyper["momentum"]["momentum"]) == \
        (hb.hyper["lr"], hb.hyper["momentum"])
    tr = runs(state)
    assert theory.measured_rate(tr["gd"], land.minima[0]) == pytest.approx(gd.rate, rel=1e-9)
    # At the optimal setting the heavy ball's two modes coincide, which adds a factor growing like t to
    # r^t, so over a short run the measured rate is a few percent slower than the asymptotic one.
    measured = theory.measured_rate(tr["momentum"], land.minima[0])
    assert hb.rate < measured < 1.04 * hb.rate
    assert measured < gd.rate ** 5
    assert f"{gd.rate:.4f}" in lessons.get("theory").watch and f"{hb.rate:.4f}" in lessons.get("theory").watch


def test_lesson_field_survives_in_a_state_but_changes_nothing_else():
    state = apply("zigzag")
    plain, _ = share.decode({k: v for k, v in lessons.get("zigzag").query.items() if k != "lesson"})
    assert replace(state, lesson="") == plain
