"""The hyperparameters several optimizers share, declared once: range, scale and help text.

An entry of :mod:`optimizers.registry` lists its own from here (or declares one of its own beside it);
names follow DESIGN.md (``lr``, ``momentum``, ``beta1``, ``beta2``, ``eps``, ``rho``, ``weight_decay``).  The
sampling parameters ``batch_size`` and ``noise`` are declared with their roles in :mod:`optimizers.sampling`.
"""
from __future__ import annotations

import math

from paramspec import Param


def lr(default: float) -> Param[float]:
    """The learning rate γ, with the entry's own default."""
    return Param("lr", default, 0.0, 10.0, low_open=True, log=True,
                 help="Learning rate γ: how far each step moves along its direction.")


def eps(default: float) -> Param[float]:
    """ε of the adaptive methods, with the entry's own default."""
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
NO_WEIGHT_DECAY = Param("weight_decay", 0.0, 0.0, 1.0, help=WEIGHT_DECAY.help)   # off by default (Lion, Schedule-Free)

# Adam's first step without bias correction, at the default betas: (1 − β₁)/√(1 − β₂) times the corrected one
UNCORRECTED_FIRST_STEP = (1 - BETA1.default) / math.sqrt(1 - BETA2_ADAM.default)
BIAS_CORRECTION = Param("bias_correction", True, kind="bool",
                        help="Divide m and v by 1 - βᵗ to undo their start at zero. Without it the first step is "
                             f"(1−β₁)/√(1−β₂) = √10 ≈ {UNCORRECTED_FIRST_STEP:.1f} times too long with the default "
                             "betas, and later steps are distorted too.")
MOMENTUM_DECAY = Param("momentum_decay", 4e-3, 0.0, 1.0, log=False,
                       help="ψ: how fast NAdam's momentum schedule μ_t approaches β₁.")

MULTIPLIER_LR = Param("lr", 1.0, 0.0, 10.0, low_open=True, log=True,
                      help="A multiplier of the step scale d the method learns (1 = as designed), not a "
                           "learning rate in the usual sense.")
D0 = Param("d0", 1e-6, 0.0, 1.0, low_open=True, log=True,
           help="d₀: the initial, deliberately tiny estimate of the step scale d.")

# --- one method's own ---------------------------------------------------------------------------------------

FALLBACK = Param("fallback", True, kind="bool",
                 help="Take a gradient step where the Hessian is not positive definite.")
FALLBACK_LR = Param("fallback_lr", 0.01, 0.0, 10.0, low_open=True, log=True,
                    help="Learning rate of the gradient step used where Newton's step is not safe.")
LINE_SEARCH_LR = Param("lr", 1.0, 0.0, 10.0, low_open=True, log=True,
                       help="γ: the first step length the line search tries along p = -H g (1 is the full "
                            "quasi-Newton step); it halves it until the loss drops enough.")
DELTA = Param("eps", 1e-8, 0.0, 1.0, low_open=True, log=True,
              help="δ: added to the eigenvalues of G^{1/2} so the inverse exists (δI + G^{1/2}).")
SAM_RADIUS = Param("radius", 0.05, 0.0, 10.0,
                   help="ρ in Foret et al.: radius of the neighbourhood SAM looks across; the gradient is "
                        "measured this far uphill of θ.")
SF_INTERPOLATION = "where between z (β = 0) and the average x (β = 1) the gradient is taken."
SF_MOMENTUM = Param("momentum", 0.9, 0.0, 1.0, low_open=True, high_open=True,
                    help=f"β (schedulefree's momentum): {SF_INTERPOLATION}")
SF_BETA1 = Param("beta1", 0.9, 0.0, 1.0, low_open=True, high_open=True,
                 help=f"β (schedulefree's betas[0]): {SF_INTERPOLATION}")
LR_WARMUP = Param("lr_warmup", 0, 0, 10_000, kind="int",
                  help="schedulefree's warmup_steps: γ rises as γ·t/T over the first T steps (0 = no warm-up).")
D_COEF = Param("d_coef", 1.0, 0.0, 100.0, low_open=True, log=True,
               help="Multiplies every estimate d̂ (above 1: bolder steps, below 1: more cautious).")

MUON_MOMENTUM = Param("momentum", 0.95, 0.0, 1.0, high_open=True, help=MOMENTUM.help)
NESTEROV = Param("nesterov", True, kind="bool",
                 help="Orthogonalise (1-μ) g + μ B (Nesterov's look-ahead form, torch's default) instead of B.")
MUON_WEIGHT_DECAY = Param("weight_decay", 0.1, 0.0, 1.0, help=WEIGHT_DECAY.help + " torch.optim.Muon's default "
                          "is 0.1.")
NS_STEPS = Param("ns_steps", 5, 0, 99, kind="int", help="Newton–Schulz iterations (torch's default 5).")
_ADAMW_PART = " (AdamW's, for the biases and the output layer, which Muon leaves to AdamW)"
MUON_ADAMW_PARAMS = (   # torch.optim.AdamW's defaults
    Param("adamw_lr", 1e-3, 0.0, 10.0, low_open=True, log=True, help="Learning rate γ" + _ADAMW_PART + "."),
    Param("adamw_beta1", 0.9, 0.0, 1.0, high_open=True, help=BETA1.help[:-1] + _ADAMW_PART + "."),
    Param("adamw_beta2", 0.999, 0.0, 1.0, high_open=True, help=BETA2_ADAM.help[:-1] + _ADAMW_PART + "."),
    Param("adamw_eps", 1e-8, 0.0, 1.0, low_open=True, log=True, help="ε" + _ADAMW_PART + "."),
    Param("adamw_weight_decay", 1e-2, 0.0, 1.0, help="λ" + _ADAMW_PART + ": decoupled weight decay."),
)
