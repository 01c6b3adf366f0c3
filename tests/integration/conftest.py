"""The ``loopback`` fixture: real HTTP servers on loopback for integration tests.

The servers, :class:`Answer` and :class:`Seen` are in ``loopback_kit.py`` (tests import
them from there, never from this file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.integration.loopback_kit import Handler, LoopbackServer


@pytest.fixture
def loopback() -> Iterator[Callable[[Handler], LoopbackServer]]:
    """Start loopback servers (``loopback(handler)``); all are stopped after the test."""
    servers: list[LoopbackServer] = []

    def start(handler: Handler) -> LoopbackServer:
        server = LoopbackServer(handler).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
