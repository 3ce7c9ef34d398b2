"""A small tree-walking compiler from SymPy expressions to vectorized NumPy closures (no ``lambdify``)."""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import sympy

from landscapes.base import Array
from landscapes.formula.symbols import ALLOWED, Unary, X, Y

# SymPy's own functions that its arithmetic creates: log from differentiating u**v, exp from e*e.
_SYMPY_FUNCTIONS: dict[type, Callable[[Array], Array]] = {sympy.log: np.log, sympy.exp: np.exp}
Program = Callable[[Array, Array], "list[Array | float]"]


def compile_program(exprs: list[sympy.Expr]) -> Program:
    """Compile ``exprs`` into one NumPy program ``run(x, y) -> [values]``.

    The expression trees are walked once; every distinct subexpression gets a
    slot and a closure computing it from earlier slots, so subexpressions
    shared between (and within) the expressions are computed once per call.
    Constants come back as floats.
    """
    slots: dict[sympy.Expr, int] = {X: 0, Y: 1}
    steps: list[Callable[[list], Array | float]] = []

    def visit(expr: sympy.Expr) -> int:
        if expr not in slots:
            steps.append(_step(expr, [visit(arg) for arg in expr.args]))
            slots[expr] = len(slots)
        return slots[expr]

    outputs = [visit(expr) for expr in exprs]

    def run(x: Array, y: Array) -> list[Array | float]:
        values: list[Array | float] = [x, y]
        for step in steps:
            values.append(step(values))
        return [values[i] for i in outputs]

    return run


def _step(expr: sympy.Expr, args: list[int]) -> Callable[[list], Array | float]:
    """The closure computing ``expr`` from the slots ``args`` of its arguments."""
    if expr.is_Number or expr.is_NumberSymbol or expr is sympy.I:
        c = _number(expr)
        return lambda v: c
    if expr.is_Add:
        return lambda v: sum(v[i] for i in args)
    if expr.is_Mul:
        return lambda v: math.prod(v[i] for i in args)
    if expr.is_Pow:
        base, exponent = args
        return lambda v: np.power(v[base], v[exponent])
    if isinstance(expr, Unary) or expr.func in _SYMPY_FUNCTIONS:
        ufunc = expr.numpy if isinstance(expr, Unary) else _SYMPY_FUNCTIONS[expr.func]
        (arg,) = args
        return lambda v: ufunc(v[arg])
    raise ValueError(f"The formula produced '{expr.func.__name__}', which cannot be evaluated: {ALLOWED}.")


def _number(expr: sympy.Expr) -> float:
    """A SymPy constant as a float (nan for non-real ones, ±inf on overflow)."""
    if expr is sympy.I:
        return math.nan
    if expr.is_Rational:
        try:
            return expr.p / expr.q
        except OverflowError:
            return math.copysign(math.inf, expr.p)
    return float(expr)


def vectorize(run: Program) -> Callable[[Array], list[Array]]:
    """Wrap ``run(x, y)`` as ``f(p)`` for points ``(..., 2)``; every output has shape ``(...)``."""

    def f(p: Array) -> list[Array]:
        p = np.asarray(p, dtype=np.float64)
        zeros = np.zeros(p.shape[:-1])
        with np.errstate(all="ignore"):
            return [np.asarray(out, dtype=np.float64) + zeros for out in run(p[..., 0], p[..., 1])]

    return f
