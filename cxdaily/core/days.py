"""The leader's day: the one place that decides which day it is.

A day is counted in the home time zone (``[session] timezone``) and begins at
``[session] day_start`` (04:00 by default), so a session at 01:30 counts for the day
before, and a week of travel never moves a day. Streaks, the batch ("skipped for
today"), promises due "today" and the start screen's date all ask here.

Functions take the zone and day start; :class:`LeaderDays` bundles them (the settings
give one as ``settings.session.days``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import msgspec

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=8192)
def day_start_instant(day: date, zone: ZoneInfo, day_start: time) -> datetime:
    """The instant (aware, UTC) at which a leader's day begins.

    A wall time that happens twice begins the day at its first occurrence; a wall time
    that does not exist (DST gap) begins the day when the clocks jump.
    """
    wall = datetime.combine(day, day_start)
    earlier_offset = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    later_offset = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if earlier_offset <= later_offset:  # the wall time exists (once, or twice)
        return earlier_offset
    # A gap: find the first whole second whose local wall time is at or after ``wall``.
    low, high = int(later_offset.timestamp()), int(earlier_offset.timestamp())
    while high - low > 1:  # low is before the jump, high after it
        middle = (low + high) // 2
        local = datetime.fromtimestamp(middle, UTC).astimezone(zone).replace(tzinfo=None)
        if local >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def day_of(instant: datetime, zone: ZoneInfo, day_start: time) -> date:
    """The leader's day an instant belongs to (monotonic across DST changes)."""
    local = instant.astimezone(zone)
    shifted = local.replace(tzinfo=None) - timedelta(hours=day_start.hour, minutes=day_start.minute)
    guess = shifted.date()
    if instant < day_start_instant(guess, zone, day_start):
        return guess - _ONE_DAY
    if instant >= day_start_instant(guess + _ONE_DAY, zone, day_start):
        return guess + _ONE_DAY
    return guess


def today_start(now: datetime, zone: ZoneInfo, day_start: time) -> datetime:
    """When the leader's current day began (aware, UTC)."""
    return day_start_instant(day_of(now, zone, day_start), zone, day_start)


class LeaderDays(msgspec.Struct, frozen=True):
    """The leader's calendar: a home time zone and the time of day a day begins."""

    zone: ZoneInfo
    day_start: time = time(4, 0)

    def today(self, now: datetime) -> date:
        """The leader's day at ``now`` (before ``day_start`` it is still yesterday)."""
        return day_of(now, self.zone, self.day_start)

    def day_of(self, instant: datetime) -> date:
        """The leader's day an instant belongs to."""
        return day_of(instant, self.zone, self.day_start)

    def start_of(self, day: date) -> datetime:
        """The instant (aware, UTC) at which ``day`` begins."""
        return day_start_instant(day, self.zone, self.day_start)

    def today_start(self, now: datetime) -> datetime:
        """When the leader's current day began (aware, UTC)."""
        return today_start(now, self.zone, self.day_start)
