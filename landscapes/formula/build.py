"""Building SymPy safely: constant parts folded into floats, undefined and oversized constants refused."""
from __future__ import annotations

import math

import numpy as np
import sympy

from landscapes.formula.compiler import compile_program

MAX_EXPONENT = 100  # largest |constant exponent|
MAX_CONSTANT = 10**300  # largest numerator/denominator/float SymPy may build from the constants
_UNDEFINED = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)


def check_exponent(exponent: sympy.Expr) -> None:
    """Refuse constant exponents that are not real numbers within ±MAX_EXPONENT."""
    if exponent.free_symbols:
        return
    value = constant_value(exponent)
    if not abs(value) <= MAX_EXPONENT:
        raise ValueError(
            f"The exponent {value:g} is not allowed: constant exponents must be real numbers "
            f"within ±{MAX_EXPONENT}."
        )


def checked(expr: sympy.Expr) -> sympy.Expr:
    """Fold constant parts into floats; refuse undefined constants and ones too large to compute with.

    Only plain constants (numbers, pi, e, and products or powers of these such
    as 2*pi or sqrt(2)) stay symbolic: SymPy evaluates other constant
    expressions with arbitrary precision whenever it builds on them, which
    can take seconds, so ``sin(2) + 1`` becomes the float it equals.
    """
    if expr.has(*_UNDEFINED):
        raise undefined()
    if not expr.free_symbols and not _plain_constant(expr):
        value = constant_value(expr)
        if not math.isfinite(value):
            raise undefined()
        expr = sympy.Float(value)
    for number in expr.atoms(sympy.Number):
        too_big = (
            abs(number.p) > MAX_CONSTANT or number.q > MAX_CONSTANT
            if number.is_Rational
            else not abs(float(number)) <= MAX_CONSTANT
        )
        if too_big:
            raise ValueError("A constant in the formula is too large (beyond 1e300): use smaller numbers.")
    return expr


def undefined() -> ValueError:
    """The error for a formula with an undefined or infinite constant part."""
    return ValueError(
        "The formula has an undefined or infinite part (such as 1/0, 1/(x-x), log(0), sqrt(-1) or "
        "exp(1000)): change it so it has a finite real value."
    )


def _plain_constant(expr: sympy.Expr) -> bool:
    """A number, pi or e, or a product or power of these (2*pi, pi/2, sqrt(2))."""
    atoms = expr.args if expr.is_Mul or expr.is_Pow else (expr,)
    return all(atom.is_Number or atom in (sympy.pi, sympy.E) for atom in atoms)


def constant_value(expr: sympy.Expr) -> float:
    """The float value of a constant expression, computed with NumPy (nan if it is not real)."""
    with np.errstate(all="ignore"):
        return float(compile_program([expr])(np.zeros(()), np.zeros(()))[0])
