"""The built-in surfaces: shapes, analytic derivatives, minima, datasets and parameter validation."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscapes
from landscapes import datasets

SURFACES = [s for s in landscapes.names() if s != "formula"]
H_FD = 1e-5  # central-difference step (bounds are O(1..10), so truncation ~1e-10, rounding ~1e-11·|f|)


@pytest.fixture(scope="module", params=SURFACES)
def surface(request):
    return landscapes.get(request.param)


def _box(ls):
    return np.array([b[0] for b in ls.bounds]), np.array([b[1] for b in ls.bounds])


def _points_in_bounds(ls, n=50, seed=0):
    lo, hi = _box(ls)
    return lo + (hi - lo) * np.random.default_rng(seed).random((n, 2))


def _fd_grad(ls, p, h=H_FD):
    e = np.eye(2) * h
    return np.stack([(ls.value(p + e[i]) - ls.value(p - e[i])) / (2 * h) for i in range(2)], axis=-1)


def _fd_hessian(ls, p, h=H_FD):
    e = np.eye(2) * h
    # row i: ∂g/∂θ_i  (the Hessian is symmetric, so rows and columns agree)
    return np.stack([(ls.grad(p + e[i]) - ls.grad(p - e[i])) / (2 * h) for i in range(2)], axis=-2)


def _assert_grad_matches_fd(ls, p):
    g = ls.grad(p)
    fd = _fd_grad(ls, p)
    # relative 1e-6 per entry, plus an absolute floor that scales with the size of f: rounding in
    # f(p ± h)/2h is about 1e-11·|f| (observed at most 5e-11·(1 + |f|) over 5000 points per surface)
    atol = 1e-9 * (1 + np.abs(ls.value(p)))[..., None]
    assert np.all(np.abs(fd - g) <= 1e-6 * np.abs(g) + atol), ls.name


def _assert_hessian_matches_fd(ls, p):
    hess = ls.hessian(p)
    fd = _fd_hessian(ls, p)
    atol = 1e-9 * (1 + np.abs(ls.grad(p)).max(axis=-1))[..., None, None]
    assert np.all(np.abs(fd - hess) <= 1e-6 * np.abs(hess) + atol), ls.name
    assert np.array_equal(hess, np.swapaxes(hess, -1, -2))


# --- shapes and derivatives -----------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_shapes(surface, shape):
    lo, hi = _box(surface)
    p = lo + (hi - lo) * np.random.default_rng(1).random(shape + (2,))
    v, g, h = surface.value(p), surface.grad(p), surface.hessian(p)
    assert np.shape(v) == shape
    assert np.shape(g) == shape + (2,)
    assert np.shape(h) == shape + (2, 2)
    for arr in (v, g, h):
        assert np.all(np.isfinite(arr))
    # a batch agrees with point-by-point evaluation
    flat = p.reshape(-1, 2)
    for i, q in enumerate(flat):
        assert np.allclose(np.reshape(v, -1)[i], surface.value(q), rtol=1e-13, atol=1e-13)
        assert np.allclose(np.reshape(g, (-1, 2))[i], surface.grad(q), rtol=1e-13, atol=1e-13)


def test_metadata(surface):
    (x0, x1), (y0, y1) = surface.bounds
    assert x0 < x1 and y0 < y1
    assert surface.start.shape == (2,)
    assert x0 <= surface.start[0] <= x1 and y0 <= surface.start[1] <= y1
    assert surface.minima.ndim == 2 and surface.minima.shape[1] == 2 and len(surface.minima) >= 1
    assert surface.title and surface.description and surface.latex
    if surface.n_examples is None:
        assert surface.grad_batch is None
    else:
        assert surface.grad_batch is not None and surface.n_examples > 0


def test_gradient_matches_finite_differences(surface):
    _assert_grad_matches_fd(surface, _points_in_bounds(surface))


def test_hessian_matches_finite_differences(surface):
    _assert_hessian_matches_fd(surface, _points_in_bounds(surface))


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(SURFACES), u=st.floats(0, 1), w=st.floats(0, 1))
def test_derivatives_match_finite_differences_property(name, u, w):
    ls = landscapes.get(name)
    lo, hi = _box(ls)
    p = lo + (hi - lo) * np.array([u, w])
    _assert_grad_matches_fd(ls, p)
    _assert_hessian_matches_fd(ls, p)


# --- minima ---------------------------------------------------------------------------------------

def test_minima_are_strict_local_minima(surface):
    for m in surface.minima:
        g = surface.grad(m)
        # scale-aware: a minimizer known to ~1e-15 relative leaves a gradient of about |H|·|m|·1e-15
        scale = 1 + np.abs(surface.hessian(m)).max() * (1 + np.abs(m).max())
        assert np.linalg.norm(g) < 1e-8, (surface.name, m, g)
        assert np.linalg.norm(g) < 1e-12 * scale, (surface.name, m, g)
        assert np.linalg.eigvalsh(surface.hessian(m)).min() > 0, (surface.name, m)
        angles = np.arange(8) * (math.pi / 4)
        ring = m + 1e-3 * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
        assert np.all(surface.value(ring) > surface.value(m)), (surface.name, m)


def test_min_value_and_nearest_minimum(surface):
    assert surface.min_value == pytest.approx(float(np.min(surface.value(surface.minima))))
    idx, dist = surface.nearest_minimum(surface.minima)
    assert idx.tolist() == list(range(len(surface.minima)))
    assert np.allclose(dist, 0)


def test_himmelblau_minima():
    ls = landscapes.get("himmelblau")
    assert len(ls.minima) == 4
    assert np.all(np.abs(ls.value(ls.minima)) < 1e-25)
    assert [3.0, 2.0] in ls.minima.tolist()
    # four distinct minima, one per quadrant
    assert sorted(map(tuple, np.sign(ls.minima).tolist())) == [(-1, -1), (-1, 1), (1, -1), (1, 1)]


def test_rosenbrock_minimum():
    ls = landscapes.get("rosenbrock")
    assert ls.minima.tolist() == [[1.0, 1.0]]
    assert ls.value(np.array([1.0, 1.0])) == 0.0
    assert ls.grad(np.array([1.0, 1.0])).tolist() == [0.0, 0.0]
    # hand values: f(0,0) = 1, f(-1,1) = 4, ∇f(0,0) = (-2, 0), H(1,1) = [[802, -400], [-400, 200]]
    assert ls.value(np.array([0.0, 0.0])) == 1.0
    assert ls.value(np.array([-1.0, 1.0])) == 4.0
    assert ls.grad(np.array([0.0, 0.0])).tolist() == [-2.0, 0.0]
    assert ls.hessian(np.array([1.0, 1.0])).tolist() == [[802.0, -400.0], [-400.0, 200.0]]


def test_saddle_and_two_wells_by_hand():
    saddle = landscapes.get("saddle")
    assert sorted(saddle.minima.tolist()) == [[0.0, -1.0], [0.0, 1.0]]
    assert saddle.grad(np.zeros(2)).tolist() == [0.0, 0.0]
    assert np.linalg.eigvalsh(saddle.hessian(np.zeros(2))).tolist() == [-1.0, 1.0]
    wells = landscapes.get("two_wells", tilt=0.5)
    left, right = sorted(wells.minima[:, 0])
    # the roots of f_x = 4x³ - 4x + 0.5 outside the middle one; the left well is deeper
    for x in (left, right):
        assert 4 * x**3 - 4 * x + 0.5 == pytest.approx(0.0, abs=1e-14)
    assert wells.value(np.array([left, 0.0])) < wells.value(np.array([right, 0.0]))


def _linear_data():
    """An independent reconstruction of the linear-regression data from the documented seed."""
    rng = np.random.default_rng(datasets.DATA_SEED)
    x = rng.normal(1.0, 1.5, datasets.N_EXAMPLES)
    y = 2.0 * x - 1.0 + rng.normal(0.0, 1.0, datasets.N_EXAMPLES)
    return x, y


def _logistic_data():
    rng = np.random.default_rng(datasets.DATA_SEED)
    x = rng.normal(1.0, 1.5, datasets.N_EXAMPLES)
    labels = (rng.random(datasets.N_EXAMPLES) < 1 / (1 + np.exp(-(1.5 * x - 1.0)))).astype(float)
    return x, labels


def test_linear_regression_matches_lstsq():
    ls = landscapes.get("linear_regression")
    x, y = _linear_data()
    # the reconstruction is the landscape's data: the loss agrees at random points
    p = _points_in_bounds(ls, 20)
    direct = np.array([0.5 * np.mean((w * x + b - y) ** 2) for w, b in p])
    assert np.allclose(ls.value(p), direct, rtol=1e-12, atol=1e-12)
    design = np.stack([x, np.ones_like(x)], axis=1)
    (w, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    assert ls.minima[0].tolist() == pytest.approx([w, b], rel=1e-10, abs=1e-12)
    assert np.linalg.norm(ls.grad(ls.minima[0])) < 1e-12
    # the slope and intercept are near the generating line y = 2x - 1
    assert abs(w - 2.0) < 0.3 and abs(b + 1.0) < 0.3


def test_logistic_regression_minimum():
    ls = landscapes.get("logistic_regression")
    x, labels = _logistic_data()
    p = _points_in_bounds(ls, 20)
    direct = []
    for w, b in p:
        z = w * x + b
        direct.append(np.mean(np.log1p(np.exp(z)) - labels * z))
    assert np.allclose(ls.value(p), direct, rtol=1e-10, atol=1e-12)
    assert np.linalg.norm(ls.grad(ls.minima[0])) < 1e-12
    # gradient by hand at the minimum: mean((σ(z) - y)·(x, 1)) = 0
    w, b = ls.minima[0]
    err = 1 / (1 + np.exp(-(w * x + b))) - labels
    assert abs(np.mean(err * x)) < 1e-12 and abs(np.mean(err)) < 1e-12


# --- ravine geometry ------------------------------------------------------------------------------

@pytest.mark.parametrize("condition", [1.0, 2.0, 10.0, 50.0, 1000.0])
@pytest.mark.parametrize("angle", [-90.0, -45.0, 0.0, 20.0, 60.0, 90.0])
def test_ravine_condition_and_angle(condition, angle):
    ls = landscapes.get("ravine", condition=condition, angle=angle)
    h = ls.hessian(np.array([0.3, -0.7]))
    lam, vec = np.linalg.eigh(h)
    assert lam[1] / lam[0] == pytest.approx(condition, rel=1e-10)
    assert lam.tolist() == pytest.approx([1 / condition, 1.0], rel=1e-10)
    # the Hessian is constant (a quadratic)
    assert np.allclose(ls.hessian(np.array([[5.0, 5.0], [-9.0, 1.0]])), h, rtol=0, atol=1e-15)
    if condition > 1:
        a = math.radians(angle)
        flat = vec[:, 0]
        # the flat (small-eigenvalue) direction is (cos a, sin a), up to sign
        assert abs(abs(flat @ np.array([math.cos(a), math.sin(a)])) - 1) < 1e-12
    assert ls.params == {"condition": condition, "angle": angle}


def test_ravine_start_rotates_with_the_valley():
    base = landscapes.get("ravine", condition=50.0, angle=0.0)
    for angle in (-90.0, -30.0, 45.0, 90.0):
        ls = landscapes.get("ravine", condition=50.0, angle=angle)
        (x0, x1), (y0, y1) = ls.bounds
        assert x0 <= ls.start[0] <= x1 and y0 <= ls.start[1] <= y1
        # the default view is the same picture, rotated: same starting loss and distance to the minimum
        assert ls.value(ls.start) == pytest.approx(base.value(base.start), rel=1e-12)
        assert np.linalg.norm(ls.start) == pytest.approx(np.linalg.norm(base.start), rel=1e-12)


def test_ravine_by_hand():
    ls = landscapes.get("ravine", condition=4.0, angle=0.0)
    # f = ½(x²/4 + y²): f(2, 1) = ½(1 + 1) = 1, ∇f = (0.5, 1)
    assert ls.value(np.array([2.0, 1.0])) == 1.0
    assert ls.grad(np.array([2.0, 1.0])).tolist() == [0.5, 1.0]
    # angle 90: the flat axis is y: f = ½(x² + y²/4)
    ls90 = landscapes.get("ravine", condition=4.0, angle=90.0)
    assert ls90.value(np.array([1.0, 2.0])) == pytest.approx(1.0, rel=1e-15)
    assert ls90.grad(np.array([1.0, 2.0])).tolist() == pytest.approx([1.0, 0.5], rel=1e-15, abs=1e-15)


# --- dataset surfaces -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["linear_regression", "logistic_regression"])
def test_grad_batch(name):
    ls = landscapes.get(name)
    n_ex = ls.n_examples
    assert n_ex == 200
    p = _points_in_bounds(ls, 7)
    every = np.tile(np.arange(n_ex), (len(p), 1))
    assert np.allclose(ls.grad_batch(p, every), ls.grad(p), rtol=0, atol=1e-12)
    # order of the examples does not matter
    shuffled = np.random.default_rng(2).permuted(every, axis=1)
    assert np.allclose(ls.grad_batch(p, shuffled), ls.grad(p), rtol=0, atol=1e-12)
    for b in (1, 5, 16):
        idx = np.random.default_rng(b).integers(0, n_ex, (len(p), b))
        out = ls.grad_batch(p, idx)
        assert out.shape == (len(p), 2)
        assert np.all(np.isfinite(out))
        # the mean of single-example gradients
        singles = np.stack([ls.grad_batch(p, idx[:, j:j + 1]) for j in range(b)])
        assert np.allclose(out, singles.mean(axis=0), rtol=1e-12, atol=1e-14)
    # the per-example gradients average to the full gradient
    singles = np.stack([ls.grad_batch(p, every[:, j:j + 1]) for j in range(n_ex)])
    assert np.allclose(singles.mean(axis=0), ls.grad(p), rtol=0, atol=1e-12)


def test_grad_batch_single_example_by_hand():
    ls = landscapes.get("linear_regression")
    x, y = _linear_data()
    p = np.array([[0.5, -0.25]])
    for i in (0, 17, 199):
        r = 0.5 * x[i] - 0.25 - y[i]
        got = ls.grad_batch(p, np.array([[i]]))
        assert got[0].tolist() == pytest.approx([r * x[i], r], rel=1e-13)


# --- bad input ------------------------------------------------------------------------------------

def test_unknown_surface():
    with pytest.raises(ValueError, match="Unknown surface 'nope'") as info:
        landscapes.get("nope")
    for name in SURFACES:
        assert name in str(info.value)


def test_unknown_parameter():
    with pytest.raises(ValueError, match="'foo'") as info:
        landscapes.get("ravine", foo=1)
    assert "condition" in str(info.value) and "angle" in str(info.value)
    with pytest.raises(ValueError, match="'condition'"):
        landscapes.get("rosenbrock", condition=2.0)


@pytest.mark.parametrize(("params", "text"), [
    ({"condition": 0.5}, "1 <= condition <= 1000"),
    ({"condition": 2000}, "1 <= condition <= 1000"),
    ({"condition": float("nan")}, "1 <= condition <= 1000"),
    ({"condition": float("inf")}, "1 <= condition <= 1000"),
    ({"condition": -float("inf")}, "1 <= condition <= 1000"),
    ({"condition": "10"}, "1 <= condition <= 1000"),
    ({"condition": True}, "1 <= condition <= 1000"),
    ({"condition": None}, "1 <= condition <= 1000"),
    ({"angle": "x"}, "-90 <= angle <= 90"),
    ({"angle": 91}, "-90 <= angle <= 90"),
    ({"angle": -90.5}, "-90 <= angle <= 90"),
])
def test_out_of_range_parameter(params, text):
    name = next(iter(params))
    with pytest.raises(ValueError, match=f"Invalid {name}") as info:
        landscapes.get("ravine", **params)
    assert text in str(info.value)


def test_boundary_values_are_accepted():
    for condition in (1, 1.0, 1000, np.float64(1000.0)):
        ls = landscapes.get("ravine", condition=condition)
        assert ls.params["condition"] == float(condition)
    for angle in (-90, 90, 0):
        assert landscapes.get("ravine", angle=angle).params["angle"] == angle
    ls = landscapes.get("two_wells", tilt=0.0)
    assert len(ls.minima) == 2
