"""One step of a run written out, line by line: each update equation with this step's numbers substituted.

A rule's explainer takes a :class:`StepContext` (one start's view of a
:class:`~optimizers.trajectory.StepRecord`: the point and rule state before the step, the hyperparameters in
force) and returns :class:`Line` objects such as::

    m_t = β₁ m_{t-1} + (1 - β₁) g_t
        = 0.9 · (0.1, -2) + 0.1 · (0.3, 4) = (0.12, -1.4)

The ``*_lines`` explainers below recompute every right-hand side from the step's inputs, independently of
the rule's code and not copied from the run, so the tests can check that the explanation and the update
rule agree.  An entry without its own explainer is explained by :func:`named_lines`, which does not
recompute: it lists the intermediate values the rule itself returned in ``Step.extra`` (the entry's
``shown``), and :func:`optimizers.explain.explain` says so on the page; those rules are checked against an
independent reference in the tests instead.  The equations are those of the registry, which follow the
torch.optim pseudocode.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from landscapes.base import Landscape
from optimizers.rules import BACKTRACK, MAX_BACKTRACKS, NADAM_MU_BASE
from optimizers.sampling import Sampling
from optimizers.trajectory import StepRecord
from paramspec import fmt

Array = np.ndarray


def const(x: float) -> str:
    """A constant of the code written into an equation: ``10^{-8}`` for a power of ten, else as ``fmt`` writes it."""
    exponent = round(np.log10(x)) if x > 0 else None
    return f"10^{{{exponent}}}" if exponent is not None and x == 10.0**exponent else fmt(x)


def nadam_mu(power: str) -> str:
    """LaTeX of NAdam's momentum schedule ``μ = β₁ (1 − ½ · 0.96^power)`` (its base from the rule)."""
    return rf"\beta_1\bigl(1 - \tfrac12\, {fmt(NADAM_MU_BASE)}^{{\,{power}}}\bigr)"


def num(x: float) -> str:
    """``x`` to 4 significant digits in LaTeX (``1.5\\times 10^{-5}`` for very small or large)."""
    x = float(x)
    if x == 0:
        return "0"
    if not np.isfinite(x):
        return r"\infty" if x > 0 else (r"-\infty" if x < 0 else r"\text{NaN}")
    text = f"{x:.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return text


def vec(v: Array) -> str:
    """A 2-vector as a column (narrow enough for a phone's width)."""
    return rf"\begin{{pmatrix}}{num(v[0])}\\ {num(v[1])}\end{{pmatrix}}"


def mat(h: Array) -> str:
    """A 2×2 matrix."""
    return rf"\begin{{pmatrix}}{num(h[0, 0])} & {num(h[0, 1])}\\ {num(h[1, 0])} & {num(h[1, 1])}\end{{pmatrix}}"


def show(value: Array | float) -> str:
    """Scalar, 2-vector or 2×2 matrix, whichever ``value`` is."""
    arr = np.asarray(value)
    return num(float(arr)) if arr.ndim == 0 else vec(arr) if arr.ndim == 1 else mat(arr)


def sc(x: float) -> str:
    """A scalar factor, parenthesized when negative."""
    return f"({num(x)})" if x < 0 else num(x)


@dataclass(frozen=True)
class Line:
    """``lhs = formula = numbers = value``: one equation of the step."""

    key: str             # what it computes: "grad", "moment", "eff_lr", "point", ...
    lhs: str             # LaTeX of the quantity, e.g. ``m_t``
    formula: str         # symbolic right-hand side
    numbers: str         # the right-hand side with this step's numbers ("" when the value is given)
    value: Array         # the result: a vector, a matrix, or a number (0-d)

    @property
    def latex(self) -> str:
        if not self.numbers:
            return rf"{self.lhs} = {self.formula} = {show(self.value)}"
        return (rf"\begin{{aligned}}{self.lhs} &= {self.formula}\\ "
                rf"&= {self.numbers}\\ &= {show(self.value)}\end{{aligned}}")


def hp_value(record: StepRecord, name: str, index: int = 0) -> float:
    """Hyperparameter ``name`` in force at this step for start ``index`` (a scalar, or one value per start)."""
    value = np.asarray(record.hp[name], dtype=np.float64).ravel()
    return float(value[index if value.size > 1 else 0])


