"""Pure functions over Google Play Developer API review payloads, for the ``google_play``
connector.

- :func:`parse_review` reads one ``Review`` (``reviewId``, ``authorName``, ``comments[]``
  whose entries each hold a ``userComment`` or a ``developerComment``): the latest user
  comment (its text, star rating and device facts) and the latest developer comment;
- :func:`review_questions` decides what a review asks now: the user's comment while no
  developer reply is newer than it, else nothing (the review is settled);
- :func:`review_messages` gives a review as the messages of a thread (the user's comment
  and the developer's reply), for ``find_own_reply`` and ``answers_since``;
- :func:`timestamp` reads Google's ``Timestamp`` (``{"seconds": "...", "nanos": n}``);
- :func:`read_key` reads the service account's JSON key (the channel's secret).

Every field the documentation makes optional may be missing or null; the entries of
``comments`` are read in any order. A review that cannot be read raises
:class:`~cxdaily.connectors.parsing.QuestionShapeError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import msgspec

from cxdaily.connectors.helpdesk import TicketMessage, message_text, optional_text
from cxdaily.connectors.parsing import QuestionShapeError, channel_question, id_field, parse_time
from cxdaily.connectors.public_channel import whole_count
from cxdaily.core import safe_json
from cxdaily.core.errors import CredentialError
from cxdaily.core.models import Author, Message, Question

MAX_NAME_CHARS = 500
"""A reviewer's name longer than this is cut (no real one is)."""
MAX_FACT_CHARS = 100
"""A device, language or version text longer than this is cut."""
_MAX_SECONDS_DIGITS = 12
KEY_FIELDS = ("client_email", "private_key", "private_key_id")


class Review(msgspec.Struct, frozen=True):
    """One Google Play review: the user's latest comment and the developer's reply."""

    id: str
    author_name: str | None
    body: str
    """The user's comment as clean plain text (without its title)."""
    title: str | None
    """The title of a review written with one (the part before the tab)."""
    written: datetime
    """When the user's comment was last modified (the API gives no creation time)."""
    reply: str | None = None
    """The developer's reply as it reads now (``None``: no reply)."""
    replied: datetime | None = None
    """When the developer's reply was last modified."""
    meta: Mapping[str, Any] = msgspec.field(default_factory=dict)
    """The user comment's facts: ``rating``, ``reviewer_language``, ``device`` ..."""

    @property
    def answered(self) -> bool:
        """Whether a developer reply is at least as recent as the user's comment."""
        return self.replied is not None and self.replied >= self.written

    @property
    def activity(self) -> datetime:
        """The review's latest change (a user edit or a developer reply)."""
        return max(self.written, self.replied or self.written)


