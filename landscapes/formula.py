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
"""
from __future__ import annotations

import ast
import math
import types
from collections.abc import Callable

import numpy as np
import sympy

from landscapes.base import Array, Bounds, Landscape, stack_grad, stack_hessian

MAX_LENGTH = 300  # characters of formula text
MAX_DEPTH = 40  # nesting depth of the expression tree
MAX_NODES = 300  # expression nodes in the tree
MAX_LITERAL = 1e15  # largest number that may be typed
MAX_EXPONENT = 100  # largest |constant exponent|
MAX_CONSTANT = 10**300  # largest numerator/denominator/float SymPy may build from the constants
GRADIENT_BUDGET = 2_000  # estimated size of the two gradient expressions (SymPy needs ~20-100 µs per part)
HESSIAN_BUDGET = 6_000  # estimated size of the three Hessian expressions
MAX_BOUND = 1e6  # largest |bound|
GRID = 61  # grid points per axis for the finiteness check and the minima search
NEWTON_STEPS = 50
MAX_CANDIDATES = 100  # lowest grid minima polished by Newton's method
MAX_MINIMA = 10

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
    body = {"numpy": staticmethod(numpy), "derivative": staticmethod(derivative)}
    body["latex_template"] = latex_template
    return types.new_class(name, (Unary,), exec_body=lambda ns: ns.update(body))


SIN = _unary("sin", np.sin, lambda u: COS(u))
COS = _unary("cos", np.cos, lambda u: -SIN(u))
TAN = _unary("tan", np.tan, lambda u: 1 + TAN(u) ** 2)
EXP = _unary("exp", np.exp, lambda u: EXP(u), r"e^{ARG}")
LOG = _unary("log", np.log, lambda u: 1 / u)
TANH = _unary("tanh", np.tanh, lambda u: 1 - TANH(u) ** 2)
SINH = _unary("sinh", np.sinh, lambda u: COSH(u))
COSH = _unary("cosh", np.cosh, lambda u: SINH(u))
ARCTAN = _unary("arctan", np.arctan, lambda u: 1 / (1 + u**2))
# The derivative of sign is 0 everywhere except at 0, where abs has its kink.
SIGN = _unary("sign", np.sign, lambda u: sympy.S.Zero, r"\operatorname{sign}\left(ARG\right)")
ABS = _unary("abs", np.abs, lambda u: SIGN(u), r"\left|ARG\right|")

FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sin": SIN, "cos": COS, "tan": TAN, "exp": EXP, "log": LOG, "sqrt": sympy.sqrt, "abs": ABS,
    "tanh": TANH, "sinh": SINH, "cosh": COSH, "arctan": ARCTAN, "atan": ARCTAN,
}
ALLOWED = (
    "use x, y, numbers, pi, e, + - * / ** (or ^) and "
    "sin, cos, tan, exp, log, sqrt, abs, tanh, sinh, cosh, arctan (atan)"
)
_OPERATORS: dict[type[ast.operator], Callable[[sympy.Expr, sympy.Expr], sympy.Expr]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
_OPERATOR_TEXT: dict[type[ast.operator], str] = {
    ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitOr: "|", ast.BitAnd: "&",
    ast.LShift: "<<", ast.RShift: ">>",
}
_CONSTRUCTS: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access (a.b)", ast.Subscript: "indexing (a[...])", ast.Lambda: "lambda",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions", ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions", ast.Compare: "comparisons", ast.BoolOp: "and/or",
    ast.IfExp: "if/else", ast.NamedExpr: "assignment (:=)", ast.JoinedStr: "f-strings",
    ast.FormattedValue: "f-strings", ast.Starred: "starred arguments (*a)", ast.List: "lists",
    ast.Tuple: "tuples", ast.Set: "sets", ast.Dict: "dicts", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield", ast.Slice: "slices",
}
_UNDEFINED = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)
# SymPy's own functions that its arithmetic creates: log from differentiating u**v, exp from e*e.
_SYMPY_FUNCTIONS: dict[type, Callable[[Array], Array]] = {sympy.log: np.log, sympy.exp: np.exp}

_Program = Callable[[Array, Array], "list[Array | float]"]


def from_formula(
    expr: str, bounds: Bounds = ((-3.0, 3.0), (-3.0, 3.0)), start: Array | None = None
) -> Landscape:
    """Build a :class:`Landscape` from the formula ``expr`` in ``x`` and ``y``.

    Raises ``ValueError`` with a message a person can act on for anything
    outside the whitelist, beyond the limits, or not finite on most of ``bounds``.
    """
    box = _check_bounds(bounds)
    f = parse(expr)
    values = _vectorize(_compile([f]))

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
    fx, fy = _differentiate(((f, X), (f, Y)), GRADIENT_BUDGET, "first")
    gradients = _vectorize(_compile([fx, fy]))
    hessians = _vectorize(_compile(_differentiate(((fx, X), (fx, Y), (fy, Y)), HESSIAN_BUDGET, "second")))

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
        start=centre + 0.8 * (np.array([lo[0], hi[1]]) - centre) if start is None else _check_start(start),
        minima=_find_minima(value, grad, hessian, grid, grid_values, lo, hi),
        params={},
        suggested={},
    )


def parse(expr: str) -> sympy.Expr:
    """The SymPy expression of the formula ``expr``, or ``ValueError`` saying what is wrong."""
    if not isinstance(expr, str):
        raise ValueError(f"The formula must be text, not {type(expr).__name__}.")
    if len(expr) > MAX_LENGTH:
        raise ValueError(f"The formula is too long ({len(expr)} characters; at most {MAX_LENGTH}).")
    text = expr.strip()
    if not text:
        raise ValueError(f"The formula is empty: type an expression in x and y, e.g. x**2 + y**2; {ALLOWED}.")
    source = text.replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        column = _original_column(text, err.offset or 1)
        raise ValueError(f"Syntax error at character {column} of {text!r}: {err.msg}.") from None
    except (ValueError, RecursionError, MemoryError):
        raise ValueError(f"The formula cannot be read: {ALLOWED}.") from None
    _check_size(tree.body)
    return _build(tree.body, source)


def _original_column(text: str, offset: int) -> int:
    """Map a 1-based column of the text with ``^`` written as ``**`` back to ``text``."""
    seen = 0
    for column, char in enumerate(text, start=1):
        seen += 2 if char == "^" else 1
        if seen >= offset:
            return column
    return len(text) + 1


def _check_size(root: ast.expr) -> None:
    """Enforce the node-count and depth limits without recursion.

    A chain such as ``a + b - c + d`` is one level deep, as in the flattened
    sum SymPy builds from it, so long sums and products stay allowed.
    """
    nodes, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise ValueError(f"The formula is too large (more than {MAX_NODES} parts): simplify it.")
        if depth > MAX_DEPTH:
            raise ValueError(f"The formula is nested too deeply (more than {MAX_DEPTH} levels): simplify it.")
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                stack.append((child, depth if _same_chain(node, child) else depth + 1))


def _same_chain(node: ast.AST, child: ast.AST) -> bool:
    """Whether ``child`` continues the left-nested chain of ``+ -`` or ``* /`` that ``node`` belongs to."""
    chains = ((ast.Add, ast.Sub), (ast.Mult, ast.Div))
    return (
        isinstance(node, ast.BinOp) and isinstance(child, ast.BinOp) and child is node.left
        and any(isinstance(node.op, ops) and isinstance(child.op, ops) for ops in chains)
    )


def _build(node: ast.expr, source: str) -> sympy.Expr:
    """Walk one whitelisted node into SymPy; anything else raises ``ValueError``."""
    if isinstance(node, ast.Constant):
        return _literal(node.value)
    if isinstance(node, ast.Name):
        if node.id in NAMES:
            return NAMES[node.id]
        if node.id in FUNCTIONS:
            raise ValueError(f"'{node.id}' is a function: call it on one argument, e.g. {node.id}(x).")
        raise ValueError(f"'{node.id}' is not allowed: {ALLOWED}.")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        operand = _build(node.operand, source)
        return _checked(-operand if isinstance(node.op, ast.USub) else operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        if isinstance(node.op, ast.Pow):
            _check_exponent_node(node.right)
        left, right = _build(node.left, source), _build(node.right, source)
        if isinstance(node.op, ast.Pow):
            _check_exponent(right)
            if left == sympy.E:
                return _checked(EXP(right))
        try:
            return _checked(_OPERATORS[type(node.op)](left, right))
        except ZeroDivisionError:  # SymPy raises it for some divisions by a float 0.0
            raise _undefined() from None
    if isinstance(node, ast.BinOp):
        op = _OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)
        raise ValueError(f"The operator '{op}' is not allowed: {ALLOWED}.")
    if isinstance(node, ast.Call):
        return _checked(_call(node, source))
    what = _CONSTRUCTS.get(type(node), type(node).__name__)
    raise ValueError(f"'{_snippet(node, source)}' uses {what}, which is not allowed in a formula: {ALLOWED}.")


def _literal(value: object) -> sympy.Expr:
    """A typed number as SymPy: int exactly, float as a Float; anything else is refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        kind = "text" if isinstance(value, (str, bytes)) else type(value).__name__
        raise ValueError(f"The value {value!r} ({kind}) is not allowed: {ALLOWED}.")
    if not (math.isfinite(value) and abs(value) <= MAX_LITERAL):
        raise ValueError(f"The number {value!r} is too large: numbers must lie within ±{MAX_LITERAL:g}.")
    return sympy.Integer(value) if isinstance(value, int) else sympy.Float(value)