@dataclass(frozen=True)
class Shown:
    """An intermediate value of a step, listed by the generic explainer: ``lhs = formula = value``.

    ``key`` names an entry of the rule's ``Step.extra`` (or ``"grad"``, the gradient the rule used).
    """

    key: str
    lhs: str                           # LaTeX of the quantity, e.g. ``\tilde\theta_t``
    formula: str                       # LaTeX of how the rule computes it


@dataclass(frozen=True)
class StepContext:
    """One start's view of a :class:`StepRecord`, with what its entry declares and the helpers explainers share."""

    landscape: Landscape
    rec: StepRecord
    i: int                             # the start
    sampling: Sampling                 # where the step's gradient came from (the entry's)
    shown: tuple[Shown, ...] = ()      # the entry's intermediate values, for :func:`named_lines`

    @property
    def t(self) -> int:
        return self.rec.t

    @property
    def theta(self) -> Array:
        return self.rec.theta[self.i]

    def hp(self, name: str) -> float:
        return hp_value(self.rec, name, self.i)

    def state(self, field: str) -> Array:
        return np.asarray(getattr(self.rec.state, field))[self.i]

    def grad_line(self, at: Array | None = None, at_tex: str = r"\theta_{t-1}") -> Line:
        """``g_t``: recomputed for full-gradient methods, the sampled one otherwise (with the true gradient beside)."""
        if self.sampling is not Sampling.FULL:
            return Line("grad", "g_t", r"\text{sampled gradient at } \theta_{t-1}", "", self.rec.step.grad[self.i])
        point = self.theta if at is None else at
        g = self.landscape.grad(point[None, :])[0]
        return Line("grad", "g_t", rf"\nabla f({at_tex})", rf"\nabla f{vec(point)}", g)

    def point_line(self, formula: str, numbers: str, update: Array) -> Line:
        return Line("point", r"\theta_t", formula, f"{vec(self.theta)} {numbers}", self.theta + update)


Explainer = Callable[[StepContext], list[Line]]     # an entry's explainer: the lines of one step
Notes = Callable[[StepContext], list[str]]          # an entry's remarks on one step (e.g. a failed line search)


def _minus(factor: float, v: Array) -> str:
    return rf"- {sc(factor)}\, {vec(v)}"


# --- one function per rule; each returns its lines ---------------------------------------------------

def gd_lines(s: StepContext) -> list[Line]:
    lines = [s.grad_line()]
    if s.sampling is not Sampling.FULL:
        true = s.landscape.grad(s.theta[None, :])[0]
        lines.append(Line("full_grad", r"\nabla f(\theta_{t-1})", r"\text{full gradient, for comparison}", "", true))
        lines.append(Line("noise", r"g_t - \nabla f(\theta_{t-1})", r"\text{sampling noise}", "",
                          s.rec.step.grad[s.i] - true))
    g, lr = lines[0].value, s.hp("lr")
    lines.append(s.point_line(r"\theta_{t-1} - \gamma\, g_t", _minus(lr, g), -lr * g))
    return lines


def momentum_lines(s: StepContext) -> list[Line]:
    grad = s.grad_line()
    g, mu, lr = grad.value, s.hp("momentum"), s.hp("lr")
    if s.t == 1:
        moment = Line("moment", "b_1", r"g_1 \quad(\text{first step})", "", g)
    else:
        prev = s.state("trace")
        b = mu * prev + g
        moment = Line("moment", "b_t", r"\mu\, b_{t-1} + g_t", rf"{num(mu)}\, {vec(prev)} + {vec(g)}", b)
    b = moment.value
    return [grad, moment, s.point_line(r"\theta_{t-1} - \gamma\, b_t", _minus(lr, b), -lr * b)]


def nag_lines(s: StepContext) -> list[Line]:
    mu, lr, prev = s.hp("momentum"), s.hp("lr"), s.state("trace")
    ahead = s.theta - mu * prev
    look = Line("lookahead", r"\tilde\theta_t", r"\theta_{t-1} - \mu\, v_{t-1}",
                f"{vec(s.theta)} {_minus(mu, prev)}", ahead)
    grad = s.grad_line(ahead, r"\tilde\theta_t")
    v = mu * prev + lr * grad.value
    moment = Line("moment", "v_t", r"\mu\, v_{t-1} + \gamma\, g_t",
                  rf"{num(mu)}\, {vec(prev)} + {num(lr)}\, {vec(grad.value)}", v)
    return [look, grad, moment, s.point_line(r"\theta_{t-1} - v_t", f"- {vec(v)}", -v)]


