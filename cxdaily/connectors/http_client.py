"""The shared HTTP client, a channel's limits, its deadline, what a request carries and
what it returns.

:func:`make_client` builds the one ``httpx.AsyncClient`` every HTTP connector uses; the
rest of the layer (retries, redirects, credentials, budgets) is
:class:`~cxdaily.connectors.http.ChannelHttp`.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypedDict

import httpx
import msgspec

from cxdaily import __version__
from cxdaily.connectors.http_errors import check_url
from cxdaily.connectors.pagination import parse_link_header
from cxdaily.connectors.tls import verified_tls

USER_AGENT = f"cxdaily/{__version__} (python-httpx/{httpx.__version__})"
DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_FETCH_BYTES = 50 * 1024 * 1024
DEFAULT_DEADLINE_S = 60.0
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRYABLE_STATUSES = frozenset({408, 500, 502, 503, 504})


class RequestOptions(TypedDict, total=False):
    """What a request carries besides its method, URL and headers, declared once: the
    keyword options of :meth:`~cxdaily.connectors.http.ChannelHttp.request` and of every
    connector's wrapper that adds its authentication (``**options: Unpack[RequestOptions]``).
    """

    params: dict[str, Any] | None
    """The query string's parameters."""
    json_body: Any
    """A body sent as JSON."""
    form_body: dict[str, str] | None
    """A body sent as a form."""
    allow_statuses: frozenset[int] | set[int]
    """Statuses besides 2xx returned rather than raised."""
    repeatable: bool | None
    """Sending the request twice is harmless (``None``: as its method says)."""


def allowing(options: RequestOptions, *statuses: int) -> RequestOptions:
    """``options`` with ``statuses`` returned rather than raised too (a wrapper that
    answers them itself: a refused token renewed, a throttle waited out)."""
    return {**options, "allow_statuses": {*options.get("allow_statuses", ()), *statuses}}


# ----------------------------------------------------------------------------- client
async def _refuse_unsafe(request: httpx.Request) -> None:
    check_url(request.url)


def make_client(
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    connect_timeout_s: float = 10.0,
    read_timeout_s: float = 30.0,
) -> httpx.AsyncClient:
    """The shared client: verified TLS, cxdaily's User-Agent, no automatic redirects.

    httpx logs every request's whole URL at INFO, and some services take a token in the
    query string (Instagram's token renewal): its logger is kept to warnings, so that a
    program that logs at INFO never writes a channel's secret."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s),
        verify=verified_tls(),
        follow_redirects=False,
        transport=transport,
        event_hooks={"request": [_refuse_unsafe]},
    )


class HttpPolicy(msgspec.Struct, frozen=True):
    """Limits for one channel's requests."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """Largest answer read; bigger ones fail with :class:`ResponseTooLargeError`."""
    max_fetch_bytes: int = DEFAULT_MAX_FETCH_BYTES
    """Most bytes read by one connector's requests in all (one fetch): pagination stops
    there and says so in the fetch's warnings."""
    deadline_s: float = DEFAULT_DEADLINE_S
    """Overall time for one request with its retries, when no channel deadline is set."""
    retries: int = 3
    """Extra attempts after a failure that may be retried."""
    throttle_retries: int = 3
    """How many times a throttle (429) is waited out before giving up."""
    max_wait_s: float = 60.0
    """Longest single rate-limit wait; a longer one fails with :class:`RateLimited`."""
    backoff_s: float = 0.5
    """First back-off delay; it doubles with each attempt."""
    max_redirects: int = 5
    """Redirects followed before giving up."""


# ----------------------------------------------------------------------------- deadline
_DEADLINE: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar(
    "cxdaily_channel_deadline", default=None
)


def current_deadline() -> tuple[float, float] | None:
    """The running task's channel deadline: (loop time it ends, its length), if any."""
    return _DEADLINE.get()


@contextmanager
def channel_deadline(seconds: float) -> Iterator[None]:
    """Within this block (in the running task), every request shares one deadline."""
    loop = asyncio.get_running_loop()
    token = _DEADLINE.set((loop.time() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


# ----------------------------------------------------------------------------- results
class HttpResult(msgspec.Struct, frozen=True):
    """A complete answer: status, headers, final URL and the whole (bounded) body."""

    method: str
    url: httpx.URL
    status: int
    headers: httpx.Headers
    content: bytes

    @property
    def links(self) -> dict[str, str]:
        """``Link`` header targets by relation (``next``, ``prev`` ...), as absolute URLs;
        a target that is not a URL at all is left out."""
        links: dict[str, str] = {}
        for rel, target in parse_link_header(self.headers.get("link", "")).items():
            try:
                links[rel] = str(self.url.join(target))
            except (httpx.InvalidURL, ValueError):
                continue
        return links
