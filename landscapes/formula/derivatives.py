"""Exact derivatives with a budget: the size of ``sympy.diff``'s result is estimated before it is built."""
from __future__ import annotations

import sympy

GRADIENT_BUDGET = 2_000  # estimated size of the two gradient expressions (SymPy needs ~20-100 µs per part)
HESSIAN_BUDGET = 6_000  # estimated size of the three Hessian expressions


def differentiate(
    pairs: tuple[tuple[sympy.Expr, sympy.Symbol], ...], budget: int, order: str
) -> list[sympy.Expr]:
    """``sympy.diff`` of each ``(expr, var)``, refused up front if the results would take long to build."""
    size = sum(_derivative_size(expr, var) for expr, var in pairs)
    if size > budget:
        raise ValueError(
            f"The formula is too complex to differentiate quickly (its {order} derivatives would have about "
            f"{size} parts; the limit is {budget}): use fewer nested functions or long products."
        )
    return [sympy.diff(expr, var) for expr, var in pairs]


def _derivative_size(expr: sympy.Expr, var: sympy.Symbol) -> int:
    """An estimate (usually 1-2.5 times too large) of the tree size of ``diff(expr, var)``.

    The product rule copies every other factor once per factor that depends on
    ``var``, and the chain rule copies the argument of a function or power, so
    the size follows from the sizes of the subtrees without differentiating.
    """
    memo: dict[sympy.Expr, tuple[int, int]] = {}

    def sizes(e: sympy.Expr) -> tuple[int, int]:
        """(tree size, derivative size) of ``e``."""
        if e not in memo:
            parts = [sizes(arg) for arg in e.args]
            size = 1 + sum(s for s, _ in parts)
            if not parts or all(d == 0 for _, d in parts):
                memo[e] = (size, int(e == var))
            elif e.is_Add:
                memo[e] = (size, 1 + sum(d for _, d in parts))
            elif e.is_Mul:
                memo[e] = (size, 1 + sum(d + size - s for s, d in parts if d))
            else:  # a function or power: f'(u) u', with a log term for a variable exponent
                memo[e] = (size, 2 * size + sum(d for _, d in parts) + 2)
        return memo[e]

    return sizes(expr)[1]
