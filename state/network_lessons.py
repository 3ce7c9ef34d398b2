"""Network mode's lessons: presets that each show one thing about training a real (small) network.

A lesson is a share link, as in :mod:`state.lessons`: ``mode=network``, the network's settings under the names of
:data:`landscapes.networks.PARAMS`, the training settings under those of :data:`optimizers.network.TRAIN_PARAMS`,
``target`` (:data:`optimizers.network_report.TARGET`), and the optimizers as on a surface (``opt=gd,momentum``,
``momentum.lr=0.1``).  Settings a lesson leaves out take their defaults; an optimizer's hyperparameters left out
take network mode's suggestions (:func:`optimizers.network.suggested`), then the optimizer's own defaults.
:func:`race` runs a lesson exactly that way (``tests/test_network_lessons.py`` checks each one's story there).

Two kinds of lesson: where what the 2-D surfaces teach carries over to a network (a badly scaled input is a
ravine; Adam's per-weight scaling undoes it), and where it does not, each saying why (a learning rate above 2/L;
a random plane; the contour under a projected path; many equally good minima).  Each statement a lesson makes
about behaviour is declared once (:class:`~optimizers.network_validity.NetStatement`) with the neighbourhood it is
meant for: fresh data sets and initial weights, and ranges of the settings; the tests measure how much of it
holds.  A lesson's text that quotes numbers is a function, run on first use and kept for the process: importing
this module trains nothing.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import numpy as np

import optimizers
from landscapes import networks
from landscapes.networks import NetworkLandscape
from optimizers import network, network_report, planes
from optimizers.network import NetworkView
from optimizers.network_validity import NetCase, NetDomain, NetStatement
from optimizers.once import once
from optimizers.trajectory import Trajectory
from optimizers.validity import Axis
from paramspec import Param
from state import surfaces
from state.lessons import Preset

MODE = {"mode": "network"}
TARGET = network_report.TARGET.name


@dataclass(frozen=True)
class NetworkLesson(Preset[NetStatement]):
    """A network-mode lesson: a preset, what to watch in it, and the statements its text makes."""

    carries_over: bool = True      # does the 2-D intuition carry over (True) or not (False, and the text says why)


# --- a lesson's race, as the page runs it ----------------------------------------------------------------------

def _value(param: Param, text: str) -> object:
    """A link's text as ``param`` takes it (numbers as numbers; ``validate`` checks the range)."""
    return param.validate(text if param.kind in ("bool", "choice") else float(text))


def hyper_for(name: str, settings: Mapping[str, str]) -> dict[str, object]:
    """Optimizer ``name``'s hyperparameters in network mode: its own defaults, network mode's suggestions over them
    (:func:`state.surfaces.network_hyper`), the link's ``name.param`` values over those."""
    values: dict[str, object] = surfaces.network_hyper(name)
    values.update({p.name: _value(p, settings[f"{name}.{p.name}"]) for p in optimizers.get(name).params_for(True)
                   if f"{name}.{p.name}" in settings})
    return values


@dataclass(frozen=True, eq=False)
class LessonRace:
    """A lesson's race: its network, each optimizer's hyperparameters, the steps and the training settings."""

    net: NetworkLandscape
    hyper: dict[str, dict[str, object]]
    steps: int
    train: dict[str, object]          # TRAIN_PARAMS' values (batch_size, init, init_seed, seed, plane, resolution)
    target: float

    @functools.cached_property
    def result(self) -> tuple[dict[str, Trajectory], NetworkView]:
        """:func:`optimizers.network.race` with the lesson's settings."""
        return network.race(self.net, self.hyper, self.steps, **self.train)

    @property
    def runs(self) -> dict[str, Trajectory]:
        return self.result[0]

    @property
    def view(self) -> NetworkView:
        return self.result[1]

    @property
    def start(self) -> np.ndarray:
        return self.net.initial_weights(cast(str, self.train["init"]), cast(int, self.train["init_seed"]))

    def steps_to(self, name: str) -> int:
        return network_report.steps_to_loss(self.runs[name], self.target)

    def fidelity(self, name: str, view: NetworkView | None = None) -> planes.Fidelity:
        view = self.view if view is None else view
        return planes.fidelity(view.projections[name], self.runs[name].points)

    def on(self, kind: str) -> NetworkView:
        """The same runs on a plane of another kind (the lesson's seed draws a random plane)."""
        plane, fitted = network.choose_plane(self.net, self.runs, kind, seed=cast(int, self.train["seed"]))
        return network.on_plane(self.net, plane, self.runs, cast(int, self.train["resolution"]), fitted)


