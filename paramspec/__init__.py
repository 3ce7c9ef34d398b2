"""One declaration per tunable number: name, default, range, scale and help text.

A :class:`Param` drives everything that touches a hyperparameter or a surface
parameter: validation in ``simulate()`` and ``landscapes.get()``, the widget the
app draws, and the share link.  Messages follow torch.optim's uniform sentence,
``Invalid lr: -1.0``, followed by the allowed range written as a chained
comparison.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, SupportsFloat, TypeVar, cast

import numpy as np

Kind = Literal["float", "int", "bool", "choice"]
V = TypeVar("V", bound="bool | int | float | str")   # a parameter's value type
KIND_OF: dict[type, Kind] = {bool: "bool", int: "int", float: "float", str: "choice"}


@dataclass(frozen=True)
class Param(Generic[V]):
    """A validated scalar setting whose value has type ``V``: ``Param[float]``, ``Param[int]``, ``Param[bool]``
    or ``Param[str]`` (a choice).

    ``low``/``high`` bound the value; ``low_open``/``high_open`` make a bound
    strict.  ``log`` marks ranges that span decades (the app draws a log
    slider).  ``choices`` lists the allowed strings of a ``choice`` parameter.
    ``kind`` must agree with the type of ``default`` (it is checked).
    """

    name: str
    default: V
    low: float | None = None
    high: float | None = None
    help: str = ""
    log: bool = False
    kind: Kind = "float"
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if KIND_OF[type(self.default)] != self.kind:
            raise TypeError(f"Param {self.name!r}: a {self.kind} parameter cannot default to {self.default!r}")

    def range_text(self) -> str:
        """The allowed values, as a person would write them: ``0 < lr <= 10``."""
        if self.kind == "bool":
            return f"{self.name} is true or false"
        if self.kind == "choice":
            return f"{self.name} is one of " + ", ".join(self.choices)
        text = self.name
        if self.low is not None:
            text = f"{fmt(self.low)} {'<' if self.low_open else '<='} {text}"
        if self.high is not None:
            text = f"{text} {'<' if self.high_open else '<='} {fmt(self.high)}"
        if self.kind == "int":
            text += " (an integer)"
        return text

    def validate(self, value: object) -> V:
        """Return ``value`` converted to this parameter's type, or raise ``ValueError``."""
        bad = ValueError(f"Invalid {self.name}: {value!r} (allowed: {self.range_text()})")
        if self.kind == "bool":
            if isinstance(value, (bool, np.bool_)):
                return cast(V, bool(value))
            if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
                return cast(V, value.lower() in ("true", "1"))
            if isinstance(value, (int, np.integer)) and value in (0, 1):
                return cast(V, bool(value))
            raise bad
        if self.kind == "choice":
            if isinstance(value, str) and value in self.choices:
                return cast(V, value)
            raise bad
        if isinstance(value, (bool, np.bool_, str)) or not isinstance(value, SupportsFloat):
            raise bad
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise bad from None
        if not self._in_range(number):
            raise bad
        if self.kind == "int":
            if number != int(number):
                raise bad
            return cast(V, int(number))
        return cast(V, number)

    def validate_each(self, value: object) -> V | np.ndarray:
        """:meth:`validate`, except that a float parameter also accepts a 1-D array (one value per start),
        which ``simulate()`` uses to run many settings at once."""
        if self.kind == "float" and isinstance(value, np.ndarray) and value.ndim == 1:
            arr = value.astype(np.float64)
            if arr.size == 0 or not all(self._in_range(float(v)) for v in arr):
                raise ValueError(f"Invalid {self.name}: every value must satisfy {self.range_text()}")
            return arr
        return self.validate(value)

    def _in_range(self, number: float) -> bool:
        if not math.isfinite(number):
            return False
        below = self.low is not None and (number < self.low or (self.low_open and number == self.low))
        above = self.high is not None and (number > self.high or (self.high_open and number == self.high))
        return not (below or above)


def fmt(x: float) -> str:
    """A number as a person writes it: ``0.001``, ``1e-08``, ``50``."""
    return f"{x:g}"


def validate_all(params: Sequence[Param[Any]], values: Mapping[str, object], owner: str) -> dict[str, object]:
    """Defaults overlaid with validated ``values`` (:meth:`Param.validate_each`); unknown names raise ``ValueError``."""
    by_name = {p.name: p for p in params}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        allowed = ", ".join(by_name) or "none"
        raise ValueError(f"Unknown parameter {', '.join(map(repr, unknown))} for {owner}; allowed: {allowed}")
    resolved: dict[str, object] = {p.name: p.default for p in params}
    for name, value in values.items():
        resolved[name] = by_name[name].validate_each(value)
    return resolved
