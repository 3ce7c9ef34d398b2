"""Network training against torch.optim: the same MLP, the same initial weights, the same batches.

The torch side is an ``nn.Sequential`` of ``nn.Linear`` layers in float64 with the weights of
``net.initial_weights`` loaded by ``vector_to_parameters``, trained with ``BCEWithLogitsLoss`` on the
mini-batches our core actually used (recorded by wrapping ``grad_batch``).  After 100 steps the weights
agree to 1e-6 relative.

Nesterov: our ``nag`` is Sutskever's look-ahead form, ``v ← μ v + γ ∇f(θ - μ v)``, ``θ ← θ - v``.
torch's ``SGD(nesterov=True)`` runs ``b ← μ b + ∇f(p)``, ``p ← p - γ (∇f(p) + μ b)``.  With the change of
variables ``p = θ - μ v`` (torch's parameters are our look-ahead point) and ``γ b = v``:
``p_t = θ_{t-1} - v_t - μ v_t = p_{t-1} - μ² v_{t-1} - (1 + μ) γ ∇f(p_{t-1})``, which is torch's update
``p_{t-1} - γ ∇f(p_{t-1}) - γ μ (μ b_{t-1} + ∇f(p_{t-1}))`` term by term, from ``v_0 = b_0 = 0`` and
``p_0 = θ_0``.  So the test compares ``θ_t`` with ``p_t + μ γ b_t`` and ``v_t`` with ``γ b_t``.

Muon: torch.optim.Muon on the hidden weight matrices and torch.optim.AdamW on the rest, as torch's
docs advise.  torch casts the Newton–Schulz input to bfloat16; the test patches that cast away
(``Tensor.bfloat16`` returns a float64 copy) so both sides run the iteration in float64.
"""
from __future__ import annotations

import dataclasses
from unittest import mock

import numpy as np
import pytest
import torch

import optimizers
from landscapes import networks
from optimizers import network, rules
from optimizers.simulation import DIAGNOSTIC_BUDGET, replay
from optimizers.spec import DENSE_MAX_DIM
from tests.test_network_model import torch_loss, torch_model

STEPS = 100
MU = 0.9


pytestmark = pytest.mark.usefixtures("one_torch_thread", "torch_float64")


NET = {"dataset": "moons", "layers": 2, "width": 6, "noise": 0.15}         # 67 weights, two hidden matrices


@pytest.fixture(scope="module")
def net():
    return networks.get(**NET)


def spied(net):
    """``net`` whose ``grad_batch`` records the example indices of every call."""
    calls: list[np.ndarray] = []

    def grad_batch(theta, idx):
        calls.append(idx.copy())
        return net.grad_batch(theta, idx)
    return dataclasses.replace(net, grad_batch=grad_batch), calls


def torch_train(net, make, batches, steps=STEPS):
    """Train the torch twin of ``net`` from the common initial weights; ``make(model)`` builds its optimizers."""
    model = torch_model(net, net.initial_weights("pytorch", 0))
    opts = make(model)
    x, y = torch.tensor(net.x), torch.tensor(net.y)
    for t in range(steps):
        idx = torch.as_tensor(batches[t][0]) if batches else slice(None)
        for o in opts:
            o.zero_grad()
        torch.nn.functional.binary_cross_entropy_with_logits(model(x[idx])[:, 0], y[idx]).backward()
        for o in opts:
            o.step()
    return torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy(), model, opts


def ours(net, name, hp, batch):
    """Our run and the batches it used (one ``(1, batch)`` index array per step; empty for full batch)."""
    spy, calls = spied(net)
    tr = network.train(spy, {name: hp}, STEPS, batch_size=batch, diagnostics=True)[name]
    return tr, calls


def assert_same_weights(got, want):
    assert np.linalg.norm(got - want) <= 1e-6 * np.linalg.norm(want)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8 * np.abs(want).max())


def hidden_and_rest(model):
    params = list(model.parameters())
    hidden = [p for p in params[:-2] if p.ndim == 2]                  # W1, W2: not the output layer's weights
    return hidden, [p for p in params if all(p is not h for h in hidden)]


