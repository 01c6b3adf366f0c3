"""What the ``facebook`` and ``instagram`` channels share: Meta's Graph API.

- **Versioned URLs**: every call goes to ``{base_url}/{api_version}/{path}``; both come
  from the channel's options, so a local server can stand in for graph.facebook.com.
- **The token** is sent as ``Authorization: Bearer``, never as the ``access_token`` query
  parameter Meta's examples use, so it never lands in a URL, a log or a next-page link.
- **Errors**: Graph answers a failure (mostly with HTTP 400, also 401, 403 and 429) with
  ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``. Code 190 (and
  102) is a refused or expired token, codes 10 and 200 to 299 a missing permission, and
  the throttling codes (4 application, 17 user, 32 page, 613, 80001 and the other
  Business Use Case codes) a rate limit. :meth:`GraphConnector.graph` turns each into the
  framework's one-line error.
- **Throttles** are waited out (reads only) for as long as the usage headers
  (``X-Business-Use-Case-Usage``, ``X-Page-Usage``, ``X-App-Usage``) say in
  ``estimated_time_to_regain_access`` (minutes), when that fits the channel's longest
  wait; otherwise, or without an estimate, the throttle is a one-line
  :class:`~cxdaily.core.errors.RateLimited`.
- **Paging**: ``{"data": [...], "paging": {"cursors": {"after"}, "next"}}``. A page with
  no ``paging.next`` is the last; the next one is asked for on the channel's own URL with
  ``after`` (or, for time-based pages, the query ``paging.next`` names, without any
  ``access_token``), never by calling the address Graph wrote.

Comments, who answered them and replies in their threads: :mod:`cxdaily.connectors.meta_comments`.
"""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote, urlsplit

import msgspec

from cxdaily.connectors import ratelimit
from cxdaily.connectors.helpdesk import optional_id, optional_text
from cxdaily.connectors.http import HttpResult, StatusError, describe_url
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.http_errors import error_object, page_list, status_error
from cxdaily.connectors.options import Option, full_match
from cxdaily.connectors.pagination import DEFAULT_MAX_PAGES, PageTrail, pages_allowed
from cxdaily.connectors.parsing import (
    MAX_TEXT_CHARS,
    QuestionShapeError,
    id_field,
    parse_time,
    text_field,
    what_it_is,
)
from cxdaily.core import safe_json
from cxdaily.core.errors import AuthError, RateLimited
from cxdaily.core.models import Author
from cxdaily.core.safe_json import clean_surrogates
from cxdaily.core.safe_text import one_line
from cxdaily.credentials import env_name

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v26.0"
AUTH_CODES = frozenset({102, 190})
"""Graph error codes of a token that is invalid, expired or revoked."""
THROTTLE_CODES = frozenset({4, 17, 32, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80008})
"""Graph error codes that mean "throttled" (application, user, page and Business Use
Case limits)."""
USAGE_HEADERS = ("x-business-use-case-usage", "x-page-usage", "x-app-usage")
"""Meta's usage headers (JSON), consulted for ``estimated_time_to_regain_access``."""
ERROR_STATUSES = frozenset({400, 401, 403, 429})
"""Statuses whose Graph error body is read here rather than by the HTTP layer."""
MAX_REGAIN_MINUTES = 24 * 60

_PERMISSION = re.compile(r"\b(?:pages|instagram|business|read|publish)_[a-z_]{2,60}\b")


id_problem = full_match(r"[0-9A-Za-z_.-]{1,100}", 'must be one id such as "104523859874321"')
"""Why a value is not one Graph id (``None`` when it is)."""
version_problem = full_match(r"v\d{1,3}\.\d{1,3}", 'must be a version such as "v26.0"')
"""Why a value is not a Graph API version (``None`` when it is)."""


def api_version_option() -> Option:
    """The ``api_version`` option both kinds declare."""
    return Option("api_version", "text", "the Graph API version in every URL",
                  default=DEFAULT_API_VERSION, check=version_problem)  # fmt: skip


