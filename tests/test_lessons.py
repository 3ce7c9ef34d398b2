"""Every lesson shows what its text claims: checked through ``simulate()`` with the lesson's own settings.

Each lesson is decoded from its share-link query exactly as the app applies it, so a change to a
default, a surface or a rule that breaks a lesson's story fails here.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import optimizers
from optimizers import behaviour, metrics, studies, theory, validity
from state import lessons, share


def apply(key: str) -> share.AppState:
    state, warnings = share.decode(lessons.get(key).query)
    assert warnings == []
    return state


def run(state: share.AppState, name: str, **override) -> optimizers.Trajectory:
    hyper = {**state.hyper[name], **override}
    return optimizers.simulate(share.landscape_of(state), name, share.start_of(state), state.steps, seed=state.seed,
                               **hyper)


def runs(state: share.AppState) -> dict[str, optimizers.Trajectory]:
    return {name: run(state, name) for name in state.optimizers}


def fair(state: share.AppState) -> share.AppState:
    """``state`` as the race shows it with the fair race on: each learning rate tuned by ``studies.tune_lr`` on the
    fair race's grid, from the lesson's start, over its steps, with its seed and tolerance."""
    assert state.fair
    grid = studies.lr_grid(state.sweep_min, state.sweep_max, state.sweep_n)
    land = share.landscape_of(state)
    hyper = {}
    for name in state.optimizers:
        others = {k: v for k, v in state.hyper[name].items() if k != "lr"}
        lr, _ = studies.tune_lr(land, name, share.start_of(state), state.steps, grid, seed=state.seed, tol=state.tol,
                                **others)
        hyper[name] = {**state.hyper[name], "lr": lr}
    return replace(state, hyper=hyper)


def steps_to_tol(state: share.AppState, tr: optimizers.Trajectory) -> int:
    return int(metrics.steps_to_tolerance(tr, share.landscape_of(state).min_value, state.tol)[0])


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
    assert len(set(lessons.KEYS)) == len(lessons.LESSONS) >= 14
    with pytest.raises(ValueError, match="'moon'"):
        lessons.get("moon")
    state, warnings = share.decode({"lesson": "moon"})
    assert state.lesson == "" and "lesson=moon" in warnings[0]


ALIGNMENT_LESSONS = {"aligned", "rotate_valley", "rotation_full_0", "rotation_full_45"}   # about the axes


def test_alignment_lessons_exist():
    assert set(lessons.KEYS) >= ALIGNMENT_LESSONS


@pytest.mark.parametrize("lesson", [le for le in lessons.LESSONS if le.settings["surface"] == "ravine"
                                    and le.key not in ALIGNMENT_LESSONS], ids=lambda lesson: lesson.key)
def test_ravine_lessons_turn_the_valley_off_the_axes_unless_they_are_about_alignment(lesson):
    assert apply(lesson.key).surface_params["angle"] % 90 != 0


def test_default_view_is_rotated_and_every_default_optimizer_converges_visibly():
    state = share.default_state()
    assert state.surface == "ravine" and state.surface_params["angle"] % 90 != 0
    land = share.landscape_of(state)
    for name in state.optimizers:
        tr = run(state, name)
        d = np.linalg.norm(tr.points[:, 0] - land.minima[0], axis=-1)
        assert tr.diverged_at[0] == -1
        assert d[-1] < 0.05 * d[0], name                       # within 5% of the start's distance


# --- one test per lesson ----------------------------------------------------------------------------

def test_zigzag_gd_bounces_across_the_ravine_and_momentum_damps_it_and_arrives_sooner():
    state = fair(apply("zigzag"))
    land = share.landscape_of(state)
    tr = runs(state)
    steep = np.linalg.eigh(land.hessian(land.minima[0]))[1][:, -1]          # steepest curvature direction
    across = {name: (t.points[:50, 0] - land.minima[0]) @ steep for name, t in tr.items()}
    assert sign_changes(across["gd"]) >= 45                    # bounces wall to wall at (almost) every step
    assert sign_changes(across["momentum"]) <= sign_changes(across["gd"]) / 2
    gd_steps, mom_steps = steps_to_tol(state, tr["gd"]), steps_to_tol(state, tr["momentum"])
    assert gd_steps > 0 and mom_steps > 0 and gd_steps / mom_steps >= 3
    watch = lessons.get("zigzag").watch
    lrs = state.hyper["gd"]["lr"], state.hyper["momentum"]["lr"]
    assert f"γ = {lrs[0]:g} and {lrs[1]:g}" in watch and "100 times more sharply" in watch
    assert f"in {mom_steps} steps, gradient descent in {gd_steps}, {gd_steps / mom_steps:.1f} times" in watch


def test_lr_edge_just_under_two_over_l_converges_and_just_over_diverges():
    state = apply("lr_edge")
    c = theory.curvature(share.landscape_of(state))
    assert abs(c.L - 1.0) < 1e-12                                # the text's "L = 1"
    under, over = state.hyper["gd"]["lr"], state.hyper["momentum"]["lr"]
    assert 0.95 * 2 / c.L <= under < 2 / c.L < over <= 1.05 * 2 / c.L
    tr = runs(state)
    assert tr["gd"].diverged_at[0] == -1 and steps_to_tol(state, tr["gd"]) > 0
    assert tr["momentum"].diverged_at[0] > 0
    # The stand-in is plain gradient descent: the same path as gd with the larger learning rate.
    assert state.hyper["momentum"]["momentum"] == 0.0
    plain = optimizers.simulate(share.landscape_of(state), "gd", share.start_of(state), state.steps, lr=over)
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
    minimum = share.landscape_of(state).minima[0]
    classical, nesterov = overshoot(tr["momentum"], minimum), overshoot(tr["nag"], minimum)
    assert classical > 0.2 * np.linalg.norm(minimum - tr["momentum"].points[0, 0])   # a wide swing past it
    assert nesterov < 0.8 * classical
    assert 0 < steps_to_tol(state, tr["nag"]) < steps_to_tol(state, tr["momentum"])
    # ... but tuned, the heavy ball is faster on this quadratic: the rates the text quotes, measured.
    land = share.landscape_of(state)
    c = theory.curvature(land)
    hb, nag = theory.heavy_ball_tuning(c), theory.nesterov_tuning(c)
    watch = lessons.get("nesterov").watch
    assert f"r = {hb.rate:.3f}" in watch and f"{nag.rate:.3f} per step" in watch
    long = {name: theory.measured_rate(optimizers.simulate(land, name, share.start_of(state), 600, **t.hyper),
                                       land.minima[0]) for name, t in (("momentum", hb), ("nag", nag))}
    assert long["momentum"] == pytest.approx(hb.rate, rel=0.02) and long["nag"] == pytest.approx(nag.rate, rel=0.02)
    assert long["momentum"] < long["nag"]
    # the two stability limits the text quotes, measured: just past Nesterov's it diverges, the heavy ball does not
    mom = state.hyper["nag"]["momentum"]
    nag_edge, hb_edge = (2 + 2 * mom) / (1 + 2 * mom) / c.L, (2 + 2 * mom) / c.L
    assert f"(2+2μ)/(1+2μ) = {nag_edge:.2f}" in watch and f"2+2μ = {hb_edge:.1f}" in watch
    past = optimizers.simulate(land, "nag", share.start_of(state), 2000, lr=1.05 * nag_edge, momentum=mom)
    held = optimizers.simulate(land, "momentum", share.start_of(state), 2000, lr=1.05 * nag_edge, momentum=mom)
    assert past.diverged_at[0] > 0 and held.diverged_at[0] == -1


def test_adagrad_effective_step_shrinks_and_slows_while_rmsprop_keeps_moving():
    state = fair(apply("adagrad_stall"))
    tr = runs(state)
    minimum = share.landscape_of(state).minima[0]
    eff = tr["adagrad"].eff_lr[:, 0]
    assert np.all(np.diff(eff, axis=0) <= 0)                    # never grows
    assert np.all(eff[0] < 0.05 * state.hyper["adagrad"]["lr"])  # the steep walls inflated the sum at once
    dist = {name: np.linalg.norm(t.points[:, 0] - minimum, axis=-1) for name, t in tr.items()}
    assert dist["adagrad"][-1] > 3 * dist["rmsprop"][-1]        # far behind RMSprop ...
    longer = optimizers.simulate(share.landscape_of(state), "adagrad", share.start_of(state), 10 * state.steps,
                                 **state.hyper["adagrad"])
    far_later = np.linalg.norm(longer.points[-1, 0] - minimum)
    assert far_later < dist["adagrad"][-1] / 10                 # ... but it has not stopped
    watch = lessons.get("adagrad_stall").watch
    assert f"AdaGrad is still {dist['adagrad'][-1]:.2f} from the minimum" in watch
    assert f"is {dist['rmsprop'][-1]:.2f} away" in watch and f"in 10,000 steps it gets to {far_later:.3f}" in watch


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
    # for steady gradients the uncorrected/corrected ratio is (1−β₁ᵗ)/√(1−β₂ᵗ): two equal-gradient runs by hand
    t = np.arange(1, 201)
    m = (1 - 0.9**t)                       # m_t / g with g constant
    v = (1 - 0.999**t)                     # v_t / g²
    steady = m / np.sqrt(v) / ((m / (1 - 0.9**t)) / np.sqrt(v / (1 - 0.999**t)))
    peak = int(np.argmax(steady))
    watch = lessons.get("adam_bias").watch
    assert f"rises to {steady[peak]:.1f} at step {t[peak]}" in watch and f"still {steady[99]:.1f} at step 100" in watch


def test_newton_lands_on_the_minimum_of_a_quadratic_in_one_step():
    state = fair(apply("newton_quadratic"))
    tr = runs(state)
    minimum = share.landscape_of(state).minima[0]
    start_dist = np.linalg.norm(tr["newton"].points[0, 0] - minimum)
    assert np.linalg.norm(tr["newton"].points[1, 0] - minimum) < 1e-12 * start_dist
    assert steps_to_tol(state, tr["newton"]) == 1
    gd_steps = steps_to_tol(state, tr["gd"])
    assert gd_steps >= 100                                        # "even tuned, gradient descent needs hundreds"
    assert f"(γ = {state.hyper['gd']['lr']:g}), needs {gd_steps} steps" in lessons.get("newton_quadratic").watch


def test_newton_without_fallback_heads_for_the_saddle_and_with_it_reaches_a_minimum():
    state = apply("newton_saddle")
    land = share.landscape_of(state)
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
    # "as it does from N% of starts nearby": the share, computed here from the starts of its domain
    domain = behaviour.NEWTON_GUARDED.domain
    cases = validity.sample(domain)
    nearby = optimizers.simulate(land, "newton", cases.starts, domain.steps, fallback=True, fallback_lr=0.1)
    share_here = float(np.mean(metrics.reached_minimum(land, nearby) >= 0))
    assert 0.5 < share_here < 1
    assert f"as it does from {int(np.floor(100 * share_here))}% of starts nearby" in lessons.get("newton_saddle").watch


def test_noise_and_momentum_escape_the_shallow_well_where_gd_stays():
    state = apply("escape")
    land = share.landscape_of(state)
    deep = int(np.argmin(land.value(land.minima)))
    tr = runs(state)
    assert metrics.reached_minimum(land, tr["gd"])[0] == 1 - deep
    assert metrics.reached_minimum(land, tr["momentum"])[0] == deep
    # SGD's noise keeps it jittering, so the claim is which valley it ends in: that of the deep minimum,
    # past the ridge (the local maximum of f along x between the two minima).
    xs = np.linspace(land.minima[:, 0].min(), land.minima[:, 0].max(), 2001)
    ridge = xs[np.argmax(land.value(np.stack([xs, np.zeros_like(xs)], axis=-1)))]
    assert (tr["sgd"].points[-1, 0, 0] < ridge) == (land.minima[deep, 0] < ridge)   # the lesson's own seed
    # "at γ = 0.03 the same momentum run stays in the shallow valley"
    faster = run(state, "momentum", lr=0.03)
    assert metrics.reached_minimum(land, faster)[0] == 1 - deep
    assert "at γ = 0.03 the same momentum run stays in the shallow valley" in lessons.get("escape").watch


def test_batch_noise_minibatch_is_between_sgd_and_gd_and_variance_falls_like_one_over_b():
    state = apply("batch_noise")
    land = share.landscape_of(state)
    assert len({state.hyper[name]["lr"] for name in state.optimizers}) == 1
    tr = runs(state)
    noise = {name: np.mean(np.sum((t.grads[:, 0] - land.grad(t.points[:-1, 0])) ** 2, axis=-1))
             for name, t in tr.items()}
    assert noise["gd"] < 1e-20
    assert 0 < noise["minibatch"] < noise["sgd"] / 4

    # Gradient-noise variance at one point against batch size: many one-step runs, each its own batch.
    n, point = land.n_examples, np.tile(share.start_of(state), (4000, 1))
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
    land = share.landscape_of(state)
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
    nag = theory.nesterov_tuning(c)
    assert (state.hyper["nag"]["lr"], state.hyper["nag"]["momentum"]) == (nag.hyper["lr"], nag.hyper["momentum"])
    nag_measured = theory.measured_rate(tr["nag"], land.minima[0])
    assert nag.rate < nag_measured < 1.04 * nag.rate                        # "between the two"
    assert measured < nag_measured < gd.rate
    watch = lessons.get("theory").watch
    assert all(f"{t.rate:.4f}" in watch for t in (gd, hb, nag))
    assert f"{theory.steps_to_shrink(gd.rate) / theory.steps_to_shrink(hb.rate):.1f} times" in watch


def test_lesson_field_survives_in_a_state_but_changes_nothing_else():
    state = apply("zigzag")
    plain, _ = share.decode({k: v for k, v in lessons.get("zigzag").query.items() if k != "lesson"})
    assert replace(state, lesson="") == plain


# --- the lessons added for pathological curvature ---------------------------------------------------------

def test_momentum_is_stable_up_to_two_plus_two_mu_where_gd_diverges():
    state = apply("momentum_stability")
    c = theory.curvature(share.landscape_of(state))
    lr, mom = state.hyper["gd"]["lr"], state.hyper["momentum"]["momentum"]
    assert state.hyper["momentum"]["lr"] == lr and abs(c.L - 1.0) < 1e-12
    assert 2 / c.L < lr < (2 + 2 * mom) / c.L                                  # between the two edges
    tr = runs(state)
    assert tr["gd"].diverged_at[0] > 0
    assert tr["momentum"].diverged_at[0] == -1 and steps_to_tol(state, tr["momentum"]) > 0
    beyond = optimizers.simulate(share.landscape_of(state), "momentum", share.start_of(state), 3000,
                                 lr=1.02 * (2 + 2 * mom) / c.L, momentum=mom)
    assert beyond.diverged_at[0] > 0                                           # just past 2 + 2μ it diverges
    assert f"limit {2 + 2 * mom:g}" in lessons.get("momentum_stability").watch


def test_tiny_learning_rate_looks_flat_but_has_not_stopped():
    state = apply("tiny_lr")
    land = share.landscape_of(state)
    c = theory.curvature(land)
    assert state.hyper["momentum"]["momentum"] == 0.0
    tr = runs(state)
    loss = tr["momentum"].loss[:, 0] - land.min_value
    assert loss[-1] > 0.1 * loss[0]                                 # far above the minimum ...
    assert loss[-1] > 0.9 * loss[-101]                              # ... and flat: < 10% lower in 100 steps
    assert np.linalg.norm(land.grad(tr["momentum"].points[-1, 0])) > 0.1   # yet the gradient is not zero
    flat = np.linalg.eigh(land.hessian(land.minima[0]))[1][:, 0]           # the floor's direction
    along = (tr["momentum"].points[:, 0] - land.minima[0]) @ flat
    rate = theory.heavy_ball_rate(c, state.hyper["momentum"]["lr"])
    assert rate == pytest.approx(1 - state.hyper["momentum"]["lr"] * c.m)
    assert np.allclose(along[1:] / along[:-1], rate, rtol=1e-9)          # shrinking by exactly 1 − γm per step
    watch = lessons.get("tiny_lr").watch
    assert f"{rate:.4f}" in watch and f"{theory.steps_to_shrink(rate):,.0f} steps" in watch
    assert steps_to_tol(state, tr["gd"]) > 0


def test_rotating_the_valley_leaves_gd_momentum_newton_unchanged_and_slows_the_per_coordinate_methods():
    aligned, rotated = fair(apply("aligned")), fair(apply("rotate_valley"))
    assert aligned.surface_params["angle"] == 0.0 and rotated.surface_params["angle"] == 45.0
    assert aligned.steps == rotated.steps
    steps = {}
    for state in (aligned, rotated):
        tr = runs(state)
        steps[state.surface_params["angle"]] = {name: steps_to_tol(state, t) for name, t in tr.items()}
    for name in ("gd", "momentum", "newton"):
        assert aligned.hyper[name]["lr"] == rotated.hyper[name]["lr"]           # the same tuned rate ...
        assert steps[0.0][name] == steps[45.0][name] > 0                         # ... and the same steps
    assert 0 < steps[0.0]["rmsprop"] < steps[0.0]["gd"] / 5                      # along the axes: a cure, it seems
    assert steps[45.0]["rmsprop"] >= 0.6 * steps[45.0]["gd"]                     # turned: about as slow as GD
    assert steps[45.0]["momentum"] < steps[45.0]["adam"]                         # and Adam behind momentum
    assert lessons.get("aligned").watch.count(f"in {steps[0.0]['rmsprop']} steps, gradient descent in "
                                              f"{steps[0.0]['gd']}") == 1
    watch = lessons.get("rotate_valley").watch
    assert f"({steps[45.0]['gd']}, {steps[45.0]['momentum']} and {steps[45.0]['newton']})" in watch
    assert f"RMSprop needs {steps[45.0]['rmsprop']} steps instead of {steps[0.0]['rmsprop']}" in watch
    assert f"Adam {steps[45.0]['adam']} instead of {steps[0.0]['adam']}" in watch
    # rotation equivariance, exactly: the 45° paths are the 0° paths turned by 45°
    a = np.deg2rad(45.0)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    for name in ("gd", "momentum", "newton"):
        assert np.allclose(run(aligned, name).points @ rot.T, run(rotated, name).points, atol=1e-9)


def test_rmsprop_keeps_jumping_out_with_a_constant_rate_adam_settles_and_a_schedule_fixes_rmsprop():
    state = apply("adaptive_jitter")
    land = share.landscape_of(state)
    tr = runs(state)
    lr = state.hyper["rmsprop"]["lr"]
    d = np.linalg.norm(tr["rmsprop"].points[:, 0] - land.minima[0], axis=-1)
    close = int(np.argmax(d < 0.01))
    assert close > 0 and d[close:].max() > 0.1                    # got close, then thrown back out
    assert tr["rmsprop"].step_length[close:, 0].max() > 0.5 * lr  # by a step about γ long
    assert np.linalg.norm(tr["adam"].points[-1, 0] - land.minima[0]) < 1e-8    # settled within the steps shown ...
    longer = optimizers.simulate(land, "adam", share.start_of(state), 10 * state.steps, **state.hyper["adam"])
    far = np.linalg.norm(longer.points[:, 0] - land.minima[0], axis=-1)
    kicked = int(np.argmax(far[state.steps:] > 1e-3)) + state.steps
    assert far[kicked] > 1e-3 and far[state.steps:kicked].max() <= 1e-3          # ... and thrown out later
    assert f"here at step {kicked:,}" in lessons.get("adaptive_jitter").watch
    cosine = run(state, "rmsprop", schedule="cosine")
    assert np.linalg.norm(cosine.points[-1, 0] - land.minima[0]) < 1e-6


def test_adadelta_epsilon_sets_its_first_steps():
    state = apply("adadelta_eps")
    land = share.landscape_of(state)
    hp = state.hyper["adadelta"]
    first = np.sqrt(hp["eps"] / (1 - hp["rho"]))
    tr = runs(state)
    assert np.allclose(np.abs(tr["adadelta"].updates[0, 0]), first, rtol=1e-3)   # per coordinate
    assert f"{first:.2g} per coordinate" in lessons.get("adadelta_eps").watch
    bigger = run(state, "adadelta", eps=1e-4)
    ratio = bigger.step_length[:10, 0] / tr["adadelta"].step_length[:10, 0]
    assert np.all((ratio > 8) & (ratio < 12))                                  # "10 times longer"
    early = tr["adadelta"].step_length[:100, 0]
    assert np.all(early < 1.5 * early[0])                                      # "grows only slowly from there"
    d = {k: np.linalg.norm(t.points[-1, 0] - land.minima[0]) for k, t in (("small", tr["adadelta"]),
                                                                         ("big", bigger))}
    start = np.linalg.norm(share.start_of(state) - land.minima[0])
    assert d["small"] > 0.8 * start and d["big"] < 0.1 * start
    assert steps_to_tol(state, tr["gd"]) > 0


def test_noise_floor_then_a_decaying_schedule_breaks_through_it():
    state = apply("noise_floor")
    land = share.landscape_of(state)
    sgd, decayed = state.hyper["sgd"], state.hyper["minibatch"]
    assert decayed["batch_size"] == 1 and decayed["noise"] == sgd["noise"] and decayed["lr"] == sgd["lr"]
    assert (decayed["schedule"], decayed["decay"]) == ("inverse_time", 0.05) and sgd["schedule"] == "constant"
    floor = theory.sgd_noise_floor(theory.curvature(land), sgd["lr"], sgd["noise"])
    assert f"{floor:.2f} here" in lessons.get("noise_floor").watch
    # With the schedule off, the mini-batch of one is exactly SGD.
    plain = run(state, "minibatch", schedule="constant")
    assert np.array_equal(plain.points, run(state, "sgd").points)
    # Averaged over 500 independent noise draws: a transient, then the floor theory predicts.
    many = np.tile(share.start_of(state), (500, 1))
    gap = optimizers.simulate(land, "sgd", many, state.steps, **sgd).loss.mean(axis=1) - land.min_value
    assert gap[0] > 10 * floor and gap[50] < 1.5 * floor
    assert gap[200:].mean() == pytest.approx(floor, rel=0.1)
    shrinking = optimizers.simulate(land, "minibatch", many, state.steps, **decayed).loss.mean(axis=1) - land.min_value
    assert shrinking[-1] < floor / 5
    # ... and the lesson's own runs show it.
    tr = runs(state)
    assert tr["minibatch"].loss[-50:, 0].mean() < tr["sgd"].loss[-50:, 0].mean() / 5
    assert steps_to_tol(state, tr["gd"]) > 0


def escape_valley(land, points: np.ndarray) -> np.ndarray:
    """Whether each point lies past the ridge on the side of the deep minimum."""
    deep = int(np.argmin(land.value(land.minima)))
    xs = np.linspace(land.minima[:, 0].min(), land.minima[:, 0].max(), 2001)
    ridge = xs[np.argmax(land.value(np.stack([xs, np.zeros_like(xs)], axis=-1)))]
    return (points[..., 0] < ridge) == (land.minima[deep, 0] < ridge)


def test_momentum_started_low_stays_in_the_shallow_valley_while_sgd_hops_over():
    state = apply("escape_trapped")
    land = share.landscape_of(state)
    deep = int(np.argmin(land.value(land.minima)))
    assert share.start_of(state) == lessons.LOW_START
    low = float(land.value(np.array(lessons.LOW_START)))
    assert low < 0.2 * land.value(land.start) and f"(f = {low:.2f})" in lessons.get("escape_trapped").watch
    assert low <= behaviour.MOMENTUM_STAYS_LOW.domain.starts.high        # inside the checked band of low starts
    tr = runs(state)
    assert metrics.reached_minimum(land, tr["momentum"])[0] == 1 - deep
    assert metrics.reached_minimum(land, tr["gd"])[0] == 1 - deep
    assert escape_valley(land, tr["sgd"].points[-1, 0])
    # same settings from the high start: momentum escapes (the `escape` lesson)
    high = apply("escape")
    assert {k: v for k, v in high.hyper.items()} == state.hyper
    assert metrics.reached_minimum(land, runs(high)["momentum"])[0] == deep
    # "with μ = 0.95 instead of 0.9 it escapes"
    assert metrics.reached_minimum(land, run(state, "momentum", momentum=0.95))[0] == deep
    assert "with μ = 0.95 instead of 0.9 it escapes" in lessons.get("escape_trapped").watch


def test_a_lessons_race_is_what_its_link_decodes_to_and_the_fair_race_tunes():
    for lesson in lessons.LESSONS:
        state = apply(lesson.key)
        race = lessons.race(lesson.key)
        assert race.land.params == share.landscape_of(state).params and race.land.name == state.surface
        assert race.start == share.start_of(state) and race.steps == state.steps and race.seed == state.seed
        assert race.tol == state.tol and race.fair == state.fair and race.hyper == state.hyper
        if state.fair:
            tuned = fair(state)
            assert all(race.lr(name) == tuned.hyper[name]["lr"] for name in state.optimizers), lesson.key


COMPARISONS = {"zigzag", "aligned", "rotate_valley", "adagrad_stall", "newton_quadratic", "rotation_full_0",
               "rotation_full_45"}


@pytest.mark.parametrize("key", sorted(COMPARISONS))
def test_lessons_that_race_for_speed_tune_every_rate_on_the_same_grid(key):
    state = apply(key)
    assert state.fair and "tune" in lessons.get(key).watch


def test_lessons_that_compare_untuned_rates_say_so():
    for key in ("nesterov", "adaptive_jitter", "escape", "batch_noise"):
        assert not apply(key).fair and "not tuned" in lessons.get(key).watch, key