TORCH_TWINS = {
    "gd": ({"lr": 0.5}, lambda m: [torch.optim.SGD(m.parameters(), lr=0.5)]),
    "momentum": ({"lr": 0.1, "momentum": MU}, lambda m: [torch.optim.SGD(m.parameters(), lr=0.1, momentum=MU)]),
    "adam": ({"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8},
             lambda m: [torch.optim.Adam(m.parameters(), lr=0.02, betas=(0.8, 0.99), eps=1e-8)]),
    "adamw": ({"lr": 0.02, "weight_decay": 0.05},
              lambda m: [torch.optim.AdamW(m.parameters(), lr=0.02, weight_decay=0.05)]),
    # the other element-wise rules, which run on (runs, d) unchanged
    "amsgrad": ({"lr": 0.02}, lambda m: [torch.optim.Adam(m.parameters(), lr=0.02, amsgrad=True)]),
    # NAdam at lr 0.02 and RMSprop at 0.01 enter a phase where rounding differences (torch and NumPy sum
    # in different orders) double every step: NAdam's two sides agree to 3e-15 at step 60 and 5e-4 at
    # step 100.  At the rates below the runs train (loss 0.70 → 0.25 and 0.34) without that phase, and
    # agree to 1e-15.  No implementation can match a chaotic phase; the steps it takes are what is tested.
    "nadam": ({"lr": 0.01}, lambda m: [torch.optim.NAdam(m.parameters(), lr=0.01)]),
    "adagrad": ({"lr": 0.1, "eps": 1e-10}, lambda m: [torch.optim.Adagrad(m.parameters(), lr=0.1, eps=1e-10)]),
    "rmsprop": ({"lr": 0.003, "rho": 0.9}, lambda m: [torch.optim.RMSprop(m.parameters(), lr=0.003, alpha=0.9)]),
    "adadelta": ({"lr": 1.0, "rho": 0.9, "eps": 1e-6},
                 lambda m: [torch.optim.Adadelta(m.parameters(), lr=1.0, rho=0.9, eps=1e-6)]),
}


@pytest.mark.parametrize("batch", [0, 20])
@pytest.mark.parametrize("name", list(TORCH_TWINS))
def test_training_matches_torch_optim(net, name, batch):
    hp, make = TORCH_TWINS[name]
    tr, calls = ours(net, name, hp, batch)
    assert len(calls) == (STEPS if batch else 0)
    want, _, _ = torch_train(net, make, calls)
    assert tr.diverged_at[0] == -1 and tr.loss[-1, 0] < 0.8 * tr.loss[0, 0]   # it really trained
    assert_same_weights(tr.points[-1, 0], want)


@pytest.mark.parametrize("batch", [0, 20])
def test_nesterov_matches_torch_through_the_change_of_variables(net, batch):
    lr = 0.1
    tr, calls = ours(net, "nag", {"lr": lr, "momentum": MU}, batch)
    p, model, (opt,) = torch_train(net, lambda m: [torch.optim.SGD(m.parameters(), lr=lr, momentum=MU,
                                                                    nesterov=True)], calls)
    buf = torch.cat([opt.state[q]["momentum_buffer"].reshape(-1) for q in model.parameters()]).numpy()
    assert_same_weights(tr.moments[-1, 0], lr * buf)                  # v_t = γ b_t
    assert_same_weights(tr.points[-1, 0], p + MU * lr * buf)          # θ_t = p_t + μ γ b_t
    assert np.linalg.norm(tr.points[-1, 0] - p) > 1e-3 * np.linalg.norm(p)   # the two forms do differ


MUON_HP = {"lr": 0.02, "momentum": 0.95, "nesterov": True, "weight_decay": 0.1, "ns_steps": 5,
           "adamw_lr": 0.01, "adamw_beta1": 0.9, "adamw_beta2": 0.98, "adamw_eps": 1e-8, "adamw_weight_decay": 0.02}


@pytest.mark.parametrize("nesterov", [True, False])
@pytest.mark.parametrize("batch", [0, 25])
def test_muon_matches_torch_muon_with_adamw_for_the_rest(net, batch, nesterov):
    assert hasattr(torch.optim, "Muon"), "torch 2.13 ships torch.optim.Muon"
    hp = dict(MUON_HP, nesterov=nesterov)
    tr, calls = ours(net, "muon", hp, batch)

    def make(model):
        hidden, rest = hidden_and_rest(model)
        return [torch.optim.Muon(hidden, lr=hp["lr"], momentum=hp["momentum"], nesterov=nesterov,
                                 weight_decay=hp["weight_decay"], ns_steps=hp["ns_steps"], adjust_lr_fn=None),
                torch.optim.AdamW(rest, lr=hp["adamw_lr"], betas=(hp["adamw_beta1"], hp["adamw_beta2"]),
                                  eps=hp["adamw_eps"], weight_decay=hp["adamw_weight_decay"])]

    with mock.patch.object(torch.Tensor, "bfloat16", lambda self: self.clone()):   # float64 Newton–Schulz
        want, _, _ = torch_train(net, make, calls)
    assert tr.loss[-1, 0] < 0.6 * tr.loss[0, 0]
    assert_same_weights(tr.points[-1, 0], want)


def test_muon_orthogonalises_real_matrices(net):
    """On a network the update of each hidden matrix is a Newton–Schulz image: its singular values sit
    near 1 (the quintic's band, about 0.7 to 1.2), unlike the gradient's."""
    tr = network.train(net, {"muon": dict(MUON_HP, weight_decay=0.0)}, 3, diagnostics=True)["muon"]
    w1 = net.layout.hidden_matrices[0]
    step = (tr.points[3, 0] - tr.points[2, 0])[w1.start:w1.stop].reshape(w1.shape)
    sv = np.linalg.svd(step / -MUON_HP["lr"] / np.sqrt(max(1, w1.shape[0] / w1.shape[1])), compute_uv=False)
    assert sv.size == 2 and np.all((sv > 0.6) & (sv < 1.25))
    grad_sv = np.linalg.svd(tr.grads[2, 0, w1.start:w1.stop].reshape(w1.shape), compute_uv=False)
    assert grad_sv[0] / grad_sv[1] > 2 * sv[0] / sv[1]


def test_every_optimizer_sees_the_same_mini_batches(net):
    spy, calls = spied(net)
    names = ["gd", "adam", "nag", "muon"]
    network.train(spy, {n: network.suggested(n) for n in names}, 30, batch_size=32, seed=4)
    per_run = [calls[k * 30:(k + 1) * 30] for k in range(len(names))]
    for other in per_run[1:]:
        assert all(np.array_equal(a, b) for a, b in zip(per_run[0], other, strict=True))
    epoch = np.concatenate([b[0] for b in per_run[0][:7]])            # 200 examples: 6 batches of 32 and one of 8
    assert [len(b[0]) for b in per_run[0][:8]] == [32] * 6 + [8, 32]
    assert np.array_equal(np.sort(epoch), np.arange(200))


def test_many_networks_train_at_once_as_they_train_alone(net):
    """simulate() on (n, d) starts: each row follows the same path as its own one-start run."""
    starts = np.stack([net.initial_weights("pytorch", s) for s in range(3)])
    for name in ("adam", "muon", "nag"):
        hp = MUON_HP if name == "muon" else network.suggested(name)
        together = optimizers.simulate(net, name, starts, 40, **hp)
        for k in range(3):
            alone = optimizers.simulate(net, name, starts[k], 40, **hp)
            np.testing.assert_allclose(together.points[:, k], alone.points[:, 0], rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(together.loss[:, k], alone.loss[:, 0], rtol=1e-12)


@pytest.mark.parametrize("name", [n for n, why in network.offered(networks.get(**NET).dim).items() if why is None])
def test_every_offered_optimizer_runs_on_a_network(net, name):
    tr = network.train(net, {name: network.suggested(name)}, 30, batch_size=40, diagnostics=True)[name]
    assert tr.points.shape == (31, 1, net.dim) and np.isfinite(tr.points).all() and np.isfinite(tr.loss).all()
    assert tr.grads.shape == (30, 1, net.dim)
    assert not np.array_equal(tr.points[-1], tr.points[0])
    records = list(replay(net, name, tr.points[0], 3, **network.suggested(name)))
    assert [r.theta.shape for r in records] == [(1, net.dim)] * 3


def test_initial_weights_are_shared_and_seeded(net):
    runs = network.train(net, {"gd": {}, "adam": {}}, 1, init="glorot", init_seed=3)
    assert np.array_equal(runs["gd"].points[0, 0], net.initial_weights("glorot", 3))
    assert np.array_equal(runs["adam"].points[0, 0], runs["gd"].points[0, 0])


def test_a_diverging_run_is_marked_and_frozen():
    net = networks.get(x_scale=100.0, activation="relu")
    runs = network.train(net, {"gd": {"lr": 5.0}, "adam": {"lr": 0.01}}, 200)
    bad, good = runs["gd"], runs["adam"]
    k = bad.diverged_at[0]
    assert k > 0 and good.diverged_at[0] == -1
    assert np.all(bad.points[k:] == bad.points[k - 1]) and np.all(bad.loss[k:] == bad.loss[k - 1])
    assert np.abs(bad.points[k - 1]).max() <= 1050 and np.isfinite(bad.loss).all() and np.isfinite(bad.points).all()


# --- second-order rules above d = 2 ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small():
    return networks.get(layers=1, width=4, points=60)                 # 17 weights


def torch_grad_hessian(net, theta):
    t = torch.tensor(theta, requires_grad=True)
    (g,) = torch.autograd.grad(torch_loss(net, t, net.x, net.y), t)
    h = torch.autograd.functional.hessian(lambda u: torch_loss(net, u, net.x, net.y), torch.tensor(theta))
    return g.detach().numpy(), h.numpy()


def test_newton_step_solves_with_the_torch_hessian(small):
    theta0 = small.initial_weights("pytorch", 0)
    g, h = torch_grad_hessian(small, theta0)
    assert np.linalg.eigvalsh(h)[0] < 0                                # indefinite at the start: fallback on
    tr = optimizers.simulate(small, "newton", theta0, 1, lr=0.7, fallback=True, fallback_lr=0.3)
    np.testing.assert_allclose(tr.points[1, 0], theta0 - 0.3 * g, rtol=1e-12, atol=1e-14)
    assert tr.fallback[0, 0]
    tr = optimizers.simulate(small, "newton", theta0, 1, lr=0.7, fallback=False)
    np.testing.assert_allclose(tr.points[1, 0], theta0 - 0.7 * np.linalg.solve(h, g), rtol=1e-8)


def test_full_matrix_adagrad_uses_the_matrix_square_root(small):
    theta = small.initial_weights("pytorch", 1)
    tr = optimizers.simulate(small, "adagrad_full", theta, 3, lr=0.1, eps=1e-3)
    big_g = np.zeros((small.dim, small.dim))
    for t in range(3):
        g, _ = torch_grad_hessian(small, theta)
        big_g += np.outer(g, g)
        u, s, _ = np.linalg.svd(big_g)                                 # G is PSD: G^½ = U √S Uᵀ
        theta = theta - 0.1 * np.linalg.solve(1e-3 * np.eye(small.dim) + (u * np.sqrt(s)) @ u.T, g)
        np.testing.assert_allclose(tr.points[t + 1, 0], theta, rtol=1e-9, atol=1e-12)


def test_bfgs_follows_nocedal_wright_in_matrix_form(small):
    theta = small.initial_weights("pytorch", 2)
    tr = optimizers.simulate(small, "bfgs", theta, 4, lr=1.0)
    eye = np.eye(small.dim)
    h, prev_s, prev_g = eye, None, None
    for t in range(4):
        g, _ = torch_grad_hessian(small, theta)
        if prev_s is not None:
            s, y = prev_s, g - prev_g
            if s @ y > 1e-10 * np.linalg.norm(s) * np.linalg.norm(y):
                rho = 1 / (y @ s)
                h = (eye - rho * np.outer(s, y)) @ h @ (eye - rho * np.outer(y, s)) + rho * np.outer(s, s)
        p = -h @ g
        f0, alpha = small.value(theta[None])[0], 1.0
        for _ in range(41):
            if small.value((theta + alpha * p)[None])[0] <= f0 + 1e-4 * alpha * (g @ p):
                break
            alpha /= 2
        prev_s, prev_g = alpha * p, g
        theta = theta + alpha * p
        np.testing.assert_allclose(tr.points[t + 1, 0], theta, rtol=1e-8, atol=1e-12)


def test_dense_rules_stop_at_their_declared_dimension():
    big = networks.get(layers=2, width=16)
    assert big.dim > DENSE_MAX_DIM >= networks.get(layers=1, width=16).dim
    for name in ("newton", "bfgs", "adagrad_full"):
        with pytest.raises(ValueError, match=f"offered up to {DENSE_MAX_DIM} weights"):
            optimizers.simulate(big, name, big.initial_weights(), 1)
    offers = network.offered(big.dim)
    assert offers["newton"] and str(big.dim * big.dim)[:2] in offers["newton"].replace(",", "")
    assert offers["adam"] is None and offers["muon"] is None
    assert offers["sgd"] and offers["minibatch"] and network.offered(DENSE_MAX_DIM)["newton"] is None


def test_muon_takes_adamw_settings_only_on_a_network(net):
    with pytest.raises(ValueError, match="adamw_lr"):
        optimizers.simulate(__import__("landscapes").get("ravine"), "muon", (1.0, 1.0), 2, adamw_lr=0.1)
    with pytest.raises(ValueError, match="adamw_lr"):
        network.train(net, {"muon": {"adamw_lr": -1.0}}, 2)


def test_schedules_scale_both_of_muons_learning_rates(net):
    """A step schedule (step_size 1, gamma 1e-9) multiplies every learning rate by 1e-9 from step 2 on:
    Muon's lr and adamw_lr alike, as torch's schedulers scale every parameter group."""
    hp = dict(MUON_HP, weight_decay=0.0, adamw_weight_decay=0.0, schedule="step", step_size=1, gamma=1e-9)
    tr = network.train(net, {"muon": hp}, 2)["muon"]
    first, second = np.abs(np.diff(tr.points[:, 0], axis=0))
    hidden = np.zeros(net.dim, dtype=bool)
    for block in net.layout.hidden_matrices:
        hidden[block.start:block.stop] = True
    for part in (hidden, ~hidden):                                    # Muon's weights, then AdamW's
        assert second[part].max() < 1e-8 * first[part].max()


def test_newton_above_two_dimensions_by_hand_and_with_a_non_finite_hessian():
    """H = diag(2, 4, 8), g = (1, 2, 3): the Newton step is -(1/2, 2/4, 3/8).  A start whose Hessian is not
    finite falls back to a gradient step instead of stopping every start with numpy's LinAlgError."""
    g = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    h = np.stack([np.diag([2.0, 4.0, 8.0]), np.full((3, 3), np.nan)])
    ctx = rules.Context(1, lambda p: g, lambda p: h, None)
    step = rules.newton(np.zeros((2, 3)), rules.NoState(), ctx, {"lr": 1.0, "fallback": True, "fallback_lr": 0.1})
    np.testing.assert_allclose(step.update[0], [-0.5, -0.5, -0.375], rtol=1e-15)
    np.testing.assert_allclose(step.update[1], [-0.1, -0.2, -0.3], rtol=1e-15)
    assert step.fallback.tolist() == [False, True]


def test_suggested_settings_train_the_default_network_in_300_steps():
    """What SUGGESTED's comment promises: on moons with 2 → 8 → 1 tanh, full batch, every optimizer offered
    there at least halves the loss in 300 steps, and none diverges."""
    net = networks.get()
    names = [name for name, why in network.offered(net.dim).items() if why is None]
    runs = network.train(net, {name: network.suggested(name) for name in names}, 300)
    for name, tr in runs.items():
        assert tr.diverged_at[0] == -1 and tr.loss[-1, 0] < 0.5 * tr.loss[0, 0], name


def test_default_diagnostics_budget_counts_the_dimension(net):
    """simulate()'s default records diagnostics while starts × steps × d² <= 4 × DIAGNOSTIC_BUDGET
    (d = 67 here: 222 steps fit, 223 do not), the surface's starts × steps <= budget for d = 2."""
    start = net.initial_weights()
    fits = 4 * DIAGNOSTIC_BUDGET // (net.dim * net.dim)
    assert net.dim == 67 and fits == 222
    assert optimizers.simulate(net, "adam", start, fits).grads is not None
    assert optimizers.simulate(net, "adam", start, fits + 1).grads is None
