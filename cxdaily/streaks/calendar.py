"""The streak calendar as a grid of weeks, and its plain-text heatmap.

A pure layout shared by ``cxdaily streak`` (plain characters) and the app's heatmap
widget (colours): one column per week (Monday first), the last column holding today.
Each cell says what the day was: counted (with a level 1-4 by questions handled),
something handled that did not count, saved by a freeze, an off day, empty, or not yet.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

import msgspec

from cxdaily.streaks import Streak

WEEKS_IN_A_YEAR = 53
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ROW_LABELS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


class DayState(StrEnum):
    """What a calendar day was."""

    FUTURE = "future"
    EMPTY = "empty"  # a normal day with nothing that counted
    OFF = "off"  # weekend (work-days mode), rest day or pause, with nothing handled
    FROZEN = "frozen"  # missed, covered by a freeze
    BELOW = "below"  # something handled, not enough to count (or on an off day)
    COUNTED = "counted"


class DayCell(msgspec.Struct, frozen=True):
    """One day of the grid."""

    day: date
    state: DayState
    handled: int
    level: int
    """0 for no activity, 1-4 for counted days by questions handled (4: the busiest)."""
    is_today: bool = False


#: Plain characters of the text heatmap, by state (counted days use LEVEL_CHARS).
STATE_CHARS = {
    DayState.FUTURE: " ",
    DayState.EMPTY: ".",
    DayState.OFF: "-",
    DayState.FROZEN: "~",
    DayState.BELOW: ",",
}
LEVEL_CHARS = ("", ":", "+", "*", "#")
LEGEND = ". nothing  , not enough  - off day  ~ freeze  : + * # handled (fewer to more)"


def level_of(handled: int, busiest: int) -> int:
    """A counted day's level 1-4 by quartile of the busiest day shown."""
    if handled <= 0 or busiest <= 0:
        return 1
    return min(4, max(1, -(-4 * handled // busiest)))


def day_state(day: date, streak: Streak) -> DayState:
    """What ``day`` was under the streak's rules."""
    if day > streak.today:
        return DayState.FUTURE
    if day in streak.counted_days:
        return DayState.COUNTED
    if day in streak.frozen_days:
        return DayState.FROZEN
    if streak.calendar.get(day, 0) > 0:
        return DayState.BELOW
    if streak.rules.is_off(day):
        return DayState.OFF
    return DayState.EMPTY


def week_columns(streak: Streak, weeks: int = WEEKS_IN_A_YEAR) -> list[tuple[DayCell, ...]]:
    """``weeks`` columns of seven days (Monday first), oldest first, ending with today's week."""
    weeks = max(1, weeks)
    first_monday = streak.today - timedelta(days=streak.today.weekday(), weeks=weeks - 1)
    days = [first_monday + timedelta(days=n) for n in range(weeks * 7)]
    busiest = max((streak.calendar.get(d, 0) for d in days if d in streak.counted_days), default=0)
    columns: list[tuple[DayCell, ...]] = []
    for week in range(weeks):
        cells = []
        for day in days[week * 7 : week * 7 + 7]:
            state = day_state(day, streak)
            handled = streak.calendar.get(day, 0)
            level = level_of(handled, busiest) if state is DayState.COUNTED else 0
            cells.append(DayCell(day, state, handled, level, day == streak.today))
        columns.append(tuple(cells))
    return columns


def month_labels(columns: list[tuple[DayCell, ...]], cell_width: int = 1) -> str:
    """A line naming each month above the column of its first Monday (labels never overlap)."""
    line = [" "] * (len(columns) * cell_width)
    last_end = -1
    for index, column in enumerate(columns):
        first = column[0].day
        if first.day > 7 and index != 0:
            continue  # not the first week of a month
        if index == 0 and first.day > 7 and len(columns) > 4:
            continue  # a partial month at the left edge would crowd the next label
        start = index * cell_width
        label = MONTHS[first.month - 1]
        if start <= last_end or start + len(label) > len(line):
            continue
        line[start : start + len(label)] = label
        last_end = start + len(label)
    return "".join(line).rstrip()


def cell_char(cell: DayCell) -> str:
    """The plain character of a cell in the text heatmap."""
    if cell.state is DayState.COUNTED:
        return LEVEL_CHARS[cell.level]
    return STATE_CHARS[cell.state]


def text_heatmap(streak: Streak, weeks: int = WEEKS_IN_A_YEAR) -> list[str]:
    """The calendar as plain lines: month names, one row per weekday, and the legend."""
    columns = week_columns(streak, weeks)
    lines = ["    " + month_labels(columns)]
    for row, label in enumerate(ROW_LABELS):
        lines.append(f"{label:<4}" + "".join(cell_char(column[row]) for column in columns).rstrip())
    lines.append("    " + LEGEND)
    return lines
