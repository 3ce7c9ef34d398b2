"""What a published page shows, computed by the page's own functions, so it cannot drift from the app.

:func:`content` takes a view as the app has it (its state, the state its race runs, and the trajectories) and
gathers what the Race tab draws from them through :mod:`ui.runs`, :mod:`viz.figures` and :mod:`viz.series`: the
race's payloads, the loss and distance charts (and any per-step series), the summary table, the divergence alerts,
the marker legend, and the lesson's text with how far each of its statements holds and the claims it checks.  The
Share tab's "Published page (HTML)" and ``publish.py``'s lesson pages both go through it.  Nothing here needs a
running Streamlit server: :func:`lesson_view` computes a lesson afresh (``runs.run`` and the fair race's
``analysis_tab.tune``, not the page's cache).
"""
from __future__ import annotations

import optimizers
from optimizers import network_validity, validity
from state import claims, lessons, links, network_lessons, share
from state.share import AppState
from ui import analysis_tab, network_runs, runs, teaching
from ui.network_runs import NetworkRace
from viz import figures, race_view, series
from viz.static_page import LessonText, PageContent

# A published network page holds its race's payloads, five charts and the texts: the payloads and charts get this
# many bytes (viz.network.build gives the decision boundaries what the surface, the paths and the charts leave), so
# a page stays within the 300 kB a published page may take (tests/test_static_page.py).
NETWORK_PAGE_BUDGET = 200_000


def lesson_view(key: str) -> tuple[AppState, AppState, dict[str, optimizers.Trajectory]]:
    """Lesson ``key`` as the app shows it once applied: ``share.decode`` of its query, the state its race runs (with
    the fair race's tuned learning rates when the lesson turns it on) and its runs.  ``ValueError`` if the lesson
    is unknown or its query does not read back cleanly."""
    state, warnings = share.decode(lessons.get(key).query)
    if warnings:
        raise ValueError(f"Lesson {key!r} does not read back cleanly: {' '.join(warnings)}")
    race_state, _ = analysis_tab.fair_race(state, tune=analysis_tab.tune)
    return state, race_state, runs.trajectories(race_state, simulate=runs.run)


def network_lesson_view(key: str) -> tuple[AppState, NetworkRace]:
    """Network lesson ``key`` as the app shows it once applied: ``share.decode`` of its query and its race, computed
    afresh for a published page (:data:`NETWORK_PAGE_BUDGET`).  ``ValueError`` as :func:`lesson_view`."""
    state, warnings = share.decode(network_lessons.get(key).query)
    if warnings:
        raise ValueError(f"Lesson {key!r} does not read back cleanly: {' '.join(warnings)}")
    return state, network_runs.fresh(state, NETWORK_PAGE_BUDGET)


def lesson_text(state: AppState) -> LessonText | None:
    """The lesson ``state`` was started from, how far each statement it makes holds (its studies run once per
    process), its claims (``state.claims``) and whether the settings moved on."""
    if not state.lesson:
        return None
    if state.lesson in network_lessons.KEYS:
        net_lesson = network_lessons.get(state.lesson)
        held = tuple((s.says, network_validity.describe(network_validity.study(s))) for s in net_lesson.checks)
        return LessonText(net_lesson.title, net_lesson.watch, changed=teaching.lesson_changed(state), checks=held)
    lesson = lessons.get(state.lesson)
    checks = tuple((s.words(result), validity.describe(result, s.share))
                   for s in lesson.checks for result in (validity.study(s),))
    return LessonText(lesson.title, lesson.watch, tuple(c for c in claims.CLAIMS if c.lesson == lesson.key),
                      changed=teaching.lesson_changed(state), checks=checks)


def content(state: AppState, race_state: AppState, trajs: dict[str, optimizers.Trajectory], *,
            live_url: str = "") -> PageContent:
    """The published page of a view: ``state`` is the view's (its link), ``race_state`` what its race runs (the
    fair race's tuned rates, else ``state``), ``trajs`` its runs (``runs.trajectories(race_state)``)."""
    if not trajs:
        raise ValueError("Invalid view: choose at least one optimizer to publish its race")
    land = runs.landscape(state.surface, runs.surface_items(state))
    colors = runs.colors(race_state)
    fig_runs = runs.figure_runs(race_state, trajs, colors)
    charts = [figures.loss_figure(fig_runs, runs.reference_loss(land, fig_runs)),
              figures.distance_figure(fig_runs, land.minima), *series.series_figures(trajs, colors)]
    lesson = lesson_text(state)
    return PageContent(
        title=lesson.title if lesson else land.title, surface_title=land.title,
        surface_description=land.description,
        surface=race_view.surface_payload(land, figures.contour_grid(land)),
        runs=runs.runs_payload(state, fig_runs),
        figures=tuple(fig.to_json() for fig in charts),
        table_html=runs.summary_table(runs.summary_rows(race_state, trajs)), table_note=runs.SUMMARY_NOTE,
        lesson=lesson, alerts=tuple(runs.divergence_alerts(fig_runs)), legend=tuple(runs.marker_legend(trajs)),
        live_url=links.live_link(live_url, state) if live_url.strip() else "")


def network_content(state: AppState, race: NetworkRace, *, live_url: str = "") -> PageContent:
    """The published page of a network view: ``state`` its state (its link), ``race`` its race as the Race tab shows
    it (``Page.network``, or :func:`ui.network_runs.fresh`): the plane race with its boundaries, the five charts, the
    summary table, how far to trust the picture, the lesson's text and how far its statements hold."""
    shown = race.shown
    lesson = lesson_text(state)
    trust = f"**How far to trust this picture ({shown.trust.level}).** {shown.description} {shown.trust.sentence}"
    return PageContent(
        title=lesson.title if lesson else race.net.title, surface_title=race.net.title,
        surface_description=race.net.description, surface=shown.surface, runs=shown.runs,
        figures=tuple(fig for _, fig in shown.figures), table_html=runs.summary_table(shown.rows),
        table_note=shown.note, lesson=lesson, alerts=shown.alerts, legend=(trust, shown.legend),
        live_url=links.live_link(live_url, state) if live_url.strip() else "")
