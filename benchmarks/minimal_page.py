"""The framework's floor for ``bench_browser.py``: a Streamlit page with one animated Plotly chart and nothing else.

Run by the benchmark as ``streamlit run benchmarks/minimal_page.py`` with the same flags as the app.
"""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

t = np.linspace(0, 2 * np.pi, 60)
frames = [go.Frame(name=str(k), data=[go.Scatter(x=np.cos(t[: k + 1]), y=np.sin(t[: k + 1]))]) for k in range(len(t))]
fig = go.Figure(data=[go.Scatter(x=np.cos(t), y=np.sin(t), mode="lines+markers")], frames=frames)
play = {"label": "Play", "method": "animate", "args": [None]}
fig.update_layout(updatemenus=[{"type": "buttons", "buttons": [play]}])
st.title("Minimal page")
st.plotly_chart(fig, key="minimal_chart")
