"""Dates written in a reply ("by Friday", "tomorrow", "within 2 business days", "March 3"),
found and resolved to a calendar day.

Pure functions: ``now`` is a parameter and days are counted in the leader's home time
zone, so "tomorrow" written at 23:30 in Berlin is the next Berlin day whatever UTC says.
A mention that names no single day (``12/01`` is December 1 or January 12) is found but
left unresolved.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
from dateutil.relativedelta import relativedelta

from cxdaily.core.safe_json import is_digits

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a few": 3, "a couple of": 2,
}  # fmt: skip
FRIDAY, SUNDAY = 4, 6

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(WEEKDAYS)
_UNIT = r"hours?|days?|business\s+days?|working\s+days?|weeks?|months?"
_COUNT = r"\d{1,3}|a\s+few|a\s+couple\s+of|an?|one|two|three|four|five|six|seven|eight|nine|ten"

DATE_PATTERN = re.compile(
    rf"""
    \b(?:
        (?P<iso>\d{{4}}-\d{{2}}-\d{{2}})
      | (?P<day_after>(?:the\s+)?day\s+after\s+tomorrow)
      | (?P<relative_day>today|tonight|tomorrow|end\s+of\s+(?:the\s+)?day|eod)
      | (?:(?P<which>next|this|coming)\s+)?(?P<weekday>{_WEEKDAY})
      | (?:the\s+)?end\s+of\s+(?:(?P<end_which>this|next|the)\s+)?(?P<end_period>week|month)
      | (?P<period_which>this|next)\s+(?P<period>week|weekend|month)
      | (?P<weekend>weekend)
      | (?:(?:in|within)\s+(?:the\s+next\s+)?)?(?P<low>{_COUNT})\s*(?:-|–|to|or)\s*
        (?P<high>{_COUNT})\s+(?P<range_unit>{_UNIT})
      | (?:in|within)\s+(?:the\s+next\s+)?(?P<count>{_COUNT})\s+(?P<unit>{_UNIT})
      | (?:in|within)\s+(?P<single>an?\s+hour|a\s+day|a\s+week|a\s+month)
      | (?P<month_name>{_MONTH})\.?\s+(?P<month_day>\d{{1,2}})(?:st|nd|rd|th)?
        (?:,?\s+(?P<month_year>\d{{4}}))?
      | (?P<day_first>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<day_month>{_MONTH})
        (?:,?\s+(?P<day_year>\d{{4}}))?
      | (?P<numeric>\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?)
      | (?P<quarter>q[1-4])(?:\s+(?P<quarter_year>\d{{4}}))?
    )\b
    """,
    re.IGNORECASE | re.VERBOSE,
)


class DateMention(msgspec.Struct, frozen=True):
    """A date written in a text: the words, where they are, and the day they mean."""

    text: str
    start: int
    end: int
    due: date | None
    """The calendar day in the home time zone; None when the words name no single day."""


def find_dates(text: str, now: datetime, zone: ZoneInfo) -> list[DateMention]:
    """Every date mention in ``text``, resolved against ``now`` in ``zone``."""
    local_now = now.astimezone(zone)
    mentions = []
    for match in DATE_PATTERN.finditer(text):
        mentions.append(
            DateMention(
                text=match.group(0),
                start=match.start(),
                end=match.end(),
                due=_resolve(match, local_now),
            )
        )
    return mentions


def _resolve(match: re.Match[str], local_now: datetime) -> date | None:
    """The calendar day a matched date expression means."""
    today = local_now.date()
    found = {k: v for k, v in match.groupdict().items() if v is not None}
    if "iso" in found:
        return _safe_date(*(int(part) for part in found["iso"].split("-")))
    if "day_after" in found:
        return today + timedelta(days=2)
    if "relative_day" in found:
        return today + timedelta(days=1) if found["relative_day"].lower() == "tomorrow" else today
    if "weekday" in found:
        return _weekday(today, WEEKDAYS.index(found["weekday"].lower()), found.get("which"))
    if "end_period" in found:
        which = (found.get("end_which") or "this").lower()
        return _period(today, which, found["end_period"].lower())
    if "period" in found:
        return _period(today, found["period_which"].lower(), found["period"].lower())
    if "weekend" in found:
        return _on_or_after(today, SUNDAY)
    if "high" in found:  # "3-5 days", "in 2 or 3 weeks": due at the end of the range
        longest = max(_count(found["low"]), _count(found["high"]))
        return _after(local_now, longest, found["range_unit"].lower())
    if "count" in found:
        return _after(local_now, _count(found["count"]), found["unit"].lower())
    if "single" in found:
        return _after(local_now, 1, found["single"].split()[-1].lower())
    if "month_name" in found:
        return _day_of_month(
            today, MONTHS[found["month_name"].lower()], found["month_day"], found.get("month_year")
        )
    if "day_month" in found:
        return _day_of_month(
            today, MONTHS[found["day_month"].lower()], found["day_first"], found.get("day_year")
        )
    if "quarter" in found:
        return _quarter_end(today, int(found["quarter"][1]), found.get("quarter_year"))
    return None  # numeric dates: day/month or month/day cannot be told apart


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _on_or_after(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _weekday(today: date, weekday: int, which: str | None) -> date:
    """ "Friday" is the coming Friday (today if it is Friday); "next Friday" is next week's."""
    if which and which.lower() == "next":
        next_monday = today + timedelta(days=7 - today.weekday())
        return next_monday + timedelta(days=weekday)
    return _on_or_after(today, weekday)


def _period(today: date, which: str, period: str) -> date:
    """The last working day of the week named, or the last day of the month named."""
    if period == "month":
        first = today.replace(day=1) + relativedelta(months=1 if which == "next" else 0)
        return first + relativedelta(months=1) - timedelta(days=1)
    if period == "weekend":
        sunday = _on_or_after(today, SUNDAY)
        return sunday + timedelta(days=7) if which == "next" else sunday
    if which == "next":
        return today + timedelta(days=7 - today.weekday() + FRIDAY)
    return _on_or_after(today, FRIDAY) if today.weekday() <= FRIDAY else today


def _count(words: str) -> int:
    text = " ".join(words.lower().split())
    return int(text) if is_digits(text) else NUMBER_WORDS.get(text, 1)


def _after(local_now: datetime, count: int, unit: str) -> date:
    today = local_now.date()
    if unit.startswith("hour"):
        return (local_now + timedelta(hours=count)).date()
    if unit.startswith(("business", "working")):
        day = today
        while count > 0:
            day += timedelta(days=1)
            if day.weekday() < 5:
                count -= 1
        return day
    if unit.startswith("week"):
        return today + timedelta(weeks=count)
    if unit.startswith("month"):
        return today + relativedelta(months=count)
    return today + timedelta(days=count)


def _day_of_month(today: date, month: int, day: str, year: str | None) -> date | None:
    """A day of a month; without a year, the next such day (this year or the next)."""
    if year:
        return _safe_date(int(year), month, int(day))
    found = _safe_date(today.year, month, int(day))
    if found is not None and found < today:
        found = _safe_date(today.year + 1, month, int(day))
    return found


def _quarter_end(today: date, quarter: int, year: str | None) -> date:
    """The last day of a quarter (this year's, or next year's once it is over)."""
    end = date(int(year) if year else today.year, quarter * 3, 1) + relativedelta(months=1, days=-1)
    if not year and end < today:
        end = end.replace(year=end.year + 1)
    return end
