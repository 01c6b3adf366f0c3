"""Frozen domain models, converted to and from plain dicts at the store boundary.

Times are aware UTC datetimes in memory and ISO-8601 ``Z`` strings on disk.
``Question.to_dict`` is the normalized question shape of the command-line contract.

``from_dict`` checks the shape of what it reads (a data file may have been edited or
damaged): a missing field, a value of the wrong type, a timestamp that is not one or an
unknown enum value raises :class:`RecordError` naming the field, never a ``KeyError`` or
a bare ``ValueError``. Gaps the format allows (a missing optional field, a number as an
id) are filled or normalized as before.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from cxdaily.core.record_fields import (
    RecordError,
    kind_of,
    plain_fields,
    read_choice,
    read_id,
    read_object,
    read_opt_text,
    read_opt_time,
    read_required,
    read_text,
    read_texts,
    read_time,
    read_whole,
)

M = TypeVar("M")


def _made(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of the frozen dataclass ``cls`` holding ``values`` (every field), as its
    ``__init__`` makes it, without one ``object.__setattr__`` call per field: a start
    builds tens of thousands of questions, and those calls were most of the cost."""
    made = object.__new__(cls)
    made.__dict__.update(values)
    return made


def new_id(length: int = 32) -> str:
    """A random hex id of ``length`` characters (for replies, insights, sessions)."""
    return os.urandom((length + 1) // 2).hex()[:length]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):  # a damaged field falls back to computing the day
        return None


def _stored_time(value: object) -> datetime | None:
    """A timestamp as cxdaily writes it (``2026-11-21T07:30:00Z``), or ``None`` for any
    other value (read then by :func:`read_time`, which says what is wrong)."""
    if type(value) is str and len(value) == 20 and value[-1] == "Z":
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Author:
    """Who wrote a message, as the channel knows them."""

    id: str | None = None
    handle: str | None = None
    name: str | None = None
    followers: int | None = None

    @property
    def display(self) -> str:
        """A human label: the name, else the handle, else ``unknown``."""
        return self.name or self.handle or "unknown"

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return plain_fields(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Author:
        """Build from a plain dict (missing keys become ``None``)."""
        if type(data) is dict:  # the fast path: fields as cxdaily writes them
            get = data.get
            author_id, handle, name, followers = (
                get("id"),
                get("handle"),
                get("name"),
                get("followers"),
            )
            if (
                (author_id is None or type(author_id) is str)
                and (handle is None or type(handle) is str)
                and (name is None or type(name) is str)
                and (followers is None or type(followers) is int)
            ):
                values = {"id": author_id, "handle": handle, "name": name, "followers": followers}
                return _made(cls, values)
        data = read_object(data or {}, "'author'")
        followers = data.get("followers")
        if isinstance(followers, float) and not math.isfinite(followers):
            followers = None
        author_id = data.get("id")
        return _made(
            cls,
            {
                "id": None if author_id is None else read_id("id", author_id),
                "handle": read_opt_text(data, "handle"),
                "name": read_opt_text(data, "name"),
                "followers": int(followers) if isinstance(followers, int | float) else None,
            },
        )


@dataclass(frozen=True)
class Message:
    """An earlier message in a question's thread."""

    author: Author
    body: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return plain_fields(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        """Build from a plain dict."""
        data = read_object(data, "a 'context' message")
        return _made(
            cls,
            {
                "author": Author.from_dict(data.get("author")),
                "body": read_opt_text(data, "body") or "",
                "created_at": read_time(data, "created_at"),
            },
        )


@dataclass(frozen=True)
class Question:
    """A customer's question from one channel, normalized."""

    id: str
    channel: str
    kind: str
    native_id: str
    thread_id: str
    url: str | None
    author: Author
    title: str | None
    body: str
    created_at: datetime
    context: tuple[Message, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def make_id(channel: str, native_id: str) -> str:
        """The global id of a question: ``channel:native_id``."""
        return f"{channel}:{native_id}"

    def to_dict(self) -> dict[str, Any]:
        """The normalized question shape (what ``fetch --json`` prints)."""
        return plain_fields(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        """Build from the normalized shape."""
        if type(data) is dict:  # the fast path: a question as cxdaily stores it
            made = _stored_question(cls, data)
            if made is not None:
                return made
        data = read_object(data)
        question_id = read_text(data, "id")
        native_id = read_id("native_id", read_required(data, "native_id"))
        thread_id = data.get("thread_id")
        context = data.get("context") or ()
        if not isinstance(context, list | tuple):
            raise RecordError(f"'context' is {kind_of(context)}, not a list")
        meta = data.get("meta") or {}
        if not isinstance(meta, dict):
            raise RecordError(f"'meta' is {kind_of(meta)}, not an object")
        return _made(
            cls,
            {
                "id": question_id,
                "channel": read_text(data, "channel"),
                "kind": read_text(data, "kind"),
                "native_id": native_id,
                "thread_id": read_id("thread_id", thread_id) if thread_id else native_id,
                "url": read_opt_text(data, "url"),
                "author": Author.from_dict(data.get("author")),
                "title": read_opt_text(data, "title"),
                "body": read_opt_text(data, "body") or "",
                "created_at": read_time(data, "created_at"),
                "context": tuple(Message.from_dict(m) for m in context) if context else (),
                "meta": dict(meta),
            },
        )


def _stored_question(cls: type[Question], data: dict[str, Any]) -> Question | None:
    """A question from a record as cxdaily stores it (every field of its usual type), or
    ``None``: then :meth:`Question.from_dict` reads it field by field and says what is
    wrong."""
    get = data.get
    question_id, channel, kind = get("id"), get("channel"), get("kind")
    native_id, thread_id, url, title = get("native_id"), get("thread_id"), get("url"), get("title")
    body, meta, context = get("body"), get("meta"), get("context")
    created_at = _stored_time(get("created_at"))
    if (
        created_at is None
        or type(question_id) is not str
        or type(channel) is not str
        or type(kind) is not str
        or type(native_id) is not str
        or type(thread_id) is not str
        or not thread_id
        or type(body) is not str
        or type(meta) is not dict
        or (url is not None and type(url) is not str)
        or (title is not None and type(title) is not str)
    ):
        return None
    messages: tuple[Message, ...] | None = ()
    if context:
        messages = _stored_messages(context)
        if messages is None:
            return None
    author = Author.from_dict(get("author"))
    values = {
        "id": question_id,
        "channel": channel,
        "kind": kind,
        "native_id": native_id,
        "thread_id": thread_id,
        "url": url,
        "author": author,
        "title": title,
        "body": body,
        "created_at": created_at,
        "context": messages,
        "meta": dict(meta),
    }
    return _made(cls, values)


def _stored_messages(context: object) -> tuple[Message, ...] | None:
    """A thread's messages as cxdaily stores them, or ``None`` (read field by field)."""
    if type(context) is not list:
        return None
    messages = []
    for message in context:
        if type(message) is not dict:
            return None
        body, created_at = message.get("body"), _stored_time(message.get("created_at"))
        if type(body) is not str or created_at is None:
            return None
        author = Author.from_dict(message.get("author"))
        messages.append(_made(Message, {"author": author, "body": body, "created_at": created_at}))
    return tuple(messages)


class Disposition(StrEnum):
    """What the leader did with a question."""

    ANSWERED = "answered"
    TAGGED = "tagged"
    HANDED_OFF = "handed_off"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"


#: Dispositions that count as handling a question (for streaks and the wrap-up).
HANDLED = frozenset({Disposition.ANSWERED, Disposition.TAGGED, Disposition.HANDED_OFF})


@dataclass(frozen=True)
class Action:
    """One thing the leader did with a question, at a time, in a session (or from a script)."""

    question_id: str
    disposition: Disposition
    at: datetime
    session_id: str | None = None
    note: str | None = None
    team: str | None = None
    until: datetime | None = None  # for snoozes
    day: date | None = None
    """The leader's day this counted for, with the time zone and day start in force when it
    was recorded (so a later change of home zone never moves history between days);
    older records have none and fall back to computing it (see ``cxdaily.streaks``)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        doc = plain_fields(self)
        if self.day is None:  # older records have no day: write them as they were
            del doc["day"]
        return doc

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Action:
        """Build from a plain dict."""
        if type(data) is dict:  # the fast path: an action as cxdaily stores it
            made = _stored_action(cls, data)
            if made is not None:
                return made
        data = read_object(data)
        return cls(
            question_id=read_text(data, "question_id"),
            disposition=read_choice(Disposition, data, "disposition"),
            at=read_time(data, "at"),
            session_id=read_opt_text(data, "session_id"),
            note=read_opt_text(data, "note"),
            team=read_opt_text(data, "team"),
            until=read_opt_time(data, "until"),
            day=_day(data.get("day")),
        )


_DISPOSITIONS = {member.value: member for member in Disposition}


def _stored_action(cls: type[Action], data: dict[str, Any]) -> Action | None:
    """An action from a record as cxdaily stores it (every field of its usual type), or
    ``None``: then :meth:`Action.from_dict` reads it field by field and says what is
    wrong. A launch reads every action of the leader's history (tens of thousands)."""
    get = data.get
    question_id, disposition, at = get("question_id"), get("disposition"), get("at")
    session_id, note, team, until = get("session_id"), get("note"), get("team"), get("until")
    if (
        type(question_id) is not str
        or type(disposition) is not str
        or disposition not in _DISPOSITIONS
        or (session_id is not None and type(session_id) is not str)
        or (note is not None and type(note) is not str)
        or (team is not None and type(team) is not str)
    ):
        return None
    when = _stored_time(at)
    snoozed_until = _stored_time(until) if until else None
    if when is None or (until and snoozed_until is None):
        return None
    values = {
        "question_id": question_id,
        "disposition": _DISPOSITIONS[disposition],
        "at": when,
        "session_id": session_id,
        "note": note,
        "team": team,
        "until": snoozed_until,
        "day": _day(get("day")),
    }
    return _made(cls, values)


class ReplyState(StrEnum):
    """Where a reply is in the outbox."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Reply:
    """A reply in the outbox: recorded before any network call, sent once."""

    id: str
    question_id: str
    channel: str
    body: str
    state: ReplyState
    created_at: datetime
    updated_at: datetime
    idempotency_key: str
    attempts: int = 0
    remote_id: str | None = None
    sent_at: datetime | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None
    """When an automatic retry is due (after a failure, with back-off); None: at once."""
    uncertain: bool = False
    """An earlier attempt may have reached the service: look before sending again."""
    hold: str | None = None
    """Why the reply waits for the leader (never retried automatically while set)."""
    checked_at: datetime | None = None
    """When the thread was last checked for answers by the team (None: never)."""
    remote_url: str | None = None
    """Where the service shows the sent reply, when it says."""
    send_after: datetime | None = None
    """The end of its undo window: nothing sends it before then unless the leader says
    "send now" (None: no window, as for replies stored before there was one)."""

    @property
    def unsent(self) -> bool:
        """Whether the reply still has to go out (queued, sending or failed)."""
        return self.state in (ReplyState.QUEUED, ReplyState.SENDING, ReplyState.FAILED)

    def with_changes(self, **changes: Any) -> Reply:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return plain_fields(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        """Build from a plain dict."""
        data = read_object(data)
        remote_id = data.get("remote_id")
        return cls(
            id=read_text(data, "id"),
            question_id=read_text(data, "question_id"),
            channel=read_text(data, "channel"),
            body=read_text(data, "body"),
            state=read_choice(ReplyState, data, "state"),
            created_at=read_time(data, "created_at"),
            updated_at=read_time(data, "updated_at"),
            idempotency_key=read_text(data, "idempotency_key"),
            attempts=read_whole(data, "attempts", 0),
            remote_id=None if remote_id is None else read_id("remote_id", remote_id),
            sent_at=read_opt_time(data, "sent_at"),
            error=read_opt_text(data, "error"),
            next_attempt_at=read_opt_time(data, "next_attempt_at"),
            uncertain=bool(data.get("uncertain", False)),
            hold=read_opt_text(data, "hold"),
            checked_at=read_opt_time(data, "checked_at"),
            remote_url=read_opt_text(data, "remote_url"),
            send_after=read_opt_time(data, "send_after"),
        )


@dataclass(frozen=True)
class InsightEntry:
    """What the leader says about a question to record it as an insight (the tag form,
    ``cxdaily tag``); the service checks it and adds the question's facts."""

    tags: tuple[str, ...]
    team: str | None = None
    sentiment: str | None = None
    importance: int = 1
    summary: str = ""
    quote: str = ""
    note: str | None = None


@dataclass(frozen=True)
class Insight:
    """What the leader learned from a question, for Product, Marketing, Sales or Support."""

    id: str
    question_id: str
    channel: str
    url: str | None
    customer_name: str | None
    customer_handle: str | None
    tags: tuple[str, ...]
    team: str | None
    sentiment: str | None
    importance: int
    summary: str
    quote: str
    note: str | None
    created_at: datetime
    session_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return plain_fields(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Insight:
        """Build from a plain dict."""
        data = read_object(data)
        return cls(
            id=read_text(data, "id"),
            question_id=read_text(data, "question_id"),
            channel=read_text(data, "channel"),
            url=read_opt_text(data, "url"),
            customer_name=read_opt_text(data, "customer_name"),
            customer_handle=read_opt_text(data, "customer_handle"),
            tags=read_texts(data, "tags"),
            team=read_opt_text(data, "team"),
            sentiment=read_opt_text(data, "sentiment"),
            importance=read_whole(data, "importance", 1),
            summary=read_opt_text(data, "summary", "") or "",
            quote=read_opt_text(data, "quote", "") or "",
            note=read_opt_text(data, "note"),
            created_at=read_time(data, "created_at"),
            session_id=read_opt_text(data, "session_id"),
        )


@dataclass(frozen=True)
class Session:
    """One sitting: the planned batch, the budget, and how it ended."""

    id: str
    started_at: datetime
    budget_s: int
    planned: tuple[str, ...]
    ended_at: datetime | None = None
    extra_s: int = 0
    reflection: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return plain_fields(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        """Build from a plain dict."""
        data = read_object(data)
        return cls(
            id=read_text(data, "id"),
            started_at=read_time(data, "started_at"),
            budget_s=read_whole(data, "budget_s"),
            planned=read_texts(data, "planned"),
            ended_at=read_opt_time(data, "ended_at"),
            extra_s=read_whole(data, "extra_s", 0),
            reflection=read_opt_text(data, "reflection"),
        )
