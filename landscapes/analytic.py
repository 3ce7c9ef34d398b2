"""Closed-form test surfaces: value, gradient and Hessian side by side.

Each builder returns a :class:`~landscapes.base.Landscape`.  Derivatives are
written out by hand (scipy.optimize's ``rosen``/``rosen_der``/``rosen_hess``
style) and checked against finite differences in the tests.
"""
from __future__ import annotations

import numpy as np

from landscapes.base import Array, Landscape, stack_grad, stack_hessian


def _xy(p: Array) -> tuple[Array, Array]:
    p = np.asarray(p, dtype=np.float64)
    return p[..., 0], p[..., 1]


RAVINE_START = (-8.0, 2.5)   # the ravine's start in its own frame: along the floor, across it


def ravine_point(along_across: object, angle: Array | float) -> Array:
    """Points given in the ravine's own frame (along its floor, across it) in the plane, turned by ``angle``
    (degrees): ``(..., 2)`` for ``along_across`` of shape ``(..., 2)`` and ``angle`` broadcasting with ``...``."""
    u = np.asarray(along_across, dtype=np.float64)
    a = np.deg2rad(angle)
    c, s = np.cos(a), np.sin(a)
    return np.stack([c * u[..., 0] - s * u[..., 1], s * u[..., 0] + c * u[..., 1]], axis=-1)


def _ravine_hessian(condition: Array | float, angle: Array | float) -> tuple[Array, Array, Array]:
    """Entries ``hxx, hxy, hyy`` of ``H = R diag(1/condition, 1) Rᵀ``, with ``R`` the rotation by ``angle``."""
    a = np.deg2rad(angle)
    c, s = np.cos(a), np.sin(a)
    lam_steep, lam_flat = 1.0, 1.0 / np.asarray(condition, dtype=np.float64)
    return lam_flat * c * c + lam_steep * s * s, (lam_flat - lam_steep) * c * s, lam_flat * s * s + lam_steep * c * c


def _quadratic(hxx: Array, hxy: Array, hyy: Array) -> tuple:
    """``value``, ``grad`` and ``hessian`` of ``½ θᵀ H θ`` for the entries of ``H`` (scalars, or one per start)."""

    def value(p: Array) -> Array:
        x, y = _xy(p)
        return 0.5 * (hxx * x * x + 2 * hxy * x * y + hyy * y * y)

    def grad(p: Array) -> Array:
        x, y = _xy(p)
        return stack_grad(hxx * x + hxy * y, hxy * x + hyy * y)

    def hessian(p: Array) -> Array:
        x, _ = _xy(p)
        one = np.ones_like(x)
        return stack_hessian(hxx * one, hxy * one, hyy * one)

    return value, grad, hessian


def ravine(condition: float = 50.0, angle: float = 30.0) -> Landscape:
    """Ill-conditioned quadratic ``f = ½ θᵀ H θ`` with eigenvalues 1 and 1/condition.

    ``angle`` (degrees) rotates the long, flat axis away from the x axis.  The default, 30, is not a
    multiple of 90, so the valley does not line up with the coordinate axes: per-coordinate methods
    (RMSprop, Adam) get no free help from the alignment, as on a real problem.
    """
    value, grad, hessian = _quadratic(*_ravine_hessian(condition, angle))
    start = ravine_point(RAVINE_START, angle)
    lam_flat = 1.0 / condition
    return Landscape(
        name="ravine",
        title="Ravine (ill-conditioned quadratic)",
        description=(
            "A long, narrow valley: the walls are steep across it and the floor is nearly flat along it. "
            "The steep direction limits the learning rate (it must stay below 2 over the largest curvature), "
            "while the flat direction needs many steps, so plain gradient descent bounces from wall to wall. "
            f"Condition number {condition:g}: the curvatures are 1 and {lam_flat:.3g}."
        ),
        latex=r"f(\theta) = \tfrac12\,\theta^\top R\,\mathrm{diag}(1/\kappa,\;1)\,R^\top\theta",
        value=value,
        grad=grad,
        hessian=hessian,
        bounds=((-10.0, 10.0), (-10.0, 10.0)),
        start=start,
        minima=np.array([[0.0, 0.0]]),
        levels="log",   # runs close in geometrically: evenly spaced levels would put all their steps in one band
        params={"condition": condition, "angle": angle},
        suggested={   # by optimizer family; a member's own key overrides its family
            "gd": {"lr": 1.8}, "sgd": {"lr": 0.5}, "minibatch": {"lr": 1.0},
            "momentum": {"lr": 0.5, "momentum": 0.8}, "adagrad": {"lr": 1.0}, "rmsprop": {"lr": 0.1},
            "adadelta": {"lr": 1.0}, "adam": {"lr": 0.3}, "lion": {"lr": 0.05},
        },
    )


