"""Domains of validity: where a statement about an optimizer's behaviour holds, measured.

A :class:`Statement` is one sentence of the app's text about how an optimizer behaves, declared as data:

* ``says``: the statement in plain words, as the page shows it beside the text it backs (a lesson, a claim, or
  the registry texts its ``entries`` name);
* ``domain``: the neighbourhood it is meant for (:class:`Domain`): a region of starts, ranges of the
  angle and condition number of the ravine, of learning rates and momenta (:class:`Axis`), and a horizon;
* ``check``: a function that decides it for every sampled case at once, from a few vectorized
  :func:`~optimizers.simulate` runs over :class:`Cases` (per-start hyperparameter arrays let one call
  cover every sampled setting; sampled angles and condition numbers become one ravine per start,
  :func:`landscapes.analytic.ravines`).

:func:`study` samples the domain (seeded) and measures the fraction of cases where the statement holds;
:func:`describe` says it in plain words.  A statement is worded so that it holds for at least
:data:`BAR` of its sampled cases (``tests/test_validity.py`` computes every fraction).  A statement about
the long run is checked over a horizon ``steps`` longer than the ``shown`` one, and says so.

Nothing here runs at import: a study runs on first use and is kept for the life of the process (one per
statement, so the cache is bounded by the declarations).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

import landscapes
from landscapes.analytic import RAVINE_START, ravine_point, ravines
from landscapes.base import Landscape
from optimizers import metrics, studies
from optimizers.once import Once
from optimizers.simulation import simulate
from optimizers.trajectory import Trajectory, valid

Array = np.ndarray
BAR = 0.95                 # a statement holds for at least this fraction of its sampled cases
BINS = 4                   # each axis is cut into this many equal parts to say where a statement misses most
SURFACE_AXES = ("angle", "condition")    # axes that are ravine parameters rather than settings of the check


@dataclass(frozen=True)
class Axis:
    """A quantity sampled uniformly (log-uniformly with ``log``) from ``low`` to ``high``.

    ``name`` is ``angle`` or ``condition`` (the ravine's, in degrees and as κ) or any name the check reads
    (``cases["lr"]``); ``label`` is how the page writes it (``γ``, ``μ``, ``GD's γ``).
    """

    name: str
    low: float
    high: float
    label: str = ""
    log: bool = False

    @property
    def title(self) -> str:
        """How the page names the quantity."""
        return self.label or {"angle": "angle", "condition": "κ", "lr": "γ", "momentum": "μ"}.get(self.name, self.name)

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        u = rng.random(n)
        if self.log:
            return np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        return self.low + u * (self.high - self.low)

    def edges(self) -> Array:
        """The :data:`BINS` + 1 edges of equal parts of the range (equal in log for a log axis)."""
        return (np.geomspace if self.log else np.linspace)(self.low, self.high, BINS + 1)

    def span_words(self, low: float | None = None, high: float | None = None) -> str:
        """The range (or a part of it) in words: ``angles 15–75°``, ``γ 0.3–0.6``, ``μ = 0.9``."""
        low, high = self.low if low is None else low, self.high if high is None else high
        if self.name == "angle":
            return f"angle {_num(low)}°" if low == high else f"angles {_num(low)}–{_num(high)}°"
        return f"{self.title} = {_num(low)}" if low == high else f"{self.title} {_num(low)}–{_num(high)}"


@dataclass(frozen=True)
class Disc:
    """Starts spread uniformly over a disc.  With ``valley`` the centre is given in the ravine's own frame
    (along its floor, across it) and turns with each case's angle."""

    center: tuple[float, float]
    radius: float
    valley: bool = False
    label: str = "the shown start"

    def words(self) -> str:
        frame = " along the floor and across it" if self.valley else ""
        where = f"({_num(self.center[0])}, {_num(self.center[1])}{frame})"
        return f"starts within {_num(self.radius)} of {self.label} {where}"


@dataclass(frozen=True)
class Box:
    """Starts spread uniformly over ``x ∈ [x0, x1]``, ``y ∈ [y0, y1]``."""

    x: tuple[float, float]
    y: tuple[float, float]
    label: str = ""

    def words(self) -> str:
        return self.label or (f"starts with x {_num(self.x[0])}–{_num(self.x[1])} and "
                              f"y {_num(self.y[0])}–{_num(self.y[1])}")


@dataclass(frozen=True)
class Band:
    """Starts spread uniformly over the part of the box ``x × y`` where the loss lies between ``low`` and ``high``
    (the height a start sets off from, which decides whether momentum can roll over a ridge)."""

    x: tuple[float, float]
    y: tuple[float, float]
    low: float
    high: float
    label: str = ""

    def words(self) -> str:
        where = self.label or f"x {_num(self.x[0])}–{_num(self.x[1])}, y {_num(self.y[0])}–{_num(self.y[1])}"
        return f"starts on {where} with f {_num(self.low)}–{_num(self.high)}"


@dataclass(frozen=True)
class Domain:
    """The neighbourhood a statement is meant for: ``n`` cases drawn with ``seed``.

    ``params`` fixes surface parameters; ``angle`` and ``condition`` axes vary the ravine's.  ``starts``
    ``None`` means the surface's own start.  ``steps`` is the horizon the check runs; ``shown`` the one the
    page shows, when the check looks further (a statement about the long run).
    """

    surface: str
    params: Mapping[str, float] = field(default_factory=dict)
    starts: Disc | Box | Band | None = None
    axes: tuple[Axis, ...] = ()
    steps: int = 200
    shown: int | None = None
    n: int = 256
    seed: int = 0

    def axis(self, name: str) -> Axis:
        return next(a for a in self.axes if a.name == name)

    def words(self) -> str:
        """The domain in plain words, e.g. ``starts within 1 of the shown start, angles 15–75°, 400 steps``."""
        parts = [self.starts.words()] if self.starts is not None else []
        parts += [a.span_words() for a in self.axes]
        if self.shown and self.shown < self.steps:
            parts.append(f"checked over {self.steps:,} steps ({self.steps / self.shown:.0f}× the {self.shown:,} shown)")
        else:
            parts.append(f"{self.steps:,} step{'s' if self.steps > 1 else ''}")
        return ", ".join(parts)


@dataclass(frozen=True, eq=False)
class Cases:
    """The sampled cases of a domain, ready to run: ``land`` holds one surface for all of them."""

    domain: Domain
    land: Landscape
    starts: Array                      # (n, 2)
    values: Mapping[str, Array]        # every axis's samples and the starts' coordinates ("x", "y"; "along", "across")
    ravine: tuple[Array, Array] | None = None  # each case's ravine (condition, angle) when they vary

    def __getitem__(self, name: str) -> Array:
        return self.values[name]

    @property
    def n(self) -> int:
        return self.starts.shape[0]

    def run(self, optimizer: str, steps: int | None = None, *, starts: Array | None = None,
            diagnostics: bool | None = None, **hyper: Any) -> Trajectory:
        """Every case at once: one :func:`simulate` call from the cases' starts (or ``starts``)."""
        return simulate(self.land, optimizer, self.starts if starts is None else starts,
                        self.domain.steps if steps is None else steps, seed=self.domain.seed,
                        diagnostics=diagnostics, **hyper)

    @property
    def angle(self) -> Array:
        """``(n,)``: each case's ravine angle in degrees (0 on other surfaces)."""
        if self.ravine is not None:
            return self.ravine[1]
        return np.full(self.n, float(self.land.params.get("angle", 0.0)))

    @property
    def condition(self) -> Array:
        """``(n,)``: each case's ravine condition number κ."""
        if self.ravine is not None:
            return self.ravine[0]
        return np.full(self.n, float(self.land.params["condition"]))

    def across(self, traj: Trajectory) -> Array:
        """``(steps + 1, n)``: each point's coordinate across the ravine's valley (along its steepest direction)."""
        a = np.deg2rad(self.angle)
        return -np.sin(a) * traj.points[..., 0] + np.cos(a) * traj.points[..., 1]

    def along(self, traj: Trajectory) -> Array:
        """``(steps + 1, n)``: each point's coordinate along the ravine's floor (its flattest direction)."""
        a = np.deg2rad(self.angle)
        return np.cos(a) * traj.points[..., 0] + np.sin(a) * traj.points[..., 1]

    def on(self, land: Landscape) -> Cases:
        """The same cases on another surface (for a check that compares two surfaces)."""
        return Cases(self.domain, land, self.starts, self.values, self.ravine)

    def unturned(self) -> Cases:
        """The same cases on each ravine turned back to 0°, each start turned back with it."""
        condition = self.ravine[0] if self.ravine is not None else np.full(self.n, self.land.params["condition"])
        back = ravine_point(self.starts, -self.angle)
        return Cases(self.domain, ravines(condition, np.zeros(self.n)), back, self.values,
                     (condition, np.zeros(self.n)))

    def repeat(self, k: int) -> Cases:
        """Every case ``k`` times in a row (case ``i``'s copies are ``i * k`` to ``i * k + k - 1``)."""
        values = {name: np.repeat(v, k) for name, v in self.values.items()}
        ravine = None if self.ravine is None else (np.repeat(self.ravine[0], k), np.repeat(self.ravine[1], k))
        land = self.land if ravine is None else ravines(*ravine)
        return Cases(self.domain, land, np.repeat(self.starts, k, axis=0), values, ravine)

    def distance(self, traj: Trajectory) -> Array:
        """``(steps + 1, n)``: distance of every point to the surface's first listed minimum."""
        diff = traj.points - self.land.minima[0]
        return np.hypot(diff[..., 0], diff[..., 1])

    def gap(self, traj: Trajectory) -> Array:
        """``(steps + 1, n)``: loss above the lowest listed minimum."""
        return traj.loss - self.land.min_value


@dataclass(frozen=True)
class Picture:
    """A small map of where a statement holds: ``x`` and ``y`` name axes of ``domain`` (a wider neighbourhood
    than the statement's) or the starts' coordinates (``x``/``y`` in the plane, ``along``/``across`` the valley)."""

    x: str
    y: str
    domain: Domain
    check: Callable[[Cases], Array] | None = None   # when the statement's own check reads axes this domain lacks
    outline: tuple[tuple[float, float], ...] = ()    # the statement's region in (x, y), when not a box of its axes


@dataclass(frozen=True)
class Statement:
    """One statement about behaviour: the words it checks, where it is meant to hold, and how to decide it."""

    key: str
    says: str                          # plain words; a share statement writes ``{share}`` where its measured share goes
    domain: Domain
    check: Callable[[Cases], Array]
    picture: Picture | None = None
    entries: tuple[tuple[str, str], ...] = ()   # registry texts it checks: (optimizer, field), e.g. ("nag", "pros")
    share: bool = False                # True: the statement quotes the share of cases where the check holds

    def words(self, result: Study | None = None) -> str:
        """What the statement says; a share statement with its measured share filled in."""
        if not self.share:
            return self.says
        return self.says.format(share="…" if result is None else f"{percent(result.fraction)}%")


@dataclass(frozen=True, eq=False)
class Study:
    """Which sampled cases of ``domain`` a statement holds for."""

    domain: Domain
    values: Mapping[str, Array]
    holds: Array                       # (n,) bool

    @property
    def fraction(self) -> float:
        return float(np.mean(self.holds))

    @property
    def n(self) -> int:
        return int(self.holds.size)

    def weakest(self) -> tuple[str, float, float, float] | None:
        """Where misses gather: ``(words, low, high, fraction there)`` for the part of one axis's range (or of the
        disc's radius) with the lowest fraction, when that is below the overall one; ``None`` without misses."""
        if self.holds.all():
            return None
        parts: list[tuple[Callable[[float, float], str], Array, Array]] = [
            (a.span_words, self.values[a.name], a.edges()) for a in self.domain.axes]
        starts = self.domain.starts
        if isinstance(starts, Disc) and "radius" in self.values:
            parts.append((lambda lo, hi: f"starts {_num(lo)}–{_num(hi)} from {starts.label}", self.values["radius"],
                          np.linspace(0.0, starts.radius, BINS + 1)))
        best = None
        for words, values, edges in parts:
            part = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, BINS - 1)
            for k in range(BINS):
                inside = part == k
                if inside.sum() >= max(5, self.n // (4 * BINS)):
                    share = float(np.mean(self.holds[inside]))
                    if best is None or share < best[3]:
                        best = (words(edges[k], edges[k + 1]), float(edges[k]), float(edges[k + 1]), share)
        return best if best is not None and best[3] < self.fraction else None


def percent(fraction: float) -> int:
    """A fraction as a whole percentage, rounded down (96.9% is "96%": a statement is never overstated)."""
    return int(np.floor(100 * fraction + 1e-9))


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _num(x: float) -> str:
    """A range end as the page writes it: three significant digits, whole numbers from 1,000 on (with commas),
    powers of ten below 0.001 (``10⁻⁸``, ``2.5×10⁻⁵``), a true minus sign."""
    if x != 0 and abs(x) < 1e-3:
        mantissa, exponent = f"{x:.2e}".split("e")
        power = "10" + str(int(exponent)).translate(SUPERSCRIPT)
        return (power if float(mantissa) == 1 else f"{float(mantissa):g}×{power}").replace("-", "−")
    text = f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"
    return text.replace("-", "−")


# --- sampling and running ----------------------------------------------------------------------------

def sample(domain: Domain) -> Cases:
    """The ``n`` cases of ``domain``, drawn with its seed: axes in their order, then the starts."""
    rng = np.random.default_rng(domain.seed)
    n = domain.n
    values = {a.name: a.sample(rng, n) for a in domain.axes}
    varied = [name for name in SURFACE_AXES if name in values]
    if varied:
        if domain.surface != "ravine":
            raise ValueError(f"Invalid domain: {', '.join(varied)} can vary only on the ravine")
        fixed = landscapes.spec("ravine").params
        angle = values.get("angle", np.full(n, domain.params.get("angle", fixed[1].default)))
        condition = values.get("condition", np.full(n, domain.params.get("condition", fixed[0].default)))
        land, ravine = ravines(condition, angle), (condition, angle)
    else:
        ravine = None
        land = landscapes.get(domain.surface, **domain.params)
        angle = np.full(n, float(land.params.get("angle", 0.0)))
    starts = domain.starts
    if isinstance(starts, Disc):
        radius = starts.radius * np.sqrt(rng.random(n))
        turn = 2 * np.pi * rng.random(n)
        local = np.asarray(starts.center) + np.stack([radius * np.cos(turn), radius * np.sin(turn)], axis=-1)
        values.update(radius=radius, along=local[:, 0], across=local[:, 1])
        points = ravine_point(local, angle) if starts.valley else local
    elif isinstance(starts, Box):
        points = np.stack([rng.uniform(*starts.x, n), rng.uniform(*starts.y, n)], axis=-1)
    elif isinstance(starts, Band):
        if varied:
            raise ValueError("Invalid domain: a band of starts needs one surface, not sampled ravines")
        found = np.empty((0, 2))
        while len(found) < n:          # rejection sampling, a few rounds of 4n candidates at most in practice
            draw = np.stack([rng.uniform(*starts.x, 4 * n), rng.uniform(*starts.y, 4 * n)], axis=-1)
            f = land.value(draw)
            found = np.concatenate([found, draw[(f >= starts.low) & (f <= starts.high)]])
        points = found[:n]
    else:
        points = np.tile(land.start, (n, 1)) if not varied else ravine_point(
            np.broadcast_to(RAVINE_START, (n, 2)), angle)
    values.update(x=points[:, 0], y=points[:, 1])
    return Cases(domain, land, np.ascontiguousarray(points), values, ravine)


def measure(statement: Statement, domain: Domain | None = None, check: Callable[[Cases], Array] | None = None) -> Study:
    """Sample ``domain`` (the statement's own by default) and decide the statement (or ``check``) for every case."""
    cases = sample(statement.domain if domain is None else domain)
    holds = np.asarray((check or statement.check)(cases), dtype=bool)
    if holds.shape != (cases.n,):
        raise ValueError(f"Invalid check of {statement.key!r}: it returned shape {holds.shape}, not ({cases.n},)")
    return Study(cases.domain, cases.values, holds)


def _measure(statement: Statement, kind: str, domain: Domain, check: Callable[[Cases], Array] | None = None) -> Study:
    """:func:`measure`; ``kind`` ("domain" or "picture") only names the study in the cache's key."""
    return measure(statement, domain, check)


# One study per statement and kind (the cache is bounded by the declarations); sessions asking for the same one at
# once wait for one computation, and another statement's study need not wait.
STUDIES = Once(_measure, key=lambda statement, kind, *_: (statement.key, kind))


def study(statement: Statement) -> Study:
    """:func:`measure` over the statement's domain, once per process."""
    return STUDIES(statement, "domain", statement.domain)


def picture_study(statement: Statement) -> Study | None:
    """:func:`measure` over the statement's picture domain (wider than its own), once per process."""
    picture = statement.picture
    return None if picture is None else STUDIES(statement, "picture", picture.domain, picture.check)


def describe(result: Study, share: bool = False) -> str:
    """The study in plain words: ``holds for 97% of 256 sampled runs (…); misses most at …``, or for a share
    statement, which quotes the share itself, ``measured over 256 sampled runs (…)``."""
    if share:
        return f"measured over {result.n} sampled runs ({result.domain.words()})."
    text = f"holds for {percent(result.fraction)}% of {result.n} sampled runs ({result.domain.words()})"
    weak = result.weakest()
    if weak is None:
        return text + "; no miss among them."
    return text + f"; misses most at {weak[0]} ({percent(weak[3])}% hold there)."


# --- helpers the checks share ---------------------------------------------------------------------

def steps_to(cases: Cases, traj: Trajectory, tol: float) -> Array:
    """``(n,)``: first step within ``tol`` of the lowest listed minimum's loss, ``-1`` if none."""
    return metrics.steps_to_tolerance(traj, cases.land.min_value, tol)


def fair_lrs(cases: Cases, optimizer: str, *, tol: float, steps: int | None = None, **hyper: Any) -> Array:
    """``(n,)``: each case's learning rate as the fair race tunes it: :func:`studies.tune_lr`'s choice on the fair
    race's default grid, from the case's own start, over ``steps`` (the domain's horizon by default).

    One :func:`simulate` call runs every case at every rate of the grid; per-case ``hyper`` arrays are repeated.
    """
    grid = studies.lr_grid(studies.SWEEP_MIN.default, studies.SWEEP_MAX.default, studies.SWEEP_POINTS.default)
    k, n = len(grid), cases.n
    spread = {name: np.repeat(v, k) if isinstance(v, np.ndarray) else v for name, v in hyper.items()}
    traj = cases.repeat(k).run(optimizer, steps, diagnostics=False, lr=np.tile(grid, n), **spread)
    reached = steps_to(cases, traj, tol).reshape(n, k)
    final_loss, diverged = traj.loss[-1].reshape(n, k), traj.diverged_at.reshape(n, k)
    best = [studies.Sweep(traj.optimizer, grid, final_loss[i], float(traj.loss[0, i * k]), reached[i], diverged[i],
                          cases.land.min_value, tol).best for i in range(n)]
    return np.array([grid[b] if b is not None else np.nan for b in best])


def overshoot(cases: Cases, traj: Trajectory) -> Array:
    """``(n,)``: how far each path goes past the minimum, along the line from its start to the minimum, as a
    fraction of the start's distance (0 if it never passes it)."""
    offset = traj.points - cases.land.minima[0]
    start = offset[0]
    length = np.hypot(start[:, 0], start[:, 1])
    past = -(offset[..., 0] * start[:, 0] + offset[..., 1] * start[:, 1]) / length
    return np.maximum(past.max(axis=0), 0.0) / length


def live(traj: Trajectory) -> Array:
    """``(steps, n)``: True for the steps each start takes before it diverges (a diverged start stays frozen)."""
    return valid(traj.diverged_at, traj.steps + 1)[1:]          # step t is point t: taken before the divergence


def scaled(land: Landscape, factor: Array) -> Landscape:
    """``land`` with its loss multiplied by ``factor`` (one per start: points of shape ``(n, 2)``)."""
    f = np.asarray(factor, dtype=np.float64)
    return replace(land, value=lambda p: f * land.value(p), grad=lambda p: f[:, None] * land.grad(p),
                   hessian=lambda p: f[:, None, None] * land.hessian(p))
