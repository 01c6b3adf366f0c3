"""The selected question: channel, author, reasons, the thread, the latest message, and
the leader's reply to it.

The reply (:func:`reply_content`) is read from the outbox in a thread worker, so moving
through the queue never waits on it: once sent, its text, when it went (how long ago and
the local time in the leader's home zone) and the service's link to it; before that,
where it is (queued, sending, failed, held), its attempts and why it waits. A send that
finishes while the question is shown updates it (:func:`show_reply_everywhere`).

Every customer-supplied string goes through :mod:`cxdaily.ui.text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Author, Question, Reply, ReplyState
from cxdaily.core.safe_text import one_line
from cxdaily.core.services import SERVICE_NAMES
from cxdaily.core.words import ago, humanize_age, humanize_count, plural
from cxdaily.curation import BatchItem
from cxdaily.replies.outbox_words import attempts_words, state_words, undo_window_words
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import DEFAULT_KEY_NAMES, KeyNames, key_names
from cxdaily.ui.text import safe, safe_line, template

if TYPE_CHECKING:
    from textual.app import App

    from cxdaily.service import Service


def channel_label(question: Question) -> str:
    """'Zendesk · demo' for a demo question, else the channel name and its kind."""
    service = question.meta.get("service")
    if isinstance(service, str) and service:
        return f"{SERVICE_NAMES.get(service, service)} · {question.channel}"
    return f"{question.channel} · {question.kind}"


def author_line(author: Author) -> Content:
    """Name, handle and reach of an author, all literal."""
    parts: list[Content | str] = [safe_line(author.name or author.handle or "unknown", 60, "bold")]
    if author.handle and author.name and one_line(author.handle) != one_line(author.name):
        parts.extend([" ", safe_line(author.handle, 60, "dim")])
    if author.followers:
        parts.append(Content.styled(f" · {humanize_count(author.followers)} followers", "dim"))
    return Content.assemble(*parts)


def group_line(
    item: BatchItem,
    others: Sequence[str] | None = None,
    limit: int = 3,
    keys: KeyNames = DEFAULT_KEY_NAMES,
) -> Content:
    """'Also asked by 3 others: Jonas (Zendesk), ... · t tags them all' (empty when alone)."""
    if not item.group:
        return Content("")
    names = list(others) if others is not None else list(item.group)
    count = len(item.group)
    shown = ", ".join(names[:limit]) + (f" and {count - limit} more" if count > limit else "")
    return Content.assemble(
        "\n",
        Content.styled(f"Also asked by {plural(count, 'other')}: ", "bold"),
        safe_line(shown, 160),
        Content.styled(f"  · {keys.key('tag')} tags the whole group", "dim"),
    )


def local_time(when: datetime, zone: tzinfo | None) -> str:
    """'Mon 23 Nov, 09:00' in the leader's home zone (the time as stored without one)."""
    shown = when.astimezone(zone) if zone is not None else when
    return f"{shown:%a} {shown.day} {shown:%b}, {shown:%H:%M}"


def _waiting_reason(reply: Reply, now: datetime, in_flight: bool) -> str:
    """Why an unsent reply waits, in one line."""
    if reply.hold:
        return reply.hold + (f" (last error: {reply.error})" if reply.error else "")
    if reply.state is ReplyState.SENDING:
        if in_flight:
            return "being sent now"
        return (
            "the last attempt stopped before its outcome was known; the thread is checked "
            "before it is sent again"
        )
    if reply.state is ReplyState.FAILED:
        when = ""
        if reply.next_attempt_at is not None and reply.next_attempt_at > now:
            hours = (reply.next_attempt_at - now).total_seconds() / 3600
            when = f"; next try in {humanize_age(hours)}"
        return f"{reply.error or 'not sent'}{when}"
    return undo_window_words(reply, now) or "waiting to be sent"


