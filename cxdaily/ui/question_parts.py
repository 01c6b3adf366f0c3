"""The parts of the question view, as text: the heading (channel, author, age), the
reasons it was chosen, the title, the thread, the question, the leader's reply and its
status (:func:`question_parts`).

The reply (:func:`reply_content`), once sent: its text, when it went (how long ago and the
local time in the leader's home zone) and the service's link to it; before that, where it
is (queued, sending, failed, held), its attempts and why it waits.

Every customer-supplied string goes through :mod:`cxdaily.ui.text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import NamedTuple

from textual.content import Content

from cxdaily.core.models import Author, Question, Reply, ReplyState
from cxdaily.core.safe_text import one_line
from cxdaily.core.services import SERVICE_NAMES
from cxdaily.core.words import about_minutes, ago, humanize_age, humanize_count, plural
from cxdaily.curation import BatchItem
from cxdaily.curation.explain import shown_reasons
from cxdaily.replies.outbox_words import attempts_words, state_words, undo_window_words
from cxdaily.ui.keys import DEFAULT_KEY_NAMES, KeyNames
from cxdaily.ui.text import safe, safe_line, template

SECTIONS = ("heading", "reasons", "title", "thread", "body", "reply", "status")
"""The parts of the view, top to bottom. Each is styled by its component class,
``question-view--<part>`` (themes set the reasons' and the status's colours there); the
thread's bar by ``question-view--thread-bar``."""

COMPACT_SECTIONS = ("title", "thread", "body")
"""The parts the compact view shows (beside the composer), with no blank lines between."""

SPACED = frozenset({"heading", "title", "thread", "body", "reply", "status"})
"""Parts with a blank line before them (the reasons follow the heading)."""


def channel_label(question: Question) -> str:
    """'Zendesk · demo' for a demo question, else the channel name and its kind."""
    service = question.meta.get("service")
    if isinstance(service, str) and service:
        return f"{SERVICE_NAMES.get(service, service)} · {question.channel}"
    return f"{question.channel} · {question.kind}"


def author_line(author: Author) -> Content:
    """Name, handle and reach of an author, all literal; a handle that only adds to the
    name ("Acme Inc. (developer response)" for "Acme Inc.") stands for both."""
    name, handle = one_line(author.name or ""), one_line(author.handle or "")
    if name and handle.startswith(name):
        name, handle = handle, ""
    parts: list[Content | str] = [safe_line(name or handle or "unknown", 60, "bold")]
    if name and handle:
        parts.extend([" ", safe_line(handle, 60, "dim")])
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


def full_thread(question: Question, now: datetime) -> Content:
    """Every message of the question's thread: its author and age, then its text; a blank
    line between two messages."""
    pieces = [
        Content.assemble(
            author_line(message.author),
            "  ",
            Content.styled(ago(message.created_at, now), "dim"),
            "\n",
            safe(message.body, "dim"),
        )
        for message in question.context
    ]
    return Content("\n\n").join(pieces)


def status_lines(
    question: Question, status: str, draft: bool, claim: str, keys: KeyNames = DEFAULT_KEY_NAMES
) -> Content:
    """What was done to the question, who else is answering it, its saved draft and its
    source link, one per line (each only when there is one)."""
    notes = []
    if status:
        notes.append(template("[b]$status[/b]", status=status))
    if claim:
        notes.append(safe_line(claim, None, "bold $error"))
    if draft:
        words = f"A draft reply is saved ({keys.key('reply')} to continue it)."
        notes.append(Content.styled(words, "italic"))
    if question.url:
        notes.append(
            template(
                "[dim]Source: $url  ($key opens it)[/dim]",
                url=question.url,
                key=keys.key("open_link"),
            )
        )
    return Content("\n").join(notes)


class Beside(NamedTuple):
    """What the view shows beside a question."""

    status: str = ""
    """What was done to it, in words ("" when nothing yet)."""
    draft: bool = False
    """Whether a draft reply is saved."""
    others: Sequence[str] | None = None
    """The names of its near-duplicates for the group line (default: their ids)."""
    claim: str = ""
    """Which other leader of the team is answering it (team mode: "Anna Berg is
    answering this (3 min ago)", a name from the team database kept literal)."""


NOTHING_BESIDE = Beside()
"""Nothing done, no draft, no other leader: a question as it first shows."""


def question_parts(
    item: BatchItem,
    now: datetime,
    beside: Beside = NOTHING_BESIDE,
    keys: KeyNames = DEFAULT_KEY_NAMES,
) -> dict[str, Content]:
    """Every part of the view for ``item`` (see :data:`SECTIONS`), its reply empty (it is
    read apart), and the thread's last messages for the compact view (``"last_messages"``).
    """
    question = item.question
    estimate = f"about {about_minutes(item.estimate_s)} min"
    return {
        "heading": Content.assemble(
            safe_line(channel_label(question), 40, "$accent bold"),
            "  ",
            author_line(question.author),
            "  ",
            Content.styled(ago(question.created_at, now), "dim"),
        ),
        "reasons": Content.assemble(
            Content.styled("Why: ", "bold"),
            safe_line(", ".join(shown_reasons(item))),  # as the start screen lists them
            Content.styled(f"  ({estimate})", "dim"),
            group_line(item, beside.others, keys=keys),
        ),
        "title": safe(question.title, "bold") if question.title else Content(""),
        "thread": full_thread(question, now),
        "body": safe(question.body),
        "reply": Content(""),
        "status": status_lines(question, beside.status, beside.draft, beside.claim, keys),
        "last_messages": last_messages(question, now) if question.context else Content(""),
    }


EMPTY_PARTS: dict[str, Content] = {
    **dict.fromkeys(SECTIONS, Content("")),
    "heading": Content("Nothing selected."),
    "last_messages": Content(""),
}
"""The parts of the view when no question is selected."""
