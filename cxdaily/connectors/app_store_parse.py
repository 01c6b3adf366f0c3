"""Pure functions over App Store Connect's documented payloads for the ``app_store`` kind:
customer reviews and their developer responses (JSON:API documents), the private key as
the leader can store it on one line, and the fetch checkpoint.

A review (``type: customerReviews``) has ``attributes`` ``rating`` (1 to 5), ``title``,
``body``, ``reviewerNickname``, ``createdDate`` and ``territory``; asked for with
``include=response`` its ``relationships.response.data`` names its developer response
(``type: customerReviewResponses``, at most one per review), whose ``attributes``
``responseBody``, ``lastModifiedDate`` and ``state`` (``PENDING_PUBLISH``, ``PUBLISHED``)
come in the document's ``included`` list. Any of them may be missing or null.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from cxdaily.connectors.helpdesk import optional_text
from cxdaily.connectors.parsing import (
    MAX_ID_CHARS,
    QuestionShapeError,
    channel_question,
    checkpoint_time,
    id_field,
    parse_time,
    text_field,
)
from cxdaily.core.models import Author, Message, Question
from cxdaily.core.safe_json import is_digits

REVIEW_TYPE = "customerReviews"
RESPONSE_TYPE = "customerReviewResponses"
MAX_TRACKED = 1000
"""Most review ids a checkpoint remembers (those created at its newest time)."""
MAX_LINK_CHARS = 4096
MAX_LIMIT_HEADER_CHARS = 512
"""The longest ``X-Rate-Limit`` header read (a longer one says nothing)."""
_PEM = re.compile(
    r"-----BEGIN ((?:EC )?PRIVATE KEY)-----(.*?)-----END \1-----", re.DOTALL | re.IGNORECASE
)
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")


class ReviewResponse(msgspec.Struct, frozen=True):
    """The developer response to a review, as App Store Connect shows it."""

    id: str
    body: str
    modified_at: datetime | None
    state: str | None
    """``PENDING_PUBLISH`` or ``PUBLISHED`` (kept as the service spells it)."""

    def as_message(self, author: Author) -> Message | None:
        """The response as a message of the review's thread (``None`` without a time)."""
        if self.modified_at is None:
            return None
        return Message(author=author, body=self.body, created_at=self.modified_at)


class Review(msgspec.Struct, frozen=True):
    """One customer review of the app."""

    id: str
    created_at: datetime
    title: str | None
    body: str
    rating: int | None
    territory: str | None
    nickname: str | None
    responded: bool
    """The review has a developer response (answered by the team)."""
    response: ReviewResponse | None = None


# ----------------------------------------------------------------------------- the key
def pem_private_key(stored: str) -> str | None:
    """The ``.p8`` private key as PEM text, from the one line a secret can hold.

    Accepted: the file's text (its line breaks written as ``\\n`` or as spaces), the file
    base64-encoded (``base64 -w0 AuthKey_X.p8``), or the key's base64 body alone.
    ``None`` when it is none of these (the caller says so without showing the value).
    """
    text = stored.strip().replace("\\r", "").replace("\\n", "\n")
    if "-----BEGIN" not in text.upper():
        compact = re.sub(r"\s+", "", text)
        try:
            decoded = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            return None
        as_text = decoded.decode("ascii", "replace")
        if "-----BEGIN" in as_text.upper():
            text = as_text
        else:  # the body of the PEM (DER, base64): framed as a PKCS#8 key
            text = f"-----BEGIN PRIVATE KEY-----{compact}-----END PRIVATE KEY-----"
    match = _PEM.search(text)
    if match is None:
        return None
    label = match[1].upper()
    body = re.sub(r"\s+", "", match[2])
    if not body or _NOT_BASE64.search(body):
        return None
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""])


# ----------------------------------------------------------------------------- reviews
def _attributes(item: dict[str, Any], where: str) -> dict[str, Any]:
    attributes = item.get("attributes")
    if attributes is None:
        return {}
    if not isinstance(attributes, dict):
        raise QuestionShapeError(f"{where}.attributes must be an object")
    return attributes


