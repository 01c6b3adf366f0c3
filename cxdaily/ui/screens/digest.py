"""The digest screen: the digest rendered, for a period, a team and a tag switched by key,
its export to a file in any format, and sending it to the configured destinations.

Reached with ``D`` from anywhere (escape or q goes back). ``[`` and ``]`` step through the
periods, ``t`` through the teams, ``g`` through the tags found in the period and team
shown (a chosen tag the next period or team has no insight with is dropped, and a line
under the header says so); ``x`` exports, ``s`` sends (a dialog lists the destinations),
``o`` opens the HTML digest in a new browser tab when the app is served (``cxdaily
serve``). The digest is built and rendered to Markdown in a thread worker whenever a
filter changes, then shown by :class:`~cxdaily.ui.widgets.digest_view.DigestView` (a long
digest is shortened there: the export holds it whole). Everything shown went through
redaction first; the header's customer-side words reach the widgets only through
``ui.text``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import NamedTuple

from msgspec.structs import replace
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from cxdaily.core.errors import CxDailyError
from cxdaily.core.words import plural
from cxdaily.insights.delivery.schedule import digest_week
from cxdaily.insights.model import UNASSIGNED, Digest, tag_key
from cxdaily.insights.output import render, write_atomically
from cxdaily.insights.source import DigestRequest
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import DIGEST_COMMANDS, KeyedNode, key_names
from cxdaily.ui.modals.digest_export import ExportChoice, ExportScreen, default_path
from cxdaily.ui.text import safe, safe_line
from cxdaily.ui.widgets.digest_view import DigestPreview, DigestView, preview_markdown
from cxdaily.ui.widgets.key_footer import KeyFooter

Period = tuple[str, str, str | None]
"""A period offered: its label, ``--since`` and ``--until`` expressions."""

PERIODS: tuple[Period, ...] = (
    ("Last 7 days", "7d", None),
    ("Last 30 days", "30d", None),
    ("This week", "this week", None),
    ("Last week", "last week", "last week"),
    ("This month", "this month", None),
    ("Last month", "last month", "last month"),
    ("Last 90 days", "90d", None),
    ("This year", "this year", None),
)
"""The periods offered (the digest week is added second, see :func:`period_choices`)."""

DIGEST_WEEK = "Digest week"
"""The label of the latest digest week among the periods."""


def period_choices(week: Period) -> tuple[Period, ...]:
    """The periods the screen steps through: the last 7 days, the digest week, the rest."""
    return (PERIODS[0], week, *PERIODS[1:])


def header_line(
    period: str,
    team: str | None,
    tag: str | None,
    counts: Content | None = None,
    *,
    company: bool = False,
) -> Content:
    """``Digest · Last 7 days · all teams · all tags · 12 insights · 3 themes`` (``Company
    digest`` for every leader's insights in team mode)."""
    parts = [
        Content.styled("Company digest" if company else "Digest", "bold $accent"),
        Content.styled(period, "bold"),
        safe_line(team, 30) if team else Content.styled("all teams", "dim"),
        safe_line(tag, 30) if tag else Content.styled("all tags", "dim"),
    ]
    if counts is not None:
        parts.append(counts)
    return Content(" · ").join(parts)


def tags_in(digest: Digest) -> tuple[str, ...]:
    """The tags with insights in ``digest`` (what ``g`` steps through)."""
    return tuple(change.name for change in digest.tags if change.count)


def same_tag(tag: str, tags: tuple[str, ...]) -> str | None:
    """``tag`` as ``tags`` spell it (``churn risk`` for ``churn-risk``, see
    :func:`~cxdaily.insights.model.tag_key`), or None when none of them is it."""
    key = tag_key(tag)
    return next((found for found in tags if tag_key(found) == key), None)


def dropped_line(tag: str, period: str, team: str | None) -> Content:
    """``No billing insight in Last week: showing all tags.`` (``for product`` after the
    period when a team is chosen)."""
    team_words = (" for ", safe_line(team, 30)) if team else ()
    return Content.assemble(
        "No ",
        safe_line(tag, 30, "bold"),
        f" insight in {period}",
        *team_words,
        ": showing all tags.",
    ).stylize("$warning")


class BuiltDigest(NamedTuple):
    """A digest built for the screen, with the tags of its period and team."""

    digest: Digest
    preview: DigestPreview
    tags: tuple[str, ...]
    """The tags with insights in the period and team (with every tag)."""
    tag: str | None
    """The tag shown, as the period spells it (None: every tag)."""
    dropped: str | None
    """The tag asked for that the period and team have no insight with (else None)."""


def counts_line(digest: Digest, preview: DigestPreview) -> Content:
    """``12 insights · 3 themes`` (``showing 30`` when the view is shortened)."""
    words = f"{plural(digest.headline.insights.count, 'insight')} · "
    words += plural(len(digest.themes), "theme")
    if preview.shortened:
        words += f" · showing {preview.shown}"
    return Content.styled(words, "dim")


class DigestScreen(KeyedNode, Screen, commands=DIGEST_COMMANDS):
    """The insight digest, rendered; switch its period, team and tag; export or send it."""

    def __init__(self, period: str | None = None) -> None:
        """``period``: the label of the period to open on (the first one by default)."""
        super().__init__()
        self.digest: Digest | None = None
        self.markdown = ""
        self.periods: tuple[Period, ...] = PERIODS
        self.period_index = 0
        self._opening_period = period
        self.team: str | None = None
        self.tag: str | None = None
        self.company = False
        """Every leader's insights from the team database (team mode), not only yours."""
        self.tags_found: tuple[str, ...] = ()
        """The tags of the period and team with every tag (what ``g`` steps through)."""
        self.tags_scope: tuple[DigestRequest, bool] | None = None
        """The request (without its tag) and company switch ``tags_found`` were read for."""

    def compose(self) -> ComposeResult:
        """The header line, the rendered digest, the footer."""
        yield Static(id="digest-header")
        yield Static(id="digest-note")
        with VerticalScroll(id="digest-scroll"):
            yield Static(Content("Building the digest…"), id="digest-status")
            yield DigestView(id="digest-view")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Add the digest week to the periods, build the first digest; the digest scrolls
        with the keyboard."""
        settings = service_of(self).settings
        today = settings.session.days.today(service_of(self).now())
        first, last = digest_week(today, settings.digest.day)
        self.periods = period_choices((DIGEST_WEEK, first.isoformat(), last.isoformat()))
        labels = [label for label, _, _ in self.periods]
        if self._opening_period in labels:
            self.period_index = labels.index(self._opening_period)
        self.query_one("#digest-scroll").focus()
        self.reload()

    @property
    def teams(self) -> tuple[str | None, ...]:
        """What ``t`` steps through: every team (None), each configured team, unassigned."""
        return (None, *service_of(self).settings.taxonomy.teams, UNASSIGNED)

    def period_label(self) -> str:
        """The chosen period in words (``Last 7 days``)."""
        return self.periods[self.period_index][0]

    def file_label(self) -> str:
        """What a file of this digest is named after: the period, and the team and the
        tag when one is chosen (``Last 7 days engineering billing``), so that exports of
        two teams' digests do not take one name."""
        return " ".join(part for part in (self.period_label(), self.team, self.tag) if part)

    def request(self, *, redact: bool = True, initials: bool = False) -> DigestRequest:
        """What the chosen period, team and tag ask for."""
        from cxdaily.insights.redact import Redaction

        _, since, until = self.periods[self.period_index]
        return DigestRequest(
            since=since,
            until=until,
            team=self.team,
            tag=self.tag,
            redaction=Redaction(enabled=redact, initials=initials),
        )

    def tag_scope(self) -> tuple[DigestRequest, bool]:
        """What the tags ``g`` steps through depend on: the period, the team and the
        company switch (the request without its tag)."""
        return replace(self.request(), tag=None), self.company

    def action_period(self, step: int) -> None:
        """The next (or previous) period."""
        self.period_index = (self.period_index + step) % len(self.periods)
        self.reload()

    def action_cycle_team(self) -> None:
        """The next team; after the last one, every team again."""
        teams = self.teams
        at = teams.index(self.team) if self.team in teams else 0
        self.team = teams[(at + 1) % len(teams)]
        self.reload()

    def action_toggle_company(self) -> None:
        """The company digest (every leader's insights, team mode), or the leader's own."""
        self.company = not self.company
        self.reload()

    def action_cycle_tag(self) -> None:
        """The next tag found in the period; after the last one, every tag again (not
        until the tags of the period and team shown are read)."""
        if self.tags_scope != self.tag_scope():
            self.notify("The tags of this period and team are not read yet.", markup=False)
            return
        tags: tuple[str | None, ...] = (None, *self.tags_found)
        if len(tags) == 1:
            self.notify("No tags in this period and team.", severity="warning", markup=False)
            return
        at = tags.index(self.tag) if self.tag in tags else 0
        self.tag = tags[(at + 1) % len(tags)]
        self.reload()

    def reload(self) -> None:
        """Build the digest of the chosen period, team and tag in the background."""
        self.query_one("#digest-header", Static).update(
            header_line(self.period_label(), self.team, self.tag, company=self.company)
        )
        status = self.query_one("#digest-status", Static)
        status.update(Content.styled("Building the digest…", "dim italic"))
        status.display = True
        self.query_one("#digest-note", Static).display = False
        known = self.tags_found if self.tags_scope == self.tag_scope() else None
        export_key = key_names(self).key("digest_export")
        self.build_preview(self.request(), export_key, self.company, known)

    @work(thread=True, exclusive=True, group="digest", exit_on_error=False)
    def build_preview(
        self,
        request: DigestRequest,
        export_key: str,
        company: bool,
        known_tags: tuple[str, ...] | None,
    ) -> None:
        """Read the store (or, for the company digest, the team database) and render the
        Markdown off the UI thread. ``known_tags``: the tags of the request's period and
        team, None when they changed: with a tag chosen, the digest with every tag is
        read first, and the tag kept only if the period and team have insights with it."""
        service = service_of(self)
        build = service.team_digest if company else service.digest
        try:
            tag, dropped = request.tag, None
            if tag is not None and known_tags is None:
                digest = build(replace(request, tag=None))
                known_tags = tags_in(digest)
                tag = same_tag(tag, known_tags)
                if tag is None:
                    dropped = request.tag
                else:
                    digest = build(replace(request, tag=tag))
            else:
                digest = build(request)
            tags = tags_in(digest) if known_tags is None else known_tags
            built = BuiltDigest(digest, preview_markdown(digest, export_key), tags, tag, dropped)
        except CxDailyError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, request, company, built)

    def _show(self, request: DigestRequest, company: bool, built: BuiltDigest) -> None:
        if request != self.request() or company != self.company:
            return  # the leader moved on: a newer build is on its way
        digest, preview = built.digest, built.preview
        self.digest, self.markdown = digest, preview.markdown
        self.tag, self.tags_found = built.tag, built.tags
        self.tags_scope = self.tag_scope()
        if built.dropped is not None:
            note = self.query_one("#digest-note", Static)
            note.update(dropped_line(built.dropped, self.period_label(), self.team))
            note.display = True
        self.query_one("#digest-header", Static).update(
            header_line(
                self.period_label(),
                self.team,
                self.tag,
                counts_line(digest, preview),
                company=self.company,
            )
        )
        self.show_markdown(self.request(), preview.markdown)

    @work(exclusive=True, group="digest-view", exit_on_error=False)
    async def show_markdown(self, request: DigestRequest, markdown: str) -> None:
        """Mount the rendered digest (in batches: the keys keep working meanwhile)."""
        await self.query_one("#digest-view", DigestView).update(markdown)
        if request == self.request():
            self.query_one("#digest-status", Static).display = False
            self.query_one("#digest-scroll", VerticalScroll).scroll_home(animate=False)

    def _failed(self, message: str) -> None:
        status = self.query_one("#digest-status", Static)
        status.update(safe(message, "$error"))
        status.display = True
        self.notify(message, severity="error", markup=False)

    def action_send(self) -> None:
        """Pick destinations and send the digest of the chosen period, team and tag."""
        from cxdaily.ui.modals.digest_send import DigestSendScreen

        what = header_line(self.period_label(), self.team, self.tag)
        if self.digest is not None:
            what = Content.assemble(what, "\n", Content.styled(self.digest.period.label, "dim"))
        self.app.push_screen(DigestSendScreen(self.request(), what))

    def action_export(self) -> None:
        """Ask for a format and a file, then write the digest there."""
        self.app.push_screen(ExportScreen(self.file_label()), callback=self._after_export_choice)

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
        self.deliver_html(self.request(), Path(default_path("html", self.file_label())).name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The new-tab key works (and shows) only when the app is served in a browser: a
        terminal has no tab to open (``x`` exports the file there); the company key only
        in team mode."""
        if action == "toggle_company":  # only in team mode
            return service_of(self).team is not None
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