def ravines(condition: Array, angle: Array) -> Landscape:
    """Many ravines at once, for studies that sample condition numbers and angles in one ``simulate()`` call.

    Start ``i`` of a run lives on the ravine with ``condition[i]`` and ``angle[i]`` (1-D arrays of one length
    ``n``), so its points must have shape ``(n, 2)`` (or ``(k, n, 2)``).  Everything else is the ravine's:
    bounds, minimum at the origin, and the default start of the first ravine.
    """
    condition, angle = np.broadcast_arrays(np.asarray(condition, dtype=np.float64), np.asarray(angle, dtype=np.float64))
    value, grad, hessian = _quadratic(*_ravine_hessian(condition, angle))
    return Landscape(
        name="ravine",
        title="Ravines (one per start)",
        description=f"{condition.size} ravines, condition numbers {condition.min():g} to {condition.max():g}, "
                    f"angles {angle.min():g}° to {angle.max():g}°.",
        latex=r"f_i(\theta) = \tfrac12\,\theta^\top R_i\,\mathrm{diag}(1/\kappa_i,\;1)\,R_i^\top\theta",
        value=value, grad=grad, hessian=hessian,
        bounds=((-10.0, 10.0), (-10.0, 10.0)),
        start=ravine_point(RAVINE_START, angle.flat[0]),
        minima=np.array([[0.0, 0.0]]),
    )


def rosenbrock() -> Landscape:
    """Rosenbrock's banana valley ``(1 - x)² + 100 (y - x²)²`` (Rosenbrock, 1960)."""

    def value(p: Array) -> Array:
        x, y = _xy(p)
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    def grad(p: Array) -> Array:
        x, y = _xy(p)
        r = y - x * x
        return stack_grad(-2 * (1 - x) - 400 * x * r, 200 * r)

    def hessian(p: Array) -> Array:
        x, y = _xy(p)
        return stack_hessian(2 - 400 * (y - x * x) + 800 * x * x, -400 * x, 200 * np.ones_like(x))

    return Landscape(
        name="rosenbrock",
        title="Rosenbrock",
        description=(
            "A curved, banana-shaped valley. Finding the valley is easy; following its gently sloping, bending "
            "floor to the minimum at (1, 1) is hard, because the walls are hundreds of times steeper than the floor."
        ),
        latex=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
        value=value,
        grad=grad,
        hessian=hessian,
        bounds=((-2.0, 2.0), (-1.0, 3.0)),
        start=np.array([-1.5, 2.5]),
        minima=np.array([[1.0, 1.0]]),
        levels="log",
        suggested={   # by optimizer family; a member's own key overrides its family
            "gd": {"lr": 0.001}, "sgd": {"lr": 0.0005}, "momentum": {"lr": 0.001, "momentum": 0.9},
            "adagrad": {"lr": 0.5}, "rmsprop": {"lr": 0.01}, "adadelta": {"lr": 1.0}, "adam": {"lr": 0.05},
            "lion": {"lr": 0.01},
            "sf_sgd": {"lr": 0.003}, "dadapt_adam": {"lr": 0.3}, "muon": {"lr": 0.03},
            "sam": {"lr": 0.0015, "radius": 0.02},
        },
    )


HIMMELBLAU_MINIMA = [
    [3.0, 2.0],
    [-2.805118086952745, 3.131312518250573],
    [-3.779310253377747, -3.283185991286169],
    [3.5844283403304917, -1.8481265269644034],
]


def himmelblau() -> Landscape:
    """Himmelblau's function ``(x² + y - 11)² + (x + y² - 7)²``: four minima of equal value 0."""

    def value(p: Array) -> Array:
        x, y = _xy(p)
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def grad(p: Array) -> Array:
        x, y = _xy(p)
        a, b = x * x + y - 11, x + y * y - 7
        return stack_grad(4 * x * a + 2 * b, 2 * a + 4 * y * b)

    def hessian(p: Array) -> Array:
        x, y = _xy(p)
        return stack_hessian(12 * x * x + 4 * y - 42, 4 * x + 4 * y, 4 * x + 12 * y * y - 26)

    return Landscape(
        name="himmelblau",
        title="Himmelblau (four minima)",
        description=(
            "Four valleys of exactly the same depth, separated by ridges and a hill near (-0.27, -0.92). "
            "Which one an optimizer ends in depends on where it starts and how it moves."
        ),
        latex=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        value=value,
        grad=grad,
        hessian=hessian,
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
        start=np.array([-0.5, -0.5]),
        minima=np.array(HIMMELBLAU_MINIMA),
        levels="log",
        suggested={   # by optimizer family; a member's own key overrides its family
            "gd": {"lr": 0.01}, "sgd": {"lr": 0.005}, "momentum": {"lr": 0.005, "momentum": 0.9},
            "adagrad": {"lr": 1.0}, "rmsprop": {"lr": 0.05}, "adadelta": {"lr": 1.0}, "adam": {"lr": 0.1},
            "lion": {"lr": 0.02},
            "sf_sgd": {"lr": 0.05}, "muon": {"lr": 0.05}, "dadapt_adam": {"lr": 0.2},
        },
    )


