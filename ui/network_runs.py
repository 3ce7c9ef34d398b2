"""Network mode's computations behind the page: the training, the plane and what the Race tab shows.

As :mod:`ui.runs` does for a surface, every result is a function of the link, built once per server process and
shared by every session that shows it (:func:`ui.process.shared`): a class opening one network link trains once.
Each stage is cached on what it depends on, so a change recomputes only what it touches:

1. :func:`simulate`: one optimizer's training run (the model, the training settings, its hyperparameters); a
   hyperparameter change retrains only that optimizer, as every run starts from the same weights and sees the same
   mini-batches whoever trains beside it;
2. :func:`plane_view`: the plane, every projected path and the loss grid (all the runs, the plane's settings);
3. :func:`shown`: the race's payloads, the charts, the table and the trust sentence (``viz.network.build``; also the
   layout, presenter options and the target loss).

Shared results are never changed: their arrays are read-only.  :func:`race` runs the three with a spinner that says
what is being computed (shown only when a stage takes longer than half a second, so a cached view shows none);
:func:`fresh` computes a view afresh with no server (a published page).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import streamlit as st

import optimizers
from landscapes.networks import NetworkLandscape
from optimizers import network
from optimizers.network import NetworkView
from state import share, surfaces
from state.share import AppState
from ui import runs
from ui.process import read_only, shared
from viz import network as network_view
from viz.figures import Run

Items = runs.Items
# One change sends the race's payloads and the charts, and with them the rest: the component's script, which travels
# with the race's element and the charts' (about 5 kB each), the texts beside them (the table, the trust sentence,
# alerts), the sidebar's widgets (Streamlit sends small elements again on every rerun: about 60 frames, 15 kB) and
# the messages' framing.  The payloads and charts get what the rest leaves of the 150 kB a change may take (measured
# over the websocket by benchmarks/bench_browser.py).
CHANGE_BYTES = 150_000
REST_BYTES = 34_000
# What the training of every run shares: the model's settings, steps, batch size, init, init seed, seed.
TrainKey = tuple[Items, int, int, str, int, int]
RaceKey = tuple[TrainKey, tuple[tuple[str, Items], ...]]   # ... and each chosen optimizer with its settings, in order
PlaneKey = tuple[RaceKey, str, str, int]                   # ... and the plane's kind, centre and grid resolution


@dataclass(frozen=True)
class NetworkRace:
    """One network race as the page shows it: the network, the runs, the plane and the page built from them."""

    net: NetworkLandscape
    trajs: dict[str, optimizers.Trajectory]
    view: NetworkView
    shown: network_view.NetworkPage          # payloads, charts, table, trust sentence, alerts
    runs: list[Run]                          # the projected paths as the figures take them


def train_key(state: AppState) -> TrainKey:
    model = tuple(sorted((name, state.network[name]) for name in share.NETWORK_MODEL))
    return (model, state.steps, int(state.network["batch_size"]), str(state.network["init"]),
            int(state.network["init_seed"]), state.seed)


def race_key(state: AppState) -> RaceKey:
    return train_key(state), tuple((name, tuple(sorted(state.hyper[name].items()))) for name in state.optimizers)


def plane_key(state: AppState) -> PlaneKey:
    return (race_key(state), str(state.network["plane"]), str(state.network["plane_at"]),
            int(state.network["resolution"]))


def model(key: TrainKey) -> NetworkLandscape:
    return surfaces.build_network(dict(key[0]))


def train(key: TrainKey, name: str, hyper: Items) -> optimizers.Trajectory:
    """Optimizer ``name``'s run, computed afresh (:func:`simulate` is the page's shared form)."""
    _, steps, batch_size, init, init_seed, seed = key
    return network.train(model(key), {name: dict(hyper)}, steps, batch_size=batch_size, seed=seed, init=init,
                         init_seed=init_seed)[name]


@shared(max_entries=256)
def simulate(key: TrainKey, name: str, hyper: Items) -> optimizers.Trajectory:
    """:func:`train`, shared by the process, its arrays read-only."""
    tr = train(key, name, hyper)
    read_only(tr.points, tr.loss, tr.diverged_at, tr.lr, tr.grads, tr.moments, tr.eff_lr, tr.fallback,
              *tr.extra.values())
    return tr


def trajectories(key: RaceKey) -> dict[str, optimizers.Trajectory]:
    train_settings, chosen = key
    return {name: simulate(train_settings, name, hyper) for name, hyper in chosen}


def place(key: PlaneKey, trajs: dict[str, optimizers.Trajectory]) -> NetworkView:
    """The plane of ``key`` through ``trajs`` and everything on it, computed afresh (:func:`plane_view` shares it)."""
    (train_settings, _), kind, at, resolution = key
    net = model(train_settings)
    plane, fitted = network.choose_plane(net, trajs, kind, at=at, seed=train_settings[5])
    return network.on_plane(net, plane, trajs, resolution, fitted)


@shared(max_entries=32)
def plane_view(key: PlaneKey) -> NetworkView:
    """:func:`place` of the shared runs, shared by the process, its arrays read-only."""
    view = place(key, trajectories(key[0]))
    read_only(view.plane.origin, view.plane.basis, view.plane.explained, view.plane.curvature, view.grid.alpha,
              view.grid.beta, view.grid.loss)
    for p in view.projections.values():
        read_only(p.coords, p.distance, p.plane_loss, p.true_loss)
    return view


def labels(key: RaceKey) -> dict[str, str]:
    """Each run's label: its network-mode title and learning rate."""
    return {name: runs.label(name, dict(hyper), network=True) for name, hyper in key[1]}


