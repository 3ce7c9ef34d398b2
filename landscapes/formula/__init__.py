"""A user's formula in ``x`` and ``y``, turned safely into a :class:`~landscapes.base.Landscape`.

The text is parsed with :mod:`ast` and checked against a whitelist (numbers,
``x``, ``y``, ``pi``, ``e``, ``+ - * / **``, unary signs and a fixed set of
functions), with limits on length, depth, size, numbers and exponents.  The
checked tree is walked by hand into a SymPy expression (constant parts other
than plain numbers, pi and e are folded into floats), and ``sympy.diff`` gives
the exact gradient and Hessian, after an estimate of their size has been
checked against a budget so that no formula keeps SymPy busy for long.  A small
tree-walking compiler turns the SymPy expressions into vectorized NumPy
closures.  Nothing ever calls ``eval``, ``exec``, ``sympify``, ``parse_expr``
or ``lambdify``.

One module per concern: :mod:`.symbols` (the whitelisted vocabulary),
:mod:`.whitelist` (text to SymPy), :mod:`.build` (safe SymPy arithmetic),
:mod:`.derivatives` (the derivative budget), :mod:`.compiler` (SymPy to NumPy),
:mod:`.checks` (bounds and start) and :mod:`.minima` (the minima search).
"""
from __future__ import annotations

import numpy as np
import sympy

from landscapes.base import Array, Bounds, Landscape, stack_grad, stack_hessian
from landscapes.formula.checks import MAX_BOUND, check_bounds, check_start
from landscapes.formula.compiler import compile_program, vectorize
from landscapes.formula.derivatives import GRADIENT_BUDGET, HESSIAN_BUDGET, differentiate
from landscapes.formula.minima import GRID, find_minima
from landscapes.formula.symbols import ALLOWED, FUNCTIONS, X, Y
from landscapes.formula.whitelist import MAX_DEPTH, MAX_LENGTH, MAX_LITERAL, MAX_NODES, parse

__all__ = ["ALLOWED", "FUNCTIONS", "MAX_BOUND", "MAX_DEPTH", "MAX_LENGTH", "MAX_LITERAL", "MAX_NODES", "from_formula",
           "parse"]


def from_formula(
    expr: str, bounds: Bounds = ((-3.0, 3.0), (-3.0, 3.0)), start: Array | None = None
) -> Landscape:
    """Build a :class:`Landscape` from the formula ``expr`` in ``x`` and ``y``.

    Raises ``ValueError`` with a message a person can act on for anything
    outside the whitelist, beyond the limits, or not finite on most of ``bounds``.
    """
    box = check_bounds(bounds)
    f = parse(expr)
    values = vectorize(compile_program([f]))

    def value(p: Array) -> Array:
        return values(p)[0]

    lo, hi = np.array([b[0] for b in box]), np.array([b[1] for b in box])
    grid = np.stack(np.meshgrid(np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID)), -1)
    grid_values = value(grid)
    if np.count_nonzero(np.isfinite(grid_values)) < grid_values.size / 2:
        raise ValueError(
            "The formula is not finite on most of the bounds (for example log or sqrt of a negative "
            "number, or a division by zero): change the formula or the bounds."
        )
    fx, fy = differentiate(((f, X), (f, Y)), GRADIENT_BUDGET, "first")
    gradients = vectorize(compile_program([fx, fy]))
    hessians = vectorize(compile_program(differentiate(((fx, X), (fx, Y), (fy, Y)), HESSIAN_BUDGET, "second")))

    def grad(p: Array) -> Array:
        return stack_grad(*gradients(p))

    def hessian(p: Array) -> Array:
        return stack_hessian(*hessians(p))

    centre = (lo + hi) / 2
    return Landscape(
        name="custom",
        title="Custom formula",
        description=(
            "Your own formula, differentiated exactly with SymPy. Its minima were located numerically "
            "(the lowest points of a grid, refined by Newton's method), so flat or boundary minima "
            "may be missed."
        ),
        latex="f(x, y) = " + sympy.latex(f),
        value=value,
        grad=grad,
        hessian=hessian,
        bounds=box,
        start=centre + 0.8 * (np.array([lo[0], hi[1]]) - centre) if start is None else check_start(start),
        minima=find_minima(value, grad, hessian, grid, grid_values, lo, hi),
        levels="log",
        params={},
        suggested={},
    )