def rastrigin(amplitude: float = 10.0) -> Landscape:
    """Rastrigin's function ``2A + Σ (xᵢ² - A cos 2πxᵢ)``: a bowl covered in regular local minima."""
    k = 2 * np.pi

    def value(p: Array) -> Array:
        x, y = _xy(p)
        return 2 * amplitude + x * x - amplitude * np.cos(k * x) + y * y - amplitude * np.cos(k * y)

    def grad(p: Array) -> Array:
        x, y = _xy(p)
        return stack_grad(2 * x + amplitude * k * np.sin(k * x), 2 * y + amplitude * k * np.sin(k * y))

    def hessian(p: Array) -> Array:
        x, y = _xy(p)
        return stack_hessian(2 + amplitude * k * k * np.cos(k * x), np.zeros_like(x),
                             2 + amplitude * k * k * np.cos(k * y))

    return Landscape(
        name="rastrigin",
        title="Rastrigin (many local minima)",
        description=(
            "An egg-crate of local minima, one near every point with integer coordinates, on top of a wide bowl. "
            "Only the centre (0, 0) is the global minimum; gradient methods stop in whichever dimple they meet first."
        ),
        latex=r"f(x, y) = 20 + x^2 - 10\cos 2\pi x + y^2 - 10\cos 2\pi y",
        value=value,
        grad=grad,
        hessian=hessian,
        bounds=((-5.12, 5.12), (-5.12, 5.12)),
        start=np.array([3.3, -2.2]),
        minima=np.array([[0.0, 0.0]]),
        levels="log",   # keeps the bowl under the dimples visible (√ levels pass the test too, with fewer rings)
        suggested={   # by optimizer family; a member's own key overrides its family
            "gd": {"lr": 0.002}, "momentum": {"lr": 0.002, "momentum": 0.9}, "adagrad": {"lr": 0.5},
            "rmsprop": {"lr": 0.05}, "adadelta": {"lr": 1.0}, "adam": {"lr": 0.1}, "lion": {"lr": 0.05},
            "sf_sgd": {"lr": 0.01},
        },
    )


def saddle() -> Landscape:
    """``½x² - ½y² + ¼y⁴``: a saddle at the origin between two minima at (0, ±1)."""

    def value(p: Array) -> Array:
        x, y = _xy(p)
        return 0.5 * x * x - 0.5 * y * y + 0.25 * y**4

    def grad(p: Array) -> Array:
        x, y = _xy(p)
        return stack_grad(x, y**3 - y)

    def hessian(p: Array) -> Array:
        x, y = _xy(p)
        return stack_hessian(np.ones_like(x), np.zeros_like(x), 3 * y * y - 1)

    return Landscape(
        name="saddle",
        title="Saddle point",
        description=(
            "The origin is a saddle: a minimum along x but a maximum along y, with two true minima at (0, -1) "
            "and (0, 1). Starting almost exactly on the ridge line y = 0, gradient methods slow to a crawl near "
            "the saddle before they slide off into one of the minima."
        ),
        latex=r"f(x, y) = \tfrac12 x^2 - \tfrac12 y^2 + \tfrac14 y^4",
        value=value,
        grad=grad,
        hessian=hessian,
        bounds=((-2.0, 2.0), (-1.6, 1.6)),
        start=np.array([-1.8, 0.01]),
        minima=np.array([[0.0, -1.0], [0.0, 1.0]]),
        levels="log",
        suggested={   # by optimizer family; a member's own key overrides its family
            "gd": {"lr": 0.1}, "momentum": {"lr": 0.05, "momentum": 0.9}, "adagrad": {"lr": 0.5},
            "rmsprop": {"lr": 0.02}, "adadelta": {"lr": 1.0}, "adam": {"lr": 0.05}, "lion": {"lr": 0.02},
        },
    )