def page_of(key: PlaneKey, trajs: dict[str, optimizers.Trajectory], view: NetworkView, layout: str, present: bool,
            trails: int, target: float, budget: int = CHANGE_BYTES - REST_BYTES) -> network_view.NetworkPage:
    """``viz.network.build`` of a race, computed afresh (:func:`shown` is the page's shared form)."""
    race, _, at, _ = key
    return network_view.build(model(race[0]), trajs, view, labels(race), runs.colors_of(tuple(trajs)),
                              layout=layout, present=present, trails=trails, target=target, budget=budget,
                              plane_at=at)


@shared(max_entries=32)
def shown(key: PlaneKey, layout: str, present: bool, trails: int, target: float) -> network_view.NetworkPage:
    return page_of(key, trajectories(key[0]), plane_view(key), layout, present, trails, target)


def race(state: AppState) -> NetworkRace:
    """``state``'s network race from the process's shared caches, with a spinner on each stage that takes long."""
    key = plane_key(state)
    race_settings = key[0]
    n, r = len(state.optimizers), key[3]
    with st.spinner(f"Training {n} optimizer{'s' if n > 1 else ''} for {state.steps} steps on "
                    f"{state.network['points']} points…"):
        trajs = trajectories(race_settings)
    with st.spinner(f"Choosing the plane and computing the loss on its {r} × {r} grid…"):
        view = plane_view(key)
    with st.spinner("Measuring accuracy and the plane's fidelity, and packing the race…"):
        page = shown(key, state.layout, state.present, state.trails, float(state.network["target"]))
    return NetworkRace(model(race_settings[0]), trajs, view, page, figure_runs(race_settings, trajs, view))


def figure_runs(key: RaceKey, trajs: dict[str, optimizers.Trajectory], view: NetworkView) -> list[Run]:
    return network_view.figure_runs(trajs, view, labels(key), runs.colors_of(tuple(trajs)))


def fresh(state: AppState, budget: int = CHANGE_BYTES - REST_BYTES) -> NetworkRace:
    """``state``'s network race computed afresh, with no server and no cache (a published page); ``budget``: the
    bytes of the race's payloads and charts (``viz.network.build``)."""
    key = plane_key(state)
    train_settings, chosen = key[0]
    trajs = {name: train(train_settings, name, hyper) for name, hyper in chosen}
    view = place(key, trajs)
    page = page_of(key, trajs, view, state.layout, state.present, state.trails,
                   float(cast(float, state.network["target"])), budget)
    return NetworkRace(model(train_settings), trajs, view, page, figure_runs(key[0], trajs, view))
