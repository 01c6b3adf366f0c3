"""The question shape shared by every connector, checked strictly and cleaned on the way in.

One JSON object per question::

    {"id": "123", "body": "text", "created_at": "2026-11-21T14:03:07Z",
     "author": {"id": "7", "handle": "@jane", "name": "Jane", "followers": 120},
     "title": "...", "url": "https://...", "thread_id": "...",
     "context": [{"author": {...}, "body": "...", "created_at": "..."}],
     "meta": {...}}

``id``, ``body`` and ``created_at`` are required; everything else is optional. A
problem raises :class:`QuestionShapeError` (and nothing else, whatever the input) with a
one-line reason naming the field, so a caller can report it with a line or item number
and go on with the rest.

This is the parsing boundary for customer text: every string kept (bodies, titles,
names, handles, urls, ids, meta keys and values) has its lone surrogates replaced by
U+FFFD, so what comes out can always be encoded and stored. A connector that reads a
service's own payload builds this shape and calls :func:`parse_question`; for any other
text it keeps it uses :func:`text_field` (and :func:`id_field` for identifiers). A
connector that reads threads makes the question of one customer turn with
:func:`turn_question` (any other question of the service's own id with
:func:`channel_question`), and reads its stored checkpoint with :func:`checkpoint_time` and
:func:`checkpoint_marks` (a damaged one means a first fetch). What a fetch skips or leaves
for the next one is recorded with :mod:`cxdaily.connectors.skipped`.

Hostile values cost only their item: an :class:`~cxdaily.core.safe_json.Unreadable` value
(what :func:`cxdaily.core.safe_json.loads` makes of huge numbers and too-deep nesting), a
number too large, an id longer than :data:`MAX_ID_CHARS`, a time outside
:data:`EARLIEST`..:data:`LATEST` or a ``meta`` nested deeper than :data:`MAX_META_DEPTH`
levels is refused with a shape error naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import msgspec
from dateutil.parser import isoparse

from cxdaily.core.models import Author, Message, Question
from cxdaily.core.safe_json import (
    MAX_INT_DIGITS,
    Unreadable,
    clean_surrogates,
    find_unreadable,
    too_deep,
)

MAX_TEXT_CHARS = 200_000
"""Longest body, title or name kept (longer ones are refused, not cut)."""
MAX_ID_CHARS = 200
"""Longest id (of a question, thread, author or message) kept."""
MAX_URL_CHARS = 4096
MAX_CONTEXT_MESSAGES = 200
"""Earlier messages kept per question (the latest ones)."""
MAX_META_DEPTH = 32
"""Deepest nesting of ``meta`` kept (real payloads stay far below)."""
MAX_FOLLOWERS = 10**12
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
"""Earliest time accepted: older ones are damaged data, and date arithmetic near year 1
overflows in the leader's time zone."""
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
"""Times from here on are refused (year 9999 overflows as soon as a day is added)."""
_MAX_TIME_CHARS = 64
_ID_NUMBER_LIMIT = 10**MAX_ID_CHARS
_META_NUMBER_LIMIT = 10**MAX_INT_DIGITS


_MAX_MESSAGE_CHARS = 300


class QuestionShapeError(ValueError):
    """A question object does not have the expected shape.

    The message is made one printable line of at most 300 characters, since it may quote
    field names and values of the payload.
    """

    def __init__(self, message: str) -> None:
        printable = "".join(c if c.isprintable() else "?" for c in message)
        if len(printable) > _MAX_MESSAGE_CHARS:
            printable = printable[: _MAX_MESSAGE_CHARS - 1] + "…"
        super().__init__(printable)


