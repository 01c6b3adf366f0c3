"""Mastodon's entities as the ``mastodon`` connector reads them: statuses and accounts
(HTML content as plain text), notifications, the checkpoint, and the length of a status
counted as Mastodon counts it. Pure functions over the documented payloads; a malformed
item raises :class:`~cxdaily.connectors.parsing.QuestionShapeError`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, NamedTuple

import msgspec

from cxdaily.connectors.helpdesk import TicketMessage, message_text, optional_text, text_or_none
from cxdaily.connectors.parsing import (
    MAX_FOLLOWERS,
    MAX_ID_CHARS,
    QuestionShapeError,
    checkpoint_time,
    id_field,
    parse_time,
    what_it_is,
)
from cxdaily.core.models import Author

MAX_OPEN = 200
"""Questions a checkpoint remembers as open (the newest), to settle when we answer."""

URL_WEIGHT = 23
"""What Mastodon counts for any URL in a status, however long."""
VISIBILITIES = frozenset({"public", "unlisted", "private", "direct"})
MAX_NAME_CHARS = 1000

_LINK_TAG = re.compile(r"<a\b([^<>]{0,4000})>", re.IGNORECASE)
_MENTION_CLASS = re.compile(r"""\bclass\s*=\s*["'][^"']*\b(?:mention|hashtag)\b""", re.I)
_URL = re.compile(r"(?<![\w@/])https?://[^\s<>\"']+", re.IGNORECASE)
_URL_TAIL = ".,:;!?)]}'\""
_MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[a-z0-9_.-]*[a-z0-9_])?)(?:@[\w.-]*\w)?", re.IGNORECASE
)
_NAMED = re.compile(r"(?<![=/\w])@([\w.-]+(?:@[\w.-]*\w)?)")
_LEADING_MENTIONS = re.compile(r"^(?:\s*@[\w.-]+(?:@[\w.-]*\w)?)+\s*")


# ----------------------------------------------------------------------------- parsing
class Status(msgspec.Struct, frozen=True):
    """One status as the connector uses it (text cleaned, HTML made plain)."""

    id: str
    account_id: str | None
    acct: str | None
    author: Author
    bot: bool
    body: str
    title: str | None
    created_at: datetime
    url: str | None
    visibility: str | None
    in_reply_to_id: str | None
    mentions: tuple[tuple[str | None, str], ...]
    """``(account id, acct)`` of every account the status mentions."""
    language: str | None


class Me(NamedTuple):
    """Our own account: its id and ``acct``."""

    id: str
    acct: str


def plain_text(content: Any, where: str) -> str | None:
    """A status's HTML as plain text; mentions and hashtags read as ``@user`` and
    ``#tag`` (their profile and tag addresses left out), other links kept readable."""
    if isinstance(content, str):
        content = _LINK_TAG.sub(
            lambda m: "<a>" if _MENTION_CLASS.search(m[1]) else m[0], content[:2_000_000]
        )
    return message_text(content, where)


