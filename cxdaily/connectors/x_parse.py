"""Reading X API v2 payloads (posts, users, pages, errors) for the ``x`` connector.

Pure functions over the documented shapes: a page is ``{"data": [post...],
"includes": {"users": [...], "tweets": [...]}, "meta": {"next_token": ...}}``; an empty
page may have no ``data`` at all. Every field the docs call optional may be missing or
null. Text is cleaned where it enters (lone surrogates, terminal escapes, the ``&amp;``,
``&lt;`` and ``&gt;`` X writes for ``&``, ``<`` and ``>``).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgspec

from cxdaily.connectors.helpdesk import TicketMessage, optional_text
from cxdaily.connectors.http import ChannelHttp, HttpResult, StatusError, describe_url
from cxdaily.connectors.http_errors import error_body, page_list, status_error
from cxdaily.connectors.parsing import (
    MAX_FOLLOWERS,
    MAX_TEXT_CHARS,
    ChannelMessage,
    QuestionShapeError,
    id_field,
    meta_field,
    parse_time,
    text_field,
)
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.core.clock import to_iso
from cxdaily.core.errors import ConnectorError
from cxdaily.core.models import Author, Message
from cxdaily.core.safe_json import is_digits
from cxdaily.core.safe_text import clean

MAX_NAME_CHARS = 200
"""X display names have at most 50 characters; anything longer is cut."""
TWITTER_EPOCH_MS = 1288834974657
"""Post ids are Snowflake ids: ``(id >> 22) + TWITTER_EPOCH_MS`` is when it was made."""
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_USERNAME = re.compile(r"[A-Za-z0-9_]{1,50}")
_TOKEN_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F))
_METRICS = ("retweet_count", "reply_count", "like_count", "quote_count", "impression_count")


class TweetParts(ChannelMessage, frozen=True):
    """What the connector uses of one post (``text`` is its ``body``)."""

    author_id: str | None = None
    in_reply_to_user_id: str | None = None
    replied_to: str | None = None
    """The id of the post this one replies to (``referenced_tweets`` ``replied_to``)."""
    retweet: bool = False
    meta: dict[str, Any] = msgspec.field(default_factory=dict)


class XUser(msgspec.Struct, frozen=True):
    """A user from ``includes.users`` (or ``/2/users/me``)."""

    author: Author
    username: str | None
    verified: bool | None


class Includes(msgspec.Struct, frozen=True):
    """A page's expansions: users and referenced posts by id."""

    users: dict[str, XUser]
    tweets: dict[str, TweetParts]


def post_text(value: Any, where: str) -> str:
    """A post's text, cleaned: surrogates replaced, escapes removed, X's entities read."""
    text = text_field(value, where, required=True, max_chars=MAX_TEXT_CHARS) or ""
    return clean(_ENTITY.sub(lambda m: _ENTITIES[m[1]], text)).strip()


def full_text(item: dict[str, Any]) -> str:
    """A post's whole text: ``note_tweet.text`` for a long post (its ``text`` holds only
    the first 280 characters or so), else ``text``."""
    note = item.get("note_tweet")
    long_text = note.get("text") if isinstance(note, dict) else None
    if isinstance(long_text, str) and long_text.strip():
        with contextlib.suppress(QuestionShapeError):
            return post_text(long_text, "note_tweet.text")
    return post_text(item.get("text"), "text")


def tweet_parts(item: Any) -> TweetParts:
    """One post object; :class:`QuestionShapeError` names what is wrong with it."""
    if not isinstance(item, dict):
        raise QuestionShapeError("expected a JSON object")
    ident = id_field(item.get("id"), "id", required=True) or ""
    if not is_digits(ident):
        raise QuestionShapeError("id must be a number written as text")
    refs = item.get("referenced_tweets")
    replied_to = None
    retweet = False
    for ref in refs if isinstance(refs, list) else []:
        if not isinstance(ref, dict):
            continue
        kind = ref.get("type")
        retweet = retweet or kind == "retweeted"
        if kind == "replied_to" and replied_to is None:
            replied_to = _optional_id(ref.get("id"))
    created = item.get("created_at")
    meta: dict[str, Any] = {}
    for key in ("conversation_id", "in_reply_to_user_id"):
        value = _optional_id(item.get(key))
        if value is not None:
            meta[key] = value
    lang = optional_text(item.get("lang"), "lang", 20)
    if lang:
        meta["lang"] = lang
    metrics = _metrics(item.get("public_metrics"))
    if metrics:
        meta["public_metrics"] = metrics
    return TweetParts(
        id=ident,
        body=full_text(item),
        created_at=parse_time(created, "created_at") if created is not None else _made(ident),
        author_id=_optional_id(item.get("author_id")),
        in_reply_to_user_id=meta.get("in_reply_to_user_id"),
        replied_to=replied_to,
        retweet=retweet,
        meta=meta_field(meta, "meta"),
    )