def adagrad_lines(s: StepContext) -> list[Line]:
    grad = s.grad_line()
    g, lr, eps, prev = grad.value, s.hp("lr"), s.hp("eps"), s.state("sum_sq")
    total = prev + g * g
    eff = lr / (np.sqrt(total) + eps)
    return [
        grad,
        Line("sum", "s_t", r"s_{t-1} + g_t^2", f"{vec(prev)} + {vec(g)}^2", total),
        Line("eff_lr", r"\eta_t", r"\gamma \,/\, (\sqrt{s_t} + \epsilon)",
             rf"{num(lr)} \,/\, (\sqrt{{{vec(total)}}} + {num(eps)})", eff),
        s.point_line(r"\theta_{t-1} - \eta_t \odot g_t", rf"- {vec(eff)} \odot {vec(g)}", -eff * g),
    ]


def _square_avg(s: StepContext, rho: float, prev: Array, g: Array, name: str = "v") -> Line:
    v = rho * prev + (1 - rho) * g * g
    return Line(name, f"{name}_t", rf"\rho\, {name}_{{t-1}} + (1 - \rho)\, g_t^2",
                rf"{num(rho)}\, {vec(prev)} + {num(1 - rho)}\, {vec(g)}^2", v)


def rmsprop_lines(s: StepContext) -> list[Line]:
    grad = s.grad_line()
    g, lr, eps = grad.value, s.hp("lr"), s.hp("eps")
    avg = _square_avg(s, s.hp("rho"), s.state("square_avg"), g)
    eff = lr / (np.sqrt(avg.value) + eps)
    return [
        grad, avg,
        Line("eff_lr", r"\eta_t", r"\gamma \,/\, (\sqrt{v_t} + \epsilon)",
             rf"{num(lr)} \,/\, (\sqrt{{{vec(avg.value)}}} + {num(eps)})", eff),
        s.point_line(r"\theta_{t-1} - \eta_t \odot g_t", rf"- {vec(eff)} \odot {vec(g)}", -eff * g),
    ]


def adadelta_lines(s: StepContext) -> list[Line]:
    grad = s.grad_line()
    g, lr, rho, eps = grad.value, s.hp("lr"), s.hp("rho"), s.hp("eps")
    avg = _square_avg(s, rho, s.state("square_avg"), g)
    u_prev = s.state("acc_delta")
    ratio = np.sqrt(u_prev + eps) / np.sqrt(avg.value + eps)
    delta = ratio * g
    u = rho * u_prev + (1 - rho) * delta * delta
    return [
        grad, avg,
        Line("delta", r"\Delta_t", r"\frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}} \odot g_t",
             rf"\frac{{\sqrt{{{vec(u_prev)} + {num(eps)}}}}}{{\sqrt{{{vec(avg.value)} + {num(eps)}}}}} \odot {vec(g)}",
             delta),
        Line("acc_delta", "u_t", r"\rho\, u_{t-1} + (1 - \rho)\, \Delta_t^2",
             rf"{num(rho)}\, {vec(u_prev)} + {num(1 - rho)}\, {vec(delta)}^2", u),
        s.point_line(r"\theta_{t-1} - \gamma\, \Delta_t", _minus(lr, delta), -lr * delta),
    ]


def _first_moment(s: StepContext, g: Array) -> Line:
    b1, prev = s.hp("beta1"), s.state("mu")
    return Line("moment", "m_t", r"\beta_1 m_{t-1} + (1 - \beta_1)\, g_t",
                rf"{num(b1)}\, {vec(prev)} + {num(1 - b1)}\, {vec(g)}", b1 * prev + (1 - b1) * g)


def _second_moment(s: StepContext, g: Array) -> Line:
    b2, prev = s.hp("beta2"), s.state("nu")
    return Line("v", "v_t", r"\beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2",
                rf"{num(b2)}\, {vec(prev)} + {num(1 - b2)}\, {vec(g)}^2", b2 * prev + (1 - b2) * g * g)


