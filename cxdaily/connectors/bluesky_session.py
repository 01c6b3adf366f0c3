"""A Bluesky session: created from the handle and app password only when there is none,
kept across runs, refreshed when its access token expires.

- ``POST /xrpc/com.atproto.server.createSession`` ``{identifier, password}`` answers
  ``accessJwt``, ``refreshJwt``, ``did`` and ``handle``. Bluesky limits it (30 per 5
  minutes, 300 a day per account), so a session is created only when there is none:
  sessions live in :data:`PROCESS_SESSIONS`, keyed by the server, the identifier and
  a hash of the app password (connectors are built anew for each operation), and each
  new or refreshed one is stored (``keep``: the channel's ``session`` secret field, in
  the keyring), so the next run starts from it (``stored``) rather than signing in again.
  A stored session of another server or account is ignored.
- Every request carries ``Authorization: Bearer accessJwt``. An answer 400 or 401 with
  the error ``ExpiredToken`` or ``InvalidToken`` (or any 401) renews the session once:
  ``POST /xrpc/com.atproto.server.refreshSession`` with ``Bearer refreshJwt``, or, when
  that is refused too, a new session; then the request is sent again (a refused request
  did nothing, so this holds for a post as well).
- Every request goes to the configured ``base_url``. The session answer may name the
  account's own PDS (``didDoc.service``); it is remembered for ``check`` to mention but
  never called: the entryway (``https://bsky.social``) serves every account it hosts.
- A stored session whose access token has expired is refreshed by the first refused
  request; one whose refresh token is refused too gives way to a new session.
- The app password, both tokens and the cache keys never appear in a message.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Unpack

import msgspec

from cxdaily.connectors.http import (
    BadResponseError,
    ChannelHttp,
    HttpResult,
    RequestOptions,
    describe_url,
)
from cxdaily.connectors.http_client import allowing
from cxdaily.connectors.http_errors import service_message, status_error
from cxdaily.core.errors import AuthError
from cxdaily.core.safe_json import loads as safe_loads

CREATE = "/xrpc/com.atproto.server.createSession"
REFRESH = "/xrpc/com.atproto.server.refreshSession"
TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})
"""Errors that say the access token (not the account) is what was refused."""
MAX_TOKEN_CHARS = 16384
SESSION_FIELD = "session"
"""The secret field a session is stored in (by cxdaily, not the leader)."""
MAX_STORED_CHARS = 64 * 1024
_TOKEN_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F))


class Session(msgspec.Struct, frozen=True):
    """One signed-in session (in memory only)."""

    access: str
    refresh: str
    did: str
    handle: str | None
    pds: str | None = None
    """The account's PDS as the session answer names it (informational)."""


class SessionCache:
    """Sessions by key; shared by every connector of the process (thread-safe)."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Session | None:
        """The session kept under ``key``."""
        with self._lock:
            return self._sessions.get(key)

    def put(self, key: str, session: Session) -> None:
        """Keep ``session`` under ``key``."""
        with self._lock:
            self._sessions[key] = session

    def clear(self) -> None:
        """Forget every session."""
        with self._lock:
            self._sessions.clear()


PROCESS_SESSIONS = SessionCache()
"""The sessions of this process."""


def error_name(content: bytes) -> str | None:
    """The XRPC ``error`` name of an answer's JSON body (``ExpiredToken``), if any."""
    if not content.lstrip().startswith(b"{") or len(content) > 64 * 1024:
        return None
    try:
        data = safe_loads(content)
    except ValueError:
        return None
    name = data.get("error") if isinstance(data, dict) else None
    return name if isinstance(name, str) and len(name) <= 100 else None


