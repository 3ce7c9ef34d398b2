"""The optimizer registry: every :class:`~optimizers.spec.Optimizer` entry, in one sequence, and how to find one.

Each entry names its rule from :mod:`optimizers.rules` and declares, apart, its maths (hyperparameters, equations
as the rule computes them, sampling, schedule and warm-up, theory), its teaching text and its view (explainer,
series, markers, the inspector's arrows and ellipse): see :mod:`optimizers.spec`.  Everything the page shows
about an optimizer (widgets, link, validation, equations, inspector, explanations, fair race, sweep) follows
from its entry.  Adding an optimizer means its rule in :mod:`optimizers.rules` and its entry here (shared
hyperparameters come from :mod:`optimizers.params`; a new one may be declared in the entry);
``tests/test_registry.py`` walks the entries to keep that true.

The constants the equations and texts quote (Newton's threshold, BFGS's line search, NAdam's schedule, Muon's
Newton–Schulz coefficients) are read from the rules, not typed in.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from optimizers import lines, rules, theory
from optimizers.lines import Shown, const, nadam_mu
from optimizers.params import (
    BETA1,
    BETA2_ADAM,
    BETA2_LION,
    BIAS_CORRECTION,
    D0,
    D_COEF,
    DELTA,
    FALLBACK,
    FALLBACK_LR,
    LINE_SEARCH_LR,
    LR_WARMUP,
    MOMENTUM,
    MOMENTUM_DECAY,
    MULTIPLIER_LR,
    MUON_ADAMW_PARAMS,
    MUON_MOMENTUM,
    MUON_WEIGHT_DECAY,
    NESTEROV,
    NO_WEIGHT_DECAY,
    NS_STEPS,
    RHO_ADADELTA,
    RHO_RMSPROP,
    SAM_RADIUS,
    SF_BETA1,
    SF_MOMENTUM,
    UNCORRECTED_FIRST_STEP,
    WEIGHT_DECAY,
    eps,
    lr,
)
from optimizers.sampling import BATCH_SIZE, NOISE, Sampling
from optimizers.spec import DENSE_MAX_DIM, Marker, Maths, MomentArrow, Optimizer, Series, Text, View
from paramspec import fmt

# --- pieces several entries share ------------------------------------------------------------------------------

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

SF_EQ = (
    r"\gamma_t = \gamma \min(1,\, t/T) \ (\gamma \text{ if } T = 0),\quad "
    r"c_t = \frac{\max_{i\le t}\gamma_i^2}{\sum_{j \le t} \max_{i \le j}\gamma_i^2}",
    r"y_t = (1 - \beta)\, z_{t-1} + \beta\, x_{t-1} \quad (z_0 = x_0 = \theta_0)",
    r"g_t = \nabla f(y_t)",
)
SF_AVERAGE = (
    r"x_t = (1 - c_t)\, x_{t-1} + c_t\, z_t \quad (\theta_t = x_t \text{ is drawn and its loss reported})",
)
SF_SYMBOLS = r"\gamma = \text{lr},\ T = \text{lr\_warmup},\ \lambda = \text{weight\_decay}"
SF_SERIES = (Series("average_weight", "c_t, the weight of the newest z in the average x", log=True),)
SF_MARKERS = (Marker("z", "z: the base (SGD or Adam) sequence", "#ffd600", "diamond", link=True),
              Marker("y", "y: where this step's gradient was taken", "#00e5ff", "x", link=True))
SF_SHOWN = (Shown("average_weight", "c_t", r"\gamma_{\max}^2 / \textstyle\sum \gamma_{\max}^2"),
            Shown("y", "y_t", r"(1 - \beta)\, z_{t-1} + \beta\, x_{t-1}"),
            Shown("grad", "g_t", r"\nabla f(y_t)"),
            Shown("z", "z_t", r"z_{t-1} - \gamma_t\, \hat g_t\quad(\hat g_t\text{: the base step's direction})"))
D_SERIES = (Series("d", "d, the learnt step scale", log=True), Series("d_hat", "d̂, this step's estimate", log=True))

NADAM_MU_T = nadam_mu(r"t\psi")             # NAdam's momentum schedule at step t
HALVE = fmt(1 / rules.BACKTRACK)            # the line search divides its trial step by 2
NS_LENGTH = float(np.linalg.norm(rules.newton_schulz_row(np.array([[1.0, 0.0]]), NS_STEPS.default)))  # of a unit row
NS_A, NS_B, NS_C = (fmt(c) for c in rules.NS_COEFFICIENTS)

ENTRIES: tuple[Optimizer, ...] = (
    Optimizer(
        name="gd", title="Gradient descent", family="gd",
        maths=Maths(
            init=rules.init_none, update=rules.gd, params=(lr(1e-3),), equations=GD_EQ, symbols=r"\gamma = \text{lr}",
            quadratic=theory.GRADIENT_DESCENT,
        ),
        text=Text(
            intuition="Step straight downhill, by an amount proportional to the slope. On a ravine the steepest "
                      "direction points across the valley, not along it, so with a step between 1/L and 2/L the path "
                      "zig-zags between the walls.",
            pros="Simple; one hyperparameter; exact and deterministic with the full gradient.",
            cons="Needs γ < 2/L (L the largest curvature); slow along flat directions (rate (κ−1)/(κ+1) at best); can "
                 "stop in a local minimum; every step costs a pass over the whole dataset.",
            when="Small, well-conditioned problems, and as the baseline every other method is compared with.",
            reference="Cauchy (1847); torch.optim.SGD with momentum=0.",
        ),
        view=View(
            explainer=lines.gd_lines,
        ),
    ),
    Optimizer(
        name="sgd", title="Stochastic gradient descent", family="gd",
        maths=Maths(
            init=rules.init_none, update=rules.gd, params=(lr(1e-3), NOISE),
            equations=(
                r"i_t \sim \text{next example of a reshuffled epoch}",
                r"g_t = \nabla f_{i_t}(\theta_{t-1}) \quad(\text{analytic surfaces: } "
                r"\nabla f + \sigma\,\xi_t,\ \xi_t \sim \mathcal N(0, I))",
                r"\theta_t = \theta_{t-1} - \gamma\, g_t",
            ),
            symbols=r"\gamma = \text{lr},\ \sigma = \text{noise}", sampling=Sampling.SINGLE,
        ),
        text=Text(
            intuition="The gradient of a single example is a cheap, noisy estimate of the true gradient. The noise "
                      "makes the path jitter, which costs precision near the minimum but can shake the iterate out of "
                      "shallow valleys.",
            pros="Cheapest possible step; its noise can carry it out of a shallow valley.",
            cons="Never settles exactly with a constant γ (it keeps bouncing); needs a decaying schedule to converge.",
            when="Very large datasets where one pass over the data is already expensive.",
            reference="Robbins & Monro (1951), 'A stochastic approximation method'.",
        ),
        view=View(
            explainer=lines.gd_lines,
        ),
    ),
    Optimizer(
        name="minibatch", title="Mini-batch gradient descent", family="gd",
        maths=Maths(
            init=rules.init_none, update=rules.gd, params=(lr(1e-3), BATCH_SIZE, NOISE),
            equations=(
                r"B_t = \text{next } b \text{ examples of a reshuffled epoch}",
                r"g_t = \tfrac{1}{|B_t|}\textstyle\sum_{i \in B_t} \nabla f_i(\theta_{t-1})"
                r"\quad(\text{analytic: } \nabla f + \tfrac{\sigma}{\sqrt b}\,\xi_t)",
                r"\theta_t = \theta_{t-1} - \gamma\, g_t",
            ),
            symbols=r"\gamma = \text{lr},\ b = \text{batch\_size},\ \sigma = \text{noise}", sampling=Sampling.BATCH,
        ),
        text=Text(
            intuition="Averaging the gradient over a batch of examples cuts the noise by √b while keeping steps "
                      "cheap. With the whole dataset as the batch it is exactly gradient descent.",
            pros="The standard trade-off between cost per step and noise; vectorizes well on hardware.",
            cons="Batch size is one more knob; a constant γ still leaves some jitter at the end.",
            when="Almost all neural-network training (usually combined with momentum or Adam).",
            reference="torch.optim.SGD with a DataLoader of batch_size examples.",
        ),
        view=View(
            explainer=lines.gd_lines,
        ),
    ),
    Optimizer(
        name="momentum", title="Momentum (heavy ball)", family="momentum",
        maths=Maths(
            init=rules.init_trace, update=rules.momentum, params=(lr(1e-3), MOMENTUM),
            equations=(
                r"g_t = \nabla f(\theta_{t-1})",
                r"b_t = \mu\, b_{t-1} + g_t \quad (b_1 = g_1)",
                r"\theta_t = \theta_{t-1} - \gamma\, b_t",
            ),
            symbols=r"\gamma = \text{lr},\ \mu = \text{momentum}", diagnostics=GRAD_MOMENT, warmup="momentum",
            quadratic=theory.HEAVY_BALL,
        ),
        text=Text(
            intuition="A ball rolling downhill gathers speed. Gradients that agree from step to step (along the "
                      "valley floor) add up, while those that flip sign (across the valley) cancel, so the zig-zag "
                      "turns into slower swings and progress along the floor speeds up by about 1/(1−μ) (while γ "
                      "times the floor's curvature is small). This is PyTorch's convention: γ multiplies the whole "
                      "buffer, unlike Sutskever's form where it sits inside.",
            pros="Large speed-up on ill-conditioned valleys for one extra knob (tuned, rate (√κ−1)/(√κ+1) on a "
                 "quadratic); stable up to γL < 2 + 2μ instead of 2; inertia can carry it over a small bump, but only "
                 "if it arrives fast enough.",
            cons="Overshoots and oscillates around the minimum when μ is large; γ and μ interact; whether it escapes "
                 "a shallow valley depends on where it starts.",
            when="The default upgrade to SGD; still the standard choice for many vision models.",
            reference="Polyak (1964); torch.optim.SGD(momentum=μ, dampening=0).",
        ),
        view=View(
            explainer=lines.momentum_lines, moment_arrow=MomentArrow.HEAVY_BALL,
        ),
    ),
    Optimizer(
        name="nag", title="Nesterov accelerated gradient", family="momentum",
        maths=Maths(
            init=rules.init_trace, update=rules.nag, params=(lr(1e-3), MOMENTUM),
            equations=(
                r"g_t = \nabla f(\theta_{t-1} - \mu\, v_{t-1})",
                r"v_t = \mu\, v_{t-1} + \gamma\, g_t \quad (v_0 = 0)",
                r"\theta_t = \theta_{t-1} - v_t",
            ),
            symbols=r"\gamma = \text{lr},\ \mu = \text{momentum}", diagnostics=GRAD_MOMENT, warmup="momentum",
            quadratic=theory.NESTEROV,
        ),
        text=Text(
            intuition="Like momentum, but the gradient is measured where the velocity is about to carry the iterate. "
                      "If that look-ahead point is already climbing the far wall, the correction comes one step "
                      "earlier, so with a large μ and a moderate γ it overshoots less.",
            pros="Same cost as momentum; at the same γ and a large μ it overshoots less and settles sooner, as long "
                 "as γL stays well below its stability limit; its accelerated rate is guaranteed on every smooth, "
                 "strongly convex function (Nesterov's theorem), where the heavy ball's can fail.",
            cons="On a quadratic, tuned heavy ball is faster (rate (√κ−1)/(√κ+1) against 1 − 2/√(3κ+1)); still "
                 "oscillates with large μ; its stable range is narrower, γL < (2+2μ)/(1+2μ) against the heavy ball's "
                 "2+2μ; the look-ahead form differs from PyTorch's nesterov=True rewrite.",
            when="Wherever momentum works; a safe default when tuning μ high.",
            reference="Nesterov (1983); Sutskever, Martens, Dahl & Hinton (2013).",
        ),
        view=View(
            explainer=lines.nag_lines, moment_arrow=MomentArrow.LOOKAHEAD,
        ),
    ),
    Optimizer(
        name="adagrad", title="AdaGrad", family="adagrad",
        maths=Maths(
            init=rules.init_sum, update=rules.adagrad, params=(lr(1e-2), eps(1e-10)),
            equations=(
                r"g_t = \nabla f(\theta_{t-1})",
                r"s_t = s_{t-1} + g_t^2 \quad (s_0 = 0)",
                r"\theta_t = \theta_{t-1} - \gamma\,\frac{g_t}{\sqrt{s_t} + \epsilon}",
            ),
            symbols=r"\gamma = \text{lr},\ \epsilon = \text{eps};\ \text{squares and roots are per coordinate}",
            diagnostics=GRAD_EFF_LR,
        ),
        text=Text(
            intuition="Each coordinate gets its own learning rate, divided by the root of the sum of all its past "
                      "squared gradients. Steep coordinates are slowed down and flat ones sped up, but the sum only "
                      "grows, so the effective learning rate only shrinks and the method slows to a crawl long before "
                      "the minimum. ε sits outside the square root, as in PyTorch (some texts put it inside).",
            pros="Little tuning; excellent for sparse features that appear rarely.",
            cons="Its effective learning rate only shrinks, so long runs slow down (without stopping); "
                 "per-coordinate, so it helps with bad conditioning only along the axes.",
            when="Convex problems with sparse gradients (e.g. linear models on text).",
            reference="Duchi, Hazan & Singer (2011); torch.optim.Adagrad.",
        ),
        view=View(
            explainer=lines.adagrad_lines,
        ),
    ),
    Optimizer(
        name="rmsprop", title="RMSprop", family="rmsprop",
        maths=Maths(
            init=rules.init_square_avg, update=rules.rmsprop, params=(lr(1e-2), RHO_RMSPROP, eps(1e-8)),
            equations=(
                r"g_t = \nabla f(\theta_{t-1})",
                r"v_t = \rho\, v_{t-1} + (1 - \rho)\, g_t^2 \quad (v_0 = 0)",
                r"\theta_t = \theta_{t-1} - \gamma\,\frac{g_t}{\sqrt{v_t} + \epsilon}",
            ),
            symbols=r"\gamma = \text{lr},\ \rho = \text{rho (PyTorch's alpha)},\ \epsilon = \text{eps}",
            diagnostics=GRAD_EFF_LR,
        ),
        text=Text(
            intuition="AdaGrad with a memory that fades: the squared gradients are averaged with exponential decay ρ, "
                      "so the per-coordinate step size adapts to recent slopes instead of shrinking forever. Its "
                      "steps are set by γ, not by how steep the surface is. ε is outside the square root, as in "
                      "PyTorch.",
            pros="Keeps moving where AdaGrad slows down; evens out very different gradient scales, but only those "
                 "that line up with the coordinate axes.",
            cons="No momentum; with a constant γ it never settles: it keeps being thrown back out to about 0.7γ from "
                 "the minimum; per-coordinate scaling depends on the coordinate system, so a turned valley loses the "
                 "benefit.",
            when="Recurrent networks and non-stationary problems; a predecessor of Adam.",
            reference="Hinton, Srivastava & Swersky (2012), lecture 6e; torch.optim.RMSprop.",
        ),
        view=View(
            explainer=lines.rmsprop_lines,
        ),
    ),
    Optimizer(
        name="adadelta", title="AdaDelta", family="adadelta",
        maths=Maths(
            init=rules.init_adadelta, update=rules.adadelta, params=(lr(1.0), RHO_ADADELTA, eps(1e-6)),
            equations=(
                r"g_t = \nabla f(\theta_{t-1})",
                r"v_t = \rho\, v_{t-1} + (1 - \rho)\, g_t^2",
                r"\Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\; g_t",
                r"u_t = \rho\, u_{t-1} + (1 - \rho)\, \Delta_t^2 \quad (u_0 = v_0 = 0)",
                r"\theta_t = \theta_{t-1} - \gamma\, \Delta_t",
            ),
            symbols=r"\gamma = \text{lr},\ \rho = \text{rho},\ \epsilon = \text{eps}", diagnostics=GRAD_EFF_LR,
        ),
        text=Text(
            intuition="Replaces the learning rate by the ratio of two running averages: recent step sizes over recent "
                      "gradient sizes, so the units of the step match the units of θ. It starts very cautiously (the "
                      "step average begins at ε) and speeds up only slowly as it moves.",
            pros="No learning rate to pick in the usual sense; units are consistent.",
            cons="Slow start: ε sets the first steps, √(ε/(1−ρ)) per coordinate, so ε is the real knob.",
            when="When you cannot tune a learning rate at all.",
            reference="Zeiler (2012); torch.optim.Adadelta (lr multiplies the step, default 1.0).",
        ),
        view=View(
            explainer=lines.adadelta_lines,
        ),
    ),
    Optimizer(
        name="adam", title="Adam", family="adam",
        maths=Maths(
            init=rules.init_adam, update=rules.adam, params=(lr(1e-3), BETA1, BETA2_ADAM, eps(1e-8), BIAS_CORRECTION),
            equations=ADAM_MOMENTS + (ADAM_STEP,
                                      r"\text{bias correction off: } \theta_t = \theta_{t-1} - \gamma\,"
                                      r"\frac{m_t}{\sqrt{v_t} + \epsilon}"),
            symbols=ADAM_SYMBOLS, diagnostics=GRAD_MOMENT_EFF_LR,
        ),
        text=Text(
            intuition="Momentum (the average m of gradients) divided by an RMSprop-style scale (the root of the "
                      "average v of squared gradients). Both averages start at zero, so early on they underestimate "
                      "by different factors, and the ratio m/√v comes out too large; dividing by 1 - βᵗ undoes that: "
                      f"without it the first step is √10 ≈ {UNCORRECTED_FIRST_STEP:.1f} times too long. With the "
                      "correction, the first step moves each coordinate by exactly γ, and no later one by more than "
                      "about 3γ.",
            pros="Widely reported to work well with default settings; multiplying the loss by a constant leaves its "
                 "path unchanged.",
            cons="Per-coordinate scaling depends on the coordinate system: on a turned ravine tuned momentum is "
                 "faster; with a constant γ it is eventually thrown out of a minimum it seemed to have settled in; in "
                 "deep networks it can generalise worse than tuned SGD (Wilson et al., 2017).",
            when="The default first choice for deep learning, especially transformers.",
            reference="Kingma & Ba (2015); torch.optim.Adam.",
        ),
        view=View(
            explainer=lines.adam_lines(),
        ),
    ),
    Optimizer(
        name="amsgrad", title="AMSGrad", family="adam",
        maths=Maths(
            init=rules.init_adam, update=rules.amsgrad, params=(lr(1e-3), BETA1, BETA2_ADAM, eps(1e-8)),
            equations=ADAM_MOMENTS + (
                r"\hat v_t = \max(\hat v_{t-1},\, v_t)",
                r"\theta_t = \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,"
                r"\frac{m_t}{\sqrt{\hat v_t}\,/\sqrt{1 - \beta_2^t} + \epsilon}",
            ),
            symbols=ADAM_SYMBOLS, diagnostics=GRAD_MOMENT_EFF_LR,
        ),
        text=Text(
            intuition="Adam, except that the scale √v̂ in the denominator never shrinks: v̂ keeps the largest v seen, "
                      "which fixes a case where Adam fails to converge. In Reddi et al.'s rule, without bias "
                      "correction, that makes the effective step γ/√v̂ non-increasing; with PyTorch's bias "
                      "correction, which this app follows, the effective step still grows while the correction fades.",
            pros="A convergence proof (for Reddi et al.'s rule) that Adam lacks.",
            cons="After large gradients its steps stay smaller than Adam's.",
            when="When Adam's steps become erratic late in training.",
            reference="Reddi, Kale & Kumar (2018); torch.optim.Adam(amsgrad=True).",
        ),
        view=View(
            explainer=lines.adam_lines(amsgrad=True),
        ),
    ),
    Optimizer(
        name="adamw", title="AdamW", family="adam",
        maths=Maths(
            init=rules.init_adam, update=rules.adamw, params=(lr(1e-3), BETA1, BETA2_ADAM, eps(1e-8), WEIGHT_DECAY),
            equations=ADAM_MOMENTS + (
                r"\theta_t = \theta_{t-1} - \gamma\lambda\,\theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,"
                r"\frac{m_t}{\sqrt{v_t}\,/\sqrt{1 - \beta_2^t} + \epsilon}",
            ),
            symbols=ADAM_SYMBOLS + r",\ \lambda = \text{weight\_decay}", diagnostics=GRAD_MOMENT_EFF_LR,
        ),
        text=Text(
            intuition="Adam plus weight decay applied directly to θ instead of being added to the gradient. On these "
                      "surfaces it pulls the path slightly toward the origin, so it may stop a little short of the "
                      "minimum.",
            pros="Regularizes properly with adaptive methods; the standard for large models.",
            cons="λ shifts the point where it stops, toward the origin (a visible bias on a 2-D surface).",
            when="Training transformers and other large networks with regularization.",
            reference="Loshchilov & Hutter (2019); torch.optim.AdamW.",
        ),
        view=View(
            explainer=lines.adam_lines(decoupled=True),
        ),
    ),
    Optimizer(
        name="nadam", title="NAdam", family="adam",
        maths=Maths(
            init=rules.init_nadam, update=rules.nadam, params=(lr(2e-3), BETA1, BETA2_ADAM, eps(1e-8), MOMENTUM_DECAY),
            equations=ADAM_MOMENTS + (
                rf"\mu_t = {NADAM_MU_T},\quad \Pi_t = \textstyle\prod_{{i \le t}} \mu_i",
                r"\theta_t = \theta_{t-1} - \gamma\,"
                r"\frac{(1 - \mu_t)\, g_t/(1 - \Pi_t) + \mu_{t+1}\, m_t/(1 - \Pi_t\mu_{t+1})}"
                r"{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}",
            ),
            symbols=ADAM_SYMBOLS + r",\ \psi = \text{momentum\_decay}", diagnostics=GRAD_MOMENT_EFF_LR,
        ),
        text=Text(
            intuition="Adam with Nesterov's look-ahead built in: the step mixes the current gradient with the "
                      "momentum that the next step will apply: Nesterov's look-ahead, applied to Adam's momentum.",
            pros="Dozat reports faster progress than Adam on some problems; here, at the same γ, it is ahead in some "
                 "cases and behind in others.",
            cons="More hyperparameters; on these surfaces the difference from Adam goes either way.",
            when="As a drop-in alternative to Adam.",
            reference="Dozat (2016); torch.optim.NAdam.",
        ),
        view=View(
            explainer=lines.nadam_lines,
        ),
    ),
    Optimizer(
        name="lion", title="Lion", family="lion",
        maths=Maths(
            init=rules.init_lion, update=rules.lion,
            params=(lr(1e-4), BETA1, BETA2_LION, NO_WEIGHT_DECAY),
            equations=(
                r"g_t = \nabla f(\theta_{t-1})",
                r"c_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t",
                r"\theta_t = \theta_{t-1} - \gamma\,\bigl(\operatorname{sign}(c_t) + \lambda\,\theta_{t-1}\bigr)",
                r"m_t = \beta_2 m_{t-1} + (1 - \beta_2)\, g_t \quad (m_0 = 0)",
            ),
            symbols=r"\gamma = \text{lr},\ \beta_1 = \text{beta1},\ \beta_2 = \text{beta2},\ "
                    r"\lambda = \text{weight\_decay}",
            diagnostics=GRAD_MOMENT,
        ),
        text=Text(
            intuition="Only the sign of an interpolated momentum is used, so every coordinate moves by exactly γ each "
                      "step. Paths are made of diagonal moves; near the minimum it keeps hopping back and forth.",
            pros="Cheap (one moment); uniform step size; strong results on large vision and language models.",
            cons="Needs a smaller γ than Adam; without a decaying schedule it does not settle, staying about γ/10 or "
                 "more from the minimum.",
            when="Large-scale training where memory for optimizer state matters.",
            reference="Chen et al. (2023), 'Symbolic discovery of optimization algorithms' (not in torch.optim).",
        ),
        view=View(
            explainer=lines.lion_lines,
        ),
    ),
    Optimizer(
        name="newton", title="Newton's method", family="newton",
        maths=Maths(
            init=rules.init_none, update=rules.newton, params=(lr(1.0), FALLBACK, FALLBACK_LR),
            equations=(
                r"g_t = \nabla f(\theta_{t-1}),\quad H_t = \nabla^2 f(\theta_{t-1})",
                rf"\theta_t = \theta_{{t-1}} - \gamma\, H_t^{{-1}} g_t \quad \text{{if }} \lambda_{{\min}}(H_t) > "
                rf"{const(rules.PD_THRESHOLD)}",
                r"\theta_t = \theta_{t-1} - \gamma_{\mathrm{fb}}\, g_t \quad \text{otherwise (a gradient step)}",
            ),
            symbols=r"\gamma = \text{lr},\ \gamma_{\mathrm{fb}} = \text{fallback\_lr};\ "
                    r"\text{with fallback off, the Newton step is used wherever } H_t \text{ is invertible}",
            diagnostics=frozenset({"grad", "fallback"}), max_dim=DENSE_MAX_DIM,
        ),
        text=Text(
            intuition="Fit a quadratic bowl to the surface using its curvature (the Hessian) and jump to that bowl's "
                      "bottom. On a true quadratic it lands on the minimum in one step with γ = 1. Where the surface "
                      "curves downward the fitted bowl is upside down and the jump heads for a maximum or a saddle, "
                      "so the method falls back to a gradient step there.",
            pros="Immune to bad conditioning; converges quadratically near a minimum.",
            cons="Needs the Hessian (too costly in high dimensions); attracted to saddles without a safeguard, and "
                 "even with it a Newton step where the curvature has only just turned positive can be huge.",
            when="Small problems with cheap second derivatives, e.g. logistic regression with few features.",
            reference="Nocedal & Wright, Numerical Optimization (2006), chapter 3.",
        ),
        view=View(
            explainer=lines.newton_lines,
        ),
    ),
    Optimizer(
        name="bfgs", title="BFGS (backtracking Armijo line search)", family="bfgs",
        maths=Maths(
            init=rules.init_bfgs, update=rules.bfgs, params=(LINE_SEARCH_LR,),
            equations=(
                r"g_t = \nabla f(\theta_{t-1}),\quad s = \theta_{t-1} - \theta_{t-2},\quad y = g_t - g_{t-1},"
                r"\quad \rho = 1/(y^\top s)",
                r"H_t = (I - \rho\, s y^\top)\, H_{t-1}\, (I - \rho\, y s^\top) + \rho\, s s^\top"
                rf"\quad \text{{if }} s^\top y > {const(rules.CURVATURE_FLOOR)}\lVert s\rVert \lVert y\rVert,\ "
                r"\text{else } H_t = H_{t-1};"
                r"\quad H_1 = I",
                r"p_t = -H_t\, g_t",
                rf"\alpha_t = \gamma\, {HALVE}^{{-j}},\ j = \min\{{\, j \le {rules.MAX_BACKTRACKS} : "
                rf"f(\theta_{{t-1}} + \gamma {HALVE}^{{-j}} p_t) \le "
                rf"f(\theta_{{t-1}}) + c_1 \gamma {HALVE}^{{-j}}\, g_t^\top p_t \,\}}"
                r"\quad (\alpha_t = 0 \text{ if none}),"
                rf"\ c_1 = {const(rules.ARMIJO_C1)}",
                r"\theta_t = \theta_{t-1} + \alpha_t\, p_t",
            ),
            symbols=r"\gamma = \text{lr (the first trial step)};\ H_t \text{ estimates the inverse Hessian}",
            diagnostics=frozenset({"grad"}), max_dim=DENSE_MAX_DIM,
        ),
        text=Text(
            intuition="Newton's method without the Hessian: BFGS builds an estimate H of the inverse Hessian from how "
                      "the gradient changed over the last step (the secant condition H y = s), one rank-two "
                      "correction per step, and moves along -H g. A backtracking line search (Armijo's sufficient "
                      "decrease: halve the step until the loss drops by at least a small fraction of what the slope "
                      "promises) makes every step go downhill. The inspector draws H as an ellipse beside the true "
                      "inverse Hessian: watch the estimate take the shape of the valley.",
            pros="Superlinear convergence near a minimum using gradients only (a theorem); no learning rate to tune; "
                 "unaffected by bad conditioning once H has been learnt.",
            cons="Stores and updates a d×d matrix (fine in 2-D, too much for a neural network; L-BFGS keeps a few "
                 "vectors instead); needs exact, noise-free gradients and loss values for the line search.",
            when="Smooth deterministic problems of modest size: scipy.optimize.minimize's default for unconstrained "
                 "problems.",
            reference="Nocedal & Wright, Numerical Optimization (2006), Algorithm 6.1 (BFGS) with Algorithm 3.1 "
                      "(backtracking line search); H_0 = I as scipy.optimize's BFGS.",
        ),
        view=View(
            shown=(Shown("grad", "g_t", r"\nabla f(\theta_{t-1})"),
                   Shown("inv_hessian", "H_t", r"\text{BFGS update}"), Shown("direction", "p_t", r"-H_t\, g_t"),
                   Shown("alpha", r"\alpha_t", r"\text{Armijo backtracking}")),
            notes=lines.line_search_notes,
            series=(Series("inv_hessian", "H_t, the inverse-Hessian estimate"),
                    Series("alpha", "α_t, the step length the line search accepted", log=True)),
            moment_arrow=MomentArrow.NONE, ellipse="inv_hessian",
        ),
    ),
    Optimizer(
        name="adagrad_full", title="Full-matrix AdaGrad", family="adagrad",
        maths=Maths(
            init=rules.init_outer_sum, update=rules.adagrad_full, params=(lr(1e-2), DELTA),
            equations=(
                r"g_t = \nabla f(\theta_{t-1})",
                r"G_t = G_{t-1} + g_t g_t^\top \quad (G_0 = 0)",
                r"\theta_t = \theta_{t-1} - \gamma\, \bigl(\delta I + G_t^{1/2}\bigr)^{-1} g_t",
            ),
            symbols=r"\gamma = \text{lr},\ \delta = \text{eps};\ G_t^{1/2} \text{ is the matrix square root "
                    r"(closed-form 2×2 eigen-decomposition)}",
            max_dim=DENSE_MAX_DIM,
        ),
        text=Text(
            intuition="AdaGrad as its authors first wrote it: instead of one running sum of squared gradients per "
                      "coordinate, it keeps the sum G of the outer products g gᵀ, a matrix that also records how the "
                      "coordinates move together, and divides by its square root. Turning the surface turns G with "
                      "it, so the path on a rotated ravine is the same path, rotated: diagonal AdaGrad cannot do "
                      "that, because its per-coordinate scaling is tied to the axes.",
            pros="Rotation invariant; adapts to correlated directions such as a tilted valley.",
            cons="Needs a d×d matrix and its square root each step (cost d³): only feasible in low dimension; like "
                 "AdaGrad's, its preconditioner only shrinks.",
            when="Small problems with strongly correlated parameters; as the idea behind Shampoo and other structured "
                 "preconditioners.",
            reference="Duchi, Hazan & Singer (2011), 'Adaptive subgradient methods for online learning and stochastic "
                      "optimization', full-matrix form. Independent NumPy reference in the tests.",
        ),
        view=View(
            shown=(Shown("grad", "g_t", r"\nabla f(\theta_{t-1})"),
                   Shown("outer_sum", "G_t", r"G_{t-1} + g_t g_t^\top"),
                   Shown("preconditioner", "P_t", r"\gamma\, (\delta I + G_t^{1/2})^{-1}")),
            series=(Series("preconditioner", "P_t = γ (δI + G_t^½)⁻¹"),), moment_arrow=MomentArrow.NONE,
            ellipse="preconditioner",
        ),
    ),
    Optimizer(
        name="sam", title="SAM (sharpness-aware, SGD base)", family="gd",
        maths=Maths(
            init=rules.init_none, update=rules.sam, params=(lr(1e-3), SAM_RADIUS),
            equations=(
                r"\epsilon_t = \rho\, \frac{\nabla f(\theta_{t-1})}{\lVert \nabla f(\theta_{t-1}) \rVert}"
                r"\quad (0 \text{ where the gradient is } 0)",
                r"g_t = \nabla f(\theta_{t-1} + \epsilon_t)",
                r"\theta_t = \theta_{t-1} - \gamma\, g_t",
            ),
            symbols=r"\gamma = \text{lr},\ \rho = \text{radius (Foret et al.'s } \rho\text{: a distance, "
                    r"not a decay rate)}",
        ),
        text=Text(
            intuition="Before each step SAM asks: what is the worst point within distance ρ? To first order that is ρ "
                      "uphill along the gradient. It measures the gradient there and takes the descent step from the "
                      "original point. In a sharp valley the uphill point sits high on a wall and pushes hard; in a "
                      "wide valley it barely differs, so, Foret et al. argue, SAM prefers flat minima. The inspector "
                      "draws the ρ-ball and the perturbed point.",
            pros="In Foret et al.'s experiments it finds flatter minima, which generalise better; one extra knob.",
            cons="Two gradients per step; near a minimum the perturbed gradient does not vanish, so with a constant γ "
                 "it keeps moving around the minimum instead of landing on it.",
            when="Image classification and fine-tuning where generalisation matters more than training speed.",
            reference="Foret, Kleiner, Mobahi & Neyshabur (2021), 'Sharpness-aware minimization for efficiently "
                      "improving generalization', Algorithm 1 (p = 2). Independent NumPy reference in the tests.",
        ),
        view=View(
            shown=(Shown("grad_at_theta", r"\nabla f(\theta_{t-1})", r"\text{gradient at the point}"),
                   Shown("perturbation", r"\epsilon_t", r"\rho\, \nabla f / \lVert \nabla f \rVert"),
                   Shown("perturbed", r"\tilde\theta_t", r"\theta_{t-1} + \epsilon_t"),
                   Shown("grad", "g_t", r"\nabla f(\tilde\theta_t)")),
            markers=(Marker("perturbed", "θ + ε: where SAM measures its gradient", "#00e5ff", "x", radius="radius"),),
            moment_arrow=MomentArrow.NONE,
        ),
    ),
    Optimizer(
        name="sf_sgd", title="Schedule-Free SGD", family="sf_sgd",
        maths=Maths(
            init=rules.init_schedule_free, update=rules.schedule_free_sgd,
            params=(lr(1.0), SF_MOMENTUM, NO_WEIGHT_DECAY, LR_WARMUP),
            equations=SF_EQ + (r"z_t = z_{t-1} - \gamma_t\,(g_t + \lambda\, y_t)",) + SF_AVERAGE,
            symbols=SF_SYMBOLS + r",\ \beta = \text{momentum}", warmup="momentum",
        ),
        text=Text(
            intuition="Three sequences instead of one. z takes plain SGD steps; x, the point that is reported, is the "
                      "running average of all z's; the gradient is taken at y, between the two. Averaging does the "
                      "job a decaying learning-rate schedule usually does, so no schedule (and no stopping time) is "
                      "needed; taking the gradient near the average acts like momentum. The race draws z and y beside "
                      "x.",
            pros="No learning-rate schedule to design; matches or beats tuned cosine schedules in the paper's "
                 "benchmarks; the same memory as momentum.",
            cons="Averaging makes x trail the base sequence z along a long curved path; β and γ interact; the model "
                 "must be evaluated at x, not at y (the package's eval()).",
            when="Training runs whose length is not known in advance, or to avoid tuning a schedule.",
            reference="Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky (2024), 'The road less scheduled'; "
                      "schedulefree.SGDScheduleFree (r = 0, weight_lr_power = 2).",
        ),
        view=View(
            shown=SF_SHOWN, series=SF_SERIES, markers=SF_MARKERS, moment_arrow=MomentArrow.NONE,
        ),
    ),
    Optimizer(
        name="sf_adamw", title="Schedule-Free AdamW", family="adam",
        maths=Maths(
            init=rules.init_schedule_free, update=rules.schedule_free_adamw,
            params=(lr(2.5e-3), SF_BETA1, BETA2_ADAM, eps(1e-8), NO_WEIGHT_DECAY, LR_WARMUP),
            equations=SF_EQ + (
                r"v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \quad (v_0 = 0)",
                r"z_t = z_{t-1} - \gamma_t "
                r"\Bigl(\frac{g_t}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon} + \lambda\, y_t\Bigr)",
            ) + SF_AVERAGE,
            symbols=SF_SYMBOLS + r",\ \beta = \text{beta1},\ \beta_2 = \text{beta2},\ \epsilon = \text{eps}",
        ),
        text=Text(
            intuition="Schedule-Free averaging on top of an Adam-style step: z moves by the gradient divided by the "
                      "root of its running squared average (no first moment: the interpolation y plays that role), x "
                      "averages the z's and is reported, and the gradient is taken at y between them.",
            pros="Adam's robustness to scale without a schedule; won the AlgoPerf 2024 self-tuning track.",
            cons="Same caveats as Schedule-Free SGD: x trails z on curved paths; evaluation must use x.",
            when="Transformer-style training where a schedule would otherwise be tuned.",
            reference="Defazio et al. (2024), 'The road less scheduled'; schedulefree.AdamWScheduleFree (r = 0, "
                      "weight_lr_power = 2).",
        ),
        view=View(
            shown=SF_SHOWN, series=SF_SERIES, markers=SF_MARKERS, moment_arrow=MomentArrow.NONE,
        ),
    ),
    Optimizer(
        name="prodigy", title="Prodigy", family="prodigy",
        maths=Maths(
            init=rules.init_prodigy, update=rules.prodigy,
            params=(MULTIPLIER_LR, BETA1, BETA2_ADAM, eps(1e-8), D0, D_COEF),
            equations=(
                r"g_t = \nabla f(\theta_{t-1}),\quad \beta_3 = \sqrt{\beta_2},\quad d_1 = d_{\max} = d_0",
                r"r_t = \beta_3 r_{t-1} + \tfrac{d_t}{d_0}\, d_t\gamma\; g_t^\top(\theta_0 - \theta_{t-1})",
                r"s_t = \beta_3 s_{t-1} + \tfrac{d_t}{d_0}\, d_t\gamma\; g_t",
                r"m_t = \beta_1 m_{t-1} + d_t (1 - \beta_1)\, g_t,\quad "
                r"v_t = \beta_2 v_{t-1} + d_t^2 (1 - \beta_2)\, g_t^2",
                r"\hat d_t = \kappa\, r_t / \lVert s_t \rVert_1,\quad d_{t+1} = \max(d_t,\, \hat d_t)",
                r"\theta_t = \theta_{t-1} - d_t\gamma\, \frac{m_t}{\sqrt{v_t} + d_{t+1}\, \epsilon}",
            ),
            symbols=r"\gamma = \text{lr (a multiplier)},\ \beta_1 = \text{beta1},\ \beta_2 = \text{beta2},\ "
                    r"\epsilon = \text{eps},\ d_0 = \text{d0},\ \kappa = \text{d\_coef};\ "
                    r"m_0 = v_0 = s_0 = 0,\ r_0 = 0",
            lr_is_multiplier=True,
        ),
        text=Text(
            intuition="Adam whose step size d is learnt instead of set. d estimates the distance from the start to "
                      "the solution: the gradients seen so far, weighted by how far each was from the start, give a "
                      "lower bound on it, and d only ever grows to the largest bound found. It starts tiny (d₀), "
                      "grows by orders of magnitude in the first steps, then settles; the d-over-steps plot shows it. "
                      "The lr you set multiplies d.",
            pros="No learning rate to tune on most problems; a better worst-case rate than D-Adaptation's in its "
                 "paper, though on these surfaces its d starts slower.",
            cons="d never shrinks, so an overestimate early on keeps the steps too large; the first few steps are "
                 "spent near the tiny d₀.",
            when="When tuning a learning rate is expensive: fine-tuning, diffusion and language models.",
            reference="Mishchenko & Defazio (2024), 'Prodigy: an expeditiously adaptive parameter-free learner'; "
                      "prodigyopt.Prodigy 1.1.2 defaults (no bias correction, no safeguard warm-up, no weight decay).",
        ),
        view=View(
            shown=(Shown("grad", "g_t", r"\nabla f(\theta_{t-1})"), Shown("d", "d_t", r"\text{step scale in force}"),
                   Shown("d_hat", r"\hat d_t", r"\kappa\, r_t / \lVert s_t \rVert_1"),
                   Shown("step_scale", r"d_t\gamma", r"\text{step size of this step}")),
            series=D_SERIES, moment_arrow=MomentArrow.NONE,
        ),
    ),
    Optimizer(
        name="dadapt_adam", title="D-Adaptation Adam", family="prodigy",
        maths=Maths(
            init=rules.init_dadapt_adam, update=rules.dadapt_adam,
            params=(MULTIPLIER_LR, BETA1, BETA2_ADAM, eps(1e-8), D0),
            equations=(
                r"g_t = \nabla f(\theta_{t-1}),\quad d_1 = d_0",
                r"r_t = \sqrt{\beta_2}\, r_{t-1} + (1 - \sqrt{\beta_2})\, d_t\gamma\; g_t^\top "
                r"\frac{s_{t-1}}{\sqrt{v_{t-1}} + \epsilon}",
                r"m_t = \beta_1 m_{t-1} + d_t\gamma (1 - \beta_1)\, g_t,\quad "
                r"v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2",
                r"s_t = \sqrt{\beta_2}\, s_{t-1} + d_t\gamma (1 - \sqrt{\beta_2})\, g_t",
                r"\hat d_t = \frac{r_t}{(1 - \sqrt{\beta_2})\, \lVert s_t \rVert_1},\quad "
                r"d_{t+1} = \max(d_t,\, \hat d_t)",
                r"\theta_t = \theta_{t-1} - \frac{m_t}{\sqrt{v_t} + \epsilon}",
            ),
            symbols=r"\gamma = \text{lr (a multiplier)},\ \beta_1 = \text{beta1},\ \beta_2 = \text{beta2},\ "
                    r"\epsilon = \text{eps},\ d_0 = \text{d0};\ m_0 = v_0 = s_0 = 0,\ r_0 = 0",
            lr_is_multiplier=True,
        ),
        text=Text(
            intuition="The predecessor of Prodigy: Adam with its step size d estimated from a lower bound on the "
                      "distance to the solution. On these surfaces its step scale grows faster than Prodigy's in the "
                      "first steps; Prodigy improves on its worst-case rate instead.",
            pros="No learning rate to tune; proven rates on convex problems.",
            cons="Its first steps are spent near the tiny d₀; d never shrinks.",
            when="As Prodigy; mostly of historical interest now.",
            reference="Defazio & Mishchenko (2023), 'Learning-rate-free learning by D-Adaptation'; "
                      "dadaptation.DAdaptAdam 3.2 defaults (no bias correction, no weight decay).",
        ),
        view=View(
            shown=(Shown("grad", "g_t", r"\nabla f(\theta_{t-1})"), Shown("d", "d_t", r"\text{step scale in force}"),
                   Shown("d_hat", r"\hat d_t", r"r_t / ((1 - \sqrt{\beta_2}) \lVert s_t \rVert_1)"),
                   Shown("step_scale", r"d_t\gamma", r"\text{scale of this step's moment}")),
            series=D_SERIES, moment_arrow=MomentArrow.NONE,
        ),
    ),
    Optimizer(
        name="muon", title="Muon (on one 1×2 matrix)", family="lion",
        maths=Maths(
            init=rules.init_muon, update=rules.muon,
            params=(lr(1e-3), MUON_MOMENTUM, NESTEROV, MUON_WEIGHT_DECAY, NS_STEPS),
            equations=(
                r"g_t = \nabla f(\theta_{t-1})",
                r"B_t = \mu B_{t-1} + (1 - \mu)\, g_t \quad (B_0 = 0)",
                r"U_t = (1 - \mu)\, g_t + \mu B_t \quad (\text{nesterov off: } U_t = B_t)",
                rf"X_0 = U_t / \max(\lVert U_t \rVert, {const(rules.NS_EPS)}),\quad "
                r"X_{k+1} = a X_k + (b\, A_k + c\, A_k^2)\, X_k,"
                r"\ A_k = X_k X_k^\top,\quad O_t = X_K",
                r"\theta_t = \theta_{t-1}(1 - \gamma\lambda) - \gamma\, O_t",
            ),
            symbols=r"\gamma = \text{lr},\ \mu = \text{momentum},\ \lambda = \text{weight\_decay},\ "
                rf"K = \text{{ns\_steps}},\ (a, b, c) = ({NS_A}, {NS_B}, {NS_C})",
            warmup="momentum", scheduled=("lr", "adamw_lr"), layout_params=MUON_ADAMW_PARAMS,
        ),
        text=Text(
            intuition="Muon treats a weight matrix's momentum as a matrix and replaces it by the nearest "
                      "orthogonal matrix (all singular values set to about 1), computed with a few Newton–Schulz "
                      "iterations. Here θ is one 1×2 matrix, whose only singular value is its length, so the "
                      "iteration just rescales the momentum: Muon becomes normalised momentum. With torch's five "
                      f"steps from length 1 the length lands at {NS_LENGTH:.3f}, not exactly 1 (the coefficients trade "
                      "accuracy for speed; torch's bfloat16 arithmetic scatters it between about 0.68 and 0.72); "
                      "the update-length series shows it.",
            pros="On real weight matrices: equalises the update across all directions of the matrix; strong results "
                 "training transformers.",
            cons=f"On a vector it reduces to fixed-length steps of about {NS_LENGTH:.1f} γ, so it hops around a "
                 "minimum without a decaying schedule; torch's default weight decay "
                 f"{MUON_WEIGHT_DECAY.default:g} pulls slightly toward 0.",
            when="Hidden-layer weight matrices of transformers (with AdamW for embeddings and biases).",
            reference="Jordan et al. (2024), 'Muon: an optimizer for hidden layers in neural networks'; "
                      "torch.optim.Muon (its Newton–Schulz runs in bfloat16, this one in float64).",
            network="On a network Muon runs as practitioners use it: the rule above acts on each hidden layer's "
                    "weight matrix as a whole (width × 2 for the first, width × width for a second), where "
                    "Newton–Schulz equalises real singular values, and the biases and the output layer train with "
                    "AdamW (its own settings: adamw_lr and the rest).",
        ),
        view=View(
            shown=(Shown("grad", "g_t", r"\nabla f(\theta_{t-1})"),
                   Shown("ns_input", "U_t", r"\text{momentum to orthogonalise}"),
                   Shown("orthogonalised", "O_t", r"\mathrm{NS}_K(U_t)"),
                   Shown("update_length", r"\lVert O_t \rVert", r"\text{length after Newton–Schulz}")),
            series=(Series("update_length", "‖O_t‖, the update's length before γ"),), moment_arrow=MomentArrow.NONE,
        ),
        network_title="Muon (hidden matrices; AdamW for the rest)",
    ),
)

OPTIMIZERS: dict[str, Optimizer] = {o.name: o for o in ENTRIES}


def names() -> list[str]:
    """Names of all registered optimizers, in display order."""
    return list(OPTIMIZERS)


def get(name: str) -> Optimizer:
    """The entry of optimizer ``name``; ``ValueError`` for unknown names."""
    return resolve(name)


def resolve(optimizer: str | Optimizer) -> Optimizer:
    """The registry entry for a name (or the spec itself); ``ValueError`` for unknown names."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[optimizer]


def family_of(name: str) -> str:
    """The family whose suggested settings optimizer ``name`` shares."""
    return OPTIMIZERS[name].family


def suggested(table: Mapping[str, Mapping[str, float]], name: str) -> dict[str, float]:
    """Optimizer ``name``'s settings from a table keyed by family or by optimizer (a surface's ``suggested``,
    network mode's): its family's values, overridden by those under its own name; ``{}`` if neither is there."""
    return {**table.get(family_of(name), {}), **table.get(name, {})}
