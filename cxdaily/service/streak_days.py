"""The days the streak walks, at a cost that does not grow with the history.

Years of actions and sessions fold into the same totals of past days at every launch, so
the totals of the *settled* days (:mod:`cxdaily.streaks.settled`: days no later record
can change) are kept in ``streak-days.json`` in the data folder, a derived file
(:mod:`cxdaily.store.derived`). A launch reads it and the records since its cut, in
the last days of the previous month: two months of records, however many years.

The file is keyed by what its days depend on: the home zone and day start, the cut, the
code that folds records into days, and the name, size and modification time of every
monthly file of actions and sessions up to the cut's month (records are written into the
month of ``now``; a past month's file changes only when an action is undone just after
a month turned, a session that crossed a month start ends, or a reply sent before a
crash is recorded: then the days are worked out again). When the month has turned since
the cut, the next launch moves the cut forward from the records it read anyway. A file
under another key, or one that is missing or damaged, is worked out again from every
record, and rewritten.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from cxdaily.core.files import code_checksum, fingerprint
from cxdaily.service.context import ServiceContext
from cxdaily.store.derived import read_derived, write_derived
from cxdaily.store.monthly import month_of
from cxdaily.streaks import DayTotals, daily_activity, daily_totals
from cxdaily.streaks.settled import (
    NOTHING_SETTLED,
    SettledDays,
    joined,
    recent_activity,
    settle_before,
    settled_from_document,
    settled_to_document,
)

#: The derived file in the data folder that keeps the settled days.
SETTLED_FILE = "streak-days.json"

_FOLD_SOURCES = ("streaks/__init__.py", "streaks/settled.py", "core/days.py", "core/models.py")
"""The code that reads records and folds them into days, relative to the package."""


@lru_cache(maxsize=1)
def _fold_code() -> int | None:
    """A checksum of the code that folds records into days: any change makes the kept
    days stale (``None`` when a source cannot be read: then none are kept or used)."""
    package = Path(__file__).parents[1]
    return code_checksum(package / name for name in _FOLD_SOURCES)


def month_start(now: datetime) -> datetime:
    """The start of the (UTC) month of ``now``: records are filed by that month."""
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


class StreakDays:
    """The totals of every day with activity, from the kept settled days and the recent
    records (or from every record, when the kept days cannot be used)."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context
        self._kept: tuple[str, SettledDays] | None = None
        """The settled days last read or written, and their key."""

    def totals(self, now: datetime, zone: ZoneInfo, day_start: time) -> dict[date, DayTotals]:
        """The totals of each day with activity up to ``now``, counted in ``zone`` from
        ``day_start``: what :func:`~cxdaily.streaks.daily_activity` makes of every record."""
        records = self._context.store.activity
        month = month_start(now)
        with self._context.lock:
            settled = self._settled(month, zone, day_start)
            if settled is not None:
                actions = records.actions(since=settled.cut)
                sessions = records.sessions(since=settled.cut)
                recent = recent_activity(settled, actions, sessions, now, zone, day_start)
                if recent is not None:
                    if settled.cut >= month_start(month - timedelta(days=1)):
                        return joined(settled, recent)
                    moved = settle_before(month, settled, actions, sessions, now, zone, day_start)
                    if moved is None:  # no cut tried splits the records: next time again
                        return joined(settled, recent)
                    self._keep(moved[0], zone, day_start)
                    return joined(*moved)
            actions, sessions = records.actions(), records.sessions()
            found = settle_before(month, NOTHING_SETTLED, actions, sessions, now, zone, day_start)
            if found is None:
                return daily_totals(daily_activity(actions, sessions, now, zone, day_start))
            self._keep(found[0], zone, day_start)
            return joined(*found)

    def _settled(self, month: datetime, zone: ZoneInfo, day_start: time) -> SettledDays | None:
        """The kept settled days, when they are still those of the records, the zone and
        the day start, and settled before ``month`` (a clock set back may be earlier)."""
        if self._kept is None:
            found = read_derived(self._context.store.folder, SETTLED_FILE)
            settled = settled_from_document(found[1]) if found else None
            if found is None or settled is None:
                return None
            self._kept = (found[0], settled)
        key, settled = self._kept
        if settled.cut >= month or key != self._key(settled.cut, zone, day_start):
            return None
        return settled

    def _keep(self, settled: SettledDays, zone: ZoneInfo, day_start: time) -> None:
        """Keep ``settled`` (in memory, and in the data folder when it can be written)."""
        key = self._key(settled.cut, zone, day_start)
        if key is None:
            return
        self._kept = (key, settled)
        write_derived(self._context.store.folder, SETTLED_FILE, key, settled_to_document(settled))

    def _key(self, cut: datetime, zone: ZoneInfo, day_start: time) -> str | None:
        """The key of days settled at ``cut`` in ``zone`` from ``day_start`` (``None``:
        none can be kept, the code or the sessions' months being unknown)."""
        code = _fold_code()
        files = self._context.store.activity.files_until(month_of(cut))
        if code is None or files is None:
            return None
        return fingerprint((code, str(zone), day_start.isoformat(), cut.isoformat(), files))
