"""``viz.click``: a clicked point becomes a start with short coordinates, and bad clicks are refused."""
from __future__ import annotations

import numpy as np
import pytest

import landscapes
from viz import click


def test_clicks_round_to_three_digits_of_the_span():
    land = landscapes.get("rosenbrock")                 # x in [-2, 2], y in [-1, 3]: span 4, steps of 0.01
    assert click.start_from_click(land, 0.123456, 2.98765) == (0.12, 2.99)
    assert click.start_from_click(land, -2.0, 3.0) == (-2.0, 3.0)
    ravine = landscapes.get("ravine")                   # span 20: steps of 0.1
    assert click.start_from_click(ravine, 4.04, -3.06) == (4.0, -3.1)


@pytest.mark.parametrize("x, y", [(5.0, 0.0), (0.0, -1.5), (np.nan, 0.0), (0.0, np.inf), ("1", 0.0), (True, 0.0),
                                  (None, 0.0)])
def test_clicks_outside_the_bounds_or_not_numbers_are_refused(x, y):
    assert click.start_from_click(landscapes.get("rosenbrock"), x, y) is None


def test_snap_undoes_the_float32_round_trip():
    assert click.snap(float(np.float32(3.9))) == 3.9 and click.snap(float(np.float32(-0.05))) == -0.05
