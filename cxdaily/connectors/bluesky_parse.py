"""Bluesky's payloads as pure functions: notifications and thread views read into posts,
rich-text facets (links kept readable on the way in, made clickable on the way out),
the grapheme count of a reply, the record key a reply is created under, and where a
walk down the notifications stopped by a cap goes on (:func:`read_resume`).

Every string kept passes through :func:`~cxdaily.connectors.parsing.text_field` (lone
surrogates replaced); a malformed item raises :class:`QuestionShapeError` naming the
field, so the caller skips that item alone.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from typing import Any

import msgspec

from cxdaily.connectors.helpdesk import optional_text
from cxdaily.connectors.parsing import (
    QuestionShapeError,
    checkpoint_ids,
    checkpoint_time,
    id_field,
    parse_time,
    text_field,
    what_it_is,
)
from cxdaily.core.models import Author

POST_COLLECTION = "app.bsky.feed.post"
MAX_POST_GRAPHEMES = 300
MAX_POST_BYTES = 3000
"""The post lexicon's ``text`` limits: 300 graphemes and 3,000 bytes of UTF-8."""
MAX_PARENTS = 10
"""Ancestors kept as a question's context (``parentHeight`` asked for)."""
MAX_FACETS = 200
MAX_LINK_CHARS = 2000
_LINK = "app.bsky.richtext.facet#link"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_RKEY = re.compile(r"[A-Za-z0-9._:~-]{1,512}")
_DID = re.compile(r"did:[a-z]+:[A-Za-z0-9._:%-]{1,2000}")
_URL = re.compile(r"https?://[^\s<>\"]+")
_TRAILING = ".,;:!?'\")]}…"
MAX_CURSOR_CHARS = 2000


class Post(msgspec.Struct, frozen=True):
    """One post as cxdaily needs it (from a notification or a thread view)."""

    uri: str
    """``at://DID/app.bsky.feed.post/RKEY``."""
    cid: str
    author: Author
    """``id`` the author's DID, ``handle`` as ``@handle``, ``name`` the display name."""
    text: str
    """Plain text, links made readable (see :func:`readable_text`)."""
    created_at: datetime
    root: tuple[str, str] | None = None
    """The thread's root (uri, cid) when the post is itself a reply."""

    @property
    def did(self) -> str:
        """The author's DID."""
        return self.author.id or ""

    @property
    def rkey(self) -> str:
        """The record key: the last segment of the uri."""
        return self.uri.rsplit("/", 1)[-1]


class Notification(msgspec.Struct, frozen=True):
    """A notification of a mention, a reply or a quote, with its post."""

    reason: str
    post: Post
    indexed_at: datetime


# ----------------------------------------------------------------------------- reading
def parse_notification(item: Any) -> Notification:
    """A ``notification`` object of ``listNotifications``."""
    if not isinstance(item, dict):
        raise QuestionShapeError(f"expected a notification object, got {what_it_is(item)}")
    reason = optional_text(item.get("reason"), "reason", 100) or ""
    indexed = parse_time(item.get("indexedAt"), "indexedAt")
    post = _post(item.get("uri"), item.get("cid"), item.get("author"), item.get("record"), indexed)
    return Notification(reason=reason, post=post, indexed_at=indexed)


def parse_post_view(view: Any, where: str = "post") -> Post:
    """A ``postView`` (``uri``, ``cid``, ``author``, ``record``, ``indexedAt``)."""
    if not isinstance(view, dict):
        raise QuestionShapeError(f"{where} must be an object, got {what_it_is(view)}")
    indexed = _time_or_none(view.get("indexedAt"), f"{where}.indexedAt")
    return _post(view.get("uri"), view.get("cid"), view.get("author"), view.get("record"), indexed)


class Thread(msgspec.Struct, frozen=True):
    """What ``getPostThread`` says about one post: the post, its ancestors (oldest first)
    and its direct replies. Posts that are not found or blocked are left out."""

    post: Post
    parents: list[Post]
    replies: list[Post]


