"""Reading Intercom's answers: conversation search results, full conversations and their
parts, authors, cursors and the checkpoint (see :mod:`cxdaily.connectors.intercom`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cxdaily.connectors import helpdesk as desk
from cxdaily.connectors.parsing import (
    QuestionShapeError,
    id_field,
    object_field,
    parse_time,
    text_field,
    what_it_is,
)
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.core.models import Author

TEAM_AUTHORS = frozenset({"admin", "bot", "team"})
PUBLIC_PARTS = frozenset({"comment"})
SPOKEN_ACTIONS = frozenset({"open", "close", "assignment"})
"""Parts that are a message to the customer when they carry a body: a teammate may
reopen, close or assign a conversation with a reply (the reply endpoint's optional
``body``); without one they are only events."""
MAX_NAME_CHARS = 1000
"""Names, emails, titles and tags longer than this are cut (not refused)."""


def thread_messages(
    data: dict[str, Any],
    created: datetime,
    conversation_id: str,
    skipped: SkippedItems | None,
    *,
    channel: str = "",
) -> list[desk.TicketMessage]:
    """The public messages of a full conversation: its ``source`` (at ``created``) and
    its ``comment`` parts. A malformed part is skipped with a warning in a fetch
    (``skipped``); read again before a reply (``None``), it fails the whole thread as a
    :class:`BadResponseError` of ``channel``: a thread read in part could hide our own
    reply, or a colleague's answer."""
    messages: list[desk.TicketMessage] = []
    source = data.get("source")
    if isinstance(source, dict):
        author, customer = read_author(source.get("author"), "source.author")
        messages.append(
            desk.TicketMessage(
                id=id_field(source.get("id"), "source.id") or "source",
                author=author,
                body=message_body(source.get("body"), "source.body") or "",
                created_at=created,
                from_customer=customer,
            )
        )
    return messages + desk.public_messages(
        part_list(data), lambda part, index: part_message(part, f"conversation_parts[{index}]"),
        lambda _, exc: f"conversation {conversation_id}: a message was skipped: {exc}",
        skipped, channel=channel,
    )  # fmt: skip


def part_message(part: Any, where: str) -> desk.TicketMessage | None:
    """A public message from one conversation part; ``None`` for notes and for events
    without a message."""
    part = object_field(part, where)
    kind = part.get("part_type")
    spoken = kind in SPOKEN_ACTIONS and bool((message_body(part.get("body"), where) or "").strip())
    if kind not in PUBLIC_PARTS and not spoken:
        return None
    author, customer = read_author(part.get("author"), f"{where}.author")
    return desk.TicketMessage(
        id=id_field(part.get("id"), f"{where}.id", required=True) or "",
        author=author,
        body=message_body(part.get("body"), f"{where}.body") or "",
        created_at=parse_time(part.get("created_at"), f"{where}.created_at"),
        from_customer=customer,
    )


def part_list(data: dict[str, Any]) -> list[Any]:
    """A full conversation's parts (``conversation_parts``: a list, or an object holding
    it); none when missing or malformed."""
    container = data.get("conversation_parts")
    items = container.get("conversation_parts") if isinstance(container, dict) else container
    return items if isinstance(items, list) else []


def read_author(data: Any, where: str) -> tuple[Author, bool]:
    """An author and whether it is the customer (anyone who is not an admin, bot or team)."""
    if not isinstance(data, dict):
        return Author(), True
    kind = data.get("type")
    author = desk.email_author(
        data.get("id"), cut_long(data.get("name")), cut_long(data.get("email")), where
    )
    return author, kind not in TEAM_AUTHORS


def requester(source: dict[str, Any], messages: list[desk.TicketMessage], contacts: Any) -> Author:
    """The customer: the source's author, else the first customer message's, else the
    first contact (an id only)."""
    author, customer = read_author(source.get("author"), "source.author")
    if customer and author != Author():
        return author
    for message in messages:
        if message.from_customer and message.author != Author():
            return message.author
    if isinstance(contacts, dict):
        contacts = contacts.get("contacts")
    if isinstance(contacts, list) and contacts and isinstance(contacts[0], dict):
        return read_author(contacts[0], "contacts[0]")[0]
    return Author()


def listed_summary(item: Any) -> tuple[str, int | None]:
    """A search result's id and ``updated_at`` (epoch seconds, when readable)."""
    if not isinstance(item, dict):
        raise QuestionShapeError(f"expected a conversation object, got {what_it_is(item)}")
    conversation_id = id_field(item.get("id"), "id", required=True) or ""
    try:
        updated = int(parse_time(item.get("updated_at"), "updated_at").timestamp())
    except QuestionShapeError:
        updated = None
    return conversation_id, updated


def read_before(item: Any, marks: Mapping[str, str]) -> tuple[str, int] | None:
    """The id and ``updated_at`` of a listed conversation an earlier fetch read in this
    very state (``marks``: see :func:`helpdesk_backlog.read_marks`); ``None`` otherwise."""
    try:
        conversation_id, updated = listed_summary(item)
    except QuestionShapeError:
        return None
    if updated is None or marks.get(conversation_id) != str(updated):
        return None
    return conversation_id, updated


def next_cursor(page: dict[str, Any]) -> str | None:
    """The ``pages.next.starting_after`` of a search page; ``None`` on the last one."""
    pages = page.get("pages")
    following = pages.get("next") if isinstance(pages, dict) else None
    cursor = following.get("starting_after") if isinstance(following, dict) else None
    return cursor.strip() if isinstance(cursor, str) and cursor.strip() else None


def checkpoint_epoch(checkpoint: dict[str, Any] | None) -> int | None:
    """The stored ``updated_after`` (epoch seconds), or ``None`` for a first fetch."""
    value = (checkpoint or {}).get("updated_after")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 32503680000:
        return None
    return value


def message_body(value: Any, where: str) -> str | None:
    """A message's HTML body as text; ``None`` when it is not text."""
    return desk.message_text(value, where) if isinstance(value, str) else None


def subject_line(title: Any, subject: Any) -> str | None:
    """The conversation's title, else its first message's subject, on one line."""
    for value in (title, subject):
        text = message_body(cut_long(value), "title")
        if text and text.strip():
            return " ".join(text.split())
    return None


def tag_list(value: Any) -> Any:
    """``tags`` is a list, or an object holding it under ``tags``."""
    return value.get("tags") if isinstance(value, dict) else value


def cut_long(value: Any) -> Any:
    """Text cut to :data:`MAX_NAME_CHARS`; anything else as it is."""
    return value[:MAX_NAME_CHARS] if isinstance(value, str) else value


def short_text(value: Any) -> str | None:
    """A short text field (name, email, tag), cut and cleaned; ``None`` when blank."""
    if not isinstance(value, str):
        return None
    return (text_field(cut_long(value), "text") or "").strip() or None
