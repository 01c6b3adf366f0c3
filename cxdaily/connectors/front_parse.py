"""Front's payloads: conversations and messages as help desk tickets, the links between
pages, and the checkpoint (see :mod:`cxdaily.connectors.front` for the API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import quote

import httpx

from cxdaily.connectors import helpdesk as desk
from cxdaily.connectors.http import origin_of
from cxdaily.connectors.parsing import (
    MAX_ID_CHARS,
    QuestionShapeError,
    id_field,
    parse_time,
    text_field,
)
from cxdaily.core.models import Author

OPEN_STATUSES = ("unassigned", "assigned")
"""The statuses asked for: a conversation nobody archived or deleted."""
MAX_TRACKED = 2000
"""Most conversation ids a checkpoint remembers (open ones, and ones to read again)."""
MAX_NAME_CHARS = 1000
"""Longer names, handles and tags are cut (a 10,000-character name costs nothing)."""
_LATEST_EPOCH = 32503680000.0  # the year 3000, where parse_time stops


def on_base(named: Any, base_url: str) -> str | None:
    """A next-page address from a body, moved onto ``base_url`` when it names another host.

    Front's links may come back on ``https://{company}.api.frontapp.com``: that is not the
    configured origin (credentials never go there), so only the link's path and query are
    kept. A relative link is returned as it is (the pager resolves it). ``None``: no link.
    """
    if not isinstance(named, str) or not named.strip():
        return None
    try:
        target = httpx.URL(named.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    if not target.is_absolute_url or origin_of(target) == origin_of(base_url):
        return str(target)
    return base_url.rstrip("/") + target.raw_path.decode("ascii")


def conversation_link(app_url: str, conversation_id: str) -> str:
    """The agent's link to a conversation in Front's web app."""
    return f"{app_url.rstrip('/')}/open/{quote(conversation_id, safe='')}"


def _cut(value: Any, limit: int = MAX_NAME_CHARS) -> Any:
    return value[:limit] if isinstance(value, str) else value


def activity_of(conversation: dict[str, Any]) -> datetime:
    """The latest time a conversation changed (updated, waiting since, last message)."""
    last = conversation.get("last_message")
    fields = {key: conversation.get(key) for key in ("updated_at", "waiting_since", "created_at")}
    fields["last_message.created_at"] = last.get("created_at") if isinstance(last, dict) else None
    times = [parse_time(value, key) for key, value in fields.items() if value is not None]
    if not times:
        raise QuestionShapeError("the conversation has no time (updated_at, created_at)")
    return max(times)


def waiting_on_team(conversation: dict[str, Any]) -> bool:
    """Whether Front says the team owes an answer: open (ticketing's ``status_category``
    when it is given), neither archived nor deleted."""
    status, category = conversation.get("status"), conversation.get("status_category")
    if isinstance(category, str) and status not in ("archived", "deleted"):
        return category == "open"
    return status in OPEN_STATUSES


def _person(data: Any, where: str) -> Author:
    """A recipient (``handle``, ``name``) as an author, the handle (an email) kept."""
    if not isinstance(data, dict):
        return Author()
    return desk.email_author(None, _cut(data.get("name")), _cut(data.get("handle")), where)


def _teammate(data: Any, where: str) -> Author:
    """A teammate (``id``, ``email``, names) as an author."""
    if not isinstance(data, dict):
        return Author()
    names = [data.get(key) for key in ("first_name", "last_name")]
    name: Any = " ".join(n.strip() for n in names if isinstance(n, str) and n.strip())
    name = name or data.get("username")
    return desk.email_author(data.get("id"), _cut(name), _cut(data.get("email")), where)


def _message_body(data: dict[str, Any], where: str) -> str:
    for key in ("body", "text", "blurb"):
        text = desk.message_text(data.get(key), f"{where}.{key}")
        if text and text.strip():
            return text
    return ""


def parse_message(data: Any, where: str) -> desk.TicketMessage | None:
    """One message of a conversation; ``None`` for a draft (never a customer's turn)."""
    if not isinstance(data, dict):
        raise QuestionShapeError(f"{where} must be an object")
    if data.get("draft_mode") is not None or data.get("is_draft") is True:
        return None
    inbound = data.get("is_inbound") is True
    if inbound:
        recipients = data.get("recipients")
        sender = next(
            (r for r in recipients if isinstance(r, dict) and r.get("role") == "from"), None
        ) if isinstance(recipients, list) else None  # fmt: skip
        author = _person(sender, f"{where}.from")
    else:
        author = _teammate(data.get("author"), f"{where}.author")
    return desk.TicketMessage(
        id=id_field(data.get("id"), f"{where}.id", required=True) or "",
        author=author,
        body=_message_body(data, where),
        created_at=parse_time(data.get("created_at"), f"{where}.created_at"),
        from_customer=inbound,
    )


def _preview(conversation: dict[str, Any], subject: str | None) -> str | None:
    """The customer's words as the conversation itself gives them (its last message, when
    the customer wrote it), for when its messages cannot be read."""
    last = conversation.get("last_message")
    if not isinstance(last, dict):
        return subject
    if last.get("is_inbound") is not True:
        return None  # the team wrote last: nothing is asked
    return _message_body(last, "last_message") or subject


def parse_conversation(data: Any, app_url: str) -> desk.Ticket:
    """A conversation of the list (or read by id) as a ticket without its messages."""
    if not isinstance(data, dict):
        raise QuestionShapeError("the conversation must be an object")
    ident = id_field(data.get("id"), "id", required=True) or ""
    subject = text_field(data.get("subject"), "subject")
    status = data.get("status")
    category = data.get("status_category")
    created = data.get("created_at")
    tags = data.get("tags")
    return desk.Ticket(
        id=ident,
        requester=_person(data.get("recipient"), "recipient"),
        messages=(),
        waiting_on_team=waiting_on_team(data),
        created_at=parse_time(created, "created_at") if created is not None else activity_of(data),
        subject=subject,
        status=text_field(_cut(status, 100), "status") if isinstance(status, str) else None,
        url=conversation_link(app_url, ident),
        tags=desk.tag_names(tags, key="name"),
        fallback_body=_preview(data, subject),
        meta={"status_category": _cut(category, 100)} if isinstance(category, str) else {},
    )


def _ids(value: Any) -> set[str]:
    if not isinstance(value, list):
        return set()
    return {v for v in value[:MAX_TRACKED] if isinstance(v, str) and 0 < len(v) <= MAX_ID_CHARS}


class Mark(NamedTuple):
    """What a checkpoint remembers: the newest activity seen (epoch seconds), the
    conversations read at exactly that time, those to read again (their messages could
    not be read), and the open ones listed (one missing next time is read, to settle)."""

    since: float | None
    at_since: set[str]
    retry: set[str]
    open: set[str]


def read_checkpoint(checkpoint: Any) -> Mark:
    """A stored checkpoint (its damaged parts ignored)."""
    if not isinstance(checkpoint, dict):
        return Mark(None, set(), set(), set())
    value: Any = checkpoint.get("since")
    if isinstance(value, bool) or not isinstance(value, int | float):
        value = None
    since = float(value) if value is not None and 0 <= value < _LATEST_EPOCH else None  # no nan
    at_since = _ids(checkpoint.get("at")) if since is not None else set()
    return Mark(since, at_since, _ids(checkpoint.get("retry")), _ids(checkpoint.get("open")))
