"""What Google's APIs (the YouTube Data API, the Google Play Developer API) share: the
reason of an error body, when the daily quota resets, the request that reads Google's
quota and rate-limit answers, and the checkpoint of a walk down a newest-first listing."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cxdaily.connectors import ratelimit
from cxdaily.connectors.http import HttpResult, describe_url
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.http_errors import error_object
from cxdaily.connectors.parsing import QuestionShapeError, parse_time
from cxdaily.core.errors import RateLimited

HOURLY_QUOTA_WAIT_S = 3600.0
"""How long a used-up hourly quota is waited out."""


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


@dataclass(frozen=True)
class GoogleLimits:
    """How one Google API answers when a limit is reached: the error reasons of its daily
    and hourly quotas and of a brief rate limit, and the statuses those answers come with
    (with the others a request may be refused with, read by the connector's refusal)."""

    service: str
    daily_reasons: frozenset[str]
    throttle_reasons: frozenset[str]
    hourly_reasons: frozenset[str] = frozenset()
    statuses: frozenset[int] = frozenset({403, 429})


#: Turns a refused answer (with its reason and "METHOD url") into the connector's error.
Refusal = Callable[[HttpResult, "str | None", str], Exception]


class GoogleRequests:
    """Requests to one Google API on behalf of a connector, read for Google's limits."""

    def __init__(self, connector: HttpConnector, limits: GoogleLimits, refusal: Refusal) -> None:
        self._connector = connector
        self._limits = limits
        self._refusal = refusal

    async def send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        doing: str = "the fetch resumes then",
    ) -> HttpResult:
        """One request to a Google API whose refusals are read for Google's reason.

        A used-up daily quota waits until midnight Pacific time and an hourly one for an
        hour (both raise :class:`RateLimited` at once, ``doing`` saying what happens then);
        a brief rate limit (a 429, a throttle reason or a throttle without one) is waited out
        on reads as the ``Retry-After`` header or a growing back-off says, within the
        channel's policy; any other refusal is ``refusal``'s error.
        """
        connector, limits = self._connector, self._limits
        http, url, reads = connector.http, connector.endpoint(path), method == "GET"
        for attempt in itertools.count(1):
            result = await http.request(
                method, url, params=params, json_body=json_body, headers=headers,
                allow_statuses=limits.statuses, repeatable=reads,
            )  # fmt: skip
            if result.status not in limits.statuses:
                return result
            reason = error_reason(result.content)
            where = f"{method} {describe_url(url)}"
            shown = f"HTTP {result.status}{' ' + reason if reason else ''}"
            if reason in limits.daily_reasons:
                wait = seconds_to_quota_reset(connector.now())
                raise RateLimited(
                    f"{where}: {limits.service}'s daily API quota is used up ({shown}); it resets "
                    f"at midnight Pacific time, in {wait / 3600:.0f} h, and {doing}",
                    retry_after=wait,
                    channel=connector.name,
                )
            if reason in limits.hourly_reasons:
                raise RateLimited(
                    f"{where}: {limits.service}'s API quota is used up ({shown}); "
                    f"{doing} in an hour",
                    retry_after=HOURLY_QUOTA_WAIT_S,
                    channel=connector.name,
                )
            unexplained = reason is None and ratelimit.is_throttle(
                result.status, result.headers, result.content
            )
            if result.status == 429 or reason in limits.throttle_reasons or unexplained:
                policy = http.policy
                hinted = ratelimit.retry_delay(result.headers, http.wall_clock())
                wait = hinted if hinted is not None else policy.backoff_s * 2**attempt
                if reads and attempt <= policy.throttle_retries and wait <= policy.max_wait_s:
                    await http.sleep(ratelimit.jittered(wait, http.rand(), cap=policy.max_wait_s))
                    continue
                raise RateLimited(
                    f"{where} was rate-limited by {limits.service} ({shown}); "
                    "try again in a minute",
                    retry_after=max(wait, 60.0),
                    channel=connector.name,
                )
            raise self._refusal(result, reason, where)
        raise AssertionError("unreachable")  # pragma: no cover