def x_user(item: Any) -> XUser | None:
    """A user object (``None`` when it has no usable id)."""
    if not isinstance(item, dict):
        return None
    ident = _optional_id(item.get("id"))
    if ident is None:
        return None
    username = item.get("username")
    username = username if isinstance(username, str) and _USERNAME.fullmatch(username) else None
    name = item.get("name")
    name = optional_text(name[:MAX_NAME_CHARS] if isinstance(name, str) else None, "name")
    followers = _count((item.get("public_metrics") or {}), "followers_count")
    verified = item.get("verified")
    return XUser(
        author=Author(
            id=ident, handle=f"@{username}" if username else None, name=name, followers=followers
        ),
        username=username,
        verified=verified if isinstance(verified, bool) else None,
    )


def includes_of(data: dict[str, Any]) -> Includes:
    """A page's ``includes`` (users and posts by id); bad entries are left out."""
    includes = data.get("includes")
    includes = includes if isinstance(includes, dict) else {}
    users: dict[str, XUser] = {}
    for item in _list(includes.get("users")):
        user = x_user(item)
        if user is not None and user.author.id is not None:
            users.setdefault(user.author.id, user)
    tweets: dict[str, TweetParts] = {}
    for item in _list(includes.get("tweets")):
        try:
            parts = tweet_parts(item)
        except QuestionShapeError:
            continue  # costs only the context it would have given
        tweets.setdefault(parts.id, parts)
    return Includes(users=users, tweets=tweets)


def page_items(data: dict[str, Any], result: HttpResult, channel: str) -> list[Any]:
    """The posts of a page: ``data`` (missing when the page is empty)."""
    if data.get("data") is None and ("meta" in data or "includes" in data or not data):
        return []
    return page_list(data, "data", result, channel, "without a list of posts (data)")


def next_token(data: dict[str, Any]) -> str | None:
    """``meta.next_token``: the next page's ``pagination_token`` (``None`` on the last)."""
    meta = data.get("meta")
    token = meta.get("next_token") if isinstance(meta, dict) else None
    if not isinstance(token, str) or not token.strip() or len(token) > 500:
        return None
    return token.strip()


def own_reply(item: Any, tweet_id: str, user_id: str) -> TicketMessage | None:
    """One of the brand's posts as a message of the thread when it replies to ``tweet_id``."""
    try:
        parts = tweet_parts(item)
    except QuestionShapeError:
        return None
    if parts.replied_to != tweet_id or parts.author_id not in (None, user_id):
        return None
    return TicketMessage(
        id=parts.id,
        author=Author(id=user_id),
        body=parts.body,
        created_at=parts.created_at,
        from_customer=False,
    )


def service_problem(content: bytes, scrub: Callable[[object, int], str]) -> str:
    """X's explanation in an error body: ``title: detail [type]`` (Problem objects),
    ``error: error_description`` (the token endpoint) or the first ``errors`` message."""
    data = error_body(content)
    if data is None:
        return ""
    errors = data.get("errors")
    first = errors[0] if isinstance(errors, list) and errors else None
    source = data if ("title" in data or "detail" in data or "error" in data) else first
    if not isinstance(source, dict):
        return ""
    words = [source.get(k) for k in ("title", "detail", "error", "error_description", "message")]
    said = ": ".join(w.strip() for w in words if isinstance(w, str) and w.strip())
    kind = source.get("type")
    if isinstance(kind, str) and "/problems/" in kind:
        said += f" [{kind.rsplit('/', 1)[-1]}]"
    return scrub(said, 200)


def usable_token(token: Any) -> bool:
    """A token that fits in a header: printable ASCII without spaces, at most 8 KB."""
    return (
        isinstance(token, str) and 0 < len(token) <= 8192 and all(c in _TOKEN_CHARS for c in token)
    )


def _made(ident: str) -> datetime:
    """When a post was made, from its Snowflake id (``created_at`` is missing)."""
    if len(ident) > 20 or int(ident) < 2**22:
        raise QuestionShapeError("created_at is missing")
    return parse_time(((int(ident) >> 22) + TWITTER_EPOCH_MS) / 1000, "created_at")


