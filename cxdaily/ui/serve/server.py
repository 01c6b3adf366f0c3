"""The same Textual app in a browser tab: textual-serve's server with cxdaily's guard.

:class:`CxDailyServer` is textual-serve's :class:`~textual_serve.server.Server` (an aiohttp
app that starts the app command once per websocket, with Textual's web driver, and relays
its screen to xterm.js in the page) with four things added:

- a guard in front of every route, the websocket and downloads included, applying
  :mod:`cxdaily.ui.serve.access` (loopback ``Host``, same origin, the access token);
- one session per store: while a served session runs, or any cxdaily (a terminal, a
  script) holds the store's lock, the page and the websocket answer HTTP 409 with
  :data:`~cxdaily.ui.serve.pages.SESSION_OPEN` instead of starting a second writer;
- page addresses taken from the request (or the public URL behind a proxy), so the page
  works under whichever loopback name the browser used;
- quiet logging (no access log: the first request carries the token) and security
  headers; the page loads nothing from another site (:mod:`cxdaily.ui.serve.app_page`),
  and a file the app hands over (the HTML digest) is served under a strict content
  security policy.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import msgspec
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from cxdaily.core import safe_json
from cxdaily.core.errors import CxDailyError
from cxdaily.core.safe_json import is_digits
from cxdaily.core.safe_text import one_line
from cxdaily.store.lock import FolderLock, LockBusy
from cxdaily.ui.serve.access import (
    TOKEN_PARAM,
    cookie_name,
    cookie_value,
    host_allowed,
    host_well_formed,
    is_loopback,
    same_origin,
    token_matches,
)
from cxdaily.ui.serve.app_page import own_origin_page, page_policy
from cxdaily.ui.serve.pages import (
    OTHER_ORIGIN,
    SESSION_OPEN,
    TOKEN_NEEDED,
    WRONG_HOST,
    Refusal,
)

#: How long the browser keeps the token cookie (a new token invalidates it at once).
COOKIE_MAX_AGE_S = 30 * 24 * 3600
#: Files the app hands over (the HTML digest) run no script and load nothing.
DOWNLOAD_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "sandbox allow-popups allow-popups-to-escape-sandbox"
)
#: The page may be shown in no frame (clickjacking).
PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
FONT_SIZES = range(8, 41)
#: How long stopping waits for the served apps to quit before it gives up on them.
SESSION_QUIT_S = 15.0
#: The lock file :class:`cxdaily.store.database.DataFolder` takes in the data folder.
LOCK_FILE = ".lock"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ServeError(CxDailyError):
    """The server cannot start (the address is taken, or cannot be bound)."""


class ServeSettings(msgspec.Struct, frozen=True):
    """What one ``cxdaily serve`` serves, and to whom.

    ``command`` is the shell command that runs the app (textual-serve starts it once per
    browser session); ``token`` is ``None`` when no token is asked (a loopback bind with
    no public URL); ``public_url`` is the address the browser uses behind a reverse proxy;
    ``data_dir`` is the store's data folder, whose lock makes one writer.
    """

    command: str
    host: str
    port: int
    data_dir: Path
    token: str | None = None
    public_url: str | None = None
    title: str = "cxdaily"

    @property
    def checks_host(self) -> bool:
        """Whether the ``Host`` header must name loopback (or the public URL's host): on a
        loopback bind, against DNS rebinding."""
        return is_loopback(self.host)

    @property
    def public_names(self) -> frozenset[str]:
        """Host names the public URL adds to the loopback ones."""
        name = urlsplit(self.public_url).hostname if self.public_url else None
        return frozenset({name.lower()}) if name else frozenset()

    @property
    def secure_cookie(self) -> bool:
        """Whether the token cookie is marked ``Secure`` (the browser reaches us by TLS)."""
        return bool(self.public_url and self.public_url.lower().startswith("https://"))


def store_in_use(data_dir: Path) -> bool:
    """Whether a process holds the store's lock now (probed, never held: the lock is taken
    and released at once). A store not created yet is free."""
    if not data_dir.is_dir():
        return False
    probe = FolderLock(data_dir / LOCK_FILE)
    try:
        probe.acquire()
    except LockBusy:
        return True
    except OSError:
        return False  # the app reports an unusable data folder itself
    probe.release()
    return False


#: The largest screen a browser may ask for (a bigger one would make the app hold gigabytes).
MAX_COLUMNS, MAX_ROWS = 1000, 500
#: The longest keystrokes message taken from the browser (a paste, say).
MAX_STDIN_CHARS = 1 << 16


def screen_size(width: object, height: object) -> tuple[int, int] | None:
    """``(columns, rows)`` from what the browser sent (numbers, or digits in text), when
    both are within 1..:data:`MAX_COLUMNS` and 1..:data:`MAX_ROWS`; else ``None``."""
    sizes = []
    for value, limit in ((width, MAX_COLUMNS), (height, MAX_ROWS)):
        if isinstance(value, str) and is_digits(value) and len(value) <= 4:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
            return None
        sizes.append(value)
    return sizes[0], sizes[1]


def browser_message(text: str) -> tuple[str, Any] | None:
    """A message of the page's terminal, checked: ``("stdin", keys)``, ``("resize",
    (columns, rows))``, ``("ping", data)``, ``("blur", None)`` or ``("focus", None)``;
    ``None`` for anything else (not JSON, another shape, a screen out of bounds)."""
    try:
        envelope = safe_json.loads(text)  # deep nesting, huge numbers: no exception
    except ValueError:
        return None
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        return None
    kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
    if kind == "stdin":
        return (kind, data) if isinstance(data, str) and len(data) <= MAX_STDIN_CHARS else None
    if kind == "resize":
        size = (
            screen_size(data.get("width"), data.get("height")) if isinstance(data, dict) else None
        )
        return (kind, size) if size else None
    if kind == "ping":
        return (kind, data) if isinstance(data, str | int) and len(str(data)) <= 100 else None
    if kind in ("blur", "focus"):
        return kind, None
    return None


class OneLineWithoutToken(logging.Filter):
    """A log record as one line (its exception's type and message, no traceback), with
    the access token masked wherever it shows (a request line, a cookie)."""

    def __init__(self, token: str | None) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite ``record`` in place; every record is kept."""
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            text = f"{text}: {type(error).__name__}: {error}"
        if self.token:
            text = text.replace(self.token, "***")
        record.msg, record.args = one_line(text, 500), ()
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def refusal_response(refusal: Refusal) -> web.Response:
    """The HTML page of a refusal, with its status."""
    return web.Response(
        status=refusal.status,
        text=refusal.html(),
        content_type="text/html",
        headers={"Cache-Control": "no-store"},
    )


class CxDailyServer(Server):
    """textual-serve's server, guarded, one session per store (see the module docstring)."""

    def __init__(self, settings: ServeSettings) -> None:
        super().__init__(
            settings.command,
            host=settings.host,
            port=settings.port,
            title=settings.title,
            public_url=settings.public_url,
        )
        self.settings = settings
        self._sessions: set[asyncio.Task[object]] = set()

    # ------------------------------------------------------------------ app and guard
    async def _make_app(self) -> web.Application:
        """textual-serve's routes behind :meth:`guard`, with the security headers."""
        app = await super()._make_app()
        app.middlewares.append(self.guard)
        app.on_response_prepare.append(self._add_headers)
        return app

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse a request from an unexpected host or another site, or without the
        token; turn a token given in the query into the cookie (and drop it from the
        address)."""
        host = request.headers.get("Host")
        settings = self.settings
        if not host_well_formed(host) or (
            settings.checks_host and not host_allowed(host, settings.public_names)
        ):
            return refusal_response(WRONG_HOST)
        origin = request.headers.get("Origin")
        if not (same_origin(origin, host) or self._is_public_origin(origin)):
            return refusal_response(OTHER_ORIGIN)
        if settings.token is None:
            return await handler(request)
        given = request.query.get(TOKEN_PARAM)
        if given is not None:
            if not token_matches(given, settings.token):
                return refusal_response(TOKEN_NEEDED)
            location = str(request.rel_url.without_query_params(TOKEN_PARAM))
            redirect = web.HTTPSeeOther(location=location)
            redirect.set_cookie(
                cookie_name(settings.port),
                cookie_value(settings.token),
                max_age=COOKIE_MAX_AGE_S,
                path="/",
                httponly=True,
                samesite="Strict",
                secure=settings.secure_cookie,
            )
            raise redirect
        kept = request.cookies.get(cookie_name(settings.port))
        if not token_matches(kept, cookie_value(settings.token)):
            return refusal_response(TOKEN_NEEDED)
        return await handler(request)

    def _is_public_origin(self, origin: str | None) -> bool:
        """Whether ``origin`` is the public URL's origin (a page served through the proxy)."""
        public = self.settings.public_url
        if not origin or not public:
            return False
        want, got = urlsplit(public), urlsplit(origin.strip())
        return (want.scheme, want.netloc.lower()) == (got.scheme, got.netloc.lower())

    async def _add_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        """Headers on every answer; a handed-over file gets the strict policy."""
        for name, value in PAGE_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith("/download/"):
            response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
            response.headers["Cache-Control"] = "no-store"

    # ------------------------------------------------------------------ one session
    @property
    def live_sessions(self) -> int:
        """Browser sessions whose app runs now (0 or 1)."""
        return len(self._sessions)

    def session_open(self) -> bool:
        """Whether a session already runs on this store (served here, or anywhere)."""
        return bool(self._sessions) or store_in_use(self.settings.data_dir)

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page with the terminal, or the "session open elsewhere" page (409)."""
        if self.session_open():
            return refusal_response(SESSION_OPEN)
        base = self._base_url(request)
        websocket_scheme = "wss" if base.startswith("https://") else "ws"
        font_size = to_int(request.query.get("fontsize", "16"), 16)
        websocket_url = f"{websocket_scheme}://{base.split('://', 1)[1]}/ws"
        static_url = f"{base}/static/"
        context = {
            "font_size": font_size if font_size in FONT_SIZES else 16,
            "app_websocket_url": websocket_url,
            "config": {"static": {"url": static_url}},
            "application": {"name": self.title},
        }
        page = aiohttp_jinja2.render_string("app_index.html", request, context)
        response = web.Response(text=own_origin_page(page, static_url), content_type="text/html")
        response.headers["Content-Security-Policy"] = page_policy(websocket_url)
        response.headers["Cache-Control"] = "no-store"
        return response

    def _base_url(self, request: web.Request) -> str:
        """Where the browser reaches us: the public URL, else the request's own host."""
        if self.settings.public_url:
            return self.settings.public_url.rstrip("/")
        return f"{request.scheme}://{request.host}"

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Start the app for this browser tab, unless a session is open already (then the
        upgrade is answered with the 409 page). A request that is no websocket upgrade, or
        asks for a screen out of bounds, is a 400."""
        if self.session_open():
            raise web.HTTPConflict(text=SESSION_OPEN.html(), content_type="text/html")
        if request.headers.get("Upgrade", "").lower() != "websocket":
            raise web.HTTPBadRequest(text="a websocket upgrade is expected here")
        if screen_size(request.query.get("width", "80"), request.query.get("height", "24")) is None:
            raise web.HTTPBadRequest(text=f"a screen is at most {MAX_COLUMNS}x{MAX_ROWS}")
        task = asyncio.current_task()
        assert task is not None  # aiohttp runs every handler in a task
        self._sessions.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self._sessions.discard(task)

    # ------------------------------------------------------------------ running
    def initialize_logging(self) -> None:
        """Warnings and errors only, each on one line with the token masked, without the
        access log (the first request of a token-guarded server carries the token in its
        address, and aiohttp quotes a malformed request's first bytes, a cookie say)."""
        logging.basicConfig(level=logging.WARNING, format="cxdaily serve: %(message)s")
        logging.getLogger("aiohttp.access").disabled = True
        for handler in logging.getLogger().handlers:
            handler.addFilter(OneLineWithoutToken(self.settings.token))

    async def _process_messages(
        self, websocket: web.WebSocketResponse, app_service: AppService
    ) -> None:
        """The browser's messages to the app, each checked first (see :func:`browser_message`):
        one that is not one of them is dropped; a screen size is kept within bounds."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            found = browser_message(message.data)
            if found is None:
                continue
            kind, data = found
            if kind == "stdin":
                await app_service.send_bytes(data.encode("utf-8"))
            elif kind == "resize":
                await app_service.set_terminal_size(*data)
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    async def on_startup(self, app: web.Application) -> None:
        """Nothing to print: the command line prints the address once it listens."""

    async def on_shutdown(self, app: web.Application) -> None:
        """End the browser sessions: textual-serve then asks each app to quit and waits
        for it, so the store is closed as when a terminal closes."""
        for task in list(self._sessions):
            task.cancel()
        if self._sessions:
            await asyncio.wait(list(self._sessions), timeout=SESSION_QUIT_S)

    def run(self, on_ready: Callable[[], None] | None = None) -> None:
        """Serve until SIGINT or SIGTERM; ``on_ready`` runs once the port listens.

        Raises :class:`ServeError` when the address cannot be bound. Stopping closes every
        browser session, which asks its app to quit (drafts and the outbox are saved as
        in a terminal).
        """
        self.initialize_logging()
        asyncio.run(self._serve(on_ready))

    async def _serve(self, on_ready: Callable[[], None] | None) -> None:
        runner = web.AppRunner(
            await self._make_app(),
            access_log=None,
            handle_signals=False,
            shutdown_timeout=SESSION_QUIT_S,
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            await runner.cleanup()
            raise ServeError(
                f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}"
            ) from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            if on_ready is not None:
                on_ready()
            await stop.wait()
        finally:
            await runner.cleanup()
