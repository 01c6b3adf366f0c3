"""The weekly rhythm and the "never twice" rules, as pure functions.

**The digest week.** ``[digest] day`` names the digest day (Friday by default). On that
day the week before it becomes due: the seven whole days from the previous digest day to
the day before this one, in the leader's home time zone and day start. Sent on Friday 20
November, it covers Friday 13 to Thursday 19 November. Until the next digest day the same
week stays the latest one, so a machine that was off on Friday sends it on Saturday.

**Once per period.** :func:`decide` says, from what the store holds for a destination and
period, whether to send now: a whole-digest destination (email, webhook) that has it is
not sent it again unless asked (``--again``); one whose last attempt may have gone out
(the outcome is unknown) is held rather than sent twice. An item-wise destination always
goes ahead: its item records make sure each item goes out once, so a retry sends only what
is missing.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from cxdaily.insights.delivery.model import PeriodRecord, PeriodState
from cxdaily.settings.delivery import weekday_name

WEEK = timedelta(days=7)


def latest_digest_day(today: date, weekday: int) -> date:
    """The last digest day on or before ``today`` (``weekday``: Monday = 0)."""
    return today - timedelta(days=(today.weekday() - weekday) % 7)


def next_digest_day(today: date, weekday: int) -> date:
    """The first digest day after ``today``."""
    return latest_digest_day(today, weekday) + WEEK


def digest_week(today: date, weekday: int) -> tuple[date, date]:
    """The first and last day of the latest digest week: the seven days before the last
    digest day on or before ``today``."""
    day = latest_digest_day(today, weekday)
    return day - WEEK, day - timedelta(days=1)


def weekday_label(day: date) -> str:
    """``Friday 27 Nov``."""
    return f"{weekday_name(day.weekday())} {day.day} {day:%b}"


class Decision(StrEnum):
    """What to do with one destination for one period."""

    SEND = "send"
    ALREADY = "already"
    HELD = "held"


def decide(record: PeriodRecord | None, *, itemwise: bool, again: bool) -> Decision:
    """Whether to send a period to a destination, given what the store holds.

    - nothing yet, a failure known not to have gone out, or ``again``: send;
    - sent: already sent;
    - begun and never finished, or an unknown outcome: held for a whole digest; sent for
      an item-wise destination (its item records skip what went out already).
    """
    if record is None or again or record.state is PeriodState.FAILED:
        return Decision.SEND
    if record.state is PeriodState.SENT:
        return Decision.ALREADY
    return Decision.SEND if itemwise else Decision.HELD