def adam_lines(*, amsgrad: bool = False, decoupled: bool = False) -> Explainer:
    """The explainer of Adam, and of AMSGrad (``amsgrad``: the running maximum of v in the denominator) and
    AdamW (``decoupled``: weight decay applied to θ), the flags of ``rules._adam_step``."""

    def lines(s: StepContext) -> list[Line]:
        grad = s.grad_line()
        g, t = grad.value, s.t
        lr, b1, b2, eps = s.hp("lr"), s.hp("beta1"), s.hp("beta2"), s.hp("eps")
        m, v = _first_moment(s, g), _second_moment(s, g)
        out = [grad, m, v]
        scale = v
        if amsgrad:
            prev = s.state("nu_max")
            scale = Line("v_max", r"\hat v_t", r"\max(\hat v_{t-1},\, v_t)", rf"\max({vec(prev)},\ {vec(v.value)})",
                         np.maximum(prev, v.value))
            out.append(scale)
        sym = r"\hat v_t" if amsgrad else "v_t"
        if s.rec.hp.get("bias_correction", True):
            c1, c2 = 1 - b1**t, 1 - b2**t
            denom = np.sqrt(scale.value) / np.sqrt(c2) + eps
            out.append(Line("denom", "d_t", rf"\sqrt{{{sym}}} \,/\, \sqrt{{1 - \beta_2^{{t}}}} + \epsilon",
                            rf"\sqrt{{{vec(scale.value)}}} \,/\, \sqrt{{{num(c2)}}} + {num(eps)}", denom))
            eff = lr / c1 / denom
            out.append(Line("eff_lr", r"\eta_t", r"\gamma \,/\, \bigl((1 - \beta_1^{t})\, d_t\bigr)",
                            rf"{num(lr)} \,/\, ({num(c1)}\, {vec(denom)})", eff))
        else:
            denom = np.sqrt(v.value) + eps
            eff = lr / denom
            out.append(Line("eff_lr", r"\eta_t", r"\gamma \,/\, (\sqrt{v_t} + \epsilon)"
                            r"\quad(\text{no bias correction})",
                            rf"{num(lr)} \,/\, (\sqrt{{{vec(v.value)}}} + {num(eps)})", eff))
        update = -eff * m.value
        formula, numbers = r"\theta_{t-1} - \eta_t \odot m_t", rf"- {vec(eff)} \odot {vec(m.value)}"
        if decoupled:
            wd = s.hp("weight_decay")
            update = update - lr * wd * s.theta
            formula += r" - \gamma\lambda\, \theta_{t-1}"
            numbers += rf" - {num(lr)} \cdot {num(wd)}\, {vec(s.theta)}"
        out.append(s.point_line(formula, numbers, update))
        return out

    return lines


def nadam_lines(s: StepContext) -> list[Line]:
    grad = s.grad_line()
    g, t = grad.value, s.t
    lr, b1, b2, eps, psi = (s.hp(k) for k in ("lr", "beta1", "beta2", "eps", "momentum_decay"))
    m, v = _first_moment(s, g), _second_moment(s, g)
    base = NADAM_MU_BASE
    mu_t = b1 * (1 - 0.5 * base ** (t * psi))
    mu_next = b1 * (1 - 0.5 * base ** ((t + 1) * psi))
    prev_product = float(s.state("mu_product")[0])
    product = prev_product * mu_t
    denom = np.sqrt(v.value / (1 - b2**t)) + eps
    c_g = (1 - mu_t) / (1 - product)
    c_m = mu_next / (1 - product * mu_next)
    mix = c_g * g + c_m * m.value
    return [
        grad, m, v,
        Line("mu_t", r"\mu_t", nadam_mu(r"t\psi"),
             rf"{num(b1)}\,(1 - 0.5 \cdot {fmt(base)}^{{{t} \cdot {num(psi)}}})", np.asarray(mu_t)),
        Line("mu_next", r"\mu_{t+1}", nadam_mu(r"(t+1)\psi"),
             rf"{num(b1)}\,(1 - 0.5 \cdot {fmt(base)}^{{{t + 1} \cdot {num(psi)}}})", np.asarray(mu_next)),
        Line("mu_product", r"\Pi_t", r"\Pi_{t-1}\, \mu_t", rf"{num(prev_product)} \cdot {num(mu_t)}",
             np.asarray(product)),
        Line("denom", "d_t", r"\sqrt{v_t / (1 - \beta_2^t)} + \epsilon",
             rf"\sqrt{{{vec(v.value)} / {num(1 - b2**t)}}} + {num(eps)}", denom),
        Line("mix", "n_t", r"\frac{1 - \mu_t}{1 - \Pi_t}\, g_t + \frac{\mu_{t+1}}{1 - \Pi_t\mu_{t+1}}\, m_t",
             rf"{num(c_g)}\, {vec(g)} + {num(c_m)}\, {vec(m.value)}", mix),
        s.point_line(r"\theta_{t-1} - \gamma\, n_t \oslash d_t", rf"- {num(lr)}\, {vec(mix)} \oslash {vec(denom)}",
                     -lr * mix / denom),
    ]


