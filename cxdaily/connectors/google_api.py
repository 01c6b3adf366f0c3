"""What Google's APIs (the YouTube Data API, the Google Play Developer API) share: the
reason of an error body, when the daily quota resets, and the checkpoint of a walk down a
newest-first listing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cxdaily.connectors.http_errors import error_object
from cxdaily.connectors.parsing import QuestionShapeError, parse_time


def error_reason(content: bytes) -> str | None:
    """The reason of a Google API error body (``error.errors[].reason``, else the
    ``ErrorInfo`` reason of ``error.details``), normalised: lower case, no ``_``."""
    error = error_object(content)
    if error is None:
        return None
    for key in ("errors", "details"):
        entries = error.get(key)
        for entry in entries if isinstance(entries, list) else []:
            reason = entry.get("reason") if isinstance(entry, dict) else None
            if isinstance(reason, str) and reason.strip():
                return reason.strip().replace("_", "").lower()[:100]
    return None


def seconds_to_quota_reset(now: datetime) -> float:
    """Seconds from ``now`` to the next midnight Pacific time (when YouTube's daily
    quota resets)."""
    try:
        pacific: Any = ZoneInfo("America/Los_Angeles")
    except ZoneInfoNotFoundError:  # no time zone data: standard time is close enough
        pacific = timezone(timedelta(hours=-8))
    local = now.astimezone(pacific)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max((midnight - local).total_seconds(), 60.0)


def read_checkpoint(checkpoint: Any) -> tuple[datetime | None, datetime | None, str | None]:
    """``(since, newest, page_token)`` from a stored checkpoint (damaged parts ignored).

    ``since``: the walk down the newest-first list stops at a thread no newer than this;
    ``newest`` and ``page_token``: a walk that stopped at its page cap goes on from this
    page next time, and ``newest`` becomes ``since`` once it reaches ``since``.
    """
    if not isinstance(checkpoint, dict):
        return None, None, None

    def when(key: str) -> datetime | None:
        value = checkpoint.get(key)
        if not isinstance(value, str):
            return None
        try:
            return parse_time(value, key)
        except QuestionShapeError:
            return None

    token = checkpoint.get("page_token")
    usable = isinstance(token, str) and 0 < len(token) <= 1000 and token.isprintable()
    return when("since"), when("newest"), token if usable else None


__all__ = ["error_reason", "read_checkpoint", "seconds_to_quota_reset"]
