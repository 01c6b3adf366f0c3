"""The stats screen: the streak in figures, a year's heatmap, personal stats and the rules.

Reached with ``S`` from anywhere (escape or q goes back). The figures are read in a
thread worker; an error becomes a notification and the screen says what is missing.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from cxdaily.core.errors import CxDailyError
from cxdaily.core.words import plural
from cxdaily.streaks import Streak
from cxdaily.streaks.stats import PersonalStats, format_seconds
from cxdaily.streaks.words import until_break
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import STATS_COMMANDS, KeyedNode
from cxdaily.ui.widgets.heatmap import YearHeatmap
from cxdaily.ui.widgets.key_footer import KeyFooter


def figures(streak: Streak) -> Content:
    """Current, longest and total days, freezes, today and days until the streak breaks."""
    if streak.today_counts:
        today = Content.styled(f"counts ({streak.handled_today} handled)", "$success")
    elif streak.today_off:
        today = Content.styled(f"{streak.today_off}: neither counts nor breaks", "dim")
    else:
        today = Content.styled("does not count yet", "$warning")
    outlook = until_break(streak)
    style = "dim" if outlook.days is None else "$warning bold" if outlook.urgent else "bold"
    until = Content.styled(outlook.figure, style)
    freezes = (
        Content.assemble(
            Content.styled(str(streak.freezes), "bold"), f" of {streak.rules.max_freezes}"
        )
        if streak.rules.max_freezes
        else Content.styled("off", "dim")
    )
    rows = [
        ("Current streak", Content.styled(plural(streak.current, "day"), "$accent bold")),
        ("Longest streak", Content.styled(plural(streak.longest, "day"), "bold")),
        ("Days in all", Content.styled(str(streak.total_days), "bold")),
        ("Freezes held", freezes),
        ("Today", today),
        ("Until it breaks", until),
    ]
    return Content("\n").join(
        Content.assemble(Content.styled(f"{label:<17}", "dim"), value) for label, value in rows
    )


def stats_content(stats: PersonalStats) -> Content:
    """Personal stats as a small table."""
    minutes = stats.median_minutes
    median = "-" if minutes is None else "under a minute" if minutes < 1 else f"{minutes:.0f} min"
    rows = [
        ("Sessions a week", f"{stats.sessions_per_week:.1f}"),
        ("Median session", median),
        ("Answered", str(stats.answered)),
        ("Insights a week", f"{stats.insights_per_week:.1f}"),
        ("Time per question", format_seconds(stats.seconds_per_question)),
    ]
    weeks = round(stats.weeks)
    title = Content.styled(f"Last {plural(weeks, 'week')}", "bold $primary")
    return Content("\n").join(
        [title]
        + [
            Content.assemble(Content.styled(f"{label:<19}", "dim"), Content.styled(value, "bold"))
            for label, value in rows
        ]
    )


def rules_content(streak: Streak, zone: str, day_start: str) -> Content:
    """The rules in force, in words (from the config file)."""
    return Content.assemble(
        Content.styled("Rules ", "bold $primary"),
        Content.styled(
            f"days in {zone} from {day_start} · {streak.rules.describe()} "
            "(the [streak] table of config.toml)",
            "dim",
        ),
    )


class StatsScreen(KeyedNode, Screen, commands=STATS_COMMANDS):
    """Streak, a year's calendar and personal stats."""

    def __init__(self) -> None:
        super().__init__()
        self.streak: Streak | None = None
        self.stats: PersonalStats | None = None

    def compose(self) -> ComposeResult:
        """Title, figures, the heatmap, personal stats and the rules."""
        with VerticalScroll(id="stats"):
            yield Static(Content.styled("Streak and stats", "bold"), id="stats-title")
            yield Static(Content.styled("Reading your history…", "dim"), id="stats-figures")
            yield YearHeatmap(id="stats-heatmap")
            yield Static(id="stats-personal")
            yield Static(id="stats-rules")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Read the history off the UI thread."""
        self.load()

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def load(self) -> None:
        """Compute the streak and the stats in a thread, then show them."""
        service = service_of(self)
        try:
            streak, stats = service.streak(), service.stats()
        except CxDailyError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self.show, streak, stats)

    def _failed(self, message: str) -> None:
        self.notify(message, severity="error", markup=False)
        self.query_one("#stats-figures", Static).update(
            Content.styled("Your history could not be read.", "$error")
        )

    def show(self, streak: Streak, stats: PersonalStats) -> None:
        """Fill the screen with ``streak`` and ``stats``."""
        self.streak, self.stats = streak, stats
        session = service_of(self).settings.session
        self.query_one("#stats-figures", Static).update(figures(streak))
        self.query_one(YearHeatmap).show(streak)
        self.query_one("#stats-personal", Static).update(stats_content(stats))
        self.query_one("#stats-rules", Static).update(
            rules_content(streak, session.timezone, session.day_start.strftime("%H:%M"))
        )

    def action_back(self) -> None:
        """Back to where the leader was."""
        self.dismiss()
