"""BFGS, full-matrix AdaGrad, SAM, Schedule-Free SGD/AdamW, Prodigy, D-Adaptation Adam and Muon.

Where a maintained implementation exists (``schedulefree``, ``prodigyopt``, ``dadaptation``,
``torch.optim.Muon``) it runs on the same gradients in float64 and the 100-step path must match to
1e-6 relative.  The others are checked against independent NumPy references written from the
papers' pseudocode (plain loops over one start, ``np.linalg`` for matrices) and against first steps
worked out by hand.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import landscapes
import optimizers

torch = pytest.importorskip("torch")
STEPS = 100
RTOL = 1e-6


def close(a, b, rtol=RTOL):
    """Relative agreement of two paths, measured against the size of the path."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.max(np.abs(a - b)) <= rtol * max(1.0, float(np.max(np.abs(b))))


def torch_path(land, opt_factory, start, steps=STEPS, point=None):
    """Drive a torch optimizer on ``land``'s exact gradients; ``point(opt, p)`` reads the reported point."""
    p = torch.tensor(np.asarray(start, dtype=np.float64).reshape(1, 2), requires_grad=True)
    opt = opt_factory([p])
    path = [p.detach().numpy().reshape(2).copy()]
    for _ in range(steps):
        opt.zero_grad()
        p.grad = torch.tensor(land.grad(p.detach().numpy().reshape(2)).reshape(1, 2))
        opt.step()
        path.append(point(opt, p) if point else p.detach().numpy().reshape(2).copy())
    return np.array(path)


# --- Schedule-Free ---------------------------------------------------------------------------------

schedulefree = pytest.importorskip("schedulefree")


def sf_point(opt, p):
    """schedulefree keeps y in the parameter while training; eval() swaps in the average x."""
    opt.eval()
    x = p.detach().numpy().reshape(2).copy()
    opt.train()
    return x


def sf_factory(cls, **kw):
    def make(params):
        opt = cls(params, foreach=False, **kw)
        opt.train()
        return opt
    return make


@pytest.mark.parametrize(("surface", "hyper"), [
    ("rosenbrock", {"lr": 0.003}),
    ("himmelblau", {"lr": 0.05, "momentum": 0.8}),
    ("beale", {"lr": 0.01, "weight_decay": 0.01, "lr_warmup": 7}),
    ("ravine", {"lr": 1.0}),
])
def test_schedule_free_sgd_matches_schedulefree(surface, hyper):
    land = landscapes.get(surface)
    tr = optimizers.simulate(land, "sf_sgd", land.start, STEPS, **hyper)
    ref = torch_path(land, sf_factory(schedulefree.SGDScheduleFree, lr=hyper["lr"],
                                      momentum=hyper.get("momentum", 0.9),
                                      weight_decay=hyper.get("weight_decay", 0.0),
                                      warmup_steps=hyper.get("lr_warmup", 0)), land.start, point=sf_point)
    assert tr.diverged_at[0] == -1
    assert close(tr.points[:, 0], ref)


@pytest.mark.parametrize(("surface", "hyper"), [
    ("rosenbrock", {"lr": 0.05}),
    ("himmelblau", {"lr": 0.1, "beta1": 0.7, "beta2": 0.99}),
    ("beale", {"lr": 0.05, "weight_decay": 0.02, "lr_warmup": 10, "eps": 1e-6}),
])
def test_schedule_free_adamw_matches_schedulefree(surface, hyper):
    land = landscapes.get(surface)
    tr = optimizers.simulate(land, "sf_adamw", land.start, STEPS, **hyper)
    ref = torch_path(land, sf_factory(schedulefree.AdamWScheduleFree, lr=hyper["lr"],
                                      betas=(hyper.get("beta1", 0.9), hyper.get("beta2", 0.999)),
                                      eps=hyper.get("eps", 1e-8), weight_decay=hyper.get("weight_decay", 0.0),
                                      warmup_steps=hyper.get("lr_warmup", 0)), land.start, point=sf_point)
    assert close(tr.points[:, 0], ref)


