"""Digest periods: ``--since``/``--until`` expressions turned into aware UTC instants.

Every expression names a span of time in the home time zone, whose days begin at the
configured day start (04:00 by default, as for streaks). ``--since`` takes the start of
its span and ``--until`` the end, so ``--since 2026-11-01 --until 2026-11-07`` covers
seven whole days and ``--since "last month" --until "last month"`` the whole month.

Accepted expressions (case does not matter):

- ``now``, ``today``, ``yesterday``;
- ``7d``, ``12h``, ``2w``, ``3mo``, ``1y`` or ``7 days ago``: that long before now;
- ``monday`` (the latest Monday, today included), ``last monday`` (strictly before today),
  ``this monday`` (the Monday of this week); any weekday, also abbreviated (``mon``);
- ``this week``, ``last week`` (weeks start on Monday), ``this month``, ``last month``,
  ``this quarter``, ``last quarter``, ``this year``, ``last year``;
- ``2026-11-21`` (a day), ``2026-11`` (a month), ``2026`` (a year);
- ``2026-11-21T09:30`` (an instant; without an offset it is home time).

A digest compares its period with the previous period of the same length, which ends
where this one starts. The end is never later than now (and includes now).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import msgspec
from dateutil.relativedelta import relativedelta

from cxdaily.core.clock import EARLIEST, LATEST
from cxdaily.core.days import day_of, day_start_instant
from cxdaily.core.errors import UsageError
from cxdaily.insights import FORMS

T = TypeVar("T")

DEFAULT_SINCE = "7d"

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_AGO = re.compile(r"^(\d{1,4})\s*(h|hours?|d|days?|w|weeks?|mo|months?|y|years?)(?:\s+ago)?$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^\d{4}$")
_UNITS = {
    "h": relativedelta(hours=1),
    "d": relativedelta(days=1),
    "w": relativedelta(weeks=1),
    "mo": relativedelta(months=1),
    "y": relativedelta(years=1),
}


class PeriodError(UsageError):
    """A ``--since``/``--until`` expression that cannot be read, or an empty range."""


class Span(msgspec.Struct, frozen=True):
    """The stretch of time an expression names: ``start`` inclusive, ``end`` exclusive."""

    start: datetime
    end: datetime


class Clock(msgspec.Struct, frozen=True):
    """Where and when expressions are read: now, the home zone and the day start."""

    now: datetime
    zone: ZoneInfo
    day_start: time = time(4, 0)

    @property
    def today(self) -> date:
        """The leader's current day."""
        return day_of(self.now, self.zone, self.day_start)

    def day_span(self, first: date, last: date | None = None) -> Span:
        """The whole days from ``first`` to ``last`` (inclusive) as instants."""
        end_day = (last or first) + timedelta(days=1)
        return Span(self.start_of(first), self.start_of(end_day))

    def start_of(self, day: date) -> datetime:
        """The UTC instant a day begins."""
        return day_start_instant(day, self.zone, self.day_start).astimezone(UTC)


class Period(msgspec.Struct, frozen=True):
    """A digest period ``[since, until)`` in UTC, read in a home time zone."""

    since: datetime
    until: datetime
    zone: ZoneInfo
    day_start: time = time(4, 0)
    through_now: bool = False
    """The period ends now: what happened at that very instant belongs to it."""

    @property
    def length(self) -> timedelta:
        """How long the period is."""
        return self.until - self.since

    @property
    def previous(self) -> Period:
        """The period of the same length that ends where this one starts."""
        return Period(self.since - self.length, self.since, self.zone, self.day_start)

    def contains(self, instant: datetime) -> bool:
        """Whether ``instant`` falls in the period."""
        return self.since <= instant < self.until or (self.through_now and instant == self.until)

    def holding(self, items: Iterable[T], when: Callable[[T], datetime]) -> list[T]:
        """The ``items`` whose instant (``when(item)``) falls in the period, in order: as
        :meth:`contains` of each, with one comparison per item instead of a call (a
        year's digest filters tens of thousands)."""
        since, until = self.since, self.until
        if self.through_now:
            return [item for item in items if since <= when(item) <= until]
        return [item for item in items if since <= when(item) < until]

    def day(self, instant: datetime) -> date:
        """The leader's day an instant belongs to."""
        return day_of(instant, self.zone, self.day_start)

    @property
    def whole_days(self) -> bool:
        """Whether both ends fall on the start of a day."""
        return all(
            day_start_instant(self.day(t), self.zone, self.day_start) == t
            for t in (self.since, self.until)
        )

    @property
    def first_day(self) -> date:
        """The day the period starts in."""
        return self.day(self.since)

    @property
    def last_day(self) -> date:
        """The day the period's last instant belongs to."""
        return self.day(self.until - timedelta(microseconds=1))

    @property
    def label(self) -> str:
        """``16 Nov 2026 – 22 Nov 2026`` (whole days) or with times, plus the zone."""
        if self.whole_days:
            first, last = self.first_day, self.last_day
            text = (
                _day_label(first) if first == last else f"{_day_label(first)} – {_day_label(last)}"
            )
        else:
            text = f"{self._moment(self.since)} – {self._moment(self.until)}"
        return f"{text} ({self.zone.key})"

    def _moment(self, instant: datetime) -> str:
        local = instant.astimezone(self.zone)
        return f"{_day_label(local.date())} {local:%H:%M}"