class BlueskySession:
    """Sends a channel's XRPC requests with a valid session (see the module's docstring).

    ``password`` reads the app password (only when a new session is needed);
    ``identifier`` is the configured handle or DID.
    """

    def __init__(
        self,
        http: Callable[[], ChannelHttp],
        base_url: str,
        identifier: str,
        *,
        password: Callable[[], Awaitable[str]],
        cache: SessionCache | None = None,
        auth_hint: str = "the handle option and the app password",
        stored: Callable[[], Awaitable[str | None]] | None = None,
        keep: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self._http = http
        self.base_url = base_url.rstrip("/")
        self.identifier = identifier
        self._password = password
        self.cache = cache if cache is not None else PROCESS_SESSIONS
        self.auth_hint = auth_hint
        self._stored = stored
        self._keep = keep

    @property
    def http(self) -> ChannelHttp:
        """The channel's request sender."""
        return self._http()

    def url(self, path: str) -> str:
        """``base_url`` joined with an XRPC path."""
        return f"{self.base_url}/{path.lstrip('/')}"

    async def current(self) -> Session:
        """The process's session for this account, created when there is none."""
        key = await self._key()
        session = self.cache.get(key)
        if session is None:
            session = await self._stored_session()
            if session is not None:
                self.cache.put(key, session)
        if session is None:
            session = await self._create(key)
        self._register(session)
        return session

    async def request(
        self,
        method: str,
        path: str,
        **options: Unpack[RequestOptions],
    ) -> HttpResult:
        """An authenticated XRPC request to ``base_url`` + ``path``; an expired session is
        renewed once. A 400 or 401 not in ``allow_statuses`` raises the one-line error."""
        allow_statuses = options.get("allow_statuses", frozenset())
        sent = allowing(options, 400, 401)
        session = await self.current()
        for attempt in (1, 2):
            headers = _bearer(session.access)
            result = await self.http.request(method, self.url(path), headers=headers, **sent)
            refused = result.status == 401 or (
                result.status == 400 and error_name(result.content) in TOKEN_ERRORS
            )
            if refused and attempt == 1:
                session = await self._renew(session)
                continue
            if refused or (result.status in (400, 401) and result.status not in allow_statuses):
                raise self.error_for(result)
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    # -- internals --------------------------------------------------------------------
    async def _key(self) -> str:
        password = await self._password()
        self.http.register_secret(password)
        material = "\0".join((self.base_url, self.identifier.lower(), password))
        return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()

    def _register(self, session: Session) -> None:
        self.http.register_secret(session.access)
        self.http.register_secret(session.refresh)

    async def _create(self, key: str) -> Session:
        password = await self._password()
        self.http.register_secret(password)
        result = await self.http.request(
            "POST", self.url(CREATE), json_body={"identifier": self.identifier,
                                                 "password": password},
            allow_statuses={400, 401}, repeatable=True,
        )  # fmt: skip
        if result.status in (400, 401):
            said = service_message(result.content, self.http.scrub)
            raise AuthError(
                f"POST {describe_url(result.url)} refused to sign in as {self.identifier} "
                f"(HTTP {result.status}{': ' + said if said else ''}); check "
                f"{self.auth_hint} (run `cxdaily login {self.http.channel}` to store "
                f"the app password again, or set {self.http.secret_variables})",
                channel=self.http.channel,
            )
        session = self._session_of(result, None)
        self.cache.put(key, session)
        await self._store(session)
        return session

    async def _renew(self, refused: Session) -> Session:
        """A new session after ``refused``'s token was refused: another operation's
        renewed one, a refreshed one, or a new one."""
        key = await self._key()
        kept = self.cache.get(key)
        if kept is not None and kept.access != refused.access:
            self._register(kept)
            return kept
        result = await self.http.request(
            "POST", self.url(REFRESH), headers=_bearer(refused.refresh),
            allow_statuses={400, 401}, repeatable=True,
        )  # fmt: skip
        if result.status in (400, 401):
            return await self._create(key)
        session = self._session_of(result, refused)
        self.cache.put(key, session)
        self._register(session)
        await self._store(session)
        return session

    async def _stored_session(self) -> Session | None:
        """The session an earlier run stored for this server and account, if any."""
        text = await self._stored() if self._stored is not None else None
        session = read_session(text, self.base_url, self.identifier) if text else None
        if session is not None:
            self._register(session)
        return session

    async def _store(self, session: Session) -> None:
        """Store ``session`` for the next run (a keyring that fails costs nothing)."""
        if self._keep is not None:
            await self._keep(session_text(session, self.base_url, self.identifier))

    def _session_of(self, result: HttpResult, previous: Session | None) -> Session:
        """The session in a createSession/refreshSession answer."""
        data = self.http.decode_json(result)
        data = data if isinstance(data, dict) else {}
        access, refresh, did = data.get("accessJwt"), data.get("refreshJwt"), data.get("did")
        for token in (access, refresh):
            if isinstance(token, str):
                self.http.register_secret(token)
        if not (_usable_token(access) and _usable_token(refresh)):
            raise BadResponseError(
                f"POST {describe_url(result.url)} answered without usable session tokens",
                channel=self.http.channel,
            )
        if not isinstance(did, str) or not did.startswith("did:") or len(did) > 2048:
            did = previous.did if previous is not None else None
        if did is None:
            raise BadResponseError(
                f"POST {describe_url(result.url)} answered without the account's did",
                channel=self.http.channel,
            )
        handle = data.get("handle")
        handle = handle if isinstance(handle, str) and 0 < len(handle) <= 300 else None
        assert isinstance(access, str) and isinstance(refresh, str)
        return Session(access=access, refresh=refresh, did=did,
                       handle=handle or (previous.handle if previous else None),
                       pds=pds_endpoint(data.get("didDoc")))  # fmt: skip

    def error_for(self, result: HttpResult) -> Exception:
        """The one-line error for a refused answer (401: the auth error naming the handle
        option and the app password)."""
        http = self.http
        return status_error(
            method=result.method, url=result.url, status=result.status, content=result.content,
            channel=http.channel, scrub=http.scrub, auth_hint=self.auth_hint,
            secret_variables=http.secret_variables,
        )  # fmt: skip


def session_text(session: Session, base_url: str, identifier: str) -> str:
    """A session as stored: one line of JSON naming the server and account it is for."""
    return json.dumps(
        {"service": base_url.rstrip("/"), "identifier": identifier.lower(), "did": session.did,
         "handle": session.handle, "pds": session.pds, "accessJwt": session.access,
         "refreshJwt": session.refresh},
        separators=(",", ":"),
    )  # fmt: skip


def read_session(text: str, base_url: str, identifier: str) -> Session | None:
    """The stored session in ``text`` when it is one for this server and account."""
    if len(text) > MAX_STORED_CHARS:
        return None
    try:
        data = safe_loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("service") != base_url.rstrip("/"):
        return None
    access, refresh, did = data.get("accessJwt"), data.get("refreshJwt"), data.get("did")
    if data.get("identifier") != identifier.lower() or not isinstance(did, str):
        return None
    if not (_usable_token(access) and _usable_token(refresh) and did.startswith("did:")):
        return None
    handle, pds = data.get("handle"), data.get("pds")
    assert isinstance(access, str) and isinstance(refresh, str)
    if not (isinstance(handle, str) and 0 < len(handle) <= 300):
        handle = None
    if not (isinstance(pds, str) and pds.startswith("https://") and len(pds) <= 300):
        pds = None
    return Session(access=access, refresh=refresh, did=did, handle=handle, pds=pds)


def pds_endpoint(did_doc: Any) -> str | None:
    """The ``#atproto_pds`` service endpoint of a DID document, when it names one."""
    services = did_doc.get("service") if isinstance(did_doc, dict) else None
    for service in services[:20] if isinstance(services, list) else []:
        if not isinstance(service, dict):
            continue
        ident, endpoint = service.get("id"), service.get("serviceEndpoint")
        if not isinstance(ident, str) or not ident.endswith("#atproto_pds"):
            continue
        if isinstance(endpoint, str) and endpoint.startswith("https://") and len(endpoint) <= 300:
            return endpoint.rstrip("/")
    return None


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _usable_token(token: Any) -> bool:
    return (
        isinstance(token, str)
        and 0 < len(token) <= MAX_TOKEN_CHARS
        and all(c in _TOKEN_CHARS for c in token)
    )
