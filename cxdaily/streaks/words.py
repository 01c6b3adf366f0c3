"""The streak in words, shared by ``cxdaily streak``, the stats screen and the wrap-up.

Plain strings (no markup): the app styles them, the command line prints them.
"""

from __future__ import annotations

from cxdaily.streaks import Streak


def plural(n: int, word: str) -> str:
    """'1 day', '3 days'."""
    return f"{n} {word}{'s' if n != 1 else ''}"


def what_counts(streak: Streak) -> str:
    """What it takes for a day to count: 'handle one question or spend 15 minutes in a session'."""
    rules = streak.rules
    needs = []
    if rules.min_handled:
        needs.append(
            "handle "
            + ("one question" if rules.min_handled == 1 else f"{rules.min_handled} questions")
        )
    if rules.min_minutes:
        needs.append(f"spend {rules.min_minutes} minutes in a session")
    return " or ".join(needs)


def today_words(streak: Streak) -> str:
    """Whether today counts, is off, or what it still takes."""
    if streak.today_counts:
        return f"today counts ({streak.handled_today} handled)"
    if streak.today_off:
        return f"today is a {streak.today_off}: it neither counts nor breaks the streak"
    return f"today does not count yet: {what_counts(streak)}"


def until_break_words(streak: Streak) -> str:
    """How long the streak can wait: 'today must count', 'safe for 3 days'."""
    if streak.current == 0 and not streak.today_counts:
        return "no streak to keep yet"
    days = streak.days_until_break
    if days == 0:
        return "today must count to keep the streak"
    if days == 1 and streak.today_counts:
        return "safe until tomorrow"
    return f"it can wait {plural(days, 'day')} before it breaks"


def freeze_words(streak: Streak, completed_batch: bool) -> str:
    """What finishing (or not finishing) the whole batch did for freezes."""
    rules = streak.rules
    if not rules.max_freezes:
        return "whole batch done" if completed_batch else ""
    held = f"{streak.freezes} of {rules.max_freezes} held"
    if not completed_batch:
        return f"freezes: {held} (finish a whole batch to earn one)"
    if streak.freezes_earned_today:
        return f"whole batch done: a freeze earned ({held})"
    if streak.freezes >= rules.max_freezes:
        return f"whole batch done (freezes: {held}, the most you can hold)"
    return f"whole batch done: it counts toward your next freeze ({held})"
