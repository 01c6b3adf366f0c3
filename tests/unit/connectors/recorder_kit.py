"""What the connector tests that serve a fake through ``mock_transport`` record: every
request sent, and a hook that may answer some of them first (a failure, a cut page)."""

from __future__ import annotations

from typing import Any

import httpx


class Recorder:
    """Every request the connector sent, and a hook answering some of them first (the
    hook returns a response, or ``None`` to let the fake answer)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.hook: Any = None

    def __call__(self, request: httpx.Request) -> httpx.Response | None:
        self.requests.append(request)
        return self.hook(request) if self.hook else None

    def clear(self) -> None:
        """Forget the requests recorded so far."""
        self.requests.clear()
