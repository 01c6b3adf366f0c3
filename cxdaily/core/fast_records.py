"""Fast readers of the records read by the ten thousand: questions, their authors and
threads, and the leader's actions (every start), and insights (every digest).

Each reader takes a record as cxdaily itself writes it (every field of its usual type, a
timestamp as ``2026-11-21T07:30:00Z``) and builds the model without the field-by-field
checks, or returns ``None`` for anything else: then the model's ``from_dict`` reads the
record through :mod:`cxdaily.core.record_fields`, which fills the gaps the format allows
and says what is wrong. Either way the model built is the same.

The readers receive the model classes they build (:mod:`cxdaily.core.models` defines
them and calls these).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from cxdaily.core.models import Action, Author, Disposition, Insight, Message, Question


def stored_time(value: object) -> datetime | None:
    """A timestamp as cxdaily writes it (``2026-11-21T07:30:00Z``), or ``None`` for any
    other value (read then by :func:`~cxdaily.core.record_fields.read_time`, which says
    what is wrong)."""
    if type(value) is str and len(value) == 20 and value[-1] == "Z":
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def stored_day(value: object) -> date | None:
    """A day as cxdaily writes it (``2026-11-21``); ``None`` when absent or damaged (the
    day is then computed again, as for records older than the field)."""
    if not value or not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def usual_author(data: object) -> bool:
    """Whether an author is as cxdaily stores one (each field absent, null or of its type)."""
    if type(data) is not dict:
        return False
    get = data.get
    author_id, handle, name, followers = get("id"), get("handle"), get("name"), get("followers")
    return (
        (author_id is None or type(author_id) is str)
        and (handle is None or type(handle) is str)
        and (name is None or type(name) is str)
        and (followers is None or type(followers) is int)
    )


def stored_author(cls: type[Author], data: object) -> Author | None:
    """An author as cxdaily stores it (:func:`usual_author`), or ``None``."""
    if not usual_author(data):
        return None
    get = cast(dict[str, Any], data).get
    return cls(
        id=get("id"),
        handle=get("handle"),
        name=get("name"),
        followers=get("followers"),
    )


def usual_thread(context: object) -> bool:
    """Whether a thread is as cxdaily stores one: a list of messages, each with a text
    body, a timestamp and an author as :func:`usual_author` (or none)."""
    if type(context) is not list:
        return False
    for item in context:
        if type(item) is not dict:
            return False
        author = item.get("author")
        if (
            type(item.get("body")) is not str
            or stored_time(item.get("created_at")) is None
            or (author is not None and not usual_author(author))
        ):
            return False
    return True


def stored_messages(
    context: object, message: type[Message], author: Callable[[Any], Author]
) -> tuple[Message, ...] | None:
    """A thread's messages as cxdaily stores them (:func:`usual_thread`), or ``None``;
    ``author`` reads each message's author."""
    if not usual_thread(context):
        return None
    return tuple(
        message(
            author=author(item.get("author")),
            body=item["body"],
            created_at=datetime.fromisoformat(item["created_at"]),
        )
        for item in cast(list[dict[str, Any]], context)
    )


def stored_question(
    cls: type[Question],
    data: dict[str, Any],
    message: type[Message],
    author: Callable[[Any], Author],
) -> Question | None:
    """A question as cxdaily stores it, or ``None``; its thread's messages are built as
    ``message`` and every author is read by ``author``."""
    created_at = usual_question(data)
    if created_at is None:
        return None
    get = data.get
    context = get("context")
    messages: tuple[Message, ...] = ()
    if context:
        threaded = stored_messages(context, message, author)
        if threaded is None:
            return None
        messages = threaded
    return cls(
        id=data["id"],
        channel=data["channel"],
        kind=data["kind"],
        native_id=data["native_id"],
        thread_id=data["thread_id"],
        url=get("url"),
        author=author(get("author")),
        title=get("title"),
        body=data["body"],
        created_at=created_at,
        context=messages,
        meta=dict(data["meta"]),
    )


def usual_question(data: dict[str, Any]) -> datetime | None:
    """When a question stored as cxdaily stores it was asked, or ``None`` when one of its
    fields (its author and thread aside) is not of its usual type."""
    get = data.get
    question_id, channel, kind = get("id"), get("channel"), get("kind")
    native_id, thread_id, url, title = get("native_id"), get("thread_id"), get("url"), get("title")
    body, meta = get("body"), get("meta")
    if (
        type(question_id) is not str
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
    return stored_time(get("created_at"))


def stored_action(
    cls: type[Action], data: dict[str, Any], dispositions: Mapping[str, Disposition]
) -> Action | None:
    """An action as cxdaily stores it, or ``None``; ``dispositions`` maps each stored
    value to its member. A launch reads every action of the leader's history (tens of
    thousands)."""
    get = data.get
    question_id, disposition, at = get("question_id"), get("disposition"), get("at")
    session_id, note, team, until = get("session_id"), get("note"), get("team"), get("until")
    if (
        type(question_id) is not str
        or type(disposition) is not str
        or disposition not in dispositions
        or (session_id is not None and type(session_id) is not str)
        or (note is not None and type(note) is not str)
        or (team is not None and type(team) is not str)
    ):
        return None
    when = stored_time(at)
    snoozed_until = stored_time(until) if until else None
    if when is None or (until and snoozed_until is None):
        return None
    return cls(
        question_id=question_id,
        disposition=dispositions[disposition],
        at=when,
        session_id=session_id,
        note=note,
        team=team,
        until=snoozed_until,
        day=stored_day(get("day")),
    )


def stored_insight(
    cls: type[Insight], data: dict[str, Any], read_form: Callable[[object], Any]
) -> Insight | None:
    """An insight as cxdaily stores it, or ``None`` when one of its fields is not of its
    usual type (then the checked path reads it). A year's digest reads 15,000 of them.
    The stored digest form is derived data, read by ``read_form`` (as the checked path
    reads it); a stamp of another type is read as ``None``."""
    get = data.get
    insight_id, question_id, channel = get("id"), get("question_id"), get("channel")
    url, name, handle = get("url"), get("customer_name"), get("customer_handle")
    tags, team = get("tags"), get("team")
    sentiment, importance = get("sentiment"), get("importance", 1)
    summary, quote, note, session_id = get("summary"), get("quote"), get("note"), get("session_id")
    if (
        type(insight_id) is not str
        or type(question_id) is not str
        or type(channel) is not str
        or type(tags) is not list
        or type(importance) is not int
        or (url is not None and type(url) is not str)
        or (name is not None and type(name) is not str)
        or (handle is not None and type(handle) is not str)
        or (team is not None and type(team) is not str)
        or (sentiment is not None and type(sentiment) is not str)
        or (summary is not None and type(summary) is not str)
        or (quote is not None and type(quote) is not str)
        or (note is not None and type(note) is not str)
        or (session_id is not None and type(session_id) is not str)
    ):
        return None
    for tag in tags:
        if type(tag) is not str:
            return None
    created_at = stored_time(get("created_at"))
    if created_at is None:
        return None
    digest_stamp = get("digest_stamp")
    return cls(
        id=insight_id,
        question_id=question_id,
        channel=channel,
        url=url,
        customer_name=name,
        customer_handle=handle,
        tags=tuple(tags),
        team=team,
        sentiment=sentiment,
        importance=importance,
        summary=summary or "",
        quote=quote or "",
        note=note,
        created_at=created_at,
        session_id=session_id,
        digest_stamp=digest_stamp if type(digest_stamp) is int else None,
        digest_form=read_form(get("digest_form")),
    )
