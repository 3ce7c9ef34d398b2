"""Planes through weight space: where network mode draws its contour and its paths.

A :class:`Plane` is an origin ``o ∈ ℝᵈ`` and two directions ``u, v`` (the rows of ``basis``); the point
at plane coordinates ``(α, β)`` is ``o + α u + β v``.  Three ways to choose it:

- :func:`pca_plane`: the top two principal directions of the given points (all optimizers' paths
  together, by default), through their mean, with the fraction of their variance each direction
  explains (``explained``: each in [0, 1], summing to at most 1).  The plane that shows the most of
  the paths; it says nothing about the loss away from them.
- :func:`random_plane`: two Gaussian directions, filter-normalised per neuron: each row of each weight
  matrix (the weights into one unit) is scaled to the norm of the same row of the weights at the
  origin, and the bias directions are 0.  Li, Xu, Taylor, Studer & Goldstein (2018), "Visualizing the
  loss landscape of neural nets", section 4 (their code's ``norm='filter', ignore='biasbn'``).
- :func:`hessian_plane`: the eigenvectors of the Hessian's largest and smallest eigenvalues at a chosen
  point (``curvature`` holds the two eigenvalues), found by the Lanczos iteration on exact
  Hessian-vector products.  A negative smallest eigenvalue means the point is a saddle, and this plane
  shows it as one; random planes rarely do (Böttcher & Wheeler 2022, "Visualizing high-dimensional
  loss landscapes with Hessian directions").

Then :func:`project` places a run on the plane: its plane coordinates (least squares, so they are
exact for points on the plane even when ``u`` and ``v`` are not orthogonal), its distance from the
plane, and the loss the plane shows there beside the true loss.  The gap between the two is the
mismatch users of loss-landscape pictures complain about; it is measured, not hidden (:func:`fidelity`
sums it up per run).
:func:`loss_grid` evaluates the loss over a grid of plane coordinates (all its points in batched
float32 forward passes), and :func:`extent` chooses a grid range that holds the projected paths.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from landscapes.networks import Layout, NetworkLandscape

Array = np.ndarray
PLANES = ("pca", "random", "hessian")
LANCZOS_TOL = 1e-10        # Lanczos stops when both extreme Ritz pairs' residuals are below this (relative)
LANCZOS_CHECK = 8          # Lanczos tests convergence every this many steps (each test solves the tridiagonal)
MARGIN = 0.15              # extent(): the paths' box grows by this fraction of its size on every side
RANDOM_EXTENT = 1.0        # extent(): a random plane shows at least [-1, 1]², as Li et al. draw it


class Plane(NamedTuple):
    """An origin and two directions in weight space, with what the choice of plane measured."""

    kind: str                               # "pca", "random" or "hessian"
    origin: Array                           # (d,) the point at plane coordinates (0, 0)
    basis: Array                            # (2, d) the directions u (first axis) and v (second axis)
    explained: Array | None = None          # pca: (2,) fraction of the points' variance along u and v
    curvature: Array | None = None          # hessian: (2,) the largest and the smallest eigenvalue

    def point(self, coords: Array) -> Array:
        """Weights ``(..., d)`` at plane coordinates ``coords`` ``(..., 2)``."""
        return self.origin + np.asarray(coords, dtype=np.float64) @ self.basis

    def project(self, points: Array) -> tuple[Array, Array]:
        """Plane coordinates ``(..., 2)`` of the nearest plane points to ``points`` ``(..., d)``, and the
        distances ``(...)`` to them (least squares on the basis' 2 × 2 Gram matrix)."""
        offset = np.asarray(points, dtype=np.float64) - self.origin
        coords = np.linalg.solve(self.basis @ self.basis.T, (offset @ self.basis.T)[..., None])[..., 0]
        return coords, np.linalg.norm(offset - coords @ self.basis, axis=-1)


class Projection(NamedTuple):
    """One trajectory seen on a plane: arrays ``(steps + 1, n, ...)`` like ``Trajectory.points``."""

    coords: Array                           # (steps + 1, n, 2) plane coordinates of every point
    distance: Array                         # (steps + 1, n) distance of every point from the plane
    plane_loss: Array                       # (steps + 1, n) the loss the plane shows at those coordinates
    true_loss: Array                        # (steps + 1, n) the training loss at the point itself


class Fidelity(NamedTuple):
    """How faithfully one run is seen on the plane, per start ``(n,)``: the numbers behind the page's sentence."""

    off_plane: Array      # largest distance from the plane, over the largest distance travelled from the start
    loss_gap: Array       # largest |plane loss - true loss|, over the range of the true loss along the run


class Grid(NamedTuple):
    """The loss over a rectangle of plane coordinates, ready for a contour plot."""

    alpha: Array                            # (r,) first-axis coordinates
    beta: Array                             # (r,) second-axis coordinates
    loss: Array                             # (r, r): loss[j, i] at (alpha[i], beta[j]) (Plotly's z layout)


def _flip(rows: Array) -> Array:
    """Each row with the sign that makes its largest-magnitude entry positive (scikit-learn's svd_flip)."""
    signs = np.sign(rows[np.arange(rows.shape[0]), np.abs(rows).argmax(axis=1)])
    return rows * np.where(signs == 0, 1.0, signs)[:, None]


def pca_plane(points: Array, origin: Array | None = None) -> Plane:
    """The plane of the top two principal directions of ``points`` ``(m, d)``.

    With ``origin`` None the plane passes through the points' mean and ``explained`` is each direction's
    share of their variance (scikit-learn's ``PCA.explained_variance_ratio_``).  With an ``origin`` (network
    mode passes the common start, so every path starts on the plane) the directions are those of the
    displacements ``p - origin`` and ``explained`` is each one's share of ``Σ ‖p - origin‖²``.  Either way
    the fractions lie in [0, 1] and sum to at most 1 (0 if the points do not spread).  The directions are
    the eigenvectors of the ``d × d`` scatter matrix (``numpy.linalg.eigh``), each signed so that its
    largest-magnitude entry is positive.
    """
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[0] < 1 or points.shape[1] < 2:
        raise ValueError(f"Invalid points: shape {points.shape}; expected (m, d) with m >= 1 and d >= 2")
    center = points.mean(axis=0) if origin is None else np.asarray(origin, dtype=np.float64)
    offsets = points - center
    spread, vectors = np.linalg.eigh(offsets.T @ offsets)          # ascending eigenvalues
    spread = np.maximum(spread[::-1], 0.0)                         # descending, rounding below 0 removed
    total = float(spread.sum())
    explained = spread[:2] / total if total > 0 else np.zeros(2)
    return Plane("pca", center, _flip(vectors[:, ::-1][:, :2].T.copy()), explained=explained)


def filter_normalised(direction: Array, weights: Array, layout: Layout) -> Array:
    """``direction`` ``(d,)`` with each weight-matrix row scaled to the norm of that row of ``weights``,
    and the biases set to 0 (Li et al. 2018, filter normalisation; a neuron's row is its filter)."""
    out = np.zeros_like(direction)
    for block in layout.blocks:                                 # a loop over layers
        if block.role == "bias":
            continue
        cut = slice(block.start, block.stop)
        d_rows, w_rows = direction[cut].reshape(block.shape), weights[cut].reshape(block.shape)
        scale = np.linalg.norm(w_rows, axis=1, keepdims=True) / (np.linalg.norm(d_rows, axis=1, keepdims=True) + 1e-10)
        out[cut] = (d_rows * scale).ravel()
    return out


def random_plane(net: NetworkLandscape, origin: Array, seed: int = 0) -> Plane:
    """Two filter-normalised Gaussian directions (:func:`filter_normalised`) at ``origin`` ``(d,)``.

    The directions are drawn from ``numpy.random.default_rng(seed)`` and not orthogonalised (as in Li et
    al.); :meth:`Plane.project` accounts for the angle between them.
    """
    origin = np.asarray(origin, dtype=np.float64)
    raw = np.random.default_rng(seed).standard_normal((2, net.dim))
    basis = np.stack([filter_normalised(r, origin, net.layout) for r in raw])
    return Plane("random", origin, basis)


def lanczos_extremes(matvec: Callable[[Array], Array], dim: int, seed: int = 0,
                     tol: float = LANCZOS_TOL) -> tuple[Array, Array]:
    """The largest and smallest eigenvalues ``(2,)`` and unit eigenvectors ``(2, dim)`` of a symmetric
    operator given by ``matvec``, by the Lanczos iteration with full reorthogonalisation.

    Golub & Van Loan, Matrix Computations (2013), algorithm 10.1.1 with complete reorthogonalisation
    (section 10.3.1), from a random start drawn from ``seed``.  Every :data:`LANCZOS_CHECK` steps (and when
    ``β_k`` is tiny) it solves the tridiagonal problem; it stops once both extreme Ritz pairs have
    residual ``‖A y - θ y‖ = β_k |s_k|`` below ``tol`` times the largest Ritz value's magnitude, when the
    Krylov space closes (``β_k`` that small: its Ritz pairs are then exact, and a random start has a part
    in every eigenspace, so the extremes are among them), or after ``dim`` steps, where it is exact.
    """
    rng = np.random.default_rng(seed)
    basis = np.zeros((dim, dim))
    alphas, betas = np.zeros(dim), np.zeros(dim)
    q = rng.standard_normal(dim)
    q /= np.linalg.norm(q)
    for k in range(dim):
        basis[k] = q
        w = matvec(q)
        alphas[k] = q @ w
        for _ in range(2):                                        # full reorthogonalisation, twice is enough
            w -= basis[:k + 1].T @ (basis[:k + 1] @ w)
        betas[k] = np.linalg.norm(w)
        if (k + 1) % LANCZOS_CHECK == 0 or k + 1 == dim or betas[k] <= tol * abs(alphas[k]):
            tridiagonal = np.diag(alphas[:k + 1]) + np.diag(betas[:k], 1) + np.diag(betas[:k], -1)
            ritz, s = np.linalg.eigh(tridiagonal)
            limit = tol * max(float(np.abs(ritz).max()), np.finfo(np.float64).tiny)
            if k + 1 == dim or betas[k] * max(abs(s[-1, 0]), abs(s[-1, -1])) <= limit or betas[k] <= limit:
                break
        q = w / betas[k]
    vectors = s[:, [-1, 0]].T @ basis[:k + 1]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return ritz[[-1, 0]], _flip(vectors)


def hessian_plane(net: NetworkLandscape, origin: Array, seed: int = 0) -> Plane:
    """The plane through ``origin`` ``(d,)`` along the Hessian's extreme eigenvectors there: ``u`` for the
    largest eigenvalue, ``v`` for the smallest (``curvature`` holds both), by :func:`lanczos_extremes`."""
    origin = np.asarray(origin, dtype=np.float64)
    at = origin[None]
    values, vectors = lanczos_extremes(lambda q: net.hvp(at, q[None])[0], net.dim, seed)
    return Plane("hessian", origin, vectors, curvature=values)


def project(net: NetworkLandscape, plane: Plane, points: Array, true_loss: Array) -> Projection:
    """A run on the plane: ``points`` ``(steps + 1, n, d)`` (``Trajectory.points``) and their training
    loss ``(steps + 1, n)`` (``Trajectory.loss``)."""
    coords, distance = plane.project(points)
    return Projection(coords, distance, net.value(plane.point(coords)), np.asarray(true_loss, dtype=np.float64))


def fidelity(projection: Projection, points: Array) -> Fidelity:
    """:class:`Fidelity` of a projected run whose weights are ``points`` ``(steps + 1, n, d)``.

    Both ratios are 0 for a run that lies in the plane; ``off_plane`` near 1 means the run moved as far off
    the plane as along it, and ``loss_gap`` near 1 means the contour under the path is off by as much as the
    whole change of the loss.  A run that never moves (or whose loss never changes) gets 0 when the plane
    agrees with it and ``inf`` when it does not.
    """
    travelled = np.linalg.norm(points - points[:1], axis=-1).max(axis=0)
    loss_range = np.ptp(projection.true_loss, axis=0)
    gap = np.abs(projection.plane_loss - projection.true_loss).max(axis=0)
    off = projection.distance.max(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return Fidelity(np.where(off > 0, off / travelled, 0.0), np.where(gap > 0, gap / loss_range, 0.0))


def extent(plane: Plane, projections: Sequence[Projection], margin: float = MARGIN) -> tuple[Array, Array]:
    """``(alpha_range, beta_range)``, each ``(2,)``: the box of every projected point grown by ``margin``
    of its size on each side (a random plane shows at least [-1, 1]², Li et al.'s range)."""
    coords = np.concatenate([p.coords.reshape(-1, 2) for p in projections]) if projections else np.zeros((1, 2))
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-3 * (1.0 + np.linalg.norm(plane.origin)))
    lo, hi = lo - pad, hi + pad
    if plane.kind == "random":
        lo, hi = np.minimum(lo, -RANDOM_EXTENT), np.maximum(hi, RANDOM_EXTENT)
    return np.array([lo[0], hi[0]]), np.array([lo[1], hi[1]])


def loss_grid(net: NetworkLandscape, plane: Plane, alpha_range: Array, beta_range: Array,
              resolution: int = 80) -> Grid:
    """The training loss at ``resolution × resolution`` evenly spaced plane coordinates, endpoints included.

    Computed in float32 (``net.value_f32``, about twice as fast as float64 and within about 1e-6 of it,
    far below what a contour shows); points whose loss leaves float32's range are recomputed in float64
    (and capped at its largest number), so the grid is always finite.  The losses a page states come
    from :func:`project`, in float64.
    """
    if not 2 <= resolution <= 400:
        raise ValueError(f"Invalid resolution: {resolution!r} (allowed: 2 <= resolution <= 400)")
    alpha = np.linspace(alpha_range[0], alpha_range[1], resolution)
    beta = np.linspace(beta_range[0], beta_range[1], resolution)
    points = plane.point(np.stack(np.meshgrid(alpha, beta), axis=-1))   # (r, r, d): [j, i] at (alpha[i], beta[j])
    with np.errstate(over="ignore", invalid="ignore"):
        loss = net.value_f32(points)
    overflow = ~np.isfinite(loss)                    # beyond float32's range: take float64, capped at its largest
    if overflow.any():
        loss[overflow] = np.minimum(np.nan_to_num(net.value(points[overflow]), nan=np.inf), np.finfo(np.float64).max)
    return Grid(alpha, beta, loss)
