"""The digest screen: a preview of the Markdown digest for a period and a team, and an
export to a file in any format.

Reached with ``D`` from anywhere (escape or q goes back); ``x`` exports; ``o`` opens the
HTML digest in a new browser tab when the app is served (``cxdaily serve``). The digest is
built in a thread worker whenever the period or the team changes; the preview shows the
Markdown as it would be pasted, cut after :data:`PREVIEW_LINES` lines. Everything shown
went through redaction first and reaches the widgets only through ``ui.text``.
"""

from __future__ import annotations

import io
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Select, Static

from cxdaily.core.errors import CxDailyError
from cxdaily.core.words import plural
from cxdaily.insights.model import UNASSIGNED, Digest
from cxdaily.insights.output import render, write_atomically
from cxdaily.insights.source import DigestRequest
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import DEFAULT_KEY_NAMES, DIGEST_COMMANDS, KeyNames, bindings, key_names
from cxdaily.ui.modals.digest_export import ExportChoice, ExportScreen, default_path
from cxdaily.ui.text import safe, safe_line

PREVIEW_LINES = 400
ALL_TEAMS = "*"

PERIODS: tuple[tuple[str, str, str | None], ...] = (
    ("Last 7 days", "7d", None),
    ("Last 30 days", "30d", None),
    ("This week", "this week", None),
    ("Last week", "last week", "last week"),
    ("This month", "this month", None),
    ("Last month", "last month", "last month"),
    ("Last 90 days", "90d", None),
    ("This year", "this year", None),
)
"""The periods offered: label, ``--since`` and ``--until`` expressions."""


def preview_content(
    markdown: str, limit: int = PREVIEW_LINES, keys: KeyNames = DEFAULT_KEY_NAMES
) -> Content:
    """The Markdown as the leader would paste it, headings emphasised, cut to ``limit``
    lines (customer text stays literal: never parsed as markup)."""
    lines = markdown.splitlines()
    shown: list[Content] = []
    for text in lines[:limit]:
        if text.startswith("#"):
            shown.append(safe(text, "bold $accent"))
        elif text.startswith("- **") or text.startswith("**"):
            shown.append(safe(text, "bold"))
        else:
            shown.append(safe(text))
    if len(lines) > limit:
        shown.append(
            Content.styled(
                f"\n… {len(lines) - limit} more lines: press {keys.key('digest_export')} "
                "to export the whole digest.",
                "dim italic",
            )
        )
    return Content("\n").join(shown)


