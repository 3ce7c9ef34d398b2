// Streamlit component (st.components.v2) for everything drawn with the app's own plotly.js.  Its data:
//   {kind: 'preload', assets}: only starts loading the files (placed at the top of the page, so plotly.js
//       downloads and compiles while the server still runs the script and the page renders the sidebar);
//   {assets: {plotly, race, css}, surface: <surface id>, runs: <runs payload>}: mounts the race view (race.js)
//       and feeds it each rerun's paths; the surface comes from the surface component's store;
//   {kind: 'figure', assets, figure: <plotly figure JSON string>}: draws one plain figure with Plotly.react;
//   {kind: 'figures', assets, figures: [<plotly figure JSON string>, ...], names: [...]}: draws several in one grid
//       (two columns, one on a phone): one element for a set of charts sends this file once, not once a chart.
// plotly.js, race.js and race.css are served by the app itself (see ui/race_view.py).
const g = window;
g.__optiscopeViews = g.__optiscopeViews || new WeakMap();
g.__optiscopeAssets = g.__optiscopeAssets || new Map();

function once(url, make) {
  if (!g.__optiscopeAssets.has(url)) {
    g.__optiscopeAssets.set(url, new Promise((resolve, reject) => {
      const el = make(url);
      el.onload = resolve;
      el.onerror = () => reject(new Error(`Optiscope could not load ${url}`));
      document.head.append(el);
    }));
  }
  return g.__optiscopeAssets.get(url);
}
const script = (url) => once(url, (src) => Object.assign(document.createElement('script'), {src}));
const style = (url) => once(url, (href) => Object.assign(document.createElement('link'), {rel: 'stylesheet', href}));

// race.js needs plotly.js only when it draws, so both load at once (as async scripts, which the browser can
// compile off the main thread while it downloads them).
const load = (assets) => Promise.all([script(assets.plotly), script(assets.race), style(assets.css)]);

// Resolves once the first race mounted on the page has drawn (or after FIRST_DRAW_MS if it has not by then).
const FIRST_DRAW_MS = 4000;
function firstDraw(root) {
  if (!g.__optiscopeFirstDraw) {
    g.__optiscopeFirstDraw = new Promise((resolve) => {
      root.addEventListener('optiscope-drawn', resolve, {once: true});
      setTimeout(resolve, FIRST_DRAW_MS);
    });
  }
}

function figure(data, parentElement) {
  let el = parentElement.querySelector(':scope > .optiscope-figure');
  if (!el) {
    el = Object.assign(document.createElement('div'), {className: 'optiscope-figure'});
    parentElement.append(el);
  }
  el.pending = data.figure;
  // The plain figures wait for the race above them to be drawn: it is what a visitor looks at first, and on a
  // fresh page drawing them at the same time delays it.
  Promise.all([load(data.assets), g.__optiscopeFirstDraw]).then(() => setTimeout(() => {
    if (el.pending === null) return;
    const fig = JSON.parse(el.pending);
    el.pending = null;
    g.OptiscopeRace.figure(el, fig);
  }, 0));
}

function figures(data, parentElement) {
  let grid = parentElement.querySelector(':scope > .optiscope-figures');
  if (!grid) {
    grid = Object.assign(document.createElement('div'), {className: 'optiscope-figures'});
    parentElement.append(grid);
  }
  while (grid.children.length > data.figures.length) grid.lastElementChild.remove();
  data.figures.forEach((fig, k) => {
    let cell = grid.children[k];
    if (!cell) {
      cell = document.createElement('div');
      grid.append(cell);
    }
    cell.dataset.chart = data.names[k];
    figure({assets: data.assets, figure: fig}, cell);
  });
}

function feed(view) {
  const {race, data} = view;
  race.setRuns(data.runs);
  const surface = (g.__optiscopeSurfaces || new Map()).get(data.surface);
  if (surface) race.setSurface(surface);
}

export default function ({data, parentElement, setTriggerValue}) {
  if (data.kind === 'preload') {     // draws nothing, so its element takes no room (not even the layout's gap)
    const box = parentElement.closest('[data-testid="stElementContainer"]');
    if (box) box.style.display = 'none';
    load(data.assets).catch(() => {});                     // a failed file is reported by the view that needs it
    return undefined;
  }
  if (data.kind === 'figure') { figure(data, parentElement); return undefined; }
  if (data.kind === 'figures') { figures(data, parentElement); return undefined; }
  let view = g.__optiscopeViews.get(parentElement);
  if (!view) {
    const root = document.createElement('div');
    parentElement.append(root);
    firstDraw(root);
    view = {root, race: null, timer: null};
    view.listener = (e) => { if (view.race && e.detail === view.data.surface) feed(view); };
    window.addEventListener('optiscope-surface', view.listener);
    view.ready = load(data.assets).then(() => { view.race = new g.OptiscopeRace.Race(root, (x, y) => view.start(x, y)); });
    g.__optiscopeViews.set(parentElement, view);
  }
  clearTimeout(view.timer);
  view.data = data;
  view.start = (x, y) => setTriggerValue('start', [x, y]);
  view.ready.then(() => feed(view));
  return () => {     // unmounted, or about to be called again with new data: only the first really ends it
    view.timer = setTimeout(() => {
      window.removeEventListener('optiscope-surface', view.listener);
      if (view.race) view.race.destroy();
      view.root.remove();
      g.__optiscopeViews.delete(parentElement);
    }, 0);
  };
}
