"""Reading the WordPress REST API's answers for the ``wordpress`` channel: comments
(``context=edit``), post titles, pages of comments and the channel's checkpoint, as pure
functions that raise :class:`~cxdaily.connectors.parsing.QuestionShapeError` (or a
one-line error) for what does not have the documented shape.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import msgspec

from cxdaily.connectors.helpdesk import message_text, optional_text
from cxdaily.connectors.html_text import html_to_text, looks_like_html
from cxdaily.connectors.http import BadResponseError, HttpResult
from cxdaily.connectors.parsing import (
    MAX_TEXT_CHARS,
    QuestionShapeError,
    checkpoint_marks,
    id_field,
    parse_time,
    text_field,
)
from cxdaily.core.errors import ReplyRejected
from cxdaily.core.models import Author, Question
from cxdaily.core.safe_text import clean, one_line

MAX_AT_SINCE = 1000
"""Most comment ids a checkpoint remembers at its exact time."""
MAX_TITLE_CHARS = 300


def check_username(value: str) -> str | None:
    """What is wrong with a user name sent in HTTP Basic (``None``: nothing)."""
    if ":" in value or any(not c.isprintable() for c in value):
        return "must be the WordPress user name (no colon, no control characters)"
    return None


def check_rest_root(value: str) -> str | None:
    """What is wrong with a ``rest_root`` path (``None``: nothing)."""
    if not value.startswith("/") or not value.endswith("/") or "#" in value:
        return 'must be a path such as "/wp-json/" or "/?rest_route=/"'
    if any(c.isspace() for c in value) or "://" in value or ".." in value:
        return 'must be a path such as "/wp-json/" or "/?rest_route=/"'
    return None


class Comment(msgspec.Struct, frozen=True):
    """One comment as the REST API gives it (``context=edit``)."""

    id: str
    post: str
    parent: str | None
    """The comment it answers (``None``: a comment on the post itself)."""
    author_id: str | None
    """The user who wrote it (``None``: a visitor without an account)."""
    author: Author
    body: str
    created_at: datetime
    link: str | None
    status: str | None


def whole_id(value: Any, where: str, *, zero_is_none: bool = False) -> str | None:
    """A WordPress id (a whole number) as text; ``None`` for 0 when ``zero_is_none``."""
    text = id_field(value, where, required=not zero_is_none)
    if text is None or (zero_is_none and text == "0"):
        return None
    if not (text.isascii() and text.isdigit()):
        raise QuestionShapeError(f"{where} must be a whole number")
    return text


def web_link(value: Any) -> str | None:
    """An http(s) link from the API, cleaned; anything else is ``None``."""
    if not isinstance(value, str) or len(value) > 4096:
        return None
    text = clean(value).strip()
    return text if text.lower().startswith(("https://", "http://")) else None


def comment_text(value: Any, where: str) -> str | None:
    """A comment's ``content.raw`` as plain text: WordPress keeps it as HTML whose blank
    lines are paragraphs and whose line breaks are breaks (it adds the tags on display)."""
    text = text_field(value, where, max_chars=None)
    if text is None or not looks_like_html(text):
        return text[:MAX_TEXT_CHARS] if text is not None else None
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r", "")) if p.strip()]
    return message_text("".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs), where)


def read_comment(data: Any, where: str = "comment") -> Comment:
    """A comment object; raises :class:`QuestionShapeError` naming what is wrong."""
    if not isinstance(data, dict):
        raise QuestionShapeError(f"{where} must be an object")
    content = data.get("content")
    body = None
    if isinstance(content, dict):
        body = comment_text(content.get("raw"), f"{where}.content.raw")
        if body is None:
            body = message_text(content.get("rendered"), f"{where}.content.rendered")
    elif content is not None:
        body = comment_text(content, f"{where}.content")
    author_id = whole_id(data.get("author"), f"{where}.author", zero_is_none=True)
    email = optional_text(data.get("author_email"), f"{where}.author_email", 320)
    name = optional_text(data.get("author_name"), f"{where}.author_name")
    status = data.get("status")
    return Comment(
        id=whole_id(data.get("id"), f"{where}.id") or "",
        post=whole_id(data.get("post"), f"{where}.post") or "",
        parent=whole_id(data.get("parent") or 0, f"{where}.parent", zero_is_none=True),
        author_id=author_id,
        author=Author(
            id=author_id or (email.lower() if email else None),
            handle=one_line(email, 320) if email else None,
            name=one_line(name, 200) if name else None,
        ),
        body=clean(body or "").strip(),
        created_at=parse_time(data.get("date_gmt") or data.get("date"), f"{where}.date_gmt"),
        link=web_link(data.get("link")),
        status=one_line(status, 40) if isinstance(status, str) and status.strip() else None,
    )


def post_title(data: Any) -> str | None:
    """A post's title (``title.rendered``, entities and markup read as text)."""
    title = data.get("title") if isinstance(data, dict) else None
    if isinstance(title, dict):
        title = title.get("rendered", title.get("raw"))
    text = optional_text(title, "title", 5000)
    return one_line(html_to_text(text), MAX_TITLE_CHARS) or None if text else None


def page_items(data: Any) -> list[Any]:
    """The comments of a page (a JSON list); anything else is a one-line error."""
    if not isinstance(data, list):
        raise BadResponseError("the comments page is not a list of comments")
    return data


def total_pages(_data: Any, result: HttpResult) -> int | None:
    """The number of pages WordPress says there are (``X-WP-TotalPages``), if it says."""
    value = result.headers.get("x-wp-totalpages", "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 7 else None


def read_checkpoint(checkpoint: Any) -> tuple[datetime | None, set[str]]:
    """The newest comment time a checkpoint holds, and the comment ids taken at it."""
    return checkpoint_marks(checkpoint, "since", "at", MAX_AT_SINCE)


def reply_target(question: Question) -> tuple[str, str]:
    """The post and the comment a question's reply goes under (``thread_id`` is POST:ID)."""
    post, _, comment = (question.thread_id or "").partition(":")
    if not (post.isascii() and post.isdigit() and comment.isascii() and comment.isdigit()):
        raise ReplyRejected(
            f"{one_line(question.thread_id, 40)!r} is not a WordPress comment (POST:COMMENT)"
        )
    return post, comment
