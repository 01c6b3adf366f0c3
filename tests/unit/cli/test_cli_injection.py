"""``main(argv, connectors=..., make_client=...)``: every service a command opens is built
with the connector registry and the HTTP client factory given, never a module global."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import httpx
import pytest
from msgspec.structs import replace

from cxdaily.cli import ServiceFactory, main, services
from cxdaily.connectors import connector_class
from cxdaily.connectors.base import Connector
from cxdaily.connectors.demo import DemoConnector
from cxdaily.connectors.http import make_client

BASE = "https://portal.example.com/api"
QUESTIONS = [{"id": "q1", "body": "Help", "created_at": "2026-11-21T08:00:00Z"}]


class MockHttp:
    """An HTTP client factory over a mock transport that answers with ``QUESTIONS`` and
    counts the clients made and the requests seen."""

    def __init__(self) -> None:
        self.clients = 0
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=QUESTIONS)

    def __call__(self) -> httpx.AsyncClient:
        self.clients += 1
        return make_client(transport=httpx.MockTransport(self.handler))


class RecordingRegistry:
    """A connector registry that remembers the kinds asked for."""

    def __init__(self) -> None:
        self.kinds: list[str] = []

    def __call__(self, kind: str) -> type[Connector]:
        self.kinds.append(kind)
        return connector_class(kind)


@pytest.fixture
def portal(home: Path) -> Path:
    """A configured HTTP channel ``portal`` (no retries)."""
    (home / "config.toml").write_text(
        f'[channels.portal]\nkind = "http"\nurl = "{BASE}/questions"\nretries = 0\n',
        encoding="utf-8",
    )
    return home


def test_fetch_runs_on_the_client_factory_given(portal: Path, capsys):
    http = MockHttp()
    assert main(["fetch"], make_client=http) == 0
    assert capsys.readouterr().out == "portal: 1 question\n"
    assert http.clients >= 1
    assert [str(r.url) for r in http.requests] == [f"{BASE}/questions"]


def test_channels_test_and_list_use_the_registry_and_client_given(portal: Path, capsys):
    http, registry = MockHttp(), RecordingRegistry()
    assert main(["channels", "test"], connectors=registry, make_client=http) == 0
    out, err = capsys.readouterr()
    assert out.startswith("portal: ok: ") and err == ""
    assert http.requests and set(registry.kinds) == {"http"}

    assert main(["fetch"], connectors=registry, make_client=http) == 0
    capsys.readouterr()
    assert main(["channels", "list", "--json"], connectors=registry, make_client=http) == 0
    (listed,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert listed["status"]["count"] == 1


def test_the_registry_given_replaces_a_kind_for_every_command(home: Path, capsys):
    class QuietDemo(DemoConnector):
        """The demo inbox with nothing in it."""

        async def fetch(self, checkpoint):
            return replace(await super().fetch(checkpoint), questions=[])

    def registry(kind: str) -> type[Connector]:
        return QuietDemo if kind == "demo" else connector_class(kind)

    assert main(["--demo", "fetch"], connectors=registry) == 0
    assert capsys.readouterr().out == "demo: 0 questions\n"
    assert main(["--demo", "batch", "--json"], connectors=registry) == 0
    assert capsys.readouterr().out == ""


def test_a_handler_called_on_its_own_gets_the_default_factory():
    assert services(argparse.Namespace()) == ServiceFactory()
    assert ServiceFactory().connector_class("demo") is DemoConnector