def test_schedule_free_sequences():
    """With a constant lr every weight is equal, so x_t is the plain mean of z_1 … z_t; y sits between."""
    land = landscapes.get("himmelblau")
    tr = optimizers.simulate(land, "sf_sgd", land.start, 30, lr=0.02, momentum=0.9)
    z, y, x = tr.extra["z"][:, 0], tr.extra["y"][:, 0], tr.points[:, 0]
    assert np.array_equal(z[0], x[0]) and np.array_equal(y[0], x[0])
    for t in range(1, 31):
        assert np.allclose(x[t], z[1:t + 1].mean(axis=0), rtol=1e-12, atol=1e-12)
        # y of step t is taken from the sequences after step t - 1
        assert np.allclose(y[t], 0.1 * z[t - 1] + 0.9 * x[t - 1], rtol=1e-12, atol=1e-12)
    assert np.allclose(tr.extra["average_weight"][:, 0], 1 / np.arange(1, 31), rtol=1e-15)
    # the gradient of step t was taken at y_t, not at x_{t-1}
    assert np.allclose(tr.grads[:, 0], land.grad(y[1:]), rtol=1e-12)


def test_schedule_free_sgd_first_steps_by_hand():
    # ravine, condition 4, angle 0: ∇f = (x/4, y).  Step 1: y = z = x = (2, 1), g = (0.5, 1),
    # z1 = (2, 1) - 0.1 (0.5, 1) = (1.95, 0.9), c1 = 1, x1 = z1.
    # Step 2: y = 0.1 z1 + 0.9 x1 = (1.95, 0.9), g = (0.4875, 0.9), z2 = (1.90125, 0.81), c2 = ½,
    # x2 = ½ (1.95, 0.9) + ½ (1.90125, 0.81) = (1.925625, 0.855)
    land = landscapes.get("ravine", condition=4.0, angle=0.0)
    tr = optimizers.simulate(land, "sf_sgd", [2.0, 1.0], 2, lr=0.1)
    assert tr.points[1, 0].tolist() == pytest.approx([1.95, 0.9], rel=1e-15)
    assert tr.points[2, 0].tolist() == pytest.approx([1.925625, 0.855], rel=1e-15)
    assert tr.extra["z"][2, 0].tolist() == pytest.approx([1.90125, 0.81], rel=1e-15)


# --- Prodigy and D-Adaptation ------------------------------------------------------------------------

prodigyopt = pytest.importorskip("prodigyopt")
dadaptation = pytest.importorskip("dadaptation")


@pytest.mark.parametrize(("surface", "hyper"), [
    ("ravine", {}),
    ("rosenbrock", {"lr": 0.5, "d_coef": 2.0}),
    ("himmelblau", {"beta1": 0.8, "beta2": 0.99, "d0": 1e-4, "eps": 1e-6}),
    ("logistic_regression", {}),
])
def test_prodigy_matches_prodigyopt(surface, hyper):
    land = landscapes.get(surface)
    tr = optimizers.simulate(land, "prodigy", land.start, STEPS, **hyper)
    ref = torch_path(land, lambda ps: prodigyopt.Prodigy(
        ps, lr=hyper.get("lr", 1.0), betas=(hyper.get("beta1", 0.9), hyper.get("beta2", 0.999)),
        eps=hyper.get("eps", 1e-8), d0=hyper.get("d0", 1e-6), d_coef=hyper.get("d_coef", 1.0)), land.start)
    assert close(tr.points[:, 0], ref)


def test_prodigy_d_matches_prodigyopt_and_grows():
    land = landscapes.get("ravine")
    tr = optimizers.simulate(land, "prodigy", land.start, 40)
    p = torch.tensor(land.start.reshape(1, 2), requires_grad=True)
    opt = prodigyopt.Prodigy([p])
    ds = []
    for _ in range(40):
        ds.append(opt.param_groups[0]["d"])          # the d each step uses
        p.grad = torch.tensor(land.grad(p.detach().numpy().reshape(2)).reshape(1, 2))
        opt.step()
    assert close(tr.extra["d"][:, 0], ds, rtol=1e-9)
    d = tr.extra["d"][:, 0]
    assert d[0] == 1e-6 and np.all(np.diff(d) >= 0)
    # "grows by orders of magnitude in the first steps, then settles" (the entry's intuition)
    assert d[11] / d[0] > 1e3
    assert d[-1] / d[-11] < 1.01