def parse_question(data: Any, *, channel: str, kind: str) -> Question:
    """Turn one question object into a :class:`Question` of ``channel``.

    Raises only :class:`QuestionShapeError`, naming the field that is wrong.
    """
    if not isinstance(data, dict):
        raise QuestionShapeError(f"expected a JSON object, got {_type_name(data)}")
    native_id = id_field(data.get("id"), "id", required=True)
    assert native_id is not None
    thread_id = id_field(data.get("thread_id"), "thread_id") or native_id
    context = data.get("context")
    if context is None:
        context = []
    if not isinstance(context, list):
        raise QuestionShapeError(f"context must be a list, got {_type_name(context)}")
    if len(context) > MAX_CONTEXT_MESSAGES:
        context = context[-MAX_CONTEXT_MESSAGES:]
    return Question(
        id=Question.make_id(channel, native_id),
        channel=channel,
        kind=kind,
        native_id=native_id,
        thread_id=thread_id,
        url=_web_url(data.get("url")),
        author=parse_author(data.get("author"), "author"),
        title=text_field(data.get("title"), "title"),
        body=text_field(data.get("body"), "body", required=True) or "",
        created_at=parse_time(data.get("created_at"), "created_at"),
        context=tuple(_message(m, f"context[{n}]") for n, m in enumerate(context)),
        meta=meta_field(data.get("meta"), "meta"),
    )


def text_field(
    value: Any, where: str, *, required: bool = False, max_chars: int | None = MAX_TEXT_CHARS
) -> str | None:
    """A customer text field, cleaned of lone surrogates; ``None`` when absent.

    Refuses (with :class:`QuestionShapeError` naming ``where``) a value that is not a
    string, or is longer than ``max_chars`` (``None``: no limit).
    """
    if value is None:
        if required:
            raise QuestionShapeError(f"{where} is missing")
        return None
    _refuse_unreadable(value, where)
    if not isinstance(value, str):
        raise QuestionShapeError(f"{where} must be a string, got {_type_name(value)}")
    if max_chars is not None and len(value) > max_chars:
        raise QuestionShapeError(f"{where} is longer than {max_chars} characters")
    return clean_surrogates(value)


def id_field(value: Any, where: str, *, required: bool = False) -> str | None:
    """An identifier (a string or an integer) as cleaned text of 1 to MAX_ID_CHARS characters."""
    if value is None or value == "":
        if required:
            raise QuestionShapeError(f"{where} is missing")
        return None
    _refuse_unreadable(value, where)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise QuestionShapeError(f"{where} must be a string or an integer")
    if isinstance(value, int) and abs(value) >= _ID_NUMBER_LIMIT:  # str() of it may raise
        raise QuestionShapeError(f"{where} is longer than {MAX_ID_CHARS} characters")
    text = clean_surrogates(str(value)).strip()
    if not text:
        raise QuestionShapeError(f"{where} is blank")
    if len(text) > MAX_ID_CHARS:
        raise QuestionShapeError(f"{where} is longer than {MAX_ID_CHARS} characters")
    return text


def parse_author(data: Any, where: str) -> Author:
    """An author object (or a bare handle string, or nothing)."""
    if data is None:
        return Author()
    if isinstance(data, str):
        return Author(handle=text_field(data, where) or None)
    data = object_field(data, where)
    return Author(
        id=id_field(data.get("id"), f"{where}.id"),
        handle=text_field(data.get("handle"), f"{where}.handle"),
        name=text_field(data.get("name"), f"{where}.name"),
        followers=_followers(data.get("followers"), f"{where}.followers"),
    )


def _followers(value: Any, where: str) -> int | None:
    if value is None:
        return None
    _refuse_unreadable(value, where)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise QuestionShapeError(f"{where} must be a number")
    # compared as it is: float() of a 4,000-digit integer raises OverflowError
    if isinstance(value, float) and not math.isfinite(value):
        raise QuestionShapeError(f"{where} must be a finite number")
    if value < 0:
        raise QuestionShapeError(f"{where} must be zero or more")
    if value > MAX_FOLLOWERS:
        raise QuestionShapeError(f"{where} is too large (more than {MAX_FOLLOWERS})")
    return int(value)


