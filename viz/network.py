"""Network mode's race view and the charts beside it (no Streamlit here).

Several optimizers train one small network (:func:`optimizers.network.race`); the race view draws them on a
plane through weight space with the same ``race.js`` and the same controls as a 2-D surface:

- :func:`surface_payload`: the loss on the plane's grid in :mod:`viz.race_view`'s surface format (log-spaced
  levels of the training loss itself, whose floor is 0), with no minima (a plane's lowest grid point is not a
  minimum of the loss) and an extra optional field ``axes``: the two axis titles (what each direction is);
- :func:`runs_payload`: the projected paths as :class:`~viz.figures.Run`\\ s in :mod:`viz.race_view`'s runs
  format, plus two optional fields race.js draws in network mode:

  ``finals: true``: each run's final point is marked (an open square: where its weights ended, projected);

  ``network``: what each network has learned, drawn under the race as one small panel per run: the data, the
  network's probability of class 1 over it and its decision boundary (p = ½), following the step slider::

      {"sizes": [2, h1, (h2,) 1], "activation": "tanh" | "relu",   # the MLP (landscapes.networks.mlp's layout)
       "x": f32[N * 2], "y": f32[N],     # the training points (row-major) and their labels (0 or 1)
       "box": [[x0, x1], [y0, y1]],      # the area drawn around them
       "steps": [int, ...],              # keyframe steps, ascending, 0 first and the last step last
       "caption": str}                   # what the panels show

  and per run ``"boundary": {"w": f32[K * d], "accuracy": f32[K]}``: the weights after each keyframe step
  (torch's ``parameters_to_vector`` order) and the training accuracy there.  The browser evaluates each network
  on a grid and draws the boundary of the last keyframe at or before the step shown, naming that step.
  Keyframes are as many as a byte budget allows (at least :data:`MIN_KEYFRAMES`), mostly spaced geometrically
  (the boundary moves most in the first steps; :func:`keyframes`); :func:`build` gives them what the surface, the
  paths and the charts leave of :data:`PAYLOAD_BUDGET`.

- charts beside the race (plotly figures): training loss and accuracy over the steps; each run's true loss
  against the loss the plane shows under its path; each path's distance from the plane; how much of the paths'
  movement the plane holds; a summary table (:func:`summary_rows`) and the sentence saying when the picture can be
  trusted (:func:`optimizers.network_report.trust`).

:func:`build` makes all of it from one race.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from landscapes.networks import NetworkLandscape
from optimizers import network_report
from optimizers.network import NetworkView, one_blas_thread
from optimizers.network_report import Trust, error_percent, held_percent
from optimizers.planes import Grid, Plane
from optimizers.trajectory import Trajectory
from viz import race_view
from viz.figures import (
    COLORSCALE,
    WHITE_AXIS,
    WHITE_LAYOUT,
    ContourGrid,
    LevelScale,
    Run,
    _level_step,
    _round_sig,
    _ticks,
    f32,
)
from viz.race_view import _b64, _digest

Array = np.ndarray

MAX_SHOWN = 300               # race.js's MAX_SHOWN: a longer run plays MAX_SHOWN + 1 evenly spaced steps
PAYLOAD_BUDGET = 150_000      # bytes of JSON one change sends: the race's surface and runs payloads and the charts
PAYLOAD_SLACK = 4_000         # ... less about what the boundaries' own fields add (the data, the keyframe steps)
BOUNDARY_BUDGET = 48_000      # bytes (base64) runs_payload gives the decision boundaries unless told (build: the rest)
MIN_KEYFRAMES = 4             # ... but at least this many keyframes, whatever the network's size
LOG_DECADES = 8               # the contour's log levels reach at most this many decades below its 99th percentile
DATA_MARGIN = 0.12            # the boundary panels show the data's box grown by this share on each side
CHART_HEIGHT = 360
CHART_INTERVALS = 150         # a chart's curve has at most this many intervals (chart_stride)
LOSS_LABEL = "training loss (log scale)"


# --- the plane's contour -------------------------------------------------------------------------------------

def plane_contour(grid: Grid) -> ContourGrid:
    """The loss over the plane (``grid``, from :func:`optimizers.planes.loss_grid`) as the race draws a contour:
    log-spaced levels of the loss itself (``f* = 0``, cross-entropy's floor, so the colour bar reads the loss), at
    most :data:`LOG_DECADES` decades below its 99th percentile."""
    g = _round_sig(np.asarray(grid.loss, dtype=np.float64)).astype(np.float64)
    positive = g[g > 0]
    floor = max(float(positive.min()) if positive.size else 1.0,
                float(np.percentile(g, 99)) * 10.0 ** -LOG_DECADES, 1e-300)
    scale = LevelScale("log", 0.0, floor, (0.0,))
    z = f32(scale.colors(g))
    lo, hi = float(z.min()), float(z.max())
    size = _level_step(scale, hi - lo)
    start = (np.floor(lo / size + 1e-9) + 1) * size
    return ContourGrid(x=f32(grid.alpha), y=f32(grid.beta), g=f32(g), z=z, lines=z, scale=scale,
                       levels=(float(start), hi, size), ticks=_ticks(scale, float(g.max()), lo, hi), label=LOSS_LABEL)


def axis_titles(plane: Plane) -> tuple[str, str]:
    """What the plane's two axes are, for their titles."""
    if plane.kind == "pca" and plane.explained is not None:
        first, second = plane.explained
        return (f"α: 1st principal direction ({held_percent(float(first))})",
                f"β: 2nd principal direction ({held_percent(float(second))})")
    if plane.kind == "hessian" and plane.curvature is not None:
        top, bottom = plane.curvature
        return f"α: Hessian's top eigenvector (λ = {top:.3g})", f"β: its bottom eigenvector (λ = {bottom:.3g})"
    return "α: random direction 1 (filter-normalised)", "β: random direction 2"


def plane_description(plane: Plane, centre: str | None) -> str:
    """One sentence on how the plane was chosen; ``centre`` names the run whose final weights a random or Hessian
    plane passes through (the first that did not diverge, :func:`optimizers.network.choose_plane`), ``None`` when
    it passes through the common initial weights."""
    if plane.kind == "pca":
        return ("The plane passes through the common initial weights along the two directions in which all the "
                "paths together moved most (principal component analysis of every path's weights).")
    where = "the common initial weights" if centre is None else f"the final weights of {centre}"
    if plane.kind == "hessian":
        return (f"The plane passes through {where} along the Hessian's eigenvectors of the largest and the smallest "
                "eigenvalue there (found by the Lanczos iteration); a negative smallest eigenvalue shows the point "
                "is a saddle.")
    return (f"The plane passes through {where} along two random directions, each neuron's part scaled to that "
            "neuron's weights (filter normalisation, Li et al. 2018).")


def surface_payload(view: NetworkView, contour: ContourGrid | None = None) -> dict:
    """The plane's loss as :func:`viz.race_view.surface_payload` sends a surface, with the axis titles (``axes``)
    and no minima.  ``contour``: :func:`plane_contour` of ``view.grid`` (made here if not given)."""
    grid = plane_contour(view.grid) if contour is None else contour
    alpha, beta = view.grid.alpha, view.grid.beta
    payload = {"x": _b64(grid.x), "y": _b64(grid.y), "g": _b64(grid.g), "scale": grid.scale.payload(),
               "levels": grid.contours(), "ticks": {"vals": list(grid.ticks[0]), "text": list(grid.ticks[1])},
               "label": grid.label, "colorscale": [list(stop) for stop in COLORSCALE],
               "bounds": [[float(alpha[0]), float(alpha[-1])], [float(beta[0]), float(beta[-1])]], "minima": [],
               "axes": list(axis_titles(view.plane))}
    return {"id": _digest(payload), **payload}


# --- the paths and the decision boundaries -------------------------------------------------------------------

def figure_runs(trajs: Mapping[str, Trajectory], view: NetworkView, labels: Mapping[str, str],
                colors: Mapping[str, str]) -> list[Run]:
    """One :class:`Run` per optimizer: its path in plane coordinates, its true training loss, its divergence."""
    return [Run(label=labels[name], color=colors[name], points=view.projections[name].coords[:, 0],
                loss=tr.loss[:, 0], diverged_at=int(tr.diverged_at[0]))
            for name, tr in trajs.items()]


def shown_steps(steps: int) -> Array:
    """The steps race.js plays (its ``shownSteps``): all of them, or :data:`MAX_SHOWN` + 1 evenly spaced."""
    if steps <= MAX_SHOWN:
        return np.arange(steps + 1)
    return np.floor(np.arange(MAX_SHOWN + 1) * steps / MAX_SHOWN + 0.5).astype(int)      # JavaScript's Math.round


EVEN_SHARE = 0.25             # keyframes: this share of their spacing even, the rest geometric


def keyframes(steps: int, dim: int, n_runs: int, budget: int = BOUNDARY_BUDGET) -> Array:
    """The steps whose decision boundaries the runs payload carries: every step race.js plays if ``budget`` bytes of
    base64 hold them all (``n_runs`` networks of ``dim`` weights and an accuracy each), else as many as it holds and
    at least :data:`MIN_KEYFRAMES`, chosen among the ``n`` played steps at positions
    ``(n - 1)·(a u + (1 - a)(nᵘ - 1)/(n - 1))``, ``u`` even in [0, 1], ``a`` = :data:`EVEN_SHARE`: mostly geometric,
    so dense in the first steps where the boundary moves most, and nudged apart so that no two coincide.  Always 0
    and ``steps``."""
    shown = shown_steps(steps)
    n = len(shown)
    k = max(MIN_KEYFRAMES, int(budget // (n_runs * (dim + 1) * 4 * 4 / 3)))
    if k >= n:
        return shown
    u = np.linspace(0.0, 1.0, k)
    index = np.round((n - 1) * (EVEN_SHARE * u + (1 - EVEN_SHARE) * (n ** u - 1) / (n - 1))).astype(int)
    j = np.arange(k)
    index = np.maximum.accumulate(index - j) + j           # strictly increasing; index ≤ n - k + j keeps it ≤ n - 1
    return shown[index]


def data_box(net: NetworkLandscape) -> list[list[float]]:
    """The area the boundary panels show: the training points' box grown by :data:`DATA_MARGIN` on each side."""
    lo, hi = net.x.min(axis=0), net.x.max(axis=0)
    pad = DATA_MARGIN * np.maximum(hi - lo, 1e-6)
    return [[float(lo[0] - pad[0]), float(hi[0] + pad[0])], [float(lo[1] - pad[1]), float(hi[1] + pad[1])]]


BOUNDARY_CAPTION = ("What each network has learned: its probability of the blue class over the data (orange: the "
                    "other class), the decision boundary where it is ½, and the training points (a dark ring: "
                    "misclassified). Shown at the last saved step at or before the race's step.")


def runs_payload(net: NetworkLandscape, trajs: Mapping[str, Trajectory], runs: list[Run],
                 accuracy: Mapping[str, Array], layout: str = "overlay", present: bool = False, trails: int = 0,
                 budget: int = BOUNDARY_BUDGET) -> dict:
    """:func:`viz.race_view.runs_payload` of ``runs`` (the same optimizers as ``trajs``, in order) with the final
    points marked and every network's decision boundaries at the :func:`keyframes` (see the module docstring);
    ``accuracy``: each run's training accuracy per step (:func:`optimizers.network_report.accuracy_series`)."""
    if len(trajs) != len(runs):
        raise ValueError(f"Invalid runs: {len(runs)} runs for {len(trajs)} trajectories")
    base = race_view.runs_payload(runs, layout, present, trails)
    steps = max(tr.steps for tr in trajs.values())
    keys = keyframes(steps, net.dim, len(runs), budget)
    for item, (name, tr) in zip(base["runs"], trajs.items(), strict=True):
        at = np.minimum(keys, tr.steps)
        item["boundary"] = {"w": _b64(tr.points[at, 0]), "accuracy": _b64(np.asarray(accuracy[name])[at])}
    payload = {key: value for key, value in base.items() if key != "revision"}
    payload["finals"] = True
    payload["network"] = {"sizes": list(net.layout.sizes), "activation": net.activation, "x": _b64(net.x),
                          "y": _b64(net.y), "box": data_box(net), "steps": [int(k) for k in keys],
                          "caption": BOUNDARY_CAPTION}
    return {"revision": _digest(payload), **payload}


# --- the charts beside the race ------------------------------------------------------------------------------

def _layout(title: str, y_axis: dict) -> dict:
    return {"title": {"text": title, "x": 0, "xanchor": "left"}, "height": CHART_HEIGHT,
            "margin": {"l": 60, "r": 10, "t": 40, "b": 40}, "font": {"size": 13}, **WHITE_LAYOUT,
            "hovermode": "x unified",
            "legend": {"orientation": "h", "x": 0, "y": -0.2, "xanchor": "left", "yanchor": "top"},
            "xaxis": WHITE_AXIS, "yaxis": {**y_axis, **WHITE_AXIS}}


def _curves(runs: list[Run], curves: list[Array], *, dash: str = "solid", suffix: str = "", legend: bool = True,
            floor: float | None = None) -> list[dict]:
    """One line per run up to its last finite step, and a ✕ where it diverged; ``floor``: values below it are
    drawn at it (a log axis cannot show 0)."""
    data: list[dict] = []
    for run, curve in zip(runs, curves, strict=True):
        y = np.asarray(curve, dtype=np.float64)
        y = f32(np.maximum(y, floor) if floor is not None else y)
        shown = run.end + 1 if run.diverged_at >= 0 else len(y)
        stride = chart_stride(len(y) - 1)
        data.append({"type": "scatter", "x0": 0, "dx": stride, "y": y[:shown:stride], "mode": "lines",  # x: step
                     "name": run.title + suffix, "legendgroup": run.label, "showlegend": legend,
                     "line": {"color": run.color, "width": 2, "dash": dash},
                     "hovertemplate": "step %{x}: %{y:.4g}<extra>%{fullData.name}</extra>"})
        if run.diverged_at >= 0:
            data.append({"type": "scatter", "x": np.array([run.diverged_at], dtype=np.int32),
                         "y": y[run.end:run.end + 1], "mode": "markers", "name": "diverged",
                         "legendgroup": run.label, "showlegend": False,
                         "marker": {"symbol": "x", "size": 12, "color": run.color,
                                    "line": {"color": "black", "width": 1}},
                         "hovertemplate": "diverged at step %{x}<extra>%{fullData.name}</extra>"})
    return data


def chart_stride(steps: int) -> int:
    """Every how many steps a chart draws a point: each step up to :data:`CHART_INTERVALS` steps, then the fewest
    whole steps apart that keep a curve within ``CHART_INTERVALS + 1`` points (about 3 px apart on a chart beside
    the race), so that the charts leave the decision boundaries their share of a change's bytes."""
    return max(1, -(-steps // CHART_INTERVALS))


def _figure(data: list[dict], layout: dict) -> go.Figure:
    fig = go.Figure({"data": data, "layout": layout})
    fig.layout.template = None                     # the look is set in full (viz.figures.white's, without its cost)
    return fig


LOSS_FLOOR = 1e-12     # a log axis draws a training loss below this at it


def loss_figure(runs: list[Run]) -> go.Figure:
    """The training loss (on all the data) over the steps, log scale."""
    return _figure(_curves(runs, [run.loss for run in runs], floor=LOSS_FLOOR),
                   _layout("Training loss over the steps (log scale)",
                           {"title": {"text": "training loss"}, "type": "log", "exponentformat": "power"}))


def accuracy_figure(runs: list[Run], accuracy: Mapping[str, Array], names: list[str]) -> go.Figure:
    """The share of training points classified correctly over the steps."""
    return _figure(_curves(runs, [accuracy[name] for name in names]),
                   _layout("Training accuracy over the steps",
                           {"title": {"text": "accuracy"}, "tickformat": ".0%", "range": [0, 1.02]}))


def plane_loss_figure(runs: list[Run], view: NetworkView, names: list[str]) -> go.Figure:
    """Each run's true training loss (solid) beside the loss the plane shows at its projected point (dashed): where
    they part, the contour under the path is not the loss the network has."""
    true = _curves(runs, [run.loss for run in runs], floor=LOSS_FLOOR)   # the title says: solid
    shown = _curves(runs, [view.projections[name].plane_loss[:, 0] for name in names], dash="dash",
                    suffix=": loss on the plane", legend=False, floor=LOSS_FLOOR)
    return _figure(true + shown, _layout("True training loss (solid) and the loss the contour shows under the "
                                         "path (dashed), log scale",
                                         {"title": {"text": "loss"}, "type": "log", "exponentformat": "power"}))


def distance_figure(runs: list[Run], view: NetworkView, names: list[str]) -> go.Figure:
    """Each path's distance from the plane over the steps (Euclidean, in weight space)."""
    return _figure(_curves(runs, [view.projections[name].distance[:, 0] for name in names]),
                   _layout("Each path's distance from the plane (in weight space)",
                           {"title": {"text": "distance from the plane"}, "rangemode": "tozero"}))


def spectrum_figure(spectrum: Array, plane: Plane, held: float) -> go.Figure:
    """Where the paths move: the share of their movement along each of their principal directions
    (:func:`optimizers.network_report.movement_spectrum`); a PCA plane draws the first two, any other plane holds
    the share ``held`` of it (:func:`optimizers.network_report.captured`)."""
    k = np.arange(1, len(spectrum) + 1)
    pca = plane.kind == "pca"
    groups = [("drawn by the plane", k <= 2, "#2563eb"), ("not shown by it", k > 2, "#94a3b8")] if pca else \
        [("principal directions of the paths", k >= 1, "#94a3b8")]
    data = [{"type": "scatter", "mode": "markers", "x": k[keep], "y": f32(spectrum[keep]), "name": name,
             "marker": {"color": color, "size": 11, "line": {"color": "white", "width": 1}},
             "error_y": {"type": "data", "symmetric": False, "array": np.zeros(int(keep.sum())),
                         "arrayminus": f32(spectrum[keep]), "color": color, "thickness": 3, "width": 0},
             "hovertemplate": "direction %{x}: %{y:.1%} of the movement<extra></extra>"}
            for name, keep, color in groups]
    title = "Where the paths move: their movement's share along each principal direction"
    if not pca:
        title += f"<br><sup>this {plane.kind} plane holds {held_percent(held)} of it</sup>"
    layout = _layout(title, {"title": {"text": "share of the movement"}, "tickformat": ".0%", "rangemode": "tozero"})
    layout.update(hovermode="closest", xaxis={"dtick": 1, **WHITE_AXIS})        # what x is: in the title
    return _figure(data, layout)


# --- the table and the page's words --------------------------------------------------------------------------

def summary_rows(runs: list[Run], trajs: Mapping[str, Trajectory], accuracy: Mapping[str, Array], trust: Trust,
                 target: float) -> list[dict[str, object]]:
    """One row per optimizer: final loss and accuracy, steps to ``target``, divergence, and how faithfully the plane
    shows it (see :data:`SUMMARY_NOTE`).  Numbers are floats or ints, ``None`` when there is none."""
    rows = []
    for run, (name, tr) in zip(runs, trajs.items(), strict=True):
        reached = network_report.steps_to_loss(tr, target)
        end = run.end
        rows.append({
            "optimizer": run.label,
            "final loss": float(tr.loss[end, 0]),
            "accuracy": f"{100 * float(accuracy[name][end]):.1f}%",
            f"steps to loss ≤ {target:g}": reached if reached >= 0 else None,
            "diverged at step": run.diverged_at if run.diverged_at >= 0 else None,
            "farthest off the plane": error_percent(trust.off_plane[name]),
            "contour's loss error": error_percent(trust.loss_gap[name]),
        })
    return rows


SUMMARY_NOTE = ("Final loss and accuracy: on all the training points, after the last step (the last finite one for a "
                "run that diverged). Farthest off the plane: the path's largest distance from the plane, as a share "
                "of the largest distance it travelled from the start. Contour's loss error: the largest difference "
                "between the loss the contour shows under the path and the network's true loss, as a share of how "
                "far that loss fell.")
LEGEND = ("◇ the common start: every optimizer starts from the same weights; □ each run's final weights, projected "
          "on the plane. There is no minimum to mark: the lowest point of a plane is not a minimum of the loss.")


def divergence_alerts(runs: list[Run]) -> list[str]:
    """One sentence per run that diverged."""
    return [f"{run.label} diverged at step {run.diverged_at}: its path, its charts and its network stop at its last "
            "finite weights." for run in runs if run.diverged_at >= 0]


@dataclass(frozen=True)
class NetworkPage:
    """Everything network mode's race tab shows, built from one race (:func:`build`)."""

    surface: dict                            # race view surface payload
    runs: dict                               # race view runs payload
    figures: tuple[tuple[str, str], ...]     # (key, plotly JSON): loss, accuracy, plane_loss, distance, spectrum
    rows: list[dict[str, object]]            # the summary table (ui.runs.summary_table renders it)
    trust: Trust                             # the picture's fidelity and its sentence
    description: str                         # how the plane was chosen
    note: str = SUMMARY_NOTE
    legend: str = LEGEND
    alerts: tuple[str, ...] = ()


def _size(payload: dict) -> int:
    """Bytes of ``payload`` as compact JSON."""
    return len(json.dumps(payload, separators=(",", ":")))


def _charts_size(figures: tuple[tuple[str, str], ...]) -> int:
    """Bytes the charts take where they are sent: each figure's JSON as a string inside the page's JSON (escaped)."""
    return sum(len(json.dumps(fig)) for _, fig in figures)


@one_blas_thread
def build(net: NetworkLandscape, trajs: Mapping[str, Trajectory], view: NetworkView, labels: Mapping[str, str],
          colors: Mapping[str, str], *, layout: str = "overlay", present: bool = False, trails: int = 0,
          target: float = float(network_report.TARGET.default), budget: int = PAYLOAD_BUDGET,
          plane_at: str = "end") -> NetworkPage:
    """The payloads, charts, table and words of one network race (``trajs`` and ``view`` from
    :func:`optimizers.network.race`); ``labels`` and ``colors`` per optimizer; ``plane_at`` where a random or Hessian
    plane was centred (:data:`optimizers.network.PLANE_CENTRES`).  The decision boundaries get what the
    surface, the paths and the charts leave of ``budget`` bytes (at least :data:`MIN_KEYFRAMES` keyframes)."""
    names = list(trajs)
    runs = figure_runs(trajs, view, labels, colors)
    accuracy = {name: network_report.accuracy_series(net, tr) for name, tr in trajs.items()}
    trust = network_report.trust(view, trajs, labels)
    surface = surface_payload(view)
    figures = (("loss", loss_figure(runs)), ("accuracy", accuracy_figure(runs, accuracy, names)),
               ("plane_loss", plane_loss_figure(runs, view, names)), ("distance", distance_figure(runs, view, names)),
               ("spectrum", spectrum_figure(network_report.movement_spectrum(trajs, view.fitted), view.plane,
                                            trust.captured)))
    charts = tuple((key, fig.to_json()) for key, fig in figures)
    fixed = _size(surface) + _charts_size(charts)
    spare = budget - fixed - _size(race_view.runs_payload(runs, layout, present, trails)) - PAYLOAD_SLACK
    sent = runs_payload(net, trajs, runs, accuracy, layout, present, trails, max(spare, 0))
    for _ in range(3):                          # the boundaries' own fields took more than the slack: fewer keyframes
        over = fixed + _size(sent) - budget
        if over <= 0 or len(sent["network"]["steps"]) <= MIN_KEYFRAMES:
            break
        spare -= over
        sent = runs_payload(net, trajs, runs, accuracy, layout, present, trails, max(spare, 0))
    return NetworkPage(
        surface=surface, runs=sent, figures=charts,
        rows=summary_rows(runs, trajs, accuracy, trust, target), trust=trust,
        description=plane_description(view.plane, None if plane_at == "start" else labels[(view.fitted or names)[0]]),
        alerts=tuple(divergence_alerts(runs)))


def payload_bytes(page: NetworkPage) -> dict[str, int]:
    """The JSON size in bytes of what a change sends: the two payloads and the charts."""
    sizes = {"surface": _size(page.surface), "runs": _size(page.runs), "charts": _charts_size(page.figures)}
    return {**sizes, "total": sum(sizes.values())}

