"""The clock: CXDAILY_NOW replaces it; every instant is aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cxdaily.core import clock
from cxdaily.core.errors import ConfigError


def test_cxdaily_now_replaces_the_clock(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CXDAILY_NOW", "2026-11-21T14:03:07Z")
    assert clock.now() == datetime(2026, 11, 21, 14, 3, 7, tzinfo=UTC)
    assert clock.now() == clock.now()  # frozen, not ticking


def test_cxdaily_now_with_an_offset_is_converted_to_utc(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CXDAILY_NOW", "2026-11-21T14:03:07+02:00")
    value = clock.now()
    assert value == datetime(2026, 11, 21, 12, 3, 7, tzinfo=UTC)
    assert value.utcoffset() == timedelta(0)


def test_a_naive_cxdaily_now_is_utc(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CXDAILY_NOW", "2026-11-21T14:03:07")
    value = clock.now()
    assert value.tzinfo is not None
    assert value == datetime(2026, 11, 21, 14, 3, 7, tzinfo=UTC)


def test_without_cxdaily_now_the_real_clock_is_used(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CXDAILY_NOW", raising=False)
    before = datetime.now(UTC)
    value = clock.now()
    after = datetime.now(UTC)
    assert before <= value <= after
    assert value.utcoffset() == timedelta(0)


def test_an_empty_cxdaily_now_means_the_real_clock(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CXDAILY_NOW", "")
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2026-13-01", "2026-11-21T25:00", "21/11/2026", "now\nplease", "  \t"],
)
def test_a_bad_cxdaily_now_is_a_one_line_config_error(monkeypatch, value):
    monkeypatch.setenv("CXDAILY_NOW", value)
    with pytest.raises(ConfigError) as caught:
        clock.now()
    message = str(caught.value)
    assert message.startswith("CXDAILY_NOW:")
    assert "ISO-8601" in message
    assert "\n" not in message


def test_to_iso_is_utc_seconds_with_z():
    berlin_like = timezone(timedelta(hours=1))
    value = datetime(2026, 11, 21, 15, 3, 7, 987654, tzinfo=berlin_like)
    assert clock.to_iso(value) == "2026-11-21T14:03:07Z"


def test_parse_instant_round_trips_to_iso():
    text = "2026-02-28T23:59:59Z"
    assert clock.to_iso(clock.parse_instant(text)) == text


# ----------------------------------------------------------------------------- issue 11, item 14
@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "3000-01-01T00:00:00Z", "9999-12-31"]
)
def test_a_cxdaily_now_outside_the_counted_years_is_a_one_line_error(monkeypatch, value):
    monkeypatch.setenv("CXDAILY_NOW", value)
    with pytest.raises(ConfigError) as caught:
        clock.now()
    message = str(caught.value)
    assert message.startswith("CXDAILY_NOW:") and "(1970 to 2999)" in message


@pytest.mark.parametrize("value", ["1970-01-01T00:00:00Z", "2999-12-31T23:59:59Z"])
def test_the_ends_of_the_counted_years_are_accepted(monkeypatch, value):
    monkeypatch.setenv("CXDAILY_NOW", value)
    assert clock.to_iso(clock.now()) == value


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00"])
def test_an_instant_python_cannot_express_in_utc_is_a_config_error(value):
    with pytest.raises(ConfigError, match="beyond the dates"):
        clock.parse_instant(value, source="created_at")


def test_a_very_long_timestamp_is_refused_without_parsing():
    with pytest.raises(ConfigError, match="100,000-character value is not a timestamp"):
        clock.parse_instant("2" * 100_000)


@pytest.mark.parametrize("date_only", ["2026-11-21", "20261121", " 2026-11-21 "])
def test_a_date_alone_in_cxdaily_now_asks_for_the_time(monkeypatch, date_only):
    """Read as midnight UTC, a date alone fell in the day before (days start at 04:00 by
    default): `streak` said today was the 20th. One line asks for the time too."""
    monkeypatch.setenv("CXDAILY_NOW", date_only)
    with pytest.raises(ConfigError) as caught:
        clock.now()
    message = str(caught.value)
    assert message.startswith("CXDAILY_NOW: ") and "is a date without a time" in message
    assert "2026-11-21T09:00:00Z" in message or "20261121T09:00:00Z" in message
    monkeypatch.setenv("CXDAILY_NOW", "2026-11-21T00:00:00Z")  # midnight, said outright
    assert clock.now() == datetime(2026, 11, 21, tzinfo=UTC)
