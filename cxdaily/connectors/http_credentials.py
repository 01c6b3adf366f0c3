"""Which requests may carry a channel's credentials, and removing them from the others.

An origin is ``(scheme, host, port)``; a channel declares the origins its credentials
may go to (see :meth:`cxdaily.connectors.http.ChannelHttp.allow_credentials_to`), and
:func:`strip_credentials` takes them off a request bound anywhere else;
:func:`redirect_problem` says which redirects are not followed.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx

from cxdaily.connectors.base import SecretScrubber
from cxdaily.connectors.http_errors import describe_url

#: Headers that carry credentials, whatever their value (any header holding a registered
#: secret is treated the same way).
CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-api-key",
        "api-key",
        "x-auth-token",
        "private-token",
        "x-access-token",
    }
)

Origin = tuple[str, str, int]


def basic_authorization(user: str, password: str, scrubber: SecretScrubber) -> str:
    """The ``Authorization`` value of HTTP Basic (``Basic base64(user:password)``). The
    encoded pair is registered with ``scrubber`` as a secret: an answer that echoes the
    header must not show it, since it decodes to the password."""
    pair = f"{user}:{password}".encode("utf-8", "surrogatepass")
    encoded = base64.b64encode(pair).decode("ascii")
    scrubber.add(encoded)
    return f"Basic {encoded}"


def origin_of(url: httpx.URL | str) -> Origin | None:
    """``(scheme, host, port)`` of ``url`` with the default port filled in; None if invalid."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    if not parsed.host:
        return None
    port = parsed.port or {"https": 443, "http": 80}.get(parsed.scheme, 0)
    return (parsed.scheme.lower(), parsed.host.lower().rstrip("."), port)


def _credential_parts(
    request: httpx.Request, scrubber: SecretScrubber
) -> tuple[list[str], list[str]]:
    """The names of ``request``'s credential headers (and headers holding a secret), and
    the keys of its query values holding a secret."""
    headers = [
        name
        for name, value in request.headers.items()
        if name.lower() in CREDENTIAL_HEADERS or scrubber.holds(value)
    ]
    keys = [key for key, value in request.url.params.multi_items() if scrubber.holds(value)]
    return headers, keys


def carries_credentials(request: httpx.Request, scrubber: SecretScrubber) -> bool:
    """Whether ``request`` carries credentials (see :func:`strip_credentials`)."""
    headers, keys = _credential_parts(request, scrubber)
    return bool(headers or keys)


def strip_credentials(request: httpx.Request, scrubber: SecretScrubber) -> bool:
    """Remove credential headers, and any header or query value holding a secret, from
    ``request``; returns whether anything was removed."""
    headers, keys = _credential_parts(request, scrubber)
    for name in headers:
        del request.headers[name]
    query = request.url.params
    for key in keys:
        query = query.remove(key)
    if keys:
        request.url = request.url.copy_with(params=query)
    return bool(headers or keys)


def redirect_problem(
    request: httpx.Request,
    redirected: httpx.Request,
    status: int,
    seen: set[str],
    *,
    may_send_credentials: Callable[[httpx.URL], bool],
    scrubber: SecretScrubber,
) -> str | None:
    """Why the redirect of ``request`` to ``redirected`` (answered with ``status``; ``seen``:
    the addresses visited) is not followed, or ``None``:

    - a POST (or PUT, PATCH, DELETE) the redirect would turn into a GET without its
      body (301, 302, 303): the GET's 200 would read as the post's success (a webhook
      behind a login page, say) while nothing was posted; whether the service took
      the post first is not known;
    - a body (a reply, a token request's client secret) that would follow it (307/308
      keep it) to another origin that may not get the channel's credentials;
    - a request that carried the channel's credentials, sent on to another origin that
      may not get them: it would go there without them, so its answer would not be
      the signed-in one it stands for ("signed in" from a check, a fetch of another
      site's data under the channel's name); the channel's address is to be set to
      where the service now lives instead;
    - an address already visited (a loop)."""
    where, there = f"{request.method} {describe_url(request.url)}", describe_url(redirected.url)
    if request.method not in ("GET", "HEAD") and redirected.method != request.method:
        return (
            f"{where} was answered with a redirect (HTTP {status}) to {there}, which "
            "would read it with a GET: whether the service took it is not known"
        )
    headers = redirected.headers  # httpx drops the body (and its length) for a GET
    has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
    elsewhere = origin_of(redirected.url) != origin_of(request.url)
    if elsewhere and not may_send_credentials(redirected.url):
        if has_body:
            return f"{where} redirects to {there}, another site: its body was not sent there"
        if carries_credentials(request, scrubber):
            return (
                f"{where} redirects to {there}, another site, which does not get the "
                "channel's credentials: nothing was read there (if the service has moved "
                "there, set the channel's address to it)"
            )
    if str(redirected.url) in seen:
        return f"{where} redirects in a loop (back to {there})"
    return None
