/* Optiscope published page (viz/static_page.py): draws the race and the charts beside it from the page's own data,
 * with no server and no network.  A classic script, loaded after plotly.js and race.js (inlined in a single-file
 * page, or shared files of a site written by publish.py, so it also runs from file://).
 *
 * The data is the JSON in <script id="optiscope-data">: {surface, runs, figures: [plotly figure JSON, ...]}.
 * The race fits the window's height (controls included), so a 960x540 iframe on a slide shows all of it.
 * ?embed in the page's address (or class="embed" on <html>, written by publish.py --embed) shows the race alone.
 */
(function () {
  'use strict';
  const html = document.documentElement;
  if (new URLSearchParams(window.location.search).has('embed')) html.classList.add('embed');
  const embed = html.classList.contains('embed');
  const data = JSON.parse(document.getElementById('optiscope-data').textContent);
  const root = document.getElementById('race');
  const pad = () => parseFloat(getComputedStyle(document.body).paddingTop) +
                    parseFloat(getComputedStyle(document.body).paddingBottom);
  const race = new window.OptiscopeRace.Race(root, null, {fitHeight: () => window.innerHeight - pad()});

  // The charts are drawn once the race is: it is what a visitor looks at first (as in the app).
  root.addEventListener('optiscope-drawn', () => {
    if (embed) return;
    document.querySelectorAll('[data-figure]').forEach((el) => {
      window.OptiscopeRace.figure(el, data.figures[Number(el.dataset.figure)]);
    });
  }, {once: true});
  race.setRuns(data.runs);
  race.setSurface(data.surface);

  // The race redraws itself when its width changes; a new window height changes what fits, so redraw then too.
  let height = window.innerHeight;
  window.addEventListener('resize', () => {
    if (Math.abs(window.innerHeight - height) <= 2 || root.dataset.drawn !== 'true') return;
    height = window.innerHeight;
    race.draw();
  });
  if (window.self === window.top) root.focus({preventScroll: true});   // keys work at once; not inside a host's page
})();