def parse_response(item: Any, where: str = "response") -> ReviewResponse:
    """A ``customerReviewResponses`` resource."""
    if not isinstance(item, dict):
        raise QuestionShapeError(f"{where} must be an object")
    ident = id_field(item.get("id"), f"{where}.id", required=True) or ""
    attributes = _attributes(item, where)
    modified = attributes.get("lastModifiedDate")
    body = attributes.get("responseBody")
    return ReviewResponse(
        id=ident,
        body=(text_field(body, f"{where}.responseBody") or "") if isinstance(body, str) else "",
        modified_at=None if modified is None else parse_time(modified, f"{where}.lastModifiedDate"),
        state=optional_text(attributes.get("state"), f"{where}.state", 40),
    )


def included_responses(document: Any) -> dict[str, ReviewResponse]:
    """The developer responses a page includes, by id (bad ones left out)."""
    included = document.get("included") if isinstance(document, dict) else None
    found: dict[str, ReviewResponse] = {}
    if not isinstance(included, list):
        return found
    for number, item in enumerate(included, 1):
        if not isinstance(item, dict) or item.get("type") != RESPONSE_TYPE:
            continue
        try:
            response = parse_response(item, f"included {number}")
        except QuestionShapeError:
            continue
        found[response.id] = response
    return found


def _response_link(item: dict[str, Any]) -> tuple[bool, str | None]:
    """Whether the review names a response, and its id (from ``relationships``)."""
    relationships = item.get("relationships")
    related = relationships.get("response") if isinstance(relationships, dict) else None
    data = related.get("data") if isinstance(related, dict) else None
    if not isinstance(data, dict):
        return False, None
    ident = data.get("id")
    if isinstance(ident, str | int) and not isinstance(ident, bool) and str(ident).strip():
        return True, str(ident).strip()[:MAX_ID_CHARS]
    return True, None


