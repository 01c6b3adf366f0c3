"""Messenger conversations of the ``facebook`` channel as read from the Graph API
(``GET /{page_id}/conversations`` with each one's latest ``messages``): a conversation
becomes a :class:`~cxdaily.connectors.helpdesk.Ticket` whose customer turns are
questions. Parsed defensively: a malformed message is left out with a warning, and a
missing ``from`` or participant leaves the author unknown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cxdaily.connectors import meta_graph
from cxdaily.connectors.helpdesk import Ticket, TicketMessage
from cxdaily.connectors.parsing import (
    QuestionShapeError,
    id_field,
    object_field,
    parse_time,
    what_it_is,
)
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.core.clock import to_iso
from cxdaily.core.models import Author


def parse_conversation(data: Any, page_id: str, skipped: SkippedItems) -> tuple[Ticket, datetime]:
    """A Messenger conversation as a :class:`Ticket` (the customer's turns become
    questions) and its ``updated_time``."""
    if not isinstance(data, dict):
        raise QuestionShapeError(f"expected a conversation object, got {what_it_is(data)}")
    ident = id_field(data.get("id"), "id", required=True) or ""
    updated = parse_time(data.get("updated_time"), "updated_time")
    holder = data.get("messages")
    listed = holder.get("data") if isinstance(holder, dict) else None
    messages = conversation_messages(listed, page_id, skipped, ident)
    customer = conversation_customer(data.get("participants"), messages, page_id)
    meta: dict[str, Any] = {"source": "messenger", "conversation_id": ident}
    if customer.id:
        meta["psid"] = customer.id
    theirs = [m.created_at for m in messages if m.from_customer]
    if theirs:
        meta["last_customer_at"] = to_iso(max(theirs))
    created = min((m.created_at for m in messages), default=updated)
    ticket = Ticket(id=ident, requester=customer, messages=messages, waiting_on_team=True,
                    created_at=created, meta=meta)  # fmt: skip
    return ticket, updated


def conversation_messages(
    items: Any, page_id: str, skipped: SkippedItems, conversation: str = ""
) -> list[TicketMessage]:
    """A conversation's ``messages.data`` as thread messages (the Page's are the team's);
    a malformed message is left out, with a warning."""
    messages: list[TicketMessage] = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        where = f"messages[{index}]"
        try:
            item = object_field(item, where)
            author = meta_graph.graph_person(item.get("from"), f"{where}.from")
            messages.append(TicketMessage(
                id=id_field(item.get("id"), f"{where}.id", required=True) or "",
                author=author,
                body=(meta_graph.graph_text(item.get("message"), f"{where}.message") or "").strip()
                or "(a message without text: an attachment or sticker)",
                created_at=parse_time(item.get("created_time"), f"{where}.created_time"),
                from_customer=author.id != page_id,
            ))  # fmt: skip
        except QuestionShapeError as exc:
            skipped.add(f"conversation {conversation}: a message was skipped: {exc}")
    return messages


def conversation_customer(participants: Any, messages: list[TicketMessage], page_id: str) -> Author:
    """The person the Page talks with: a participant who is not the Page."""
    listed = participants.get("data") if isinstance(participants, dict) else None
    for index, item in enumerate(listed if isinstance(listed, list) else []):
        try:
            person = meta_graph.graph_person(item, f"participants[{index}]")
        except QuestionShapeError:
            continue
        if person.id and person.id != page_id:
            return person
    for message in messages:
        if message.from_customer and message.author.id:
            return message.author
    return Author()
