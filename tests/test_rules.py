"""Every update rule against iterates worked out by hand.

The reference iterates below are plain float arithmetic (``math`` only) following the torch.optim
docstring pseudocode of each algorithm; they never call the package's rule functions.  Most checks use
the axis-aligned ravine with condition 4,

    f(x, y) = ½ (x²/4 + y²),   ∇f = (x/4, y),

which is separable, so each coordinate can be followed on its own: coordinate ``i`` has gradient
``k_i · θ_i`` with curvatures ``k = (1/4, 1)``.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers.registry import suggested

START = (2.0, 1.0)
CURV = (0.25, 1.0)  # ∂f/∂θ_i = CURV[i] * θ_i on the ravine with condition 4, angle 0


@pytest.fixture(scope="module")
def ravine4():
    return landscapes.get("ravine", condition=4.0, angle=0.0)


@pytest.fixture(scope="module")
def saddle():
    return landscapes.get("saddle")


def run(landscape, name, steps=3, start=START, **hp):
    return optimizers.simulate(landscape, name, np.array(start, dtype=float), steps, **hp)


def assert_iterates(tr, expected, rel=1e-12, abs_=1e-15):
    """``expected[k]`` is the hand-computed point after step ``k + 1`` (a pair of floats)."""
    for k, point in enumerate(expected, start=1):
        got = tr.points[k, 0]
        assert got[0] == pytest.approx(point[0], rel=rel, abs=abs_), f"step {k}, x"
        assert got[1] == pytest.approx(point[1], rel=rel, abs=abs_), f"step {k}, y"


def per_coordinate(step_fn, steps=3):
    """Run a scalar reference rule on each ravine coordinate; returns ``steps`` points."""
    columns = [step_fn(theta0, k, steps) for theta0, k in zip(START, CURV, strict=True)]
    return list(zip(*columns, strict=True))


# --- gradient descent ---------------------------------------------------------------------------

def test_gd_literal(ravine4):
    tr = run(ravine4, "gd", lr=0.1)
    # x: 2 - 0.1·(2/4) = 1.95;  1.95 - 0.1·(1.95/4) = 1.90125;  1.90125·0.975 = 1.85371875
    # y: 1 - 0.1·1 = 0.9;       0.9·0.9 = 0.81;                0.81·0.9 = 0.729
    assert_iterates(tr, [(1.95, 0.9), (1.90125, 0.81), (1.85371875, 0.729)])
    # the recorded gradients are the hand gradients (x/4, y) at θ0, θ1, θ2
    assert tr.grads[0, 0].tolist() == pytest.approx([0.5, 1.0], rel=1e-15)
    assert tr.grads[1, 0].tolist() == pytest.approx([1.95 / 4, 0.9], rel=1e-15)


def test_sgd_without_noise_is_gd(ravine4):
    gd = run(ravine4, "gd", steps=10, lr=0.1)
    for name in ("sgd", "minibatch"):
        sgd = run(ravine4, name, steps=10, lr=0.1, noise=0.0)
        assert np.array_equal(sgd.points, gd.points)
        assert np.array_equal(sgd.loss, gd.loss)


# --- momentum and Nesterov ----------------------------------------------------------------------

def momentum_ref(theta0, k, steps, lr=0.1, mu=0.9, mus=None):
    """torch.optim.SGD(momentum=μ, dampening=0): b_1 = g_1, b_t = μ b_{t-1} + g_t, θ -= lr·b."""
    theta, b, out = theta0, 0.0, []
    for t in range(1, steps + 1):
        mu_t = mus[t - 1] if mus else mu
        g = k * theta
        b = g if t == 1 else mu_t * b + g
        theta = theta - lr * b
        out.append(theta)
    return out


def nag_ref(theta0, k, steps, lr=0.1, mu=0.9, mus=None):
    """Look-ahead NAG: v = μ v + lr·∇f(θ - μ v), θ -= v, v_0 = 0."""
    theta, v, out = theta0, 0.0, []
    for t in range(1, steps + 1):
        mu_t = mus[t - 1] if mus else mu
        g = k * (theta - mu_t * v)
        v = mu_t * v + lr * g
        theta = theta - v
        out.append(theta)
    return out


def test_momentum(ravine4):
    tr = run(ravine4, "momentum", lr=0.1, momentum=0.9)
    # y: b1 = g1 = 1 (not (1-μ)·g1, not 0), θ1 = 0.9;  g2 = 0.9, b2 = 0.9·1 + 0.9 = 1.8, θ2 = 0.72;
    #    g3 = 0.72, b3 = 0.9·1.8 + 0.72 = 2.34, θ3 = 0.72 - 0.234 = 0.486
    # x: b1 = 0.5, θ1 = 1.95;  g2 = 0.4875, b2 = 0.45 + 0.4875 = 0.9375, θ2 = 1.85625;
    #    g3 = 0.4640625, b3 = 0.84375 + 0.4640625 = 1.3078125, θ3 = 1.72546875
    assert_iterates(tr, [(1.95, 0.9), (1.85625, 0.72), (1.72546875, 0.486)])
    assert_iterates(tr, per_coordinate(momentum_ref))
    # the buffer after step 1 is the gradient itself (PyTorch convention)
    assert tr.moments[0, 0].tolist() == pytest.approx([0.5, 1.0], rel=1e-15)
    assert tr.moments[1, 0].tolist() == pytest.approx([0.9375, 1.8], rel=1e-14)


def test_nag_look_ahead(ravine4):
    tr = run(ravine4, "nag", lr=0.1, momentum=0.9)
    # y: v1 = 0.1·1 = 0.1, θ1 = 0.9;  look-ahead 0.9 - 0.9·0.1 = 0.81 = g2, v2 = 0.09 + 0.081 = 0.171,
    #    θ2 = 0.729;  look-ahead 0.729 - 0.9·0.171 = 0.5751, v3 = 0.1539 + 0.05751 = 0.21141, θ3 = 0.51759
    assert tr.points[1, 0, 1] == pytest.approx(0.9, rel=1e-14)
    assert tr.points[2, 0, 1] == pytest.approx(0.729, rel=1e-14)
    assert tr.points[3, 0, 1] == pytest.approx(0.51759, rel=1e-14)
    assert_iterates(tr, per_coordinate(nag_ref))
    # the gradient used at step 2 is taken at the look-ahead point, not at θ1
    theta1 = tr.points[1, 0]
    v1 = 0.1 * np.array([0.5, 1.0])
    look = theta1 - 0.9 * v1
    assert tr.grads[1, 0].tolist() == pytest.approx([look[0] / 4, look[1]], rel=1e-14)
    assert tr.grads[1, 0, 1] != pytest.approx(theta1[1], rel=1e-3)
    # and NAG differs from heavy-ball momentum with the same μ
    heavy = run(ravine4, "momentum", lr=0.1, momentum=0.9)
    assert not np.allclose(heavy.points[2:], tr.points[2:])


# --- adaptive methods ---------------------------------------------------------------------------

def adagrad_ref(theta0, k, steps, lr=0.1, eps=1e-10):
    theta, s, out = theta0, 0.0, []
    for _ in range(steps):
        g = k * theta
        s = s + g * g
        theta = theta - lr * g / (math.sqrt(s) + eps)
        out.append(theta)
    return out


def test_adagrad(ravine4):
    tr = run(ravine4, "adagrad", lr=0.1)
    # first step: s1 = g1², so every coordinate moves by lr·|g|/(|g| + 1e-10) ≈ lr = 0.1
    assert tr.points[1, 0].tolist() == pytest.approx([1.9, 0.9], abs=1e-9)
    # y, step 2: g = 0.9, s = 1 + 0.81 = 1.81, θ2 = 0.9 - 0.1·0.9/√1.81
    assert tr.points[2, 0, 1] == pytest.approx(0.9 - 0.09 / math.sqrt(1.81), rel=1e-9)
    assert_iterates(tr, per_coordinate(adagrad_ref))


def rmsprop_ref(theta0, k, steps, lr=0.01, rho=0.99, eps=1e-8):
    theta, v, out = theta0, 0.0, []
    for _ in range(steps):
        g = k * theta
        v = rho * v + (1 - rho) * g * g
        theta = theta - lr * g / (math.sqrt(v) + eps)
        out.append(theta)
    return out


def test_rmsprop(ravine4):
    tr = run(ravine4, "rmsprop", lr=0.01, rho=0.99)
    # first step: v1 = 0.01·g², step = lr·g/(0.1|g| + ε) ≈ 10·lr = 0.1 per coordinate
    assert tr.points[1, 0].tolist() == pytest.approx([1.9, 0.9], abs=1e-7)
    assert_iterates(tr, per_coordinate(rmsprop_ref))
    # ρ is PyTorch's alpha: a different ρ gives a different first step, 0.01/√(1-ρ)
    tr2 = run(ravine4, "rmsprop", steps=1, lr=0.01, rho=0.75)
    assert tr2.points[1, 0, 1] == pytest.approx(1.0 - 0.01 / math.sqrt(0.25), rel=1e-7)


def adadelta_ref(theta0, k, steps, lr=1.0, rho=0.9, eps=1e-6):
    theta, v, u, out = theta0, 0.0, 0.0, []
    for _ in range(steps):
        g = k * theta
        v = rho * v + (1 - rho) * g * g
        delta = math.sqrt(u + eps) / math.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        theta = theta - lr * delta
        out.append(theta)
    return out


def test_adadelta(ravine4):
    tr = run(ravine4, "adadelta")  # defaults lr = 1.0, rho = 0.9, eps = 1e-6
    # y, step 1: v1 = 0.1, Δ1 = √1e-6/√(0.1 + 1e-6)·1 = 1e-3/√0.100001
    assert tr.points[1, 0, 1] == pytest.approx(1.0 - 1e-3 / math.sqrt(0.100001), rel=1e-14)
    assert_iterates(tr, per_coordinate(adadelta_ref))


def test_adadelta_lr_multiplies_step(ravine4):
    full = run(ravine4, "adadelta", steps=1, lr=1.0)
    half = run(ravine4, "adadelta", steps=1, lr=0.5)
    step_full = full.points[1, 0] - full.points[0, 0]
    step_half = half.points[1, 0] - half.points[0, 0]
    assert step_half.tolist() == pytest.approx((0.5 * step_full).tolist(), rel=1e-12)
    assert_iterates(half, per_coordinate(lambda t0, k, n: adadelta_ref(t0, k, n, lr=0.5), steps=1))


def adam_ref(theta0, k, steps, lr=0.1, b1=0.9, b2=0.999, eps=1e-8, bias_correction=True,
             amsgrad=False, weight_decay=0.0):
    """torch.optim.Adam / AdamW; AMSGrad keeps the running max of the raw v (torch's implementation)."""
    theta, m, v, vmax, out = theta0, 0.0, 0.0, 0.0, []
    for t in range(1, steps + 1):
        g = k * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = max(vmax, v)
        theta = theta - lr * weight_decay * theta
        if bias_correction:
            v_used = vmax if amsgrad else v
            theta = theta - lr / (1 - b1**t) * m / (math.sqrt(v_used) / math.sqrt(1 - b2**t) + eps)
        else:
            theta = theta - lr * m / (math.sqrt(v) + eps)
        out.append(theta)
    return out


def test_adam(ravine4):
    tr = run(ravine4, "adam", lr=0.1)
    # step 1: m1 = 0.1 g, v1 = 0.001 g², θ1 = θ0 - 0.1/(1-0.9)·0.1g/(√(0.001g²)/√0.001 + ε) ≈ θ0 - 0.1·sign(g)
    assert tr.points[1, 0].tolist() == pytest.approx([1.9, 0.9], abs=1e-7)
    # y exactly: m1 = 0.1, v1 = 0.001, θ1 = 1 - (0.1/0.1)·0.1/(√0.001/√0.001 + 1e-8) = 1 - 0.1/(1 + 1e-8)
    assert tr.points[1, 0, 1] == pytest.approx(1 - 0.1 / (1 + 1e-8), rel=1e-14)
    assert_iterates(tr, per_coordinate(adam_ref))


def test_adam_without_bias_correction(ravine4):
    tr = run(ravine4, "adam", lr=0.1, bias_correction=False)
    assert_iterates(tr, per_coordinate(lambda t0, k, n: adam_ref(t0, k, n, bias_correction=False)))
    # First step without correction: lr·m1/(√v1 + ε) = lr·0.1·|g|/(√0.001·|g|) = lr·0.1/√0.001 = lr·√10.
    # With correction it is ≈ lr, so with the default β's the uncorrected first step is √10 ≈ 3.162 times
    # LARGER, not smaller: m is shrunk by (1-β1) = 0.1 but √v by √(1-β2) ≈ 0.0316.
    with_bc = run(ravine4, "adam", steps=1, lr=0.1)
    ratio = (tr.points[1, 0] - tr.points[0, 0]) / (with_bc.points[1, 0] - with_bc.points[0, 0])
    assert ratio.tolist() == pytest.approx([(1 - 0.9) / math.sqrt(1 - 0.999)] * 2, rel=1e-6)
    assert ratio.tolist() == pytest.approx([math.sqrt(10)] * 2, rel=1e-6)
    # with β2 = β1 the two factors cancel and the uncorrected first step is ≈ lr·0.1/√0.1 = lr·0.316
    small = run(ravine4, "adam", steps=1, lr=0.1, beta2=0.9, bias_correction=False)
    assert (1.0 - small.points[1, 0, 1]) == pytest.approx(0.1 * 0.1 / math.sqrt(0.1), rel=1e-6)


def test_amsgrad(ravine4):
    # β2 = 0.5 makes v shrink when the gradient shrinks, so the running max matters from step 2 on
    tr = run(ravine4, "amsgrad", lr=0.5, beta2=0.5)
    assert_iterates(tr, per_coordinate(lambda t0, k, n: adam_ref(t0, k, n, lr=0.5, b2=0.5, amsgrad=True)))
    adam = run(ravine4, "adam", lr=0.5, beta2=0.5)
    assert np.array_equal(adam.points[1], tr.points[1])     # identical first step
    assert not np.allclose(adam.points[2:], tr.points[2:])  # the max kicks in afterwards
    # with the default β2 = 0.999 and a slowly shrinking gradient v never decreases: AMSGrad = Adam here
    assert np.allclose(run(ravine4, "amsgrad", lr=0.01).points, run(ravine4, "adam", lr=0.01).points,
                       rtol=1e-14, atol=0)


def test_adamw(ravine4):
    tr = run(ravine4, "adamw", lr=0.1, weight_decay=0.1)
    assert_iterates(tr, per_coordinate(lambda t0, k, n: adam_ref(t0, k, n, weight_decay=0.1)))
    # step 1 by hand, y: decay 1 - 0.1·0.1·1 = 0.99, then the Adam step 0.1/(1 + 1e-8)
    assert tr.points[1, 0, 1] == pytest.approx(1 - 0.01 - 0.1 / (1 + 1e-8), rel=1e-14)
    # weight_decay = 0 is exactly Adam
    assert np.allclose(run(ravine4, "adamw", lr=0.1, weight_decay=0.0).points,
                       run(ravine4, "adam", lr=0.1).points, rtol=1e-15, atol=0)


def nadam_ref(theta0, k, steps, lr=0.1, b1=0.9, b2=0.999, eps=1e-8, psi=4e-3):
    """torch.optim.NAdam pseudocode (weight_decay 0, decoupled False)."""
    theta, m, v, prod, out = theta0, 0.0, 0.0, 1.0, []
    for t in range(1, steps + 1):
        g = k * theta
        mu_t = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        prod_t = prod * mu_t
        prod_next = prod_t * mu_next
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = mu_next * m / (1 - prod_next) + (1 - mu_t) * g / (1 - prod_t)
        v_hat = v / (1 - b2**t)
        theta = theta - lr * m_hat / (math.sqrt(v_hat) + eps)
        prod = prod_t
        out.append(theta)
    return out


def test_nadam(ravine4):
    tr = run(ravine4, "nadam", lr=0.1)
    assert_iterates(tr, per_coordinate(nadam_ref))
    tr2 = run(ravine4, "nadam", lr=0.1, momentum_decay=0.5, beta1=0.8)
    assert_iterates(tr2, per_coordinate(lambda t0, k, n: nadam_ref(t0, k, n, b1=0.8, psi=0.5)))


def lion_ref(theta0, k, steps, lr=0.1, b1=0.9, b2=0.99, wd=0.0):
    theta, m, out = theta0, 0.0, []
    for _ in range(steps):
        g = k * theta
        c = b1 * m + (1 - b1) * g
        theta = theta - lr * (math.copysign(1.0, c) + wd * theta)
        m = b2 * m + (1 - b2) * g
        out.append(theta)
    return out


def test_lion(ravine4):
    tr = run(ravine4, "lion", lr=0.1)
    # every coordinate moves by exactly lr: (1.9, 0.9), (1.8, 0.8), (1.7, 0.7)
    assert_iterates(tr, [(1.9, 0.9), (1.8, 0.8), (1.7, 0.7)])
    assert_iterates(tr, per_coordinate(lion_ref))
    tr_wd = run(ravine4, "lion", lr=0.1, weight_decay=0.5)
    assert_iterates(tr_wd, per_coordinate(lambda t0, k, n: lion_ref(t0, k, n, wd=0.5)))


@pytest.mark.parametrize(("b1", "b2"), [(0.5, 0.99), (0.0, 0.99), (0.9, 0.5)])
def test_lion_hopping_around_the_minimum(ravine4, b1, b2):
    # Near the minimum the gradient flips sign every few steps, so the sign of c = β1·m + (1-β1)·g
    # depends on which β interpolates: this pins β1 in c and β2 in the momentum update.
    start, steps = (0.23, 0.17), 40
    tr = run(ravine4, "lion", steps=steps, start=start, lr=0.1, beta1=b1, beta2=b2)
    expected = list(zip(lion_ref(start[0], CURV[0], steps, b1=b1, b2=b2),
                        lion_ref(start[1], CURV[1], steps, b1=b1, b2=b2), strict=True))
    assert_iterates(tr, expected)
    assert (np.diff(np.sign(tr.updates[:, 0]), axis=0) != 0).any()


def test_lion_moves_every_coordinate_by_lr():
    rosen = landscapes.get("rosenbrock")
    tr = optimizers.simulate(rosen, "lion", [[-1.5, 2.5], [0.3, -0.7], [1.7, 2.9]], 40, lr=0.01)
    assert np.allclose(np.abs(tr.updates), 0.01, rtol=1e-9, atol=0)
    # ... also when the sign of the interpolated momentum flips (the path reverses at some point)
    assert (np.diff(np.sign(tr.updates), axis=0) != 0).any()


# --- Newton -------------------------------------------------------------------------------------

@pytest.mark.parametrize("condition", [1.0, 4.0, 50.0, 1000.0])
@pytest.mark.parametrize("angle", [-90.0, -37.5, 0.0, 30.0, 90.0])
def test_newton_solves_quadratic_in_one_step(condition, angle):
    ravine = landscapes.get("ravine", condition=condition, angle=angle)
    starts = np.random.default_rng(7).uniform(-10, 10, (40, 2))
    tr = optimizers.simulate(ravine, "newton", starts, 1)
    assert not tr.fallback.any()
    # exact up to rounding in the 2x2 inverse: |θ1| <= 1e-12 · |θ0| (about 1e-16·condition·|θ0| observed)
    err = np.linalg.norm(tr.points[1], axis=-1)
    assert np.all(err <= 1e-12 * np.maximum(1.0, np.linalg.norm(starts, axis=-1)))


def test_newton_on_rosenbrock_by_hand():
    rosen = landscapes.get("rosenbrock")
    tr = optimizers.simulate(rosen, "newton", [0.0, 0.0], 2)
    # at (0,0): g = (-2, 0), H = [[2, 0], [0, 200]]  ->  H⁻¹g = (-1, 0), θ1 = (1, 0)
    # at (1,0): g = (400, -200), H = [[1202, -400], [-400, 200]], det = 80400,
    #           H⁻¹g = (200·400 - 400·200, 1202·(-200) + 400·400)/80400 = (0, -1), θ2 = (1, 1)
    assert tr.points[1, 0].tolist() == pytest.approx([1.0, 0.0], abs=1e-15)
    assert tr.points[2, 0].tolist() == pytest.approx([1.0, 1.0], abs=1e-12)
    assert not tr.fallback.any()


def test_newton_saddle_fallback(saddle):
    # saddle: g = (x, y³ - y), H = diag(1, 3y² - 1): not positive definite for |y| < 1/√3
    x0, y0 = 0.7, 0.3
    tr = run(saddle, "newton", steps=1, start=(x0, y0))
    assert bool(tr.fallback[0, 0])
    # gradient step with fallback_lr = 0.01: (0.7 - 0.007, 0.3 - 0.01·(0.027 - 0.3)) = (0.693, 0.30273)
    assert tr.points[1, 0].tolist() == pytest.approx([0.693, 0.30273], rel=1e-14)
    tr = run(saddle, "newton", steps=1, start=(x0, y0), fallback_lr=0.1)
    assert tr.points[1, 0].tolist() == pytest.approx([0.7 - 0.07, 0.3 - 0.1 * (0.027 - 0.3)], rel=1e-14)


def test_newton_saddle_without_fallback_heads_for_the_saddle(saddle):
    # Newton step: x - x/1 = 0;  y - (y³ - y)/(3y² - 1) = 2y³/(3y² - 1)
    tr = run(saddle, "newton", steps=1, start=(0.7, 0.3), fallback=False)
    assert not tr.fallback[0, 0]
    # 2·0.027/(0.27 - 1) = 0.054/(-0.73) = -0.0739726...: much closer to the saddle's y = 0 than 0.3
    assert tr.points[1, 0].tolist() == pytest.approx([0.0, 0.054 / -0.73], rel=1e-14, abs=1e-15)
    # on the ridge line y = 0 it lands exactly on the saddle (0, 0)
    tr = run(saddle, "newton", steps=1, start=(0.7, 0.0), fallback=False)
    assert tr.points[1, 0].tolist() == [0.0, 0.0]
    # iterated from close to the ridge it converges to the saddle, not to a minimum
    tr = run(saddle, "newton", steps=6, start=(1.5, 0.2), fallback=False)
    assert np.abs(tr.points[-1, 0]).max() < 1e-12
    assert not tr.fallback.any()


def test_newton_where_hessian_is_positive_definite(saddle):
    # at (1, 0.8): 3·0.64 - 1 = 0.92 > 0, Newton step to (0, 2·0.512/0.92) = (0, 1.1130434...)
    tr = run(saddle, "newton", steps=1, start=(1.0, 0.8))
    assert not tr.fallback[0, 0]
    assert tr.points[1, 0].tolist() == pytest.approx([0.0, 1.024 / 0.92], rel=1e-14, abs=1e-15)


# --- schedules ----------------------------------------------------------------------------------

def gd_scheduled_ref(lrs):
    """gd on the ravine with the given per-step learning rates, coordinate by coordinate."""
    def ref(theta0, k, steps):
        theta, out = theta0, []
        for t in range(steps):
            theta = theta - lrs[t] * k * theta
            out.append(theta)
        return out
    return ref


@pytest.mark.parametrize(("schedule", "extra", "factors"), [
    # StepLR: gamma^floor((t-1)/step_size) with gamma 0.5, step_size 2
    ("step", {"gamma": 0.5, "step_size": 2}, [1, 1, 0.5, 0.5, 0.25]),
    # ExponentialLR: gamma^(t-1)
    ("exponential", {"gamma": 0.8}, [1, 0.8, 0.64, 0.512, 0.4096]),
    # CosineAnnealingLR, eta_min 0, T_max = steps = 5: ½(1 + cos(π(t-1)/5))
    ("cosine", {}, [1, 0.5 * (1 + math.cos(math.pi / 5)), 0.5 * (1 + math.cos(2 * math.pi / 5)),
                    0.5 * (1 + math.cos(3 * math.pi / 5)), 0.5 * (1 + math.cos(4 * math.pi / 5))]),
    # 1/t decay: 1/(1 + k(t-1)) with k = 0.5
    ("inverse_time", {"decay": 0.5}, [1, 1 / 1.5, 1 / 2, 1 / 2.5, 1 / 3]),
])
def test_lr_schedules_on_gd(ravine4, schedule, extra, factors):
    lr = 0.4
    lrs = [lr * f for f in factors]
    tr = run(ravine4, "gd", steps=5, lr=lr, schedule=schedule, **extra)
    assert tr.lr.tolist() == pytest.approx(lrs, rel=1e-14)
    assert_iterates(tr, per_coordinate(gd_scheduled_ref(lrs), steps=5))
    # step length at step t is lr_t·|∇f(θ_{t-1})|
    grads = np.stack([tr.points[:-1, 0, 0] / 4, tr.points[:-1, 0, 1]], axis=-1)
    assert tr.step_length[:, 0].tolist() == pytest.approx((np.array(lrs) * np.linalg.norm(grads, axis=-1)).tolist(),
                                                          rel=1e-12)


def test_step_schedule_literal_step_lengths(ravine4):
    # y only (start (0, 1)): gd with lr 0.4 halves the rate every 2 steps.
    tr = run(ravine4, "gd", steps=5, start=(0.0, 1.0), lr=0.4, schedule="step", gamma=0.5, step_size=2)
    # y: 1 -> 0.6 (step 0.4) -> 0.36 (0.24) -> 0.288 (0.072, lr 0.2) -> 0.2304 (0.0576)
    #    -> 0.20736 (0.02304, lr 0.1)
    assert tr.step_length[:, 0].tolist() == pytest.approx([0.4, 0.24, 0.072, 0.0576, 0.02304], rel=1e-12)
    assert tr.points[1:, 0, 1].tolist() == pytest.approx([0.6, 0.36, 0.288, 0.2304, 0.20736], rel=1e-12)


def test_momentum_warmup(ravine4):
    # momentum rises 0.5 -> 0.7 -> 0.9 over steps 1, 2, 3 (warm-up 2 steps)
    hp = {"lr": 0.1, "momentum": 0.9, "momentum_start": 0.5, "warmup_steps": 2}
    mus = [0.5, 0.7, 0.9]
    tr = run(ravine4, "momentum", **hp)
    # y: b1 = 1, θ1 = 0.9; b2 = 0.7·1 + 0.9 = 1.6, θ2 = 0.74; b3 = 0.9·1.6 + 0.74 = 2.18, θ3 = 0.522
    assert tr.points[1:, 0, 1].tolist() == pytest.approx([0.9, 0.74, 0.522], rel=1e-14)
    assert_iterates(tr, per_coordinate(lambda t0, k, n: momentum_ref(t0, k, n, mus=mus)))
    tr = run(ravine4, "nag", **hp)
    assert_iterates(tr, per_coordinate(lambda t0, k, n: nag_ref(t0, k, n, mus=mus)))
    # after the warm-up the constant-momentum rule continues: steps 4.. use 0.9
    long = run(ravine4, "momentum", steps=6, **hp)
    assert_iterates(long, per_coordinate(lambda t0, k, n: momentum_ref(t0, k, n, mus=mus + [0.9] * 3), 6))


@pytest.mark.parametrize("name", optimizers.names())
def test_constant_schedule_changes_nothing(name):
    rosen = landscapes.get("rosenbrock")
    starts = [[-1.5, 2.5], [0.5, -0.5]]
    base = optimizers.simulate(rosen, name, starts, 15, seed=3)
    variants = [{"schedule": "constant"}, {"schedule": "step", "step_size": 10_000}]
    if "momentum" in {p.name for p in optimizers.get(name).params}:
        variants.append({"schedule": "constant", "warmup_steps": 0, "momentum_start": 0.1})
    for extra in variants:
        other = optimizers.simulate(rosen, name, starts, 15, seed=3, **extra)
        assert np.array_equal(base.points, other.points), extra
        assert np.array_equal(base.loss, other.loss), extra


# --- every optimizer on every surface (optax-style table) ---------------------------------------

BUILTIN_SURFACES = [s for s in landscapes.names() if s != "formula"]

# Honest non-descending behaviour, checked explicitly below instead of the "loss went down" assertion.
NEWTON_DIVERGES = {
    "beale": "from (1, 1.5) the Newton steps overshoot off the plateau and leave the box",
    "logistic_regression": "the flat far region makes H tiny, so the first Newton step jumps far away",
}
NEWTON_CLIMBS = {
    "rastrigin": "Newton jumps to the nearest stationary point of its quadratic model: it ends in a "
                 "higher dimple outside the plotted bounds (still a local minimum, still inside the far box)",
}


@pytest.mark.parametrize("surface", BUILTIN_SURFACES)
@pytest.mark.parametrize("name", optimizers.names())
def test_every_optimizer_on_every_surface(surface, name):
    ls = landscapes.get(surface)
    hp = suggested(ls.suggested, name)
    steps = 50
    tr = optimizers.simulate(ls, name, ls.start, steps, seed=0, **hp)
    assert tr.points.shape == (steps + 1, 1, 2)
    assert tr.loss.shape == (steps + 1, 1)
    assert tr.diverged_at.shape == (1,)
    assert tr.lr.shape == (steps,)
    for arr in (tr.points, tr.loss, tr.grads, tr.moments, tr.eff_lr):
        if arr is not None:
            assert np.all(np.isfinite(arr))
    for arr in (tr.grads, tr.moments, tr.eff_lr):
        if arr is not None:
            assert arr.shape == (steps, 1, 2)
    assert np.array_equal(tr.points[0, 0], ls.start)
    if name == "newton" and surface in NEWTON_DIVERGES:
        d = int(tr.diverged_at[0])
        assert d > 0, NEWTON_DIVERGES[surface]
        assert np.all(tr.points[d:] == tr.points[d - 1])
        return
    assert tr.diverged_at[0] == -1
    assert np.allclose(tr.loss[:, 0], ls.value(tr.points[:, 0]), rtol=1e-12, atol=1e-12)
    if name == "newton" and surface in NEWTON_CLIMBS:
        end = tr.points[-1, 0]
        assert np.linalg.norm(ls.grad(end)) < 1e-8, NEWTON_CLIMBS[surface]
        assert np.linalg.eigvalsh(ls.hessian(end)).min() > 0
        return
    assert tr.loss[-1, 0] <= tr.loss[0, 0]
