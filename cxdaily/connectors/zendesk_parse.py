"""Zendesk's payloads: the export's tickets, ticket comments, sideloaded users and
organisations, the links between pages of comments, and what the checkpoint remembers
of open questions (see :mod:`cxdaily.connectors.zendesk` for the API)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from msgspec.structs import replace

from cxdaily.connectors import helpdesk as desk
from cxdaily.connectors.parsing import QuestionShapeError, id_field, parse_time, text_field
from cxdaily.core.models import Author

WAITING_ON_TEAM = frozenset({"new", "open"})
"""Statuses that owe the customer an answer (pending, hold, solved, closed do not)."""
MAX_STATE_CHARS = 100
"""A ticket's ``updated_at`` or status longer than this is no state worth remembering."""


def export_ticket(
    item: Any,
    people: Mapping[str, Author],
    organizations: Mapping[str, str],
    agent_url: Callable[[str], str],
) -> desk.Ticket:
    """A ticket of the export, its requester and organisation from the sideloads (its
    thread comes later); QuestionShapeError if malformed."""
    if not isinstance(item, dict):
        raise QuestionShapeError("a ticket must be a JSON object")
    ticket_id = id_field(item.get("id"), "id", required=True) or ""
    requester_id = id_field(item.get("requester_id"), "requester_id", required=True) or ""
    status = text_field(desk.text_or_none(item.get("status")), "status", max_chars=100)
    organization_id = id_field(desk.optional_id(item.get("organization_id")), "organization_id")
    via = item.get("via")
    channel = desk.text_or_none(via.get("channel")) if isinstance(via, dict) else None
    meta = {"requester_id": requester_id, **({"via": channel[:100]} if channel else {})}
    return desk.Ticket(
        id=ticket_id,
        requester=people.get(requester_id) or Author(id=requester_id),
        messages=(),
        waiting_on_team=(status or "").lower() in WAITING_ON_TEAM,
        created_at=parse_time(item.get("created_at"), "created_at"),
        subject=text_field(desk.text_or_none(item.get("subject")), "subject"),
        status=status,
        url=agent_url(ticket_id),
        priority=priority(item.get("priority")),
        tags=desk.tag_names(item.get("tags")),
        organization=organizations.get(organization_id or ""),
        fallback_body=desk.message_text(desk.text_or_none(item.get("description")), "description"),
        meta=meta,
    )


def export_state(item: Any) -> str | None:
    """The state a ticket of the export was read in, as the checkpoint remembers it: its
    ``updated_at`` and status (a new comment or a new status changes it); ``None`` when
    either is missing or odd (such a ticket is always read)."""
    if not isinstance(item, dict):
        return None
    updated, status = item.get("updated_at"), item.get("status")
    parts = [p for p in (updated, status) if isinstance(p, str) and 0 < len(p) <= MAX_STATE_CHARS]
    if len(parts) < 2 or not all(p.isprintable() for p in parts):
        return None
    return " ".join(parts)


def open_questions(checkpoint: Mapping[str, Any] | None) -> dict[str, str]:
    """The open questions a checkpoint remembers (ticket id: question's native id)."""
    saved = (checkpoint or {}).get("open")
    items = saved.items() if isinstance(saved, dict) else []
    return {k: v for k, v in items if isinstance(v, str) and v.startswith(f"{k}:")}


def as_deleted(ticket: desk.Ticket, question_id: str | None) -> desk.Ticket:
    """A deleted ticket (its thread unread) with the customer's comment its remembered
    question (``TICKET:COMMENT``) began with, so that question settles by its own id; any
    other ticket as it is."""
    if (ticket.status or "").lower() != "deleted" or not question_id:
        return ticket
    opened = desk.TicketMessage(
        question_id.split(":", 1)[1], ticket.requester, ticket.fallback_body or "",
        ticket.created_at, from_customer=True,
    )  # fmt: skip
    return replace(ticket, messages=(opened,), waiting_on_team=False)