@once
def race(key: str) -> LessonRace:
    """The race of lesson ``key``, from its link's settings as the page reads them."""
    settings = get(key).settings
    net = networks.get(**{p.name: _value(p, settings[p.name]) for p in networks.PARAMS if p.name in settings})
    train = {p.name: _value(p, settings.get(p.name, str(p.default))) for p in network.TRAIN_PARAMS}
    hyper = {name: hyper_for(name, settings) for name in settings["opt"].split(",")}
    target = float(cast(float, _value(network_report.TARGET, settings.get(TARGET, str(network_report.TARGET.default)))))
    return LessonRace(net, hyper, int(settings["steps"]), train, target)


def lmax(net: NetworkLandscape, theta: np.ndarray) -> float:
    """The Hessian's largest eigenvalue ``L`` at ``theta`` (Lanczos on exact Hessian-vector products)."""
    return float(planes.lanczos_extremes(lambda q: net.hvp(theta[None], q[None])[0], net.dim)[0][0])


def _g(x: float) -> str:
    return repr(float(x))


# --- carries over: a badly scaled input is a ravine ------------------------------------------------------------

X_SCALE = 10.0
RAVINE = {**MODE, "dataset": "moons", "x_scale": _g(X_SCALE), "steps": "500", "layout": "side", TARGET: "0.1"}


def _steps(case: NetCase, name: str, x_scale: float | None = None, **hyper: object) -> int:
    """``name``'s steps to a loss of 0.1 in ``case`` (its data with the first input scaled by ``x_scale`` if given),
    its learning rate tuned for speed on the lessons' grid; -1 when no rate gets there."""
    net = case.net if x_scale is None else networks.get(**{**case.net.params, "x_scale": x_scale})
    lr, sweep = network_report.tune_lr(net, name, case.steps, target=0.1, goal="speed", init_seed=case.init_seed,
                                       **hyper)
    return -1 if lr is None else int(sweep.steps_to_tol[int(np.flatnonzero(sweep.lrs == lr)[0])])


def _momentum_sooner(case: NetCase) -> bool:
    gd, mom = _steps(case, "gd"), _steps(case, "momentum", momentum=0.9)
    return bool(mom >= 0 and (gd < 0 or 1.5 * mom <= gd))


RAVINE_MOMENTUM = NetStatement(
    "net.ravine.momentum", "With the first input scaled by 8 to 12 and each learning rate tuned on the same grid for "
                          "the fewest steps, momentum (μ = 0.9) brings the training loss to 0.1 at least 1.5 times "
                          "sooner than gradient descent (or gradient descent does not get there in 500 steps).",
    NetDomain(axes=(Axis("x_scale", 8.0, 12.0, log=True),)), _momentum_sooner)


def _curvature_ratio(net: NetworkLandscape, theta: np.ndarray) -> float:
    """How much more the loss curves along the weights reading the first input than along those reading the
    second: the ratio of the Hessian's mean diagonal entries over the two columns of the first layer's matrix."""
    w1 = net.layout.blocks[0]
    diag = np.diagonal(net.hessian(theta[None])[0])[w1.start:w1.stop].reshape(w1.shape)
    return float(np.mean(diag[:, 0]) / np.mean(diag[:, 1]))