def beale() -> Landscape:
    """Beale's function: flat plateaus and sharp ridges, minimum at (3, 0.5)."""
    coef = np.array([1.5, 2.25, 2.625])
    powers = np.array([1.0, 2.0, 3.0])

    def _terms(p: Array) -> tuple[Array, Array, Array]:
        x, y = _xy(p)
        x, y = x[..., None], y[..., None]
        r = coef - x + x * y**powers  # residuals r_k = c_k - x + x y^k
        return x, y, r

    def value(p: Array) -> Array:
        _, _, r = _terms(p)
        return np.sum(r * r, axis=-1)

    def grad(p: Array) -> Array:
        x, y, r = _terms(p)
        drdx = y**powers - 1
        drdy = powers * x * y ** (powers - 1)
        return stack_grad(np.sum(2 * r * drdx, -1), np.sum(2 * r * drdy, -1))

    def hessian(p: Array) -> Array:
        x, y, r = _terms(p)
        drdx = y**powers - 1
        drdy = powers * x * y ** (powers - 1)
        d2xy = powers * y ** (powers - 1)
        d2yy = powers * (powers - 1) * x * y ** np.maximum(powers - 2, 0)
        hxx = np.sum(2 * drdx * drdx, -1)
        hxy = np.sum(2 * (drdx * drdy + r * d2xy), -1)
        hyy = np.sum(2 * (drdy * drdy + r * d2yy), -1)
        return stack_hessian(hxx, hxy, hyy)

    return Landscape(
        name="beale",
        title="Beale",
        description=(
            "Broad flat plateaus broken by steep, narrow ridges near the corners. The minimum at (3, 0.5) sits "
            "at the end of a shallow valley; losses range over many orders of magnitude."
        ),
        latex=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        value=value,
        grad=grad,
        hessian=hessian,
        bounds=((-4.5, 4.5), (-4.5, 4.5)),
        start=np.array([1.0, 1.5]),
        minima=np.array([[3.0, 0.5]]),
        levels="log",
        suggested={   # by optimizer family; a member's own key overrides its family
            "gd": {"lr": 0.01}, "sgd": {"lr": 0.005}, "momentum": {"lr": 0.005, "momentum": 0.9},
            "adagrad": {"lr": 0.5}, "rmsprop": {"lr": 0.01}, "adadelta": {"lr": 1.0}, "adam": {"lr": 0.05},
            "lion": {"lr": 0.01},
            "sf_sgd": {"lr": 0.01}, "muon": {"lr": 0.05},
        },
    )


def two_wells(tilt: float = 0.5) -> Landscape:
    """Tilted double well ``(x² - 1)² + tilt·x + ½y²``: a shallow minimum on the right, a deep one on the left."""
    roots = np.roots([4.0, 0.0, -4.0, tilt])
    roots = np.sort(roots[np.abs(roots.imag) < 1e-9].real)
    for _ in range(3):  # polish the two outer roots of f_x = 4x³ - 4x + tilt with Newton
        roots = roots - (4 * roots**3 - 4 * roots + tilt) / (12 * roots**2 - 4)

    def value(p: Array) -> Array:
        x, y = _xy(p)
        return (x * x - 1) ** 2 + tilt * x + 0.5 * y * y

    def grad(p: Array) -> Array:
        x, y = _xy(p)
        return stack_grad(4 * x**3 - 4 * x + tilt, y)

    def hessian(p: Array) -> Array:
        x, _ = _xy(p)
        return stack_hessian(12 * x * x - 4, np.zeros_like(x), np.ones_like(x))

    return Landscape(
        name="two_wells",
        title="Two wells (shallow and deep)",
        description=(
            "Two valleys side by side: a shallow one on the right and a deeper one on the left, separated by a "
            "low ridge. Started on the right, plain gradient descent settles in the shallow valley; inertia or "
            "gradient noise can carry an optimizer over the ridge into the deeper one."
        ),
        latex=rf"f(x, y) = (x^2 - 1)^2 + {tilt:g}\,x + \tfrac12 y^2",
        value=value,
        grad=grad,
        hessian=hessian,
        bounds=((-2.0, 2.0), (-1.5, 1.5)),
        start=np.array([1.9, 1.0]),
        minima=np.array([[roots[0], 0.0], [roots[-1], 0.0]]),
        levels="log",   # log above each well's minimum: rings close in around the shallow one too
        params={"tilt": tilt},
        suggested={   # by optimizer family; a member's own key overrides its family
            "gd": {"lr": 0.02}, "sgd": {"noise": 3.0}, "minibatch": {"noise": 3.0},
            "momentum": {"lr": 0.02, "momentum": 0.9}, "adagrad": {"lr": 0.5}, "rmsprop": {"lr": 0.02},
            "adadelta": {"lr": 1.0}, "adam": {"lr": 0.05}, "lion": {"lr": 0.02},
            "sf_sgd": {"lr": 0.1},
        },
    )
