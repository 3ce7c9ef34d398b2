"""Teaching mode on the page: the lesson gallery, the step inspector, the 3D view and the GIF for slides.

Settings live in the session-state keys named after their :class:`~paramspec.Param` in
:data:`state.share.TEACHING` (``lesson``, ``inspect``, ``inspect_step``, ``view3d``), which
:mod:`ui.controls` loads from and writes to the share link with the rest of the state.  Applying a
lesson is ``share.decode(lesson.query)`` then ``controls.load_state``, the same path as opening a link.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TypeVar

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import landscapes
import optimizers
from optimizers.explain import explain
from optimizers.simulation import replay
from optimizers.trajectory import StepRecord, last_step
from state import lessons, links, network_lessons, share
from ui import checks, controls, runs
from viz import gif, inspector, series, surface3d
from viz.figures import ContourGrid, Run

AnyLesson = lessons.Lesson | network_lessons.NetworkLesson

T = TypeVar("T")

RACE_TAB, LESSONS_TAB = "Race", "Lessons"


# --- lessons ---------------------------------------------------------------------------------------

def lesson_of(key: str) -> AnyLesson:
    """The lesson ``key`` names: on a surface, or in network mode."""
    return network_lessons.get(key) if key in network_lessons.KEYS else lessons.get(key)


def apply_lesson(key: str) -> None:
    """Load lesson ``key`` into the widgets (keeping the 3D toggle) and show the race."""
    state, _ = share.decode(lesson_of(key).query)
    ss = st.session_state
    controls.load_state(replace(state, view3d=bool(ss.get("view3d", False))))
    ss["link_warnings"] = []
    ss["tab"] = RACE_TAB


def _end_lesson() -> None:
    st.session_state["lesson"] = ""


def _core(state: share.AppState) -> tuple:
    """What a lesson sets: everything but the teaching and analysis settings."""
    return (state.mode, state.network, state.surface, state.surface_params, state.optimizers, state.hyper,
            share.start_of(state), state.steps, state.seed, state.layout, state.tol)


def lesson_changed(state: share.AppState) -> bool:
    """Whether ``state`` (which has a lesson) no longer has its lesson's settings, so may no longer show it."""
    original, _ = share.decode(lesson_of(state.lesson).query)
    return _core(original) != _core(state)


def lesson_banner(state: share.AppState) -> None:
    """The active lesson's text above the race, and a way back to its settings once they were changed."""
    if not state.lesson:
        return
    lesson = lesson_of(state.lesson)
    st.info(f"**Lesson: {lesson.title}.** {lesson.watch}")
    changed = lesson_changed(state)
    if changed:
        st.caption("The settings have changed since this lesson started, so the figures may no longer show it.")
    with st.container(horizontal=True):
        if changed:
            st.button("Restart the lesson", key="lesson_restart", on_click=apply_lesson, args=(lesson.key,))
        st.button("Close the lesson", key="lesson_close", on_click=_end_lesson)


def card_grid(items: Iterable[T]) -> Iterator[T]:
    """Each of ``items`` inside a bordered card, two cards a row, filled row by row (a phone, where columns
    stack, keeps the order): write a card's content in the loop body."""
    for k, item in enumerate(items):
        if k % 2 == 0:
            columns = st.columns(2)
        with columns[k % 2].container(border=True):
            yield item


SURFACE_LESSONS = ("On a 2-D surface", "Each lesson sets the surface, the optimizers, their settings and the start so "
                   "that one classic behaviour shows up clearly; its text says what to watch. Every lesson is also a "
                   "link, and afterwards every control stays yours to change. Below each lesson, *is that always "
                   "true?*: each statement it makes is checked over a neighbourhood of its settings (sampled starts, "
                   "angles, condition numbers and learning rates), and the share of sampled runs where it holds is "
                   "shown.")
