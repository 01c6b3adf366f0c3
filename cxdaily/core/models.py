"""Frozen domain models, converted to and from plain dicts at the store boundary.

Times are aware UTC datetimes in memory and ISO-8601 ``Z`` strings on disk.
``Question.to_dict`` is the normalized question shape of the command-line contract.

``from_dict`` checks the shape of what it reads (a data file may have been edited or
damaged): a missing field, a value of the wrong type, a timestamp that is not one or an
unknown enum value raises :class:`RecordError` naming the field, never a ``KeyError`` or
a bare ``ValueError``. Gaps the format allows (a missing optional field, a number as an
id) are filled or normalized as before. Most models read each field by its declared type
(:class:`~cxdaily.core.record_fields.StoredRecord`); questions and actions, read by the
ten thousand at every start, first try the fast readers of
:mod:`cxdaily.core.fast_records`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

import msgspec
from msgspec.structs import replace

from cxdaily.core.fast_records import (
    stored_action,
    stored_author,
    stored_day,
    stored_insight,
    stored_question,
)
from cxdaily.core.record_fields import (
    FieldReader,
    RecordError,
    StoredRecord,
    kind_of,
    plain_fields,
    read_id,
    read_object,
    read_opt_id,
    read_opt_text,
    read_required,
    read_text,
    read_time,
    text_or,
    whole_or,
)


def new_id(length: int = 32) -> str:
    """A random hex id of ``length`` characters (for replies, insights, sessions)."""
    return os.urandom((length + 1) // 2).hex()[:length]


class Author(StoredRecord, frozen=True):
    """Who wrote a message, as the channel knows them."""

    id: str | None = None
    handle: str | None = None
    name: str | None = None
    followers: int | None = None

    @property
    def display(self) -> str:
        """A human label: the name, else the handle, else ``unknown``."""
        return self.name or self.handle or "unknown"

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Author:
        """Build from a plain dict (missing keys become ``None``)."""
        author = stored_author(cls, data)  # the fast path: fields as cxdaily writes them
        if author is not None:
            return author
        data = read_object(data or {}, "'author'")
        followers = data.get("followers")
        if isinstance(followers, float) and not math.isfinite(followers):
            followers = None
        author_id = data.get("id")
        return cls(
            id=None if author_id is None else read_id("id", author_id),
            handle=read_opt_text(data, "handle"),
            name=read_opt_text(data, "name"),
            followers=int(followers) if isinstance(followers, int | float) else None,
        )


class Message(StoredRecord, frozen=True):
    """An earlier message in a question's thread."""

    author: Author
    body: str
    created_at: datetime

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        """Build from a plain dict."""
        data = read_object(data, "a 'context' message")
        return cls(
            author=Author.from_dict(data.get("author")),
            body=read_opt_text(data, "body") or "",
            created_at=read_time(data, "created_at"),
        )


class Question(StoredRecord, frozen=True):
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
    meta: dict[str, Any] = msgspec.field(default_factory=dict)

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
            question = stored_question(cls, data, Message, Author.from_dict)
            if question is not None:
                return question
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
        return cls(
            id=question_id,
            channel=read_text(data, "channel"),
            kind=read_text(data, "kind"),
            native_id=native_id,
            thread_id=read_id("thread_id", thread_id) if thread_id else native_id,
            url=read_opt_text(data, "url"),
            author=Author.from_dict(data.get("author")),
            title=read_opt_text(data, "title"),
            body=read_opt_text(data, "body") or "",
            created_at=read_time(data, "created_at"),
            context=tuple(Message.from_dict(m) for m in context) if context else (),
            meta=dict(meta),
        )


class Disposition(StrEnum):
    """What the leader did with a question."""

    ANSWERED = "answered"
    TAGGED = "tagged"
    HANDED_OFF = "handed_off"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"


#: Dispositions that count as handling a question (for streaks and the wrap-up).
HANDLED = frozenset({Disposition.ANSWERED, Disposition.TAGGED, Disposition.HANDED_OFF})


def _read_day(data: dict[str, Any], key: str) -> date | None:
    """The field ``key`` as a day; ``None`` when absent or damaged (it is then computed)."""
    return stored_day(data.get(key))


class Action(StoredRecord, frozen=True):
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

    field_readers: ClassVar[Mapping[str, FieldReader]] = {"day": _read_day}

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
            action = stored_action(cls, data, _DISPOSITIONS)
            if action is not None:
                return action
        return super().from_dict(data)


_DISPOSITIONS = {member.value: member for member in Disposition}