def parse_thread(data: Any) -> Thread:
    """The answer of ``getPostThread`` (``{"thread": threadViewPost}``)."""
    node = data.get("thread") if isinstance(data, dict) else None
    if not _is_post_node(node):
        raise QuestionShapeError("the thread is not a post (not found, blocked, or malformed)")
    assert isinstance(node, dict)
    post = parse_post_view(node.get("post"), "thread.post")
    parents: list[Post] = []
    parent = node.get("parent")
    while _is_post_node(parent) and len(parents) < MAX_PARENTS:
        assert isinstance(parent, dict)
        try:
            parents.append(parse_post_view(parent.get("post"), "thread.parent.post"))
        except QuestionShapeError:
            break  # an unreadable ancestor ends the context there
        parent = parent.get("parent")
    replies: list[Post] = []
    raw_replies = node.get("replies")
    for reply in raw_replies[:1000] if isinstance(raw_replies, list) else []:
        if _is_post_node(reply):
            try:
                replies.append(parse_post_view(reply.get("post"), "thread.replies.post"))
            except QuestionShapeError:
                continue
    return Thread(post=post, parents=parents[::-1], replies=replies)


def followers_by_did(data: Any) -> dict[str, int]:
    """``followersCount`` of each profile in a ``getProfiles`` answer (where it is given)."""
    profiles = data.get("profiles") if isinstance(data, dict) else None
    counts: dict[str, int] = {}
    for profile in profiles if isinstance(profiles, list) else []:
        if not isinstance(profile, dict):
            continue
        did, count = profile.get("did"), profile.get("followersCount")
        if not isinstance(did, str) or isinstance(count, bool) or not isinstance(count, int):
            continue
        if 0 <= count <= 10**12:
            counts[did] = count
    return counts


def split_uri(uri: str) -> tuple[str, str, str]:
    """``(authority, collection, rkey)`` of an ``at://`` uri; QuestionShapeError otherwise."""
    parts = uri.removeprefix("at://").split("/") if uri.startswith("at://") else []
    if len(parts) != 3 or not all(parts) or not _RKEY.fullmatch(parts[2]):
        raise QuestionShapeError(f"uri {uri[:80]!r} is not an at:// record uri")
    return parts[0], parts[1], parts[2]


def _post(uri: Any, cid: Any, author: Any, record: Any, indexed: datetime | None) -> Post:
    uri_text = id_field(uri, "uri", required=True) or ""
    split_uri(uri_text)
    cid_text = id_field(cid, "cid", required=True) or ""
    if not isinstance(record, dict):
        raise QuestionShapeError(f"record must be an object, got {what_it_is(record)}")
    who = parse_author(author)
    text = readable_text(record.get("text"), record.get("facets"))
    created = _time_or_none(record.get("createdAt"), "record.createdAt")
    when = min(t for t in (created, indexed) if t is not None) if created or indexed else None
    if when is None:
        raise QuestionShapeError("the post has no time (record.createdAt, indexedAt)")
    return Post(uri=uri_text, cid=cid_text, author=who, text=text, created_at=when,
                root=_reply_root(record.get("reply")))  # fmt: skip


def parse_author(data: Any) -> Author:
    """A ``profileView(Basic)``: the DID is required, handle and display name optional."""
    if not isinstance(data, dict):
        raise QuestionShapeError(f"author must be an object, got {what_it_is(data)}")
    did = id_field(data.get("did"), "author.did", required=True) or ""
    if not _DID.fullmatch(did):
        raise QuestionShapeError("author.did is not a DID")
    handle = optional_text(data.get("handle"), "author.handle", 300)
    name = optional_text(data.get("displayName"), "author.displayName")
    return Author(id=did, handle=f"@{handle}" if handle else None, name=name)