def _rating(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if value == int(value) and 1 <= value <= 5 else None


def parse_review(
    item: Any, responses: dict[str, ReviewResponse], where: str = "review"
) -> Review | None:
    """A ``customerReviews`` resource; ``None`` for another type of resource."""
    if not isinstance(item, dict):
        raise QuestionShapeError(f"{where} must be an object")
    kind = item.get("type")
    if kind is not None and kind != REVIEW_TYPE:
        return None
    ident = id_field(item.get("id"), f"{where}.id", required=True) or ""
    attributes = _attributes(item, where)
    title = text_field(attributes.get("title"), f"{where}.title")
    body = text_field(attributes.get("body"), f"{where}.body") or ""
    responded, response_id = _response_link(item)
    return Review(
        id=ident,
        created_at=parse_time(attributes.get("createdDate"), f"{where}.createdDate"),
        title=title.strip() or None if title else None,
        body=body,
        rating=_rating(attributes.get("rating")),
        territory=optional_text(attributes.get("territory"), f"{where}.territory", 10),
        nickname=optional_text(attributes.get("reviewerNickname"), f"{where}.reviewerNickname"),
        responded=responded,
        response=responses.get(response_id) if response_id else None,
    )


def review_question(review: Review, *, channel: str, kind: str) -> Question | None:
    """The question a review asks (settled, ``team_answered``, once it has a response);
    ``None`` for a rating without words."""
    text = review.body.strip() or (review.title or "")
    if not text.strip():
        return None
    meta: dict[str, Any] = {"service": kind, "review_id": review.id}
    if review.rating is not None:
        meta["rating"] = review.rating
    if review.territory:
        meta["territory"] = review.territory
    if review.responded:
        meta["team_answered"] = True
        if review.response is not None and review.response.state:
            meta["response_state"] = review.response.state
    return channel_question(
        channel=channel, kind=kind, native=review.id, thread_id=review.id,
        author=Author(handle=review.nickname, name=review.nickname), title=review.title,
        url=None,  # App Store Connect documents no public link to one review
        body=review.body if review.body.strip() else text, created_at=review.created_at,
        meta=meta,
    )  # fmt: skip


def page_items(document: Any) -> list[Any] | None:
    """The ``data`` list of a page (``None``: the document is not a page of resources)."""
    data = document.get("data") if isinstance(document, dict) else None
    return data if isinstance(data, list) else None


def next_link(document: Any) -> str | None:
    """The page's ``links.next`` (``None`` on the last page)."""
    links = document.get("links") if isinstance(document, dict) else None
    following = links.get("next") if isinstance(links, dict) else None
    if not isinstance(following, str) or not following.strip():
        return None
    return following.strip() if len(following) <= MAX_LINK_CHARS else None


def hour_requests_left(header: str | None) -> int | None:
    """The requests the API key has left in its rolling hour, from ``X-Rate-Limit``
    (``user-hour-lim:3500;user-hour-rem:500;``); ``None`` when the header is missing,
    too long or gives no readable ``user-hour-rem`` (other keys are passed over)."""
    if not isinstance(header, str) or len(header) > MAX_LIMIT_HEADER_CHARS:
        return None
    for part in header.split(";"):
        name, colon, value = part.partition(":")
        if colon and name.strip().lower() == "user-hour-rem":
            value = value.strip()
            return int(value) if is_digits(value) and len(value) <= 9 else None
    return None


def seen_before(review: Review, since: datetime | None, at: frozenset[str]) -> bool:
    """Whether a walk down the newest-first list has reached what was read before: a
    review older than ``since``, or created at ``since`` and named in ``at``."""
    if since is None:
        return False
    return review.created_at < since or (review.created_at == since and review.id in at)


@dataclass
class Found:
    """What one fetch's walks found: open and settled questions by id, and the newest
    review not read before with the ids created at that time (starting from the
    checkpoint's ``newest`` when a cut-short walk goes on)."""

    newest: datetime | None = None
    newest_at: set[str] = field(default_factory=set)
    questions: dict[str, Question] = field(default_factory=dict)
    settled: dict[str, Question] = field(default_factory=dict)

    def take(self, review: Review, question: Question | None, *, seen: bool) -> None:
        """Keep one review: settled when answered (also one read before, on a page read
        anyway); open, and counted for ``newest``, when it was not read before."""
        if question is not None and review.responded:
            self.settled[question.id] = question
        if seen:
            return
        if self.newest is None or review.created_at > self.newest:
            self.newest, self.newest_at = review.created_at, set()
        if review.created_at == self.newest:
            self.newest_at.add(review.id)
        if question is not None and not review.responded:
            self.questions[question.id] = question


# ----------------------------------------------------------------------------- checkpoints
class Mark(msgspec.Struct, frozen=True):
    """What a checkpoint remembers.

    ``since``: the walk down the newest-first list stops at a review older than this
    (reviews at exactly ``since`` and named in ``at`` were seen already); a first fetch
    stores its ``since_days`` cutoff here. ``newest``, ``newest_at`` and ``resume``: a
    walk that stopped at its page cap goes on from the ``resume`` page next time (after
    reading the top of the list down to ``newest``, for reviews written meanwhile); once
    it reaches ``since``, ``newest`` becomes ``since``.
    """

    since: datetime | None = None
    at: frozenset[str] = frozenset()
    newest: datetime | None = None
    newest_at: frozenset[str] = frozenset()
    resume: str | None = None


def _ids(value: Any) -> frozenset[str]:
    if not isinstance(value, list):
        return frozenset()
    return frozenset(
        v for v in value[:MAX_TRACKED] if isinstance(v, str) and 0 < len(v) <= MAX_ID_CHARS
    )


def read_checkpoint(checkpoint: Any) -> Mark:
    """A stored checkpoint (its damaged parts ignored; a damaged one is a first fetch)."""
    if not isinstance(checkpoint, dict):
        return Mark()
    since, newest = checkpoint_time(checkpoint, "since"), checkpoint_time(checkpoint, "newest")
    resume = checkpoint.get("resume")
    usable = (
        isinstance(resume, str)
        and resume.startswith("/")
        and 0 < len(resume) <= MAX_LINK_CHARS
        and resume.isprintable()
    )
    return Mark(
        since=since,
        at=_ids(checkpoint.get("at")) if since else frozenset(),
        newest=newest,
        newest_at=_ids(checkpoint.get("newest_at")) if newest else frozenset(),
        resume=resume if usable and newest is not None else None,
    )
