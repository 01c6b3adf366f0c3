"""Streak rules as data: the ``[streak]`` table of the config file.

```toml
[streak]
min_handled = 1               # questions handled in a day for it to count (0: off)
min_minutes = 0               # or minutes spent in sessions that day (0: off, the default)
workdays_only = false         # weekends neither count nor break the streak
weekend = ["sat", "sun"]      # which days are the weekend in work-days mode
rest_days = ["2026-12-24", "sun"]   # planned rest days: dates, or weekday names (every week)
max_freezes = 2               # freezes held at most (0 turns freezes off)
batches_per_freeze = 1        # whole batches finished to earn one freeze
pauses = [{ from = 2026-12-20, to = 2027-01-03 }]   # holidays, both days included
```

Weekends (in work-days mode), rest days and paused days are *off days*: they neither
count nor break the streak, and no freeze is spent on them. Parsing raises a one-line
:class:`ConfigError` naming the setting.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from cxdaily.core.config_tables import config_table
from cxdaily.core.errors import ConfigError
from cxdaily.core.words import plural

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LONG_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_WEEKEND = frozenset({5, 6})
MAX_MINUTES = 8 * 60
MAX_FREEZES = 10
STREAK_KEYS = frozenset(
    {
        "min_handled",
        "min_minutes",
        "workdays_only",
        "weekend",
        "rest_days",
        "max_freezes",
        "batches_per_freeze",
        "pauses",
    }
)


class Pause(msgspec.Struct, frozen=True, order=True):
    """A holiday: every day from ``start`` to ``end`` (both included) is off."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


class StreakRules(msgspec.Struct, frozen=True):
    """What makes a day count, which days are off, and how freezes work."""

    min_handled: int = 1
    """Questions handled (answered, tagged or handed off) for a day to count; 0 turns it off."""
    min_minutes: int = 0
    """Minutes spent in sessions for a day to count; 0 (the default) turns it off."""
    workdays_only: bool = False
    """Count work days only: weekend days neither count nor break the streak."""
    weekend: frozenset[int] = DEFAULT_WEEKEND
    """The weekend's weekdays (0 = Monday) for work-days mode."""
    rest_dates: frozenset[date] = frozenset()
    """Planned rest days (single dates)."""
    rest_weekdays: frozenset[int] = frozenset()
    """Planned rest days that repeat every week (0 = Monday)."""
    max_freezes: int = 2
    """Freezes held at most; a freeze covers one missed day automatically. 0: no freezes."""
    batches_per_freeze: int = 1
    """Whole batches (every planned question dealt with) finished to earn one freeze."""
    pauses: tuple[Pause, ...] = msgspec.field(default_factory=tuple)
    """Holidays, from date to date (both included)."""

    def off_reason(self, day: date) -> str | None:
        """Why ``day`` is an off day ('weekend', 'rest day', 'pause'), or None for a normal day."""
        weekday = day.weekday()
        for pause in self.pauses:
            if pause.start <= day <= pause.end:
                return "pause"
        if day in self.rest_dates or weekday in self.rest_weekdays:
            return "rest day"
        if self.workdays_only and weekday in self.weekend:
            return "weekend"
        return None

    def is_off(self, day: date) -> bool:
        """Whether ``day`` neither counts nor breaks the streak."""
        return self.off_reason(day) is not None

    def day_counts(self, handled: int, minutes: float) -> bool:
        """Whether a (normal) day with this much work counts toward the streak."""
        by_questions = self.min_handled > 0 and handled >= self.min_handled
        by_minutes = self.min_minutes > 0 and minutes >= self.min_minutes
        return by_questions or by_minutes

    def describe(self) -> str:
        """The rules in one human line: 'a day counts with 1 handled question · work days only'."""
        needs = []
        if self.min_handled:
            needs.append(plural(self.min_handled, "handled question"))
        if self.min_minutes:
            needs.append(f"{plural(self.min_minutes, 'minute')} in sessions")
        parts = ["a day counts with " + " or ".join(needs)]
        if self.workdays_only:
            weekend = ", ".join(WEEKDAY_NAMES[d] for d in sorted(self.weekend)) or "none"
            parts.append(f"work days only (weekend: {weekend})")
        if self.rest_weekdays:
            parts.append(
                "rest every " + ", ".join(WEEKDAY_NAMES[d] for d in sorted(self.rest_weekdays))
            )
        if self.rest_dates:
            parts.append(f"{plural(len(self.rest_dates), 'rest day')} planned")
        for pause in self.pauses:
            parts.append(f"pause {pause.start.isoformat()} to {pause.end.isoformat()}")
        if self.max_freezes:
            per = (
                "a whole batch"
                if self.batches_per_freeze == 1
                else f"{self.batches_per_freeze} whole batches"
            )
            parts.append(f"a freeze for {per} (at most {self.max_freezes} held)")
        else:
            parts.append("no freezes")
        return " · ".join(parts)


# ----------------------------------------------------------------------------- parsing
def _whole(raw: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"[streak] {key} = {value!r} is not a whole number")
    if not low <= value <= high:
        raise ConfigError(f"[streak] {key} = {value!r} must be between {low} and {high}")
    return value


