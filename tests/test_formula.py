"""The custom formula surface: hostile input refused quickly, exact derivatives, numerical minima."""
from __future__ import annotations

import ast
import builtins
import math
import re
import time
import warnings
from functools import cache
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from landscapes import formula
from landscapes.formula import from_formula, whitelist

TIME_LIMIT = 0.5  # seconds for every refusal: a security limit, not a benchmark
FUZZ_TIME_LIMIT = 1.0  # seconds for random formulas, which may reach SymPy; generous for loaded CI machines
H_FD = 1e-5  # central-difference step
SOURCES = sorted(Path(formula.__file__).parent.glob("*.py"))   # every module of the formula package

ATTACKS = [
    "__import__('os').system('ls')",
    "__import__('os')",
    "x.__class__",
    "().__class__.__bases__[0]",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "[x for x in y]",
    "{x: y}",
    "(x, y)",
    "open('f')",
    "eval('1')",
    "exec('import os')",
    "globals()",
    "__builtins__",
    "print(x)",
    "getattr(x, 'real')",
    "numpy.sin(x)",
    "sin.__call__(x)",
    "sin(x)(y)",
    "import os",
    "x = 1",
    "x; y",
    "9**9**9",
    "x**-9**9",
    "x**1000",
    "x**(2*3*5*7)",
    "2**x**2",
    "((2**99)**99)**99",
    "((((2*x)**99)**99)**99)",
    "1e400",
    "1e16*x",
    "12345678901234567890",
    "'a'",
    "b'a'",
    "...",
    "True",
    "None",
    "1j",
    "x if y else 1",
    "x < y",
    "x and y",
    "not x",
    "~x",
    "x % 2",
    "x // 2",
    "x @ y",
    "x | y",
    "sin(x, y)",
    "sin()",
    "sin(x=1)",
    "sin(*x)",
    "sin(**x)",
    "(x:=1)",
    "x + " * 80 + "x",  # 401 characters
    "(" * 200 + "x" + ")" * 200,
    "-" * 200 + "x",  # short enough, but 201 levels deep
    "sin(" * 50 + "x" + ")" * 50,
    "1/0",
    "1/(x-x)",
    "0**-1",
    "log(0) + x",
    "log(-1-x**2)",
    "sqrt(-1) + x",
    "x**sqrt(-1)",
    "sqrt(-1-x**2-y**2)",
    "",
    "   ",
    "x y",
    "x +",
    "x\x00",
    'f"{x}"',
    "z",
    "X",
    "sin",
    "*x",
    "x[0]",
    "*".join(f"sin({k}*x+y)" for k in range(1, 25)),  # derivatives far too large to build
    "sin(" * 38 + "x*y" + ")" * 38,
    "tanh(" * 35 + "x*y+x" + ")" * 35,
]


@pytest.fixture(scope="module", autouse=True)
def _warm_up() -> None:
    """Pay SymPy's one-off import and cache costs before anything is timed."""
    from_formula("sin(x)*y**2 + abs(x) + exp(x)")


@pytest.mark.parametrize("text", ATTACKS)
def test_bad_input_is_refused_quickly(text: str) -> None:
    began = time.perf_counter()
    with pytest.raises(ValueError) as info:
        from_formula(text)
    elapsed = time.perf_counter() - began
    assert str(info.value).strip()
    assert elapsed < TIME_LIMIT, f"{text[:40]!r} took {elapsed:.3f} s"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("__import__('os')", "'__import__' is not allowed"),
        ("z", "'z' is not allowed"),
        ("numpy.sin(x)", "'numpy.sin' is not allowed"),
        ("x % 2", "'%'"),
        ("x < y", "comparisons"),
        ("x.real", "attribute access"),
        ("sin", "is a function"),
        ("sin(x, y)", "exactly one argument"),
        ("9**9**9", "itself a power"),
        ("x**1000", "within ±100"),
        ("1e400", "too large"),
        ("x y", "character"),
        ("", "empty"),
        ("1/(x-x)", "undefined"),
        ("log(-1-x**2)", "not finite on most of the bounds"),
        ("x + " * 80 + "x", "too long"),
        ("-" * 200 + "x", "nested too deeply"),
        ("*".join(f"sin({k}*x+y)" for k in range(1, 25)), "too complex"),
    ],
)
def test_messages_say_what_is_wrong(text: str, expected: str) -> None:
    with pytest.raises(ValueError) as info:
        from_formula(text)
    assert expected in str(info.value)