def reply_content(
    reply: Reply,
    now: datetime,
    zone: tzinfo | None = None,
    in_flight: bool = False,
    keys: KeyNames = DEFAULT_KEY_NAMES,
) -> Content:
    """The leader's reply as the detail pane shows it.

    Sent: 'Your reply, sent 5 min ago (Mon 23 Nov, 09:00)', the text, and the service's
    link to it. Not sent yet: 'Your reply is in the outbox: failed · 2 attempts · p to
    review', the reason it waits, and the text. The text and the link are the service's and the
    leader's words: they are shown literally (:mod:`cxdaily.ui.text`), wrapped.
    """
    if reply.state is ReplyState.SENT:
        sent_at = reply.sent_at or reply.updated_at
        heading = Content.assemble(
            Content.styled("Your reply", "bold $success"),
            Content.styled(f", sent {ago(sent_at, now)} ({local_time(sent_at, zone)})", "dim"),
        )
        parts = [heading, safe(reply.body)]
        if reply.remote_url:
            parts.append(template("[dim]Link: $url[/dim]", url=reply.remote_url))
        return Content("\n").join(parts)
    state = state_words(reply, in_flight)
    style = "bold $error" if state == "failed" else "bold $warning"
    heading = Content.assemble(
        Content.styled("Your reply is in the outbox: ", "bold"),
        Content.styled(state, style),
        Content.styled(f" · {attempts_words(reply)} · {keys.key('promises')} to review", "dim"),
    )
    reason = safe_line(_waiting_reason(reply, now, in_flight), 400, "italic")
    return Content("\n").join([heading, reason, safe(reply.body, "dim")])


LAST_MESSAGES = 2
"""Messages of the thread the compact view shows (the last ones, before the question)."""


def last_messages(question: Question, now: datetime, count: int = LAST_MESSAGES) -> Content:
    """The last ``count`` messages of the question's thread, one line each, after a line
    saying how many earlier ones are left out."""
    earlier = len(question.context) - count
    lines: list[Content] = []
    if earlier > 0:
        lines.append(Content.styled(f"… {plural(earlier, 'earlier message')}", "dim italic"))
    for message in question.context[-count:]:
        lines.append(
            Content.assemble(
                safe_line(message.author.display, 24, "bold"),
                Content.styled(f" · {ago(message.created_at, now)}: ", "dim"),
                safe_line(message.body, 300, "dim"),
            )
        )
    return Content("\n").join(lines)


def show_reply_everywhere(app: App, reply: Reply) -> None:
    """On the UI thread: every question view showing the reply's question shows it anew
    (a send finished, or a retry)."""
    for screen in app.screen_stack:
        for view in screen.query(QuestionView):
            view.reply_changed(reply)


