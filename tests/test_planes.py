"""Planes through weight space against independent computations.

PCA fractions against the singular values of the centred points (scikit-learn's definition of
``explained_variance_ratio_``); Hessian directions against ``numpy.linalg.eigh`` of the full Hessian that
torch's autograd builds; filter normalisation against the row norms it promises; projections against
points built on the plane by hand.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from landscapes import networks
from optimizers import network, planes
from tests.test_network_model import torch_loss

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def net():
    return networks.get(layers=2, width=5, points=80)                  # 51 weights


@pytest.fixture(scope="module")
def runs(net):
    hp = {"gd": {"lr": 0.5}, "momentum": {"lr": 0.1, "momentum": 0.9}, "adam": {"lr": 0.02}}
    return network.train(net, hp, 150)


def on_a_plane(d, m, seed, orthogonal=True):
    """``m`` points exactly on a random 2-D affine plane in ℝᵈ, with the plane's origin, basis and coordinates."""
    rng = np.random.default_rng(seed)
    origin, basis = rng.normal(size=d), rng.normal(size=(2, d))
    if orthogonal:
        basis = np.linalg.qr(basis.T)[0].T
    coords = rng.normal(size=(m, 2)) * [3.0, 0.5]
    return origin, basis, coords, origin + coords @ basis


# --- PCA -----------------------------------------------------------------------------------------------------

def test_pca_reconstructs_points_on_a_plane_exactly():
    _, _, _, points = on_a_plane(40, 30, seed=1)
    plane = planes.pca_plane(points)
    coords, distance = plane.project(points)
    np.testing.assert_allclose(plane.point(coords), points, atol=1e-12)
    assert distance.max() < 1e-12
    np.testing.assert_allclose(plane.explained.sum(), 1.0, rtol=1e-12)     # all the variance is in the plane
    np.testing.assert_allclose(plane.basis @ plane.basis.T, np.eye(2), atol=1e-12)


def test_pca_fractions_are_scikit_learns_explained_variance_ratio():
    points = np.random.default_rng(2).normal(size=(60, 9)) * np.arange(1, 10)
    sigma = np.linalg.svd(points - points.mean(axis=0), compute_uv=False)
    np.testing.assert_allclose(planes.pca_plane(points).explained, sigma[:2] ** 2 / np.sum(sigma ** 2), rtol=1e-10)
    start = points[0]
    sigma = np.linalg.svd(points - start, compute_uv=False)                # about a given origin: uncentred
    plane = planes.pca_plane(points, origin=start)
    np.testing.assert_allclose(plane.explained, sigma[:2] ** 2 / np.sum(sigma ** 2), rtol=1e-10)
    assert np.array_equal(plane.origin, start)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(2, 8)), elements=st.floats(-1e3, 1e3)))
def test_pca_fractions_lie_in_the_unit_interval_and_sum_to_at_most_one(points):
    for plane in (planes.pca_plane(points), planes.pca_plane(points, origin=points[0])):
        assert np.all((plane.explained >= 0) & (plane.explained <= 1))
        assert plane.explained.sum() <= 1 + 1e-12
        assert np.isfinite(plane.basis).all()
        np.testing.assert_allclose(plane.basis @ plane.basis.T, np.eye(2), atol=1e-9)


def test_pca_of_points_that_do_not_spread():
    plane = planes.pca_plane(np.ones((5, 6)))
    assert np.array_equal(plane.explained, np.zeros(2)) and np.isfinite(plane.basis).all()


# --- projection on non-orthogonal planes -----------------------------------------------------------------------

def test_projection_recovers_coordinates_on_a_skewed_plane():
    origin, basis, coords, points = on_a_plane(30, 25, seed=3, orthogonal=False)
    plane = planes.Plane("random", origin, basis)
    got, distance = plane.project(points)
    np.testing.assert_allclose(got, coords, rtol=1e-10, atol=1e-12)
    assert distance.max() < 1e-11
    off = np.random.default_rng(4).normal(size=30)
    off -= np.linalg.lstsq(basis.T, off, rcond=None)[0] @ basis            # a direction normal to the plane
    got, distance = plane.project(points + 2.5 * off / np.linalg.norm(off))
    np.testing.assert_allclose(got, coords, atol=1e-10)
    np.testing.assert_allclose(distance, 2.5, rtol=1e-10)


