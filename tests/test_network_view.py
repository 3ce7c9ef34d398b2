"""Network mode's race payloads, charts, table and words (``viz.network``, ``optimizers.network_report``).

Checked against independent computations: accuracy from the network's probabilities, steps to a target by a
plain scan, the plane's share of the movement from ``numpy.linalg.svd`` and ``lstsq``, the tuned learning rate
against separate training runs, the count of equivalent weights by enumerating the relabellings of a small layer.
"""
from __future__ import annotations

import base64
import itertools
import json
import math

import numpy as np
import pytest

from landscapes import networks
from optimizers import network, network_report, planes
from optimizers.network import NetworkView
from viz import network as vn
from viz.figures import PALETTE

NAMES = ("gd", "momentum", "adam")


def f32(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype="<f4")


@pytest.fixture(scope="module")
def net():
    return networks.get()


@pytest.fixture(scope="module")
def race(net):
    return network.race(net, {name: network.suggested(name) for name in NAMES}, 300)


def labels_of(names):
    return {name: f"{name} run" for name in names}, {name: PALETTE[i] for i, name in enumerate(names)}


@pytest.fixture(scope="module")
def page(net, race):
    trajs, view = race
    return vn.build(net, trajs, view, *labels_of(trajs))


@pytest.fixture(scope="module")
def diverging():
    """A ReLU network where gradient descent at γ = 10 diverges within a few steps and Adam trains."""
    net = networks.get(activation="relu", layers=2, x_scale=10.0)
    trajs, view = network.race(net, {"gd": {"lr": 10.0}, "adam": {"lr": 0.02}}, 100, resolution=30, plane="random")
    assert trajs["gd"].diverged_at[0] > 0 and trajs["adam"].diverged_at[0] < 0
    return net, trajs, view


# --- what the report measures ----------------------------------------------------------------------------------

def test_accuracy_series_counts_points_on_the_right_side_of_one_half(net, race):
    tr = race[0]["adam"]
    acc = network_report.accuracy_series(net, tr)
    for step in (0, 7, 300):
        p = net.probability(tr.points[step], net.x)[0]
        assert acc[step] == np.mean((p > 0.5) == (net.y == 1))
    assert acc.shape == (301,) and acc[-1] > acc[0]


def test_steps_to_loss_is_the_first_step_at_or_below_the_target(race):
    tr = race[0]["momentum"]
    for target in (0.5, 0.1, 0.02):
        want = next((t for t, loss in enumerate(tr.loss[:, 0]) if loss <= target), -1)
        assert network_report.steps_to_loss(tr, target) == want
    assert network_report.steps_to_loss(tr, 1e-9) == -1


def test_steps_to_loss_ignores_what_follows_a_divergence(diverging):
    _, trajs, _ = diverging
    tr = trajs["gd"]
    assert network_report.steps_to_loss(tr, 1e9) == 0          # the start counts; the frozen copies after never do
    assert network_report.steps_to_loss(tr, float(tr.loss[:tr.diverged_at[0], 0].min()) - 1e-9) == -1