class ReplyState(StrEnum):
    """Where a reply is in the outbox."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Reply(StoredRecord, frozen=True):
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

    field_readers: ClassVar[Mapping[str, FieldReader]] = {"remote_id": read_opt_id}
    """A service's id of the sent reply may be stored as a number."""

    @property
    def unsent(self) -> bool:
        """Whether the reply still has to go out (queued, sending or failed)."""
        return self.state in (ReplyState.QUEUED, ReplyState.SENDING, ReplyState.FAILED)

    def with_changes(self, **changes: Any) -> Reply:
        """A copy with some fields changed."""
        return replace(self, **changes)


class InsightEntry(msgspec.Struct, frozen=True):
    """What the leader says about a question to record it as an insight (the tag form,
    ``cxdaily tag``); the service checks it and adds the question's facts."""

    tags: tuple[str, ...]
    team: str | None = None
    sentiment: str | None = None
    importance: int = 1
    summary: str = ""
    quote: str = ""
    note: str | None = None


def _derived(data: dict[str, Any], key: str, kind: type) -> Any:
    """A derived field of a stored record: its value when of type ``kind``, else ``None``."""
    value = data.get(key)
    return value if type(value) is kind else None


FORM_FIELDS = (
    "id",
    "question_id",
    "url",
    "channel",
    "customer_name",
    "customer_handle",
    "tags",
    "team",
    "sentiment",
    "summary",
    "quote",
    "note",
)
"""The fields of an insight a stored digest form may hold (see :attr:`Insight.digest_form`)."""
_MAY_BE_NONE = frozenset({"url", "customer_name", "customer_handle"})


def read_digest_form(value: object) -> dict[str, Any] | None:
    """A stored digest form as the digest uses it (tags as a tuple); ``None`` when there
    is none, and an empty dict, which a digest never uses, when it is of the wrong shape
    (a stored form is never empty: it is left out when nothing differs)."""
    if value is None:
        return None
    if type(value) is not dict or not value:
        return {}
    form: dict[str, Any] = {}
    for name, field_value in value.items():
        if name == "tags":
            if type(field_value) not in (list, tuple) or any(
                type(tag) is not str for tag in field_value
            ):
                return {}
            form[name] = tuple(field_value)
        elif name not in FORM_FIELDS:
            return {}
        elif type(field_value) is str or (field_value is None and name in _MAY_BE_NONE):
            form[name] = field_value
        else:
            return {}
    return form


class Insight(StoredRecord, frozen=True, dict=True):
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
    digest_stamp: int | None = None
    """The stamp of its stored digest form (written by the store; see
    :mod:`cxdaily.insights.stored_redaction`). Derived data: not compared."""
    digest_form: Mapping[str, Any] | None = None
    """The fields a digest shows otherwise than stored (cleaned, redacted), by name:
    ``None`` when there are none, or none is stored. Derived data: not compared."""
    form_checked: ClassVar[bool] = False
    """Whether the store read this insight from a file in which every insight's stored
    digest form was found current (see :mod:`cxdaily.store.insights`), so that a digest
    need not check its stamp again. Set on an instance by the store only
    (:func:`mark_form_checked`, in the instance's ``__dict__``); never written, and a
    copy made with ``replace`` is unchecked."""

    field_readers: ClassVar[Mapping[str, FieldReader]] = {
        "importance": whole_or(1),
        "summary": text_or(""),
        "quote": text_or(""),
        "digest_stamp": lambda data, key: _derived(data, key, int),
        "digest_form": lambda data, key: read_digest_form(data.get(key)),
    }
    """Records may lack the importance (then 1), the summary or the quote (then empty);
    the stored digest form is derived data, read as unusable when it is of the wrong
    shape (it is then made again, and the insight is never lost over it)."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Insight:
        """Build from a plain dict (a RecordError naming the field when it is of the
        wrong shape)."""
        if type(data) is dict:  # the fast path: an insight as cxdaily stores it
            insight = stored_insight(cls, data, read_digest_form)
            if insight is not None:
                return insight
        return super().from_dict(data)

    def __eq__(self, other: object) -> bool:
        """Equal when every field but the stored digest form is (an insight equals
        itself whether or not the store has given it its form)."""
        if not isinstance(other, Insight):
            return NotImplemented
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        """The hash of the compared fields (see :meth:`__eq__`)."""
        return hash(self._compared())

    def _compared(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _COMPARED)


_COMPARED = tuple(n for n in Insight.__struct_fields__ if n not in ("digest_stamp", "digest_form"))
"""The fields :meth:`Insight.__eq__` compares."""


def mark_form_checked(insights: Iterable[Insight]) -> None:
    """Mark the insights as read from a file whose digest forms were all found current
    (see :attr:`Insight.form_checked`)."""
    for insight in insights:
        vars(insight)["form_checked"] = True


class Session(StoredRecord, frozen=True):
    """One sitting: the planned batch, the budget, and how it ended."""

    id: str
    started_at: datetime
    budget_s: int
    planned: tuple[str, ...]
    ended_at: datetime | None = None
    extra_s: int = 0
    reflection: str | None = None
