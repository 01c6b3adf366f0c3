"""Who may reach the served app: the rules, as pure functions over header values.

- **Loopback only, no token.** A server bound to a loopback address (``127.0.0.0/8``,
  ``::1``, ``localhost``) is reachable only from this machine, so it needs no token. It
  still checks the ``Host`` header against loopback names: a web page on another site
  whose name an attacker points at ``127.0.0.1`` (DNS rebinding) sends its own name as
  ``Host`` and is refused.
- **Anything else, a token.** A server bound to another address, or published behind a
  reverse proxy (``--public-url``), asks for the access token: once in the query string
  (``?token=...``, then dropped from the address by a redirect) and afterwards in an
  HttpOnly, ``SameSite=Strict`` cookie. Tokens are compared in constant time.
- **Same origin for the browser's own requests.** A request carrying an ``Origin``
  header (the websocket always does) must come from a page of this server, so a page of
  another site cannot drive the app through the leader's browser.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from urllib.parse import urlsplit

from cxdaily.core.safe_json import is_digits

#: The cookie that stands for the token after the first visit (its name ends with the
#: port, see :func:`cookie_name`; its value is :func:`cookie_value`, never the token).
TOKEN_COOKIE = "cxdaily_serve"
#: The query parameter that carries the token on the first visit.
TOKEN_PARAM = "token"
#: Names that always mean this machine (resolved without asking DNS).
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
#: A host name, IPv4 address or bracketed IPv6 address, then an optional port.
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a bind address or a host name, IPv6 with or without brackets)
    names this machine only."""
    name = host.strip().strip("[]").lower().rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    """The host part of a ``Host`` header (``[::1]:8765`` -> ``::1``), lower-cased."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value[1:]
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def host_well_formed(host_header: str | None) -> bool:
    """Whether a ``Host`` header is a plain host name or address with an optional port
    (the page writes it into its own addresses, so nothing else is let through)."""
    return bool(host_header) and _HOST.fullmatch(host_header or "") is not None


def host_allowed(host_header: str | None, extra_names: frozenset[str] = frozenset()) -> bool:
    """Whether a request's ``Host`` header names this machine's loopback or one of
    ``extra_names`` (the public name of a reverse proxy in front of the server)."""
    if not host_header or not host_well_formed(host_header):
        return False
    name = host_name(host_header)
    return is_loopback(name) or name in extra_names


def same_origin(origin: str | None, host_header: str | None) -> bool:
    """Whether a request's ``Origin`` is this server as the browser reached it: no
    ``Origin`` at all (a plain navigation) passes; otherwise its host and port must be the
    ``Host`` header's (the scheme may differ behind a TLS-terminating proxy)."""
    if origin is None:
        return True
    if not host_header:
        return False
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    default = 443 if parts.scheme == "https" else 80
    origin_host = f"{parts.hostname}:{port or default}"
    header_name = host_name(host_header)
    header_port = _port_of(host_header)
    candidates = (
        {f"{header_name}:{header_port}"}
        if header_port
        else {
            f"{header_name}:80",
            f"{header_name}:443",
        }
    )
    return origin_host.lower() in candidates


def _port_of(host_header: str) -> int | None:
    """The port written in a ``Host`` header, or ``None`` when it has none."""
    value = host_header.strip()
    tail = value.rsplit("]", 1)[1] if value.startswith("[") and "]" in value else value
    if tail.count(":") != 1:
        return None
    digits = tail.split(":", 1)[1]
    return int(digits) if is_digits(digits) and len(digits) <= 5 else None


def cookie_name(port: int) -> str:
    """The token cookie of the server on ``port`` (two servers on one host keep theirs)."""
    return f"{TOKEN_COOKIE}_{port}"


def cookie_value(token: str) -> str:
    """What the browser keeps for the token: a keyed hash of it. A browser sends a host's
    cookies to every port of that host, so the cookie must not carry the token itself."""
    return hmac.new(token.encode("utf-8"), b"cxdaily serve cookie", hashlib.sha256).hexdigest()


def token_matches(given: str | None, expected: str) -> bool:
    """Whether ``given`` is the access token (constant-time; empty never matches)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))