NETWORK_LESSONS = ("Training a network", "Does what the surfaces teach carry over when a real (small) network trains? "
                   "Each lesson trains one on a 2-D data set with a few optimizers from the same weights and says "
                   "what to watch: some show the 2-D intuition carrying over, others show where it breaks, and why. "
                   "Each statement is checked on fresh data sets and initial weights.")


def lessons_tab(state: share.AppState, link_base: str) -> None:
    """The gallery: the lessons of the mode on show first, then the other mode's, one card per lesson with its text,
    an Apply button, its link (on the page's address ``link_base``) and how far each of its statements holds (texts
    that quote measured numbers and the checks are filled in once every card is drawn)."""
    pending: checks.Pending = []
    texts: list[tuple[AnyLesson, DeltaGenerator]] = []
    sections: list[tuple[tuple[str, str], Sequence[AnyLesson], str]] = [
        (SURFACE_LESSONS, lessons.LESSONS, "Running this lesson's optimizers"),
                (NETWORK_LESSONS, network_lessons.LESSONS, "Training this lesson's networks")]
    for (title, intro), presets, measuring in sections[::-1] if state.is_network else sections:
        st.subheader(title)
        st.markdown(intro)
        for lesson in card_grid(presets):
            _title(state, lesson, _badge(lesson))
            slot = st.empty()
            if isinstance(lesson.text, str):
                slot.markdown(lesson.text)
            else:
                slot.caption(f"⏳ {measuring} to quote what they measure ({lesson.title}).")
                texts.append((lesson, slot))
            _buttons(state, link_base, lesson)
            pending += checks.slots(lesson.checks, f"lesson_{lesson.key}")
    for lesson, slot in texts:                   # texts that quote numbers measured on first use
        slot.markdown(lesson.watch)
    checks.fill(pending)


def _title(state: share.AppState, lesson: AnyLesson, badge: str = "") -> None:
    """A lesson card's title, marked when it is the active lesson."""
    st.markdown(f"**{lesson.title}**" + (" · *active*" if state.lesson == lesson.key else "") + badge)


def _badge(lesson: AnyLesson) -> str:
    """A checked network lesson says whether the 2-D intuition carries over."""
    if not isinstance(lesson, network_lessons.NetworkLesson) or not lesson.checks:
        return ""
    return " · *carries over from 2-D*" if lesson.carries_over else " · *does not carry over*"


def _buttons(state: share.AppState, link_base: str, lesson: AnyLesson) -> None:
    """A lesson card's Apply button and link."""
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("Apply this lesson", key=f"lesson_{lesson.key}", on_click=apply_lesson,
                  args=(lesson.key,), type="primary" if state.lesson == lesson.key else "secondary")
        st.markdown(f"[Lesson link]({links.link(link_base, lesson.query)})", width="content")


# --- step inspector ------------------------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def step_record(surface: str, params: runs.Items, optimizer: str, hyper: runs.Items, start: tuple[float, float],
                steps: int, seed: int, t: int) -> StepRecord:
    """Step ``t`` of the run, replayed exactly as ``simulate()`` made it."""
    run = replay(runs.landscape(surface, params), optimizer, np.array(start), steps, seed=seed, **dict(hyper))
    return next(itertools.islice(run, t - 1, None))


def _last_step(tr: optimizers.Trajectory) -> int:
    """The last step worth inspecting: the run's end, or the step where it diverged."""
    return last_step(int(tr.diverged_at[0]), tr.steps)


def _shift(delta: int, last: int) -> None:
    ss = st.session_state
    ss["inspect_step"] = int(min(max(ss["inspect_step"] + delta, 1), last))