def _call(node: ast.Call, source: str) -> sympy.Expr:
    """A call of a whitelisted function by plain name, with exactly one positional argument."""
    if not isinstance(node.func, ast.Name):
        raise ValueError(
            f"'{_snippet(node.func, source)}' is not allowed: call functions by their plain name, "
            f"e.g. sin(x); {ALLOWED}."
        )
    name = node.func.id
    if name not in FUNCTIONS:
        raise ValueError(f"The function '{name}' is not allowed: {ALLOWED}.")
    if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
        raise ValueError(f"{name}() takes exactly one argument and no keywords, e.g. {name}(x + y).")
    return FUNCTIONS[name](_build(node.args[0], source))


def _check_exponent_node(node: ast.expr) -> None:
    """Refuse towers of powers such as ``9**9**9`` before building them."""
    while isinstance(node, ast.UnaryOp):
        node = node.operand
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        raise ValueError(
            "A power whose exponent is itself a power (like 9**9**9) is not allowed: "
            "write (a**b)**c with parentheses, or use exp()."
        )


def _check_exponent(exponent: sympy.Expr) -> None:
    """Refuse constant exponents that are not real numbers within ±MAX_EXPONENT."""
    if exponent.free_symbols:
        return
    value = _constant_value(exponent)
    if not abs(value) <= MAX_EXPONENT:
        raise ValueError(
            f"The exponent {value:g} is not allowed: constant exponents must be real numbers "
            f"within ±{MAX_EXPONENT}."
        )


