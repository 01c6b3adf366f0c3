"""Which requests may carry a channel's credentials, and removing them from the others.

An origin is ``(scheme, host, port)``; a channel declares the origins its credentials
may go to (see :meth:`cxdaily.connectors.http.ChannelHttp.allow_credentials_to`), and
:func:`strip_credentials` takes them off a request bound anywhere else.
"""

from __future__ import annotations

import base64

import httpx

from cxdaily.connectors.base import SecretScrubber

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
