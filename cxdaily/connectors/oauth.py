"""OAuth 2.0 access tokens from a token endpoint, shared by the connectors that need one.

:class:`ClientCredentialsToken` asks a channel's token endpoint for an access token
(the client credentials grant by default: a form with ``grant_type=client_credentials``,
the client's id and secret, or the id and secret as HTTP Basic auth), keeps it until
shortly before it expires, and gives it as an ``Authorization: Bearer`` header.

- **One token per process.** Tokens are kept in a :class:`TokenCache` (by default the
  process-wide :data:`PROCESS_TOKENS`), keyed by the token endpoint and the client's
  credentials, so every operation of a channel in one process reuses one token; a
  changed secret is a new key. Nothing is ever written to disk.
- **A refused token is renewed once.** :meth:`ClientCredentialsToken.call` runs an
  operation with the cached token; when the service refuses it (an auth error), the
  token is dropped and the operation runs once more with a new one. A token that was
  just issued is not retried: the credentials themselves are wrong then.
- **Secrets stay secret.** The client's id and secret and every access token are
  registered with the channel's scrubber; errors are one line and never quote them. The
  credentials go only to a token endpoint on one of the channel's own origins (its
  ``base_url``, or a URL the user configured: see ``allow_credentials_to``).
- A token endpoint that answers 400 or 401 (or 200 with an OAuth ``error``) refused the
  client: the auth error names the secret fields to check and how to store them again.
- **Other grants** (a refresh token, a password, a signed assertion) override the public
  hooks of :class:`ClientCredentialsToken`; a ``refresh_token`` in an answer can be kept
  in :data:`PROCESS_REFRESH_TOKENS` and buys the next access token.
- **Rotated refresh tokens outlive the process.** A refresh token in an answer that is
  not the one the channel stores is handed to ``keep_refresh_token`` (the connector's
  :meth:`~cxdaily.connectors.base.Connector.persist_secret` for its ``refresh_token``
  field), so the next run starts from it rather than from a token the service has
  already retired. This is the one place every refresh-token grant gets it.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from cxdaily.connectors.http import BadResponseError, ChannelHttp, describe_url
from cxdaily.connectors.http_credentials import basic_authorization
from cxdaily.connectors.http_errors import service_message
from cxdaily.core.errors import AuthError, ConnectorError
from cxdaily.core.safe_json import is_digits
from cxdaily.core.safe_text import one_line

T = TypeVar("T")

DEFAULT_LIFETIME_S = 3600.0
"""How long a token is kept when the endpoint does not say (no usable ``expires_in``)."""
MAX_LIFETIME_S = 30 * 24 * 3600.0
"""The longest a token is kept, whatever ``expires_in`` claims."""
RENEW_MARGIN_S = 60.0
"""A token is renewed this long before it expires (at most a tenth of its lifetime)."""
MAX_TOKEN_CHARS = 8192
_TOKEN_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F))
"""Printable ASCII without spaces: anything else would break the Authorization header."""

#: Reads the client's id and secret (off the event loop, as connectors read secrets).
CredentialReader = Callable[[], Awaitable[tuple[str, str]]]
#: Stores a rotated refresh token where the next run reads it (never raises).
RefreshTokenKeeper = Callable[[str], Awaitable[None]]


class TokenCache:
    """Access tokens by key, each with the instant (on its clock) it stops being used."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()  # channels are checked from several threads at once

    def get(self, key: str, now: float) -> str | None:
        """The token kept under ``key``, or ``None`` when there is none or it is too old."""
        with self._lock:
            entry = self._tokens.get(key)
        return entry[0] if entry is not None and now < entry[1] else None

    def put(self, key: str, token: str, until: float) -> None:
        """Keep ``token`` under ``key`` until ``until``."""
        with self._lock:
            self._tokens[key] = (token, until)

    def drop(self, key: str, token: str) -> None:
        """Forget ``token`` (unless another operation has replaced it already)."""
        with self._lock:
            if self._tokens.get(key, ("",))[0] == token:
                del self._tokens[key]

    def clear(self) -> None:
        """Forget every token."""
        with self._lock:
            self._tokens.clear()


PROCESS_TOKENS = TokenCache()
"""The tokens of this process (connectors are built anew for each operation)."""
PROCESS_REFRESH_TOKENS = TokenCache()
"""The refresh tokens of this process, by the same key as the access tokens."""


