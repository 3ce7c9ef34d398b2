"""Losses of two-parameter models over small synthetic datasets.

The parameters ``θ = (w, b)`` are a slope and an intercept, so the loss surface
is a real training objective: SGD and mini-batch methods sample actual
examples through ``grad_batch``.  Data are drawn once from a fixed seed.
"""
from __future__ import annotations

import numpy as np

from landscapes.base import Array, Landscape, stack_grad, stack_hessian

DATA_SEED = 20240229
N_EXAMPLES = 200


def _features() -> tuple[np.random.Generator, Array]:
    rng = np.random.default_rng(DATA_SEED)
    return rng, rng.normal(1.0, 1.5, N_EXAMPLES)


def linear_regression() -> Landscape:
    """Mean squared error ``½·mean((w xᵢ + b - yᵢ)²)`` of a line fitted to 200 noisy points."""
    rng, x = _features()
    y = 2.0 * x - 1.0 + rng.normal(0.0, 1.0, N_EXAMPLES)
    design = np.stack([x, np.ones_like(x)], axis=1)          # (N, 2): ∂residual/∂(w, b)
    gram = design.T @ design / N_EXAMPLES                    # the (constant) Hessian
    moment = design.T @ y / N_EXAMPLES
    y2 = float(np.mean(y * y))
    optimum = np.linalg.solve(gram, moment)                  # normal equations: exact minimum

    # matmul and einsum may sum in another order for another memory layout: C order keeps every
    # result independent of how the caller stores its points
    def value(p: Array) -> Array:
        p = np.ascontiguousarray(p, dtype=np.float64)
        quad = np.einsum("...i,ij,...j->...", p, gram, p)
        return 0.5 * (quad - 2 * p @ moment + y2)

    def grad(p: Array) -> Array:
        return np.ascontiguousarray(p, dtype=np.float64) @ gram - moment

    def hessian(p: Array) -> Array:
        p = np.asarray(p, dtype=np.float64)
        return np.broadcast_to(gram, p.shape[:-1] + (2, 2)).copy()

    def grad_batch(p: Array, idx: Array) -> Array:
        residual = p[:, None, 0] * x[idx] + p[:, None, 1] - y[idx]   # (n, b)
        return stack_grad(np.mean(residual * x[idx], axis=1), np.mean(residual, axis=1))

    return Landscape(
        name="linear_regression",
        title="Linear regression (200 points)",
        description=(
            "The mean squared error of a straight line y = w·x + b fitted to 200 noisy points. The surface is an "
            "exact quadratic bowl, stretched because the inputs are not centred; its minimum is the least-squares "
            "fit. SGD and mini-batch methods estimate the gradient from a few real examples at a time."
        ),
        latex=r"L(w, b) = \frac{1}{2N}\sum_{i=1}^{N} (w x_i + b - y_i)^2,\quad N = 200",
        value=value,
        grad=grad,
        hessian=hessian,
        bounds=((-2.0, 6.0), (-5.0, 3.0)),
        start=np.array([-1.5, 2.5]),
        minima=np.array([optimum]),
        levels="log",
        n_examples=N_EXAMPLES,
        grad_batch=grad_batch,
        suggested={   # by optimizer family; a member's own key overrides its family
            "gd": {"lr": 0.2}, "sgd": {"lr": 0.05}, "minibatch": {"lr": 0.1, "batch_size": 16},
            "momentum": {"lr": 0.05, "momentum": 0.8}, "adagrad": {"lr": 1.0}, "rmsprop": {"lr": 0.05},
            "adadelta": {"lr": 1.0}, "adam": {"lr": 0.1}, "lion": {"lr": 0.03},
        },
    )


def _sigmoid(z: Array) -> Array:
    return np.exp(-np.logaddexp(0.0, -z))


def logistic_regression() -> Landscape:
    """Mean cross-entropy of a one-feature logistic classifier ``σ(w x + b)`` on 200 labelled points."""
    rng, x = _features()
    labels = (rng.random(N_EXAMPLES) < _sigmoid(1.5 * x - 1.0)).astype(np.float64)

    def _logits(p: Array) -> Array:
        p = np.asarray(p, dtype=np.float64)
        return p[..., 0, None] * x + p[..., 1, None]            # (..., N)

    def value(p: Array) -> Array:
        z = _logits(p)
        return np.mean(np.logaddexp(0.0, z) - labels * z, axis=-1)

    def grad(p: Array) -> Array:
        err = _sigmoid(_logits(p)) - labels
        return stack_grad(np.mean(err * x, axis=-1), np.mean(err, axis=-1))

    def hessian(p: Array) -> Array:
        s = _sigmoid(_logits(p))
        weight = s * (1 - s)
        return stack_hessian(np.mean(weight * x * x, -1), np.mean(weight * x, -1), np.mean(weight, -1))

    def grad_batch(p: Array, idx: Array) -> Array:
        z = p[:, None, 0] * x[idx] + p[:, None, 1]
        err = _sigmoid(z) - labels[idx]
        return stack_grad(np.mean(err * x[idx], axis=1), np.mean(err, axis=1))

    optimum = np.zeros(2)
    for _ in range(30):  # Newton's method on a strictly convex loss: converges to machine precision
        optimum = optimum - np.linalg.solve(hessian(optimum), grad(optimum))

    return Landscape(
        name="logistic_regression",
        title="Logistic regression (200 points)",
        description=(
            "The cross-entropy loss of a one-feature logistic classifier P(label = 1) = σ(w·x + b) on 200 labelled "
            "points. Convex but not quadratic: the bowl flattens far from the minimum, where the classifier is "
            "confidently wrong on many points, so the gradient there is small but steady."
        ),
        latex=r"L(w, b) = \frac1N\sum_{i=1}^{N} \log\!\left(1 + e^{z_i}\right) - y_i z_i,\quad z_i = w x_i + b",
        value=value,
        grad=grad,
        hessian=hessian,
        bounds=((-3.0, 6.0), (-5.0, 4.0)),
        start=np.array([-2.0, 3.0]),
        minima=np.array([optimum]),
        levels="log",
        n_examples=N_EXAMPLES,
        grad_batch=grad_batch,
        suggested={   # by optimizer family; a member's own key overrides its family
            "gd": {"lr": 1.0}, "sgd": {"lr": 0.2}, "minibatch": {"lr": 0.5, "batch_size": 16},
            "momentum": {"lr": 0.3, "momentum": 0.9}, "adagrad": {"lr": 1.0}, "rmsprop": {"lr": 0.05},
            "adadelta": {"lr": 1.0}, "adam": {"lr": 0.1}, "lion": {"lr": 0.03},
        },
    )