def _ravine_text() -> str:
    r, plain = race("net_ravine"), race("net_ravine_unscaled")
    ratio = _curvature_ratio(r.net, r.start)
    gd, mom = r.runs["gd"], r.runs["momentum"]
    return (f"The first input is multiplied by {X_SCALE:g}, so at the start the loss curves about {ratio:.0f} times "
            "more along the weights that read it than along those that read the second input: a ravine in weight "
            "space, as on the 2-D ravine. Gradient descent's learning rate must stay small enough for the steep "
            f"walls (tuned, it falls from {plain.hyper['gd']['lr']:g} on unscaled inputs to "
            f"{r.hyper['gd']['lr']:g}), so it creeps along the floor; momentum adds up the steady pull along it. "
            "With each learning "
            f"rate tuned on the same grid for the fewest steps (γ = {r.hyper['gd']['lr']:g} and "
            f"{r.hyper['momentum']['lr']:g}), momentum "
            f"brings the loss to {r.target:g} in {r.steps_to('momentum')} steps, gradient descent in "
            f"{r.steps_to('gd')}, and after {r.steps} steps its loss is {gd.loss[-1, 0] / mom.loss[-1, 0]:.1f} times "
            "lower.")


# --- carries over: Adam undoes the scale, as along the axes of a valley ----------------------------------------

def _adam_scale_free(case: NetCase) -> bool:
    gd, gd_plain = _steps(case, "gd"), _steps(case, "gd", x_scale=1.0)
    adam, adam_plain = _steps(case, "adam"), _steps(case, "adam", x_scale=1.0)
    return bool(gd_plain >= 0 and (gd < 0 or gd >= 4 * gd_plain) and 0 <= adam <= 1.5 * adam_plain + 5)


ADAM_SCALE = NetStatement(
    "net.adam.scale", "Scaling the first input by 8 to 20 makes gradient descent, its learning rate tuned for speed, "
                      "at least 4 times slower to bring the training loss to 0.1 than on unscaled inputs (or it does "
                      "not get there in 500 steps), while Adam, tuned alike, needs at most 1.5 times its unscaled "
                      "steps (plus 5).",
    NetDomain(axes=(Axis("x_scale", 8.0, 20.0, log=True),)), _adam_scale_free)


def _adam_text() -> str:
    r, plain = race("net_adam_scale"), race("net_ravine_unscaled")
    return ("Adam divides each weight's step by the size of that weight's own recent gradients. Scaling an input "
            "stretches the loss along exactly the weights that read it: coordinate axes of weight space, like the "
            "valley along the axes of the 2-D lesson, where per-coordinate scaling fits perfectly. With each "
            f"learning rate tuned for the fewest steps, Adam brings the loss to {r.target:g} in "
            f"{r.steps_to('adam')} steps with the first input scaled by {X_SCALE:g}, against "
            f"{plain.steps_to('adam')} on unscaled inputs; gradient descent needs "
            f"{_steps_words(r.steps_to('gd'), r.steps)} against {plain.steps_to('gd')}.")


def _steps_words(steps: int, horizon: int) -> str:
    return f"{steps}" if steps >= 0 else f"more than {horizon} steps"


# --- does not carry over: a learning rate above 2/L ------------------------------------------------------------

CATAPULT_LR, BELOW_LR = 6.0, 3.0


def _trains_above_edge(case: NetCase) -> bool:
    start = case.net.initial_weights("pytorch", case.init_seed)
    lr = min(case["factor"] * 2 / lmax(case.net, start), 10.0)
    tr = case.train({"gd": {"lr": lr}})["gd"]
    return bool(tr.diverged_at[0] < 0 and tr.loss[-1, 0] < 0.01 * tr.loss[0, 0]
                and lmax(case.net, tr.points[-1, 0]) < 2 / lr)


CATAPULT = NetStatement(
    "net.catapult", "Gradient descent with a learning rate 1.2 to 2 times 2/L, L the Hessian's largest eigenvalue at "
                    "the start, does not diverge: within 500 steps its loss falls below a hundredth of where it "
                    "started, and it ends where the largest eigenvalue is below 2/γ.",
    NetDomain(axes=(Axis("factor", 1.2, 2.0, label="γ·L/2"),)), _trains_above_edge)