def _optional_id(value: Any) -> str | None:
    """An id given as digits (or a number); anything else is ``None``."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip() if not isinstance(value, int) or value >= 0 else ""
    return text if is_digits(text) and len(text) <= 20 else None


def _count(metrics: Any, key: str) -> int | None:
    value = metrics.get(key) if isinstance(metrics, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FOLLOWERS:
        return None
    return value


def _metrics(value: Any) -> dict[str, int]:
    return {k: n for k in _METRICS if (n := _count(value, k)) is not None}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


TWEET_FIELDS = (
    "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,public_metrics,"
    "lang,note_tweet"
)
"""``note_tweet`` carries the whole text of a post longer than 280 characters."""
USER_FIELDS = "username,name,public_metrics,verified"
PER_PAGE = 100
USER_ID = re.compile(r"[0-9]{1,20}")
_CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,200}")


REFRESH_FIELD = "refresh_token"
"""The secret field of the OAuth 2.0 refresh token (scope ``offline.access``)."""


def user_id_problem(value: str) -> str | None:
    """What is wrong with a ``user_id`` option (it must be all digits)."""
    return None if USER_ID.fullmatch(value) else "must be the numeric user id, such as 2244994945"


def client_id_problem(value: str) -> str | None:
    """What is wrong with a ``client_id`` option."""
    return None if _CLIENT_ID.fullmatch(value) else "must be the app's OAuth 2.0 Client ID"


def timeline_params(
    since_id: str | None, start_time: datetime | None, expansions: str
) -> dict[str, Any]:
    """A timeline's query: our fields, and ``since_id`` or (a first fetch) ``start_time``."""
    params: dict[str, Any] = {"max_results": PER_PAGE, "tweet.fields": TWEET_FIELDS,
                              "expansions": expansions, "user.fields": USER_FIELDS}  # fmt: skip
    if since_id:
        params["since_id"] = since_id
    elif start_time is not None:
        params["start_time"] = to_iso(start_time)
    return params


class Resume(msgspec.Struct, frozen=True):
    """Where a walk down the mentions, stopped by its page cap or the fetch's byte
    budget, goes on at the next fetch: the next page's token, the newest mention read,
    and a first fetch's ``start_time`` (the query must be the same for the token)."""

    token: str
    newest: str | None
    start_time: datetime | None


_PAGE_TOKEN = re.compile(r"[!-~]{1,500}")
_START_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def read_resume(checkpoint: Any) -> Resume | None:
    """The :class:`Resume` a stored checkpoint holds; ``None`` when it holds none (or
    none that is usable)."""
    if not isinstance(checkpoint, dict):
        return None
    token, newest, start = (checkpoint.get(k) for k in ("pagination_token", "newest_id",
                                                          "start_time"))  # fmt: skip
    if not isinstance(token, str) or not _PAGE_TOKEN.fullmatch(token):
        return None
    return Resume(
        token=token,
        newest=newest if isinstance(newest, str) and USER_ID.fullmatch(newest) else None,
        start_time=(
            datetime.fromisoformat(start)
            if isinstance(start, str) and _START_TIME.fullmatch(start)
            else None
        ),
    )


def read_checkpoint(checkpoint: Any) -> tuple[str | None, str | None]:
    """``(since_id, own_since_id)`` from a stored checkpoint; anything unusable is None."""
    if not isinstance(checkpoint, dict):
        return None, None

    def one(key: str) -> str | None:
        value = checkpoint.get(key)
        return value if isinstance(value, str) and USER_ID.fullmatch(value) else None

    return one("since_id"), one("own_since_id")


def refusal(http: ChannelHttp, result: HttpResult) -> ConnectorError:
    """The one-line error for a 401 or 403 (a duplicate post has its own words)."""
    where = f"{result.method} {describe_url(result.url)}"
    said = service_problem(result.content, http.scrub)
    if result.status == 403 and "duplicate" in said.lower():
        return StatusError(
            f"{where}: X refused the reply as duplicate content (HTTP 403: {said}); the "
            "account already posted this text, so word it differently",
            status=403,
            channel=http.channel,
        )
    return status_error(
        method=result.method, url=result.url, status=result.status,
        content=result.content, channel=http.channel, scrub=http.scrub,
        auth_hint=http.auth_hint, secret_variables=http.secret_variables,
    )  # fmt: skip


def reply_context(
    parts: TweetParts, includes: Includes, skipped: SkippedItems
) -> tuple[Message, ...]:
    """The post a mention replies to, from the same answer's expansions (no request):
    none when it is not a reply, and a warning when that post is not readable."""
    if not parts.replied_to:
        return ()
    parent = includes.tweets.get(parts.replied_to)
    if parent is None:
        skipped.add(f"post {parts.id}: the post it replies to is not readable "
                    "(deleted or protected); shown without it")  # fmt: skip
        return ()
    parent_user = includes.users.get(parent.author_id or "")
    author = parent_user.author if parent_user else Author(id=parent.author_id)
    return (Message(author=author, body=parent.body, created_at=parent.created_at),)


__all__ = [
    "REFRESH_FIELD",
    "TWITTER_EPOCH_MS",
    "Includes",
    "TweetParts",
    "XUser",
    "includes_of",
    "next_token",
    "own_reply",
    "page_items",
    "post_text",
    "read_checkpoint",
    "reply_context",
    "service_problem",
    "timeline_params",
    "tweet_parts",
    "usable_token",
    "x_user",
]
