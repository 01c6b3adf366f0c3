"""Builders for the history tests: questions from named channels, replies, insights."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from msgspec.structs import replace

from cxdaily.core.models import Author, Insight, Question, Reply, ReplyState
from tests.time_kit import FIXED_NOW
from tests.unit.curation.curation_kit import ask


def question(
    native_id: str,
    *,
    channel: str = "support",
    kind: str = "zendesk",
    author: Author | None = None,
    body: str = "How do I export my invoices?",
    title: str | None = None,
    days_ago: float = 1.0,
    thread_id: str | None = None,
    meta: dict[str, Any] | None = None,
) -> Question:
    """A stored question of ``channel`` (a ``kind`` connector), asked ``days_ago``, by
    nobody known unless ``author`` says."""
    asked = ask(native_id, body, channel=channel, kind=kind, title=title,
                age=timedelta(days=days_ago), author=author or Author(), now=FIXED_NOW,
                **(meta or {}))  # fmt: skip
    return replace(asked, thread_id=thread_id or native_id)


def reply(
    reply_id: str,
    question_id: str,
    body: str,
    *,
    state: ReplyState = ReplyState.SENT,
    days_ago: float = 0.5,
) -> Reply:
    """A reply in the outbox (sent, unless ``state`` says otherwise)."""
    at = FIXED_NOW - timedelta(days=days_ago)
    return Reply(
        id=reply_id,
        question_id=question_id,
        channel=question_id.split(":", 1)[0],
        body=body,
        state=state,
        created_at=at,
        updated_at=at,
        idempotency_key=f"key-{reply_id}",
        sent_at=at if state is ReplyState.SENT else None,
        remote_id=f"remote-{reply_id}" if state is ReplyState.SENT else None,
    )


def insight(insight_id: str, question_id: str, *tags: str, days_ago: float = 0.5) -> Insight:
    """An insight tagged on a question."""
    return Insight(
        id=insight_id,
        question_id=question_id,
        channel=question_id.split(":", 1)[0],
        url=None,
        customer_name=None,
        customer_handle=None,
        tags=tags or ("billing",),
        team="product",
        sentiment="negative",
        importance=2,
        summary="Wants invoices as CSV",
        quote="",
        note=None,
        created_at=FIXED_NOW - timedelta(days=days_ago),
    )


def email_author(address: str, name: str = "Anna Berg", ident: str | None = None) -> Author:
    """A help desk's requester: the address as the handle."""
    return Author(id=ident, handle=address, name=name)


def social_author(handle: str, name: str = "Anna Berg", ident: str | None = None) -> Author:
    """A social network's author: a handle (``@anna``) and a display name."""
    return Author(id=ident, handle=handle, name=name)
