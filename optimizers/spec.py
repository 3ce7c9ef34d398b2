"""What a registry entry is: an :class:`Optimizer` made of three parts that sit apart.

* :class:`Maths`: what the rule computes and everything that follows from it (its ``init``/``update`` pair from
  :mod:`optimizers.rules`, its hyperparameters, the equations as implemented, how it samples, which of its
  hyperparameters a schedule scales or a warm-up ramps, its theory on a quadratic bowl);
* :class:`Text`: how the page teaches it (intuition, strengths, weaknesses, when to use it, the reference);
* :class:`View`: how the page shows one of its steps and runs (the explainer, the values it lists, the series
  and markers a run records, the inspector's moment arrow and ellipse).

Code outside the entry and its rule asks these declarations; it never tests an optimizer's or a parameter's
name.  The entries themselves are in :mod:`optimizers.registry`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from optimizers.lines import Explainer, Notes, Shown
from optimizers.rules import Step
from optimizers.sampling import Sampling, offered
from optimizers.schedules import SCHEDULE_PARAMS, WARMUP_PARAMS
from optimizers.theory import Quadratic
from paramspec import Param

DIAGNOSTICS = ("grad", "moment", "eff_lr", "fallback")   # the Step fields simulate() records when not None
DENSE_MAX_DIM = 65   # Newton, BFGS and full-matrix AdaGrad keep a d×d matrix: offered up to every one-hidden-layer MLP


class MomentArrow(StrEnum):
    """How the step inspector draws the part of a step that the method carries over from earlier steps."""

    NONE = "none"                      # no such arrow
    FIRST_MOMENT = "first_moment"      # ``-γ m``, the first moment before any per-coordinate scaling (if any)
    HEAVY_BALL = "heavy_ball"          # ``-γ μ b_{t-1}``, the momentum carried over (torch.optim.SGD)
    LOOKAHEAD = "lookahead"            # ``-μ v_{t-1}``, the jump to Nesterov's look-ahead point


@dataclass(frozen=True)
class Marker:
    """A point drawn beside the iterate: ``Trajectory.extra[name]`` has shape ``(steps + 1, n, 2)``.

    Index ``t`` belongs to step ``t`` (index 0 is the start); the rule returns the step's value in
    ``Step.extra[name]``.  ``radius`` names a hyperparameter drawn as a ball of that radius around the
    point before the step (SAM's ρ-ball).  ``link`` joins the marker to the iterate (and to the linked markers
    before it) by a thin line, so related sequences read as one figure (Schedule-Free's x, z and y).
    """

    name: str
    label: str
    color: str = "#00e5ff"
    symbol: str = "diamond"
    radius: str | None = None
    link: bool = False


@dataclass(frozen=True)
class Series:
    """A per-step quantity: ``Trajectory.extra[name]`` has shape ``(steps, n)`` (a number per start) or
    ``(steps, n, 2, 2)`` (a matrix); index ``t - 1`` holds step ``t``.  Numbers can be plotted over the steps."""

    name: str
    label: str                         # plain text for axis titles and legends
    log: bool = False                  # plot on a log scale


@dataclass(frozen=True)
class Maths:
    """The rule and what follows from it: its hyperparameters, its equations, how it samples and schedules."""

    init: Callable[[Any], Any]                 # theta (n, d) -> the rule's state
    update: Callable[..., Step]                # (theta, state, ctx, hp) -> Step
    params: tuple[Param[Any], ...]             # its own hyperparameters (schedules are added by `all_params`)
    equations: tuple[str, ...]                 # LaTeX, one line each, as implemented
    symbols: str                               # how the symbols map to hyperparameter names
    sampling: Sampling = Sampling.FULL         # where its gradient comes from (:mod:`optimizers.sampling`)
    diagnostics: frozenset[str] = frozenset({"grad"})   # which of DIAGNOSTICS the rule returns
    warmup: str | None = None                  # the hyperparameter (a momentum) a warm-up ramps; None: no warm-up
    scheduled: tuple[str, ...] = ("lr",)       # the learning rates a schedule multiplies (torch's: every group)
    lr_is_multiplier: bool = False             # lr scales a step size the method estimates itself (learning-rate free)
    max_dim: int | None = None                 # largest dimension d it is offered for (None: any); see DENSE_MAX_DIM
    layout_params: tuple[Param[Any], ...] = ()   # hyperparameters that exist only on a network (a declared layout)
    quadratic: Quadratic | None = None         # its theory on a quadratic bowl (stable range, best setting, rate)

    def __post_init__(self) -> None:
        if self.warmup is not None and self.warmup not in {p.name for p in self.params}:
            raise ValueError(f"warmup names {self.warmup!r}, which is not one of the rule's hyperparameters")


@dataclass(frozen=True)
class Text:
    """How the page teaches it, in our own words."""

    intuition: str
    pros: str
    cons: str
    when: str
    reference: str
    network: str = ""          # how it acts on a network's weights, where that differs from a surface (network mode)


@dataclass(frozen=True)
class View:
    """How the page shows its steps and runs."""

    explainer: Explainer | None = None         # None: ``lines.named_lines`` lists ``shown``
    shown: tuple[Shown, ...] = ()              # intermediate values (in Step.extra) the generic explainer lists
    notes: Notes | None = None                 # remarks on one step for the inspector (e.g. a failed search)
    series: tuple[Series, ...] = ()            # Step.extra values recorded per step as Trajectory.extra[name]
    markers: tuple[Marker, ...] = ()           # Step.extra points recorded as Trajectory.extra[name] (steps + 1, n, 2)
    moment_arrow: MomentArrow = MomentArrow.FIRST_MOMENT
    ellipse: str | None = None                 # Step.extra 2×2 matrix drawn beside the true inverse Hessian


@dataclass(frozen=True)
class Optimizer:
    """A registered optimizer: its name, title and family, and its maths, text and view."""

    name: str
    title: str
    family: str                                # suggested settings on each surface are shared by a family
    maths: Maths
    text: Text
    view: View = View()
    network_title: str = ""                    # its name in network mode, where its title speaks of a surface

    def title_in(self, network: bool) -> str:
        """Its name on the page: :attr:`network_title` in network mode where the entry declares one, else its title."""
        return self.network_title if network and self.network_title else self.title

    @property
    def params(self) -> tuple[Param[Any], ...]:
        """The rule's own hyperparameters (``maths.params``): those a share link always writes."""
        return self.maths.params

    @property
    def all_params(self) -> tuple[Param[Any], ...]:
        """Own hyperparameters plus the learning-rate schedule and, where the entry declares one, its warm-up."""
        return self.maths.params + SCHEDULE_PARAMS + (WARMUP_PARAMS if self.maths.warmup else ())

    def params_for(self, layout: bool) -> tuple[Param[Any], ...]:
        """Every hyperparameter of a run: :attr:`all_params`, plus ``maths.layout_params`` on a network."""
        return self.all_params + (self.maths.layout_params if layout else ())

    def surface_params(self, n_examples: int | None) -> tuple[Param[Any], ...]:
        """The own hyperparameters a page offers on a surface of ``n_examples`` examples (``None``: analytic):
        see :func:`optimizers.sampling.offered`."""
        return offered(self.maths.params, n_examples)

    def too_large(self, dim: int) -> str | None:
        """Why the rule is not offered in dimension ``dim`` (a sentence for the page), or None if it is."""
        max_dim = self.maths.max_dim
        if max_dim is None or dim <= max_dim:
            return None
        return (f"{self.title} keeps a {dim}×{dim} matrix per run ({dim * dim:,} numbers, reworked every step); "
                f"it is offered up to {max_dim} weights.")

    def param(self, name: str) -> Param[Any]:
        """The declaration of hyperparameter ``name``."""
        for p in self.all_params:
            if p.name == name:
                return p
        raise KeyError(name)
