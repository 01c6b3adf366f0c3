"""Real HTTP servers on loopback, for the integration tests and the fetch benchmark.

``serve(handler)`` starts a threaded ``http.server`` on ``127.0.0.1`` (port 0) that
answers every request with ``handler(seen) -> Answer``. An :class:`Answer` can wait
before answering, drip its body a byte at a time, or claim a longer body than it sends,
so slow, truncated and endless servers are one line each. The ``loopback`` fixture (in
this folder's ``conftest.py``) starts as many as a test needs and stops them afterwards.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx


@dataclass
class Answer:
    """What a loopback server sends back."""

    status: int = 200
    body: Any = b""
    """Bytes, text, or anything else (sent as JSON)."""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering."""
    drip: float | None = None
    """When set, the body is sent one byte at a time with this many seconds between."""
    declared_length: int | None = None
    """Content-Length to claim (larger than the body: the answer is cut off)."""
    repeat: int = 1
    """Send the body this many times (huge answers, cheaply)."""
    send_length: bool = True
    """Without Content-Length the body simply runs until the connection closes."""

    def payload(self) -> tuple[bytes, str]:
        """The body bytes and their content type."""
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode("utf-8"), "text/plain; charset=utf-8"
        return json.dumps(self.body).encode("utf-8"), "application/json"


@dataclass(frozen=True)
class Seen:
    """A request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


Handler = Callable[[Seen], Answer]


def seen_of(request: httpx.Request, prefix: str = "", *, keep_blank_values: bool = True) -> Seen:
    """An ``httpx`` request (from a ``MockTransport``) as a loopback fake reads one: its
    path below ``prefix`` (the base URL's own path), query, lower-cased headers, body."""
    return Seen(
        method=request.method,
        path=request.url.path.removeprefix(prefix),
        query=parse_qs(request.url.query.decode(), keep_blank_values=keep_blank_values),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=request.content,
    )


def mock_response(answer: Answer) -> httpx.Response:
    """A fake's :class:`Answer` as the ``httpx.Response`` a ``MockTransport`` returns."""
    body, content_type = answer.payload()
    headers = {"content-type": content_type, **answer.headers}
    return httpx.Response(answer.status, content=body, headers=headers)


Intercept = Callable[[httpx.Request], "httpx.Response | None"]
"""A test's own answer to some requests of a :class:`FakeWire` (``None``: the fake's)."""


class FakeWire:
    """A loopback fake (anything with ``respond(seen) -> Answer``) behind an
    ``httpx.MockTransport``: every request is recorded (hosts included), a test may answer
    some itself (``intercept``), and the rest reach the fake as a loopback server hands
    them over (the path below ``prefix``, the base URL's own path)."""

    def __init__(self, fake: Any, prefix: str = "") -> None:
        self.fake = fake
        self.prefix = prefix
        self.requests: list[httpx.Request] = []
        self.intercept: Intercept | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.intercept is not None and (answer := self.intercept(request)) is not None:
            return answer
        return mock_response(self.fake.respond(seen_of(request, self.prefix)))


class LoopbackServer:
    """One threaded HTTP server on 127.0.0.1 answering with a handler function."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Seen] = []
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._request_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The server's base URL, such as ``http://127.0.0.1:41234``."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LoopbackServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; handlers that are waiting or dripping give up at once."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def _request_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                parts = urlsplit(self.path)
                seen = Seen(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                server.requests.append(seen)
                answer = server.handler(seen)
                if answer.delay and server._stopping.wait(answer.delay):
                    return
                body, content_type = answer.payload()
                try:
                    self.send_response(answer.status)
                    headers = {"Content-Type": content_type, **answer.headers}
                    for name, value in headers.items():
                        self.send_header(name, value)
                    declared = answer.declared_length or len(body) * answer.repeat
                    if answer.send_length:
                        self.send_header("Content-Length", str(declared))
                    self.end_headers()
                    if answer.drip is None:
                        for _ in range(answer.repeat):
                            self.wfile.write(body)
                        return
                    for byte in body:
                        if server._stopping.wait(answer.drip):
                            return
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should with a bad server

            do_GET = _answer
            do_POST = _answer
            do_PUT = _answer

        return RequestHandler


@contextmanager
def serve(handler: Handler) -> Iterator[LoopbackServer]:
    """A running loopback server for the duration of a ``with`` block."""
    server = LoopbackServer(handler).start()
    try:
        yield server
    finally:
        server.stop()