def parse_time(value: Any, where: str) -> datetime:
    """An ISO-8601 timestamp (naive means UTC), epoch seconds or a datetime, as aware UTC.

    Times before :data:`EARLIEST` or from :data:`LATEST` on are refused.
    """
    if value is None:
        raise QuestionShapeError(f"{where} is missing")
    _refuse_unreadable(value, where)
    if isinstance(value, bool):
        raise QuestionShapeError(f"{where} must be an ISO-8601 timestamp")
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float):
        try:
            parsed = datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise QuestionShapeError(f"{where} = {_shown(value)} is not a valid time") from None
    elif isinstance(value, str):
        try:
            if len(value) > _MAX_TIME_CHARS:
                raise ValueError(value)
            parsed = isoparse(value.strip())
        except (ValueError, OverflowError):
            raise QuestionShapeError(
                f"{where} = {_shown(value)} is not an ISO-8601 timestamp"
            ) from None
    else:
        raise QuestionShapeError(f"{where} must be an ISO-8601 timestamp")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    in_utc: datetime | None
    try:
        in_utc = parsed.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 with a positive offset, year 9999 with a negative
        in_utc = None
    if in_utc is None or not EARLIEST <= in_utc < LATEST:
        raise QuestionShapeError(
            f"{where} = {_shown(value)} is out of range (years {EARLIEST.year} to "
            f"{LATEST.year - 1})"
        )
    return in_utc


class ChannelMessage(msgspec.Struct, frozen=True):
    """What every channel's record of one message holds: its id on the service, its text
    as clean plain text and when it was written (UTC). A kind's record extends it with
    what its API adds (author, thread, counts)."""

    id: str
    body: str
    created_at: datetime


class TurnMessage(Protocol):
    """A message of a thread as a connector reads it: its text, when it was written, and
    itself as a message of a question's context."""

    @property
    def body(self) -> str:
        """Plain text."""
        ...

    @property
    def created_at(self) -> datetime:
        """When it was written."""
        ...

    def as_message(self) -> Message:
        """The message in cxdaily's model."""
        ...


def turn_question(
    *,
    channel: str,
    kind: str,
    native_id: str,
    thread_id: str,
    url: str | None,
    author: Author,
    title: str | None,
    turn: Sequence[TurnMessage],
    before: Sequence[TurnMessage],
    meta: dict[str, Any],
) -> Question:
    """The question one customer turn of a thread asks: the text of the turn's messages
    (the ``title`` when they have none), asked when the turn began, with the messages
    ``before`` it as context (the last :data:`MAX_CONTEXT_MESSAGES`)."""
    body = "\n\n".join(m.body for m in turn if m.body.strip()) or (title or "")
    context = tuple(m.as_message() for m in before[-MAX_CONTEXT_MESSAGES:])
    return channel_question(
        channel=channel, kind=kind, native=native_id, thread_id=thread_id, url=url,
        author=author, title=title, body=body, created_at=turn[0].created_at,
        context=context, meta=meta,
    )  # fmt: skip


def channel_question(*, channel: str, kind: str, native: str, **fields: Any) -> Question:
    """A question of ``channel`` with the service's id ``native`` (its global id made from
    both); ``fields`` are the rest of :class:`Question`'s fields (``thread_id``, ``author``,
    ``body`` ...)."""
    made_id = Question.make_id(channel, native)
    return Question(id=made_id, channel=channel, kind=kind, native_id=native, **fields)


def checkpoint_time(checkpoint: Any, key: str) -> datetime | None:
    """The time a checkpoint keeps under ``key`` (an ISO-8601 text), or ``None`` when it
    has none usable: the fetch then looks back as a first one does."""
    value = checkpoint.get(key) if isinstance(checkpoint, dict) else None
    try:
        return parse_time(value, key) if isinstance(value, str) else None
    except QuestionShapeError:
        return None


def checkpoint_marks(
    checkpoint: Any, time_key: str, ids_key: str, limit: int
) -> tuple[datetime | None, set[str]]:
    """The time a checkpoint keeps under ``time_key`` and the ids under ``ids_key`` (at
    most ``limit``: the items already taken at that very time); ``(None, set())`` when
    it has no usable time."""
    since = checkpoint_time(checkpoint, time_key)
    return since, set(checkpoint_ids(checkpoint, ids_key, limit)) if since else set()


