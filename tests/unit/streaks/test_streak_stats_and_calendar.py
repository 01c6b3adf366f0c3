"""Personal stats and the calendar grid (what the heatmaps draw)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cxdaily.core.models import Disposition, Session
from cxdaily.streaks.calendar import (
    LEGEND,
    DayState,
    level_of,
    month_labels,
    text_heatmap,
    week_columns,
)
from cxdaily.streaks.rules import StreakRules
from cxdaily.streaks.stats import compute_stats, format_seconds
from tests.unit.streaks.history_kit import full_batch_session, handled, local, on_days, streak_of

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # a Saturday


# ----------------------------------------------------------------------------- stats
def _sessions_over(weeks: int, per_week: int, minutes: int = 20, answered: int = 2):
    sessions, actions = [], []
    for week in range(weeks):
        for n in range(per_week):
            start = NOW - timedelta(weeks=week, days=n + 1)
            session, own = full_batch_session(start, planned=answered, minutes=minutes)
            sessions.append(session)
            actions += own
    return sessions, actions


def test_rates_over_the_last_twelve_weeks():
    sessions, actions = _sessions_over(weeks=20, per_week=3)
    insights = [NOW - timedelta(days=n) for n in range(0, 84, 7)]  # 12 in the window
    insights.append(NOW - timedelta(weeks=30))  # too old
    stats = compute_stats(sessions, actions, insights, NOW)
    assert stats.weeks == 12
    assert stats.sessions == 36
    assert stats.sessions_per_week == pytest.approx(3)
    assert stats.median_minutes == 20
    assert stats.answered == stats.handled == 72
    assert stats.insights == 12 and stats.insights_per_week == pytest.approx(1)
    assert stats.seconds_per_question == pytest.approx(20 * 60 / 2)


def test_a_short_history_is_not_stretched_over_the_window_nor_shrunk_below_a_week():
    sessions, actions = _sessions_over(weeks=2, per_week=2)  # first one 8 days ago
    stats = compute_stats(sessions, actions, [], NOW)
    assert stats.weeks == pytest.approx(9 / 7)
    assert stats.sessions_per_week == pytest.approx(4 / (9 / 7))
    first_day = compute_stats(sessions[:1], actions[:2], [], NOW)
    assert first_day.weeks == 1 and first_day.sessions_per_week == 1


def test_median_minutes_and_time_per_question():
    lengths = (10, 30, 25)
    sessions = [
        Session(
            f"s{n}",
            NOW - timedelta(days=n + 1),
            1800,
            (),
            ended_at=NOW - timedelta(days=n + 1) + timedelta(minutes=m),
        )
        for n, m in enumerate(lengths)
    ]
    actions = [
        handled(s.started_at + timedelta(minutes=1), session=s.id) for s in sessions for _ in (1, 2)
    ]
    actions.append(handled(NOW - timedelta(hours=1), disposition=Disposition.SKIPPED))
    stats = compute_stats(sessions, actions, [], NOW)
    assert stats.median_minutes == 25
    assert stats.seconds_per_question == pytest.approx(sum(lengths) * 60 / 6)
    assert stats.handled == 6


def test_no_history_no_figures():
    stats = compute_stats([], [], [], NOW)
    assert (stats.sessions, stats.median_minutes, stats.seconds_per_question) == (0, None, None)
    assert stats.to_dict()["median_minutes"] is None


def test_the_future_is_ignored():
    session = Session("s", NOW + timedelta(days=1), 1800, ())
    stats = compute_stats([session], [handled(NOW + timedelta(hours=2))], [NOW + timedelta(1)], NOW)
    assert (stats.sessions, stats.handled, stats.insights) == (0, 0, 0)


@pytest.mark.parametrize(
    ("seconds", "words"), [(None, "-"), (45, "45s"), (100, "1m40s"), (720, "12m"), (59.6, "1m")]
)
def test_format_seconds(seconds, words):
    assert format_seconds(seconds) == words


# ----------------------------------------------------------------------------- calendar grid
def test_the_grid_ends_with_the_week_of_today():
    streak = streak_of(on_days(date(2026, 11, 20)), NOW)
    columns = week_columns(streak, weeks=53)
    assert len(columns) == 53 and all(len(c) == 7 for c in columns)
    assert columns[-1][0].day == date(2026, 11, 16)  # the Monday of today's week
    assert columns[0][0].day.weekday() == 0
    today = columns[-1][5]
    assert today.is_today and today.day == NOW.date()
    assert columns[-1][6].state is DayState.FUTURE


def test_each_day_has_a_state():
    rules = StreakRules(workdays_only=True)
    days = [date(2026, 11, d) for d in (9, 10, 11, 13)]  # Thu the 12th missed
    session, own = full_batch_session(local(date(2026, 11, 10), 8), skip=3)
    actions = on_days(*days) + own + [handled(local(date(2026, 11, 14), 9))]  # Saturday work
    streak = streak_of(actions, NOW, rules, sessions=[session])
    states = {cell.day: cell.state for column in week_columns(streak, 2) for cell in column}
    assert states[date(2026, 11, 9)] is DayState.COUNTED
    assert states[date(2026, 11, 12)] is DayState.FROZEN
    assert states[date(2026, 11, 14)] is DayState.BELOW  # work on an off day does not count
    assert states[date(2026, 11, 15)] is DayState.OFF
    assert states[date(2026, 11, 16)] is DayState.EMPTY
    assert states[date(2026, 11, 22)] is DayState.FUTURE


@pytest.mark.parametrize(
    ("handled_count", "busiest", "level"),
    [(1, 8, 1), (2, 8, 1), (3, 8, 2), (4, 8, 2), (6, 8, 3), (7, 8, 4), (8, 8, 4), (0, 8, 1)],
)
def test_levels_by_quartile_of_the_busiest_day(handled_count, busiest, level):
    assert level_of(handled_count, busiest) == level


def test_the_text_heatmap_uses_plain_characters():
    busy = [handled(local(date(2026, 11, 20), 9, n)) for n in range(4)]
    actions = on_days(date(2026, 11, 18), date(2026, 11, 19)) + busy
    lines = text_heatmap(streak_of(actions, NOW), weeks=53)
    assert len(lines) == 9 and lines[-1].strip() == LEGEND
    assert all(line.isascii() for line in lines)
    assert all(len(line) <= 4 + 53 for line in lines[:-1])
    wednesday, friday = lines[3], lines[5]
    assert wednesday.startswith("Wed ") and wednesday.endswith(":")
    assert friday.startswith("Fri ") and friday.endswith("#")
    assert "Nov" in lines[0] and "Dec" in lines[0]


def test_month_labels_never_overlap():
    streak = streak_of([], NOW)
    for weeks in (4, 12, 20, 53):
        labels = month_labels(week_columns(streak, weeks))
        assert len(labels) <= weeks
        words = labels.split()
        assert all(len(word) == 3 for word in words)