class ClientCredentialsToken:
    """An access token from ``token_url``, cached, renewed before expiry or once refused.

    ``credentials`` reads the client's id and secret (only when a new token is needed);
    ``fields`` names the two secret fields, for the auth error's advice. ``basic_auth``
    sends them as HTTP Basic auth instead of form fields; ``form`` adds fields to the
    form or replaces the grant (``{"grant_type": "password", ...}``). ``headers`` are
    sent with every token request and every call (a User-Agent). ``clock`` returns
    seconds (monotonic).

    ``refresh_tokens`` (e.g. :data:`PROCESS_REFRESH_TOKENS`) turns on the refresh step:
    the ``refresh_token`` of an answer is kept there (by the access token's key) and buys
    the next access token at ``refresh_url`` (default ``token_url``); when it is refused
    (400/401) the configured grant is asked again. ``refresh_token`` is the refresh
    token the channel stores (from an earlier run): it buys the first access token of the
    process when none is kept. ``keep_refresh_token`` stores each new refresh token an
    answer brings (see the module's docstring).

    A grant other than client credentials overrides the public hooks:
    :meth:`token_request` (the form and headers), :meth:`token_fields` (where the token is
    in the answer), :meth:`refused_answer` (a refusal inside a successful answer),
    :meth:`received` (what else the answer holds) and :meth:`advice`.
    """

    refused_what = "the client credentials"
    """What the endpoint refused, in the auth error ("refused the client credentials")."""
    sending_what = "the client credentials"
    """What is sent, in the error for a token URL not on the channel's own origins."""
    error_what: str | None = None
    """What a 200 answer with an OAuth ``error`` refused (default: :attr:`refused_what`)."""
    refused_statuses: frozenset[int] = frozenset({400, 401})
    """The token endpoint's statuses that mean the grant was refused."""
    scheme = "Bearer"
    """The Authorization scheme of the access token."""

    def __init__(
        self,
        http: ChannelHttp,
        token_url: str,
        *,
        credentials: CredentialReader,
        clock: Callable[[], float] = time.monotonic,
        cache: TokenCache | None = None,
        fields: tuple[str, str] = ("client_id", "client_secret"),
        basic_auth: bool = False,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        refresh_tokens: TokenCache | None = None,
        refresh_url: str | None = None,
        refresh_lifetime: float = MAX_LIFETIME_S,
        refresh_token: str | None = None,
        keep_refresh_token: RefreshTokenKeeper | None = None,
    ) -> None:
        self.http = http
        self.token_url = token_url
        self._credentials = credentials
        self.clock = clock
        self.cache = cache if cache is not None else TokenCache()
        self.fields = fields
        self.basic_auth = basic_auth
        self.form = dict(form or {})
        self.extra_headers = dict(headers or {})
        self.refresh_tokens = refresh_tokens
        self.refresh_url = refresh_url or token_url
        self.refresh_lifetime = refresh_lifetime
        self.refresh_token = refresh_token
        """The refresh token as the channel stores it (updated when an answer rotates it)."""
        self.keep_refresh_token = keep_refresh_token
        self._key: str | None = None

    # -- the token --------------------------------------------------------------------
    async def access_token(self) -> str:
        """A valid access token: the cached one, or a new one from the endpoint."""
        token, _ = await self._current()
        return token

    async def headers(self) -> dict[str, str]:
        """``Authorization: Bearer <token>`` (and the extra headers)."""
        return self.authorization(await self.access_token())

    def authorization(self, token: str) -> dict[str, str]:
        """The headers of a request made with ``token``."""
        return {**self.extra_headers, "Authorization": f"{self.scheme} {token}"}

    async def call(self, operation: Callable[[dict[str, str]], Awaitable[T]]) -> T:
        """``operation(headers)``; when the service refuses a token that came from the
        cache, the token is dropped and ``operation`` runs once more with a new one.

        Only wrap an operation that is safe to run twice after a refusal: a refused
        request did nothing, but an operation that already wrote must not repeat.
        """
        token, fresh = await self._current()
        try:
            return await operation(self.authorization(token))
        except AuthError:
            if fresh:
                raise
            self.invalidate(token)
        token, _ = await self._current()
        return await operation(self.authorization(token))

    def invalidate(self, token: str | None = None) -> None:
        """Forget ``token`` (by default whichever token is cached for these credentials)."""
        if self._key is None:
            return
        if token is None:
            token = self.cache.get(self._key, -math.inf) or ""
        self.cache.drop(self._key, token)

    # -- hooks ------------------------------------------------------------------------
    def token_request(
        self, client_id: str, client_secret: str
    ) -> tuple[dict[str, str], dict[str, str]]:
        """The form and headers that ask ``token_url`` for a token (the configured grant)."""
        return self._with_client({"grant_type": "client_credentials", **self.form},
                                 client_id, client_secret)  # fmt: skip

    def refresh_request(
        self, client_id: str, client_secret: str, refresh_token: str
    ) -> tuple[dict[str, str], dict[str, str]]:
        """The form and headers that trade ``refresh_token`` at ``refresh_url``."""
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return self._with_client(form, client_id, client_secret)

    def token_fields(self, data: Any) -> Mapping[str, Any] | None:
        """The object of an answer that holds ``access_token`` (the answer itself)."""
        return data if isinstance(data, dict) else None

    def refused_answer(
        self, where: str, status: int, content: bytes, data: Any
    ) -> AuthError | None:
        """A successful answer that refuses all the same (``{"error": "invalid_grant"}``)."""
        error = data.get("error") if isinstance(data, dict) else None
        if not error:
            return None
        return AuthError(
            f"{where} refused {self.error_what or self.refused_what} "
            f"({one_line(self.http.scrub(error), 60)}); {self.error_advice()}",
            channel=self.http.channel,
        )

    def received(self, fields: Mapping[str, Any]) -> None:
        """Called with a new token's answer: its ``refresh_token`` is kept for later."""
        refresh = fields.get("refresh_token")
        if self.refresh_tokens is not None and usable_token(refresh):
            assert isinstance(refresh, str)
            self.http.register_secret(refresh)
            self.refresh_tokens.put(self._key or "", refresh, self.clock() + self.refresh_lifetime)

    def advice(self) -> str:
        """What to check when the token endpoint refuses the client (one line)."""
        first, second = self.fields
        name = self.http.channel
        return (
            f"check the {first} and {second} secrets (store them again with "
            f"`cxdaily login {name} --field {first}` and `--field {second}`)"
        )

    def error_advice(self) -> str:
        """What to check when a 200 answer carries an OAuth error (default: :meth:`advice`)."""
        return self.advice()

    # -- internals --------------------------------------------------------------------
    async def _current(self) -> tuple[str, bool]:
        """``(token, fresh)``: ``fresh`` when it was issued just now."""
        client_id, client_secret = await self._read_credentials()
        key = self._key = _cache_key(self.token_url, client_id, client_secret, self.form)
        cached = self.cache.get(key, self.clock())
        if cached is not None:
            self.http.register_secret(cached)
            return cached, False
        token, seconds = await self._new_token(client_id, client_secret)
        until = self.clock() + seconds - min(RENEW_MARGIN_S, seconds / 10)
        self.cache.put(key, token, until)
        renamed = _cache_key(self.token_url, client_id, client_secret, self.form)
        if renamed != key:  # the answer rotated a secret the key names: the next
            self.cache.put(renamed, token, until)  # operation reads the new one
            self._key = renamed
        return token, True

    async def _read_credentials(self) -> tuple[str, str]:
        client_id, client_secret = await self._credentials()
        self.http.register_secret(client_id)
        self.http.register_secret(client_secret)
        return client_id, client_secret

    def _with_client(
        self, form: dict[str, str], client_id: str, client_secret: str
    ) -> tuple[dict[str, str], dict[str, str]]:
        headers = dict(self.extra_headers)
        if self.basic_auth:
            headers["Authorization"] = basic_authorization(
                client_id, client_secret, self.http.scrubber
            )
        else:
            form.update(client_id=client_id, client_secret=client_secret)
        return form, headers

    async def _new_token(self, client_id: str, client_secret: str) -> tuple[str, float]:
        """The refresh token's next access token (when one is kept), else the grant's."""
        key = self._key or ""
        refresh = None
        if self.refresh_tokens is not None:
            refresh = self.refresh_tokens.get(key, self.clock()) or self.refresh_token
        if self.refresh_tokens is not None and refresh is not None:
            self.http.register_secret(refresh)
            form, headers = self.refresh_request(client_id, client_secret, refresh)
            issued = await self._ask(self.refresh_url, form, headers, refreshing=True)
            if issued is not None:
                return issued
            self.refresh_tokens.drop(key, refresh)  # refused: ask with the configured grant
            if refresh == self.refresh_token:
                self.refresh_token = None
        form, headers = self.token_request(client_id, client_secret)
        issued = await self._ask(self.token_url, form, headers, refreshing=False)
        assert issued is not None  # the configured grant raises when refused
        return issued

    async def _ask(
        self, url: str, form: dict[str, str], headers: dict[str, str], *, refreshing: bool
    ) -> tuple[str, float] | None:
        """POST one grant: ``(token, lifetime)``; ``None`` when a refresh is refused."""
        where = f"POST {describe_url(url)}"
        if not self.http.may_send_credentials(url):
            raise ConnectorError(
                f"refusing to send {self.sending_what} to {describe_url(url)}: "
                "it is not one of the channel's own addresses",
                channel=self.http.channel,
            )
        statuses = {400, 401} if refreshing else set(self.refused_statuses)
        result = await self.http.request(
            "POST", url, form_body=form, headers=headers, allow_statuses=statuses,
            repeatable=True,  # asking for a token twice is harmless
        )  # fmt: skip
        if result.status in statuses:
            if refreshing:
                return None
            said = service_message(result.content, self.http.scrub)
            raise AuthError(
                f"{where} refused {self.refused_what} (HTTP {result.status}"
                f"{': ' + said if said else ''}); {self.advice()}",
                channel=self.http.channel,
            )
        data = self.http.decode_json(result)
        refusal = self.refused_answer(where, result.status, result.content, data)
        if refusal is not None:
            if refreshing:
                return None
            raise refusal
        fields = self.token_fields(data) or {}
        token = fields.get("access_token")
        if not usable_token(token):
            raise BadResponseError(
                f"{where} answered without a usable access_token", channel=self.http.channel
            )
        assert isinstance(token, str)
        self.http.register_secret(token)
        self.received(fields)
        await self._keep_rotated(fields)
        return token, lifetime(fields.get("expires_in"))

    async def _keep_rotated(self, fields: Mapping[str, Any]) -> None:
        """A refresh token in the answer that the channel does not store yet becomes the
        one it stores: in the form that names it (so the cache key follows) and through
        ``keep_refresh_token``."""
        rotated = fields.get("refresh_token")
        if not usable_token(rotated) or rotated == self.refresh_token:
            return
        assert isinstance(rotated, str)
        self.http.register_secret(rotated)
        self.refresh_token = rotated
        if "refresh_token" in self.form:
            self.form["refresh_token"] = rotated
        if self.keep_refresh_token is not None:
            await self.keep_refresh_token(rotated)


