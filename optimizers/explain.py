"""One step of a run, prepared once for the page: its equations with the numbers substituted and what the
step inspector draws of it, as a :class:`StepView`.

``explain(landscape, optimizer, record)`` takes a :class:`~optimizers.trajectory.StepRecord` from
``replay()``.  The lines come from the entry's explainer (:mod:`optimizers.lines`); the arrows, points and
ellipses are derived from those lines and from what the entry's view declares (its moment arrow, markers and
ellipse), in θ's own units.  Figures only draw them (:mod:`viz.inspector`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

from landscapes.base import Landscape
from optimizers.lines import Line, StepContext, named_lines
from optimizers.registry import resolve
from optimizers.rules import PD_THRESHOLD
from optimizers.sampling import Sampling
from optimizers.spec import MomentArrow, Optimizer
from optimizers.trajectory import StepRecord

Array = np.ndarray
Role = Literal["gradient", "moment", "update"]   # what an arrow shows; the figure colours it by its role


class Arrow(NamedTuple):
    """A displacement drawn from ``origin``."""

    role: Role
    label: str
    origin: Array        # (2,)
    vector: Array        # (2,)


class Mark(NamedTuple):
    """A point drawn on the step: the look-ahead point, or one of the entry's markers (with its ρ-ball)."""

    point: Array         # (2,)
    label: str
    color: str | None    # None: drawn in the gradient's colour (the look-ahead point, where it is measured)
    symbol: str = "x"
    radius: float = 0.0  # > 0: a circle of this radius around the point before the step is drawn too


class Shape(NamedTuple):
    """A 2×2 positive definite matrix ``M`` drawn at θ_{t-1} as the ellipse ``{θ + c M^{1/2} u : ‖u‖ = 1}``.

    For an inverse Hessian that is the shape of the fitted quadratic's contour; all shapes of one step share
    the scale ``c``, so their sizes compare.  ``estimate`` is the method's own matrix; the other is the true
    inverse Hessian beside it.
    """

    label: str
    matrix: Array        # (2, 2)
    estimate: bool


@dataclass(frozen=True)
class StepView:
    """Step ``t`` of one start, as the page shows it: equations, remarks, and the inspector's drawing."""

    t: int
    lines: list[Line]
    recomputed: bool         # the lines were recomputed from the step's inputs (False: the rule's own values)
    notes: list[str]
    arrows: list[Arrow]      # the plain gradient step, the momentum's share (if the entry draws one), the update
    marks: list[Mark]
    shapes: list[Shape]

    def line(self, key: str) -> Line:
        return next(line for line in self.lines if line.key == key)

    def has(self, key: str) -> bool:
        return any(line.key == key for line in self.lines)


def explain(landscape: Landscape, optimizer: str | Optimizer, record: StepRecord, index: int = 0) -> StepView:
    """Step ``record.t`` of start ``index``: its equations with the numbers substituted, remarks, and the
    arrows, points and ellipses the inspector draws."""
    opt = resolve(optimizer)
    s = StepContext(landscape, record, index, opt.maths.sampling, opt.view.shown)
    lines = (opt.view.explainer or named_lines)(s)
    view = StepView(record.t, lines, opt.view.explainer is not None, [], [], [], [])
    view.notes.extend(_notes(opt, s, view))
    view.arrows.extend(_arrows(opt, s, view))
    view.marks.extend(_marks(opt, s, view))
    view.shapes.extend(_shapes(opt, s))
    return view