@pytest.mark.parametrize("text", ["z", "x % 2", "open('f')", "x.real"])
def test_messages_say_what_is_allowed(text: str) -> None:
    with pytest.raises(ValueError) as info:
        from_formula(text)
    assert "sin, cos" in str(info.value) and "x, y" in str(info.value)


def test_limits_are_exact() -> None:
    from_formula("+".join(["x"] * 150))  # 299 characters; a long sum counts as one level
    from_formula("-" * 39 + "x")  # 40 levels
    with pytest.raises(ValueError, match="nested too deeply"):
        from_formula("-" * 40 + "x")
    from_formula("x**100 + y**-100 + 1e15*x")
    for text in ("x**101", "x**-101", "1.1e15*x"):
        with pytest.raises(ValueError):
            from_formula(text)
    with mock.patch.object(whitelist, "MAX_NODES", 20), pytest.raises(ValueError, match="too large"):
        formula.parse("+".join(["x"] * 11))


def test_syntax_error_position_counts_the_typed_text() -> None:
    with pytest.raises(ValueError, match=re.escape("character 4 of 'x^2)'")):
        from_formula("x^2)")


@pytest.mark.parametrize(
    "bounds",
    [
        ((0.0, 0.0), (0.0, 1.0)),
        ((1.0, 0.0), (0.0, 1.0)),
        ((0.0, 1.0), (2.0, -2.0)),
        ((0.0, math.inf), (0.0, 1.0)),
        ((0.0, math.nan), (0.0, 1.0)),
        ((0.0, 2e6), (0.0, 1.0)),
        ((0.0, 1.0),),
        ((0.0, 1.0), (0.0, 1.0), (0.0, 1.0)),
        "abc",
        None,
    ],
)
def test_bad_bounds(bounds: object) -> None:
    with pytest.raises(ValueError, match="bounds"):
        from_formula("x**2 + y**2", bounds=bounds)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "start", [[1.0], [1.0, 2.0, 3.0], [math.nan, 0.0], [0.0, math.inf], "ab", [[1.0, 2.0]]]
)
def test_bad_start(start: object) -> None:
    with pytest.raises(ValueError, match="start"):
        from_formula("x**2 + y**2", start=start)  # type: ignore[arg-type]


@pytest.mark.parametrize("expr", [None, 3, b"x"])
def test_non_text_is_refused(expr: object) -> None:
    with pytest.raises(ValueError, match="text"):
        from_formula(expr)  # type: ignore[arg-type]


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("must not be called")


def test_no_eval_exec_sympify_parse_expr_or_lambdify() -> None:
    with (
        mock.patch.object(builtins, "eval", _refuse),
        mock.patch.object(builtins, "exec", _refuse),
        mock.patch.object(sympy, "sympify", _refuse),
        mock.patch.object(sympy, "parse_expr", _refuse),
        mock.patch.object(sympy, "lambdify", _refuse),
    ):
        ls = from_formula("(1-x)^2 + 100*(y - x**2)**2 + sin(x)*abs(y) + exp(-x) / (1 + y**2)")
        ls.value(np.zeros(2)), ls.grad(np.zeros(2)), ls.hessian(np.zeros(2))
    assert ls.minima.shape[1] == 2


def test_source_calls_none_of_the_dangerous_functions() -> None:
    forbidden = {"eval", "exec", "compile", "sympify", "parse_expr", "lambdify", "__import__"}
    assert len(SOURCES) >= 7
    for source in SOURCES:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                assert name not in forbidden, f"{source.name} line {node.lineno} calls {name}"


# Formulas with their value, gradient and Hessian written by hand in NumPy.
def _rosen(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2, (
        -2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)
    ), (2 - 400 * (y - x**2) + 800 * x**2, -400 * x, 200 + 0 * x)


def _gauss(x, y):
    f = np.exp(-x**2 - y**2)
    return f, (-2 * x * f, -2 * y * f), ((4 * x**2 - 2) * f, 4 * x * y * f, (4 * y**2 - 2) * f)


