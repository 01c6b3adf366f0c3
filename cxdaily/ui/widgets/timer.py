"""The session clock: time left against questions left."""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.events import Resize
from textual.widgets import Static

from cxdaily.core.words import about_minutes, plural
from cxdaily.ui.repaint import update_in_place


def format_clock(seconds: float) -> str:
    """'12:05' for seconds left; never negative (see :func:`clock_words`)."""
    seconds = max(int(seconds), 0)
    return f"{seconds // 60}:{seconds % 60:02d}"


def clock_words(left_s: float) -> tuple[str, str]:
    """The clock and what follows it: ('12:05', ' left') or, past the budget,
    ('5 min', ' over') (whole minutes over, at least one)."""
    if left_s >= 0:
        return format_clock(left_s), " left"
    over = max(int(-left_s) // 60, 1)
    return f"{over} min", " over"


def pace_words(left_s: float, items_left: int, estimate_left_s: int) -> tuple[str, str]:
    """A short verdict on the pace and its style."""
    if items_left == 0:
        return "batch done", "$success"
    if left_s <= 0:
        return "time is up", "$error"
    if estimate_left_s > left_s * 1.15:
        return "behind pace", "$warning"
    return "on pace", "$success"


class SessionTimer(Static):
    """Renders the countdown; the session screen feeds it every second."""

    _figures: tuple[float, int, int, int, int, int] | None = None
    """The figures shown last (shown again at a new width)."""

    def show(
        self,
        left_s: float,
        budget_s: int,
        items_left: int,
        items_total: int,
        estimate_left_s: int,
        streak: int,
    ) -> None:
        """Redraw with the current figures (on a screen too narrow for them all, without
        the estimate, so the pace and the streak still show)."""
        self._figures = (left_s, budget_s, items_left, items_total, estimate_left_s, streak)
        verdict, style = pace_words(left_s, items_left, estimate_left_s)
        clock_style = (
            "$error bold"
            if left_s < 0
            else ("$warning bold" if left_s < budget_s * 0.2 else "bold")
        )
        clock, tail = clock_words(left_s)
        head = (
            Content.styled(f"⏱ {clock}", clock_style),
            f"{tail} · ",
            Content.styled(f"{items_left} of {items_total}", "bold"),
        )
        estimate = f" to go (about {about_minutes(estimate_left_s, least=0)} min)"
        ending = (" · ", Content.styled(verdict, style), f" · streak {plural(streak, 'day')}")
        shown = Content.assemble(*head, estimate, *ending)
        width = self.content_region.width
        if 0 < width < cell_len(shown.plain):  # narrow: the estimate goes, the streak stays
            shown = Content.assemble(*head, *ending)
        update_in_place(self, shown)

    def on_resize(self, event: Resize) -> None:
        """Fit the figures to the new width."""
        if self._figures is not None:
            self.show(*self._figures)
