"""The optimizer registry: one :class:`Optimizer` entry per algorithm.

Each entry declares its hyperparameters once (a :class:`~paramspec.Param`
each), the update rule from :mod:`optimizers.rules`, the LaTeX equations exactly
as the rule computes them, a short explanation for the app, and everything the
page derives from it: how the step inspector explains and draws a step, which
diagnostics and extra markers a run records, the family whose suggested learning
rates it shares on each surface, and how the learning-rate sweep reads its ``lr``.
Adding an optimizer means one rule function plus one entry here (and its tests);
``tests/test_registry.py`` walks the entries to keep that true.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from optimizers import explain, rules
from optimizers.schedules import SCHEDULE_PARAMS, WARMUP_PARAMS
from paramspec import Param


class Sampling(StrEnum):
    """Where a step's gradient comes from (a string enum: it compares equal to its value)."""

    FULL = "full"                      # the full-data gradient
    SINGLE = "single"                  # one example per step (analytic surfaces: true gradient plus noise)
    BATCH = "batch"                    # ``batch_size`` examples per step


class MomentArrow(StrEnum):
    """How the step inspector draws the part of a step that the method carries over from earlier steps."""

    NONE = "none"                      # no such arrow
    FIRST_MOMENT = "first_moment"      # ``-γ m``, the first moment before any per-coordinate scaling (if recorded)
    HEAVY_BALL = "heavy_ball"          # ``-γ μ b_{t-1}``, the momentum carried over (torch.optim.SGD)
    LOOKAHEAD = "lookahead"            # ``-μ v_{t-1}``, the jump to Nesterov's look-ahead point


DIAGNOSTICS = ("grad", "moment", "eff_lr", "fallback")   # the Step fields simulate() records when not None


@dataclass(frozen=True)
class Shown:
    """An intermediate value of a step, rendered by the generic explainer: ``lhs = formula = value``.

    ``key`` names an entry of the rule's ``Step.extra`` (or ``"grad"``, the gradient the rule used).
    """

    key: str
    lhs: str                           # LaTeX of the quantity, e.g. ``\tilde\theta_t``
    formula: str                       # LaTeX of how the rule computes it


@dataclass(frozen=True)
class Marker:
    """A point drawn beside the iterate: ``Trajectory.extra[name]`` has shape ``(steps + 1, n, 2)``.

    Index ``t`` belongs to step ``t`` (index 0 is the start); the rule returns the step's value in
    ``Step.extra[name]``.  ``radius`` names a hyperparameter drawn as a ball of that radius around the
    point before the step (SAM's ρ-ball).
    """

    name: str
    label: str
    color: str = "#00e5ff"
    symbol: str = "diamond"
    radius: str | None = None


@dataclass(frozen=True)
class Optimizer:
    """A registered optimizer: declaration, rule, equations and explanation."""

    name: str
    title: str
    params: tuple[Param, ...]            # the rule's own hyperparameters (schedules are added by `all_params`)
    equations: tuple[str, ...]           # LaTeX, one line each, as implemented
    symbols: str                         # how the symbols map to hyperparameter names
    init: Callable[[Any], Any]
    update: Callable[..., rules.Step]
    intuition: str
    pros: str
    cons: str
    when: str
    reference: str
    family: str = ""                     # suggested learning rates on each surface are shared by a family
    sampling: Sampling = Sampling.FULL
    diagnostics: frozenset[str] = frozenset({"grad"})   # which of DIAGNOSTICS the rule returns
    explainer: Callable[[Any], list[explain.Line]] | None = None   # None: explain.named_lines from `shown`
    shown: tuple[Shown, ...] = ()        # intermediate values (in Step.extra) the generic explainer lists
    series: tuple[str, ...] = ()         # Step.extra values recorded per step as Trajectory.extra[name] (steps, n, ...)
    markers: tuple[Marker, ...] = ()     # Step.extra points recorded as Trajectory.extra[name] (steps + 1, n, 2)
    moment_arrow: MomentArrow = MomentArrow.FIRST_MOMENT
    lr_is_multiplier: bool = False       # lr scales a step size the method estimates itself (learning-rate free)

    @property
    def all_params(self) -> tuple[Param, ...]:
        """Own hyperparameters plus the learning-rate schedule and, with momentum, its warm-up."""
        own = {p.name for p in self.params}
        return self.params + SCHEDULE_PARAMS + (WARMUP_PARAMS if "momentum" in own else ())

    def param(self, name: str) -> Param:
        """The declaration of hyperparameter ``name``."""
        for p in self.all_params:
            if p.name == name:
                return p
        raise KeyError(name)


