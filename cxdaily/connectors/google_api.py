"""What Google's APIs (the YouTube Data API, the Google Play Developer API) share: the
reason of an error body, when the daily quota resets, the request that reads Google's
quota and rate-limit answers, and the checkpoint of a walk down a newest-first listing."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from cxdaily.connectors import ratelimit
from cxdaily.connectors.base import FetchResult
from cxdaily.connectors.http import HttpResult, StatusError, describe_url
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.http_errors import error_object
from cxdaily.connectors.options import HTTP_OPTIONS, Option
from cxdaily.connectors.pagination import PageTrail
from cxdaily.connectors.parsing import checkpoint_time
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.core.errors import RateLimited
from cxdaily.core.models import Question

TOKEN_URL = "https://oauth2.googleapis.com/token"
"""Google's OAuth 2.0 token endpoint."""
TOKEN_URL_OPTION = Option(
    "token_url", "url", "where access tokens are asked for", default=TOKEN_URL
)
GOOGLE_OPTIONS = HTTP_OPTIONS.extended(TOKEN_URL_OPTION)
"""The options of every channel that signs in to a Google API (the HTTP ones and
``token_url``); a connector extends them with its own."""
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
    token = checkpoint.get("page_token")
    usable = isinstance(token, str) and 0 < len(token) <= 1000 and token.isprintable()
    since, newest = checkpoint_time(checkpoint, "since"), checkpoint_time(checkpoint, "newest")
    return since, newest, token if usable else None


class ListingPage(msgspec.Struct, frozen=True):
    """What one page of a newest-first listing gave a walk down it."""

    following: str | None
    """The next page's token (``None``: the last page)."""
    reached: bool
    """The page held an item no newer than the checkpoint: no older page is needed."""
    newest: datetime | None
    """The latest change among the page's new items."""


@dataclass
class ListingHarvest:
    """What a walk down a listing gathers as it goes, page by page."""

    questions: list[Question] = field(default_factory=list)
    """New questions."""
    settled: list[Question] = field(default_factory=list)
    """Questions the service says need no answer now (answered by the team)."""
    skipped: SkippedItems = field(default_factory=SkippedItems)
    """Items that could not be read, one line each."""

    def fetch_result(self, checkpoint: dict[str, Any]) -> FetchResult:
        """The fetch's result: what was gathered, and the walk's new ``checkpoint``."""
        return FetchResult(
            questions=self.questions,
            settled=self.settled,
            warnings=self.skipped.lines(),
            checkpoint=checkpoint,
        )


#: Reads one page of a listing (``None``: the first) with the page token given.
PageReader = Callable[[str | None], Awaitable[HttpResult]]
#: Takes in one page (its answer, its number and the checkpoint's time).
PageTaker = Callable[[HttpResult, int, "datetime | None"], Awaitable[ListingPage]]


async def walk_listing(
    connector: HttpConnector,
    checkpoint: Any,
    read: PageReader,
    take: PageTaker,
    *,
    max_pages: int,
    what: str,
    iso: Callable[[datetime], str],
) -> dict[str, Any]:
    """Walk down a newest-first listing from a stored checkpoint (see
    :func:`read_checkpoint`), page by page, until a page reaches the checkpoint's time or
    the last page; the new checkpoint is returned.

    A walk that reached its end remembers the newest change it read; one stopped by
    ``max_pages`` (with a note naming the ``what``, "pages of reviews") remembers where the
    next fetch goes on. A stored page token the API refuses (HTTP 400) is dropped with a
    note and the walk starts over from the newest. A page token the API names a second
    time ends the walk as its last page would (with a note): following it would read the
    same pages again until the cap, at every fetch.
    """
    since, newest, token = read_checkpoint(checkpoint)
    trail = PageTrail(connector.http, what, token)
    for page in range(1, max_pages + 1):
        try:
            result = await read(token)
        except StatusError as exc:
            if not (page == 1 and token and exc.status == 400):
                raise
            connector.http.note("the stored page token was refused: read again from the newest")
            result = await read(None)
        taken = await take(result, page, since)
        token = taken.following
        if taken.newest is not None:
            newest = max(newest or taken.newest, taken.newest)
        if taken.reached or token is None or trail.loops(token):
            latest = newest or since
            return {"since": iso(latest) if latest else None}
    connector.http.note(
        f"stopped after {max_pages} {what} (the page cap); the older ones come with the next fetch"
    )
    return {"since": iso(since) if since else None, "page_token": token,
            "newest": iso(newest) if newest else None}  # fmt: skip


__all__ = ["error_reason", "read_checkpoint", "seconds_to_quota_reset", "walk_listing"]


class GoogleLimits(msgspec.Struct, frozen=True):
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
                hinted = ratelimit.retry_delay(result.headers, http.wall_clock())
                wait = hinted if hinted is not None else http.backoff_wait(attempt)
                error = RateLimited(
                    f"{where} was rate-limited by {limits.service} ({shown}); "
                    "try again in a minute",
                    retry_after=max(wait, 60.0),
                    channel=connector.name,
                )
                await http.wait_out(wait, attempt, reads, error)
                continue
            raise self._refusal(result, reason, where)
        raise AssertionError("unreachable")  # pragma: no cover
