"""The question shape shared by the ``jsonl`` and ``http`` channels, checked strictly.

One JSON object per question::

    {"id": "123", "body": "text", "created_at": "2026-11-21T14:03:07Z",
     "author": {"id": "7", "handle": "@jane", "name": "Jane", "followers": 120},
     "title": "...", "url": "https://...", "thread_id": "...",
     "context": [{"author": {...}, "body": "...", "created_at": "..."}],
     "meta": {...}}

``id``, ``body`` and ``created_at`` are required; everything else is optional. A
problem raises :class:`QuestionShapeError` with a one-line reason naming the field, so a
caller can report it with a line number and go on with the rest.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from dateutil.parser import isoparse

from cxdaily.models import Author, Message, Question

MAX_TEXT_CHARS = 200_000
MAX_CONTEXT_MESSAGES = 200


class QuestionShapeError(ValueError):
    """A question object does not have the expected shape."""


def parse_question(data: Any, *, channel: str, kind: str) -> Question:
    """Turn one question object into a :class:`Question` of ``channel``."""
    if not isinstance(data, dict):
        raise QuestionShapeError(f"expected a JSON object, got {_type_name(data)}")
    native_id = _identifier(data.get("id"), "id", required=True)
    assert native_id is not None
    thread_id = _identifier(data.get("thread_id"), "thread_id") or native_id
    meta = data.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise QuestionShapeError(f"meta must be an object, got {_type_name(meta)}")
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
        title=_text(data.get("title"), "title"),
        body=_text(data.get("body"), "body", required=True) or "",
        created_at=parse_time(data.get("created_at"), "created_at"),
        context=tuple(_message(m, f"context[{n}]") for n, m in enumerate(context)),
        meta=dict(meta or {}),
    )


def parse_author(data: Any, where: str) -> Author:
    """An author object (or a bare handle string, or nothing)."""
    if data is None:
        return Author()
    if isinstance(data, str):
        return Author(handle=data)
    if not isinstance(data, dict):
        raise QuestionShapeError(f"{where} must be an object, got {_type_name(data)}")
    followers = data.get("followers")
    if followers is not None:
        if isinstance(followers, bool) or not isinstance(followers, int | float):
            raise QuestionShapeError(f"{where}.followers must be a number")
        if not math.isfinite(followers) or followers < 0:
            raise QuestionShapeError(f"{where}.followers must be zero or more")
        followers = int(followers)
    return Author(
        id=_identifier(data.get("id"), f"{where}.id"),
        handle=_text(data.get("handle"), f"{where}.handle"),
        name=_text(data.get("name"), f"{where}.name"),
        followers=followers,
    )


def parse_time(value: Any, where: str) -> datetime:
    """An ISO-8601 timestamp (naive means UTC) or epoch seconds, as aware UTC."""
    if value is None:
        raise QuestionShapeError(f"{where} is missing")
    if isinstance(value, bool):
        raise QuestionShapeError(f"{where} must be an ISO-8601 timestamp")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise QuestionShapeError(f"{where} = {value!r} is not a valid time") from None
    if not isinstance(value, str):
        raise QuestionShapeError(f"{where} must be an ISO-8601 timestamp")
    try:
        parsed = isoparse(value.strip())
    except (ValueError, OverflowError):
        shown = value if len(value) <= 40 else value[:39] + "…"
        raise QuestionShapeError(f"{where} = {shown!r} is not an ISO-8601 timestamp") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _message(data: Any, where: str) -> Message:
    if not isinstance(data, dict):
        raise QuestionShapeError(f"{where} must be an object, got {_type_name(data)}")
    return Message(
        author=parse_author(data.get("author"), f"{where}.author"),
        body=_text(data.get("body"), f"{where}.body", required=True) or "",
        created_at=parse_time(data.get("created_at"), f"{where}.created_at"),
    )


def _identifier(value: Any, where: str, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise QuestionShapeError(f"{where} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise QuestionShapeError(f"{where} must be a string or an integer")
    text = str(value).strip()
    if not text or len(text) > 512:
        raise QuestionShapeError(f"{where} must be 1 to 512 characters")
    return text


def _text(value: Any, where: str, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise QuestionShapeError(f"{where} is missing")
        return None
    if not isinstance(value, str):
        raise QuestionShapeError(f"{where} must be a string, got {_type_name(value)}")
    if len(value) > MAX_TEXT_CHARS:
        raise QuestionShapeError(f"{where} is longer than {MAX_TEXT_CHARS} characters")
    return value


def _web_url(value: Any) -> str | None:
    """Keep only http(s) links: anything else (``javascript:``, ``file:``) is dropped."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if text.lower().startswith(("https://", "http://")) and len(text) < 4096 else None


def _type_name(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)