def _catapult_text() -> str:
    r = race("net_catapult")
    big, small = r.runs["gd"], r.runs["momentum"]
    edge = 2 / lmax(r.net, r.start)
    rate = abs(1 - CATAPULT_LR * 2 / edge)
    peak = int(np.argmax(big.loss[:, 0]))
    end = lmax(r.net, big.points[-1, 0])
    rise = (f"its loss climbs from {big.loss[0, 0]:.2f} to {big.loss[peak, 0]:.2f} by step {peak}, then" if peak > 0
            else "its loss does not even rise; it")
    return (f"At the start the Hessian's largest eigenvalue is L = {2 / edge:.3f}, so 2/L = {edge:.2f}. On a quadratic "
            f"bowl gradient descent with γ = {CATAPULT_LR:g} would diverge, every step multiplying the distance along "
            f"that direction by |1 − γL| = {rate:.2f}. On the network {rise} falls to {big.loss[-1, 0]:.4f} after "
            f"{r.steps} steps, lower than the {small.loss[-1, 0]:.4f} of the run at γ = {BELOW_LR:g}, below 2/L "
            "(the heavy ball with momentum 0 is plain gradient descent). The 2-D rule assumes a fixed curvature; a "
            "network's changes as it trains: the large steps carry it to flatter weights, where the largest "
            f"eigenvalue is {end:.3f} at the end, well below 2/γ = {2 / CATAPULT_LR:.3f}.")


# --- does not carry over: a random plane hides the paths -------------------------------------------------------

THREE = {"opt": "gd,momentum,adam", "steps": "500"}
RUN_NAMES = {"gd": "gradient descent", "momentum": "momentum", "adam": "Adam"}   # as a sentence names them


def _random_hides(case: NetCase) -> bool:
    runs = case.train({name: network.suggested(name) for name in ("gd", "momentum", "adam")})
    plane, fitted = network.choose_plane(case.net, runs, "random", seed=case.init_seed)
    view = network.on_plane(case.net, plane, runs, 20, fitted)
    off = [float(planes.fidelity(view.projections[n], runs[n].points).off_plane[0]) for n in runs]
    return bool(min(off) >= 0.5 and network_report.captured(plane, runs, fitted) < 0.25)


RANDOM_HIDES = NetStatement(
    "net.random_plane", "On a filter-normalised random plane through gradient descent's final weights, every path "
                        "of gradient descent, momentum and Adam moves off the plane by at least half the distance "
                        "it travels, and the plane holds less than a quarter of their movement.",
    NetDomain(), _random_hides)


def _random_text() -> str:
    r = race("net_random_plane")
    pca = r.on("pca")
    off = {n: float(r.fidelity(n).off_plane[0]) for n in r.runs}
    off_pca = {n: float(r.fidelity(n, pca).off_plane[0]) for n in r.runs}
    held = network_report.captured(r.view.plane, r.runs, r.view.fitted)
    return ("This plane is the kind Li et al. (2018) drew: two random directions through one point (here gradient "
            "descent's final weights), each neuron's part scaled to that neuron's weights. It shows the loss around "
            "that point, not the paths: they move in "
            f"{r.net.dim} dimensions and this plane holds {network_report.held_percent(held)} of their movement. "
            "Each path leaves it by "
            f"{network_report.error_percent(min(off.values()))} to {network_report.error_percent(max(off.values()))} "
            "of the distance it travels, so the dots drift over contours they never touch. On the PCA plane of the "
            f"same runs it is {network_report.error_percent(min(off_pca.values()))} to "
            f"{network_report.error_percent(max(off_pca.values()))}. On a 2-D surface the picture is the whole "
            "landscape; here it is a slice, and the slice must be chosen for what it should show.")


# --- does not carry over: the contour under a projected path ---------------------------------------------------