# --- hyperparameter declarations: range, scale and help live here once ------------------------------

def lr(default: float) -> Param:
    return Param("lr", default, 0.0, 10.0, low_open=True, log=True,
                 help="Learning rate γ: how far each step moves along its direction.")


def eps(default: float) -> Param:
    return Param("eps", default, 0.0, 1.0, low_open=True, log=True,
                 help="ε: a small constant that keeps the division safe when the averages are tiny.")


MOMENTUM = Param("momentum", 0.9, 0.0, 1.0, high_open=True,
                 help="μ: the fraction of the previous step's velocity kept at each step.")
BETA1 = Param("beta1", 0.9, 0.0, 1.0, high_open=True, help="β₁: decay of the running average of gradients.")
BETA2_ADAM = Param("beta2", 0.999, 0.0, 1.0, high_open=True,
                   help="β₂: decay of the running average of squared gradients.")
BETA2_LION = Param("beta2", 0.99, 0.0, 1.0, high_open=True, help="β₂: decay of the momentum that Lion keeps.")
RHO_RMSPROP = Param("rho", 0.99, 0.0, 1.0, high_open=True,
                    help="ρ (PyTorch's alpha): decay of the running average of squared gradients.")
RHO_ADADELTA = Param("rho", 0.9, 0.0, 1.0, high_open=True,
                     help="ρ: decay of the running averages of squared gradients and squared steps.")
WEIGHT_DECAY = Param("weight_decay", 1e-2, 0.0, 1.0,
                     help="λ: shrinks the parameters toward 0 each step, separately from the gradient.")
BATCH_SIZE = Param("batch_size", 16, 1, 4096, kind="int", log=True,
                   help="Examples per gradient estimate. On analytic surfaces the noise shrinks as 1/√batch.")
NOISE = Param("noise", 1.0, 0.0, 100.0,
              help="Standard deviation of the Gaussian noise added to each gradient coordinate "
                   "on analytic surfaces (divided by √batch_size). Dataset surfaces sample real examples.")
BIAS_CORRECTION = Param("bias_correction", True, kind="bool",
                        help="Divide m and v by 1 - βᵗ to undo their start at zero. Without it the first steps are "
                             "distorted: about √10 times too long with the default betas.")
FALLBACK = Param("fallback", True, kind="bool",
                 help="Take a gradient step where the Hessian is not positive definite.")
FALLBACK_LR = Param("fallback_lr", 0.01, 0.0, 10.0, low_open=True, log=True,
                    help="Learning rate of the gradient step used where Newton's step is not safe.")
MOMENTUM_DECAY = Param("momentum_decay", 4e-3, 0.0, 1.0, log=False,
                       help="ψ: how fast NAdam's momentum schedule μ_t approaches β₁.")

GRAD_MOMENT = frozenset({"grad", "moment"})
GRAD_EFF_LR = frozenset({"grad", "eff_lr"})
GRAD_MOMENT_EFF_LR = frozenset({"grad", "moment", "eff_lr"})

