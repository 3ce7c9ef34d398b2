"""Network mode's data sets and MLP against independent references.

The loss, logits and Hessian are compared with the same network built in PyTorch (``torch.nn``,
float64, ``BCEWithLogitsLoss``, ``torch.autograd.functional.hessian``); gradients with central finite
differences of the loss, for every architecture the page offers.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from landscapes import networks
from landscapes.networks import data, mlp

pytestmark = pytest.mark.usefixtures("one_torch_thread")


ARCHITECTURES = [(layers, width, act) for layers, width, act in itertools.product((1, 2), (4, 9, 16), ("tanh", "relu"))]


def torch_model(net: networks.NetworkLandscape, theta: np.ndarray) -> torch.nn.Sequential:
    """The same MLP in torch (float64) with ``theta`` loaded through ``vector_to_parameters``."""
    sizes = net.layout.sizes
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[net.activation]
    modules: list[torch.nn.Module] = []
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        modules.append(torch.nn.Linear(fan_in, fan_out, dtype=torch.float64))
        if k < len(sizes) - 2:
            modules.append(act())
    model = torch.nn.Sequential(*modules)
    torch.nn.utils.vector_to_parameters(torch.tensor(theta, dtype=torch.float64), model.parameters())
    return model


def torch_loss(net: networks.NetworkLandscape, theta: torch.Tensor, x: np.ndarray, y: np.ndarray) -> torch.Tensor:
    """The mean BCE-with-logits loss as a function of the flat weight tensor (for autograd)."""
    h = torch.tensor(x)
    for k, (w, b) in enumerate(net.layout.layers):
        h = h @ theta[w.start:w.stop].reshape(w.shape).T + theta[b.start:b.stop]
        if k < len(net.layout.layers) - 1:
            h = torch.tanh(h) if net.activation == "tanh" else torch.relu(h)
    return torch.nn.functional.binary_cross_entropy_with_logits(h[:, 0], torch.tensor(y))


def central_differences(f, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """∂f/∂θ_i ≈ (f(θ + h e_i) - f(θ - h e_i)) / 2h for every i, all in one batched call."""
    e = np.eye(theta.size)
    return (f(theta + h * e) - f(theta - h * e)) / (2 * h)


def _kink_distance(net: networks.NetworkLandscape, theta: np.ndarray) -> float:
    """The smallest |pre-activation| of any hidden unit on any training point."""
    fwd = mlp.forward(theta[None], net.layout, net.activation, net.x)
    return min(float(np.abs(mlp._affine(a, w, b)).min()) for a, (w, b) in zip(fwd.acts[:-1], fwd.layers, strict=False))


# --- data ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(data.GENERATORS))
def test_datasets_are_balanced_seeded_and_bounded(name):
    x, y = data.make(name, 201, 0.1, seed=3)
    assert x.shape == (201, 2) and y.shape == (201,)
    assert y.sum() == 101 and set(np.unique(y)) == {0.0, 1.0}       # n // 2 of class 0, the rest class 1
    again, _ = data.make(name, 201, 0.1, seed=3)
    assert np.array_equal(x, again)
    assert not np.array_equal(x, data.make(name, 201, 0.1, seed=4)[0])
    clean, _ = data.make(name, 201, 0.0, seed=3)
    assert np.abs(clean).max() <= 1.5


def test_dataset_shapes_without_noise():
    x, y = data.make("circles", 100, 0.0, seed=0)
    radius = np.linalg.norm(x, axis=1)
    assert np.allclose(radius[y == 0], 1.0) and np.allclose(radius[y == 1], 0.5)
    x, y = data.make("xor", 400, 0.0, seed=0)
    assert np.all((np.sign(x[:, 0]) == np.sign(x[:, 1])) == (y == 1)) and np.abs(x).min() >= 0.1
    x, y = data.make("moons", 100, 0.0, seed=0)                      # sklearn's moons, shifted by (-0.5, -0.25)
    outer = x[y == 0] + [0.5, 0.25]
    assert np.allclose(np.linalg.norm(outer, axis=1), 1.0) and outer[:, 1].min() >= -1e-12
    inner = x[y == 1] + [0.5, 0.25] - [1.0, 0.5]
    assert np.allclose(np.linalg.norm(inner, axis=1), 1.0) and inner[:, 1].max() <= 1e-12
    x, y = data.make("spirals", 100, 0.0, seed=0)
    assert np.allclose(x[y == 1], -x[y == 0])                        # the second spiral is the first turned by π


def test_unknown_settings_are_refused():
    with pytest.raises(ValueError, match="dataset"):
        networks.get(dataset="triangles")
    with pytest.raises(ValueError, match="width"):
        networks.get(width=32)
    with pytest.raises(ValueError, match="Unknown parameter 'depth'"):
        networks.get(depth=3)


# --- model ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layers,width", [(1, 4), (1, 16), (2, 4), (2, 16)])
def test_layout_is_torch_parameter_order_and_size(layers, width):
    net = networks.get(layers=layers, width=width)
    model = torch_model(net, np.zeros(net.dim))
    assert net.dim == sum(p.numel() for p in model.parameters())
    assert [b.shape for b in net.layout.blocks] == [tuple(p.shape) for p in model.parameters()]
    assert [b.name for b in net.layout.hidden_matrices] == [f"W{k}" for k in range(1, layers + 1)]
    assert 17 <= net.dim <= 337


def test_pytorch_init_matches_nn_linear_bounds():
    net = networks.get(layers=2, width=16)
    theta = net.initial_weights("pytorch", seed=5)
    scaled = []                                   # every weight and bias over its bound 1/√fan_in: U(-1, 1)
    for w, b in net.layout.layers:
        scaled += [theta[block.start:block.stop] * np.sqrt(w.shape[1]) for block in (w, b)]
    u = np.abs(np.concatenate(scaled))
    assert u.size == net.dim and u.max() <= 1 and u.max() > 0.99
    assert np.mean(u) == pytest.approx(0.5, abs=0.05)                  # |U(-1, 1)| has mean ½, sd 0.29/√337
    assert np.array_equal(theta, net.initial_weights("pytorch", seed=5))
    glorot = net.initial_weights("glorot", seed=5)
    assert all(np.all(glorot[b.start:b.stop] == 0) for b in net.layout.blocks if b.role == "bias")


@pytest.mark.parametrize("layers,width,act", ARCHITECTURES)
def test_loss_and_logits_match_torch(layers, width, act):
    net = networks.get(layers=layers, width=width, activation=act, dataset="spirals")
    theta = np.stack([net.initial_weights("pytorch", s) for s in range(3)])
    model = torch_model(net, theta[1])
    with torch.no_grad():
        out = model(torch.tensor(net.x))[:, 0]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(out, torch.tensor(net.y))
    np.testing.assert_allclose(net.logits(theta, net.x)[1], out.numpy(), rtol=1e-12, atol=1e-13)
    assert net.value(theta)[1] == pytest.approx(loss.item(), rel=1e-12)
    assert net.accuracy(theta[1]) == pytest.approx(np.mean((out.numpy() > 0) == (net.y == 1)))


@pytest.mark.parametrize("layers,width,act", ARCHITECTURES)
def test_gradient_matches_central_differences(layers, width, act):
    net = networks.get(layers=layers, width=width, activation=act, noise=0.2)
    # ReLU: a kink within reach of h would make the difference quotient meaningless, so take the first
    # seed whose pre-activations all keep 1e-4 from 0 (a step of h = 1e-6 moves them by about 1e-6)
    theta = next(t for t in (net.initial_weights("pytorch", seed) for seed in range(100))
                 if act == "tanh" or _kink_distance(net, t) > 1e-4)
    g = net.grad(theta[None])[0]
    fd = central_differences(net.value, theta)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-6 * np.abs(g).max())


def test_mini_batch_gradient_matches_central_differences_of_the_batch_loss():
    net = networks.get(layers=2, width=6)
    theta = np.stack([net.initial_weights("pytorch", s) for s in range(2)])
    idx = np.array([[3, 50, 7, 199, 120], [0, 1, 2, 150, 151]])
    g = net.grad_batch(theta, idx)
    for r in range(2):
        def batch_loss(t, r=r):
            return mlp.value(t, net.layout, "tanh", net.x[idx[r]], net.y[idx[r]])
        np.testing.assert_allclose(g[r], central_differences(batch_loss, theta[r]), rtol=1e-6,
                                   atol=1e-6 * np.abs(g[r]).max())


@pytest.mark.parametrize("layers,width,act", [(1, 4, "tanh"), (2, 5, "tanh"), (1, 6, "relu"), (2, 4, "relu")])
def test_hessian_and_hvp_match_torch_autograd_hessian(layers, width, act):
    net = networks.get(layers=layers, width=width, activation=act, points=60)
    theta = net.initial_weights("pytorch", seed=7)
    full = torch.autograd.functional.hessian(lambda t: torch_loss(net, t, net.x, net.y), torch.tensor(theta)).numpy()
    scale = np.abs(full).max()
    np.testing.assert_allclose(net.hessian(theta[None])[0], full, rtol=1e-9, atol=1e-11 * scale)
    v = np.random.default_rng(0).standard_normal((3, net.dim))
    np.testing.assert_allclose(net.hvp(np.repeat(theta[None], 3, 0), v), v @ full, rtol=1e-9, atol=1e-11 * scale)


def test_large_batches_are_chunked_with_the_same_values():
    net = networks.get(layers=2, width=16)
    theta = np.random.default_rng(1).normal(0, 0.5, (3000, net.dim))   # more than one chunk of networks
    one_by_one = np.array([net.value(t[None])[0] for t in theta[::300]])
    np.testing.assert_allclose(net.value(theta)[::300], one_by_one, rtol=1e-13)
    assert net.value(theta.reshape(30, 100, net.dim)).shape == (30, 100)


def test_float32_loss_agrees_with_float64():
    for layers in (1, 2):
        net = networks.get(layers=layers, width=16, x_scale=10.0)
        theta = np.random.default_rng(layers).normal(0, 1.0, (500, net.dim))
        np.testing.assert_allclose(net.value_f32(theta), net.value(theta), rtol=2e-6)


def test_gradient_reuses_no_stale_forward_pass():
    net = networks.get()
    theta = net.initial_weights()[None].copy()
    net.value(theta)
    theta[0, :5] += 0.3                                                # changed in place after value()
    np.testing.assert_allclose(net.grad(theta), net.grad(theta.copy()), rtol=0, atol=0)
    fresh = networks.get()
    np.testing.assert_allclose(net.grad(theta), fresh.grad(theta.copy()), rtol=0, atol=0)


def test_extreme_weights_give_finite_loss():
    net = networks.get(activation="relu")
    theta = 1e6 * net.initial_weights()[None]
    assert np.isfinite(net.value(theta)).all() and np.isfinite(net.grad(theta)).all()