def _reply_root(reply: Any) -> tuple[str, str] | None:
    root = reply.get("root") if isinstance(reply, dict) else None
    if not isinstance(root, dict):
        return None
    uri, cid = root.get("uri"), root.get("cid")
    if isinstance(uri, str) and isinstance(cid, str) and uri.startswith("at://") and cid:
        return text_field(uri, "reply.root.uri") or "", text_field(cid, "reply.root.cid") or ""
    return None


def _is_post_node(node: Any) -> bool:
    """A ``threadViewPost`` (not a ``notFoundPost``/``blockedPost``)."""
    if not isinstance(node, dict) or not isinstance(node.get("post"), dict):
        return False
    kind = node.get("$type")
    return kind in (None, "app.bsky.feed.defs#threadViewPost")


def _time_or_none(value: Any, where: str) -> datetime | None:
    try:
        return parse_time(value, where) if value is not None else None
    except QuestionShapeError:
        return None


# ----------------------------------------------------------------------------- facets
def readable_text(text: Any, facets: Any) -> str:
    """A post's ``text`` with its link facets made readable: a link shown shortened
    (``example.com/some/pa…``) becomes its full address, and a link whose text is not
    its address at all is shown as ``text (address)``. Mentions and tags are kept as
    written (``@handle``, ``#tag``). Facets with offsets that do not fit are ignored."""
    plain = text_field(text, "record.text") or ""
    data = plain.encode("utf-8")
    spans: list[tuple[int, int, str]] = []
    for facet in facets[:MAX_FACETS] if isinstance(facets, list) else []:
        span = _link_span(facet, len(data))
        if span is not None:
            spans.append(span)
    spans.sort()
    pieces: list[bytes] = []
    at = 0
    for start, end, uri in spans:
        if start < at:
            continue  # overlapping facets: the first wins
        try:
            shown = data[start:end].decode("utf-8")
        except UnicodeDecodeError:
            continue  # offsets inside a character: not a usable facet
        pieces.append(data[at:start])
        pieces.append(_link_text(shown, uri).encode("utf-8"))
        at = end
    pieces.append(data[at:])
    return b"".join(pieces).decode("utf-8")


def _link_span(facet: Any, size: int) -> tuple[int, int, str] | None:
    if not isinstance(facet, dict):
        return None
    index, features = facet.get("index"), facet.get("features")
    if not isinstance(index, dict) or not isinstance(features, list):
        return None
    start, end = index.get("byteStart"), index.get("byteEnd")
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (start, end)):
        return None
    assert isinstance(start, int) and isinstance(end, int)
    if not 0 <= start < end <= size:
        return None
    for feature in features[:10]:
        if isinstance(feature, dict) and feature.get("$type") == _LINK:
            uri = feature.get("uri")
            if isinstance(uri, str) and len(uri) <= MAX_LINK_CHARS and _URL.fullmatch(uri):
                return start, end, text_field(uri, "facet.uri") or ""
    return None


def _link_text(shown: str, uri: str) -> str:
    bare = _without_scheme(shown.strip())
    target = _without_scheme(uri)
    if bare.endswith(("…", "...")):
        stem = bare.rstrip("….")
        return uri if target.startswith(stem) else f"{shown} ({uri})"
    if bare.rstrip("/") == target.rstrip("/") or not bare:
        return shown if bare else uri
    return f"{shown} ({uri})"


def _without_scheme(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE)


def link_facets(text: str) -> list[dict[str, Any]]:
    """Link facets for every ``http(s)://`` address in our reply (UTF-8 byte offsets), so
    the links are clickable; trailing punctuation is not part of a link."""
    facets: list[dict[str, Any]] = []
    for match in _URL.finditer(text):
        url = match.group().rstrip(_TRAILING)
        if len(url) <= len("https://"):
            continue
        start = len(text[: match.start()].encode("utf-8"))
        end = start + len(url.encode("utf-8"))
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": end},
                "features": [{"$type": _LINK, "uri": url}],
            }
        )
    return facets


