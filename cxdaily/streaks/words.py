"""The streak in words, shared by ``cxdaily streak``, the stats screen and the wrap-up.

Plain strings (no markup): the app styles them, the command line prints them.
"""

from __future__ import annotations

import msgspec

from cxdaily.core.words import plural
from cxdaily.streaks import Streak


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
        needs.append(f"spend {plural(rules.min_minutes, 'minute')} in a session")
    return " or ".join(needs)


def today_words(streak: Streak) -> str:
    """Whether today counts, is off, or what it still takes."""
    if streak.today_counts:
        return f"today counts ({streak.handled_today} handled)"
    if streak.today_off:
        return f"today is a {streak.today_off}: it neither counts nor breaks the streak"
    return f"today does not count yet: {what_counts(streak)}"


class UntilBreak(msgspec.Struct, frozen=True):
    """How long the streak can wait, worded once for every surface that tells it."""

    days: int | None
    """Days until the streak breaks; None when there is no streak to break."""
    figure: str
    """The value beside an "Until it breaks" label: '2 days', '0 (today must count)'."""
    line: str
    """One short line: '2 days until it breaks', 'today must count'."""
    sentence: str
    """A sentence's words: 'it can wait 2 days before it breaks', 'safe until tomorrow'."""

    @property
    def urgent(self) -> bool:
        """Whether today must count to keep the streak."""
        return self.days == 0


def until_break(streak: Streak) -> UntilBreak:
    """Days until the streak breaks, in each of the forms the app and the CLI show."""
    if streak.current == 0 and not streak.today_counts:
        none = "no streak to keep yet"
        return UntilBreak(None, none, none, none)
    days = streak.days_until_break
    if days == 0:
        return UntilBreak(
            0, "0 (today must count)", "today must count", "today must count to keep the streak"
        )
    wait = "safe until tomorrow" if days == 1 and streak.today_counts else None
    return UntilBreak(
        days,
        plural(days, "day"),
        f"{plural(days, 'day')} until it breaks",
        wait or f"it can wait {plural(days, 'day')} before it breaks",
    )


def until_break_words(streak: Streak) -> str:
    """How long the streak can wait: 'today must count', 'safe for 3 days'."""
    return until_break(streak).sentence


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
