"""Period expressions and trend arithmetic: month ends, leap years, time zones, DST and
the day start."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from cxdaily.insights.period import (
    Clock,
    PeriodError,
    check_expression,
    resolve_period,
    span_of,
)
from tests.unit.insights.digest_kit import BERLIN, MIDNIGHT, NEW_YORK, UTC_ZONE, at

# A Saturday, noon UTC.
NOW = at("2026-11-21 12:00")
UTC_CLOCK = Clock(now=NOW, zone=UTC_ZONE, day_start=MIDNIGHT)


def span(text: str, clock: Clock = UTC_CLOCK) -> tuple[datetime, datetime]:
    found = span_of(text, clock)
    return found.start, found.end


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("today", "2026-11-21 00:00", "2026-11-22 00:00"),
        ("yesterday", "2026-11-20 00:00", "2026-11-21 00:00"),
        ("2026-11-02", "2026-11-02 00:00", "2026-11-03 00:00"),
        ("2026-02", "2026-02-01 00:00", "2026-03-01 00:00"),
        ("2028-02", "2028-02-01 00:00", "2028-03-01 00:00"),  # leap year: 29 days
        ("2026", "2026-01-01 00:00", "2027-01-01 00:00"),
        ("this week", "2026-11-16 00:00", "2026-11-23 00:00"),  # Monday to Monday
        ("last week", "2026-11-09 00:00", "2026-11-16 00:00"),
        ("this month", "2026-11-01 00:00", "2026-12-01 00:00"),
        ("last month", "2026-10-01 00:00", "2026-11-01 00:00"),
        ("this quarter", "2026-10-01 00:00", "2027-01-01 00:00"),
        ("last quarter", "2026-07-01 00:00", "2026-10-01 00:00"),
        ("this year", "2026-01-01 00:00", "2027-01-01 00:00"),
        ("last year", "2025-01-01 00:00", "2026-01-01 00:00"),
        ("monday", "2026-11-16 00:00", "2026-11-17 00:00"),
        ("last monday", "2026-11-16 00:00", "2026-11-17 00:00"),
        ("saturday", "2026-11-21 00:00", "2026-11-22 00:00"),  # today is a Saturday
        ("last saturday", "2026-11-14 00:00", "2026-11-15 00:00"),  # strictly before today
        ("this sunday", "2026-11-22 00:00", "2026-11-23 00:00"),  # this ISO week's Sunday
        ("Last  Mon", "2026-11-16 00:00", "2026-11-17 00:00"),  # case and spaces
    ],
)
def test_calendar_spans_in_utc(text, start, end):
    assert span(text) == (at(start), at(end))


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("7d", "2026-11-14 12:00"),
        ("7 days ago", "2026-11-14 12:00"),
        ("12h", "2026-11-21 00:00"),
        ("2w", "2026-11-07 12:00"),
        ("1y", "2025-11-21 12:00"),
        ("now", "2026-11-21 12:00"),
    ],
)
def test_relative_expressions_are_instants(text, instant):
    assert span(text) == (at(instant), at(instant))


def test_months_ago_clamps_to_the_end_of_a_shorter_month():
    clock = Clock(now=at("2026-03-31 09:00"), zone=UTC_ZONE, day_start=MIDNIGHT)
    assert span("1mo", clock)[0] == at("2026-02-28 09:00")
    leap = Clock(now=at("2028-03-31 09:00"), zone=UTC_ZONE, day_start=MIDNIGHT)
    assert span("1 month ago", leap)[0] == at("2028-02-29 09:00")


def test_last_month_across_a_year_end():
    clock = Clock(now=at("2027-01-03 08:00"), zone=UTC_ZONE, day_start=MIDNIGHT)
    assert span("last month", clock) == (at("2026-12-01 00:00"), at("2027-01-01 00:00"))
    assert span("last week", clock) == (at("2026-12-21 00:00"), at("2026-12-28 00:00"))


def test_days_are_counted_in_the_home_zone():
    # 23:30 UTC on the 21st is already the 22nd in Berlin (UTC+1 in November).
    clock = Clock(now=at("2026-11-21 23:30"), zone=BERLIN, day_start=MIDNIGHT)
    assert span("today", clock) == (at("2026-11-21 23:00"), at("2026-11-22 23:00"))
    # And still the 21st in New York (UTC-5).
    clock = Clock(now=at("2026-11-21 23:30"), zone=NEW_YORK, day_start=MIDNIGHT)
    assert span("today", clock) == (at("2026-11-21 05:00"), at("2026-11-22 05:00"))


def test_the_day_start_moves_the_boundaries():
    # At 02:00 local with days starting at 04:00, "today" is still yesterday's date.
    clock = Clock(now=at("2026-11-21 01:00"), zone=BERLIN, day_start=time(4, 0))
    assert span("today", clock) == (at("2026-11-20 03:00"), at("2026-11-21 03:00"))
    assert span("this month", clock)[0] == at("2026-11-01 03:00")


def test_a_month_that_changes_offset_has_its_real_length():
    # October 2026 in Berlin starts at UTC+2 and ends at UTC+1 (DST ends on the 25th).
    clock = Clock(now=at("2026-11-10 12:00"), zone=BERLIN, day_start=MIDNIGHT)
    start, end = span("last month", clock)
    assert (start, end) == (at("2026-09-30 22:00"), at("2026-10-31 23:00"))
    assert end - start == timedelta(days=31, hours=1)


def test_an_instant_without_offset_is_home_time():
    clock = Clock(now=NOW, zone=BERLIN, day_start=MIDNIGHT)
    assert span("2026-11-20T09:30", clock)[0] == at("2026-11-20 08:30")
    assert span("2026-11-20T09:30+00:00", clock)[0] == at("2026-11-20 09:30")


@pytest.mark.parametrize("text", ["bogus", "", "7x", "2026-13", "2026-02-30", "last fortnight"])
def test_bad_expressions_are_one_line_errors(text):
    with pytest.raises(PeriodError) as caught:
        span_of(text, UTC_CLOCK)
    assert "\n" not in str(caught.value)
    with pytest.raises(PeriodError):
        check_expression(text)


# ----------------------------------------------------------------------------- periods
def test_the_default_is_the_last_seven_days_until_now():
    period = resolve_period(None, None, UTC_CLOCK)
    assert (period.since, period.until) == (at("2026-11-14 12:00"), NOW)
    assert period.through_now and period.contains(NOW)  # what happened just now counts
    assert period.previous.since == at("2026-11-07 12:00")
    assert period.previous.until == period.since
    assert not period.previous.contains(period.since)


def test_holding_keeps_in_order_what_contains_keeps():
    period = resolve_period(None, None, UTC_CLOCK)
    instants = [period.previous.since + timedelta(hours=n) for n in range(-2, 24 * 15, 7)]
    instants += [period.since, period.until, period.previous.since, NOW + timedelta(seconds=1)]
    for each in (period, period.previous):
        assert each.holding(instants, lambda instant: instant) == [
            instant for instant in instants if each.contains(instant)
        ]


def test_since_takes_the_start_and_until_the_end_of_their_spans():
    period = resolve_period("2026-11-02", "2026-11-08", UTC_CLOCK)
    assert (period.since, period.until) == (at("2026-11-02 00:00"), at("2026-11-09 00:00"))
    assert period.length == timedelta(days=7)
    assert period.label == "2 Nov 2026 – 8 Nov 2026 (UTC)"
    assert not period.through_now


def test_the_previous_period_of_a_month_has_the_same_length_across_month_ends():
    # March (31 days) compares with the 31 days before it: 29 Jan to 1 Mar.
    clock = Clock(now=at("2026-04-10 10:00"), zone=UTC_ZONE, day_start=MIDNIGHT)
    period = resolve_period("last month", "last month", clock)
    assert (period.since, period.until) == (at("2026-03-01 00:00"), at("2026-04-01 00:00"))
    previous = period.previous
    assert (previous.since, previous.until) == (at("2026-01-29 00:00"), at("2026-03-01 00:00"))
    assert previous.label == "29 Jan 2026 – 28 Feb 2026 (UTC)"


def test_the_end_is_never_later_than_now():
    period = resolve_period("this month", "this month", UTC_CLOCK)
    assert period.until == NOW and period.through_now
    assert period.label == "1 Nov 2026 00:00 – 21 Nov 2026 12:00 (UTC)"


def test_a_period_in_berlin_reads_in_berlin():
    clock = Clock(now=at("2026-11-21 12:00"), zone=BERLIN, day_start=MIDNIGHT)
    period = resolve_period("2026-11-01", "2026-11-01", clock)
    assert (period.since, period.until) == (at("2026-10-31 23:00"), at("2026-11-01 23:00"))
    assert period.label == "1 Nov 2026 (Europe/Berlin)"
    # An insight at 23:30 UTC on 31 Oct is on 1 Nov in Berlin: inside.
    assert period.contains(at("2026-10-31 23:30"))
    assert period.day(at("2026-10-31 23:30")).isoformat() == "2026-11-01"
    assert not period.contains(at("2026-10-31 22:30"))


def test_an_empty_range_is_refused():
    with pytest.raises(PeriodError, match="does not come before"):
        resolve_period("today", "yesterday", UTC_CLOCK)
    with pytest.raises(PeriodError):
        resolve_period("2027-01-01", None, UTC_CLOCK)  # starts after now


def test_periods_are_aware_utc():
    period = resolve_period("last week", "last week", Clock(NOW, BERLIN, MIDNIGHT))
    assert period.since.tzinfo is not None and period.since.utcoffset() == timedelta(0)
    assert period.since == datetime(2026, 11, 8, 23, 0, tzinfo=UTC)
