"""The share link's analysis settings and custom surface: round trips and broken links."""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlencode

import pytest

from state import markdown, share, surfaces


def custom_state(text: str = "(1 - x)**2 + 100*(y - x^2)**2", **bounds: float) -> share.AppState:
    state = share.default_state(surfaces.CUSTOM)
    return replace(state, surface_params={**state.surface_params, surfaces.FORMULA: text, **bounds})


def test_default_link_has_no_analysis_parameters():
    query = share.encode(share.default_state())
    assert not {p.name for p in share.ANALYSIS} & set(query)


def test_analysis_settings_round_trip():
    state = replace(share.default_state(), basins_res=150, sweep_min=1e-3, sweep_max=3.0, sweep_n=17, fair=True,
                    spread="seeds", cloud=128, cloud_radius=0.12, analysis="sweep")
    query = share.encode(state)
    assert query["fair"] == "true" and query["analysis"] == "sweep" and query["basins_res"] == "150"
    decoded, warnings = share.decode(query)
    assert warnings == []
    assert decoded == state


def test_custom_surface_round_trips_through_a_real_url():
    state = custom_state(xmin=-2.0, xmax=2.0, ymin=-1.0, ymax=3.0)
    query = share.encode(state)
    assert query["surface"] == "custom" and query["formula"] == "(1 - x)**2 + 100*(y - x^2)**2"
    assert (query["xmin"], query["ymax"]) == ("-2.0", "3.0")
    url_query = urlencode(query, safe=",")                       # what the address bar holds
    assert "formula=%281+-+x%29%2A%2A2+%2B+100" in url_query       # '+' and '*' survive as %2B and %2A
    parsed = {k: v[-1] for k, v in parse_qs(url_query).items()}
    decoded, warnings = share.decode(parsed)
    assert warnings == []
    assert decoded == state
    land = share.landscape_of(decoded)
    assert land.bounds == ((-2.0, 2.0), (-1.0, 3.0))
    assert land.value([1.0, 1.0]) == 0.0


def test_link_messages_show_formulas_literally_in_markdown():
    assert markdown.plain("x**2 + $y_1") == r"x\*\*2 \+ \$y\_1"
    assert markdown.code("a`b") == "`a'b`"


def test_the_custom_landscape_is_built_once_per_formula_and_bounds():
    state = custom_state("x**2 + y**2 + x*y")
    assert share.landscape_of(state) is share.landscape_of(state)
    assert share.landscape_of(custom_state("x**2 + y**2 + x*y", xmax=4.0)) is not share.landscape_of(state)


@pytest.mark.parametrize(("query", "named"), [
    ({"formula": "x +* y"}, "`x +* y`"),
    ({"formula": "__import__('os')"}, "`__import__('os')`"),
    ({"formula": "log(-1 - x**2)"}, "not finite"),
    ({"formula": "x**2", "xmin": "2", "xmax": "1"}, "each minimum must be smaller than its maximum"),
])
def test_broken_custom_surface_in_a_link_falls_back_to_the_default_formula(query, named):
    state, warnings = share.decode({"surface": "custom", **query})
    assert len(warnings) == 1, warnings
    assert named in warnings[0] and f"default formula `{surfaces.DEFAULT_FORMULA}`" in warnings[0]
    assert state.surface == "custom" and state.surface_params == surfaces.defaults("custom")
    assert len(share.landscape_of(state).minima) >= 1


@pytest.mark.parametrize(("query", "named"), [
    ({"basins_res": "5"}, "basins_res=5"),
    ({"basins_res": "301"}, "basins_res=301"),
    ({"sweep_n": "2.5"}, "sweep_n=2.5"),
    ({"sweep_min": "0"}, "sweep_min=0"),
    ({"sweep_min": "2", "sweep_max": "1"}, "sweep_min=2' and 'sweep_max=1"),
    ({"fair": "perhaps"}, "fair=perhaps"),
    ({"spread": "everywhere"}, "spread=everywhere"),
    ({"cloud": "100000"}, "cloud=100000"),
    ({"cloud_radius": "-1"}, "cloud_radius=-1"),
    ({"analysis": "tea_leaves"}, "analysis=tea_leaves"),
    ({"xmin": "-1"}, "'xmin'"),                                 # bounds belong to the custom surface only
])
def test_broken_analysis_settings_fall_back_and_name_the_culprit(query, named):
    state, warnings = share.decode(query)
    assert len(warnings) == 1, warnings
    assert named in warnings[0]
    for p in share.ANALYSIS:
        assert getattr(state, p.name) == p.default
