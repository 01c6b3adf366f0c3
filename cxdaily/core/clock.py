"""The one place that reads the real time.

Everything else takes ``now`` as a parameter. ``CXDAILY_NOW`` (ISO-8601) replaces the
clock for reproducible runs; a value without a zone is taken as UTC. It must fall
between :data:`EARLIEST` and :data:`LATEST`: outside those years date arithmetic (a
year of streak history, next month's archive file, a digest's previous period) would
overflow, so a value there is a one-line :class:`ConfigError` for every command.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from cxdaily.core.errors import ConfigError
from cxdaily.core.patterns import lazy_compile

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
"""The earliest instant cxdaily counts with (as ``now``, or as the start of a period)."""
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
"""The first instant after the years cxdaily counts with (the year 3000 starts here)."""
_DATE_ONLY = lazy_compile(r"\d{4}-?\d{2}-?\d{2}")
"""A calendar date alone (``2026-11-21``, ``20261121``), with no time of day."""
_LONGEST_TIMESTAMP = 100
"""Longer text is no timestamp (and parsing it would only cost time)."""


def now() -> datetime:
    """Return the current time as an aware UTC datetime (honouring ``CXDAILY_NOW``)."""
    fixed = os.environ.get("CXDAILY_NOW")
    if fixed:
        value = check_in_range(parse_instant(fixed, source="CXDAILY_NOW"), source="CXDAILY_NOW")
        if _DATE_ONLY.fullmatch(fixed.strip()):  # midnight UTC: yesterday, before 04:00
            raise ConfigError(
                f"CXDAILY_NOW: {fixed.strip()!r} is a date without a time; give the time too "
                f"({fixed.strip()}T09:00:00Z, say): a date alone would be midnight UTC, "
                "which falls in the day before when days start later"
            )
        return value
    return datetime.now(UTC)


def in_range(value: datetime) -> bool:
    """Whether an aware instant falls in the years cxdaily counts with."""
    return EARLIEST <= value < LATEST


def check_in_range(value: datetime, *, source: str = "timestamp") -> datetime:
    """``value`` itself, or a one-line ConfigError when it is outside the counted years."""
    if not in_range(value):
        raise ConfigError(
            f"{source}: {to_iso(value)} is outside the years cxdaily counts with "
            f"({EARLIEST.year} to {LATEST.year - 1})"
        )
    return value


def parse_instant(text: str, *, source: str = "timestamp") -> datetime:
    """Parse an ISO-8601 timestamp into aware UTC; naive values are taken as UTC.

    Anything that is not one, including an instant that cannot be expressed in UTC
    (``0001-01-01T00:00+01:00``), is a one-line ConfigError naming ``source``.
    """
    stripped = text.strip()
    if len(stripped) > _LONGEST_TIMESTAMP:
        raise ConfigError(f"{source}: a {len(stripped):,}-character value is not a timestamp")
    try:
        value = datetime.fromisoformat(stripped)
    except ValueError:
        from dateutil.parser import isoparse  # rarer ISO forms, e.g. week dates

        try:
            value = isoparse(stripped)
        except (ValueError, OverflowError) as exc:
            raise ConfigError(f"{source}: {text!r} is not an ISO-8601 timestamp") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ConfigError(f"{source}: {text!r} is beyond the dates Python can count") from None


def to_iso(value: datetime) -> str:
    """Format an aware datetime as an ISO-8601 UTC string ending in ``Z``."""
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