def _count(value: Any) -> int | None:
    """A follower count, or ``None`` when it is missing or not a plausible count."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_FOLLOWERS else None


def parse_account(data: Any, where: str) -> tuple[Author, str | None, bool]:
    """An account as an author (``@acct`` as the handle, followers as reach), its acct,
    and whether it says it is a bot."""
    if not isinstance(data, dict):
        raise QuestionShapeError(f"{where} must be an object")
    acct = optional_text(data.get("acct"), f"{where}.acct", MAX_NAME_CHARS)
    if acct is not None:
        acct = acct.lstrip("@") or None
    followers = _count(data.get("followers_count"))
    author = Author(
        id=id_field(data.get("id"), f"{where}.id", required=True),
        handle=f"@{acct}" if acct else None,
        name=optional_text(data.get("display_name"), f"{where}.display_name"),
        followers=followers,
    )
    return author, acct, data.get("bot") is True


def parse_status(data: Any, where: str = "status") -> Status:
    """A Status entity; raises :class:`QuestionShapeError` naming what is wrong."""
    if not isinstance(data, dict):
        raise QuestionShapeError(f"{where} must be an object")
    author, acct, bot = parse_account(data.get("account"), f"{where}.account")
    visibility = data.get("visibility")
    url = text_or_none(data.get("url")) or text_or_none(data.get("uri"))
    mentions: list[tuple[str | None, str]] = []
    listed = data.get("mentions")
    for mention in listed if isinstance(listed, list) else []:
        if isinstance(mention, dict):
            handle = optional_text(mention.get("acct"), f"{where}.mentions.acct", MAX_NAME_CHARS)
            if handle and handle.lstrip("@"):
                ident = mention.get("id")
                ident = id_field(ident, "mention.id") if isinstance(ident, str | int) else None
                mentions.append((ident, handle.lstrip("@")))
    spoiler = optional_text(data.get("spoiler_text"), f"{where}.spoiler_text", 5000)
    reply_to = data.get("in_reply_to_id")
    reply_to = id_field(reply_to, "in_reply_to_id") if isinstance(reply_to, str | int) else None
    return Status(
        id=id_field(data.get("id"), f"{where}.id", required=True) or "",
        account_id=author.id,
        acct=acct,
        author=author,
        bot=bot,
        body=plain_text(data.get("content"), f"{where}.content") or "",
        title=" ".join(spoiler.split()) if spoiler else None,
        created_at=parse_time(data.get("created_at"), f"{where}.created_at"),
        url=url if url and url.lower().startswith(("https://", "http://")) else None,
        visibility=visibility if visibility in VISIBILITIES else None,
        in_reply_to_id=reply_to,
        mentions=tuple(mentions),
        language=optional_text(data.get("language"), f"{where}.language", 20),
    )  # fmt: skip


def without_leading_mentions(text: str) -> str:
    """``text`` without the ``@user`` mentions it starts with (how a reply is compared)."""
    return _LEADING_MENTIONS.sub("", text, count=1)


def named_accounts(text: str) -> set[str]:
    """The accounts ``text`` mentions (``user`` or ``user@domain``), in lower case."""
    return {m.rstrip(".-").lower() for m in _NAMED.findall(text)}


def mastodon_length(text: str) -> int:
    """The length Mastodon counts: every http(s) URL as 23, ``@user@domain`` as ``@user``.

    Mastodon counts grapheme clusters; this counts code points, never fewer, so a reply
    that fits here fits there.
    """

    def url(match: re.Match[str]) -> str:
        found = match[0]
        tail = len(found) - len(found.rstrip(_URL_TAIL))
        return "x" * URL_WEIGHT + found[len(found) - tail :]

    return len(_MENTION.sub(lambda m: "@" + m[1], _URL.sub(url, text)))


class Resume(NamedTuple):
    """Where a first fetch's walk back through the mentions, stopped by its page cap or
    the fetch's byte budget, goes on: below ``max_id`` (the oldest notification read),
    down to ``cutoff`` (the first fetch's ``since_days``). ``newest`` is the newest
    notification the walk read: the checkpoint's ``since_id`` once the walk is done."""

    max_id: str
    newest: str
    cutoff: datetime

    def stored(self) -> dict[str, str]:
        """The checkpoint's ``resume`` object (read back by :func:`read_checkpoint`)."""
        return {"max_id": self.max_id, "newest": self.newest, "cutoff": self.cutoff.isoformat()}


class Checkpoint(NamedTuple):
    """What a fetch remembers: the newest notification and own status, open questions,
    and where a first fetch cut short goes on (``since_id`` is ``None`` until it is done)."""

    since_id: str | None
    own_since: str | None
    open: tuple[str, ...]
    resume: Resume | None = None


def plain_id(value: Any) -> str | None:
    if not isinstance(value, str) or not 0 < len(value) <= MAX_ID_CHARS:
        return None
    return value if value.isascii() and value.isalnum() else None


def read_checkpoint(stored: Any) -> Checkpoint:
    """A stored checkpoint; anything damaged counts as missing (a first fetch)."""
    if not isinstance(stored, dict):
        return Checkpoint(None, None, ())
    listed = stored.get("open")
    open_ids = [plain_id(v) for v in listed] if isinstance(listed, list) else []
    return Checkpoint(
        plain_id(stored.get("since_id")),
        plain_id(stored.get("own_since")),
        tuple(dict.fromkeys(v for v in open_ids if v))[:MAX_OPEN],
        _read_resume(stored.get("resume")),
    )


def _read_resume(stored: Any) -> Resume | None:
    """The :class:`Resume` a checkpoint keeps; ``None`` when it keeps none whole (the
    fetch then starts a first fetch's walk over from the newest)."""
    if not isinstance(stored, dict):
        return None
    max_id, newest = plain_id(stored.get("max_id")), plain_id(stored.get("newest"))
    cutoff = checkpoint_time(stored, "cutoff")
    if max_id is None or newest is None or cutoff is None:
        return None
    return Resume(max_id, newest, cutoff)


def author_dict(author: Author) -> dict[str, Any]:
    return {"id": author.id, "handle": author.handle, "name": author.name,
            "followers": author.followers}  # fmt: skip


def team_message(status: Status) -> TicketMessage:
    """Our status as a message of the thread (its leading mentions left out)."""
    return TicketMessage(
        id=status.id,
        author=status.author,
        body=without_leading_mentions(status.body),
        created_at=status.created_at,
        from_customer=False,
    )


def notification(item: Any) -> tuple[str, Status | None]:
    """A notification's id and its mention's status (``None``: another type, or no status)."""
    if not isinstance(item, dict):
        raise QuestionShapeError(f"expected a notification object, got {what_it_is(item)}")
    note_id = id_field(item.get("id"), "id", required=True) or ""
    if not plain_id(note_id):
        raise QuestionShapeError("id must be letters and digits")
    if item.get("type") != "mention" or item.get("status") is None:
        return note_id, None
    return note_id, parse_status(item.get("status"))


def statuses_of(items: Any) -> list[Status]:
    """The readable statuses of a context list (a malformed one is left out)."""
    found: list[Status] = []
    for item in items if isinstance(items, list) else []:
        try:
            found.append(parse_status(item))
        except QuestionShapeError:
            continue
    return found