def test_movement_spectrum_is_the_squared_singular_values_of_the_displacements(race):
    trajs, view = race
    points = np.concatenate([trajs[name].points[:, 0] for name in NAMES])
    sigma = np.linalg.svd(points - trajs["gd"].points[0, 0], compute_uv=False) ** 2
    spectrum = network_report.movement_spectrum(trajs)
    np.testing.assert_allclose(spectrum, (sigma / sigma.sum())[:10], rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(spectrum[:2], view.plane.explained, rtol=1e-8)       # the PCA plane's two


def test_captured_is_one_minus_the_share_of_squared_distance_off_the_plane(race, net):
    trajs, view = race
    pca = view.plane
    np.testing.assert_allclose(network_report.captured(pca, trajs), pca.explained.sum(), rtol=1e-9)
    plane = planes.random_plane(net, trajs["gd"].points[-1, 0], seed=3)
    points = np.concatenate([trajs[name].points[:, 0] for name in NAMES])
    coef = np.linalg.lstsq(plane.basis.T, (points - plane.origin).T, rcond=None)[0]   # independent projection
    off = np.sum((points - plane.origin - coef.T @ plane.basis) ** 2)
    np.testing.assert_allclose(network_report.captured(plane, trajs), 1 - off / np.sum((points - plane.origin) ** 2),
                               rtol=1e-9)


def test_a_run_in_its_own_plane_is_faithful_and_the_sentence_says_so(net):
    """One run's path of a single step lies exactly on its PCA plane: nothing off it, no loss gap."""
    trajs = network.train(net, {"gd": {"lr": 0.5}}, 1)
    plane, fitted = network.choose_plane(net, trajs, "pca")
    view = network.on_plane(net, plane, trajs, 10, fitted)
    trust = network_report.trust(view, trajs, {"gd": "GD"})
    assert trust.level == "faithful" and trust.off_plane["gd"] < 1e-9 and trust.loss_gap["gd"] < 1e-9
    assert "can be trusted" in trust.sentence and "holds 100%" in trust.sentence


def test_a_random_plane_is_called_misleading(race, net):
    trajs, _ = race
    plane, fitted = network.choose_plane(net, trajs, "random", seed=1)
    view = network.on_plane(net, plane, trajs, 10, fitted)
    trust = network_report.trust(view, trajs, labels_of(trajs)[0])
    assert trust.level == "misleading" and "Do not read the paths off this picture" in trust.sentence
    worst = max(trust.off_plane, key=trust.off_plane.get)
    assert f"({worst} run)" in trust.sentence


def test_percentages_round_so_that_nothing_is_flattered():
    assert network_report.held_percent(0.969) == "96%"                  # a share held: down
    assert network_report.error_percent(0.2201) == "23%"                # an error: up
    assert network_report.error_percent(0.22) == "22%"
    assert network_report.error_percent(1e-6) == "1%" and network_report.error_percent(0.0) == "0%"
    assert network_report.error_percent(1.0) == "over 100%" and network_report.error_percent(math.inf) == "over 100%"


@pytest.mark.parametrize("goal", network_report.GOALS)
def test_tune_lr_picks_what_separate_runs_say_is_best(net, goal):
    lrs = np.array([0.05, 0.2, 1.0, 4.0])
    lr, sweep = network_report.tune_lr(net, "gd", 120, lrs, target=0.3, goal=goal)
    runs = {rate: network.train(net, {"gd": {"lr": rate}}, 120)["gd"] for rate in lrs}    # one at a time
    final = {rate: tr.loss[-1, 0] for rate, tr in runs.items()}
    reach = {rate: network_report.steps_to_loss(tr, 0.3) for rate, tr in runs.items()}
    np.testing.assert_allclose(sweep.final_loss, [final[r] for r in lrs], rtol=1e-10)
    assert list(sweep.steps_to_tol) == [reach[r] for r in lrs]
    if goal == "loss":
        assert lr == min(lrs, key=lambda r: final[r])
    else:
        assert lr == min((r for r in lrs if reach[r] >= 0), key=lambda r: reach[r])
    with pytest.raises(ValueError, match="Invalid goal"):
        network_report.tune_lr(net, "gd", 5, lrs, target=0.3, goal="fast")


def test_equivalent_weights_counts_relabellings_and_sign_flips_that_keep_the_function():
    """Every relabelling of a 4-unit tanh layer, with every sign pattern, computes the same loss; they are 384
    distinct weight vectors, as the formula says (4!·2⁴); ReLU keeps only the 4! relabellings."""
    net = networks.get(width=4)
    theta = net.initial_weights("pytorch", 5)
    (w1, b1), (w2, _) = net.layout.layers
    variants = []
    for order in itertools.permutations(range(4)):
        for signs in itertools.product((1.0, -1.0), repeat=4):
            s = np.array(signs)
            t = theta.copy()
            t[w1.start:w1.stop] = (theta[w1.start:w1.stop].reshape(4, 2)[list(order)] * s[:, None]).ravel()
            t[b1.start:b1.stop] = theta[b1.start:b1.stop][list(order)] * s
            t[w2.start:w2.stop] = theta[w2.start:w2.stop][list(order)] * s
            variants.append(t)
    variants = np.array(variants)
    np.testing.assert_allclose(net.value(variants), net.value(theta[None])[0], rtol=1e-13)
    assert len(np.unique(variants, axis=0)) == network_report.equivalent_weights((4,), "tanh") == 384
    assert network_report.equivalent_weights((4,), "relu") == 24
    assert network_report.equivalent_weights((8,), "tanh") == math.factorial(8) * 2**8
    assert network_report.equivalent_weights((4, 5), "tanh") == math.factorial(4) * 2**4 * math.factorial(5) * 2**5


# --- the surface payload ----------------------------------------------------------------------------------------

def test_plane_contour_levels_are_log_of_the_loss_itself(race):
    grid = race[1].grid
    contour = vn.plane_contour(grid)
    assert contour.scale.f_star == 0.0 and contour.scale.spacing == "log"
    np.testing.assert_allclose(contour.g, grid.loss, rtol=1e-3)                      # 4 significant digits
    np.testing.assert_allclose(contour.z, np.log10(contour.g.astype(np.float64) + contour.scale.floor), rtol=1e-5)
    start, end, size = contour.levels
    assert start > contour.z.min() and end == pytest.approx(contour.z.max()) and 1 / size == round(1 / size)
    assert contour.label == "training loss (log scale)"
    values = np.array([float(text) for text in contour.ticks[1]])                   # ticks read the loss itself
    assert len(values) >= 3 and values.min() >= contour.g.min() / 10 and values.max() <= contour.g.max() * 10
    np.testing.assert_allclose(contour.ticks[0], np.log10(values + contour.scale.floor), rtol=1e-9)


def test_surface_payload_is_the_plane_grid_with_axis_titles_and_no_minima(race):
    _, view = race
    payload = vn.surface_payload(view)
    r = len(view.grid.alpha)
    np.testing.assert_allclose(f32(payload["x"]), view.grid.alpha, rtol=1e-6)
    np.testing.assert_allclose(f32(payload["g"]).reshape(r, r), view.grid.loss, rtol=1e-3)   # row i is beta[i]
    assert payload["bounds"] == [[pytest.approx(view.grid.alpha[0]), pytest.approx(view.grid.alpha[-1])],
                                 [pytest.approx(view.grid.beta[0]), pytest.approx(view.grid.beta[-1])]]
    assert payload["minima"] == []
    first, second = view.plane.explained
    assert payload["axes"] == [f"α: 1st principal direction ({math.floor(100 * first)}%)",
                               f"β: 2nd principal direction ({math.floor(100 * second)}%)"]
    json.dumps(payload, allow_nan=False)
    assert vn.surface_payload(view)["id"] == payload["id"]


def test_axis_titles_name_each_kind_of_plane(net, race):
    trajs, _ = race
    hessian, _ = network.choose_plane(net, trajs, "hessian")
    top, bottom = vn.axis_titles(hessian)
    assert f"{hessian.curvature[0]:.3g}" in top and f"{hessian.curvature[1]:.3g}" in bottom
    assert vn.axis_titles(network.choose_plane(net, trajs, "random")[0])[0].startswith("α: random direction 1")


# --- the runs payload and the decision boundaries ---------------------------------------------------------------

def test_shown_steps_are_race_js_steps():
    assert list(vn.shown_steps(5)) == [0, 1, 2, 3, 4, 5]
    shown = vn.shown_steps(1000)
    assert len(shown) == vn.MAX_SHOWN + 1 and shown[0] == 0 and shown[-1] == 1000
    assert shown[1] == 3 and shown[2] == 7                            # Math.round(1000/300) = 3, round(6.67) = 7
    assert list(vn.shown_steps(450)[:4]) == [0, 2, 3, 5]              # Math.round(1.5) = 2 (half up), 4.5 -> 5


@pytest.mark.parametrize("steps, dim, runs", [(500, 33, 6), (500, 337, 6), (100, 33, 2), (2000, 65, 4), (1, 17, 1)])
def test_keyframes_fit_the_budget_include_both_ends_and_are_steps_race_js_plays(steps, dim, runs):
    keys = vn.keyframes(steps, dim, runs)
    shown = set(vn.shown_steps(steps).tolist())
    assert keys[0] == 0 and keys[-1] == steps and np.all(np.diff(keys) > 0)
    assert set(keys.tolist()) <= shown
    size = len(keys) * runs * (dim + 1) * 4 * 4 / 3
    assert size <= vn.BOUNDARY_BUDGET or len(keys) <= vn.MIN_KEYFRAMES
    if (len(shown)) * runs * (dim + 1) * 16 / 3 <= vn.BOUNDARY_BUDGET:
        assert len(keys) == len(shown)                                 # every played step, when they fit
    else:
        assert len(keys) == max(vn.MIN_KEYFRAMES, int(vn.BOUNDARY_BUDGET // (runs * (dim + 1) * 16 / 3)))
        if len(keys) >= 20:
            early = keys[keys <= steps / 10]
            assert len(early) >= len(keys) / 4                         # dense where the boundary moves most


def test_runs_payload_carries_paths_on_the_plane_and_weights_at_the_keyframes(net, race, page):
    trajs, view = race
    payload = page.runs
    keys = np.array(payload["network"]["steps"])
    assert keys[0] == 0 and keys[-1] == 300 and set(keys.tolist()) <= set(vn.shown_steps(300).tolist())
    for item, name in zip(payload["runs"], NAMES, strict=True):
        tr, proj = trajs[name], view.projections[name]
        np.testing.assert_allclose(f32(item["x"]), proj.coords[:, 0, 0], rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(f32(item["f"]), tr.loss[:, 0], rtol=1e-6)           # the true loss
        w = f32(item["boundary"]["w"]).reshape(len(keys), net.dim)
        np.testing.assert_allclose(w, tr.points[keys, 0], rtol=1e-6, atol=1e-7)
        acc = f32(item["boundary"]["accuracy"])
        np.testing.assert_allclose(acc, net.accuracy(tr.points[keys, 0]), rtol=1e-6)
    xy = f32(payload["network"]["x"]).reshape(-1, 2)
    np.testing.assert_allclose(xy, net.x, rtol=1e-6)
    assert np.array_equal(f32(payload["network"]["y"]), net.y)
    (x0, x1), (y0, y1) = payload["network"]["box"]
    assert x0 < net.x[:, 0].min() and x1 > net.x[:, 0].max() and y0 < net.x[:, 1].min() and y1 > net.x[:, 1].max()
    assert payload["network"]["sizes"] == [2, 8, 1] and payload["network"]["activation"] == "tanh"
    assert payload["finals"] is True and payload["layout"] == "overlay"
    json.dumps(payload, allow_nan=False)


def test_revision_changes_with_the_weights_alone(net, race):
    trajs, view = race
    runs = vn.figure_runs(trajs, view, *labels_of(trajs))
    acc = {name: network_report.accuracy_series(net, tr) for name, tr in trajs.items()}
    base = vn.runs_payload(net, trajs, runs, acc)
    assert vn.runs_payload(net, trajs, runs, acc)["revision"] == base["revision"]
    other = networks.get(data_seed=1)                       # same paths, other data: the boundaries differ
    assert vn.runs_payload(other, trajs, runs, acc)["revision"] != base["revision"]
    with pytest.raises(ValueError, match="Invalid runs"):
        vn.runs_payload(net, trajs, runs[:2], acc)


def test_a_diverged_run_reaches_the_page_finite_and_marked(diverging):
    net, trajs, view = diverging
    labels, colors = labels_of(trajs)
    page = vn.build(net, trajs, view, labels, colors, layout="side")
    gd = trajs["gd"]
    text = json.dumps(page.runs, allow_nan=False) + json.dumps(page.surface, allow_nan=False)
    assert "NaN" not in text and "Infinity" not in text
    item = page.runs["runs"][0]
    assert item["diverged_at"] == int(gd.diverged_at[0]) and "diverged at step" in item["title"]
    assert np.isfinite(f32(item["boundary"]["w"])).all()
    row = page.rows[0]
    assert row["diverged at step"] == int(gd.diverged_at[0])
    assert row["final loss"] == float(gd.loss[gd.diverged_at[0] - 1, 0])          # its last finite weights
    assert page.alerts == (f"gd run diverged at step {gd.diverged_at[0]}: its path, its charts and its network stop "
                           "at its last finite weights.",)
    assert "the final weights of adam run" in page.description                    # the plane avoids the lost run
    for _, fig in page.figures:
        json.loads(fig)                                        # plotly JSON, finite (plotly writes NaN otherwise)
        assert "NaN" not in fig


# --- the charts and the table ----------------------------------------------------------------------------------

def test_charts_draw_what_was_measured(net, race, page):
    trajs, view = race
    figures = {key: json.loads(fig) for key, fig in page.figures}
    assert list(figures) == ["loss", "accuracy", "plane_loss", "distance", "spectrum"]

    def ys(trace):
        y = trace["y"]
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]) if isinstance(y, dict) else np.array(y)

    lines = [t for t in figures["loss"]["data"] if t["mode"] == "lines"]
    np.testing.assert_allclose(ys(lines[1]), trajs["momentum"].loss[::2, 0], rtol=1e-6)   # 300 steps: every 2nd
    assert lines[1]["x0"] == 0 and lines[1]["dx"] == 2
    acc = [t for t in figures["accuracy"]["data"] if t["mode"] == "lines"]
    np.testing.assert_allclose(ys(acc[2]), network_report.accuracy_series(net, trajs["adam"])[::2], rtol=1e-6)
    dashed = [t for t in figures["plane_loss"]["data"] if t["line"]["dash"] == "dash"]
    np.testing.assert_allclose(ys(dashed[0]), view.projections["gd"].plane_loss[::2, 0], rtol=1e-6)
    dist = [t for t in figures["distance"]["data"] if t["mode"] == "lines"]
    np.testing.assert_allclose(ys(dist[2]), view.projections["adam"].distance[::2, 0], rtol=1e-5, atol=1e-6)
    drawn, hidden = figures["spectrum"]["data"]
    np.testing.assert_allclose(ys(drawn), view.plane.explained, rtol=1e-5)
    assert drawn["name"] == "drawn by the plane" and len(ys(hidden)) == 8


def test_a_long_run_is_charted_every_few_steps(net):
    assert vn.CHART_INTERVALS == 150
    assert [vn.chart_stride(n) for n in (1, 150, 151, 300, 301, 500, 2000)] == [1, 1, 2, 2, 3, 4, 14]
    trajs, view = network.race(net, {"gd": network.suggested("gd")}, 500, resolution=20)
    built = vn.build(net, trajs, view, *labels_of(trajs))
    line = json.loads(dict(built.figures)["loss"])["data"][0]
    y = np.frombuffer(base64.b64decode(line["y"]["bdata"]), dtype=line["y"]["dtype"])
    assert (line["x0"], line["dx"], len(y)) == (0, 4, 126)
    np.testing.assert_allclose(y, trajs["gd"].loss[::4, 0], rtol=1e-6)          # steps 0, 4, …, 500


def test_summary_rows_state_the_measured_numbers(net, race, page):
    trajs, view = race
    target = network_report.TARGET.default
    for row, name in zip(page.rows, NAMES, strict=True):
        tr = trajs[name]
        fid = planes.fidelity(view.projections[name], tr.points)
        assert row["optimizer"] == f"{name} run"
        assert row["final loss"] == float(tr.loss[-1, 0])
        assert row["accuracy"] == f"{100 * float(net.accuracy(tr.points[-1, 0])):.1f}%"
        reached = network_report.steps_to_loss(tr, target)
        assert row[f"steps to loss ≤ {target:g}"] == (reached if reached >= 0 else None)
        assert row["diverged at step"] is None
        assert row["farthest off the plane"] == network_report.error_percent(float(fid.off_plane[0]))
        assert row["contour's loss error"] == network_report.error_percent(float(fid.loss_gap[0]))
    assert page.trust.sentence.startswith(f"The plane holds {math.floor(100 * view.plane.explained.sum())}%")


def test_build_takes_the_layout_and_presenter_options(net, race):
    trajs, view = race
    page = vn.build(net, trajs, view, *labels_of(trajs), layout="side", present=True, trails=10, target=0.05)
    assert (page.runs["layout"], page.runs["present"], page.runs["trails"]) == ("side", True, 10)
    assert "steps to loss ≤ 0.05" in page.rows[0]


def test_payload_bytes_add_up_and_the_boundaries_take_what_the_budget_leaves(net, race, page):
    sizes = vn.payload_bytes(page)
    assert sizes["surface"] == len(json.dumps(page.surface, separators=(",", ":")))
    assert sizes["charts"] == sum(len(json.dumps(fig)) for _, fig in page.figures)     # as strings inside JSON
    assert sizes["total"] == sizes["surface"] + sizes["runs"] + sizes["charts"]
    assert sizes["total"] <= vn.PAYLOAD_BUDGET
    keys = len(page.runs["network"]["steps"])
    one_more = 3 * (net.dim + 1) * 16 / 3                      # three runs' weights and accuracy at one keyframe
    assert keys == len(vn.shown_steps(300)) or sizes["total"] + one_more > vn.PAYLOAD_BUDGET - vn.PAYLOAD_SLACK
    small = vn.build(net, *race, *labels_of(race[0]), budget=100_000)
    assert len(small.runs["network"]["steps"]) < keys


def test_a_view_with_every_run_diverged_still_builds(diverging):
    net, trajs, _ = diverging
    lost = {"gd": trajs["gd"]}
    plane, fitted = network.choose_plane(net, lost, "pca")
    view = NetworkView(*network.on_plane(net, plane, lost, 10, fitted))
    page = vn.build(net, lost, view, {"gd": "GD"}, {"gd": PALETTE[0]})
    assert page.rows[0]["diverged at step"] == int(trajs["gd"].diverged_at[0]) and page.trust.level in \
        network_report.LEVELS
