"""Following the race view in a browser through its test hook: ``[data-testid="race-view"]`` with ``data-step``,
``data-revision`` and ``data-drawn``, and the plotly graph inside it (for axes and traces)."""
from __future__ import annotations

VIEW = '[data-testid="race-view"]'
DRAWN = """() => { const v = document.querySelector('[data-testid="race-view"]');
                   return !!v && v.dataset.drawn === 'true'; }"""
# Panels (contour traces), start markers and plot-area widths and left edges of the race's plotly graph.
GRAPH = """() => {
  const gd = document.querySelector('[data-testid="race-view"] .js-plotly-plot');
  const axes = Object.keys(gd._fullLayout).filter(k => /^xaxis\\d*$/.test(k)).map(k => gd._fullLayout[k]);
  return {panels: gd.data.filter(t => t.type === 'contour').length,
          starts: gd._fullData.filter(t => t.name === 'start').map(t => [t.x[0], t.y[0]]),
          widths: axes.map(a => a._length), lefts: axes.map(a => a._offset),
          tops: Object.keys(gd._fullLayout).filter(k => /^yaxis\\d*$/.test(k)).map(k => gd._fullLayout[k]._offset)};
}"""
# Page coordinates of the data point (x, y) on the panel whose axes are xaxis{n}/yaxis{n}.
TO_PIXELS = """([x, y, n]) => {
  const gd = document.querySelector('[data-testid="race-view"] .js-plotly-plot');
  const xa = gd._fullLayout['xaxis' + n], ya = gd._fullLayout['yaxis' + n];
  const box = gd.getBoundingClientRect();
  return [box.left + xa._offset + xa.l2p(x), box.top + ya._offset + ya.l2p(y)];
}"""


def race(page, timeout: float = 60_000):
    """The race view once drawn."""
    page.wait_for_function(DRAWN, timeout=timeout)
    return page.locator(VIEW)


def step(view) -> int:
    return int(view.get_attribute("data-step"))


def graph(page) -> dict:
    return page.evaluate(GRAPH)