def checkpoint_ids(checkpoint: Any, key: str, limit: int) -> list[str]:
    """The ids a stored checkpoint lists under ``key`` (the first ``limit``; anything but
    text is left out)."""
    ids = checkpoint.get(key) if isinstance(checkpoint, dict) else None
    return [i for i in ids[:limit] if isinstance(i, str)] if isinstance(ids, list) else []


def object_field(value: Any, where: str) -> dict[str, Any]:
    """The JSON object a payload holds at ``where``; anything else (an unreadable value
    too) is a :class:`QuestionShapeError` saying what it is instead."""
    _refuse_unreadable(value, where)
    if not isinstance(value, dict):
        raise QuestionShapeError(f"{where} must be an object, got {_type_name(value)}")
    return value


def meta_field(value: Any, where: str) -> dict[str, Any]:
    """A free-form ``meta`` object: plain JSON values, cleaned, nested at most MAX_META_DEPTH."""
    if value is None:
        return {}
    value = object_field(value, where)
    if too_deep(value, MAX_META_DEPTH):
        raise QuestionShapeError(f"{where} is nested deeper than {MAX_META_DEPTH} levels")
    problem = find_unreadable(value, where)
    if problem is not None:
        raise QuestionShapeError(problem)
    return _plain_json(value, where)


def _plain_json(value: Any, where: str) -> Any:
    """A copy of ``value`` with strings cleaned; refuses what JSON cannot store.

    Recursive: callers check the depth first (:func:`too_deep`).
    """
    if isinstance(value, str):
        return clean_surrogates(value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) >= _META_NUMBER_LIMIT:  # str() of a huge integer raises
            raise QuestionShapeError(f"{where} is a number of more than {MAX_INT_DIGITS} digits")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QuestionShapeError(f"{where} must be a finite number")
        return value
    if isinstance(value, list | tuple):
        return [_plain_json(item, f"{where}[{n}]") for n, item in enumerate(value)]
    if isinstance(value, dict):
        copy: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise QuestionShapeError(f"{where} has a key that is not text ({key!r:.40})")
            name = clean_surrogates(key)
            copy[name] = _plain_json(item, f"{where}.{name}")
        return copy
    raise QuestionShapeError(f"{where} holds {_type_name(value)}, which is not JSON")


def _message(data: Any, where: str) -> Message:
    data = object_field(data, where)
    return Message(
        author=parse_author(data.get("author"), f"{where}.author"),
        body=text_field(data.get("body"), f"{where}.body", required=True) or "",
        created_at=parse_time(data.get("created_at"), f"{where}.created_at"),
    )


def _web_url(value: Any) -> str | None:
    """Keep only http(s) links: anything else (``javascript:``, ``file:``) is dropped."""
    if not isinstance(value, str):
        return None
    text = clean_surrogates(value.strip())
    if not text.lower().startswith(("https://", "http://")) or len(text) > MAX_URL_CHARS:
        return None
    return text


def _refuse_unreadable(value: Any, where: str) -> None:
    if isinstance(value, Unreadable):
        raise QuestionShapeError(f"{where} is unreadable ({value.reason})")


def _shown(value: Any) -> str:
    """A short, printable rendering of a bad value for a message."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _META_NUMBER_LIMIT:
        return "a huge number"
    text = repr(clean_surrogates(value) if isinstance(value, str) else value)
    return text if len(text) <= 42 else text[:41] + "…"


def _type_name(value: Any) -> str:
    if isinstance(value, Unreadable):
        return f"an unreadable value ({value.reason})"
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def what_it_is(value: Any) -> str:
    """What a JSON value is, in words (for messages): "an object", "a list", "null" ..."""
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "true/false"}
    return kinds.get(type(value), "a number" if isinstance(value, int | float) else "null")
