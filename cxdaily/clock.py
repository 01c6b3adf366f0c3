"""The one place that reads the real time.

Everything else takes ``now`` as a parameter. ``CXDAILY_NOW`` (ISO-8601) replaces the
clock for reproducible runs; a value without a zone is taken as UTC.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from cxdaily.errors import ConfigError


def now() -> datetime:
    """Return the current time as an aware UTC datetime (honouring ``CXDAILY_NOW``)."""
    fixed = os.environ.get("CXDAILY_NOW")
    if fixed:
        return parse_instant(fixed, source="CXDAILY_NOW")
    return datetime.now(UTC)


def parse_instant(text: str, *, source: str = "timestamp") -> datetime:
    """Parse an ISO-8601 timestamp into aware UTC; naive values are taken as UTC."""
    stripped = text.strip()
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
    return value.astimezone(UTC)


def to_iso(value: datetime) -> str:
    """Format an aware datetime as an ISO-8601 UTC string ending in ``Z``."""
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
