"""Pure functions of the ``khoros`` channel: LiQL queries built safely, the Community API
v2 envelope read defensively, and messages turned into questions.

LiQL is a query language sent as one ``q`` parameter, so nothing a response or a config
file holds goes into it unchecked: board ids must match :data:`BOARD_ID`, message ids
:data:`MESSAGE_ID`, a paging cursor :data:`CURSOR`, and the checkpoint time is formatted
here from a ``datetime`` (never copied from a response).

Every answer is an envelope ``{"status", "message", "http_code", "data"}``; a ``status``
of ``"error"`` (even with HTTP 200) is a one-line error. A message's fields (``id``,
``subject``, ``body`` HTML, ``author{id, login, rank}``, ``post_time``, ``view_href``,
``conversation{id, solved}``, ``parent{id}``, ``depth``, ``board{id}``, ``kudos``) may each
be missing or null but ``id`` and ``post_time``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import msgspec

from cxdaily.connectors.helpdesk import (
    TicketMessage,
    message_text,
    optional_id,
    optional_text,
)
from cxdaily.connectors.http import BadResponseError, HttpResult, describe_url
from cxdaily.connectors.http_errors import status_error
from cxdaily.connectors.options import Option
from cxdaily.connectors.parsing import (
    ChannelMessage,
    QuestionShapeError,
    channel_question,
    id_field,
    parse_time,
)
from cxdaily.connectors.public_channel import whole_count
from cxdaily.core.errors import ConfigError
from cxdaily.core.models import Author, Message, Question
from cxdaily.core.safe_text import clean, one_line
from cxdaily.settings import ChannelSettings

BOARD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
"""A board id that can stand inside a LiQL string literal (letters, digits, ``_.-``)."""
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
CURSOR = re.compile(r"[A-Za-z0-9+/=_.:-]{1,2000}")
"""A ``next_cursor`` that can be sent back in a LiQL ``CURSOR '...'`` clause."""
PAGE_SIZE = 100
MAX_NAME_CHARS = 200
MAX_SUBJECT_CHARS = 500
MAX_KUDOS = 10**9
STAFF_WORDS = re.compile(r"\b(staff|moderator|administrator|admin|employee|community manager)\b",
                         re.IGNORECASE)  # fmt: skip
"""Rank or role names that mark the brand's own people (besides the API user itself)."""
FIELDS = ("id, subject, body, author, post_time, view_href, conversation, parent, depth, "
          "board, kudos.sum(weight)")  # fmt: skip
REPLY_FIELDS = "id, body, author, post_time, view_href, conversation, parent, depth"


class BoardListOption(Option, frozen=True):
    """Board ids: a TOML list, or text separated by commas; each must be LiQL-safe."""

    def convert(self, raw: Any, channel: ChannelSettings) -> Any:
        """A tuple of board ids, each once, in the order given."""
        items = raw.split(",") if isinstance(raw, str) else raw
        if isinstance(items, int) and not isinstance(items, bool):
            items = [str(items)]
        if not isinstance(items, list | tuple) or not all(
            isinstance(i, str) or (isinstance(i, int) and not isinstance(i, bool)) for i in items
        ):
            raise ConfigError(
                f"[channels.{channel.name}] {self.name} must be board ids, like "
                '["support", "ideas"]'
            )
        names = [str(i).strip() for i in items if str(i).strip()]
        for name in names:
            if not BOARD_ID.fullmatch(name):
                raise ConfigError(
                    f"[channels.{channel.name}] {self.name}: {one_line(name, 60)!r} is not a "
                    "board id (letters, digits, _ . and - only)"
                )
        return tuple(dict.fromkeys(names))


# ----------------------------------------------------------------------------- LiQL
def liql_time(when: datetime) -> str:
    """A LiQL datetime literal's text: ``2026-12-04T08:00:00.000+00:00`` (UTC)."""
    utc = when.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+00:00"


def _cursor_clause(cursor: str | None) -> str:
    if cursor is None:
        return ""
    if not CURSOR.fullmatch(cursor):
        raise ValueError("unsafe cursor")
    return f" CURSOR '{cursor}'"


def messages_query(since: datetime, boards: tuple[str, ...], cursor: str | None = None) -> str:
    """The LiQL of messages posted after ``since`` (in ``boards`` when given), oldest first."""
    where = f"post_time > '{liql_time(since)}'"
    if boards:
        if not all(BOARD_ID.fullmatch(b) for b in boards):
            raise ValueError("unsafe board id")
        where += " AND board.id IN (" + ", ".join(f"'{b}'" for b in boards) + ")"
    return (
        f"SELECT {FIELDS} FROM messages WHERE {where} ORDER BY post_time ASC "
        f"LIMIT {PAGE_SIZE}{_cursor_clause(cursor)}"
    )


def replies_query(parent_id: str, cursor: str | None = None) -> str:
    """The LiQL of the direct replies to one message, oldest first."""
    if not MESSAGE_ID.fullmatch(parent_id):
        raise ValueError("unsafe message id")
    return (
        f"SELECT {REPLY_FIELDS} FROM messages WHERE parent.id = '{parent_id}' "
        f"ORDER BY post_time ASC LIMIT {PAGE_SIZE}{_cursor_clause(cursor)}"
    )


