"""The theory lab's figure: the heavy ball's measured rate over a grid of (γ, μ), in the spirit of the
phase diagrams of G. Goh, "Why momentum really works" (Distill, 2017).

Built from :func:`optimizers.studies.rate_map`; no Streamlit here.  Diverged cells are left blank (no
NaN or inf is sent); the stability edge ``γL = 2 + 2μ`` and the theoretical optimum are drawn on top.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from optimizers.theory import Curvature, Tuning

Array = np.ndarray

DIVERGED_COLOR = "#d1d5db"
STAR = {"symbol": "star", "size": 16, "color": "#f59e0b", "line": {"color": "#111827", "width": 1.2}}


def rate_map_figure(lrs: Array, momenta: Array, rates: Array, c: Curvature, best: Tuning) -> go.Figure:
    """Heatmap of measured rate r (shape ``(len(momenta), len(lrs))``), with the edge of stability and ``best``."""
    lrs, momenta = np.asarray(lrs, dtype=np.float64), np.asarray(momenta, dtype=np.float64)
    finite = np.isfinite(rates)
    shown = np.where(finite, np.minimum(rates, 1.0), np.nan).astype(np.float32)
    z = [[None if np.isnan(v) else float(v) for v in row] for row in shown]
    fig = go.Figure()
    fig.add_trace(go.Heatmap(
        x=lrs.astype(np.float32), y=momenta.astype(np.float32), z=z, zmin=best.rate, zmax=1.0,
        colorscale="Viridis", name="measured rate",
        colorbar={"title": {"text": "rate r", "side": "right"}, "thickness": 12},
        hovertemplate="γ = %{x:.3g}<br>μ = %{y:.3g}<br>measured r = %{z:.4f}<extra></extra>",
    ))
    edge_mu = np.linspace(momenta.min(), momenta.max(), 50)
    edge_lr = (2.0 + 2.0 * edge_mu) / c.L
    inside = edge_lr <= lrs.max()
    fig.add_trace(go.Scatter(
        x=edge_lr[inside].astype(np.float32), y=edge_mu[inside].astype(np.float32), mode="lines",
        line={"color": "#dc2626", "width": 2.5, "dash": "dash"}, name="edge of stability γL = 2 + 2μ",
        hovertemplate="γL = 2 + 2μ<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=[best.hyper["lr"]], y=[best.hyper["momentum"]], mode="markers", marker=STAR,
        name=f"theoretical optimum, r = {best.rate:.4f}",
        hovertemplate="optimum: γ = %{x:.4g}, μ = %{y:.4g}<extra></extra>",
    ))
    fig.update_layout(
        height=440, margin={"l": 10, "r": 10, "t": 40, "b": 10}, plot_bgcolor=DIVERGED_COLOR,
        xaxis={"title": "learning rate γ", "range": [float(lrs.min()), float(lrs.max())]},
        yaxis={"title": "momentum μ", "range": [float(momenta.min()), float(momenta.max())]},
        legend={"orientation": "h", "x": 0, "y": 1.02, "xanchor": "left", "yanchor": "bottom"},
    )
    return fig