def inspector_tab(state: share.AppState, land: landscapes.Landscape, trajs: dict[str, optimizers.Trajectory],
                  colors: dict[str, str]) -> None:
    """The Inspector tab (drawn only while it is open): its controls, the step and its equations.  The controls
    keep their values while it is closed through ``controls.keep_settings``."""
    ss = st.session_state
    names = list(state.optimizers)
    name = ss["inspect"] if ss.get("inspect") in names else names[0]   # settled by controls.settle_inspector
    tr = trajs[name]
    last = _last_step(tr)
    if last < 1:
        st.info("This run has no steps to inspect.")
        return
    pick, step, moves = st.columns([3, 2, 2], vertical_alignment="bottom")
    pick.selectbox("Optimizer", names, key="inspect", format_func=lambda n: optimizers.get(n).title,
                   help=share.INSPECT.help)
    step.number_input(f"Step (1 to {last})", min_value=1, max_value=last, step=1, key="inspect_step",
                      help="Type a step number to jump to it.")
    with moves.container(horizontal=True):           # stays one row on a phone, where columns stack
        st.button("◀ Previous", key="inspect_prev", on_click=_shift, args=(-1, last),
                  disabled=ss["inspect_step"] <= 1, width="stretch")
        st.button("Next ▶", key="inspect_next", on_click=_shift, args=(1, last),
                  disabled=ss["inspect_step"] >= last, width="stretch")
    t = ss["inspect_step"]
    rec = step_record(state.surface, runs.surface_items(state), name, tuple(sorted(state.hyper[name].items())),
                      share.start_of(state), state.steps, state.seed, t)
    ex = explain(land, name, rec)
    color = colors[name]
    figure, equations = st.columns([1, 1])
    with figure:
        st.plotly_chart(inspector.inspector_figure(land, tr.points[:, 0], ex, color), width="stretch",
                        key="inspector_chart")
        st.caption("Zoomed onto this step. Arrows are displacements in the surface's own units, so their lengths "
                   "compare: red, −γ·g, is the step plain gradient descent would take with this step's learning "
                   "rate γ; fuchsia is the momentum's share (for Nesterov, the jump to the look-ahead point where "
                   "it measures the gradient; for Adam-like methods, the first moment before its per-coordinate "
                   "scaling); the arrow in the optimizer's colour, Δθ, is the update actually taken.")
        for k, fig in enumerate(series.series_figures({name: tr}, colors)):    # the entry's series, e.g. d
            st.plotly_chart(fig, width="stretch", key=f"inspector_series_{k}")
    with equations:
        st.markdown(f"**{optimizers.get(name).title}, step {t} of {tr.steps}**: the loss goes from "
                    f"{tr.loss[t - 1, 0]:.6g} to {tr.loss[t, 0]:.6g}.")
        for line in ex.lines:
            st.latex(r"\small " + line.latex)         # a size that fits a phone's width
        for note in ex.notes:
            st.caption(note)
        st.caption("Squares, square roots, divisions, ⊙ and ⊘ act coordinate by coordinate; numbers are rounded to "
                   "4 significant digits." + (" Every line is recomputed from the step's inputs and agrees with the "
                                              "simulated run." if ex.recomputed else ""))


# --- 3D view and slides --------------------------------------------------------------------------------------

def view3d(land: landscapes.Landscape, grid: ContourGrid, fig_runs: list[Run]) -> None:
    """The "3D view" toggle and, when on, the surface with the paths lifted onto it."""
    st.toggle("3D view", key="view3d", help=share.VIEW3D.help)
    if not st.session_state["view3d"]:
        return
    st.plotly_chart(surface3d.surface_figure(land, grid, fig_runs), width="stretch", key="surface3d_chart")
    st.caption(f"Height is {grid.label}, as the contour colours. Drag to turn the surface; its ▶ Play and slider step "
               "through the same frames as the contour view.")


def slides_button(land: landscapes.Landscape, grid: ContourGrid, fig_runs: list[Run]) -> None:
    """Download the race as an animated GIF for slides, drawn on the server only when asked for."""
    st.download_button("Animation for slides (GIF, 960×540)", lambda: gif.race_gif(land, grid, fig_runs),
                       "optiscope_race.gif", "image/gif", key="gif_download", width="stretch",
                       help="All paths on one panel, sized for a 16:9 slide; plays in any presentation program.")
