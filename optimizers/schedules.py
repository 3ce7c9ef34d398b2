"""Learning-rate schedules and momentum warm-up, declared once for every optimizer.

Step ``t`` counts from 1.  With ``schedule="constant"`` and ``warmup_steps=0``
(the defaults) the update rules are unchanged.  The formulas follow
torch.optim.lr_scheduler (StepLR, ExponentialLR, CosineAnnealingLR with
``eta_min = 0`` and ``T_max = steps``) and an inverse-time decay.  Every
optimizer takes the schedule; the warm-up belongs to the entries that declare
which of their hyperparameters it ramps (``Maths.warmup``, a momentum).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from paramspec import Param

SCHEDULES = ("constant", "step", "exponential", "cosine", "inverse_time")

SCHEDULE_PARAMS: tuple[Param[Any], ...] = (
    Param("schedule", "constant", kind="choice", choices=SCHEDULES,
          help="How the learning rate changes over the run (step t counts from 1)."),
    Param("gamma", 0.5, 0.0, 1.0, low_open=True,
          help="Factor applied every step_size steps (step) or every step (exponential)."),
    Param("step_size", 50, 1, 10_000, kind="int", log=True,
          help="Steps between two reductions of the step schedule."),
    Param("decay", 0.01, 0.0, 10.0, help="k in lr / (1 + k (t - 1)) for the inverse_time schedule."),
)

WARMUP_PARAMS: tuple[Param[Any], ...] = (
    Param("warmup_steps", 0, 0, 10_000, kind="int",
          help="Steps over which momentum rises linearly from momentum_start (0 = no warm-up)."),
    Param("momentum_start", 0.5, 0.0, 1.0, high_open=True, help="Momentum at step 1 during warm-up."),
)

SCHEDULE_LATEX = {
    "constant": r"\gamma_t = \gamma",
    "step": r"\gamma_t = \gamma \cdot \mathrm{gamma}^{\lfloor (t-1)/\mathrm{step\_size} \rfloor}",
    "exponential": r"\gamma_t = \gamma \cdot \mathrm{gamma}^{\,t-1}",
    "cosine": r"\gamma_t = \tfrac12\,\gamma\,\bigl(1 + \cos(\pi (t-1)/T)\bigr),\ T = \text{steps}",
    "inverse_time": r"\gamma_t = \gamma \,/\, \bigl(1 + k\,(t-1)\bigr)",
}


def lr_factor(hp: Mapping[str, Any], t: int, steps: int) -> float:
    """Multiplier of the base learning rate at step ``t`` (1 for the constant schedule)."""
    kind = hp.get("schedule", "constant")
    if kind == "step":
        return hp["gamma"] ** ((t - 1) // hp["step_size"])
    if kind == "exponential":
        return hp["gamma"] ** (t - 1)
    if kind == "cosine":
        return 0.5 * (1.0 + math.cos(math.pi * (t - 1) / max(steps, 1)))
    if kind == "inverse_time":
        return 1.0 / (1.0 + hp["decay"] * (t - 1))
    return 1.0


def warmed(hp: Mapping[str, Any], name: str, t: int) -> Any:
    """Hyperparameter ``name`` (the momentum an entry warms up) at step ``t``: a linear rise from
    ``momentum_start`` to its value over ``warmup_steps`` steps (its value throughout without a warm-up)."""
    warmup = hp.get("warmup_steps", 0)
    if not warmup:
        return hp[name]
    frac = min(1.0, (t - 1) / warmup)
    return hp["momentum_start"] + (hp[name] - hp["momentum_start"]) * frac
