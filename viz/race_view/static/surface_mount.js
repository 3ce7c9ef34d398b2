// Streamlit component (st.components.v2) that carries one surface payload to the race view on the same page.
// Its element is identical on every rerun with the same surface, so Streamlit sends it by reference, not again.
export default function ({data}) {
  const store = window.__optiscopeSurfaces || (window.__optiscopeSurfaces = new Map());
  store.delete(data.id);
  store.set(data.id, data);
  while (store.size > 8) store.delete(store.keys().next().value);    // the oldest surfaces go first
  window.dispatchEvent(new CustomEvent('optiscope-surface', {detail: data.id}));
}