# ----------------------------------------------------------------------------- length
def grapheme_count(text: str) -> int:
    """How many graphemes (user-perceived characters) ``text`` has, as Bluesky counts
    its 300-grapheme limit; an approximation of Unicode's extended grapheme clusters.

    A character starts a new grapheme unless it is a combining or enclosing mark or a
    spacing mark, a variation selector, an emoji skin-tone modifier, a tag character, a
    zero-width joiner or the character after one, the second regional indicator of a
    flag, the line feed of a CRLF, or a Hangul vowel or final jamo.
    """
    count = 0
    previous = ""
    regional_run = 0
    for char in text:
        code = ord(char)
        regional = 0x1F1E6 <= code <= 0x1F1FF
        joins = (
            unicodedata.category(char) in ("Mn", "Me", "Mc")
            or 0xFE00 <= code <= 0xFE0F
            or 0xE0100 <= code <= 0xE01EF
            or 0x1F3FB <= code <= 0x1F3FF
            or 0xE0020 <= code <= 0xE007F
            or code in (0x200D, 0x200C)
            or previous == "\u200d"
            or (previous == "\r" and char == "\n")
            or (regional and regional_run % 2 == 1)
            or (0x1160 <= code <= 0x11FF and previous != "")
        )
        if not joins or not previous:
            count += 1
        regional_run = regional_run + 1 if regional else 0
        previous = char
    return count


# ----------------------------------------------------------------------------- record keys
def reply_rkey(idempotency_key: str, anchor: datetime) -> str:
    """The record key of our reply, the same for every attempt with one idempotency key.

    It has the shape of a TID (the key type of posts): 13 characters of base32-sortable
    (``234567a-z``) encoding a 64-bit number whose top bit is 0, whose next 53 bits are
    microseconds since 1970 and whose last 10 bits are a "clock id". Here the
    microseconds are the question's time (``anchor``) in whole seconds plus a
    sub-second part, and the clock id is taken from the SHA-256 of the idempotency key
    (30 bits in all), so a retry of the same reply names the same record (a second
    create collides instead of posting twice) and two different replies do not.
    """
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode("utf-8")).digest()[:8], "big")
    micros = int(anchor.timestamp()) * 1_000_000 + (digest >> 10) % 1_000_000
    micros = max(0, min(micros, 2**53 - 1))
    return encode_tid((micros << 10) | (digest & 0x3FF))


def encode_tid(value: int) -> str:
    """A 63-bit number as a TID's 13 base32-sortable characters."""
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


# ----------------------------------------------------------------------------- checkpoints
def page_cursor(value: Any) -> str | None:
    """A ``cursor`` as ``listNotifications`` answers one (``None``: the last page, or not
    a usable cursor)."""
    if isinstance(value, str) and value.strip() and len(value) < MAX_CURSOR_CHARS:
        return value
    return None


class Resume(msgspec.Struct, frozen=True):
    """Where a walk down the notifications, stopped by its page cap or the fetch's byte
    budget, goes on at the next fetch: the cursor of the page after the last one read,
    and the newest notification read before it (its ``indexedAt`` and the uris seen at
    that instant), where the checkpoint moves once the walk is done."""

    cursor: str
    newest: datetime | None
    newest_uris: frozenset[str]


def read_resume(checkpoint: Any, max_uris: int) -> Resume | None:
    """The :class:`Resume` a stored checkpoint holds (``cursor``, ``newest_indexed_at``,
    ``newest_uris``); ``None`` when it holds none, as a checkpoint stored before walks
    could resume does not."""
    cursor = page_cursor(checkpoint.get("cursor")) if isinstance(checkpoint, dict) else None
    if cursor is None:
        return None
    newest = checkpoint_time(checkpoint, "newest_indexed_at")
    uris = checkpoint_ids(checkpoint, "newest_uris", max_uris) if newest else []
    return Resume(cursor=cursor, newest=newest, newest_uris=frozenset(uris))
