"""Reading formula text: :mod:`ast` parsing, size limits, and a walk of the whitelisted nodes into SymPy."""
from __future__ import annotations

import ast
import math
from collections.abc import Callable

import sympy

from landscapes.formula.build import check_exponent, checked, undefined
from landscapes.formula.symbols import ALLOWED, EXP, FUNCTIONS, NAMES

MAX_LENGTH = 300  # characters of formula text
MAX_DEPTH = 40  # nesting depth of the expression tree
MAX_NODES = 300  # expression nodes in the tree
MAX_LITERAL = 1e15  # largest number that may be typed
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
        return checked(-operand if isinstance(node.op, ast.USub) else operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        if isinstance(node.op, ast.Pow):
            check_exponent_node(node.right)
        left, right = _build(node.left, source), _build(node.right, source)
        if isinstance(node.op, ast.Pow):
            check_exponent(right)
            if left == sympy.E:
                return checked(EXP(right))
        try:
            return checked(_OPERATORS[type(node.op)](left, right))
        except ZeroDivisionError:  # SymPy raises it for some divisions by a float 0.0
            raise undefined() from None
    if isinstance(node, ast.BinOp):
        op = _OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)
        raise ValueError(f"The operator '{op}' is not allowed: {ALLOWED}.")
    if isinstance(node, ast.Call):
        return checked(_call(node, source))
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


def check_exponent_node(node: ast.expr) -> None:
    """Refuse towers of powers such as ``9**9**9`` before building them."""
    while isinstance(node, ast.UnaryOp):
        node = node.operand
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        raise ValueError(
            "A power whose exponent is itself a power (like 9**9**9) is not allowed: "
            "write (a**b)**c with parentheses, or use exp()."
        )


def _snippet(node: ast.AST, source: str) -> str:
    """The source text of ``node``, shortened for messages."""
    text = ast.get_source_segment(source, node) or type(node).__name__
    return text if len(text) <= 40 else text[:37] + "..."
