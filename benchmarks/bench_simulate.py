"""Speed of ``simulate()`` against ``torch.optim`` on the same work, printed as ratios.

Rosenbrock, 10,000 starts × 500 steps, float64.  The torch side steps one ``(n, 2)`` tensor with the
optimizer's counterpart in ``torch.optim`` (same hyperparameters), feeds it the same analytic gradient
and records every point.  ``simulate()`` does that and more: it also evaluates and records the loss at
every step and checks every start for divergence.  A ratio is torch's time over ``simulate()``'s
(above 1 means ``simulate()`` is faster).  Times are the best of ``--repeats`` runs (the machine is
shared, so the minimum is the least disturbed one).

torch is a development dependency only (``requirements-dev.txt``).
Run: ``python benchmarks/bench_simulate.py [--starts 10000] [--steps 500] [--repeats 5]``.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import landscapes  # noqa: E402
import optimizers  # noqa: E402

# learning rates that keep most starts finite on Rosenbrock (the work per step is the same either way)
LR = {"gd": 1e-4, "momentum": 1e-4, "nag": 1e-4, "adagrad": 0.1, "rmsprop": 1e-3, "adadelta": 1.0,
      "adam": 1e-2, "amsgrad": 1e-2, "adamw": 1e-2, "nadam": 1e-2}
NO_TORCH = {"sgd": "analytic surface: noisy gradient, no torch counterpart of the oracle",
            "minibatch": "analytic surface: noisy gradient, no torch counterpart of the oracle",
            "newton": "torch.optim has no Newton method",
            "muon": "torch.optim.Muon takes one 2-D matrix per parameter: no batched run over starts"}
TORCH_NAMES = ("gd", "momentum", "nag", "adagrad", "rmsprop", "adadelta", "adam", "amsgrad", "adamw", "nadam")
NAG_NOTE = ("nag is Sutskever's look-ahead form; torch's SGD(nesterov=True) is the reparametrized form "
            "(same cost per step, different iterates)")


def torch_counterpart(name: str, hp: dict) -> Callable[[list], torch.optim.Optimizer]:
    """The torch.optim optimizer with the same hyperparameters as our ``name``."""
    o = torch.optim
    lr = hp["lr"]
    adam_kw = {"lr": lr, "betas": (hp.get("beta1", 0.9), hp.get("beta2", 0.999)), "eps": hp.get("eps", 1e-8)}
    return {
        "gd": lambda p: o.SGD(p, lr=lr),
        "momentum": lambda p: o.SGD(p, lr=lr, momentum=hp.get("momentum")),
        "nag": lambda p: o.SGD(p, lr=lr, momentum=hp.get("momentum"), nesterov=True),
        "adagrad": lambda p: o.Adagrad(p, lr=lr, eps=hp.get("eps")),
        "rmsprop": lambda p: o.RMSprop(p, lr=lr, alpha=hp.get("rho"), eps=hp.get("eps")),
        "adadelta": lambda p: o.Adadelta(p, lr=lr, rho=hp.get("rho"), eps=hp.get("eps")),
        "adam": lambda p: o.Adam(p, **adam_kw),
        "amsgrad": lambda p: o.Adam(p, **adam_kw, amsgrad=True),
        "adamw": lambda p: o.AdamW(p, **adam_kw, weight_decay=hp.get("weight_decay")),
        "nadam": lambda p: o.NAdam(p, **adam_kw, momentum_decay=hp.get("momentum_decay")),
    }[name]


def torch_run(make: Callable[[list], torch.optim.Optimizer], starts: np.ndarray, steps: int) -> torch.Tensor:
    """``steps`` steps of a torch optimizer on Rosenbrock from every start, recording every point."""
    p = torch.tensor(starts, dtype=torch.float64)
    opt = make([p])
    points = torch.empty((steps + 1,) + p.shape, dtype=torch.float64)
    points[0] = p
    for t in range(1, steps + 1):
        x, y = p[:, 0], p[:, 1]
        r = y - x * x
        p.grad = torch.stack((-2 * (1 - x) - 400 * x * r, 200 * r), dim=-1)
        opt.step()
        points[t] = p
    return points


def best_of(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--starts", type=int, default=10_000)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--only", nargs="*", help="optimizers to time (default: all)")
    ap.add_argument("--torch-threads", type=int, default=1,
                    help="torch's intra-op threads (NumPy runs these ufuncs on one; more only adds contention here)")
    args = ap.parse_args()
    torch.set_num_threads(args.torch_threads)

    land = landscapes.get("rosenbrock")
    starts = np.random.default_rng(0).uniform([-2, -1], [2, 3], (args.starts, 2))
    print(f"rosenbrock, {args.starts} starts x {args.steps} steps, float64, best of {args.repeats}; "
          f"torch {torch.__version__} ({torch.get_num_threads()} threads), numpy {np.__version__}")
    print("ratio = torch.optim time / simulate() time (>= 1: simulate() is at least as fast)")
    print(f"{'optimizer':12s} {'torch.optim':>11s} {'simulate()':>10s} {'ratio':>6s} "
          f"{'diag=False':>10s} {'ratio':>6s} {'diag=True':>9s} {'ratio':>6s}")
    for name in args.only or optimizers.names():
        spec = optimizers.get(name)
        hp = {p.name: p.default for p in spec.params} | ({"lr": LR[name]} if name in LR else {})

        def run(diagnostics: bool | None, name: str = name, hp: dict = hp) -> None:
            kw = {} if diagnostics is None else {"diagnostics": diagnostics}
            optimizers.simulate(land, name, starts, args.steps, **kw, **hp)

        default = best_of(lambda: run(None), args.repeats)
        lean = best_of(lambda: run(False), args.repeats)
        full = best_of(lambda: run(True), max(1, args.repeats // 2))
        if name in NO_TORCH or name not in TORCH_NAMES:
            why = NO_TORCH.get(name, f"torch.optim has no {spec.title}")
            print(f"{name:12s} {'n/a':>11s} {default:10.3f} {'':6s} {lean:10.3f} {'':6s} {full:9.3f}   ({why})")
            continue
        make = torch_counterpart(name, hp)
        ref = best_of(lambda make=make: torch_run(make, starts, args.steps), args.repeats)
        print(f"{name:12s} {ref:11.3f} {default:10.3f} {ref / default:5.2f}x {lean:10.3f} {ref / lean:5.2f}x "
              f"{full:9.3f} {ref / full:5.2f}x")
    if not args.only or "nag" in args.only:
        print(f"note: {NAG_NOTE}")


if __name__ == "__main__":
    main()