class QuestionView(VerticalScroll):
    """Shows one question with its thread and the reply to it; empty until a question is
    selected."""

    question_id: str | None = None
    """The question shown (None: nothing selected)."""

    @property
    def compact(self) -> bool:
        """Whether the view is beside the composer: the title, the last messages of the
        thread (one line each) and the question only."""
        return self.has_class("-compact")

    def compose(self):
        """The parts of the view."""
        yield Static(id="q-heading")
        yield Static(id="q-reasons")
        yield Static(id="q-title")
        yield Static(id="q-thread")
        yield Static(id="q-body")
        yield Static(id="q-reply")
        yield Static(id="q-status")

    def show(
        self,
        item: BatchItem | None,
        now: datetime,
        status: str = "",
        draft: bool = False,
        others: Sequence[str] | None = None,
        claim: str = "",
    ) -> None:
        """Display ``item`` (or an empty-state message).

        ``others`` names the item's near-duplicates for the group line (default: their ids);
        ``claim`` says which other leader of the team is answering it (team mode: "Anna
        Berg is answering this (3 min ago)", a name from the team database kept literal).
        """
        heading = self.query_one("#q-heading", Static)
        if item is None:
            self.question_id = None
            heading.update(Content("Nothing selected."))
            for name in ("#q-reasons", "#q-title", "#q-thread", "#q-body", "#q-reply", "#q-status"):
                self.query_one(name, Static).update(Content(""))
            return
        question = item.question
        if question.id != self.question_id:
            self._hide_reply()
        self.question_id = question.id
        self._look_up_reply(question.id)
        heading.update(
            Content.assemble(
                safe_line(channel_label(question), 40, "$accent bold"),
                "  ",
                author_line(question.author),
                "  ",
                Content.styled(ago(question.created_at, now), "dim"),
            )
        )
        estimate = f"about {max(item.estimate_s // 60, 1)} min"
        self.query_one("#q-reasons", Static).update(
            Content.assemble(
                Content.styled("Why: ", "bold"),
                safe_line(", ".join(item.reasons)),
                Content.styled(f"  ({estimate})", "dim"),
                group_line(item, others, keys=key_names(self)),
            )
        )
        self.query_one("#q-title", Static).update(
            safe(question.title, "bold") if question.title else Content("")
        )
        thread = self.query_one("#q-thread", Static)
        if question.context and self.compact:
            thread.update(last_messages(question, now))
            thread.display = True
        elif question.context:
            pieces: list[Content] = []
            for message in question.context:
                pieces.append(
                    Content.assemble(
                        author_line(message.author),
                        "  ",
                        Content.styled(ago(message.created_at, now), "dim"),
                        "\n",
                        safe(message.body, "dim"),
                        "\n\n",
                    )
                )
            thread.update(Content.assemble(*pieces))
            thread.display = True
        else:
            thread.update(Content(""))
            thread.display = False
        self.query_one("#q-body", Static).update(safe(question.body))
        notes = []
        if status:
            notes.append(template("[b]$status[/b]", status=status))
        if claim:
            notes.append(safe_line(claim, None, "bold $error"))
        keys = key_names(self)
        if draft:
            notes.append(
                Content.styled(
                    f"A draft reply is saved ({keys.key('reply')} to continue it).", "italic"
                )
            )
        if question.url:
            notes.append(
                template(
                    "[dim]Source: $url  ($key opens it)[/dim]",
                    url=question.url,
                    key=keys.key("open_link"),
                )
            )
        self.query_one("#q-status", Static).update(Content("\n").join(notes))
        self.scroll_home(animate=False)

    # the reply ---------------------------------------------------------------------------
    def _service(self) -> Service | None:
        """The cxdaily app's service (None outside it: the view then shows no reply)."""
        try:
            return service_of(self)
        except TypeError:
            return None

    def _look_up_reply(self, question_id: str) -> None:
        """Read the question's reply in a thread worker, then show it."""
        service = self._service()
        if service is None:
            return

        def look() -> None:
            try:
                reply = service.replies.latest_reply(question_id)
                in_flight = reply is not None and service.is_sending(reply.id)
            except CxDailyError:
                return  # the outbox cannot be read now: the pane says nothing of a reply
            self.app.call_from_thread(self._show_reply, question_id, reply, in_flight)

        self.run_worker(
            look, thread=True, group="question-reply", exclusive=True, exit_on_error=False
        )

    def reply_changed(self, reply: Reply) -> None:
        """A reply changed (a send finished): show it if its question is the one shown."""
        if reply.question_id == self.question_id:
            service = self._service()
            in_flight = service is not None and service.is_sending(reply.id)
            self._show_reply(reply.question_id, reply, in_flight)

    def _hide_reply(self) -> None:
        """Empty and hide the reply line; one already hidden is already empty, and is left
        alone (an update would lay the view out again on every j/k)."""
        view = self.query_one("#q-reply", Static)
        if view.display:
            view.update(Content(""))
            view.display = False

    def _show_reply(self, question_id: str, reply: Reply | None, in_flight: bool) -> None:
        if question_id != self.question_id:
            return  # the leader moved on meanwhile
        view = self.query_one("#q-reply", Static)
        if reply is None or reply.state is ReplyState.CANCELLED:
            self._hide_reply()
            return
        service = self._service()
        now = service.now() if service is not None else reply.updated_at
        zone = service.settings.session.zone if service is not None else None
        shown = reply_content(reply, now, zone, in_flight, key_names(self))
        view.update(Content.assemble("\n", shown))
        view.display = True