@pytest.mark.parametrize(("surface", "hyper"), [
    ("ravine", {}),
    ("himmelblau", {"lr": 0.5, "beta1": 0.8, "d0": 1e-5}),
    ("beale", {}),
])
def test_dadapt_adam_matches_dadaptation(surface, hyper):
    land = landscapes.get(surface)
    tr = optimizers.simulate(land, "dadapt_adam", land.start, STEPS, **hyper)
    ref = torch_path(land, lambda ps: dadaptation.DAdaptAdam(
        ps, lr=hyper.get("lr", 1.0), betas=(hyper.get("beta1", 0.9), hyper.get("beta2", 0.999)),
        eps=hyper.get("eps", 1e-8), d0=hyper.get("d0", 1e-6)), land.start)
    assert close(tr.points[:, 0], ref)


def test_prodigy_first_step_by_hand():
    # x = x0 at step 1, so r = 0 and d stays d0.  m = d0·0.1·g, v = d0²·0.001·g², and the step is
    # -d0·(d0·0.1·g)/(d0·√0.001·|g| + d0·1e-8) per coordinate.
    land = landscapes.get("ravine", condition=4.0, angle=0.0)
    tr = optimizers.simulate(land, "prodigy", [2.0, 1.0], 1)
    g = np.array([0.5, 1.0])
    expected = np.array([2.0, 1.0]) - 1e-6 * (0.1 * g) / (math.sqrt(0.001) * np.abs(g) + 1e-8)
    assert tr.points[1, 0].tolist() == pytest.approx(expected.tolist(), rel=1e-14)
    assert tr.extra["d"][0, 0] == 1e-6 and tr.extra["d_hat"][0, 0] == 0.0


def test_learning_rate_free_methods_say_lr_is_a_multiplier():
    assert optimizers.get("prodigy").maths.lr_is_multiplier and optimizers.get("dadapt_adam").maths.lr_is_multiplier
    assert not optimizers.get("adam").maths.lr_is_multiplier


# --- Muon --------------------------------------------------------------------------------------------

def _ns_float64(grad, ns_coefficients, ns_steps, eps):
    """torch.optim._muon._zeropower_via_newtonschulz with its bfloat16 cast removed (float64 throughout)."""
    a, b, c = ns_coefficients
    x = grad.clone()
    if grad.size(0) > grad.size(1):
        x = x.T
    x = x / x.norm().clamp(min=eps)
    for _ in range(ns_steps):
        gram = x @ x.T
        update = torch.addmm(gram, gram, gram, beta=b, alpha=c)
        x = torch.addmm(x, update, x, beta=a)
    if grad.size(0) > grad.size(1):
        x = x.T
    return x


@pytest.mark.parametrize(("surface", "hyper"), [
    ("rosenbrock", {"lr": 0.03}),
    ("himmelblau", {"lr": 0.05, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0}),
    ("beale", {"lr": 0.05, "ns_steps": 3}),
])
def test_muon_matches_torch_with_float64_newton_schulz(monkeypatch, surface, hyper):
    import torch.optim._muon as muon_module

    monkeypatch.setattr(muon_module, "_zeropower_via_newtonschulz", _ns_float64)
    land = landscapes.get(surface)
    tr = optimizers.simulate(land, "muon", land.start, STEPS, **hyper)
    ref = torch_path(land, lambda ps: torch.optim.Muon(
        ps, lr=hyper["lr"], momentum=hyper.get("momentum", 0.95), nesterov=hyper.get("nesterov", True),
        weight_decay=hyper.get("weight_decay", 0.1), ns_steps=hyper.get("ns_steps", 5)), land.start)
    assert close(tr.points[:, 0], ref)