def _gap_despite_pca(case: NetCase) -> bool:
    runs = case.train({name: network.suggested(name) for name in ("gd", "momentum", "adam")})
    plane, fitted = network.choose_plane(case.net, runs, "pca")
    view = network.on_plane(case.net, plane, runs, 20, fitted)
    assert plane.explained is not None
    gaps = [float(planes.fidelity(view.projections[n], runs[n].points).loss_gap[0]) for n in runs]
    return bool(plane.explained.sum() >= 0.9 and max(gaps) >= 0.1)


PCA_GAP = NetStatement(
    "net.pca_gap", "On the PCA plane of gradient descent, momentum and Adam, which holds at least 90% of their "
                   "movement, the loss the contour shows under one of the paths still differs from its true training "
                   "loss by at least a tenth of that loss's fall.",
    NetDomain(), _gap_despite_pca)


def _gap_text() -> str:
    r = race("net_plane_gap")
    plane = r.view.plane
    assert plane.explained is not None
    gaps = {n: float(r.fidelity(n).loss_gap[0]) for n in r.runs}
    worst = max(gaps, key=lambda n: gaps[n])
    proj = r.view.projections[worst]
    at = int(np.argmax(np.abs(proj.plane_loss[:, 0] - proj.true_loss[:, 0])))
    title = RUN_NAMES[worst]
    return ("This is the principal-component plane: of all planes through the common start, the one that holds the "
            f"most of the paths' movement, {network_report.held_percent(float(plane.explained.sum()))}. Yet the "
            "contour under a "
            f"path is not the loss the network has. At step {at}, the {title} run's true training loss is "
            f"{proj.true_loss[at, 0]:.3f} while the contour under its point reads {proj.plane_loss[at, 0]:.3f}: "
            f"a gap of {network_report.error_percent(gaps[worst])} of the loss's whole fall. The loss depends on "
            f"all {r.net.dim} weights, and the few per cent of movement off the plane are enough to change it; the "
            "contour shows the loss at the nearest point of the plane. This is the mismatch users of loss-landscape "
            "pictures report: compare the dashed and solid curves in the chart below the race. On a 2-D surface "
            "the path always runs over its own contour.")


# --- does not carry over: many minima, equally good -------------------------------------------------------------

AREA = 60           # agreement(): a grid of AREA × AREA points over the data's box


def agreement(net: NetworkLandscape, a: np.ndarray, b: np.ndarray) -> float:
    """The share of the area around the data (the box the boundary panels show, ``viz.network.data_box``'s margin)
    that networks ``a`` and ``b`` put in the same class."""
    lo, hi = net.x.min(axis=0), net.x.max(axis=0)
    pad = 0.12 * (hi - lo)
    axes = [np.linspace(lo[i] - pad[i], hi[i] + pad[i], AREA) for i in range(2)]
    points = np.stack(np.meshgrid(*axes), axis=-1).reshape(-1, 2)
    sides = net.logits(np.stack([a, b]), points) > 0
    return float(np.mean(sides[0] == sides[1]))


def _apart_and_equal(case: NetCase) -> bool:
    runs = case.train({name: network.suggested(name) for name in ("momentum", "adam")})
    ends = {n: tr.points[-1, 0] for n, tr in runs.items()}
    start = runs["adam"].points[0, 0]
    travelled = min(float(np.linalg.norm(e - start)) for e in ends.values())
    accurate = all(float(case.net.accuracy(e)) >= 0.98 for e in ends.values())
    alike = agreement(case.net, ends["momentum"], ends["adam"]) >= 0.95
    return bool(accurate and alike and np.linalg.norm(ends["momentum"] - ends["adam"]) >= 0.5 * travelled)


MANY_MINIMA = NetStatement(
    "net.many_minima", "Momentum and Adam, from the same weights on the same data, both classify at least 98% of "
                       "the points after 500 steps and put at least 95% of the area around the data in the same "
                       "class, with final weights at least half as far from each other as either moved from the "
                       "start.",
    NetDomain(), _apart_and_equal)


