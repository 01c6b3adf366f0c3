"""The one HTTP layer every HTTP connector uses.

- :func:`~cxdaily.connectors.http_client.make_client` builds the shared
  ``httpx.AsyncClient``: TLS verification on, a ``User-Agent`` naming cxdaily and its
  version, per-phase timeouts, and a request hook that refuses ``http://`` except to
  loopback addresses (redirects included).
- :class:`ChannelHttp` sends one channel's requests: an overall deadline per channel
  (see :func:`channel_deadline`), streaming reads capped at a maximum body size,
  redirects followed by hand (so loops and unsafe targets are caught), retries, and one
  rate-limit handler (:mod:`cxdaily.connectors.ratelimit`), capped and jittered.

Retry rules: only idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS) are retried
here: after a failure to connect, a read error, a cut-off body, a 5xx or a 408, and a
throttle (429, or a 403 that is a throttle) is waited out. A POST is sent once: whether
and when to repeat it is the outbox's decision alone (it knows whether the reply may
already be there), so a service that does not deduplicate never gets a reply twice.

Credentials: :meth:`ChannelHttp.allow_credentials_to` declares the origins (scheme, host
and port) that may receive this channel's credentials: the configured base and any
explicitly configured URL. Every request, whatever built it (a next-page link, a cursor
given as a URL, a thread URL, a redirect), passes one gate that removes credential
headers and secret-bearing query parameters when its origin is not declared.

Budgets: a fetch reads at most ``max_fetch_bytes`` in all (default 50 MB) besides the
per-answer cap; pagination stops at that budget or at its page cap and says so in the
fetch's warnings (:meth:`ChannelHttp.note`).

Every failure is a :class:`~cxdaily.core.errors.ConnectorError` subclass with a one-line
message. Messages and logs name the method, host and path only: never headers, query
strings or user info, and any secret the connector registered is scrubbed.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, Unpack

import httpx
import msgspec

from cxdaily.connectors import ratelimit
from cxdaily.connectors.base import SecretScrubber
from cxdaily.connectors.http_client import (
    IDEMPOTENT_METHODS,
    RETRYABLE_STATUSES,
    USER_AGENT,
    HttpPolicy,
    HttpResult,
    RequestOptions,
    channel_deadline,
    current_deadline,
    make_client,
)
from cxdaily.connectors.http_credentials import (
    Origin,
    origin_of,
    redirect_problem,
    strip_credentials,
)
from cxdaily.connectors.http_errors import (
    BadResponseError,
    ChannelTimeoutError,
    RedirectError,
    ResponseTooLargeError,
    StatusError,
    UnreachableError,
    UnsafeURLError,
    bare_message,
    check_url,
    decode_json_body,
    describe_url,
    is_loopback_host,
    size_text,
    status_error,
    transport_error,
    unsafe_url_reason,
)
from cxdaily.core.errors import ConnectorError, RateLimited
from cxdaily.core.safe_json import is_digits
from cxdaily.core.safe_text import one_line

logger = logging.getLogger("cxdaily.http")


class _SendFailure(Exception):
    """A transport failure inside one attempt; ``sent`` tells whether it may have acted."""

    def __init__(self, error: ConnectorError, *, sent: bool, retryable: bool = True) -> None:
        super().__init__(str(error))
        self.error = error
        self.sent = sent
        self.retryable = retryable


# ----------------------------------------------------------------------------- requests
class _Body(msgspec.Struct, frozen=True):
    """What a request sends: a JSON document or a form (or nothing)."""

    json: Any = None
    form: dict[str, str] | None = None


class ChannelHttp:
    """Sends one channel's requests through the shared client with every safeguard."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        channel: str,
        policy: HttpPolicy | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        wall_clock: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
        scrubber: SecretScrubber | None = None,
        credentials_to: tuple[str, ...] = (),
    ) -> None:
        self.client = client
        self.channel = channel
        self.policy = policy or HttpPolicy()
        self.sleep = sleep
        self.wall_clock = wall_clock
        self.rand = rand
        self.scrubber = scrubber if scrubber is not None else SecretScrubber()
        self._credential_origins: set[Origin] = set()
        for url in credentials_to:
            self.allow_credentials_to(url)
        self.bytes_read = 0
        """Bytes of every answer read so far (checked against ``max_fetch_bytes``)."""
        self.notes: list[str] = []
        """Why pagination stopped early, for the fetch's warnings."""
        self.walks_cut_short = 0
        """Walks of pages their page cap or the byte budget stopped (counted in pagination):
        a connector compares it before and after a walk to know whether it was cut short."""
        self.auth_hint: str | None = None
        """What to check when the service refuses the credentials (401/403), such as
        "the email option and the API token"; said in the auth error."""
        self.throttle_wait: Callable[[HttpResult, float], float | None] | None = None
        """How long the service's throttle answer asks to wait in its own way (seconds,
        given the answer and the time as epoch seconds), beside ``Retry-After``; it raises
        :class:`RateLimited` itself for a throttle not to be waited out here."""
        self.secret_variables: str | None = None
        """The environment variables of the channel's secrets, for the 401 message."""

    # -- secrets and credentials ----------------------------------------------------
    def register_secret(self, value: str | None) -> None:
        """Remember a secret so it is scrubbed from any message built from a response."""
        self.scrubber.add(value)

    def scrub(self, text: object, limit: int = 160) -> str:
        """One cleaned line of ``text`` with every registered secret replaced by ``***``."""
        return one_line(self.scrubber.scrub(str(text)), limit)

    def allow_credentials_to(self, url: str | httpx.URL) -> None:
        """Declare ``url``'s origin (scheme, host, port) as one that may get credentials."""
        origin = origin_of(url)
        if origin is not None:
            self._credential_origins.add(origin)

    def may_send_credentials(self, url: str | httpx.URL) -> bool:
        """Whether a request to ``url`` may carry this channel's credentials."""
        return origin_of(url) in self._credential_origins

    def _guard_credentials(self, request: httpx.Request) -> None:
        """The one gate: strip credentials from a request to an undeclared origin."""
        if self.may_send_credentials(request.url):
            return
        if strip_credentials(request, self.scrubber):
            logger.info(
                "%s: %s %s is not the channel's own origin: sent without credentials",
                self.channel,
                request.method,
                describe_url(request.url),
            )

    # -- budgets ----------------------------------------------------------------------
    def note(self, text: str) -> None:
        """Record why a fetch stopped early (shown with its warnings)."""
        if text not in self.notes:
            self.notes.append(text)

    def budget_spent(self) -> bool:
        """Whether this fetch has read its byte budget (``max_fetch_bytes``)."""
        return self.bytes_read >= self.policy.max_fetch_bytes

    # -- public API ---------------------------------------------------------------
    async def request(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        headers: dict[str, str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> HttpResult:
        """Send a request with retries and rate-limit waits, within the channel deadline.

        ``json_body`` is sent as JSON, ``form_body`` as a form. ``repeatable`` says
        whether sending the request twice is harmless (then failures and throttles are
        retried); by default it follows the method, but a search sent as POST is
        repeatable and a PUT that adds a comment is not. Returns a 2xx answer (or one
        whose status is in ``allow_statuses``); anything else raises a typed
        :class:`ConnectorError`.
        """
        params = options.get("params")
        allow_statuses = options.get("allow_statuses", frozenset())
        repeatable = options.get("repeatable")
        method = method.upper()
        check_url(url, channel=self.channel)
        loop = asyncio.get_running_loop()
        deadline = current_deadline() or (
            loop.time() + self.policy.deadline_s,
            self.policy.deadline_s,
        )
        idempotent = method in IDEMPOTENT_METHODS if repeatable is None else repeatable
        body = _Body(json=options.get("json_body"), form=options.get("form_body"))
        try:
            async with asyncio.timeout_at(deadline[0]):
                return await self._with_retries(
                    method, url, params, body, headers, idempotent, allow_statuses, deadline
                )
        except TimeoutError:
            raise ChannelTimeoutError(
                self.scrub(
                    f"no complete answer from {describe_url(url)} within {deadline[1]:g} s "
                    '(the channel\'s deadline; raise it with deadline = "...")',
                    400,
                ),
                channel=self.channel,
            ) from None
        except ConnectorError as exc:
            self.scrubber.scrub_error(exc)
            raise

    async def get_json(
        self,
        url: str | httpx.URL,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[Any, HttpResult]:
        """GET ``url`` and decode its JSON body."""
        result = await self.request("GET", url, params=params, headers=headers)
        return self.decode_json(result), result

    def decode_json(self, result: HttpResult) -> Any:
        """The JSON document in an answer, or a :class:`BadResponseError` saying what it is."""
        return decode_json_body(
            method=result.method,
            url=result.url,
            status=result.status,
            content_type=result.headers.get("content-type", ""),
            content=result.content,
            channel=self.channel,
        )

    def status_error(self, result: HttpResult) -> ConnectorError:
        """The typed, one-line error for an answer's error status (the channel's secrets
        scrubbed, its auth hint and secret variables named)."""
        return status_error(
            method=result.method,
            url=result.url,
            status=result.status,
            content=result.content,
            channel=self.channel,
            scrub=self.scrub,
            auth_hint=self.auth_hint,
            secret_variables=self.secret_variables,
        )

    # -- internals ---------------------------------------------------------------
    async def _with_retries(
        self,
        method: str,
        url: str | httpx.URL,
        params: dict[str, Any] | None,
        body: _Body,
        headers: dict[str, str] | None,
        idempotent: bool,
        allow_statuses: frozenset[int] | set[int],
        deadline: tuple[float, float],
    ) -> HttpResult:
        attempt = throttled = 0
        while True:
            attempt += 1
            request = self.client.build_request(
                method, url, params=params, json=body.json, data=body.form, headers=headers
            )
            try:
                result = await self._send_following_redirects(request)
            except _SendFailure as failure:
                may_retry = failure.retryable and idempotent
                if not may_retry or attempt > self.policy.retries:
                    raise failure.error from None
                await self._pause(self._backoff(attempt), failure.error, deadline)
                continue
            status = result.status
            if 200 <= status < 300 or status in allow_statuses:
                return result
            if ratelimit.is_throttle(status, result.headers, result.content):
                throttled += 1
                await self._wait_out_throttle(result, throttled, deadline, idempotent)
                continue
            error = self.status_error(result)
            if status in RETRYABLE_STATUSES and attempt > 1:
                error = StatusError(
                    f"{bare_message(error)} (after {attempt} attempts)",
                    status=status,
                    channel=self.channel,
                )
            if status in RETRYABLE_STATUSES and idempotent and attempt <= self.policy.retries:
                hinted = ratelimit.retry_delay(result.headers, self.wall_clock())
                delay = self._jitter(hinted) if hinted is not None else self._backoff(attempt)
                await self._pause(delay, error, deadline)
                continue
            raise error

    async def _wait_out_throttle(
        self, result: HttpResult, throttled: int, deadline: tuple[float, float], idempotent: bool
    ) -> None:
        hints = [ratelimit.retry_delay(result.headers, self.wall_clock())]
        if self.throttle_wait is not None:
            hints.append(self.throttle_wait(result, self.wall_clock()))
        hinted = max((h for h in hints if h is not None), default=None)
        wait = hinted if hinted is not None else self.backoff_wait(throttled)
        where = f"{result.method} {describe_url(result.url)}"
        error = RateLimited(
            f"rate-limited by {where} (HTTP {result.status}); the service asks to wait "
            f"{wait:.0f} s",
            retry_after=wait,
            channel=self.channel,
        )
        await self._wait_or_raise(wait, throttled, idempotent, error, deadline)

    def backoff_wait(self, throttled: int) -> float:
        """The wait before trying a throttled request again, its ``throttled``-th throttle
        in a row, when the service names none: a growing back-off, capped."""
        return min(self.policy.backoff_s * 2 ** (throttled - 1), self.policy.max_wait_s)

    async def wait_out(
        self, wait: float, throttled: int, repeatable: bool, error: ConnectorError
    ) -> None:
        """Wait ``wait`` seconds (jittered) before sending a throttled request again (its
        ``throttled``-th throttle in a row), or raise ``error`` when it may not be sent
        again (``repeatable``), was throttled more than the policy's ``throttle_retries``,
        is asked to wait more than its ``max_wait_s``, or would pass the channel's
        deadline. One rule for every throttle: this layer's own, and those a connector
        reads in the service's own words (Google's reasons, Meta's codes, X's 429s)."""
        await self._wait_or_raise(wait, throttled, repeatable, error, current_deadline())

    async def _wait_or_raise(
        self,
        wait: float,
        throttled: int,
        repeatable: bool,
        error: ConnectorError,
        deadline: tuple[float, float] | None,
    ) -> None:
        policy = self.policy
        if not repeatable or throttled > policy.throttle_retries or wait > policy.max_wait_s:
            raise error
        await self._pause(self._jitter(wait), error, deadline)

    async def _pause(
        self, delay: float, error: ConnectorError, deadline: tuple[float, float] | None
    ) -> None:
        """Sleep before a retry, unless that would pass the deadline: then fail with ``error``."""
        loop = asyncio.get_running_loop()
        if deadline is not None and loop.time() + delay >= deadline[0]:
            raise error
        logger.debug("%s: waiting %.2f s before retrying (%s)", self.channel, delay, error)
        await self.sleep(delay)

    def _backoff(self, attempt: int) -> float:
        return self._jitter(min(self.policy.backoff_s * 2 ** (attempt - 1), self.policy.max_wait_s))

    def _jitter(self, delay: float) -> float:
        return ratelimit.jittered(delay, self.rand(), cap=self.policy.max_wait_s)

    async def _send_following_redirects(self, request: httpx.Request) -> HttpResult:
        seen = {str(request.url)}
        for _ in range(self.policy.max_redirects + 1):
            response = await self._send(request)
            try:
                next_request = response.next_request
                if next_request is None:
                    content = await self._read_body(request, response)
                    logger.debug(
                        "%s: %s %s -> %s",
                        self.channel,
                        request.method,
                        describe_url(request.url),
                        response.status_code,
                    )
                    return HttpResult(
                        method=request.method,
                        url=request.url,
                        status=response.status_code,
                        headers=response.headers,
                        content=content,
                    )
            finally:
                await response.aclose()
            check_url(next_request.url, channel=self.channel)
            problem = redirect_problem(
                request, next_request, response.status_code, seen,
                may_send_credentials=self.may_send_credentials, scrubber=self.scrubber,
            )  # fmt: skip
            if problem is not None:
                raise self._redirect_refused(problem)
            seen.add(str(next_request.url))
            request = next_request
        raise self._redirect_refused(
            f"more than {self.policy.max_redirects} redirects, last to {describe_url(request.url)}"
        )

    def _redirect_refused(self, problem: str) -> _SendFailure:
        """A redirect not followed: the request was sent, and is not tried again."""
        error = RedirectError(problem, channel=self.channel)
        return _SendFailure(error, sent=True, retryable=False)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        self._guard_credentials(request)
        try:
            return await self.client.send(request, stream=True, follow_redirects=False)
        except UnsafeURLError as exc:
            unsafe = UnsafeURLError(bare_message(exc), channel=self.channel)
            raise _SendFailure(unsafe, sent=False, retryable=False) from None
        except httpx.HTTPError as exc:
            error, sent, retryable = transport_error(
                exc, request, channel=self.channel, reading=False, scrub=self.scrub
            )
            raise _SendFailure(error, sent=sent, retryable=retryable) from None

    async def _read_body(self, request: httpx.Request, response: httpx.Response) -> bytes:
        where = f"{request.method} {describe_url(request.url)}"
        limit = self.policy.max_body_bytes
        too_large = ResponseTooLargeError(
            f"{where} answered with more than {size_text(limit)} (the maximum body size)",
            channel=self.channel,
        )
        declared = response.headers.get("content-length", "")
        if is_digits(declared) and len(declared) < 20 and int(declared) > limit:
            raise _SendFailure(too_large, sent=True, retryable=False)
        chunks: list[bytes] = []
        total = 0
        try:
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                self.bytes_read += len(chunk)
                if total > limit:
                    raise _SendFailure(too_large, sent=True, retryable=False)
                chunks.append(chunk)
        except httpx.HTTPError as exc:
            error, sent, retryable = transport_error(
                exc, request, channel=self.channel, reading=True, scrub=self.scrub
            )
            raise _SendFailure(error, sent=sent, retryable=retryable) from None
        return b"".join(chunks)


__all__ = [
    "USER_AGENT",
    "BadResponseError",
    "ChannelHttp",
    "ChannelTimeoutError",
    "HttpPolicy",
    "HttpResult",
    "RedirectError",
    "RequestOptions",
    "ResponseTooLargeError",
    "StatusError",
    "UnreachableError",
    "UnsafeURLError",
    "channel_deadline",
    "check_url",
    "describe_url",
    "is_loopback_host",
    "make_client",
    "origin_of",
    "unsafe_url_reason",
]