def _date(value: Any, setting: str) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(f"{setting} = {value!r} is not a date like 2026-12-24")


def weekday_number(name: str) -> int | None:
    """0 for 'mon' or 'Monday' ... 6 for 'sun'; None when ``name`` is not a weekday."""
    lowered = name.strip().lower()
    if lowered in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(lowered)
    if lowered in _LONG_NAMES:
        return _LONG_NAMES.index(lowered)
    return None


def _list(raw: dict[str, Any], key: str) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"[streak] {key} must be a list, like {key} = [...]")
    return value


def _weekend(raw: dict[str, Any]) -> frozenset[int]:
    if "weekend" not in raw:
        return DEFAULT_WEEKEND
    days = set()
    for n, item in enumerate(_list(raw, "weekend")):
        number = weekday_number(item) if isinstance(item, str) else None
        if number is None:
            raise ConfigError(f"[streak] weekend[{n}] = {item!r} is not a weekday name like sat")
        days.add(number)
    return frozenset(days)


def _rest_days(raw: dict[str, Any]) -> tuple[frozenset[date], frozenset[int]]:
    dates: set[date] = set()
    weekdays: set[int] = set()
    for n, item in enumerate(_list(raw, "rest_days")):
        number = weekday_number(item) if isinstance(item, str) else None
        if number is not None:
            weekdays.add(number)
            continue
        try:
            dates.add(_date(item, f"[streak] rest_days[{n}]"))
        except ConfigError:
            raise ConfigError(
                f"[streak] rest_days[{n}] = {item!r} is not a date like 2026-12-24 "
                "or a weekday name like sun"
            ) from None
    if len(weekdays) == 7:
        raise ConfigError("[streak] rest_days names every weekday: no day could ever count")
    return frozenset(dates), frozenset(weekdays)


def _pauses(raw: dict[str, Any]) -> tuple[Pause, ...]:
    pauses = []
    for n, item in enumerate(_list(raw, "pauses")):
        where = f"[streak] pauses[{n}]"
        if not isinstance(item, dict):
            raise ConfigError(
                f"{where} must be a table like {{ from = 2026-12-20, to = 2027-01-03 }}"
            )
        unknown = set(item) - {"from", "to"}
        if unknown:
            raise ConfigError(
                f"{where} has an unknown key {sorted(unknown)[0]!r} (known: from, to)"
            )
        for key in ("from", "to"):
            if key not in item:
                raise ConfigError(f"{where} needs {key} = YYYY-MM-DD")
        start = _date(item["from"], f"{where}.from")
        end = _date(item["to"], f"{where}.to")
        if end < start:
            raise ConfigError(
                f"{where}: to = {end.isoformat()} is before from = {start.isoformat()}"
            )
        pauses.append(Pause(start, end))
    return tuple(sorted(pauses))


def streak_rules_from_dict(raw: Any) -> StreakRules:
    """Validate the parsed ``[streak]`` table into StreakRules."""
    raw = config_table(raw, "streak", STREAK_KEYS)
    workdays_only = raw.get("workdays_only", False)
    if not isinstance(workdays_only, bool):
        raise ConfigError(f"[streak] workdays_only = {workdays_only!r} is not true or false")
    min_handled = _whole(raw, "min_handled", 1, 0, 1000)
    min_minutes = _whole(raw, "min_minutes", 0, 0, MAX_MINUTES)
    if min_handled == 0 and min_minutes == 0:
        raise ConfigError(
            "[streak] min_handled = 0 and min_minutes = 0: no day could ever count "
            "(set one of them above 0)"
        )
    rest_dates, rest_weekdays = _rest_days(raw)
    weekend = _weekend(raw)
    if workdays_only and len(weekend | rest_weekdays) == 7:
        raise ConfigError("[streak] weekend and rest_days cover every weekday: no day could count")
    return StreakRules(
        min_handled=min_handled,
        min_minutes=min_minutes,
        workdays_only=workdays_only,
        weekend=weekend,
        rest_dates=rest_dates,
        rest_weekdays=rest_weekdays,
        max_freezes=_whole(raw, "max_freezes", 2, 0, MAX_FREEZES),
        batches_per_freeze=_whole(raw, "batches_per_freeze", 1, 1, 100),
        pauses=_pauses(raw),
    )


def streak_rules_to_dict(rules: StreakRules) -> dict[str, Any]:
    """The ``[streak]`` table for TOML: only the settings that differ from the defaults."""
    default = StreakRules()
    doc: dict[str, Any] = {}
    for key in ("min_handled", "min_minutes", "workdays_only", "max_freezes", "batches_per_freeze"):
        if getattr(rules, key) != getattr(default, key):
            doc[key] = getattr(rules, key)
    if rules.weekend != default.weekend:
        doc["weekend"] = [WEEKDAY_NAMES[d] for d in sorted(rules.weekend)]
    if rules.rest_dates or rules.rest_weekdays:
        doc["rest_days"] = [d.isoformat() for d in sorted(rules.rest_dates)] + [
            WEEKDAY_NAMES[d] for d in sorted(rules.rest_weekdays)
        ]
    if rules.pauses:
        doc["pauses"] = [{"from": p.start, "to": p.end} for p in rules.pauses]
    return doc