def next_comments_page(data: Any) -> str | None:
    """The next page of a ticket's comments (``links.next`` while ``meta.has_more``), with
    ``include=users`` added when the link lacks it: whether the comments' authors are
    sideloaded tells an end-user copied on the ticket from an agent, so a later page
    without them would take a customer's follow-up for the team's answer."""
    if not isinstance(data, dict):
        return None
    meta, links = data.get("meta"), data.get("links")
    if not isinstance(meta, dict) or meta.get("has_more") is not True:
        return None
    following = links.get("next") if isinstance(links, dict) else None
    if not isinstance(following, str) or not following.strip():
        return None
    try:
        url = httpx.URL(following.strip())
    except (httpx.InvalidURL, ValueError):
        return following  # not a URL: the walk reports it as the service's fault
    return following if "include" in url.params else str(url.copy_add_param("include", "users"))


def comment(
    item: Any, customers: set[str], people: Mapping[str, Author]
) -> desk.TicketMessage | None:
    """A public comment as a thread message (the customer's when its author is among
    ``customers``); ``None`` for an internal note."""
    if not isinstance(item, dict):
        raise QuestionShapeError("a comment must be a JSON object")
    if item.get("public") is not True:
        return None  # internal notes never leave Zendesk
    author_id = id_field(desk.optional_id(item.get("author_id")), "author_id")
    body = None
    for key in ("body", "plain_body", "html_body"):
        body = desk.message_text(desk.text_or_none(item.get(key)), key)
        if body:
            break
    return desk.TicketMessage(
        id=id_field(item.get("id"), "id", required=True) or "",
        author=people.get(author_id or "") or Author(id=author_id),
        body=body or "",
        created_at=parse_time(item.get("created_at"), "created_at"),
        from_customer=author_id is not None and author_id in customers,
    )


def new_comment_id(data: Any) -> str | None:
    """The id of the comment a ticket update added, from the answer's audit events."""
    audit = data.get("audit") if isinstance(data, dict) else None
    events = audit.get("events") if isinstance(audit, dict) else None
    for event in events if isinstance(events, list) else []:
        if isinstance(event, dict) and event.get("type") == "Comment":
            try:
                return id_field(event.get("id"), "audit.events.id")
            except QuestionShapeError:
                return None
    return None


def people(value: Any) -> dict[str, Author]:
    """Sideloaded users by id, with the email address as the handle; bad ones left out."""
    found: dict[str, Author] = {}
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        try:
            author = desk.email_author(
                item.get("id"),
                name[: desk.MAX_NAME_CHARS] if isinstance(name, str) else None,
                desk.text_or_none(item.get("email")),
                "user",
            )
        except QuestionShapeError:
            continue
        if author.id is not None:
            found[author.id] = author
    return found


def end_users(value: Any) -> set[str]:
    """The ids of sideloaded users whose ``role`` is ``end-user``: customers (the
    requester, or someone copied on the ticket), never agents or admins."""
    found: set[str] = set()
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and item.get("role") == "end-user":
            with contextlib.suppress(QuestionShapeError):
                ident = id_field(desk.optional_id(item.get("id")), "user.id")
                if ident is not None:
                    found.add(ident)
    return found


def organizations(value: Any) -> dict[str, str]:
    """Sideloaded organisations' names by id."""
    found: dict[str, str] = {}
    for item in value if isinstance(value, list) else []:
        name = item.get("name") if isinstance(item, dict) else None
        try:
            ident = (
                id_field(desk.optional_id(item.get("id")), "id") if isinstance(item, dict) else None
            )
            text = (
                text_field(name[: desk.MAX_NAME_CHARS], "name") if isinstance(name, str) else None
            )
        except QuestionShapeError:
            continue
        if ident and text and text.strip():
            found[ident] = text.strip()
    return found


def priority(value: Any) -> str | None:
    """A ticket's priority as :data:`~cxdaily.connectors.helpdesk.PRIORITIES` spells it."""
    text = value.strip().lower() if isinstance(value, str) else None
    return text if text in desk.PRIORITIES else None
