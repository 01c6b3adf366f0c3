"""The streak as text and as data: what ``cxdaily streak`` prints.

:func:`streak_text` gives the figures, the last year as a plain-character heatmap, the
personal stats and the rules in force; :func:`streak_json` gives one object for scripts.
"""

from __future__ import annotations

from typing import Any

from cxdaily.core.words import plural
from cxdaily.streaks import Streak
from cxdaily.streaks.calendar import text_heatmap
from cxdaily.streaks.rules import WEEKDAY_NAMES, StreakRules
from cxdaily.streaks.stats import PersonalStats, format_seconds
from cxdaily.streaks.words import today_words, until_break


def rules_json(rules: StreakRules, zone: str, day_start: str) -> dict[str, Any]:
    """The rules in force, as plain data."""
    return {
        "timezone": zone,
        "day_start": day_start,
        "min_handled": rules.min_handled,
        "min_minutes": rules.min_minutes,
        "workdays_only": rules.workdays_only,
        "weekend": [WEEKDAY_NAMES[d] for d in sorted(rules.weekend)],
        "rest_days": [d.isoformat() for d in sorted(rules.rest_dates)]
        + [WEEKDAY_NAMES[d] for d in sorted(rules.rest_weekdays)],
        "max_freezes": rules.max_freezes,
        "batches_per_freeze": rules.batches_per_freeze,
        "pauses": [{"from": p.start.isoformat(), "to": p.end.isoformat()} for p in rules.pauses],
    }


def streak_json(streak: Streak, stats: PersonalStats, zone: str, day_start: str) -> dict[str, Any]:
    """The object ``cxdaily streak --json`` prints."""
    return {
        "current": streak.current,
        "longest": streak.longest,
        "total_days": streak.total_days,
        "freezes": streak.freezes,
        "today": streak.today.isoformat(),
        "today_counts": streak.today_counts,
        "today_off": streak.today_off,
        "handled_today": streak.handled_today,
        "days_until_break": streak.days_until_break,
        "calendar": [
            {"date": d.isoformat(), "handled": n} for d, n in sorted(streak.calendar.items())
        ],
        "frozen_days": [d.isoformat() for d in sorted(streak.frozen_days)],
        "rules": rules_json(streak.rules, zone, day_start),
        "stats": stats.to_dict(),
    }


def break_words(streak: Streak) -> str:
    """Freezes held and how long the streak can wait."""
    parts = []
    if streak.rules.max_freezes:
        parts.append(f"freezes: {streak.freezes} of {streak.rules.max_freezes}")
    outlook = until_break(streak)
    if outlook.days is not None:
        parts.append(f"until it breaks: {outlook.figure}")
    return " · ".join(parts)


def stats_words(stats: PersonalStats) -> str:
    """Personal stats in one line."""
    weeks = round(stats.weeks)
    median = "-" if stats.median_minutes is None else f"{stats.median_minutes:.0f} min"
    return (
        f"last {plural(weeks, 'week')}: {stats.sessions_per_week:.1f} sessions a week · "
        f"median {median} · {plural(stats.answered, 'question')} answered · "
        f"{stats.insights_per_week:.1f} insights a week · "
        f"{format_seconds(stats.seconds_per_question)} per question"
    )


def streak_text(streak: Streak, stats: PersonalStats, zone: str, day_start: str) -> list[str]:
    """The lines ``cxdaily streak`` prints."""
    lines = [
        f"streak {plural(streak.current, 'day')} (longest {streak.longest}, "
        f"{plural(streak.total_days, 'day')} in all)",
        today_words(streak),
    ]
    if break_words(streak):
        lines.append(break_words(streak))
    lines += ["", *text_heatmap(streak), ""]
    lines.append(stats_words(stats))
    lines.append(f"rules: days in {zone} from {day_start} · {streak.rules.describe()}")
    return lines