def test_muon_against_torchs_bfloat16_newton_schulz():
    """Unpatched torch runs Newton–Schulz in bfloat16: the first update agrees to bfloat16 precision."""
    land = landscapes.get("rosenbrock")
    tr = optimizers.simulate(land, "muon", land.start, 1, lr=0.03)
    ref = torch_path(land, lambda ps: torch.optim.Muon(ps, lr=0.03), land.start, steps=1)
    step, ref_step = tr.points[1, 0] - tr.points[0, 0], ref[1] - ref[0]
    assert np.linalg.norm(step - ref_step) < 0.02 * np.linalg.norm(ref_step)


def test_muon_update_length_is_a_constant_near_0_7():
    """One row: Newton–Schulz only rescales the normalised momentum, by the same factor every step."""
    a, b, c = 3.4445, -4.7750, 2.0315
    length = 1.0
    for _ in range(5):
        length *= a + b * length**2 + c * length**4
    assert round(length, 3) == 0.696            # the number the entry's intuition states
    land = landscapes.get("himmelblau")
    tr = optimizers.simulate(land, "muon", land.start, 50, lr=0.05, weight_decay=0.0)
    assert np.allclose(tr.extra["update_length"][:, 0], length, rtol=1e-12)
    assert np.allclose(tr.step_length[:, 0], 0.05 * length, rtol=1e-12)