def safe_message_id(value: str) -> bool:
    """Whether ``value`` can go into a URL path segment and a LiQL literal as it is."""
    return bool(MESSAGE_ID.fullmatch(value))


# ----------------------------------------------------------------------------- envelope
def envelope_data(
    data: Any, result: HttpResult, channel: str, *, scrub: Any, auth_hint: str | None,
    secret_variables: str | None,
) -> Any:  # fmt: skip
    """The ``data`` of a v2 answer; ``status: "error"`` (whatever the HTTP status) is the
    framework's one-line error for its ``http_code`` (401: an auth error), else a
    :class:`BadResponseError`; an answer that is no envelope is a BadResponseError."""
    where = f"{result.method} {describe_url(result.url)}"
    if not isinstance(data, dict):
        raise BadResponseError(f"{where} answered, but not with a JSON object", channel=channel)
    status = data.get("status")
    if isinstance(status, str) and status.strip().lower() == "error":
        code = data.get("http_code")
        if isinstance(code, int) and not isinstance(code, bool) and 400 <= code < 600:
            raise status_error(
                method=result.method,
                url=result.url,
                status=code,
                content=result.content,
                channel=channel,
                scrub=scrub,
                auth_hint=auth_hint,
                secret_variables=secret_variables,
            )
        said = data.get("message")
        said = f": {scrub(said, 120)}" if isinstance(said, str) and said.strip() else ""
        raise BadResponseError(f"{where} answered with an error{said}", channel=channel)
    if "data" not in data:
        raise BadResponseError(f"{where} answered without its data", channel=channel)
    return data.get("data")


def page_of(data: Any, result: HttpResult, channel: str) -> tuple[list[Any], str | None]:
    """The ``items`` of a search answer's data and its ``next_cursor`` (``None``: the last)."""
    items = data.get("items") if isinstance(data, dict) else None
    if isinstance(data, dict) and items is None and data.get("size") == 0:
        items = []
    if not isinstance(items, list):
        raise BadResponseError(
            f"{result.method} {describe_url(result.url)} answered without a list of items",
            channel=channel,
        )
    cursor = data.get("next_cursor")
    return items, cursor if isinstance(cursor, str) and cursor.strip() else None


def user_of(data: Any) -> tuple[str, str | None] | None:
    """``(id, login)`` of a user object (``/users/self``), or ``None`` without an id."""
    if not isinstance(data, dict):
        return None
    try:
        ident = id_field(data.get("id"), "user id")
    except QuestionShapeError:
        return None
    if ident is None:
        return None
    return ident, optional_text(data.get("login"), "login", MAX_NAME_CHARS)


def token_fields(data: Any) -> dict[str, Any] | None:
    """The object holding ``access_token`` in a token answer: the answer itself, its
    ``data``, or ``response.data`` (Khoros wraps answers in envelopes)."""
    for candidate in (data, _get(data, "data"), _get(_get(data, "response"), "data")):
        if isinstance(candidate, dict) and "access_token" in candidate:
            return candidate
    return None


def _get(data: Any, key: str) -> Any:
    return data.get(key) if isinstance(data, dict) else None


# ----------------------------------------------------------------------------- messages
class Post(ChannelMessage, frozen=True):
    """One community message as the API gives it: ``id``, ``body`` as clean plain text
    and ``post_time`` as ``created_at``."""

    author: Author
    """``author.id`` and ``author.login`` (the member's handle on the community)."""
    subject: str | None = None
    url: str | None = None
    """``view_href``: where the message is read on the community."""
    conversation_id: str | None = None
    """``conversation.id``: the thread the message belongs to."""
    parent_id: str | None = None
    """``parent.id``: the message this one answers (none for the thread's first)."""
    staff: bool = False
    """The author's rank or roles name them staff, a moderator, an employee."""
    facts: dict[str, Any] = msgspec.field(default_factory=dict)
    """What a question shows of the message in its ``meta``: ``board``, ``depth``,
    ``kudos``, ``solved``, ``author_rank`` (each only when the community says it)."""

    def by_team(self, our_id: str | None) -> bool:
        """Written by the API user or someone the community ranks as staff."""
        return self.staff or (our_id is not None and self.author.id == our_id)

    def as_message(self) -> Message:
        """The message for a question's context."""
        return Message(author=self.author, body=self.body, created_at=self.created_at)

    def as_ticket_message(self, our_id: str | None) -> PostMessage:
        """The message as helpdesk's helpers read a thread (the team's or a member's)."""
        return PostMessage(
            id=self.id,
            author=self.author,
            body=self.body,
            created_at=self.created_at,
            from_customer=not self.by_team(our_id),
            url=self.url,
        )


class PostMessage(TicketMessage, frozen=True):
    """A community message in a thread, with its public link."""

    url: str | None = None