# --- filter-normalised random directions ----------------------------------------------------------------------

def test_random_directions_have_the_weights_row_norms_and_no_bias_part(net):
    origin = net.initial_weights("pytorch", 4)
    plane = planes.random_plane(net, origin, seed=9)
    assert plane.basis.shape == (2, net.dim) and plane.explained is None
    for block in net.layout.blocks:
        part = plane.basis[:, block.start:block.stop]
        if block.role == "bias":
            assert np.all(part == 0)
            continue
        rows = part.reshape(2, *block.shape)
        want = np.linalg.norm(origin[block.start:block.stop].reshape(block.shape), axis=1)
        np.testing.assert_allclose(np.linalg.norm(rows, axis=2), np.broadcast_to(want, (2, block.shape[0])),
                                   rtol=1e-8)
    assert np.array_equal(plane.basis, planes.random_plane(net, origin, seed=9).basis)
    assert not np.array_equal(plane.basis, planes.random_plane(net, origin, seed=10).basis)


# --- Hessian directions ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_hessian_plane_matches_eigh_of_the_full_torch_hessian(activation):
    small = networks.get(layers=2, width=4, activation=activation, points=60)
    for seed in range(2):
        theta = small.initial_weights("pytorch", seed)
        full = torch.autograd.functional.hessian(lambda t, s=small: torch_loss(s, t, s.x, s.y),
                                                 torch.tensor(theta)).numpy()
        lam, vec = np.linalg.eigh(full)
        plane = planes.hessian_plane(small, theta, seed=seed)
        np.testing.assert_allclose(plane.curvature, [lam[-1], lam[0]], rtol=1e-7, atol=1e-9 * abs(lam[-1]))
        for got, want in zip(plane.basis, (vec[:, -1], vec[:, 0]), strict=True):
            assert abs(got @ want) == pytest.approx(1.0, abs=1e-6)
        assert np.array_equal(plane.origin, theta)


def test_lanczos_on_a_matrix_with_repeated_eigenvalues():
    rng = np.random.default_rng(5)
    q = np.linalg.qr(rng.normal(size=(50, 50)))[0]
    lam = np.concatenate([[7.0, -3.0], np.zeros(30), np.full(18, 2.0)])      # the Krylov space closes early
    a = (q * lam) @ q.T
    values, vectors = planes.lanczos_extremes(lambda v: a @ v, 50, seed=1)
    np.testing.assert_allclose(values, [7.0, -3.0], rtol=1e-10)
    np.testing.assert_allclose(np.abs(vectors @ q[:, :2]), np.eye(2), atol=1e-8)


# --- the race on a plane ---------------------------------------------------------------------------------------

def test_paths_start_on_the_pca_plane_and_losses_agree_there(net, runs):
    plane, fitted = network.choose_plane(net, runs, "pca")
    assert fitted == ("gd", "momentum", "adam")
    view = network.on_plane(net, plane, runs, resolution=30, fitted=fitted)
    for name, tr in runs.items():
        p = view.projections[name]
        assert p.coords.shape == (151, 1, 2) and p.distance.shape == p.plane_loss.shape == (151, 1)
        assert p.distance[0, 0] == 0 and p.coords[0, 0].tolist() == [0.0, 0.0]
        assert p.plane_loss[0, 0] == pytest.approx(tr.loss[0, 0], rel=1e-14)
        offset = tr.points[:, 0] - plane.origin                              # orthonormal basis: residual by hand
        residual = offset - (offset @ plane.basis.T) @ plane.basis
        np.testing.assert_allclose(p.distance[:, 0], np.linalg.norm(residual, axis=1), atol=1e-12)
        assert np.array_equal(p.true_loss, tr.loss)
    lo, hi = np.array([view.grid.alpha[0], view.grid.beta[0]]), np.array([view.grid.alpha[-1], view.grid.beta[-1]])
    every = np.concatenate([p.coords.reshape(-1, 2) for p in view.projections.values()])
    assert np.all(every >= lo) and np.all(every <= hi)


