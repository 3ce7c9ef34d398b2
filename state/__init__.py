"""The app's state and its share link, the surfaces by name, the lessons and claims, the exports (no Streamlit or
Plotly here: ``.importlinter`` checks it)."""