GD_EQ = (r"g_t = \nabla f(\theta_{t-1})", r"\theta_t = \theta_{t-1} - \gamma\, g_t")
ADAM_MOMENTS = (
    r"g_t = \nabla f(\theta_{t-1})",
    r"m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t",
    r"v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2",
)
ADAM_STEP = (r"\theta_t = \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,"
             r"\frac{m_t}{\sqrt{v_t}\,/\sqrt{1 - \beta_2^t} + \epsilon}")
ADAM_SYMBOLS = (r"\gamma = \text{lr},\ \beta_1 = \text{beta1},\ \beta_2 = \text{beta2},\ "
                r"\epsilon = \text{eps};\ m_0 = v_0 = 0")

_ENTRIES = (
    Optimizer(
        name="gd", title="Gradient descent",
        params=(lr(1e-3),), equations=GD_EQ, symbols=r"\gamma = \text{lr}",
        init=rules.init_none, update=rules.gd,
        family="gd", explainer=explain.gd_lines,
        intuition="Step straight downhill, by an amount proportional to the slope. On a ravine the steepest "
                  "direction points across the valley, not along it, so the path zig-zags between the walls.",
        pros="Simple; one hyperparameter; exact and deterministic with the full gradient.",
        cons="Needs γ < 2/L (L the largest curvature); slow along flat directions; no help with bad conditioning.",
        when="Small, well-conditioned problems, and as the baseline every other method is compared with.",
        reference="Cauchy (1847); torch.optim.SGD with momentum=0.",
    ),
    Optimizer(
        name="sgd", title="Stochastic gradient descent",
        params=(lr(1e-3), NOISE), equations=(
            r"i_t \sim \text{next example of a reshuffled epoch}",
            r"g_t = \nabla f_{i_t}(\theta_{t-1}) \quad(\text{analytic surfaces: } "
            r"\nabla f + \sigma\,\xi_t,\ \xi_t \sim \mathcal N(0, I))",
            r"\theta_t = \theta_{t-1} - \gamma\, g_t",
        ), symbols=r"\gamma = \text{lr},\ \sigma = \text{noise}",
        init=rules.init_none, update=rules.gd,
        family="gd", sampling=Sampling.SINGLE, explainer=explain.gd_lines,
        intuition="The gradient of a single example is a cheap, noisy estimate of the true gradient. The noise "
                  "makes the path jitter, which costs precision near the minimum but can shake the iterate out "
                  "of shallow valleys.",
        pros="Cheapest possible step; noise can escape shallow minima and saddles.",
        cons="Never settles exactly with a constant γ (it keeps bouncing); needs a decaying schedule to converge.",
        when="Very large datasets where one pass over the data is already expensive.",
        reference="Robbins & Monro (1951), 'A stochastic approximation method'.",
    ),
    Optimizer(
        name="minibatch", title="Mini-batch gradient descent",
        params=(lr(1e-3), BATCH_SIZE, NOISE), equations=(
            r"B_t = \text{next } b \text{ examples of a reshuffled epoch}",
            r"g_t = \tfrac{1}{|B_t|}\textstyle\sum_{i \in B_t} \nabla f_i(\theta_{t-1})"
            r"\quad(\text{analytic: } \nabla f + \tfrac{\sigma}{\sqrt b}\,\xi_t)",
            r"\theta_t = \theta_{t-1} - \gamma\, g_t",
        ), symbols=r"\gamma = \text{lr},\ b = \text{batch\_size},\ \sigma = \text{noise}",
        init=rules.init_none, update=rules.gd,
        family="gd", sampling=Sampling.BATCH, explainer=explain.gd_lines,
        intuition="Averaging the gradient over a batch of examples cuts the noise by √b while keeping steps "
                  "cheap. With the whole dataset as the batch it is exactly gradient descent.",
        pros="The standard trade-off between cost per step and noise; vectorizes well on hardware.",
        cons="Batch size is one more knob; a constant γ still leaves some jitter at the end.",
        when="Almost all neural-network training (usually combined with momentum or Adam).",
        reference="torch.optim.SGD with a DataLoader of batch_size examples.",
    ),
    Optimizer(
        name="momentum", title="Momentum (heavy ball)",
        params=(lr(1e-3), MOMENTUM), equations=(
            r"g_t = \nabla f(\theta_{t-1})",
            r"b_t = \mu\, b_{t-1} + g_t \quad (b_1 = g_1)",
            r"\theta_t = \theta_{t-1} - \gamma\, b_t",
        ), symbols=r"\gamma = \text{lr},\ \mu = \text{momentum}",
        init=rules.init_trace, update=rules.momentum,
        family="momentum", diagnostics=GRAD_MOMENT, explainer=explain.momentum_lines,
        moment_arrow=MomentArrow.HEAVY_BALL,
        intuition="A ball rolling downhill gathers speed. Gradients that agree from step to step (along the "
                  "valley floor) add up, while those that flip sign (across the valley) cancel, so the zig-zag "
                  "is damped and progress along the valley speeds up by about 1/(1-μ). This is PyTorch's "
                  "convention: γ multiplies the whole buffer, unlike Sutskever's form where it sits inside.",
        pros="Large speed-up on ill-conditioned valleys for one extra knob; inertia can roll through small bumps.",
        cons="Overshoots and oscillates around the minimum when μ is large; γ and μ interact.",
        when="The default upgrade to SGD; still the standard choice for many vision models.",
        reference="Polyak (1964); torch.optim.SGD(momentum=μ, dampening=0).",
    ),
    Optimizer(
        name="nag", title="Nesterov accelerated gradient",
        params=(lr(1e-3), MOMENTUM), equations=(
            r"g_t = \nabla f(\theta_{t-1} - \mu\, v_{t-1})",
            r"v_t = \mu\, v_{t-1} + \gamma\, g_t \quad (v_0 = 0)",
            r"\theta_t = \theta_{t-1} - v_t",
        ), symbols=r"\gamma = \text{lr},\ \mu = \text{momentum}",
        init=rules.init_trace, update=rules.nag,
        family="momentum", diagnostics=GRAD_MOMENT, explainer=explain.nag_lines,
        moment_arrow=MomentArrow.LOOKAHEAD,
        intuition="Like momentum, but the gradient is measured where the velocity is about to carry the "
                  "iterate. If that look-ahead point is already climbing the far wall, the correction comes one "
                  "step earlier, so it overshoots less.",
        pros="Same cost as momentum; less overshoot; optimal rate on smooth convex problems.",
        cons="Still oscillates with large μ; the look-ahead form differs from PyTorch's nesterov=True rewrite.",
        when="Wherever momentum works; a safe default when tuning μ high.",
        reference="Nesterov (1983); Sutskever, Martens, Dahl & Hinton (2013).",
    ),
    Optimizer(
        name="adagrad", title="AdaGrad",
        params=(lr(1e-2), eps(1e-10)), equations=(
            r"g_t = \nabla f(\theta_{t-1})",
            r"s_t = s_{t-1} + g_t^2 \quad (s_0 = 0)",
            r"\theta_t = \theta_{t-1} - \gamma\,\frac{g_t}{\sqrt{s_t} + \epsilon}",
        ), symbols=r"\gamma = \text{lr},\ \epsilon = \text{eps};\ \text{squares and roots are per coordinate}",
        init=rules.init_sum, update=rules.adagrad,
        family="adagrad", diagnostics=GRAD_EFF_LR, explainer=explain.adagrad_lines,
        intuition="Each coordinate gets its own learning rate, divided by the root of the sum of all its past "
                  "squared gradients. Steep coordinates are slowed down and flat ones sped up, but the sum only "
                  "grows, so every step gets smaller and the method can stall long before the minimum. "
                  "ε sits outside the square root, as in PyTorch (some texts put it inside).",
        pros="Little tuning; excellent for sparse features that appear rarely.",
        cons="Effective step shrinks forever; stalls on long runs and non-convex surfaces.",
        when="Convex problems with sparse gradients (e.g. linear models on text).",
        reference="Duchi, Hazan & Singer (2011); torch.optim.Adagrad.",
    ),
    Optimizer(
        name="rmsprop", title="RMSprop",
        params=(lr(1e-2), RHO_RMSPROP, eps(1e-8)), equations=(
            r"g_t = \nabla f(\theta_{t-1})",
            r"v_t = \rho\, v_{t-1} + (1 - \rho)\, g_t^2 \quad (v_0 = 0)",
            r"\theta_t = \theta_{t-1} - \gamma\,\frac{g_t}{\sqrt{v_t} + \epsilon}",
        ), symbols=r"\gamma = \text{lr},\ \rho = \text{rho (PyTorch's alpha)},\ \epsilon = \text{eps}",
        init=rules.init_square_avg, update=rules.rmsprop,
        family="rmsprop", diagnostics=GRAD_EFF_LR, explainer=explain.rmsprop_lines,
        intuition="AdaGrad with a memory that fades: the squared gradients are averaged with exponential "
                  "decay ρ, so the per-coordinate step size adapts to recent slopes instead of shrinking "
                  "forever. Steps are roughly γ in size regardless of how steep the surface is. ε is outside "
                  "the square root, as in PyTorch.",
        pros="Keeps moving where AdaGrad stalls; handles very different scales per coordinate.",
        cons="No momentum; steps of size ≈ γ make it jitter around the minimum; not rotation invariant.",
        when="Recurrent networks and non-stationary problems; a predecessor of Adam.",
        reference="Hinton, Srivastava & Swersky (2012), lecture 6e; torch.optim.RMSprop.",
    ),
    Optimizer(
        name="adadelta", title="AdaDelta",
        params=(lr(1.0), RHO_ADADELTA, eps(1e-6)), equations=(
            r"g_t = \nabla f(\theta_{t-1})",
            r"v_t = \rho\, v_{t-1} + (1 - \rho)\, g_t^2",
            r"\Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\; g_t",
            r"u_t = \rho\, u_{t-1} + (1 - \rho)\, \Delta_t^2 \quad (u_0 = v_0 = 0)",
            r"\theta_t = \theta_{t-1} - \gamma\, \Delta_t",
        ), symbols=r"\gamma = \text{lr},\ \rho = \text{rho},\ \epsilon = \text{eps}",
        init=rules.init_adadelta, update=rules.adadelta,
        family="adadelta", diagnostics=GRAD_EFF_LR, explainer=explain.adadelta_lines,
        intuition="Replaces the learning rate by the ratio of two running averages: recent step sizes over "
                  "recent gradient sizes, so the units of the step match the units of θ. It starts very "
                  "cautiously (the step average begins at ε) and speeds up as it moves.",
        pros="Almost no learning-rate tuning; units are consistent.",
        cons="Slow start; ε effectively sets the initial step size; rarely the fastest.",
        when="When you cannot tune a learning rate at all.",
        reference="Zeiler (2012); torch.optim.Adadelta (lr multiplies the step, default 1.0).",
    ),
    Optimizer(
        name="adam", title="Adam",
        params=(lr(1e-3), BETA1, BETA2_ADAM, eps(1e-8), BIAS_CORRECTION),
        equations=ADAM_MOMENTS + (ADAM_STEP,
                                  r"\text{bias correction off: } \theta_t = \theta_{t-1} - \gamma\,"
                                  r"\frac{m_t}{\sqrt{v_t} + \epsilon}"),
        symbols=ADAM_SYMBOLS,
        init=rules.init_adam, update=rules.adam,
        family="adam", diagnostics=GRAD_MOMENT_EFF_LR, explainer=explain.adam_family_lines,
        intuition="Momentum (the average m of gradients) divided by an RMSprop-style scale (the root of the "
                  "average v of squared gradients). Both averages start at zero, so early on they underestimate "
                  "by different factors, and the ratio m/√v comes out too large; dividing by 1 - βᵗ undoes "
                  "that. With the correction, each step moves each coordinate by about γ.",
        pros="Works well with default settings on a huge range of problems; robust to gradient scale.",
        cons="Per-coordinate scaling is not rotation invariant; can converge to worse points than tuned SGD.",
        when="The default first choice for deep learning, especially transformers.",
        reference="Kingma & Ba (2015); torch.optim.Adam.",
    ),
    Optimizer(
        name="amsgrad", title="AMSGrad",
        params=(lr(1e-3), BETA1, BETA2_ADAM, eps(1e-8)),
        equations=ADAM_MOMENTS + (
            r"\hat v_t = \max(\hat v_{t-1},\, v_t)",
            r"\theta_t = \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,\frac{m_t}{\sqrt{\hat v_t}\,/\sqrt{1 - \beta_2^t}"
            r" + \epsilon}",
        ), symbols=ADAM_SYMBOLS,
        init=rules.init_adam, update=rules.amsgrad,
        family="adam", diagnostics=GRAD_MOMENT_EFF_LR, explainer=explain.adam_family_lines,
        intuition="Adam, except the scale v never shrinks: it keeps the largest value seen. This guarantees "
                  "that the effective step size never grows, fixing a case where Adam fails to converge.",
        pros="Convergence guarantee that Adam lacks.",
        cons="Steps can stay small after one large gradient; rarely better than Adam in practice.",
        when="When Adam's steps become erratic late in training.",
        reference="Reddi, Kale & Kumar (2018); torch.optim.Adam(amsgrad=True).",
    ),
    Optimizer(
        name="adamw", title="AdamW",
        params=(lr(1e-3), BETA1, BETA2_ADAM, eps(1e-8), WEIGHT_DECAY),
        equations=ADAM_MOMENTS + (
            r"\theta_t = \theta_{t-1} - \gamma\lambda\,\theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,"
            r"\frac{m_t}{\sqrt{v_t}\,/\sqrt{1 - \beta_2^t} + \epsilon}",
        ), symbols=ADAM_SYMBOLS + r",\ \lambda = \text{weight\_decay}",
        init=rules.init_adam, update=rules.adamw,
        family="adam", diagnostics=GRAD_MOMENT_EFF_LR, explainer=explain.adam_family_lines,
        intuition="Adam plus weight decay applied directly to θ instead of being added to the gradient. On "
                  "these surfaces it pulls the path slightly toward the origin, so it may stop a little short "
                  "of the minimum.",
        pros="Regularizes properly with adaptive methods; the standard for large models.",
        cons="λ shifts the minimum that is actually reached (a visible bias on a 2-D surface).",
        when="Training transformers and other large networks with regularization.",
        reference="Loshchilov & Hutter (2019); torch.optim.AdamW.",
    ),
    Optimizer(
        name="nadam", title="NAdam",
        params=(lr(2e-3), BETA1, BETA2_ADAM, eps(1e-8), MOMENTUM_DECAY),
        equations=ADAM_MOMENTS + (
            r"\mu_t = \beta_1\bigl(1 - \tfrac12\, 0.96^{\,t\psi}\bigr),\quad \Pi_t = \textstyle\prod_{i \le t} \mu_i",
            r"\theta_t = \theta_{t-1} - \gamma\,"
            r"\frac{(1 - \mu_t)\, g_t/(1 - \Pi_t) + \mu_{t+1}\, m_t/(1 - \Pi_t\mu_{t+1})}"
            r"{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}",
        ), symbols=ADAM_SYMBOLS + r",\ \psi = \text{momentum\_decay}",
        init=rules.init_nadam, update=rules.nadam,
        family="adam", diagnostics=GRAD_MOMENT_EFF_LR, explainer=explain.nadam_lines,
        intuition="Adam with Nesterov's look-ahead built in: the step mixes the current gradient with the "
                  "momentum that the next step will apply, so it reacts a little sooner to a change of slope.",
        pros="Often slightly faster than Adam early on.",
        cons="More hyperparameters; differences from Adam are small on most problems.",
        when="As a drop-in alternative to Adam.",
        reference="Dozat (2016); torch.optim.NAdam.",
    ),
    Optimizer(
        name="lion", title="Lion",
        params=(lr(1e-4), BETA1, BETA2_LION, Param("weight_decay", 0.0, 0.0, 1.0, help=WEIGHT_DECAY.help)),
        equations=(
            r"g_t = \nabla f(\theta_{t-1})",
            r"c_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t",
            r"\theta_t = \theta_{t-1} - \gamma\,\bigl(\operatorname{sign}(c_t) + \lambda\,\theta_{t-1}\bigr)",
            r"m_t = \beta_2 m_{t-1} + (1 - \beta_2)\, g_t \quad (m_0 = 0)",
        ), symbols=(r"\gamma = \text{lr},\ \beta_1 = \text{beta1},\ \beta_2 = \text{beta2},\ "
                    r"\lambda = \text{weight\_decay}"),
        init=rules.init_lion, update=rules.lion,
        family="lion", diagnostics=GRAD_MOMENT, explainer=explain.lion_lines,
        intuition="Only the sign of an interpolated momentum is used, so every coordinate moves by exactly γ "
                  "each step. Paths are made of diagonal moves; near the minimum it hops back and forth by γ.",
        pros="Cheap (one moment); uniform step size; strong results on large vision and language models.",
        cons="Needs a smaller γ than Adam; cannot settle closer than about γ without a decaying schedule.",
        when="Large-scale training where memory for optimizer state matters.",
        reference="Chen et al. (2023), 'Symbolic discovery of optimization algorithms' (not in torch.optim).",
    ),
    Optimizer(
        name="newton", title="Newton's method",
        params=(lr(1.0), FALLBACK, FALLBACK_LR), equations=(
            r"g_t = \nabla f(\theta_{t-1}),\quad H_t = \nabla^2 f(\theta_{t-1})",
            r"\theta_t = \theta_{t-1} - \gamma\, H_t^{-1} g_t \quad \text{if } \lambda_{\min}(H_t) > 10^{-8}",
            r"\theta_t = \theta_{t-1} - \gamma_{\mathrm{fb}}\, g_t \quad \text{otherwise (a gradient step)}",
        ), symbols=r"\gamma = \text{lr},\ \gamma_{\mathrm{fb}} = \text{fallback\_lr};\ "
                   r"\text{with fallback off, the Newton step is used wherever } H_t \text{ is invertible}",
        init=rules.init_none, update=rules.newton,
        family="newton", diagnostics=frozenset({"grad", "fallback"}), explainer=explain.newton_lines,
        intuition="Fit a quadratic bowl to the surface using its curvature (the Hessian) and jump to that "
                  "bowl's bottom. On a true quadratic it lands on the minimum in one step with γ = 1. Where the "
                  "surface curves downward the fitted bowl is upside down and the jump heads for a maximum or a "
                  "saddle, so the method falls back to a gradient step there.",
        pros="Immune to bad conditioning; converges quadratically near a minimum.",
        cons="Needs the Hessian (too costly in high dimensions); attracted to saddles without a safeguard.",
        when="Small problems with cheap second derivatives, e.g. logistic regression with few features.",
        reference="Nocedal & Wright, Numerical Optimization (2006), chapter 3.",
    ),
)

OPTIMIZERS: dict[str, Optimizer] = {o.name: o for o in _ENTRIES}


def family_of(name: str) -> str:
    """The family whose suggested settings optimizer ``name`` shares (its own name if it has none)."""
    return OPTIMIZERS[name].family or name
