"""``optimizers.simulate``: shapes, reproducibility, sampling, divergence, diagnostics and validation."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscapes
import optimizers
from landscapes.base import Landscape, stack_grad, stack_hessian
from optimizers.registry import suggested
from optimizers.trajectory import last_point, last_step, valid

SURFACES = [s for s in landscapes.names() if s != "formula"]
_CACHE: dict[str, Landscape] = {}


def surface(name: str) -> Landscape:
    if name not in _CACHE:
        _CACHE[name] = landscapes.get(name)
    return _CACHE[name]


# --- shapes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", optimizers.names())
def test_shapes_single_start(name):
    ls = surface("rosenbrock")
    tr = optimizers.simulate(ls, name, ls.start, 7)
    assert tr.points.shape == (8, 1, 2)
    assert tr.loss.shape == (8, 1)
    assert tr.diverged_at.shape == (1,) and tr.diverged_at.dtype.kind == "i"
    assert tr.lr.shape == (7,)
    assert tr.grads.shape == (7, 1, 2)
    assert tr.steps == 7
    assert tr.updates.shape == (7, 1, 2) and tr.step_length.shape == (7, 1) and tr.grad_norm.shape == (7, 1)
    assert np.array_equal(tr.points[0, 0], ls.start)
    assert np.allclose(tr.loss, ls.value(tr.points), rtol=1e-13, atol=1e-13)
    assert tr.optimizer == name


@pytest.mark.parametrize("name", optimizers.names())
def test_shapes_many_starts(name):
    ls = surface("himmelblau")
    starts = np.random.default_rng(0).uniform(-4, 4, (6, 2))
    tr = optimizers.simulate(ls, name, starts, 5, lr=0.01)
    assert tr.points.shape == (6, 6, 2)
    assert tr.loss.shape == (6, 6)
    assert tr.diverged_at.shape == (6,)
    assert np.array_equal(tr.points[0], starts)
    assert np.allclose(tr.loss, ls.value(tr.points), rtol=1e-13, atol=1e-13)
    for arr in (tr.grads, tr.moments, tr.eff_lr):
        assert arr is None or arr.shape == (5, 6, 2)
    assert tr.fallback is None or tr.fallback.shape == (5, 6)


def test_zero_steps_and_list_start():
    ls = surface("ravine")
    tr = optimizers.simulate(ls, "adam", [1.0, 2.0], 0)
    assert tr.points.shape == (1, 1, 2) and tr.points[0, 0].tolist() == [1.0, 2.0]
    assert tr.loss.shape == (1, 1) and tr.lr.shape == (0,)
    assert tr.diverged_at.tolist() == [-1]


def test_spec_object_and_diagnostics_off():
    ls = surface("beale")
    spec = optimizers.get("adam")
    a = optimizers.simulate(ls, spec, ls.start, 20, lr=0.05)
    b = optimizers.simulate(ls, "adam", ls.start, 20, lr=0.05, diagnostics=False)
    assert np.array_equal(a.points, b.points) and np.array_equal(a.loss, b.loss)
    assert b.grads is None and b.moments is None and b.eff_lr is None and b.fallback is None
    assert a.hyperparams["lr"] == 0.05 and a.hyperparams["beta1"] == 0.9


# --- reproducibility ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sgd", "minibatch"])
@pytest.mark.parametrize("surf", ["rosenbrock", "linear_regression", "logistic_regression"])
def test_same_seed_is_bit_identical(name, surf):
    ls = surface(surf)
    starts = np.array([ls.start, ls.start, ls.center])
    hp = suggested(ls.suggested, name)
    a = optimizers.simulate(ls, name, starts, 40, seed=123, **hp)
    b = optimizers.simulate(ls, name, starts, 40, seed=123, **hp)
    for x, y in ((a.points, b.points), (a.loss, b.loss), (a.grads, b.grads), (a.diverged_at, b.diverged_at)):
        assert np.array_equal(x, y)
    c = optimizers.simulate(ls, name, starts, 40, seed=124, **hp)
    assert not np.array_equal(a.points, c.points)
    # starts are sampled independently: two runs from the same start take different paths
    assert not np.array_equal(a.points[:, 0], a.points[:, 1])


def test_deterministic_optimizers_ignore_the_seed():
    ls = surface("rosenbrock")
    for name in ("gd", "adam", "newton"):
        a = optimizers.simulate(ls, name, ls.start, 20, seed=1)
        b = optimizers.simulate(ls, name, ls.start, 20, seed=99)
        assert np.array_equal(a.points, b.points)


@pytest.mark.parametrize("surf", ["linear_regression", "logistic_regression"])
def test_full_batch_minibatch_is_gd(surf):
    ls = surface(surf)
    assert ls.n_examples == 200
    gd = optimizers.simulate(ls, "gd", ls.start, 30, lr=0.3)
    for batch in (200, 4096):
        mb = optimizers.simulate(ls, "minibatch", ls.start, 30, lr=0.3, batch_size=batch, seed=5)
        assert np.array_equal(mb.points, gd.points)
        assert np.array_equal(mb.loss, gd.loss)
        assert np.array_equal(mb.grads, gd.grads)
    smaller = optimizers.simulate(ls, "minibatch", ls.start, 30, lr=0.3, batch_size=199, seed=5)
    assert not np.array_equal(smaller.points, gd.points)


# --- sampling without replacement -----------------------------------------------------------------

def _recording_landscape(n_examples: int, log: list) -> Landscape:
    """A quadratic bowl over ``n_examples`` fake examples whose grad_batch records the indices it gets."""

    def value(p):
        p = np.asarray(p, dtype=float)
        return 0.5 * np.sum(p * p, axis=-1)

    def grad(p):
        return np.asarray(p, dtype=float) * 1.0

    def hessian(p):
        p = np.asarray(p, dtype=float)
        one = np.ones(p.shape[:-1])
        return stack_hessian(one, 0 * one, one)

    def grad_batch(p, idx):
        log.append(np.array(idx, copy=True))
        return stack_grad(p[:, 0] * 1.0, p[:, 1] * 1.0)

    return Landscape(name="recorder", title="Recorder", description="records indices", latex="",
                     value=value, grad=grad, hessian=hessian, bounds=((-1.0, 1.0), (-1.0, 1.0)),
                     start=[0.5, 0.5], minima=[[0.0, 0.0]], n_examples=n_examples, grad_batch=grad_batch)


def test_sgd_visits_every_example_once_per_epoch():
    log: list = []
    ls = _recording_landscape(10, log)
    optimizers.simulate(ls, "sgd", ls.start, 30, lr=0.01, seed=4)
    assert len(log) == 30
    assert all(idx.shape == (1, 1) for idx in log)
    seq = np.concatenate([idx.ravel() for idx in log])
    epochs = seq.reshape(3, 10)
    for epoch in epochs:
        assert sorted(epoch.tolist()) == list(range(10))
    # reshuffled each epoch: the three orders are not all the same
    assert not (np.array_equal(epochs[0], epochs[1]) and np.array_equal(epochs[1], epochs[2]))


def test_minibatch_epochs_have_a_short_last_batch():
    log: list = []
    ls = _recording_landscape(10, log)
    optimizers.simulate(ls, "minibatch", [[0.5, 0.5], [-0.5, 0.2]], 9, lr=0.01, batch_size=4, seed=4)
    assert [idx.shape for idx in log] == [(2, 4), (2, 4), (2, 2)] * 3
    for e in range(3):
        epoch = np.concatenate(log[3 * e:3 * e + 3], axis=1)          # (2 starts, 10)
        for row in epoch:
            assert sorted(row.tolist()) == list(range(10))
    # each start has its own permutation
    assert not np.array_equal(np.concatenate(log, axis=1)[0], np.concatenate(log, axis=1)[1])


def test_stochastic_gradient_is_unbiased_on_a_dataset():
    ls = surface("linear_regression")
    n = 2000
    starts = np.tile(ls.start, (n, 1))
    tr = optimizers.simulate(ls, "minibatch", starts, 1, lr=0.01, batch_size=8, seed=11)
    g = tr.grads[0]
    full = ls.grad(ls.start)
    sem = g.std(axis=0, ddof=1) / math.sqrt(n)
    assert np.all(np.abs(g.mean(axis=0) - full) < 4 * sem), (g.mean(axis=0), full, sem)
    assert np.all(sem > 0)  # the batches really differ


def test_gradient_noise_on_an_analytic_surface():
    ls = surface("ravine")
    n = 4000
    starts = np.tile(ls.start, (n, 1))
    tr = optimizers.simulate(ls, "minibatch", starts, 1, lr=0.01, batch_size=4, noise=1.0, seed=12)
    noise = tr.grads[0] - ls.grad(ls.start)
    std = noise.std(axis=0, ddof=1)
    assert np.all(np.abs(std - 0.5) < 0.05 * 0.5), std            # noise / sqrt(batch_size) = 1/√4
    assert np.all(np.abs(noise.mean(axis=0)) < 4 * 0.5 / math.sqrt(n))
    # the two coordinates are independent
    assert abs(np.corrcoef(noise.T)[0, 1]) < 4 / math.sqrt(n)
    # sgd draws with batch size 1: std = noise
    tr = optimizers.simulate(ls, "sgd", starts, 1, lr=0.01, noise=2.0, seed=13)
    std = (tr.grads[0] - ls.grad(ls.start)).std(axis=0, ddof=1)
    assert np.all(np.abs(std - 2.0) < 0.05 * 2.0), std


def test_noise_is_per_start_array():
    ls = surface("ravine")
    starts = np.tile(ls.start, (2, 1))
    tr = optimizers.simulate(ls, "sgd", starts, 3, lr=0.1, noise=np.array([0.0, 1.0]))
    gd = optimizers.simulate(ls, "gd", ls.start, 3, lr=0.1)
    assert np.array_equal(tr.points[:, 0], gd.points[:, 0])
    assert not np.allclose(tr.points[:, 1], gd.points[:, 0])


# --- divergence -----------------------------------------------------------------------------------

def _assert_all_finite(tr):
    for arr in (tr.points, tr.loss, tr.grads, tr.moments, tr.eff_lr, tr.lr):
        if arr is not None:
            assert np.all(np.isfinite(arr))


def _assert_frozen(tr, i):
    d = int(tr.diverged_at[i])
    assert d > 0
    assert np.all(tr.points[d:, i] == tr.points[d - 1, i])
    assert np.all(tr.loss[d:, i] == tr.loss[d - 1, i])


def test_gd_diverges_on_rosenbrock():
    ls = surface("rosenbrock")
    tr = optimizers.simulate(ls, "gd", [-1.5, 2.5], 30, lr=0.1)
    assert tr.diverged_at[0] > 0
    _assert_all_finite(tr)
    _assert_frozen(tr, 0)
    # diagnostics after the divergence are zeroed
    d = int(tr.diverged_at[0])
    assert np.all(tr.grads[d:] == 0)


@pytest.mark.parametrize("name", ["gd", "momentum", "nag", "rmsprop", "adam", "lion", "newton"])
def test_divergence_marked_per_start(name):
    ls = surface("rosenbrock")
    tr = optimizers.simulate(ls, name, [ls.start, ls.start], 200, lr=np.array([1e-3, 10.0]))
    assert tr.diverged_at[0] == -1
    assert tr.diverged_at[1] > 0
    _assert_all_finite(tr)
    _assert_frozen(tr, 1)


def test_mixed_lr_only_large_one_diverges():
    ls = surface("rosenbrock")
    tr = optimizers.simulate(ls, "gd", [ls.start, ls.start], 100, lr=np.array([1e-3, 0.5]))
    assert tr.diverged_at[0] == -1
    assert tr.diverged_at[1] > 0
    _assert_all_finite(tr)
    _assert_frozen(tr, 1)
    assert tr.hyperparams["lr"] == [1e-3, 0.5]


def test_start_outside_the_far_box_is_diverged_at_zero():
    ls = surface("ravine")
    tr = optimizers.simulate(ls, "adam", [[1e6, 0.0], [1.0, 1.0]], 5, lr=0.1)
    assert tr.diverged_at.tolist() == [0, -1]
    assert np.all(tr.points[:, 0] == [1e6, 0.0])
    _assert_all_finite(tr)


def test_newton_diverges_on_logistic_regression_from_default_start():
    # documented: the first Newton step from the flat far region lands far away, the next leaves the far box
    ls = surface("logistic_regression")
    tr = optimizers.simulate(ls, "newton", ls.start, 10)
    assert tr.diverged_at[0] > 0
    _assert_all_finite(tr)
    _assert_frozen(tr, 0)


# --- per-start hyperparameter arrays --------------------------------------------------------------

DETERMINISTIC = [n for n in optimizers.names() if n not in ("sgd", "minibatch")]


@pytest.mark.parametrize("name", DETERMINISTIC)
def test_per_start_arrays_equal_separate_runs(name):
    ls = surface("rosenbrock")
    starts = np.array([[-1.5, 2.5], [0.5, 0.5], [1.2, -0.5]])
    lrs = np.array([1e-3, 2e-3, 5e-4])
    together = optimizers.simulate(ls, name, starts, 25, lr=lrs)
    for i in range(3):
        alone = optimizers.simulate(ls, name, starts[i], 25, lr=float(lrs[i]))
        assert np.array_equal(together.points[:, i], alone.points[:, 0])
        assert np.array_equal(together.loss[:, i], alone.loss[:, 0])


def test_per_start_arrays_of_several_hyperparameters():
    ls = surface("ravine")
    starts = np.array([[-8.0, 2.5], [3.0, -1.0]])
    together = optimizers.simulate(ls, "adam", starts, 20, lr=np.array([0.1, 0.3]), beta1=np.array([0.5, 0.9]))
    for i, (lr, b1) in enumerate([(0.1, 0.5), (0.3, 0.9)]):
        alone = optimizers.simulate(ls, "adam", starts[i], 20, lr=lr, beta1=b1)
        assert np.array_equal(together.points[:, i], alone.points[:, 0])
    # a length-1 array is broadcast to every start
    one = optimizers.simulate(ls, "adam", starts, 20, lr=np.array([0.1]))
    scalar = optimizers.simulate(ls, "adam", starts, 20, lr=0.1)
    assert np.array_equal(one.points, scalar.points)


# --- diagnostics ----------------------------------------------------------------------------------

def test_newton_fallback_marks_the_steps_that_fell_back():
    ls = surface("saddle")
    tr = optimizers.simulate(ls, "newton", ls.start, 30, fallback_lr=0.5)
    y_before = tr.points[:-1, 0, 1]
    not_pd = 3 * y_before**2 - 1 <= 1e-8          # H = diag(1, 3y² - 1)
    assert np.array_equal(tr.fallback[:, 0], not_pd)
    assert tr.fallback[0, 0] and not tr.fallback[:, 0].all()
    # a fallback step is a gradient step with fallback_lr, a Newton step sends x to 0
    for t in range(1, 31):
        p, q = tr.points[t - 1, 0], tr.points[t, 0]
        if tr.fallback[t - 1, 0]:
            assert q.tolist() == pytest.approx((p - 0.5 * ls.grad(p)).tolist(), rel=1e-13, abs=1e-15)
        else:
            assert abs(q[0]) < 1e-12
    assert tr.fallback.dtype == bool
    # fallback is reported only by Newton
    assert optimizers.simulate(ls, "gd", ls.start, 3).fallback is None


@pytest.mark.parametrize("name", optimizers.names())
def test_which_diagnostics_exist(name):
    ls = surface("beale")
    tr = optimizers.simulate(ls, name, ls.start, 4)
    declared = optimizers.get(name).maths.diagnostics            # the entry says which diagnostics its rule returns
    assert (tr.eff_lr is not None) == ("eff_lr" in declared)
    assert (tr.moments is not None) == ("moment" in declared)
    assert tr.grads is not None
    if tr.eff_lr is not None:
        assert np.all(tr.eff_lr > 0)


def test_effective_learning_rate_by_hand():
    ls = landscapes.get("ravine", condition=4.0, angle=0.0)
    tr = optimizers.simulate(ls, "adagrad", [2.0, 1.0], 1, lr=0.1)
    # lr / (√(g²) + ε) with g = (0.5, 1)
    assert tr.eff_lr[0, 0].tolist() == pytest.approx([0.1 / (0.5 + 1e-10), 0.1 / (1 + 1e-10)], rel=1e-14)


# --- bad input ------------------------------------------------------------------------------------

def test_unknown_optimizer():
    ls = surface("ravine")
    with pytest.raises(ValueError, match="Unknown optimizer 'sgdd'") as info:
        optimizers.simulate(ls, "sgdd", ls.start, 3)
    for name in optimizers.names():
        assert name in str(info.value)
    with pytest.raises(ValueError, match="Unknown optimizer"):
        optimizers.get("bogus")


def test_unknown_hyperparameter():
    ls = surface("ravine")
    with pytest.raises(ValueError, match="'foo'") as info:
        optimizers.simulate(ls, "adam", ls.start, 3, foo=1)
    for allowed in ("lr", "beta1", "beta2", "eps"):
        assert allowed in str(info.value)
    # a hyperparameter of another optimizer is unknown here too
    with pytest.raises(ValueError, match="'momentum'"):
        optimizers.simulate(ls, "gd", ls.start, 3, momentum=0.9)


def test_lr_message_text():
    ls = surface("ravine")
    with pytest.raises(ValueError) as info:
        optimizers.simulate(ls, "gd", ls.start, 3, lr=-1)
    assert "Invalid lr: -1" in str(info.value)
    assert "0 < lr <= 10" in str(info.value)


@pytest.mark.parametrize(("name", "hp", "text"), [
    ("gd", {"lr": -1}, "0 < lr <= 10"),
    ("gd", {"lr": 0}, "0 < lr <= 10"),
    ("gd", {"lr": 0.0}, "0 < lr <= 10"),
    ("gd", {"lr": float("nan")}, "0 < lr <= 10"),
    ("gd", {"lr": float("inf")}, "0 < lr <= 10"),
    ("gd", {"lr": 10.5}, "0 < lr <= 10"),
    ("gd", {"lr": "0.1"}, "0 < lr <= 10"),
    ("gd", {"lr": np.array([0.1, -0.1])}, "0 < lr <= 10"),
    ("momentum", {"momentum": 1.0}, "0 <= momentum < 1"),
    ("momentum", {"momentum": -0.1}, "0 <= momentum < 1"),
    ("adam", {"beta2": 1.5}, "0 <= beta2 < 1"),
    ("adam", {"beta1": 1.0}, "0 <= beta1 < 1"),
    ("adam", {"eps": 0.0}, "0 < eps <= 1"),
    ("adam", {"bias_correction": "maybe"}, "bias_correction"),
    ("rmsprop", {"rho": 1.0}, "0 <= rho < 1"),
    ("minibatch", {"batch_size": 0}, "1 <= batch_size <= 4096"),
    ("minibatch", {"batch_size": 2.5}, "1 <= batch_size <= 4096"),
    ("sgd", {"noise": -1.0}, "0 <= noise <= 100"),
    ("gd", {"schedule": "bogus"}, "constant, step, exponential, cosine, inverse_time"),
    ("gd", {"schedule": "step", "step_size": 0}, "step_size"),
    ("momentum", {"warmup_steps": -1}, "warmup_steps"),
    ("newton", {"fallback_lr": 0.0}, "fallback_lr"),
])
def test_out_of_range_hyperparameter(name, hp, text):
    ls = surface("ravine")
    param = list(hp)[-1]  # the offending one is listed last
    with pytest.raises(ValueError, match=f"Invalid {param}") as info:
        optimizers.simulate(ls, name, ls.start, 3, **hp)
    assert text in str(info.value)


def test_per_start_array_of_wrong_length():
    ls = surface("ravine")
    with pytest.raises(ValueError, match="Invalid lr"):
        optimizers.simulate(ls, "gd", [[0.0, 1.0], [1.0, 0.0]], 3, lr=np.array([0.1, 0.2, 0.3]))


@pytest.mark.parametrize("start", [
    [1.0, 2.0, 3.0],
    np.zeros((2, 3)),
    np.zeros((0, 2)),
    np.zeros((2, 2, 2)),
    [float("nan"), 0.0],
    [[0.0, 0.0], [float("inf"), 1.0]],
    "1,2",
    5.0,
])
def test_bad_start(start):
    ls = surface("ravine")
    with pytest.raises(ValueError, match="Invalid start"):
        optimizers.simulate(ls, "gd", start, 3)


@pytest.mark.parametrize("steps", [-1, 1.5, 10**9, "10", True, None])
def test_bad_steps(steps):
    ls = surface("ravine")
    with pytest.raises(ValueError, match="Invalid steps"):
        optimizers.simulate(ls, "gd", ls.start, steps)


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "0", None])
def test_bad_seed(seed):
    ls = surface("ravine")
    with pytest.raises(ValueError, match="Invalid seed"):
        optimizers.simulate(ls, "gd", ls.start, 3, seed=seed)


def test_bad_landscape():
    with pytest.raises(ValueError, match="Invalid landscape"):
        optimizers.simulate("ravine", "gd", [0.0, 0.0], 3)


# --- property: everything stays finite ------------------------------------------------------------

coordinate = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    surf=st.sampled_from(SURFACES),
    name=st.sampled_from(optimizers.names()),
    starts=st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=3),
    log_lr=st.floats(min_value=-6.0, max_value=1.0),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_everything_finite_from_any_start(surf, name, starts, log_lr, seed):
    ls = surface(surf)
    steps = 20
    lr = min(10.0 ** log_lr, 10.0)
    tr = optimizers.simulate(ls, name, np.array(starts, dtype=float), steps, seed=seed, lr=lr)
    n = len(starts)
    assert tr.points.shape == (steps + 1, n, 2)
    _assert_all_finite(tr)
    assert np.all((tr.diverged_at >= -1) & (tr.diverged_at <= steps))
    for i in range(n):
        if tr.diverged_at[i] >= 0:
            d = int(tr.diverged_at[i])
            assert np.all(tr.points[max(d, 1):, i] == tr.points[max(d - 1, 0), i])


# --- the fast loop: divergence pre-test, diagnostics on demand, final points only -------------------

def _gd_reference(ls, starts, steps, lr):
    """Plain gradient descent one start at a time, with the divergence rule written out in Python:
    a start diverges at the first step whose loss is not finite or whose point lies more than
    ``FAR`` bound-widths outside the bounds, and stays at its last good point."""
    far = optimizers.simulate.__globals__["FAR"]
    (x0, x1), (y0, y1) = ls.bounds
    boxes = ((x0, x1), (y0, y1))
    points = np.empty((steps + 1, len(starts), 2))
    diverged_at = np.full(len(starts), -1)
    for i, start in enumerate(np.asarray(starts, dtype=float)):
        p = start.copy()
        points[0, i] = p
        for t in range(1, steps + 1):
            if diverged_at[i] < 0:
                with np.errstate(all="ignore"):
                    new = p - lr * ls.grad(p[None])[0]
                    value = float(ls.value(new[None])[0])
                inside = all(abs(new[k] - (lo + hi) / 2) <= (0.5 + far) * (hi - lo) for k, (lo, hi) in enumerate(boxes))
                if math.isfinite(value) and inside:
                    p = new
                else:
                    diverged_at[i] = t
            points[t, i] = p
    return points, diverged_at


@pytest.mark.parametrize("lr", [2e-3, 3e-3])
def test_divergence_step_and_frozen_point_match_a_start_by_start_reference(lr):
    ls = surface("rosenbrock")
    starts = np.random.default_rng(5).uniform([-2, -1], [2, 3], (40, 2))
    tr = optimizers.simulate(ls, "gd", starts, 25, lr=lr)
    points, diverged_at = _gd_reference(ls, starts, 25, lr)
    assert (diverged_at >= 0).any() and (diverged_at < 0).any()      # both kinds of start in the batch
    assert np.array_equal(tr.diverged_at, diverged_at)
    assert np.array_equal(tr.points, points)


def test_divergence_by_leaving_the_box_with_a_finite_loss():
    """Too large a step on a quadratic: the loss grows but stays finite, so only the box test catches it."""
    ls = surface("ravine")
    starts = np.array([[1.0, 1.0], [0.0, 1.0], [3.0, 0.0], [0.0, -2.0]])
    tr = optimizers.simulate(ls, "gd", starts, 60, lr=2.6)
    points, diverged_at = _gd_reference(ls, starts, 60, 2.6)
    assert np.all(np.isfinite(ls.value(points)))
    assert (diverged_at > 0).sum() >= 2
    assert np.array_equal(tr.diverged_at, diverged_at) and np.array_equal(tr.points, points)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([-1.0, 1.0]), st.sampled_from([0, 1]),
                          st.sampled_from([-2, -1, 0, 1, 2, 10**6]),
                          st.sampled_from([0.0, math.nan, math.inf, -math.inf, 1e308])), min_size=1, max_size=6))
def test_the_batch_pre_test_never_passes_an_unhealthy_start(edits):
    """``all_healthy`` may only say yes when the start-by-start test says yes for every start; points are put
    on, just inside and just outside the far box edges (a few ulps), or made non-finite."""
    guard_type = optimizers.simulate.__globals__["_Guard"]
    for name in ("rosenbrock", "ravine", "himmelblau"):
        ls = surface(name)
        guard = guard_type(ls)
        p = np.asfortranarray(np.tile(ls.center, (8, 1)))
        value = np.zeros(8)
        for i, (side, k, ulps, loss) in enumerate(edits):
            edge = np.array(guard.center[k] + side * guard.half[k])
            for _ in range(abs(ulps) if ulps != 10**6 else 0):
                edge = np.nextafter(edge, side * np.inf if ulps > 0 else -side * np.inf)
            p[i, k] = edge if ulps != 10**6 else guard.center[k] + side * 0.5 * guard.half[k]
            value[i] = loss
        healthy = guard.healthy(p, value)
        if guard.all_healthy(p, value):
            assert healthy.all()
        if healthy.all() and np.all(np.abs(p - ls.center) <= 0.99 * np.array(guard.half)):
            assert guard.all_healthy(p, value)           # well inside and finite: the cheap test says so
        few = optimizers.simulate.__globals__["FEW"]
        for n in range(1, few + 1):                      # a few starts: the exact answer, on Python floats
            assert guard.all_healthy(p[:n], value[:n]) == bool(guard.healthy(p[:n], value[:n]).all())


@pytest.mark.parametrize("name", optimizers.names())
def test_diagnostics_off_and_default_give_the_same_run_bit_for_bit(name):
    ls = surface("himmelblau")
    starts = np.random.default_rng(2).uniform(-6, 6, (30, 2))
    hp = {"lr": np.geomspace(1e-3, 5.0, 30)}
    on = optimizers.simulate(ls, name, starts, 40, seed=1, diagnostics=True, **hp)
    off = optimizers.simulate(ls, name, starts, 40, seed=1, diagnostics=False, **hp)
    for field in ("points", "loss", "diverged_at", "lr"):
        assert np.array_equal(getattr(on, field), getattr(off, field)), field
    assert on.grads is not None and off.grads is None and off.moments is None and off.eff_lr is None


def test_diagnostics_default_depends_on_the_size_of_the_run():
    ls = surface("ravine")
    budget = optimizers.simulate.__globals__["DIAGNOSTIC_BUDGET"]
    starts = np.ones((budget // 1000, 2))
    small = optimizers.simulate(ls, "adam", starts, 1000)
    large = optimizers.simulate(ls, "adam", starts, 1001)
    assert small.grads is not None and small.moments is not None
    assert large.grads is None and large.moments is None and large.eff_lr is None
    assert np.array_equal(small.points, large.points[:-1])


@pytest.mark.parametrize("name", optimizers.names())
@pytest.mark.parametrize("surf", ["rosenbrock", "logistic_regression"])
def test_final_is_the_last_row_of_simulate_bit_for_bit(name, surf):
    from optimizers.simulation import final
    ls = surface(surf)
    starts = np.random.default_rng(3).uniform(-2, 2, (25, 2))
    hp = {"lr": np.geomspace(1e-3, 5.0, 25)}
    tr = optimizers.simulate(ls, name, starts, 30, seed=7, diagnostics=False, **hp)
    end = final(ls, name, starts, 30, seed=7, **hp)
    assert np.array_equal(end.point, tr.points[-1]) and np.array_equal(end.loss, tr.loss[-1])
    assert np.array_equal(end.diverged_at, tr.diverged_at)


@pytest.mark.parametrize("name", ["momentum", "nag", "adagrad", "adadelta", "adam", "nadam", "lion"])
def test_replayed_states_are_not_overwritten_by_later_steps(name):
    """Rules work in place only on arrays they just created: a record keeps its values after the run goes on."""
    from optimizers.simulation import replay
    ls = surface("rosenbrock")
    records, snapshots = [], []
    for rec in replay(ls, name, [[-1.5, 2.5], [0.5, 0.5]], 12, lr=0.01):
        records.append(rec)
        snapshots.append([np.array(a, copy=True) for a in (rec.theta, rec.point, rec.step.update, rec.step.grad,
                                                           *rec.state, *rec.step.state)])
    for rec, snap in zip(records, snapshots, strict=True):
        now = (rec.theta, rec.point, rec.step.update, rec.step.grad, *rec.state, *rec.step.state)
        assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip(now, snap, strict=True))


# --- which indices of a run are valid ------------------------------------------------------------------------

def test_valid_indices_last_step_and_last_point_by_hand():
    """Starts that never diverge, diverge at step 3, or start out of bounds (step 0), over 5 steps."""
    d = np.array([-1, 3, 0])
    points = valid(d, 6)                                   # index i: the point after step i
    assert points[:, 0].all() and points[:, 1].tolist() == [True] * 3 + [False] * 3 and not points[:, 2].any()
    assert valid(d, 5)[:, 1].tolist() == [True] * 3 + [False] * 2   # index i: step i + 1, the diverging one kept
    assert last_step(d, 5).tolist() == [5, 3, 0] and last_point(d, 5).tolist() == [5, 2, 0]
    assert (last_step(-1, 5), last_step(3, 5), last_point(3, 5), last_point(0, 5)) == (5, 3, 2, 0)
    assert isinstance(last_step(3, 5), int) and isinstance(last_point(-1, 5), int)


def test_a_diverged_run_is_frozen_exactly_after_its_last_valid_point():
    land = surface("rosenbrock")
    tr = optimizers.simulate(land, "gd", land.start, 10, lr=0.1)
    d = int(tr.diverged_at[0])
    assert 0 < d < 10
    end = last_point(d, tr.steps)
    assert np.all(np.abs(tr.points[end, 0]) < 1e3)
    assert np.array_equal(tr.points[end + 1:, 0], np.repeat(tr.points[end:end + 1, 0], 10 - end, axis=0))
    assert np.any(tr.grads[last_step(d, tr.steps) - 1, 0] != 0)          # the diverging step's gradient is kept
    assert not np.any(tr.grads[last_step(d, tr.steps):, 0])               # later steps recorded nothing