def _minima_text() -> str:
    r = race("net_many_minima")
    mom, adam = r.runs["momentum"].points[-1, 0], r.runs["adam"].points[-1, 0]
    copies = network_report.equivalent_weights(tuple(r.net.layout.sizes[1:-1]), r.net.activation)
    apart = float(np.linalg.norm(mom - adam))
    moved = [float(np.linalg.norm(p - r.start)) for p in (mom, adam)]
    return ("Momentum and Adam start from the same weights and see the same data. They end classifying "
            f"{100 * float(r.net.accuracy(mom)):.1f}% and {100 * float(r.net.accuracy(adam)):.1f}% of the points, and "
            f"put {agreement(r.net, mom, adam):.0%} of the area around the data in the same class, yet their final "
            f"weights are {apart:.1f} apart, about as far as each moved ({moved[0]:.1f} and {moved[1]:.1f}). A "
            "network's loss has many equally good minima: relabelling the hidden units, or flipping a tanh unit's "
            f"sign together with its outgoing weights, gives the same function, so each minimum has {copies:,} exact "
            "copies; and these two are not even copies of one another, for their training losses differ "
            f"({r.runs['momentum'].loss[-1, 0]:.4f} and {r.runs['adam'].loss[-1, 0]:.4f}). On a 2-D bowl, two runs "
            "that reach the same low loss have reached the same point.")


# --- the lessons ------------------------------------------------------------------------------------------------

LESSONS: tuple[NetworkLesson, ...] = (
    NetworkLesson(
        "net_ravine", "A badly scaled input is a ravine: momentum glides", _ravine_text,
        {**RAVINE, "opt": "gd,momentum", "gd.lr": "0.464", "momentum.lr": "0.1", "momentum.momentum": "0.9"},
        (RAVINE_MOMENTUM,)),
    NetworkLesson(
        "net_adam_scale", "Adam shrugs off a badly scaled input", _adam_text,
        {**RAVINE, "opt": "gd,adam", "gd.lr": "0.464", "adam.lr": "0.215"},
        (ADAM_SCALE,)),
    NetworkLesson(
        "net_ravine_unscaled", "The same network with well-scaled inputs",
        "The race of the lesson before, with both inputs on the same scale and each learning rate tuned again for the "
        "fewest steps: gradient descent no longer trails Adam. Compare the steps each takes to the target loss in "
        "the table.",
        {**RAVINE, "x_scale": "1.0", "opt": "gd,adam", "gd.lr": "10.0", "adam.lr": "0.464"}),
    NetworkLesson(
        "net_catapult", "A learning rate above 2/L need not diverge", _catapult_text,
        {**MODE, "dataset": "moons", "opt": "gd,momentum", "gd.lr": _g(CATAPULT_LR), "momentum.lr": _g(BELOW_LR),
         "momentum.momentum": "0.0", "steps": "500", "layout": "side", TARGET: "0.01"},
        (CATAPULT,), carries_over=False),
    NetworkLesson(
        "net_random_plane", "A random plane hides the paths", _random_text,
        {**MODE, "dataset": "moons", **THREE, "plane": "random", "layout": "side"},
        (RANDOM_HIDES,), carries_over=False),
    NetworkLesson(
        "net_plane_gap", "The contour under a path is not its loss", _gap_text,
        {**MODE, "dataset": "moons", **THREE, "plane": "pca", "layout": "overlay"},
        (PCA_GAP,), carries_over=False),
    NetworkLesson(
        "net_many_minima", "Different optimizers, different weights, the same classifier", _minima_text,
        {**MODE, "dataset": "moons", "opt": "momentum,adam", "steps": "500", "layout": "side"},
        (MANY_MINIMA,), carries_over=False),
)

BY_KEY: dict[str, NetworkLesson] = {lesson.key: lesson for lesson in LESSONS}
KEYS: tuple[str, ...] = tuple(BY_KEY)


def get(key: str) -> NetworkLesson:
    """The network lesson called ``key``; ``ValueError`` names the known ones otherwise."""
    if key not in BY_KEY:
        raise ValueError(f"Unknown network lesson {key!r}; choose one of: {', '.join(KEYS)}")
    return BY_KEY[key]
