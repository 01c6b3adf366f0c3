"""The digest's own ISO-8601 writer gives exactly what :func:`cxdaily.core.clock.to_iso`
gives, for UTC times (written directly) and for times in any other zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from cxdaily.core.clock import to_iso
from cxdaily.insights.words import iso_time

ZONES = st.sampled_from(
    (
        UTC,
        timezone(timedelta(0)),
        timezone(timedelta(hours=5, minutes=30)),
        ZoneInfo("Europe/Berlin"),
    )
)


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)), ZONES)
def test_iso_time_is_to_iso(naive, zone):
    instant = naive.replace(tzinfo=zone)
    assert iso_time(instant) == to_iso(instant)


def test_small_years_and_microseconds_are_written_as_to_iso_writes_them():
    instant = datetime(33, 2, 3, 4, 5, 6, 789, tzinfo=UTC)
    assert iso_time(instant) == "0033-02-03T04:05:06Z" == to_iso(instant)