HAND = {
    "x**2 + 3*y**2": lambda x, y: (x**2 + 3 * y**2, (2 * x, 6 * y), (2 + 0 * x, 0 * x, 6 + 0 * x)),
    "sin(x)*cos(y)": lambda x, y: (
        np.sin(x) * np.cos(y),
        (np.cos(x) * np.cos(y), -np.sin(x) * np.sin(y)),
        (-np.sin(x) * np.cos(y), -np.cos(x) * np.sin(y), -np.sin(x) * np.cos(y)),
    ),
    "(1-x)^2 + 100*(y-x^2)^2": _rosen,
    "exp(-x**2-y**2)": _gauss,
    "abs(x) + y**2": lambda x, y: (np.abs(x) + y**2, (np.sign(x), 2 * y), (0 * x, 0 * x, 2 + 0 * x)),
    "3": lambda x, y: (3 + 0 * x, (0 * x, 0 * x), (0 * x, 0 * x, 0 * x)),
}


def _points(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    p = np.random.default_rng(seed).uniform(-2.5, 2.5, size=(*shape, 2))
    p[..., 0] = np.where(np.abs(p[..., 0]) < 0.1, 0.5, p[..., 0])  # keep away from the kink of abs(x)
    return p


@pytest.mark.parametrize("text", list(HAND))
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_matches_hand_written_derivatives(text: str, shape: tuple[int, ...]) -> None:
    ls = from_formula(text)
    p = _points(shape)
    f, (gx, gy), (hxx, hxy, hyy) = HAND[text](p[..., 0], p[..., 1])
    value, grad, hess = ls.value(p), ls.grad(p), ls.hessian(p)
    assert value.shape == shape and grad.shape == (*shape, 2) and hess.shape == (*shape, 2, 2)
    np.testing.assert_allclose(value, f, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad, np.stack([gx, gy], -1), rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(hess, np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2),
                               rtol=1e-12, atol=1e-10)


COMPOUND = (
    "tanh(x) + sinh(y/2) - cosh(x*y/3) + arctan(x - y) + log(x**2 + 1) + sqrt(y**2 + 1) + tan(x/3) "
    "+ e^(x/4)*pi + abs(x*y - 9)**1.5"
)


@cache
def _compound():
    return from_formula(COMPOUND)


def _fd_grad(value, p: np.ndarray) -> np.ndarray:
    e = np.eye(2) * H_FD
    return np.stack([(value(p + e[i]) - value(p - e[i])) / (2 * H_FD) for i in range(2)], -1)


@settings(max_examples=40, deadline=None)
@given(st.floats(-2.5, 2.5), st.floats(-2.5, 2.5))
def test_derivatives_match_finite_differences(x: float, y: float) -> None:
    ls = _compound()
    p = np.array([x, y])
    np.testing.assert_allclose(ls.grad(p), _fd_grad(ls.value, p), rtol=1e-6, atol=1e-6)
    fd_hessian = np.stack([(ls.grad(p + d) - ls.grad(p - d)) / (2 * H_FD) for d in np.eye(2) * H_FD], -2)
    np.testing.assert_allclose(ls.hessian(p), fd_hessian, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ls.hessian(p), ls.hessian(p).T)


def test_caret_is_power() -> None:
    p = _points((7,))
    np.testing.assert_array_equal(from_formula("x^2 + y^3").value(p), from_formula("x**2 + y**3").value(p))


def test_rosenbrock_minimum() -> None:
    ls = from_formula("(1-x)^2 + 100*(y-x^2)^2")
    assert np.min(np.linalg.norm(ls.minima - [1.0, 1.0], axis=1)) < 1e-6


def test_bowl_has_exactly_one_minimum() -> None:
    ls = from_formula("x**2 + y**2")
    assert ls.minima.shape == (1, 2)
    np.testing.assert_allclose(ls.minima[0], [0.0, 0.0], atol=1e-12)


def test_himmelblau_has_four_minima() -> None:
    ls = from_formula("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", bounds=((-5, 5), (-5, 5)))
    assert ls.minima.shape == (4, 2)
    np.testing.assert_allclose(ls.value(ls.minima), 0.0, atol=1e-12)
    assert np.min(np.linalg.norm(ls.minima - [3.0, 2.0], axis=1)) < 1e-6


def test_many_minima_are_checked_sorted_and_capped() -> None:
    ls = from_formula("sin(3*x)*cos(3*y) + 0.1*(x^2 + y^2)")
    m = ls.minima
    assert 1 <= len(m) <= 10
    assert np.all(np.diff(ls.value(m)) >= 0)
    assert np.all(np.linalg.norm(ls.grad(m), axis=1) < 1e-6)
    assert np.all(np.linalg.eigvalsh(ls.hessian(m)) > 0)
    assert np.all((m >= -3) & (m <= 3))
    distances = np.linalg.norm(m[:, None] - m[None], axis=-1) + np.diag(np.full(len(m), np.inf))
    assert np.min(distances) > 1e-3


def test_no_minima_without_a_positive_definite_hessian() -> None:
    for text in ("x*y", "3", "x**2", "abs(x) + abs(y)"):
        assert from_formula(text).minima.shape == (0, 2), text


def test_constant_formula() -> None:
    ls = from_formula("3")
    for shape in [(), (5,), (3, 4)]:
        p = _points(shape)
        assert ls.value(p).shape == shape and np.all(ls.value(p) == 3)
        assert ls.grad(p).shape == (*shape, 2) and np.all(ls.grad(p) == 0)
        assert ls.hessian(p).shape == (*shape, 2, 2) and np.all(ls.hessian(p) == 0)


def test_record_fields() -> None:
    ls = from_formula("sin(x) + y**2")
    assert ls.name == "custom" and ls.title == "Custom formula"
    assert ls.params == {} and ls.suggested == {}
    assert "numerically" in ls.description
    assert ls.latex.startswith("f(x, y) = ") and "\\sin" in ls.latex
    assert ls.bounds == ((-3.0, 3.0), (-3.0, 3.0))
    np.testing.assert_allclose(ls.start, [-2.4, 2.4])


def test_bounds_and_start() -> None:
    ls = from_formula("x**2 + y**2", bounds=((0, 10), (-1, 1)))
    assert ls.bounds == ((0.0, 10.0), (-1.0, 1.0))
    np.testing.assert_allclose(ls.start, [1.0, 0.8])
    assert ls.minima.shape == (0, 2)  # the minimum (0, 0) lies on the edge, not inside
    np.testing.assert_allclose(from_formula("x*y", start=(1, -2)).start, [1.0, -2.0])


def test_latex() -> None:
    assert from_formula("abs(x) + e^(x*y) + arctan(y)").latex == (
        r"f(x, y) = e^{x y} + \left|x\right| + \arctan{\left(y \right)}"
    )


def test_non_finite_values_come_out_as_nan_without_warnings() -> None:
    ls = from_formula("log(x) + sqrt(y)", bounds=((0.5, 3.0), (0.5, 3.0)))
    p = np.array([[-1.0, 1.0], [0.0, 0.0], [1.0, -1.0], [2.0, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad, hess = ls.value(p), ls.grad(p), ls.hessian(p)
    assert np.isnan(value[0]) and np.isinf(value[1]) and np.isnan(value[2]) and np.isfinite(value[3])
    assert np.all(np.isfinite(grad[3])) and np.all(np.isfinite(hess[3]))


FUNCTION_NAMES = ["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh", "arctan", "atan"]
_leaf = st.sampled_from(["x", "y", "1", "2", "0", "0.5", "pi", "e", "3"])
_formula = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "^"]), inner).map(
            lambda t: f"({t[0]}){t[1]}({t[2]})"
        ),
        st.tuples(st.sampled_from(FUNCTION_NAMES), inner).map(lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda s: f"-{s}"),
    ),
    max_leaves=16,
)


@settings(max_examples=150, deadline=None)
@given(_formula)
def test_random_formulas_build_or_are_refused(text: str) -> None:
    began = time.perf_counter()
    try:
        ls = from_formula(text)
    except ValueError as err:
        assert str(err)
    else:
        p = _points((4, 3))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert ls.value(p).shape == (4, 3)
            assert ls.grad(p).shape == (4, 3, 2)
            assert ls.hessian(p).shape == (4, 3, 2, 2)
        assert ls.minima.ndim == 2 and ls.minima.shape[1] == 2 and len(ls.minima) <= 10
    assert time.perf_counter() - began < FUZZ_TIME_LIMIT


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="xy0123456789.+-*/^()e sincoatlqrhpb,=[]'_:<!~%&|@{}\\\"\n", max_size=40))
def test_random_text_builds_or_is_refused(text: str) -> None:
    began = time.perf_counter()
    try:
        from_formula(text)
    except ValueError as err:
        assert str(err)
    assert time.perf_counter() - began < TIME_LIMIT
