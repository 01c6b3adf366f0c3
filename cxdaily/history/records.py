"""What the history look-ups answer: typed, frozen, ready to show.

Text in these records comes from customers and services: it was cleaned where it
entered cxdaily, and the one-line fields (labels, excerpts) are cleaned again here; a
screen still shows every string as literal text, never as markup.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from cxdaily.core.models import ReplyState


class Identity(msgspec.Struct, frozen=True):
    """One way the customer is known: an address, a handle on a network, an account."""

    kind: str
    """``email``, ``handle`` or ``id`` (see :mod:`cxdaily.history.identity`)."""
    label: str
    """How the leader reads it: ``anna@acme.example``, ``@anna on X``."""
    linked: bool = False
    """Joined only through a link the leader confirmed (not by a shared address or handle)."""


class Organisation(msgspec.Struct, frozen=True):
    """The customer's organisation, as far as cxdaily can tell."""

    name: str
    from_domain: bool
    """``True``: only a hint, the domain of the customer's email address (a help desk
    names the organisation itself otherwise)."""
    source: str
    """Where it was read: the service (``Zendesk``) or ``email domain``."""


class CustomerProfile(msgspec.Struct, frozen=True):
    """Who the customer is, across channels."""

    name: str | None
    """The most recent display name they used (``None``: none known)."""
    identities: tuple[Identity, ...]
    """Every address, handle and account of theirs cxdaily knows, emails first."""
    organisation: Organisation | None
    vip: bool
    """On the VIP lists, of a VIP organisation, or marked VIP by a channel, on any of
    their questions (the rule curation uses)."""


class PastReply(msgspec.Struct, frozen=True):
    """A reply to one of the customer's questions, in whatever state it is."""

    id: str
    question_id: str
    body: str
    state: ReplyState
    created_at: datetime
    sent_at: datetime | None


class PastInsight(msgspec.Struct, frozen=True):
    """An insight the leader tagged on one of the customer's questions."""

    id: str
    question_id: str
    tags: tuple[str, ...]
    team: str | None
    sentiment: str | None
    summary: str
    created_at: datetime


class PastHandOff(msgspec.Struct, frozen=True):
    """A hand-off of one of the customer's questions to a team."""

    question_id: str
    team: str | None
    note: str | None
    at: datetime


class PastQuestion(msgspec.Struct, frozen=True):
    """One of the customer's questions, with what the leader did with it."""

    id: str
    channel: str
    service: str
    """The service it came from (``zendesk``, ``x`` ...), for its label."""
    created_at: datetime
    title: str | None
    excerpt: str
    """The start of its text, on one line."""
    url: str | None
    author: str
    """How its author appeared there: a handle or a name."""
    replies: tuple[PastReply, ...] = ()
    insights: tuple[PastInsight, ...] = ()
    hand_offs: tuple[PastHandOff, ...] = ()


class LinkShown(msgspec.Struct, frozen=True):
    """A confirmed link that joins this customer's questions (to show and to undo)."""

    id: str
    question_a: str
    question_b: str
    label_a: str
    """Who the first question's author is (their best identity, else name)."""
    label_b: str
    at: datetime


class CustomerHistory(msgspec.Struct, frozen=True):
    """The customer of one question: who they are and everything earlier, on one page."""

    question_id: str
    customer: CustomerProfile
    questions: tuple[PastQuestion, ...]
    """Their other questions on every channel, newest first (at most the limit asked)."""
    total_questions: int
    """How many other questions they have in all."""
    replies: int
    """Replies to them in all (any state)."""
    insights: int
    """Insights tagged on their questions in all."""
    hand_offs: int
    """Hand-offs of their questions in all."""
    links: tuple[LinkShown, ...] = ()


class EarlierAnswer(msgspec.Struct, frozen=True):
    """A reply the leader sent to a question like the one in view: a starting point."""

    question_id: str
    reply_id: str
    body: str
    """The reply as it was sent."""
    sent_at: datetime
    channel: str
    service: str
    question_title: str | None
    question_excerpt: str
    asked_at: datetime
    score: float
    """How alike the two questions are, from 0 to 1."""