def parse_post(item: Any) -> Post:
    """One message object as a :class:`Post`; :class:`QuestionShapeError` when it cannot be."""
    if not isinstance(item, dict):
        raise QuestionShapeError("expected a JSON object")
    ident = id_field(item.get("id"), "id", required=True) or ""
    author_data = item.get("author")
    author_data = author_data if isinstance(author_data, dict) else {}
    login = optional_text(author_data.get("login"), "author.login", MAX_NAME_CHARS)
    author = Author(id=id_field(optional_id(author_data.get("id")), "author.id"),
                    handle=one_line(login, MAX_NAME_CHARS) if login else None)  # fmt: skip
    body = message_text(item.get("body"), "body") if isinstance(item.get("body"), str) else None
    subject = optional_text(item.get("subject"), "subject", MAX_SUBJECT_CHARS)
    rank = _name(author_data.get("rank"))
    roles = _role_names(author_data.get("roles"))
    facts = {
        "board": _object_id(item.get("board")),
        "depth": whole_count(item.get("depth"), 10**6),
        "kudos": _kudos(item.get("kudos")),
        "solved": _flag(_get(item.get("conversation"), "solved")),
        "author_rank": one_line(rank, 80) if rank else None,
    }
    return Post(
        id=ident,
        author=author,
        body=clean(body or "").strip(),
        created_at=parse_time(item.get("post_time"), "post_time"),
        subject=one_line(subject, MAX_SUBJECT_CHARS) if subject else None,
        url=parse_url(item.get("view_href")),
        conversation_id=_object_id(item.get("conversation")),
        parent_id=_object_id(item.get("parent")),
        staff=any(STAFF_WORDS.search(n) for n in (rank, *roles) if n),
        facts={name: value for name, value in facts.items() if value is not None},
    )


def _object_id(value: Any) -> str | None:
    """The ``id`` of a nested object (``{"type": "board", "id": ...}``), or ``None``."""
    try:
        return id_field(optional_id(_get(value, "id")), "id")
    except QuestionShapeError:
        return None


def _name(value: Any) -> str | None:
    name = _get(value, "name") if isinstance(value, dict) else value
    return optional_text(name, "name", 200)


def _role_names(value: Any) -> list[str]:
    items = _get(value, "items") if isinstance(value, dict) else value
    if not isinstance(items, list):
        return []
    return [n for n in (_name(i) for i in items[:100]) if n]


def _kudos(value: Any) -> int | None:
    """LiQL's ``kudos.sum(weight)`` (``{"sum": {"weight": N}}``), or a plain count."""
    for candidate in (value, _get(value, "sum"), _get(_get(value, "sum"), "weight"),
                      _get(value, "count")):  # fmt: skip
        found = whole_count(candidate, MAX_KUDOS)
        if found is not None:
            return found
    return None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def parse_url(value: Any) -> str | None:
    """A public link (http or https, no spaces), or ``None``."""
    if not isinstance(value, str) or len(value) > 4096:
        return None
    text = value.strip()
    if not text.startswith(("https://", "http://")) or any(c.isspace() for c in text):
        return None
    return clean(text)


# ----------------------------------------------------------------------------- questions
def question_of(
    post: Post, *, channel: str, kind: str, context: list[Post], settled: bool = False
) -> Question:
    """The question a member's message asks (``settled``: the team answered it already)."""
    meta: dict[str, Any] = {**post.facts}
    if post.conversation_id is not None:
        meta["conversation_id"] = post.conversation_id
    if settled:
        meta["team_answered"] = True
    ordered = sorted(context, key=lambda p: p.created_at)
    return channel_question(
        channel=channel, kind=kind, native=post.id, thread_id=post.id, author=post.author,
        url=post.url, title=post.subject, body=post.body or post.subject or "",
        created_at=post.created_at, context=tuple(p.as_message() for p in ordered), meta=meta,
    )  # fmt: skip


def answered_ids(posts: list[Post], our_id: str | None) -> set[str]:
    """Members' messages the team answered later in the same conversation (or directly)."""
    team = [p for p in posts if p.by_team(our_id)]
    answered: set[str] = set()
    for post in posts:
        if post.by_team(our_id):
            continue
        for reply in team:
            same = (
                post.conversation_id is not None and reply.conversation_id == post.conversation_id
            )
            if reply.created_at > post.created_at and (same or reply.parent_id == post.id):
                answered.add(post.id)
                break
    return answered


def reply_subject(title: str | None) -> str:
    """``Re: <subject>`` for a reply (the subject once, not ``Re: Re: ...``)."""
    subject = one_line(title or "", MAX_SUBJECT_CHARS)
    if subject.lower().startswith("re:"):
        return subject
    return f"Re: {subject}".strip()


def reference(item: Any, index: int) -> str:
    """How a warning names a message: its id, else its place on the page."""
    ident = item.get("id") if isinstance(item, dict) else None
    fits = isinstance(ident, int | str) and not isinstance(ident, bool) and len(str(ident)) <= 40
    return one_line(ident, 40) if fits else f"#{index + 1} on its page"
