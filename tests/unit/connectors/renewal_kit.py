"""Helpers for tests of secrets a service renews (rotated refresh tokens, sessions,
renewed access tokens): a keyring that reads but refuses to store, and what was logged."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import httpx
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

from cxdaily.connectors.base import PROCESS_RENEWED
from cxdaily.connectors.http import ChannelHttp, HttpPolicy, make_client
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.credentials import secret_reader, secret_writer
from cxdaily.settings import ChannelSettings

C = TypeVar("C", bound=HttpConnector)

LOGGER = "cxdaily.connectors"
"""The logger connectors report a renewed secret they could not store to."""


class ReadOnlyKeyring(KeyringBackend):
    """A keyring service that gives its secrets but refuses to store (a locked wallet)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, entries: dict[tuple[str, str], str]) -> None:
        super().__init__()
        self.entries = dict(entries)
        self.refused = 0

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.refused += 1
        raise KeyringLocked("the wallet is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise PasswordDeleteError(username)


def watch_log(caplog: pytest.LogCaptureFixture) -> None:
    """Capture what connectors log, notes included."""
    caplog.set_level(logging.INFO, logger=LOGGER)


def logged(caplog: pytest.LogCaptureFixture, level: int = logging.WARNING) -> list[str]:
    """The lines connectors logged at ``level`` or above."""
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno >= level]


def new_process(*caches: Any) -> None:
    """Forget what a process keeps (token caches, sessions, renewed secrets): a new run."""
    PROCESS_RENEWED.clear()
    for cache in caches:
        cache.clear()


def store_secrets(backend: KeyringBackend, channel: str, secrets: dict[str, str]) -> None:
    """Store a channel's secret fields as ``cxdaily login`` does."""
    for name, value in secrets.items():
        backend.set_password("cxdaily", f"{channel}:{name}" if name else channel, value)


def as_fetch_builds(
    kind: type[C],
    settings: ChannelSettings,
    answer: Callable[[httpx.Request], httpx.Response],
    *,
    now: Callable[[], datetime],
    sleep: Any,
    wall_clock: Callable[[], float],
) -> C:
    """A connector as ``cxdaily fetch`` builds it (the real secret reader and writer) over
    a mock transport, waiting with ``sleep`` and reading the time from ``wall_clock``."""
    client = make_client(transport=httpx.MockTransport(answer))
    connector = kind(settings, client=client, secrets=secret_reader(settings.name),
                     secret_writer=secret_writer(settings.name), now=now)  # fmt: skip
    connector.http = ChannelHttp(client, channel=settings.name, sleep=sleep, rand=lambda: 0.0,
                                 wall_clock=wall_clock, policy=HttpPolicy())  # fmt: skip
    return connector
