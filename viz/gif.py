"""The race as an animated GIF for slides, drawn on the server with Pillow (no browser needed).

One panel with every run overlaid: the contour grid coloured and lined like the contour view (the same
colour ramp and level lines, its heights upsampled bilinearly to the panel's pixels), the paths up to
each frame's step, the current positions, the minima and a legend.  Frames are the race figure's
frame steps (``frame_steps``), and all frames share one 256-colour palette so colours do not
flicker.  No Streamlit here.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from landscapes.base import Landscape
from viz.figures import COLORSCALE, ContourGrid, Run, frame_steps
from viz.surface3d import lift

Array = np.ndarray
SIZE = (960, 540)                 # 16:9, a slide's width at 96 dpi
MARGIN = 24
FRAME_MS, HOLD_MS = 70, 2000      # per frame; the last frame is held
TEXT, MUTED, EDGE = (15, 23, 42), (100, 116, 139), (255, 255, 255)


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _ramp(t: Array) -> Array:
    """``COLORSCALE`` evaluated at ``t`` in [0, 1]: an ``(..., 3)`` uint8 array."""
    stops = np.array([s for s, _ in COLORSCALE])
    colors = np.array([_rgb(c) for _, c in COLORSCALE], dtype=np.float64)
    return np.stack([np.interp(t, stops, colors[:, k]) for k in range(3)], axis=-1).round().astype(np.uint8)


def contour_image(grid: ContourGrid, bounds: tuple[tuple[float, float], tuple[float, float]],
                  width: int, height: int) -> Image.Image:
    """The grid as a ``width`` x ``height`` picture: its colours, with light lines at its level lines (band edges)."""
    (x0, x1), (y0, y1) = bounds
    xs = x0 + (np.arange(width) + 0.5) / width * (x1 - x0)
    ys = y1 - (np.arange(height) + 0.5) / height * (y1 - y0)            # image rows run from the top
    g = lift(grid, np.stack(np.meshgrid(xs, ys), axis=-1), grid.g)
    z = grid.scale.colors(g)
    lo, hi = float(np.min(grid.z)), float(np.max(grid.z))
    start, _, size = grid.levels
    band = np.floor((grid.scale.lines(g) - start) / size).astype(int)
    rgb = _ramp(np.clip((z - lo) / ((hi - lo) or 1.0), 0.0, 1.0))
    edge = np.zeros_like(band, dtype=bool)
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    rgb[edge] = (0.7 * rgb[edge] + 0.3 * 255).astype(np.uint8)
    return Image.fromarray(rgb, "RGB")


def _star(draw: ImageDraw.ImageDraw, center: tuple[float, float], r: float) -> None:
    angles = np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, r, 0.45 * r)
    pts = [(center[0] + q * np.cos(a), center[1] - q * np.sin(a)) for q, a in zip(radii, angles, strict=True)]
    draw.polygon(pts, fill=TEXT, outline=EDGE, width=2)


def race_gif(landscape: Landscape, grid: ContourGrid, runs: list[Run], size: tuple[int, int] = SIZE,
             max_frames: int = 60) -> bytes:
    """The animated race as GIF bytes, ``size`` pixels, on ``frame_steps(steps, max_frames)``."""
    if not runs:
        raise ValueError("Invalid runs: at least one run is needed")
    width, height = size
    (x0, x1), (y0, y1) = landscape.bounds
    side = height - 2 * MARGIN                                       # the panel fits the height ...
    scale = min(side / (y1 - y0), 0.62 * width / (x1 - x0))          # ... and keeps the surface's aspect
    pw, ph = int((x1 - x0) * scale), int((y1 - y0) * scale)
    left, top = MARGIN, (height - ph) // 2
    panel = contour_image(grid, landscape.bounds, pw, ph)

    def pix(p: Array) -> Array:
        return np.column_stack([(p[:, 0] - x0) * scale, (y1 - p[:, 1]) * scale])

    text_size, title_size = max(12, height // 30), max(14, height // 22)
    font, title_font = ImageFont.load_default(size=text_size), ImageFont.load_default(size=title_size)
    canvas = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(canvas)
    text_x = left + pw + 2 * MARGIN
    draw.text((text_x, top), landscape.title, fill=TEXT, font=title_font)
    row = title_size * 2 + 8
    for k, run in enumerate(runs):
        y = top + row + k * (text_size * 2)
        draw.line([(text_x, y + text_size // 2), (text_x + 28, y + text_size // 2)], fill=_rgb(run.color), width=5)
        draw.text((text_x + 38, y), run.title, fill=TEXT, font=font)
    step_y = top + row + len(runs) * (text_size * 2) + text_size
    draw.text((text_x, height - MARGIN - text_size), "Optiscope", fill=MUTED, font=font)

    pixels = [pix(run.points) for run in runs]
    steps = max(run.steps for run in runs)
    frames = []
    for s in frame_steps(steps, max_frames):
        layer = panel.copy()
        pen = ImageDraw.Draw(layer)
        for m in landscape.minima:
            _star(pen, tuple(pix(m[None, :])[0]), 9)
        for run, px in zip(runs, pixels, strict=True):
            now = min(int(s), run.end)
            pen.line([tuple(p) for p in px[:now + 1]], fill=_rgb(run.color), width=3, joint="curve")
            sx, sy = px[0]
            pen.polygon([(sx, sy - 7), (sx + 7, sy), (sx, sy + 7), (sx - 7, sy)], fill=EDGE, outline=TEXT)
            cx, cy = px[now]
            pen.ellipse([cx - 7, cy - 7, cx + 7, cy + 7], fill=_rgb(run.color), outline=TEXT, width=2)
        frame = canvas.copy()
        frame.paste(layer, (left, top))
        ImageDraw.Draw(frame).text((text_x, step_y), f"step {s} / {steps}", fill=TEXT, font=title_font)
        frames.append(frame)

    palette = frames[-1].quantize(colors=256, dither=Image.Dither.NONE)
    indexed = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    out = io.BytesIO()
    indexed[0].save(out, format="GIF", save_all=True, append_images=indexed[1:], loop=0,
                    duration=[FRAME_MS] * (len(indexed) - 1) + [HOLD_MS])
    return out.getvalue()