def test_grid_values_are_the_loss_at_their_plane_points(net, runs):
    plane, _ = network.choose_plane(net, runs, "random", seed=3)
    grid = planes.loss_grid(net, plane, (-1.0, 2.0), (-0.5, 0.5), resolution=9)
    assert grid.loss.shape == (9, 9) and grid.alpha[[0, -1]].tolist() == [-1.0, 2.0]
    for i, j in [(0, 0), (8, 2), (3, 7)]:
        point = plane.origin + grid.alpha[i] * plane.basis[0] + grid.beta[j] * plane.basis[1]
        assert grid.loss[j, i] == pytest.approx(net.value(point[None])[0], rel=2e-6)     # float32 grid


def test_a_diverged_run_is_projected_but_not_fitted():
    net = networks.get(x_scale=100.0, activation="relu")
    runs = network.train(net, {"gd": {"lr": 5.0}, "adam": {"lr": 0.01}, "momentum": {"lr": 0.01}}, 100)
    assert runs["gd"].diverged_at[0] > 0
    plane, fitted = network.choose_plane(net, runs, "pca")
    assert fitted == ("adam", "momentum")
    view = network.on_plane(net, plane, runs, resolution=20, fitted=fitted)
    for p in view.projections.values():
        assert all(np.isfinite(a).all() for a in p)
    assert np.isfinite(view.grid.loss).all()


def test_race_validates_its_settings_and_draws_every_plane(net):
    with pytest.raises(ValueError, match="plane"):
        network.race(net, {"adam": {}}, 5, plane="tangent")
    with pytest.raises(ValueError, match="batch_size"):
        network.race(net, {"adam": {}}, 5, batch_size=-1)
    for kind in planes.PLANES:
        runs, view = network.race(net, {"adam": {"lr": 0.02}, "gd": {"lr": 0.5}}, 20, plane=kind, resolution=20)
        assert view.plane.kind == kind and view.grid.loss.shape == (20, 20)
        assert set(view.projections) == {"adam", "gd"} and np.isfinite(view.grid.loss).all()


def test_the_grid_stays_finite_where_float32_overflows():
    net = networks.get(activation="relu", layers=2, width=16)
    origin = net.initial_weights()
    direction = np.zeros((2, net.dim))
    direction[0] = 1.0
    direction[1, 0] = 1.0
    plane = planes.Plane("random", origin, direction)
    grid = planes.loss_grid(net, plane, (-1e14, 1e14), (0.0, 1.0), resolution=5)
    assert np.isfinite(grid.loss).all() and grid.loss.max() > np.finfo(np.float32).max


def test_fidelity_of_runs_in_and_off_the_plane():
    """A run inside the plane: both ratios 0.  Then the same run lifted off the plane by a constant normal
    offset h: off_plane = h / (distance travelled), worked out by hand."""
    origin, basis, coords, points = on_a_plane(12, 40, seed=6)
    points = points[:, None, :]                                           # (steps + 1, 1, d)
    plane = planes.Plane("pca", origin, basis)
    loss = np.linspace(2.0, 1.0, 40)[:, None]
    inside = planes.Projection(*plane.project(points), loss, loss)
    assert max(planes.fidelity(inside, points)) < 1e-12                  # 0 up to rounding
    normal = np.linalg.qr(np.vstack([basis, np.eye(12)[:1]]).T)[0][:, 2]     # unit, orthogonal to the plane
    lifted = points + 0.5 * normal
    lifted[0] = points[0]                                                 # the start stays on the plane
    coords_l, distance = plane.project(lifted)
    far = np.linalg.norm(lifted[:, 0] - lifted[0, 0], axis=1).max()
    gap = np.where(np.arange(40) > 0, 0.1, 0.0)[:, None]
    result = planes.fidelity(planes.Projection(coords_l, distance, loss + gap, loss), lifted)
    np.testing.assert_allclose(result.off_plane, [0.5 / far], rtol=1e-10)
    np.testing.assert_allclose(result.loss_gap, [0.1 / 1.0], rtol=1e-10)