def timestamp(value: Any, where: str) -> datetime:
    """Google's ``Timestamp`` object (``seconds`` as text or a number, optional ``nanos``)
    as an aware UTC datetime."""
    if not isinstance(value, dict):
        raise QuestionShapeError(f"{where} must be a Timestamp object")
    seconds = value.get("seconds")
    if isinstance(seconds, str):
        text = seconds.strip()
        if not (text.lstrip("-").isdigit() and text.isascii()) or len(text) > _MAX_SECONDS_DIGITS:
            raise QuestionShapeError(f"{where}.seconds must be whole seconds")
        seconds = int(text)
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise QuestionShapeError(f"{where}.seconds must be whole seconds")
    if abs(seconds) >= 10**_MAX_SECONDS_DIGITS:
        raise QuestionShapeError(f"{where}.seconds is out of range")
    when = parse_time(seconds, f"{where}.seconds")
    nanos = value.get("nanos")
    if isinstance(nanos, int) and not isinstance(nanos, bool) and 0 <= nanos < 10**9:
        when += timedelta(microseconds=nanos // 1000)
    return when


def _latest(comments: list[Any], key: str) -> tuple[dict[str, Any], datetime] | None:
    """The entry of ``comments`` holding ``key`` whose ``lastModified`` is latest."""
    found: tuple[dict[str, Any], datetime] | None = None
    for number, entry in enumerate(comments):
        body = entry.get(key) if isinstance(entry, dict) else None
        if body is None:
            continue
        where = f"comments[{number}].{key}"
        if not isinstance(body, dict):
            raise QuestionShapeError(f"{where} must be an object")
        when = timestamp(body.get("lastModified"), f"{where}.lastModified")
        if found is None or when > found[1]:
            found = (body, when)
    return found


def _facts(comment: Mapping[str, Any]) -> dict[str, Any]:
    """The user comment's facts worth keeping in a question's ``meta``."""
    facts: dict[str, Any] = {}
    rating = whole_count(comment.get("starRating"))
    if rating is not None and 1 <= rating <= 5:
        facts["rating"] = rating
    texts = {"reviewer_language": "reviewerLanguage", "device": "device",
             "app_version_name": "appVersionName"}  # fmt: skip
    for name, key in texts.items():
        text = optional_text(comment.get(key), key, MAX_FACT_CHARS)
        if text is not None:
            facts[name] = text
    numbers = {"app_version_code": "appVersionCode", "android_os_version": "androidOsVersion",
               "thumbs_up": "thumbsUpCount", "thumbs_down": "thumbsDownCount"}  # fmt: skip
    for name, key in numbers.items():
        number = whole_count(comment.get(key))
        if number is not None:
            facts[name] = number
    device = comment.get("deviceMetadata")
    if isinstance(device, dict):
        for name, key in (("device_name", "productName"), ("manufacturer", "manufacturer")):
            text = optional_text(device.get(key), f"deviceMetadata.{key}", MAX_FACT_CHARS)
            if text is not None:
                facts[name] = text
    return facts


def _title_and_body(text: str) -> tuple[str | None, str]:
    """A review written with a title comes as ``title<TAB>body``."""
    head, tab, rest = text.partition("\t")
    if tab and head.strip() and rest.strip():
        return head.strip(), rest.strip()
    return None, text.replace("\t", " ").strip()


def parse_review(item: Any) -> Review:
    """One ``Review`` resource; raises :class:`QuestionShapeError` naming what is wrong."""
    if not isinstance(item, dict):
        raise QuestionShapeError("a review must be an object")
    review_id = id_field(item.get("reviewId"), "reviewId", required=True)
    assert review_id is not None
    comments = item.get("comments")
    if not isinstance(comments, list):
        raise QuestionShapeError(f"review {review_id}: comments must be a list")
    user = _latest(comments, "userComment")
    if user is None:
        raise QuestionShapeError(f"review {review_id} has no userComment")
    comment, written = user
    text = message_text(comment.get("text"), "userComment.text")
    if text is None or not text.strip():
        raise QuestionShapeError(f"review {review_id}: userComment.text is missing")
    title, body = _title_and_body(text)
    developer = _latest(comments, "developerComment")
    reply = replied = None
    if developer is not None:
        reply = message_text(developer[0].get("text"), "developerComment.text") or ""
        replied = developer[1]
    return Review(
        id=review_id,
        author_name=optional_text(item.get("authorName"), "authorName", MAX_NAME_CHARS),
        body=body,
        title=title,
        written=written,
        reply=reply,
        replied=replied,
        meta=_facts(comment),
    )


def developer(package: str) -> Author:
    """The app's developer, as the author of its replies."""
    return Author(id=package, name=f"{package} (developer reply)")


def follow_up_id(review: Review) -> str:
    """The native id of a user comment written after a developer reply: the review's id
    and the comment's time, so each new turn of the review is a question of its own."""
    return f"{review.id}@{int(review.written.timestamp())}"


def review_questions(
    review: Review, *, channel: str, kind: str, package: str
) -> tuple[Question | None, list[Question]]:
    """What ``review`` asks now (``None``: a developer reply answers it) and what it settles.

    A review without a developer reply is a question with the review's id; a user comment
    changed after the developer's reply is a follow-up (:func:`follow_up_id`, the reply as
    its context). A review whose developer reply is newer settles both (only the one that
    was stored is updated).
    """
    meta: dict[str, Any] = {"service": kind, "package_name": package, "review_id": review.id,
                            **review.meta}  # fmt: skip
    context: tuple[Message, ...] = ()
    if review.reply is not None and review.replied is not None:
        context = (Message(developer(package), review.reply, review.replied),)

    def build(native_id: str, settled: bool) -> Question:
        return channel_question(
            channel=channel, kind=kind, native=native_id, thread_id=review.id,
            author=Author(name=review.author_name), title=review.title, body=review.body,
            url=None,  # Google Play has no public link to one review
            created_at=review.written, context=context,
            meta={**meta, "team_answered": True} if settled else dict(meta),
        )  # fmt: skip

    if review.answered:
        return None, [build(review.id, True), build(follow_up_id(review), True)]
    if review.replied is None:
        return build(review.id, False), []
    return build(follow_up_id(review), False), []


def review_messages(review: Review, package: str) -> list[TicketMessage]:
    """The review as a thread: the user's comment, then the developer's reply if any."""
    messages = [
        TicketMessage(
            id=review.id,
            author=Author(name=review.author_name),
            body=review.body,
            created_at=review.written,
            from_customer=True,
        )
    ]
    if review.reply is not None and review.replied is not None:
        messages.append(
            TicketMessage(
                id=review.id,
                author=developer(package),
                body=review.reply,
                created_at=review.replied,
                from_customer=False,
            )
        )
    return messages


class ServiceAccountKey(msgspec.Struct, frozen=True):
    """The parts of a service account's JSON key that sign its token requests."""

    client_email: str
    private_key: str
    private_key_id: str


def read_key(text: str, channel: str) -> ServiceAccountKey:
    """The service-account key in ``text`` (the JSON file's content); a one-line
    :class:`CredentialError` that never quotes it when it is not one."""
    advice = (
        f"store the service account's JSON key as one line (`jq -c . key.json | cxdaily "
        f"login {channel}`)"
    )
    try:
        data = safe_json.loads(text)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise CredentialError(f"{channel}: the secret is not a JSON key; {advice}")
    missing = [k for k in KEY_FIELDS if not isinstance(data.get(k), str) or not data[k].strip()]
    if missing:
        kind = data.get("type")
        said = f" (its type is {kind!r})" if kind in ("authorized_user", "external_account") else ""
        raise CredentialError(
            f"{channel}: the JSON key has no {', '.join(missing)}{said}: it must be a "
            f"service account's key; {advice}"
        )
    return ServiceAccountKey(
        client_email=data["client_email"].strip(),
        private_key=data["private_key"],
        private_key_id=data["private_key_id"].strip(),
    )