def test_torch_bfloat16_newton_schulz_lengths_for_one_row():
    """The entry says torch's bfloat16 iteration scatters the length between about 0.68 and 0.72."""
    from torch.optim._muon import _zeropower_via_newtonschulz

    rows = torch.randn(500, 1, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * 10.0
    lengths = np.array([float(_zeropower_via_newtonschulz(r, (3.4445, -4.7750, 2.0315), 5, 1e-7).double().norm())
                        for r in rows])
    assert lengths.min() > 0.675 and lengths.max() < 0.725
    assert abs(lengths.mean() - 0.696) < 0.01


def test_muon_first_step_by_hand():
    # B1 = 0.05 g; U = 0.05 g + 0.95·0.05 g = 0.0975 g; O = 0.6964… g/|g|; θ1 = θ0 (1 - γλ) - γ O
    land = landscapes.get("ravine", condition=4.0, angle=0.0)
    tr = optimizers.simulate(land, "muon", [2.0, 1.0], 1, lr=0.1)
    g = np.array([0.5, 1.0])
    expected = np.array([2.0, 1.0]) * (1 - 0.1 * 0.1) - 0.1 * 0.6964364094697532 * g / np.linalg.norm(g)
    assert tr.points[1, 0].tolist() == pytest.approx(expected.tolist(), rel=1e-13)


# --- BFGS --------------------------------------------------------------------------------------------

def bfgs_reference(land, start, steps, lr=1.0):
    """Nocedal & Wright Algorithm 6.1 with backtracking (Algorithm 3.1, ρ = ½, c = 1e-4), one start."""
    x, h = np.asarray(start, dtype=float), np.eye(2)
    g = land.grad(x)
    x_prev = g_prev = None
    path, hs = [x.copy()], []
    for _ in range(steps):
        if x_prev is not None:
            s, y = x - x_prev, g - g_prev
            if s @ y > 1e-10 * np.linalg.norm(s) * np.linalg.norm(y):
                rho = 1.0 / (y @ s)
                left = np.eye(2) - rho * np.outer(s, y)
                h = left @ h @ left.T + rho * np.outer(s, s)
        hs.append(h.copy())
        p = -h @ g
        alpha, found = lr, False
        for _ in range(41):
            if land.value(x + alpha * p) <= land.value(x) + 1e-4 * alpha * (g @ p):
                found = True
                break
            alpha *= 0.5
        x_prev, g_prev = x, g
        x = x + (alpha if found else 0.0) * p
        g = land.grad(x)
        path.append(x.copy())
    return np.array(path), np.array(hs)


@pytest.mark.parametrize("surface", ["rosenbrock", "himmelblau", "beale", "saddle", "logistic_regression"])
def test_bfgs_matches_numpy_reference(surface):
    land = landscapes.get(surface)
    tr = optimizers.simulate(land, "bfgs", land.start, 30)
    path, hs = bfgs_reference(land, land.start, 30)
    assert close(tr.points[:, 0], path)
    # once the loss is within rounding of the minimum, s and y are rounding noise and so is H's update
    gap = tr.loss[:-1, 0] - land.min_value
    live = gap > 1e-8 * (tr.loss[0, 0] - land.min_value)
    assert live[:5].all()
    assert close(tr.extra["inv_hessian"][live, 0], hs[live])


def test_bfgs_first_steps_by_hand():
    # ravine, condition 4: f = ½(x²/4 + y²).  Step 1: H = I, p = -(0.5, 1), f(2, 1) = 1;
    # α = 1 gives (1.5, 0), f = 0.28125 <= 1 - 1e-4·1.25: accepted.
    # Step 2: g = (0.375, 0), s = (-0.5, -1), y = (-0.125, -1), sᵀy = 1.0625.
    land = landscapes.get("ravine", condition=4.0, angle=0.0)
    tr = optimizers.simulate(land, "bfgs", [2.0, 1.0], 2)
    assert tr.points[1, 0].tolist() == [1.5, 0.0]
    s, y = np.array([-0.5, -1.0]), np.array([-0.125, -1.0])
    rho = 1 / 1.0625
    h2 = (np.eye(2) - rho * np.outer(s, y)) @ (np.eye(2) - rho * np.outer(y, s)) + rho * np.outer(s, s)
    assert np.allclose(tr.extra["inv_hessian"][1, 0], h2, rtol=1e-14)
    assert np.allclose(h2 @ y, s, rtol=1e-14)                      # the secant condition H y = s
    assert tr.extra["alpha"][0, 0] == 1.0


def test_bfgs_learns_the_inverse_hessian_of_a_quadratic():
    land = landscapes.get("ravine")                     # κ = 50: H⁻¹ = diag(50, 1)
    tr = optimizers.simulate(land, "bfgs", land.start, 6)
    true_inverse = np.linalg.inv(land.hessian(land.start))
    estimate = tr.extra["inv_hessian"][-1, 0]
    assert np.linalg.norm(estimate - true_inverse) < 0.05 * np.linalg.norm(true_inverse)
    assert tr.loss[-1, 0] < 1e-10 * tr.loss[0, 0]


def test_bfgs_many_starts_match_single_runs():
    land = landscapes.get("himmelblau")
    starts = np.array([[-0.5, -0.5], [1.0, 4.0], [-4.0, 0.0]])
    many = optimizers.simulate(land, "bfgs", starts, 20)
    for i, start in enumerate(starts):
        one = optimizers.simulate(land, "bfgs", start, 20)
        assert np.array_equal(many.points[:, i], one.points[:, 0])


# --- full-matrix AdaGrad -------------------------------------------------------------------------------

def adagrad_full_reference(land, start, steps, lr, delta):
    x, big_g, path = np.asarray(start, dtype=float), np.zeros((2, 2)), []
    path.append(x.copy())
    for _ in range(steps):
        g = land.grad(x)
        big_g = big_g + np.outer(g, g)
        lam, vec = np.linalg.eigh(big_g)
        root = vec @ np.diag(np.sqrt(np.maximum(lam, 0.0))) @ vec.T
        x = x - lr * np.linalg.solve(delta * np.eye(2) + root, g)
        path.append(x.copy())
    return np.array(path)


@pytest.mark.parametrize(("surface", "lr"), [("rosenbrock", 0.5), ("himmelblau", 1.0), ("beale", 0.5)])
def test_adagrad_full_matches_numpy_reference(surface, lr):
    land = landscapes.get(surface)
    tr = optimizers.simulate(land, "adagrad_full", land.start, STEPS, lr=lr)
    assert close(tr.points[:, 0], adagrad_full_reference(land, land.start, STEPS, lr, 1e-8))


def test_adagrad_full_first_step_by_hand():
    # G1 = g gᵀ has square root g gᵀ/|g|, so the first step is γ g/(|g| + δ): length γ along -g.
    land = landscapes.get("ravine", condition=4.0, angle=0.0)
    tr = optimizers.simulate(land, "adagrad_full", [2.0, 1.0], 1, lr=0.1)
    g = np.array([0.5, 1.0])
    expected = np.array([2.0, 1.0]) - 0.1 * g / (np.linalg.norm(g) + 1e-8)
    assert np.allclose(tr.points[1, 0], expected, rtol=1e-8)


def test_full_matrix_adagrad_is_rotation_invariant_and_diagonal_is_not():
    """The lesson's claim: on the ravine at 45° full-matrix AdaGrad takes the 0° path, rotated."""
    flat, turned = landscapes.get("ravine", angle=0.0), landscapes.get("ravine", angle=45.0)
    c = s = math.sqrt(0.5)
    rotation = np.array([[c, -s], [s, c]])
    for name, invariant in (("adagrad_full", True), ("adagrad", False)):
        a = optimizers.simulate(flat, name, flat.start, 100, lr=1.0)
        b = optimizers.simulate(turned, name, turned.start, 100, lr=1.0)
        rotated = a.points[:, 0] @ rotation.T
        assert np.allclose(turned.start, rotated[0], atol=1e-12)
        assert np.allclose(b.points[:, 0], rotated, atol=1e-6) == invariant
        assert np.allclose(b.loss[:, 0], a.loss[:, 0], rtol=1e-6, atol=1e-9) == invariant


# --- SAM ---------------------------------------------------------------------------------------------

def sam_reference(land, start, steps, lr, rho):
    x, path = np.asarray(start, dtype=float), []
    path.append(x.copy())
    for _ in range(steps):
        g = land.grad(x)
        e = rho * g / np.linalg.norm(g) if np.linalg.norm(g) > 0 else np.zeros(2)
        x = x - lr * land.grad(x + e)
        path.append(x.copy())
    return np.array(path)


@pytest.mark.parametrize(("surface", "lr", "rho"), [("rosenbrock", 1e-3, 0.05), ("himmelblau", 0.01, 0.3),
                                                    ("ravine", 1.0, 1.0)])
def test_sam_matches_numpy_reference(surface, lr, rho):
    land = landscapes.get(surface)
    tr = optimizers.simulate(land, "sam", land.start, STEPS, lr=lr, radius=rho)
    assert close(tr.points[:, 0], sam_reference(land, land.start, STEPS, lr, rho), rtol=1e-12)


def test_sam_first_step_by_hand_and_perturbed_point():
    # g = (0.5, 1), |g| = √1.25; ε = 0.5 g/|g|; the gradient is taken at (2, 1) + ε.
    land = landscapes.get("ravine", condition=4.0, angle=0.0)
    tr = optimizers.simulate(land, "sam", [2.0, 1.0], 3, lr=0.1, radius=0.5)
    e = 0.5 * np.array([0.5, 1.0]) / math.sqrt(1.25)
    px, py = 2.0 + e[0], 1.0 + e[1]
    assert tr.extra["perturbed"][1, 0].tolist() == pytest.approx([px, py], rel=1e-15)
    assert tr.points[1, 0].tolist() == pytest.approx([2.0 - 0.1 * px / 4, 1.0 - 0.1 * py], rel=1e-15)
    # every perturbed point lies on the ρ-ball around the point the step started from
    radius = np.linalg.norm(tr.extra["perturbed"][1:, 0] - tr.points[:-1, 0], axis=-1)
    assert np.allclose(radius, 0.5, rtol=1e-14)


def test_sam_with_rho_zero_is_gradient_descent():
    land = landscapes.get("beale")
    a = optimizers.simulate(land, "sam", land.start, 50, lr=0.01, radius=0.0)
    b = optimizers.simulate(land, "gd", land.start, 50, lr=0.01)
    assert np.array_equal(a.points, b.points)
