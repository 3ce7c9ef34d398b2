// Streamlit component (st.components.v2) that mounts the race view (race.js) and feeds it each rerun's data:
// {assets: {plotly, race, css}, surface: <surface id>, runs: <runs payload>}.  plotly.js, race.js and race.css are
// served by the app itself (see ui/race_view.py); the surface comes from the surface component's store.
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

function feed(view) {
  const {race, data} = view;
  race.setRuns(data.runs);
  const surface = (g.__optiscopeSurfaces || new Map()).get(data.surface);
  if (surface) race.setSurface(surface);
}

export default function ({data, parentElement, setTriggerValue}) {
  let view = g.__optiscopeViews.get(parentElement);
  if (!view) {
    const root = document.createElement('div');
    parentElement.append(root);
    view = {root, race: null, timer: null};
    view.listener = (e) => { if (view.race && e.detail === view.data.surface) feed(view); };
    window.addEventListener('optiscope-surface', view.listener);
    view.ready = Promise.all([script(data.assets.plotly).then(() => script(data.assets.race)), style(data.assets.css)])
      .then(() => { view.race = new g.OptiscopeRace.Race(root, (x, y) => view.start(x, y)); });
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