def _notes(opt: Optimizer, s: StepContext, view: StepView) -> list[str]:
    record, index = s.rec, s.i
    notes = []
    if not view.recomputed:
        notes.append("These values are the update rule's own intermediate results, shown as it computed "
                     "them; the tests check that rule against an independent implementation.")
    if opt.view.notes is not None:                 # the entry's own remarks on this step
        notes.extend(opt.view.notes(s))
    if record.hp["schedule"] != "constant" or record.hp.get("warmup_steps", 0):
        held = ", ".join(f"{k} = {s.hp(k):.4g}" for k in (*opt.maths.scheduled, opt.maths.warmup) if k in record.hp)
        notes.append(f"The schedule sets {held} at this step.")
    if record.step.fallback is not None:           # Newton: which branch the step took
        if record.step.fallback[index]:
            why = ("the Hessian is not positive definite" if record.hp["fallback"]
                   else "the Hessian is (nearly) singular")
            notes.append(f"Here {why}, so Newton's method took a plain gradient step instead.")
        elif float(view.line("lambda_min").value) <= PD_THRESHOLD:
            notes.append("The Hessian is not positive definite and the fallback is off, so the Newton step "
                         "jumps to where the fitted quadratic is flat: a saddle or a maximum, not a minimum.")
    if opt.maths.sampling is not Sampling.FULL:
        notes.append("The gradient is an estimate from sampled examples (or, on an analytic surface, the true "
                     "gradient plus Gaussian noise), so it cannot be recomputed from θ alone.")
    if record.diverged[index]:
        notes.append("This step left the region around the plot (or produced a non-finite loss): the run "
                     "diverged here, and its recorded point stays at θ_{t-1}.")
    return notes


def _arrows(opt: Optimizer, s: StepContext, view: StepView) -> list[Arrow]:
    """The gradient step, the momentum's share (as the entry's ``moment_arrow`` says) and the update taken.

    Heavy ball: ``Δθ = -γ μ b_{t-1} - γ g``, drawn as the two parts from θ (``μ b_{t-1} = b_t - g_t``).
    Nesterov: ``Δθ = -μ v_{t-1} - γ g``, drawn head to tail through the look-ahead point where its gradient is
    measured.  Adam and relatives: the first moment as ``-γ m`` (before the per-coordinate scaling that turns it
    into the update).
    """
    kind = opt.view.moment_arrow
    theta, lr = s.theta, s.hp("lr")
    g = s.rec.step.grad[s.i]
    update = Arrow("update", "Δθ: the update taken", theta, s.rec.step.update[s.i])
    if kind is MomentArrow.LOOKAHEAD:
        shift = theta - view.line("lookahead").value
        return [Arrow("moment", "−μ·v: momentum, to the look-ahead point", theta, -shift),
                Arrow("gradient", "−γ·g: gradient step at the look-ahead point", theta - shift, -lr * g), update]
    arrows = [Arrow("gradient", "−γ·g: plain gradient step", theta, -lr * g)]
    if kind is MomentArrow.HEAVY_BALL:
        carried = view.line("moment").value - view.line("grad").value
        arrows.append(Arrow("moment", "−γ·μ·b: momentum carried over", theta, -lr * carried))
    elif kind is MomentArrow.FIRST_MOMENT and view.has("moment"):
        arrows.append(Arrow("moment", "−γ·m: first moment", theta, -lr * view.line("moment").value))
    return [*arrows, update]


def _marks(opt: Optimizer, s: StepContext, view: StepView) -> list[Mark]:
    """The points the entry asks to draw on this step: Nesterov's look-ahead point and each declared marker."""
    marks = []
    if opt.view.moment_arrow is MomentArrow.LOOKAHEAD:
        marks.append(Mark(view.line("lookahead").value, "look-ahead θ − μv", None))
    for m in opt.view.markers:
        radius = s.hp(m.radius) if m.radius else 0.0
        marks.append(Mark(np.asarray(s.rec.step.extra[m.name])[s.i], m.label, m.color, m.symbol, radius))
    return marks


def _shapes(opt: Optimizer, s: StepContext) -> list[Shape]:
    """The matrix the entry names in ``ellipse`` (BFGS's H_t, full-matrix AdaGrad's preconditioner), and the
    true inverse Hessian at θ_{t-1} beside it where that is positive definite."""
    name = opt.view.ellipse
    if not name:
        return []
    label = f"{opt.title.split(' (')[0]}: {name.replace('_', ' ')} (this step)"
    shapes = [Shape(label, np.asarray(s.rec.step.extra[name])[s.i], True)]
    h = s.landscape.hessian(s.theta[None, :])[0]
    if np.linalg.eigvalsh(h)[0] > 0:
        shapes.append(Shape("true inverse Hessian", np.linalg.inv(h), False))
    return shapes
