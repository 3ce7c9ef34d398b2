"""The share-link codec: round trips, and broken links that fall back with named warnings."""
from __future__ import annotations

from dataclasses import replace

import pytest

import landscapes
import optimizers
from state import share


def test_default_state_uses_surface_suggestions():
    state = share.default_state("ravine")
    assert state.optimizers == ("gd", "momentum", "rmsprop", "adam")
    assert state.hyper["adam"]["lr"] == landscapes.get("ravine").suggested["adam"]["lr"]
    assert state.hyper["adam"]["beta2"] == 0.999  # PyTorch default where the surface suggests nothing


def test_round_trip_is_exact():
    state = share.default_state("rosenbrock")
    hyper = {**state.hyper, "adam": {**state.hyper["adam"], "lr": 0.1 + 0.2, "schedule": "cosine"}}
    state = replace(state, hyper=hyper, start=(-1.2345678901234567, 2.0), steps=321, seed=7, layout="overlay",
                    tol=3e-7)
    decoded, warnings = share.decode(share.encode(state))
    assert warnings == []
    assert decoded == state
    assert decoded.hyper["adam"]["lr"] == 0.30000000000000004  # shortest repr reads back bit for bit


def test_encode_writes_every_own_hyperparameter_and_only_changed_schedule_ones():
    query = share.encode(share.default_state())
    for name in ("gd", "momentum", "rmsprop", "adam"):
        for p in optimizers.get(name).params:
            assert f"{name}.{p.name}" in query
    assert "adam.schedule" not in query
    assert query["opt"] == "gd,momentum,rmsprop,adam"


def test_empty_query_is_the_default_view():
    state, warnings = share.decode({})
    assert warnings == []
    assert state == share.default_state()


def test_link_with_surface_params_and_start():
    state, warnings = share.decode({"surface": "ravine", "condition": "200", "angle": "30", "opt": "adam,nag",
                                    "start": "1.5,-2", "steps": "50"})
    assert warnings == []
    assert state.surface_params == {"condition": 200.0, "angle": 30.0}
    assert state.optimizers == ("adam", "nag")
    assert state.start == (1.5, -2.0) and state.steps == 50


@pytest.mark.parametrize(("query", "named"), [
    ({"surface": "moon"}, "'moon'"),
    ({"opt": "adam,warp_drive"}, "'warp_drive'"),
    ({"adam.lr": "abc"}, "adam.lr=abc"),
    ({"adam.lr": "-1"}, "adam.lr=-1"),
    ({"adam.lr": "nan"}, "adam.lr=nan"),
    ({"adam.beta1": "1"}, "adam.beta1=1"),
    ({"condition": "0.5"}, "condition=0.5"),
    ({"steps": "1e9"}, "steps=1e9"),
    ({"steps": "2.5"}, "steps=2.5"),
    ({"seed": "-3"}, "seed=-3"),
    ({"layout": "circle"}, "layout=circle"),
    ({"start": "1,2,3"}, "start=1,2,3"),
    ({"start": "inf,0"}, "start=inf,0"),
    ({"adam.schedule": "sometimes"}, "adam.schedule=sometimes"),
    ({"bogus": "1"}, "'bogus'"),
    ({"gd.lr": "0.1", "opt": "adam"}, "'gd.lr'"),
    ({"adam.bias_correction": "maybe"}, "adam.bias_correction=maybe"),
])
def test_broken_links_fall_back_and_name_the_culprit(query, named):
    state, warnings = share.decode(query)
    assert len(warnings) == 1, warnings
    assert named in warnings[0]
    # Everything else is still the default view, and the state still runs.
    land = share.landscape_of(state)
    for name in state.optimizers:
        tr = optimizers.simulate(land, name, share.start_of(state), 3, **state.hyper[name])
        assert tr.points.shape == (4, 1, 2)


def test_too_many_optimizers_are_cut_with_a_warning():
    state, warnings = share.decode({"opt": ",".join(optimizers.names())})
    assert len(state.optimizers) == share.MAX_OPTIMIZERS
    assert any("At most" in w for w in warnings)


def test_repeated_keys_use_the_last_value():
    state, warnings = share.decode({"steps": ["10", "20"]})
    assert warnings == [] and state.steps == 20


def test_presenter_mode_and_trails_travel_in_the_link_only_when_set():
    assert not {"present", "trails"} & set(share.encode(share.default_state()))
    state = replace(share.default_state(), present=True, trails=25)
    query = share.encode(state)
    assert (query["present"], query["trails"]) == ("true", "25")
    assert share.decode(query) == (state, [])
    assert share.decode({"present": "1"})[0].present is True            # the short form a teacher types
    decoded, warnings = share.decode({"present": "maybe", "trails": "-3"})
    assert (decoded.present, decoded.trails) == (False, 0) and len(warnings) == 2
    assert "'present=maybe'" in warnings[0] and "'trails=-3'" in warnings[1]


def test_inspector_settings_are_settled_when_the_link_is_decoded():
    state, warnings = share.decode({"opt": "gd,adam", "steps": "50", "inspect": "nag", "inspect_step": "80"})
    assert (state.inspect, state.inspect_step) == ("gd", 50)
    assert "'inspect=nag'" in warnings[0] and "'inspect_step=80'" in warnings[1]
    assert share.decode(share.encode(state)) == (state, [])            # what the link then says reads back as is