def _checked(expr: sympy.Expr) -> sympy.Expr:
    """Fold constant parts into floats; refuse undefined constants and ones too large to compute with.

    Only plain constants (numbers, pi, e, and products or powers of these such
    as 2*pi or sqrt(2)) stay symbolic: SymPy evaluates other constant
    expressions with arbitrary precision whenever it builds on them, which
    can take seconds, so ``sin(2) + 1`` becomes the float it equals.
    """
    if expr.has(*_UNDEFINED):
        raise _undefined()
    if not expr.free_symbols and not _plain_constant(expr):
        value = _constant_value(expr)
        if not math.isfinite(value):
            raise _undefined()
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


def _undefined() -> ValueError:
    """The error for a formula with an undefined or infinite constant part."""
    return ValueError(
        "The formula has an undefined or infinite part (such as 1/0, 1/(x-x), log(0), sqrt(-1) or "
        "exp(1000)): change it so it has a finite real value."
    )


def _plain_constant(expr: sympy.Expr) -> bool:
    """A number, pi or e, or a product or power of these (2*pi, pi/2, sqrt(2))."""
    atoms = expr.args if expr.is_Mul or expr.is_Pow else (expr,)
    return all(atom.is_Number or atom in (sympy.pi, sympy.E) for atom in atoms)


def _constant_value(expr: sympy.Expr) -> float:
    """The float value of a constant expression, computed with NumPy (nan if it is not real)."""
    with np.errstate(all="ignore"):
        return float(_compile([expr])(np.zeros(()), np.zeros(()))[0])