def lion_lines(s: StepContext) -> list[Line]:
    grad = s.grad_line()
    g, lr, b1, b2, wd, prev = grad.value, s.hp("lr"), s.hp("beta1"), s.hp("beta2"), s.hp("weight_decay"), s.state("mu")
    c = b1 * prev + (1 - b1) * g
    update = -lr * (np.sign(c) + wd * s.theta)
    return [
        grad,
        Line("interp", "c_t", r"\beta_1 m_{t-1} + (1 - \beta_1)\, g_t",
             rf"{num(b1)}\, {vec(prev)} + {num(1 - b1)}\, {vec(g)}", c),
        s.point_line(r"\theta_{t-1} - \gamma\,\bigl(\operatorname{sign}(c_t) + \lambda\,\theta_{t-1}\bigr)",
                     rf"- {num(lr)} \cdot \bigl({vec(np.sign(c))} + {num(wd)}\, {vec(s.theta)}\bigr)", update),
        Line("moment", "m_t", r"\beta_2 m_{t-1} + (1 - \beta_2)\, g_t",
             rf"{num(b2)}\, {vec(prev)} + {num(1 - b2)}\, {vec(g)}", b2 * prev + (1 - b2) * g),
    ]


def newton_lines(s: StepContext) -> list[Line]:
    grad = s.grad_line()
    g = grad.value
    h = s.landscape.hessian(s.theta[None, :])[0]
    lam_min = float(np.linalg.eigvalsh(h)[0])
    hess = Line("hessian", "H_t", r"\nabla^2 f(\theta_{t-1})", rf"\nabla^2 f{vec(s.theta)}", h)
    lam = Line("lambda_min", r"\lambda_{\min}(H_t)", r"\text{smallest eigenvalue}", "", np.asarray(lam_min))
    fallback = s.rec.step.fallback
    assert fallback is not None                  # Newton's rule says, start by start, which step it took
    newton_step = not bool(fallback[s.i])
    if newton_step:
        lr = s.hp("lr")
        direction = np.linalg.solve(h, g)
        return [grad, hess, lam,
                Line("direction", "p_t", r"H_t^{-1} g_t", rf"{mat(h)}^{{-1}} {vec(g)}", direction),
                s.point_line(r"\theta_{t-1} - \gamma\, p_t", _minus(lr, direction), -lr * direction)]
    lr = s.hp("fallback_lr")
    return [grad, hess, lam,
            s.point_line(r"\theta_{t-1} - \gamma_{\mathrm{fb}}\, g_t", _minus(lr, g), -lr * g)]


def named_lines(s: StepContext) -> list[Line]:
    """The generic explainer: the learning rate in force, then each value the entry declares in ``shown``
    (taken from the rule's ``Step.extra``, or ``Step.grad`` for ``"grad"``), then the update actually applied.

    Nothing is recomputed: these are the rule's own values, as it computed them (the page says so); the tests
    check those rules against an independent reference instead.
    """
    step = s.rec.step
    lines = [Line("lr", r"\gamma", r"\text{lr in force at this step}", "", np.asarray(s.hp("lr")))]
    for shown in s.shown:
        value = step.grad if shown.key == "grad" else step.extra[shown.key]
        lines.append(Line(shown.key, shown.lhs, shown.formula, "", np.asarray(value)[s.i]))
    update = step.update[s.i]
    lines.append(s.point_line(r"\theta_{t-1} + \Delta\theta_t", f"+ {vec(update)}", update))
    return lines


def line_search_notes(s: StepContext) -> list[str]:
    """BFGS: say so when the backtracking line search accepted no step (``α_t = 0``, Nocedal & Wright Alg. 3.1)."""
    if float(np.asarray(s.rec.step.extra["alpha"])[s.i]) != 0.0:
        return []
    return [f"The line search found no acceptable step here: none of the {MAX_BACKTRACKS + 1} trial lengths "
            f"γ·{fmt(1 / BACKTRACK)}^(−j), j = 0 … {MAX_BACKTRACKS}, "
            "lowered the loss by the Armijo amount, so α_t = 0 and the point did not move. This happens when the "
            "loss can no longer decrease measurably along p_t, typically once a minimum has been reached to "
            "rounding precision. With the same point and the same H, every later step repeats the same search "
            "(only a learning-rate schedule, by changing γ, could change the outcome)."]