def _cache_key(token_url: str, client_id: str, client_secret: str, form: Mapping[str, str]) -> str:
    """A key naming the endpoint and credentials without holding the secret itself."""
    extra = "\0".join(f"{k}={v}" for k, v in sorted(form.items()))
    material = "\0".join((token_url, client_id, client_secret, extra))
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


def usable_token(token: Any) -> bool:
    """A token that fits in a header: 1 to MAX_TOKEN_CHARS printable ASCII characters."""
    return (
        isinstance(token, str)
        and 0 < len(token) <= MAX_TOKEN_CHARS
        and all(c in _TOKEN_CHARS for c in token)
    )


def lifetime(value: Any) -> float:
    """Seconds a token lives, from ``expires_in`` (a number, or digits as text)."""
    if isinstance(value, str) and is_digits(value.strip()) and len(value.strip()) < 12:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DEFAULT_LIFETIME_S
    if isinstance(value, int) and value > MAX_LIFETIME_S:  # float() of a huge int raises
        return MAX_LIFETIME_S
    seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        return DEFAULT_LIFETIME_S
    return min(seconds, MAX_LIFETIME_S)


__all__ = [
    "PROCESS_REFRESH_TOKENS",
    "PROCESS_TOKENS",
    "ClientCredentialsToken",
    "CredentialReader",
    "RefreshTokenKeeper",
    "TokenCache",
    "lifetime",
    "usable_token",
]
