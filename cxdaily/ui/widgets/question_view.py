"""The selected question: channel, author, reasons, the thread, and the latest message.

Every customer-supplied string goes through :mod:`cxdaily.ui.text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from cxdaily.core.models import Author, Question
from cxdaily.core.services import SERVICE_NAMES
from cxdaily.core.words import ago, humanize_count, plural
from cxdaily.curation import BatchItem
from cxdaily.ui.keys import DEFAULT_KEY_NAMES, KeyNames, key_names
from cxdaily.ui.text import safe, safe_line, template


def channel_label(question: Question) -> str:
    """'Zendesk · demo' for a demo question, else the channel name and its kind."""
    service = question.meta.get("service")
    if isinstance(service, str) and service:
        return f"{SERVICE_NAMES.get(service, service)} · {question.channel}"
    return f"{question.channel} · {question.kind}"


def author_line(author: Author) -> Content:
    """Name, handle and reach of an author, all literal."""
    parts: list[Content | str] = [safe_line(author.name or author.handle or "unknown", 60, "bold")]
    if author.handle and author.name:
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


class QuestionView(VerticalScroll):
    """Shows one question with its thread; empty until a question is selected."""

    def compose(self):
        """The parts of the view."""
        yield Static(id="q-heading")
        yield Static(id="q-reasons")
        yield Static(id="q-title")
        yield Static(id="q-thread")
        yield Static(id="q-body")
        yield Static(id="q-status")

    def show(
        self,
        item: BatchItem | None,
        now: datetime,
        status: str = "",
        draft: bool = False,
        others: Sequence[str] | None = None,
    ) -> None:
        """Display ``item`` (or an empty-state message).

        ``others`` names the item's near-duplicates for the group line (default: their ids).
        """
        heading = self.query_one("#q-heading", Static)
        if item is None:
            heading.update(Content("Nothing selected."))
            for name in ("#q-reasons", "#q-title", "#q-thread", "#q-body", "#q-status"):
                self.query_one(name, Static).update(Content(""))
            return
        question = item.question
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
        if question.context:
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
        if draft:
            notes.append(Content.styled("A draft reply is saved (r to continue it).", "italic"))
        if question.url:
            notes.append(template("[dim]Source: $url[/dim]", url=question.url))
        self.query_one("#q-status", Static).update(Content("\n").join(notes))
        self.scroll_home(animate=False)