def _differentiate(
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


def _snippet(node: ast.AST, source: str) -> str:
    """The source text of ``node``, shortened for messages."""
    text = ast.get_source_segment(source, node) or type(node).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _compile(exprs: list[sympy.Expr]) -> _Program:
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


def _vectorize(run: _Program) -> Callable[[Array], list[Array]]:
    """Wrap ``run(x, y)`` as ``f(p)`` for points ``(..., 2)``; every output has shape ``(...)``."""

    def f(p: Array) -> list[Array]:
        p = np.asarray(p, dtype=np.float64)
        zeros = np.zeros(p.shape[:-1])
        with np.errstate(all="ignore"):
            return [np.asarray(out, dtype=np.float64) + zeros for out in run(p[..., 0], p[..., 1])]

    return f


def _check_bounds(bounds: object) -> Bounds:
    """``((xmin, xmax), (ymin, ymax))`` as floats, or ``ValueError``."""
    try:
        box = np.asarray(bounds, dtype=np.float64)
    except (TypeError, ValueError):
        box = None
    if box is None or box.shape != (2, 2) or not np.all(np.isfinite(box)) or np.any(np.abs(box) > MAX_BOUND):
        raise ValueError(
            f"Invalid bounds {bounds!r}: give ((xmin, xmax), (ymin, ymax)) as finite numbers "
            f"within ±{MAX_BOUND:g}."
        )
    if not (box[0, 0] < box[0, 1] and box[1, 0] < box[1, 1]):
        raise ValueError(f"Invalid bounds {bounds!r}: each minimum must be smaller than its maximum.")
    return (float(box[0, 0]), float(box[0, 1])), (float(box[1, 0]), float(box[1, 1]))


def _check_start(start: object) -> Array:
    """A finite start point of shape ``(2,)``, or ``ValueError``."""
    try:
        point = np.asarray(start, dtype=np.float64)
    except (TypeError, ValueError):
        point = None
    if point is None or point.shape != (2,) or not np.all(np.isfinite(point)):
        raise ValueError(f"Invalid start {start!r}: give two finite numbers (x, y).")
    return point


def _positive_definite(h: Array) -> Array:
    """Whether each symmetric 2x2 matrix in ``h`` (..., 2, 2) is positive definite."""
    det = h[..., 0, 0] * h[..., 1, 1] - h[..., 0, 1] * h[..., 1, 0]
    return (h[..., 0, 0] > 0) & (det > 0) & np.isfinite(det)


@np.errstate(all="ignore")
def _find_minima(
    value: Callable[[Array], Array],
    grad: Callable[[Array], Array],
    hessian: Callable[[Array], Array],
    grid: Array,
    grid_values: Array,
    lo: Array,
    hi: Array,
) -> Array:
    """Local minima of the grid, polished by damped Newton steps, checked, deduplicated, lowest first."""
    v = np.where(np.isfinite(grid_values), grid_values, np.inf)
    centre = v[1:-1, 1:-1]
    is_min = np.isfinite(centre)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            is_min &= centre <= v[1 + dy:v.shape[0] - 1 + dy, 1 + dx:v.shape[1] - 1 + dx]
    candidates = grid[1:-1, 1:-1][is_min]
    candidates = candidates[np.argsort(centre[is_min], kind="stable")[:MAX_CANDIDATES]]
    p = _polish(value, grad, hessian, candidates, np.linalg.norm(hi - lo))
    g, h, f = grad(p), hessian(p), value(p)
    keep = (
        np.all((p >= lo) & (p <= hi), axis=-1) & np.isfinite(f)
        & (np.linalg.norm(g, axis=-1) < 1e-6) & _positive_definite(h)
    )
    p, f = p[keep], f[keep]
    p = p[np.argsort(f, kind="stable")]
    scaled = p / (hi - lo)
    near = np.linalg.norm(scaled[:, None] - scaled[None], axis=-1) < 1e-4
    duplicate = np.triu(near, k=1).any(axis=0)  # a lower point lies within the tolerance
    return p[~duplicate][:MAX_MINIMA].reshape(-1, 2)


def _polish(
    value: Callable[[Array], Array],
    grad: Callable[[Array], Array],
    hessian: Callable[[Array], Array],
    p: Array,
    diagonal: float,
) -> Array:
    """Up to ``NEWTON_STEPS`` damped Newton steps for all points ``(n, 2)`` at once (call under errstate).

    Where the Hessian is not positive definite the direction is the negative
    gradient, scaled to a tenth of the box diagonal.  Each step is halved up to
    eleven times until the value does not increase; points that cannot descend stay.
    """
    fractions = 0.5 ** np.arange(12)
    for _ in range(NEWTON_STEPS):
        g, h, f = grad(p), hessian(p), value(p)
        a, b, c = h[..., 0, 0], h[..., 0, 1], h[..., 1, 1]
        newton = -np.stack([c * g[..., 0] - b * g[..., 1], a * g[..., 1] - b * g[..., 0]], -1)
        newton /= (a * c - b * b)[..., None]
        downhill = -g * (0.1 * diagonal / np.linalg.norm(g, axis=-1, keepdims=True))
        step = np.where(_positive_definite(h)[..., None], newton, downhill)
        step = np.where(np.isfinite(step), step, 0.0)
        trial = p[:, None, :] + fractions[None, :, None] * step[:, None, :]
        ok = value(trial) <= f[:, None]
        first = np.argmax(ok, axis=1)
        moved = ok.any(axis=1) & np.any(step != 0, axis=-1)
        if not moved.any():
            break
        p = np.where(moved[:, None], trial[np.arange(len(p)), first], p)
    return p