class DigestScreen(Screen):
    """Preview and export the insight digest."""

    BINDINGS = bindings(DIGEST_COMMANDS)
    KEY_COMMANDS = DIGEST_COMMANDS

    def __init__(self) -> None:
        super().__init__()
        self.digest: Digest | None = None
        self.markdown = ""

    def compose(self) -> ComposeResult:
        """Title, the filters, the preview."""
        yield Static(Content.styled("Insight digest", "bold"), id="digest-title")
        with Horizontal(id="digest-filters"):
            yield Select(
                [(Content(label), since) for label, since, _ in PERIODS],
                value=PERIODS[0][1],
                allow_blank=False,
                id="digest-period",
                compact=True,
            )
            yield Select(
                self._team_options(),
                value=ALL_TEAMS,
                allow_blank=False,
                id="digest-team",
                compact=True,
            )
            yield Static(id="digest-summary")
        with VerticalScroll(id="digest-scroll"):
            yield Static(Content("Building the digest…"), id="digest-preview")
        yield Footer()

    def _team_options(self) -> list[tuple[Content, str]]:
        teams = service_of(self).settings.taxonomy.teams
        return [(Content("All teams"), ALL_TEAMS)] + [
            (safe_line(team, 30), team) for team in (*teams, UNASSIGNED)
        ]

    def on_mount(self) -> None:
        """Build the first preview; the preview scrolls with the keyboard."""
        self.query_one("#digest-scroll").focus()
        self.reload()

    def on_select_changed(self, event: Select.Changed) -> None:
        """A new period or team: build again."""
        if event.select.id in ("digest-period", "digest-team"):
            self.reload()

    def request(self, *, redact: bool = True, initials: bool = False) -> DigestRequest:
        """What the filters ask for."""
        from cxdaily.insights.redact import Redaction

        since = str(self.query_one("#digest-period", Select).value)
        until = next((u for _, s, u in PERIODS if s == since), None)
        team = self.query_one("#digest-team", Select).value
        return DigestRequest(
            since=since,
            until=until,
            team=None if team == ALL_TEAMS else str(team),
            redaction=Redaction(enabled=redact, initials=initials),
        )

    def reload(self) -> None:
        """Build the digest of the chosen period and team in the background."""
        self.build_preview(self.request())

    @work(thread=True, exclusive=True, group="digest", exit_on_error=False)
    def build_preview(self, request: DigestRequest) -> None:
        """Read the store and render the Markdown off the UI thread."""
        try:
            digest = service_of(self).digest(request)
            markdown = render(digest, "md")
        except CxDailyError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, digest, markdown)

    def _show(self, digest: Digest, markdown: str) -> None:
        self.digest, self.markdown = digest, markdown
        head = digest.headline
        summary = f"{plural(head.insights.count, 'insight')} · {head.insights.words}"
        self.query_one("#digest-summary", Static).update(Content.styled(summary, "dim"))
        self.query_one("#digest-preview", Static).update(
            preview_content(markdown, keys=key_names(self))
        )
        self.query_one("#digest-scroll", VerticalScroll).scroll_home(animate=False)

    def _failed(self, message: str) -> None:
        self.query_one("#digest-preview", Static).update(safe(message, "$error"))
        self.notify(message, severity="error", markup=False)

    def period_label(self) -> str:
        """The chosen period in words (``Last 7 days``)."""
        since = str(self.query_one("#digest-period", Select).value)
        return next((label for label, s, _ in PERIODS if s == since), since)

    def action_export(self) -> None:
        """Ask for a format and a file, then write the digest there."""
        self.app.push_screen(ExportScreen(self.period_label()), callback=self._after_export_choice)

    def _after_export_choice(self, choice: ExportChoice | None) -> None:
        if choice is not None:
            self.export(choice, self.request(redact=choice.redact, initials=choice.initials))

    @work(thread=True, group="digest-export", exit_on_error=False)
    def export(self, choice: ExportChoice, request: DigestRequest) -> None:
        """Build, render and write the file atomically, off the UI thread."""
        try:
            digest = service_of(self).digest(request)
            path = write_atomically(choice.path, render(digest, choice.format))
        except CxDailyError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        count = len(digest.insights)
        self.app.call_from_thread(
            self.notify,
            f"Wrote {path} ({plural(count, 'insight')}).",
            title="Digest exported",
            markup=False,
        )

    # ------------------------------------------------------ the HTML digest in a browser tab
    def action_open_in_tab(self) -> None:
        """Open the HTML digest of the chosen period and team (redacted) in a new browser
        tab: the app hands the page to the server it is served by (``cxdaily serve``),
        which serves it under the same token."""
        self.deliver_html(self.request(), Path(default_path("html", self.period_label())).name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The new-tab key works (and shows) only when the app is served in a browser: a
        terminal has no tab to open (``x`` exports the file there)."""
        return self.app.is_web if action == "open_in_tab" else True

    @work(thread=True, group="digest-tab", exit_on_error=False)
    def deliver_html(self, request: DigestRequest, file_name: str) -> None:
        """Build and render the HTML off the UI thread, then hand it to the browser."""
        try:
            html = render(service_of(self).digest(request), "html")
        except CxDailyError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(
            self.app.deliver_text,
            io.StringIO(html),
            save_filename=file_name,
            open_method="browser",
            mime_type="text/html",
            encoding="utf-8",
        )

    def action_back(self) -> None:
        """Close the digest."""
        self.dismiss()
