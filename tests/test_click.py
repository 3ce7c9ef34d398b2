"""``viz.click``: invisible click targets on every race panel, with short coordinates."""
from __future__ import annotations

import numpy as np
import pytest

import landscapes
from viz import click, figures


def race(layout: str):
    land = landscapes.get("rosenbrock")
    runs = [figures.Run(label=name, color=color, points=np.array([[-1.5, 2.5], [-1.0, 1.5], [0.0, 0.5]]),
                        loss=np.array([3.0, 2.0, 1.0]), diverged_at=-1)
            for name, color in (("a", "#E69F00"), ("b", "#56B4E9"))]
    return land, figures.race_figure(land, figures.contour_grid(land, 30), runs, layout=layout)


@pytest.mark.parametrize(("layout", "axes"), [("side", [("x", "y"), ("x2", "y2")]), ("overlay", [("x", "y")])])
def test_every_panel_gets_an_invisible_grid_after_the_animated_traces(layout, axes):
    land, fig = race(layout)
    before = len(fig.data)
    click.add_click_targets(fig, land)
    targets = fig.data[before:]
    assert [(t.xaxis, t.yaxis) for t in targets] == axes
    for t in targets:
        assert t.name == click.TARGET_NAME and len(t.x) == click.PER_SIDE ** 2
        assert t.marker.opacity == 0 and t.selected.marker.opacity == 0 and t.unselected.marker.opacity == 0
        assert t.hoverinfo == "none"                    # hover (and so clicks) still register
    animated = {i for frame in fig.frames for i in frame.traces}
    assert animated and max(animated) < before         # frames still address the same traces


def test_grid_covers_the_bounds_with_short_coordinates():
    land = landscapes.get("rosenbrock")                 # x in [-2, 2], y in [-1, 3]
    x, y = click.click_grid(land)
    xs, ys = np.unique([click.snap(v) for v in x]), np.unique([click.snap(v) for v in y])
    assert len(xs) == len(ys) == click.PER_SIDE
    assert (xs[0], xs[-1], ys[0], ys[-1]) == (-2.0, 2.0, -1.0, 3.0)
    assert np.array_equal(xs, np.round(xs, 2))          # span 4: steps of 0.01 at most
    assert click.snap(np.float32(3.9)) == 3.9 and click.snap(np.float32(-0.05)) == -0.05
