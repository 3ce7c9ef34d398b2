"""The vocabulary of a formula: the variables ``x`` and ``y``, the named constants, and the whitelisted
functions, each knowing only its NumPy counterpart and its derivative."""
from __future__ import annotations

import types
from collections.abc import Callable

import numpy as np
import sympy

from landscapes.base import Array

X, Y = sympy.Symbol("x"), sympy.Symbol("y")
NAMES: dict[str, sympy.Expr] = {"x": X, "y": Y, "pi": sympy.pi, "e": sympy.E}


class Unary(sympy.Function):
    """A whitelisted function of one argument that SymPy never rewrites.

    SymPy's own ``tanh``, ``Abs``, ... consult its assumption system whenever
    they are built, which takes seconds on nested input such as
    ``tanh(tanh(...))``, and differentiate ``abs`` through ``re``/``im``.
    These classes know only their NumPy counterpart and their derivative.
    """

    nargs = 1
    numpy: Callable[[Array], Array]
    derivative: Callable[[sympy.Expr], sympy.Expr]
    latex_template: str | None = None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        """The derivative with respect to the argument."""
        return self.derivative(self.args[0])

    def _latex(self, printer: sympy.printing.latex.LatexPrinter, exp: str | None = None) -> str:
        arg = printer._print(self.args[0])
        if self.latex_template:
            text = self.latex_template.replace("ARG", arg)
            if exp is None:
                return text
            return f"{text}^{{{exp}}}" if text.endswith(r"\right|") else rf"\left({text}\right)^{{{exp}}}"
        power = "" if exp is None else f"^{{{exp}}}"
        return rf"\{self.func.__name__}{power}{{\left({arg} \right)}}"


def _unary(
    name: str, numpy: Callable[[Array], Array], derivative: Callable[[sympy.Expr], sympy.Expr],
    latex_template: str | None = None,
) -> type[Unary]:
    """A :class:`Unary` subclass called ``name``; ``latex_template`` writes ``ARG`` for the argument."""
    body: dict[str, object] = {"numpy": staticmethod(numpy), "derivative": staticmethod(derivative),
                               "latex_template": latex_template}
    return types.new_class(name, (Unary,), exec_body=lambda ns: ns.update(body))

SIN: type[Unary] = _unary("sin", np.sin, lambda u: COS(u))
COS: type[Unary] = _unary("cos", np.cos, lambda u: -SIN(u))
TAN: type[Unary] = _unary("tan", np.tan, lambda u: 1 + TAN(u) ** 2)
EXP: type[Unary] = _unary("exp", np.exp, lambda u: EXP(u), r"e^{ARG}")
LOG: type[Unary] = _unary("log", np.log, lambda u: 1 / u)
TANH: type[Unary] = _unary("tanh", np.tanh, lambda u: 1 - TANH(u) ** 2)
SINH: type[Unary] = _unary("sinh", np.sinh, lambda u: COSH(u))
COSH: type[Unary] = _unary("cosh", np.cosh, lambda u: SINH(u))
ARCTAN: type[Unary] = _unary("arctan", np.arctan, lambda u: 1 / (1 + u**2))
# The derivative of sign is 0 everywhere except at 0, where abs has its kink.
SIGN: type[Unary] = _unary("sign", np.sign, lambda u: sympy.S.Zero, r"\operatorname{sign}\left(ARG\right)")
ABS: type[Unary] = _unary("abs", np.abs, lambda u: SIGN(u), r"\left|ARG\right|")
FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sin": SIN, "cos": COS, "tan": TAN, "exp": EXP, "log": LOG, "sqrt": sympy.sqrt, "abs": ABS,
    "tanh": TANH, "sinh": SINH, "cosh": COSH, "arctan": ARCTAN, "atan": ARCTAN,
}
ALLOWED = (
    "use x, y, numbers, pi, e, + - * / ** (or ^) and "
    "sin, cos, tan, exp, log, sqrt, abs, tanh, sinh, cosh, arctan (atan)"
)
