"""The framework's floor for ``bench_load.py``: a Streamlit page with one Plotly contour and nothing else.

A title and a 100 x 100 contour of a rotated quadratic ravine (the kind of surface Optiscope's default view draws),
through ``st.plotly_chart``, computed on every run as a plain page would.  ``bench_load.py`` starts it with
``streamlit run benchmarks/minimal_contour_page.py`` with the same flags as the app.
"""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

x = np.linspace(-10, 10, 100)
y = np.linspace(-5, 5, 100)
u, v = np.meshgrid(x, y)
c, s = np.cos(np.pi / 6), np.sin(np.pi / 6)
z = 0.5 * ((c * u + s * v) ** 2 + 50 * (c * v - s * u) ** 2)
fig = go.Figure(go.Contour(x=x, y=y, z=np.log10(1 + z), colorscale="Viridis", ncontours=25))
fig.update_layout(title="A ravine", xaxis_title="x", yaxis_title="y", height=500)
st.title("Minimal contour page")
st.plotly_chart(fig, key="minimal_contour")
