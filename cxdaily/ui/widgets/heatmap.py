"""Calendar heatmaps of the streak, coloured from theme variables.

:class:`YearHeatmap` draws a year (or as many weeks as fit): month names, one row per
weekday, one cell per day, and a legend (on two lines when the terminal is narrow).
:class:`CompactHeatmap` packs the last weeks into four rows with half blocks (two days a
cell) beside a few words on the streak, for the start screen. Both take a
:class:`~cxdaily.streaks.Streak` and lay it out with :mod:`cxdaily.streaks.calendar`;
neither shows customer text.
"""

from __future__ import annotations

from typing import NamedTuple

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from cxdaily.core.words import plural
from cxdaily.streaks import Streak
from cxdaily.streaks.calendar import (
    ROW_LABELS,
    WEEKS_IN_A_YEAR,
    DayCell,
    DayState,
    month_labels,
    week_columns,
)
from cxdaily.streaks.words import until_break
from cxdaily.ui.keys import DEFAULT_KEY_NAMES, key_names


class DayLook(NamedTuple):
    """How a kind of day is drawn in the full heatmap."""

    glyph: str
    colour: str
    """A Textual style over theme variables ("" for none; counted days: LEVEL_COLOURS)."""


DAY_LOOKS = {
    DayState.FUTURE: DayLook(" ", ""),
    DayState.EMPTY: DayLook("■", "$foreground 14%"),
    DayState.OFF: DayLook("·", "$foreground 7%"),
    DayState.FROZEN: DayLook("◆", "$primary"),
    DayState.BELOW: DayLook("■", "$warning 55%"),
    DayState.COUNTED: DayLook("■", ""),
}
LEVEL_COLOURS = ("", "$success 40%", "$success 60%", "$success 80%", "$success")
TODAY_OPEN = "$accent"
LABEL_WIDTH = 4


def cell_colour(cell: DayCell) -> str:
    """The style of a day's cell."""
    if cell.state is DayState.COUNTED:
        return LEVEL_COLOURS[cell.level]
    if cell.is_today:
        return TODAY_OPEN
    return DAY_LOOKS[cell.state].colour


def cell_glyph(cell: DayCell) -> str:
    """The character of a day's cell ('□' for today while it does not count yet)."""
    if cell.is_today and cell.state is not DayState.COUNTED:
        return "□"
    return DAY_LOOKS[cell.state].glyph


LEGEND_GAP = Content("  ")
"""Between two entries of the legend."""


def legend_entries() -> list[Content]:
    """What the colours mean, one entry per kind of day (never split across lines)."""
    return [
        Content.assemble(
            Content.styled("less ", "dim"),
            *(Content.styled("■", colour) for colour in LEVEL_COLOURS[1:]),
            Content.styled(" more", "dim"),
        ),
        Content.assemble(
            Content.styled("◆", DAY_LOOKS[DayState.FROZEN].colour),
            Content.styled(" freeze", "dim"),
        ),
        Content.assemble(
            Content.styled("■", DAY_LOOKS[DayState.BELOW].colour),
            Content.styled(" not enough", "dim"),
        ),
        Content.assemble(Content.styled("·", "$foreground 40%"), Content.styled(" off", "dim")),
        Content.assemble(Content.styled("□", TODAY_OPEN), Content.styled(" today", "dim")),
    ]


def legend_lines(width: int) -> list[Content]:
    """The legend in lines of at most ``width`` cells (one line in 80 columns, two in 60):
    its entries two spaces apart, an entry that does not fit beginning the next line."""
    lines: list[list[Content]] = [[]]
    used = 0
    for entry in legend_entries():
        needed = entry.cell_length + (LEGEND_GAP.cell_length if lines[-1] else 0)
        if lines[-1] and used + needed > width:
            lines.append([])
            used, needed = 0, entry.cell_length
        lines[-1].append(entry)
        used += needed
    return [LEGEND_GAP.join(line) for line in lines]


def grid_room(width: int) -> int:
    """The cells beside the weekday labels in ``width`` (the days, the legend)."""
    return max(width - LABEL_WIDTH, 1)


def year_height(width: int) -> int:
    """The lines :func:`year_lines` takes at ``width``: month names, a row per weekday,
    the legend."""
    return 1 + len(ROW_LABELS) + len(legend_lines(grid_room(width)))