def _day_label(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def span_of(text: str, clock: Clock) -> Span:
    """The span an expression names (see the module's docstring for the forms)."""
    words = " ".join(str(text).lower().split())
    if not words:
        raise PeriodError(f"an empty period expression (use {FORMS})")
    out_of_range = PeriodError(
        f"{text!r} is outside the years a digest can cover ({EARLIEST.year} to {LATEST.year - 1})"
    )
    try:
        found = _keyword_span(words, clock) or _relative_span(words, clock)
        found = found or _calendar_span(words, clock) or _instant_span(text.strip(), clock)
    except (OverflowError, ValueError):  # the day after 9999-12-31, "9000y" before now ...
        raise out_of_range from None
    if found is None:
        raise PeriodError(f"{text!r} is not a period (use {FORMS})")
    # the start decides (a span is at most a year long), with a day's leeway for zones
    if not EARLIEST - timedelta(days=1) <= found.start < LATEST:
        raise out_of_range
    return found


def check_expression(text: str) -> str:
    """Raise PeriodError when ``text`` is not an expression (for early argument checks)."""
    span_of(text, Clock(now=datetime(2000, 1, 1, tzinfo=UTC), zone=ZoneInfo("UTC")))
    return text


def resolve_period(
    since: str | None, until: str | None, clock: Clock, *, default_since: str = DEFAULT_SINCE
) -> Period:
    """The period from ``--since``/``--until`` (defaults: the last 7 days, until now)."""
    start = span_of(since or default_since, clock).start
    end = min(span_of(until, clock).end, clock.now) if until else clock.now
    if start >= end:
        shown_since = since or default_since
        shown_until = until or "now"
        raise PeriodError(
            f"the period is empty: --since {shown_since!r} does not come before "
            f"--until {shown_until!r}"
        )
    return Period(start, end, clock.zone, clock.day_start, through_now=end == clock.now)


def _keyword_span(words: str, clock: Clock) -> Span | None:
    today = clock.today
    if words == "now":
        return Span(clock.now, clock.now)
    if words == "today":
        return clock.day_span(today)
    if words == "yesterday":
        return clock.day_span(today - timedelta(days=1))
    match = re.fullmatch(r"(?:(last|this)\s+)?([a-z]+)", words)
    if not match:
        return None
    which, noun = match.groups()
    weekday = _weekday(noun)
    if weekday is not None:
        if which == "this":
            day = today - timedelta(days=today.weekday()) + timedelta(days=weekday)
        else:
            back = (today.weekday() - weekday) % 7
            if which == "last" and back == 0:
                back = 7
            day = today - timedelta(days=back)
        return clock.day_span(day)
    if which is None:
        return None
    shift = -1 if which == "last" else 0
    if noun == "week":
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=shift)
        return clock.day_span(monday, monday + timedelta(days=6))
    if noun == "month":
        first = today.replace(day=1) + relativedelta(months=shift)
        return clock.day_span(first, first + relativedelta(months=1) - timedelta(days=1))
    if noun == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        first += relativedelta(months=3 * shift)
        return clock.day_span(first, first + relativedelta(months=3) - timedelta(days=1))
    if noun == "year":
        first = date(today.year + shift, 1, 1)
        return clock.day_span(first, date(first.year, 12, 31))
    return None


def _weekday(noun: str) -> int | None:
    if len(noun) < 3:
        return None
    for index, name in enumerate(WEEKDAYS):
        if name.startswith(noun):
            return index
    return None


def _relative_span(words: str, clock: Clock) -> Span | None:
    match = _AGO.fullmatch(words)
    if not match:
        return None
    amount, unit = int(match[1]), match[2]
    key = "mo" if unit.startswith("mo") else unit[0]
    instant = clock.now - _UNITS[key] * amount
    return Span(instant, instant)


def _calendar_span(words: str, clock: Clock) -> Span | None:
    try:
        if _DAY.fullmatch(words):
            return clock.day_span(date.fromisoformat(words))
        month = _MONTH.fullmatch(words)
        if month:
            first = date(int(month[1]), int(month[2]), 1)
            return clock.day_span(first, first + relativedelta(months=1) - timedelta(days=1))
        if _YEAR.fullmatch(words):
            year = int(words)
            return clock.day_span(date(year, 1, 1), date(year, 12, 31))
    except ValueError as exc:
        raise PeriodError(f"{words!r} is not a date ({exc})") from None
    return None


def _instant_span(text: str, clock: Clock) -> Span | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*", text):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise PeriodError(f"{text!r} is not a date and time ({exc})") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=clock.zone)
    instant = value.astimezone(UTC)
    return Span(instant, instant)
