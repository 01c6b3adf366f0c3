"""Typed HTTP failures, URL safety, and the one-line wording of error statuses.

Every class here is a :class:`~cxdaily.core.errors.ConnectorError`, so the runner reports it
for its channel only. Messages name the method, host and path of a URL, never its query
string or user info (either may hold a secret).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from cxdaily.core import safe_json
from cxdaily.core.errors import AuthError, ConnectorError
from cxdaily.core.hosts import is_loopback_host
from cxdaily.core.safe_text import one_line
from cxdaily.credentials import env_name

if TYPE_CHECKING:
    from cxdaily.connectors.http_client import HttpResult


class UnreachableError(ConnectorError):
    """The service could not be reached (DNS, refused connection, TLS failure)."""


class NotConnectedError(UnreachableError):
    """No connection was made (DNS, refused, TLS, connect timeout): the request never left."""


class UnsafeURLError(ConnectorError):
    """A URL that cxdaily refuses to call (plain http:// to a non-loopback host)."""


class BadResponseError(ConnectorError):
    """The service answered with something unusable (HTML, malformed or cut-off JSON)."""


class ResponseTooLargeError(BadResponseError):
    """The answer is bigger than the maximum body size."""


class RedirectError(ConnectorError):
    """Too many redirects, or a redirect loop."""


class ChannelTimeoutError(ConnectorError):
    """The channel did not finish within its deadline."""


class StatusError(ConnectorError):
    """The service answered with an HTTP error status (404, 500 ...)."""

    def __init__(self, message: str, *, status: int, channel: str | None = None) -> None:
        self.status = status
        super().__init__(message, channel=channel)


def may_pass(exc: BaseException) -> bool:
    """Whether a failed request may succeed when made again later: the service could not
    be reached, or answered 408 or a 5xx status (a 4xx other than 408, or an unusable
    answer, would come the same next time)."""
    if isinstance(exc, UnreachableError):
        return True
    return isinstance(exc, StatusError) and (exc.status >= 500 or exc.status == 408)


# ----------------------------------------------------------------------------- URLs
def unsafe_url_reason(url: httpx.URL | str) -> str | None:
    """Why cxdaily refuses to call ``url``, or ``None`` when it is fine."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError, ValueError):
        return "it is not a valid URL"
    if parsed.scheme == "https":
        return None if parsed.host else "it has no host"
    if parsed.scheme == "http":
        if parsed.host and is_loopback_host(parsed.host):
            return None
        return "plain http:// is only allowed to this machine (127.0.0.1, localhost); use https://"
    return f"the scheme {parsed.scheme or '(none)'!r} is not http or https"


SECRET_QUERY_KEYS = frozenset(
    {
        "token",
        "access_token",
        "refresh_token",
        "api_key",
        "apikey",
        "api-key",
        "key",
        "secret",
        "client_secret",
        "password",
        "passwd",
        "pass",
        "auth",
        "sig",
        "signature",
    }
)
"""Query parameters whose value is a credential: refused in a configured URL."""
LOGIN_HINT = "secrets never go in the config file: store it with `cxdaily login {channel}`"


def configured_url_reason(url: str, *, address_only: bool = False) -> str | None:
    """Why a URL written in the config file is refused, or ``None``: a user name or
    password in it, or a query parameter that holds a credential (``access_token=``,
    ``api_key=`` ...), since the config file is no place for secrets (and the URL's
    credentials would go out in place of the stored secret); a port out of range; with
    ``address_only`` (a service's base address, to which API paths are joined), any
    query or fragment."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return "is not a valid URL"
    if parsed.userinfo:
        return "holds a user name or password"
    keys = {key.lower() for key, _ in parsed.params.multi_items()}
    if keys & SECRET_QUERY_KEYS:
        return f"holds a credential in its query ({', '.join(sorted(keys & SECRET_QUERY_KEYS))}=)"
    if parsed.port is not None and not 0 < parsed.port < 65536:
        return f"has a port out of range ({parsed.port})"
    if "%" in parsed.host or any(c.isspace() for c in url):
        return "has a space or a character no address may hold"
    if address_only and (parsed.query or parsed.fragment or "#" in url or "?" in url):
        return "must be the service's address only, without ?query or #fragment"
    return None


def check_url(url: httpx.URL | str, *, channel: str | None = None) -> None:
    """Raise :class:`UnsafeURLError` unless ``url`` is https, or http to loopback."""
    reason = unsafe_url_reason(url)
    if reason:
        raise UnsafeURLError(f"refusing {describe_url(url)}: {reason}", channel=channel)


def describe_url(url: httpx.URL | str) -> str:
    """``scheme://host[:port]/path`` without user info or query (which may hold secrets)."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError, ValueError):
        return "an invalid URL"
    if not parsed.scheme and not parsed.host:
        return one_line(parsed.path, 200) or "an empty URL"
    port = f":{parsed.port}" if parsed.port else ""
    return one_line(f"{parsed.scheme}://{parsed.host}{port}{parsed.path}", 200)


# ----------------------------------------------------------------------------- statuses
def size_text(n: int) -> str:
    """A size in bytes as a message says it: ``50 MB``, or ``512 bytes`` below a megabyte."""
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n} bytes"


def status_error(
    *,
    method: str,
    url: httpx.URL,
    status: int,
    content: bytes,
    channel: str,
    scrub: Callable[[object, int], str],
    auth_hint: str | None = None,
    secret_variables: str | None = None,
) -> ConnectorError:
    """The typed, one-line error for an HTTP error status.

    ``auth_hint`` names what to check when the credentials are refused ("the email
    option and the API token"); without one, the channel's secret is named.
    ``secret_variables`` names the environment variables that hold the channel's secrets
    ("CXDAILY_SECRET_DESK or CXDAILY_SECRET_DESK_OAUTH_TOKEN"; default: the one secret).
    """
    where = f"{method} {describe_url(url)}"
    said = service_message(content, scrub)
    said = f": {said}" if said else ""
    if status == 401:
        check = f"check {auth_hint} (" if auth_hint else ""
        return AuthError(
            f"{where} refused the credentials (HTTP 401){said}; {check}run `cxdaily login "
            f"{channel}` or set {secret_variables or env_name(channel)}"
            f"{')' if auth_hint else ''}",
            channel=channel,
        )
    if status == 403:
        check = auth_hint or "the account's permissions"
        return AuthError(
            f"{where} denied access (HTTP 403){said}; check {check}",
            channel=channel,
        )
    if status == 404:
        return StatusError(
            f"{where} was not found (HTTP 404); check the address {channel} is set up "
            "with (its url or base_url, or the address kept as its secret)",
            status=status,
            channel=channel,
        )
    if status >= 500:
        return StatusError(
            f"{where} failed on the service's side (HTTP {status}){said}",
            status=status,
            channel=channel,
        )
    if 300 <= status < 400:
        return StatusError(
            f"{where} answered HTTP {status} without a usable redirect",
            status=status,
            channel=channel,
        )
    return StatusError(
        f"{where} refused the request (HTTP {status}){said}", status=status, channel=channel
    )


MAX_ERROR_BODY = 64 * 1024
"""An error body larger than this is not read for an explanation."""


def error_body(content: bytes) -> dict[str, Any] | None:
    """The JSON object an error answer's body holds, or ``None`` when it holds none (or
    is larger than :data:`MAX_ERROR_BODY`): what every service's error reader starts from."""
    if len(content) > MAX_ERROR_BODY or content.lstrip()[:1] != b"{":
        return None
    try:
        data = safe_json.loads(content)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def error_object(content: bytes) -> dict[str, Any] | None:
    """The ``error`` object of a JSON error body (Graph and Google APIs), or ``None``."""
    data = error_body(content)
    error = data.get("error") if data is not None else None
    return error if isinstance(error, dict) else None


def service_message(content: bytes, scrub: Callable[[object, int], str]) -> str:
    """A short explanation from a JSON error body (``message``, ``error`` ...), if any."""
    data = error_body(content)
    if data is None:
        return ""
    errors = data.get("errors")
    first: Any = errors[0] if isinstance(errors, list) and errors else None
    if isinstance(first, dict):  # {"code", "message"} (Intercom, Front, GitHub) or
        # JSON:API's {"title", "detail"} (App Store Connect)
        first = first.get("message") or first.get("detail") or first.get("title")
    if isinstance(first, str) and first.strip():  # Discourse: a list of sentences
        return scrub(first, 120)
    for key in ("message", "error_description", "error", "detail", "title"):
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get("message")
        if isinstance(value, str) and value.strip():
            return scrub(value, 120)
    return ""


def page_list(page: Any, key: str, result: HttpResult, channel: str, missing: str) -> list[Any]:
    """``page[key]`` when the page is an object holding a list there; else a
    :class:`BadResponseError`: ``METHOD URL answered {missing}``."""
    items = page.get(key) if isinstance(page, dict) else None
    if not isinstance(items, list):
        raise BadResponseError(
            f"{result.method} {describe_url(result.url)} answered {missing}", channel=channel
        )
    return items


def decode_json_body(
    *,
    method: str,
    url: httpx.URL,
    status: int,
    content_type: str,
    content: bytes,
    channel: str,
) -> Any:
    """The JSON document in a body, or a :class:`BadResponseError` saying what it is."""
    where = f"{method} {describe_url(url)}"
    body = content.strip()
    if not body:
        raise BadResponseError(
            f"{where} answered HTTP {status} with an empty body instead of JSON", channel=channel
        )
    if body[:1] == b"<" or "html" in content_type.lower():
        raise BadResponseError(
            f"{where} answered HTTP {status} with an HTML page instead of JSON "
            "(check the url setting, or a login page or proxy in the way)",
            channel=channel,
        )
    try:
        return safe_json.loads(body)
    except safe_json.JSONUnreadableError as exc:
        if str(exc).startswith("not UTF-8"):
            raise BadResponseError(
                f"{where} answered with bytes that are not UTF-8 JSON", channel=channel
            ) from None
        raise BadResponseError(
            f"{where} answered with malformed JSON ({exc})", channel=channel
        ) from None


def _connect_words(exc: BaseException, request: httpx.Request, where: str, detail: str) -> str:
    """Why a connection failed, what to check first (the host, the port, the network),
    then the request: the cause is what a narrow line must keep."""
    host = request.url.host
    cause: BaseException | None = exc
    for _ in range(8):  # httpx wraps the socket's own error a few levels down
        if cause is None or isinstance(cause, socket.gaierror | ConnectionRefusedError):
            break
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, socket.gaierror):
        return f"cannot find {host} (no such host): check the address and the network ({where})"
    if isinstance(cause, ConnectionRefusedError):
        return f"{host} refused the connection: check the address and the port ({where})"
    return f"{where}: cannot connect ({detail}); check the network"


def transport_error(
    exc: httpx.HTTPError,
    request: httpx.Request,
    *,
    channel: str,
    reading: bool,
    scrub: Callable[[object, int], str],
) -> tuple[ConnectorError, bool, bool]:
    """``(error, sent, retryable)`` for an httpx failure while sending or reading.

    ``sent`` is False only when the request cannot have reached the service (it failed
    to connect), which makes even a non-idempotent request safe to retry.
    """
    where = f"{request.method} {describe_url(request.url)}"
    detail = scrub(str(exc) or type(exc).__name__, 120)
    if isinstance(exc, httpx.ConnectError):
        if "CERTIFICATE" in detail.upper() or "SSL" in detail.upper():
            message = f"{where}: the TLS certificate could not be verified ({detail})"
            return NotConnectedError(message, channel=channel), False, False
        return (
            NotConnectedError(_connect_words(exc, request, where, detail), channel=channel),
            False,
            True,
        )
    if isinstance(exc, httpx.ConnectTimeout):
        return NotConnectedError(f"{where}: the connection timed out", channel=channel), False, True
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return UnsafeURLError(f"{where}: {detail}", channel=channel), False, False
    if isinstance(exc, httpx.DecodingError):
        message = f"{where}: the body could not be decoded"
        return BadResponseError(message, channel=channel), True, False
    if isinstance(exc, httpx.RemoteProtocolError) and reading:
        message = f"{where}: the answer was cut off before its end"
        return BadResponseError(message, channel=channel), True, True
    if isinstance(exc, httpx.TimeoutException):
        verb = "sending" if reading else "answering"
        message = f"{where}: the service stopped {verb} ({type(exc).__name__})"
        return UnreachableError(message, channel=channel), True, True
    message = f"{where}: the connection failed ({detail})"
    return UnreachableError(message, channel=channel), True, True


def bare_message(error: ConnectorError) -> str:
    """An error's message without its ``channel:`` prefix."""
    text = str(error)
    prefix = f"{error.channel}: "
    return text[len(prefix) :] if error.channel and text.startswith(prefix) else text