def year_lines(streak: Streak, width: int, max_weeks: int = WEEKS_IN_A_YEAR) -> Content:
    """The full heatmap in ``width`` cells: two cells a day when they fit, else one."""
    room = grid_room(width)
    cell_width = 2 if room >= 2 * max_weeks else 1
    weeks = max(1, min(max_weeks, room // cell_width))
    columns = week_columns(streak, weeks)
    lines = [Content.styled(" " * LABEL_WIDTH + month_labels(columns, cell_width), "dim")]
    for row, label in enumerate(ROW_LABELS):
        parts = [Content.styled(f"{label:<{LABEL_WIDTH}}", "dim")]
        for column in columns:
            cell = column[row]
            style = cell_colour(cell) + (" bold" if cell.is_today else "")
            parts.append(Content.styled(cell_glyph(cell), style.strip()))
            if cell_width == 2:
                parts.append(Content(" "))
        lines.append(Content.assemble(*parts))
    lines.extend(Content.assemble(" " * LABEL_WIDTH, line) for line in legend_lines(room))
    return Content("\n").join(lines)


def _half_block(top: DayCell | None, bottom: DayCell | None) -> Content:
    """Two days in one cell: the upper half is ``top``, the lower half ``bottom``."""
    top_colour = cell_colour(top) if top and top.state is not DayState.FUTURE else ""
    bottom_colour = cell_colour(bottom) if bottom and bottom.state is not DayState.FUTURE else ""
    if top_colour and bottom_colour:
        return Content.styled("▀", f"{top_colour} on {bottom_colour}")
    if top_colour:
        return Content.styled("▀", top_colour)
    if bottom_colour:
        return Content.styled("▄", bottom_colour)
    return Content(" ")


def streak_words(streak: Streak, stats_keys: str = DEFAULT_KEY_NAMES.key("stats")) -> list[Content]:
    """Up to four short lines on the streak, for beside the compact heatmap."""
    longest = Content.assemble(
        Content.styled(f"longest {streak.longest}", "bold"),
        Content.styled(f" · {plural(streak.total_days, 'day')}", "dim"),
    )
    if streak.rules.max_freezes:
        freezes = Content.assemble(
            Content.styled("◆ ", DAY_LOOKS[DayState.FROZEN].colour),
            f"{streak.freezes} of {streak.rules.max_freezes} freezes",
        )
    else:
        freezes = Content.styled("no freezes", "dim")
    if streak.current == 0 and not streak.today_counts:
        status = Content.styled("handle a question to start", "$accent")
    elif streak.today_off and not streak.today_counts:
        status = Content.styled(f"today: {streak.today_off}, off", "dim")
    else:
        outlook = until_break(streak)
        status = Content.styled(outlook.line, "$warning bold" if outlook.urgent else "bold")
    return [longest, freezes, status, Content.styled(f"{stats_keys} stats and calendar", "dim")]


def compact_lines(
    streak: Streak,
    width: int,
    max_weeks: int = 20,
    stats_keys: str = DEFAULT_KEY_NAMES.key("stats"),
) -> Content:
    """The last weeks as four rows of half blocks, with the streak in words beside them."""
    words = streak_words(streak, stats_keys)
    words_width = max(len(w.plain) for w in words) + 2
    weeks = max(4, min(max_weeks, width - words_width))
    columns = week_columns(streak, weeks)
    lines = []
    for pair in range(4):
        top_row, bottom_row = 2 * pair, 2 * pair + 1
        cells = [
            _half_block(column[top_row], column[bottom_row] if bottom_row < 7 else None)
            for column in columns
        ]
        lines.append(Content.assemble(*cells, "  ", words[pair]))
    return Content("\n").join(lines)


class YearHeatmap(Widget):
    """A year of the streak as a heatmap; call :meth:`show` with a streak."""

    DEFAULT_CSS = """
    YearHeatmap {
        height: auto;
        width: 1fr;
    }
    """

    def __init__(self, *, max_weeks: int = WEEKS_IN_A_YEAR, id: str | None = None) -> None:
        super().__init__(id=id)
        self.max_weeks = max_weeks
        self.streak: Streak | None = None

    def show(self, streak: Streak) -> None:
        """Draw ``streak``."""
        self.streak = streak
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As many lines as the heatmap takes at ``width`` (9, more when the legend wraps),
        with a streak or before one is shown."""
        return year_height(width)

    def render(self) -> Content:
        """The heatmap at the widget's width."""
        if self.streak is None:
            return Content("")
        return year_lines(self.streak, self.size.width, self.max_weeks)


class CompactHeatmap(Widget):
    """The last 12-20 weeks in four rows, with the streak in words; hidden until shown."""

    DEFAULT_CSS = """
    CompactHeatmap {
        height: 4;
        width: 1fr;
        margin-top: 1;
        display: none;
    }
    """

    def __init__(self, *, max_weeks: int = 20, id: str | None = None) -> None:
        super().__init__(id=id)
        self.max_weeks = max_weeks
        self.streak: Streak | None = None

    def show(self, streak: Streak) -> None:
        """Draw ``streak`` (and make the widget visible)."""
        self.streak = streak
        self.display = True
        self.refresh()

    def render(self) -> Content:
        """The compact heatmap at the widget's width."""
        if self.streak is None:
            return Content("")
        stats_keys = key_names(self).key("stats")
        return compact_lines(self.streak, self.size.width, self.max_weeks, stats_keys)