def since_days_option(default: int = 7) -> Option:
    """The ``since_days`` option both kinds declare."""
    return Option("since_days", "int", "how many days back the first fetch looks (and how far "
                  "back later fetches look again for new comments on older posts)",
                  default=default, minimum=1, maximum=90, unit="days")  # fmt: skip


# ----------------------------------------------------------------------------- errors
class GraphError(msgspec.Struct, frozen=True):
    """The ``error`` object of a Graph API failure."""

    message: str
    code: int | None
    subcode: int | None
    type: str | None
    trace: str | None

    def describe(self) -> str:
        """``Graph error 190/463: the message`` on one line (cut)."""
        code = "?" if self.code is None else str(self.code)
        if self.subcode is not None:
            code += f"/{self.subcode}"
        said = f": {self.message}" if self.message else ""
        return f"Graph error {code}{said}"


ERROR_MESSAGE_CHARS = 2000
"""The longest Graph error message kept (the caller masks secrets, then shortens it)."""


def _whole(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 10**9:
        return None
    return value


def graph_error(content: bytes) -> GraphError | None:
    """The Graph error in an answer's body, or ``None`` when it holds none. Its message
    is kept whole (up to :data:`ERROR_MESSAGE_CHARS`): a caller masks the channel's
    secrets in it before shortening it, since a token cut in two is no longer found."""
    error = error_object(content)
    if error is None:
        return None
    message = error.get("message")
    kind = error.get("type")
    trace = error.get("fbtrace_id")
    return GraphError(
        message=one_line(message, ERROR_MESSAGE_CHARS) if isinstance(message, str) else "",
        code=_whole(error.get("code")),
        subcode=_whole(error.get("error_subcode")),
        type=one_line(kind, 60) if isinstance(kind, str) else None,
        trace=one_line(trace, 60) if isinstance(trace, str) else None,
    )


def is_throttle(error: GraphError | None, status: int) -> bool:
    """Whether an error answer means "throttled"."""
    return status == 429 or (error is not None and error.code in THROTTLE_CODES)


def is_permission(error: GraphError) -> bool:
    """Whether a Graph error is a missing permission (code 10, or 200 to 299)."""
    return error.code is not None and (error.code == 10 or 200 <= error.code <= 299)


def regain_minutes(headers: Mapping[str, str]) -> float | None:
    """The longest ``estimated_time_to_regain_access`` (minutes) in Meta's usage headers,
    or ``None`` when no header gives one.

    ``X-Business-Use-Case-Usage`` maps a business object id to a list of usage objects;
    ``X-Page-Usage`` and ``X-App-Usage`` are one usage object. Anything else is ignored.
    """
    found: list[float] = []
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw or len(raw) > 16 * 1024:
            continue
        try:
            data = safe_json.loads(raw.encode("utf-8", "replace"))
        except ValueError:
            continue
        for usage in _usage_objects(data):
            value = usage.get("estimated_time_to_regain_access")
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if isinstance(value, float) and not math.isfinite(value):
                value = MAX_REGAIN_MINUTES
            if value >= 0:
                found.append(min(float(value), MAX_REGAIN_MINUTES))
    return max(found) if found else None


def _usage_objects(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict):
        return []
    if "estimated_time_to_regain_access" in data:
        return [data]
    objects: list[dict[str, Any]] = []
    for value in data.values():
        items = value if isinstance(value, list) else [value]
        objects.extend(item for item in items if isinstance(item, dict))
    return objects


# ----------------------------------------------------------------------------- parsing
def graph_text(value: Any, where: str) -> str | None:
    """A message or caption as Graph gives it (plain text), cleaned of lone surrogates and
    cut to the longest body kept; ``None`` when it is missing or not text."""
    if not isinstance(value, str):
        return None
    return text_field(value[:MAX_TEXT_CHARS], where, max_chars=None)


def graph_person(data: Any, where: str) -> Author:
    """A ``from`` object (``id`` with ``name`` on Facebook, ``username`` on Instagram) as
    an :class:`Author`; missing or malformed parts are left out (the author is unknown)."""
    if not isinstance(data, dict):
        return Author()
    ident = optional_id(data.get("id"))
    username = optional_text(data.get("username"), f"{where}.username")
    return Author(
        id=id_field(ident, f"{where}.id") if ident is not None else None,
        handle=f"@{username}" if username else None,
        name=optional_text(data.get("name"), f"{where}.name"),
    )


def time_or_none(value: Any) -> datetime | None:
    """A Graph time (``2026-12-04T08:00:00+0000``) as aware UTC, or ``None``."""
    try:
        return parse_time(value, "time")
    except QuestionShapeError:
        return None


def graph_count(value: Any) -> int | None:
    """A count (likes, replies) when it is a plausible whole number, else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**12:
        return None
    return value


def web_url(value: Any) -> str | None:
    """An http(s) link (a permalink), cleaned; anything else is ``None``."""
    if not isinstance(value, str) or len(value) > 4096:
        return None
    text = clean_surrogates(value.strip())
    return text if text.lower().startswith(("https://", "http://")) else None


def short_text(value: Any, limit: int = 200) -> str | None:
    """A name or label from the service as one clean line (``None`` when blank)."""
    text = optional_text(value, "text", max_chars=limit)
    return one_line(text, limit) or None if text else None


# ----------------------------------------------------------------------------- paging
def page_items(page: Any, result: HttpResult, channel: str, what: str) -> list[Any]:
    """The ``data`` list of a Graph page, or a one-line :class:`BadResponseError`."""
    return page_list(page, "data", result, channel, f"{what_it_is(page)}, not a list of {what}")


def next_page_query(container: Any) -> dict[str, str] | None:
    """The query of the page after ``container`` (an object with ``paging``), or ``None``
    on the last page: ``after`` from the cursors, else what ``paging.next`` asks for
    (time-based pages) without its ``access_token``."""
    paging = container.get("paging") if isinstance(container, dict) else None
    if not isinstance(paging, dict):
        return None
    following = paging.get("next")
    if not isinstance(following, str) or not following.strip():
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    if isinstance(after, str) and after.strip() and len(after) < 4096:
        return {"after": after.strip()}
    try:
        query = urlsplit(following.strip()).query
    except ValueError:
        return None
    asked = {k: v for k, v in parse_qsl(query) if k != "access_token" and len(v) < 4096}
    return asked or None


# ----------------------------------------------------------------------------- connector
class GraphConnector(HttpConnector):
    """An HTTP connector to Meta's Graph API: versioned URLs, the Bearer token, Graph
    errors and throttles, and cursor paging (see the module's docstring)."""

    default_base_url = DEFAULT_BASE_URL
    secret_fields: ClassVar[tuple[str, ...]] = ("",)
    token_name: ClassVar[str] = "the access token"
    """How the secret is named in messages ("the Page access token")."""

    def graph_url(self, *parts: str) -> str:
        """``{base_url}/{api_version}/part/part`` (each part one path segment)."""
        path = "/".join(quote(part, safe="") for part in parts)
        return self.endpoint(f"{self.option('api_version')}/{path}")

    async def auth_headers(self) -> dict[str, str]:
        """The token as ``Authorization: Bearer`` (never in the query string)."""
        return self.bearer((await self.read_secret()).strip())

    async def graph(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        form_body: dict[str, str] | None = None,
        json_body: Any = None,
        permission: str | None = None,
    ) -> tuple[Any, HttpResult]:
        """One Graph call, its JSON answer decoded; a Graph error becomes the framework's
        one-line error (see the module's docstring). Reads wait out a throttle when
        Meta's usage headers say how long it lasts; a post never repeats.

        ``permission`` names what the call needs, for a permission error ("pages_messaging").
        """
        headers = await self.auth_headers()
        repeatable = method.upper() in ("GET", "HEAD")
        throttled = 0
        while True:
            result = await self.http.request(
                method, url, params=params, form_body=form_body, json_body=json_body,
                headers=headers, allow_statuses=ERROR_STATUSES, repeatable=repeatable,
            )  # fmt: skip
            if 200 <= result.status < 300:
                return self.http.decode_json(result), result
            error = graph_error(result.content)
            if not is_throttle(error, result.status):
                raise self._refusal(result, error, permission)
            throttled += 1
            wait = self._throttle_wait(result)
            if wait is None:  # no estimate: waiting would be a guess
                raise self._throttle_error(result, error, wait)
            await self.http.wait_out(
                wait, throttled, repeatable, self._throttle_error(result, error, wait)
            )

    def _throttle_wait(self, result: HttpResult) -> float | None:
        minutes = regain_minutes(result.headers)
        if minutes is not None:
            return minutes * 60.0
        return ratelimit.retry_delay(result.headers, self.http.wall_clock())

    def _throttle_error(
        self, result: HttpResult, error: GraphError | None, wait: float | None
    ) -> RateLimited:
        where = f"{result.method} {describe_url(result.url)}"
        said = error.describe() if error is not None else f"HTTP {result.status}"
        if wait is None:
            advice = "Meta gave no estimate of when access returns; try again later"
        else:
            advice = f"Meta estimates access returns in {math.ceil(wait / 60)} min"
        return RateLimited(
            self.http.scrub(f"rate-limited by {where} ({said}); {advice}", 400),
            retry_after=wait if wait is not None else 60.0,
            channel=self.name,
        )

    def _refusal(
        self, result: HttpResult, error: GraphError | None, permission: str | None
    ) -> Exception:
        where = f"{result.method} {describe_url(result.url)}"
        if error is None:
            return status_error(
                method=result.method, url=result.url, status=result.status,
                content=result.content, channel=self.name, scrub=self.http.scrub,
                auth_hint=type(self).auth_hint, secret_variables=env_name(self.name),
            )  # fmt: skip
        said = self.http.scrub(error.describe(), 200)
        if error.code in AUTH_CODES or (error.code is None and result.status == 401):
            return AuthError(
                f"{where} refused {self.token_name} ({said}): it expired or is invalid; "
                f"run `cxdaily login {self.name}` with a new one or set {env_name(self.name)}",
                channel=self.name,
            )
        if is_permission(error) or (error.code is None and result.status == 403):
            named = sorted(set(_PERMISSION.findall(error.message)))
            needed = ", ".join(named) or permission or "the permissions this channel needs"
            return AuthError(
                f"{where} needs a permission {self.token_name} lacks ({said}); grant {needed}",
                channel=self.name,
            )
        return StatusError(f"{where} refused the request ({said})", status=result.status,
                           channel=self.name)  # fmt: skip

    async def graph_pages(
        self,
        url: str,
        *,
        params: dict[str, Any],
        what: str,
        permission: str | None = None,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> AsyncIterator[tuple[list[Any], Any]]:
        """``(items, page)`` for each page of a Graph list, following its cursors on the
        channel's own URL until the last page, a repeated cursor, or the page or byte cap
        (said in the fetch's warnings)."""
        query: dict[str, Any] = dict(params)
        trail = PageTrail(self.http, f"pages of {what}")
        for _ in pages_allowed(self.http, max_pages):
            page, result = await self.graph("GET", url, params=query, permission=permission)
            yield page_items(page, result, self.name, what), page
            following = next_page_query(page)
            if following is None or trail.loops(repr(sorted(following.items()))):
                return
            query = {**params, **following}


async def read_all(pages: AsyncIterator[tuple[list[Any], Any]]) -> tuple[list[Any], bool]:
    """Every item of a Graph list's ``pages`` (from :meth:`GraphConnector.graph_pages`),
    and whether the walk stopped before the list's last page (the page or byte cap, or a
    repeated cursor): the items past it were not read."""
    items: list[Any] = []
    last: Any = None
    async for found, page in pages:
        items.extend(found)
        last = page
    return items, last is not None and next_page_query(last) is not None
